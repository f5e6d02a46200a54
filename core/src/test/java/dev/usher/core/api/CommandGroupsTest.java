package dev.usher.core.api;

import dev.usher.core.account.AccountRegistry;
import dev.usher.core.repository.ReplayLedger;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.testing.Fixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static dev.usher.core.testing.Fixture.STEF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parts of {@link SevuApi}: the replay ledger it is given is the one used (whatever the
 * repository is), and a command group given to it is served only with verified commands.
 */
class CommandGroupsTest {

    final Fixture f = new Fixture();

    /** A real ledger of this node, recording what it was asked. */
    static final class WatchedLedger implements ReplayLedger {
        final ReplayGuard inner = ReplayGuard.forOneNode(java.time.Clock.systemUTC());
        final List<String> claims = new ArrayList<>();
        volatile boolean full;

        @Override
        public Claim claim(String requestId, Instant until) {
            claims.add(requestId);
            return full ? Claim.FULL : inner.claim(requestId, until);
        }

        @Override
        public void answer(String requestId, String answer) {
            inner.answer(requestId, answer);
        }

        @Override
        public Optional<String> answerOf(String requestId) {
            return inner.answerOf(requestId);
        }
    }

    /** A group serving {@code sevu.publishlog} as a state-changing command, counting its runs. */
    static class CountingGroup implements CommandGroup {
        final Map<String, Integer> runs = new ConcurrentHashMap<>();

        @Override
        public Commands commands() {
            return new Commands(Map.of("sevu.publishlog", Set.of("app", "stream", "limit")), Set.of("sevu.publishlog"));
        }

        @Override
        public SevuApi.Answer handle(SignedCommand command) throws ApiFailure {
            command.fields().require("app");
            runs.merge(command.fields().string("app"), 1, Integer::sum);
            return new SevuApi.Answer(ApiCode.PUBLISH_LOG_FOUND, SevuApi.success(ApiCode.PUBLISH_LOG_FOUND));
        }
    }

    Map<String, Object> request() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", "sevu.request");
        r.put("api_key", STEF.apiKey());
        r.put("timestamp", f.clock.instant().getEpochSecond());
        r.put("cdn", 28);
        r.put("app", "stef-chorigin");
        r.put("video", "mystream");
        r.put("pass", "passpasspass");
        r.put("ip", "auto");
        r.put("uses", 5);
        r.put("expire", "+1 day");
        return r;
    }

    @Test
    void theLedgerGivenIsTheOneClaimedIn() {
        WatchedLedger ledger = new WatchedLedger();
        SevuApi api = new SevuApi(f.service, new AccountRegistry(List.of(STEF)), Duration.ofMinutes(5), f.clock, ledger, List.of());
        String signed = SevuClients.php(request(), STEF.secret());
        assertEquals(ApiCode.TICKET_GRANTED, api.handle(signed).code());
        assertEquals(ApiCode.TICKET_GRANTED, api.handle(signed).code()); // the retry: the first answer again
        assertEquals(2, ledger.claims.size(), ledger.claims::toString);
        assertTrue(ledger.claims.get(0).startsWith("28:"), ledger.claims::toString);
        assertEquals(1, f.service.search(STEF, new TicketQuery(null, null, 100)).size());

        // A full ledger refuses a new mutating request, which then changes nothing.
        ledger.full = true;
        Map<String, Object> other = request();
        other.put("video", "another");
        assertEquals(ApiCode.SERVER_BUSY, api.handle(SevuClients.php(other, STEF.secret())).code());
        assertEquals(1, f.service.search(STEF, new TicketQuery(null, null, 100)).size());
        // A read-only command is never claimed.
        Map<String, Object> search = new LinkedHashMap<>();
        search.put("command", "sevu.search");
        search.put("api_key", STEF.apiKey());
        search.put("timestamp", f.clock.instant().getEpochSecond());
        search.put("cdn", 28);
        assertEquals(ApiCode.TICKETS_FOUND, api.handle(SevuClients.php(search, STEF.secret())).code());
        assertEquals(3, ledger.claims.size(), ledger.claims::toString);
    }

    @Test
    void aGroupGivenIsServedVerifiedCommandsOnceEach() {
        CountingGroup group = new CountingGroup();
        SevuApi api = new SevuApi(f.service, new AccountRegistry(List.of(STEF)), Duration.ofMinutes(5), f.clock,
                ReplayGuard.forOneNode(f.clock), List.of(group));
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", "sevu.publishlog");
        r.put("api_key", STEF.apiKey());
        r.put("timestamp", f.clock.instant().getEpochSecond());
        r.put("cdn", 28);
        r.put("app", "stef-chorigin");
        String signed = SevuClients.php(r, STEF.secret());
        assertEquals(ApiCode.PUBLISH_LOG_FOUND, api.handle(signed).code());
        assertEquals(ApiCode.PUBLISH_LOG_FOUND, api.handle(signed).code()); // mutating for this group: not run again
        assertEquals(Map.of("stef-chorigin", 1), group.runs);

        // Refused before the group sees it: a wrong signature, an unknown field.
        assertEquals(ApiCode.SIGNATURE_FAILED, api.handle(signed.replace("stef-chorigin", "stef-other")).code());
        r.put("video", "x");
        assertEquals(ApiCode.UNKNOWN_FIELD, api.handle(SevuClients.php(r, STEF.secret())).code());
        assertEquals(Map.of("stef-chorigin", 1), group.runs);
    }

    @Test
    void aGroupOutsideTheServedCommandsOrTwoGroupsForOneCommandStopTheAssembly() {
        CommandGroup stranger = new CountingGroup() {
            @Override
            public Commands commands() {
                return new Commands(Map.of("sevu.unheardof", Set.of()), Set.of());
            }
        };
        AccountRegistry accounts = new AccountRegistry(List.of(STEF));
        assertThrows(IllegalArgumentException.class, () -> new SevuApi(f.service, accounts, Duration.ofMinutes(5), f.clock,
                ReplayGuard.forOneNode(f.clock), List.of(stranger)));
        assertThrows(IllegalArgumentException.class, () -> new SevuApi(f.service, accounts, Duration.ofMinutes(5), f.clock,
                ReplayGuard.forOneNode(f.clock), List.of(new CountingGroup(), new CountingGroup())));
    }
}
