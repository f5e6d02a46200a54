package dev.usher.cdi.ops;

import dev.usher.core.account.Account;
import dev.usher.core.repository.TicketRepository;
import dev.usher.servlet.UsherRuntime;
import jakarta.enterprise.inject.spi.CDI;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * MicroProfile Health readiness check {@code usher}: UP when the ticket repository answers and the
 * secrets are loaded (playback-credential keys, and a secret for every API account). A repository
 * that fails makes it DOWN, so a load balancer stops sending viewers to a node that could only
 * refuse them. The probe is one lookup of a key no ticket can have, under the repository's own
 * query timeout. Data names what was checked, never a secret or a JDBC URL. Added by
 * {@link OperationsExtension} only where the Health API is present.
 */
@Readiness
public class UsherReadiness implements HealthCheck {

    /** Looked up to probe the repository: tickets' keys are generated and never contain a space. */
    static final String PROBE_KEY = "usher readiness probe";

    @Override
    public HealthCheckResponse call() {
        // Looked up, not injected: this bean is added by an extension, and a server that keeps bean
        // archives apart (Payara, GlassFish) gives an extension's types no view of the library's
        // producers at validation; the application's own container sees them at run time.
        CDI<Object> cdi = CDI.current();
        UsherRuntime runtime = cdi.select(UsherRuntime.class).get();
        TicketRepository repository = runtime.service().repository();
        HealthCheckResponseBuilder answer = HealthCheckResponse.named("usher");
        boolean up = true;
        try {
            repository.find(PROBE_KEY);
            answer.withData("repository", "reachable");
        } catch (RuntimeException e) {
            up = false;
            // The exception's message may hold a host or URL: only its type is shown.
            answer.withData("repository", "unreachable: " + e.getClass().getSimpleName());
        }
        int keys = runtime.credentials() == null ? 0 : runtime.credentials().keyIds().size();
        long accountsWithoutSecret = runtime.accounts().all().stream()
                .map(Account::secret).filter(s -> s == null || s.isEmpty()).count();
        boolean secrets = keys > 0 && accountsWithoutSecret == 0;
        up &= secrets;
        answer.withData("secrets", secrets ? "loaded" : "missing");
        answer.withData("credential-keys", keys);
        answer.withData("api-accounts", runtime.accounts().all().size());
        return answer.status(up).build();
    }
}
