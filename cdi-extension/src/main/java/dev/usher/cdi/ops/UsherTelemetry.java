package dev.usher.cdi.ops;

import dev.usher.core.credential.CredentialStatus;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.media.MediaPath;
import dev.usher.core.service.UsherListener;
import dev.usher.core.service.UsherService;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.spi.BeanManager;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Counts what Usher decides and answers with the OpenTelemetry metrics API of the server
 * (MicroProfile Telemetry provides the {@code OpenTelemetry} bean): decisions by outcome and
 * reason and their duration, credentials checked, manifests answered, API calls by command and
 * code. Every attribute comes from a fixed set (enum names, the API's own command names and
 * codes), never from request text, so the series stay few. Registered as a listener of the
 * service when the application starts. Added by {@link OperationsExtension} only where the API
 * is present; without an {@code OpenTelemetry} bean it counts nothing.
 */
public class UsherTelemetry implements UsherListener {

    private static final System.Logger LOG = System.getLogger("dev.usher.cdi");

    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");
    static final AttributeKey<String> STATUS = AttributeKey.stringKey("status");
    static final AttributeKey<String> KIND = AttributeKey.stringKey("kind");
    static final AttributeKey<String> COMMAND = AttributeKey.stringKey("command");
    static final AttributeKey<String> CODE = AttributeKey.stringKey("code");

    private LongCounter decisions;
    private DoubleHistogram decisionTime;
    private LongCounter credentials;
    private LongCounter manifests;
    private LongCounter apiCalls;

    /**
     * Starts counting. As {@code UsherProducers.start}, it acts in a servlet container only on the
     * web application's own event (GlassFish fires one for a library jar outside any component).
     */
    void start(@Observes @Initialized(ApplicationScoped.class) Object event, BeanManager beans) {
        if (!isServletContext(event) && inServletContainer(beans)) {
            return;
        }
        // The application's container, not this extension-added bean's archive (see UsherReadiness).
        Instance<Object> all = jakarta.enterprise.inject.spi.CDI.current();
        Instance<OpenTelemetry> telemetry = all.select(OpenTelemetry.class);
        if (!telemetry.isResolvable()) {
            LOG.log(System.Logger.Level.DEBUG, "no OpenTelemetry bean: Usher's metrics are off");
            return;
        }
        synchronized (this) {
            if (decisions != null) {
                return; // already counting (a second init event)
            }
            create(telemetry.get().getMeter("dev.usher"));
        }
        all.select(UsherService.class).get().addListener(this);
    }

    private void create(Meter meter) {
        decisions = meter.counterBuilder("usher.decisions").setUnit("{decision}")
                .setDescription("Playback requests decided, by outcome (granted, refused) and reason").build();
        decisionTime = meter.histogramBuilder("usher.decision.duration").setUnit("s")
                .setDescription("Time the repository took to decide a playback request, by outcome")
                // The SDK's default buckets (0, 5, 10 … 10000) suit milliseconds, not seconds.
                .setExplicitBucketBoundariesAdvice(List.of(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0))
                .build();
        credentials = meter.counterBuilder("usher.credentials.checked").setUnit("{credential}")
                .setDescription("Playback credentials of manifest children checked, by status").build();
        manifests = meter.counterBuilder("usher.manifests.rewritten").setUnit("{manifest}")
                .setDescription("Granted manifests answered, by kind (hls, dash) and outcome (rewritten, passed, refused)").build();
        apiCalls = meter.counterBuilder("usher.api.calls").setUnit("{call}")
                .setDescription("SEVU API commands answered, by command and answer code").build();
    }

    @Override
    public void decided(PlaybackRequest request, Decision decision, Duration took) {
        String outcome = decision.granted() ? "granted" : "refused";
        decisions.add(1, Attributes.of(OUTCOME, outcome, REASON, name(decision.reason())));
        decisionTime.record(took.toNanos() / 1e9, Attributes.of(OUTCOME, outcome));
    }

    @Override
    public void credentialChecked(CredentialStatus status) {
        credentials.add(1, Attributes.of(STATUS, name(status)));
    }

    @Override
    public void manifestRewritten(MediaPath.Kind kind, String outcome) {
        manifests.add(1, Attributes.of(KIND, kind == MediaPath.Kind.DASH_MANIFEST ? "dash" : "hls", OUTCOME, outcome));
    }

    @Override
    public void apiAnswered(String command, int code) {
        apiCalls.add(1, Attributes.of(COMMAND, command, CODE, String.format(Locale.ROOT, "%04d", code)));
    }

    private static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }

    private static boolean inServletContainer(BeanManager beans) {
        try {
            return !beans.getBeans(jakarta.servlet.ServletContext.class).isEmpty();
        } catch (LinkageError e) {
            return false;
        }
    }

    private static boolean isServletContext(Object event) {
        try {
            return event instanceof jakarta.servlet.ServletContext;
        } catch (LinkageError e) {
            return false;
        }
    }
}
