package dev.usher.core.api;

import dev.usher.core.account.AccountRegistry;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.repository.jdbc.JdbcOptions;
import dev.usher.core.repository.jdbc.JdbcTicketRepository;
import dev.usher.core.service.UsherService;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.TicketKeys;
import dev.usher.testing.MutableClock;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The replay ledger outlives the last instant the timestamp check still accepts. */
class ReplayWindowTest {

    @Test
    void aReplayInTheLastSecondOfTheWindowIsRefusedEvenAfterAPurge() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:replay-window;DB_CLOSE_DELAY=-1");
        UsherSettings settings = UsherSettings.defaults();
        JdbcTicketRepository repository = new JdbcTicketRepository(ds, settings,
                JdbcOptions.defaults().withCreateSchema(true).withPurgeInterval(Duration.ofNanos(1)));
        Instant signedAt = Instant.parse("2021-08-20T12:00:00Z");
        MutableClock clock = new MutableClock(signedAt.plusMillis(300_500)); // 300.5 s: still accepted
        UsherService service = new UsherService(repository, settings, clock, new TicketKeys());
        SevuApi api = new SevuApi(service, new AccountRegistry(List.of(Fixture.STEF)), Duration.ofMinutes(5), clock);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", "sevu.request");
        r.put("api_key", Fixture.STEF.apiKey());
        r.put("timestamp", signedAt.getEpochSecond());
        r.put("cdn", 28);
        r.put("app", "stef-chorigin");
        r.put("video", "mystream");
        r.put("pass", "passpasspass");
        r.put("ip", "auto");
        r.put("uses", 5);
        r.put("expire", "+1 day");
        String signed = SevuClients.php(r, Fixture.STEF.secret());
        SevuApi.Answer first = api.handle(signed); // its insert purges the ledger
        assertEquals(ApiCode.TICKET_GRANTED, first.code());
        // Issue 11: the retry gets the first answer (was 0013), and still no second ticket.
        SevuApi.Answer again = api.handle(signed);
        assertEquals(ApiCode.TICKET_GRANTED, again.code());
        assertEquals(key(first), key(again));
        assertEquals(1, service.search(Fixture.STEF, new TicketQuery(null, null, 100)).size());
    }

    @Test
    void aRequestClaimedByANodeThatNeverAnsweredIsNotCarriedOutAgain() throws Exception {
        // A node that claimed the request and stopped before its answer (killed mid-command): every
        // copy, on any node, is told to retry (0013) instead of making a second ticket.
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:replay-claimed;DB_CLOSE_DELAY=-1");
        UsherSettings settings = UsherSettings.defaults();
        JdbcTicketRepository repository = new JdbcTicketRepository(ds, settings,
                JdbcOptions.defaults().withCreateSchema(true));
        Instant signedAt = Instant.parse("2021-08-20T12:00:00Z");
        MutableClock clock = new MutableClock(signedAt.plusSeconds(1));
        UsherService service = new UsherService(repository, settings, clock, new TicketKeys());
        SevuApi api = new SevuApi(service, new AccountRegistry(List.of(Fixture.STEF)), Duration.ofMinutes(5), clock);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", "sevu.request");
        r.put("api_key", Fixture.STEF.apiKey());
        r.put("timestamp", signedAt.getEpochSecond());
        r.put("cdn", 28);
        r.put("app", "stef-chorigin");
        r.put("video", "mystream");
        r.put("pass", "passpasspass");
        r.put("ip", "auto");
        r.put("uses", 5);
        r.put("expire", "+1 day");
        String signed = SevuClients.php(r, Fixture.STEF.secret());
        String signature = (String) ((Map<?, ?>) Json.parse(signed)).get("signature");
        assertEquals(dev.usher.core.repository.ReplayLedger.Claim.FIRST,
                repository.claim("28:" + signature, signedAt.plusSeconds(301)), "the node that stopped");
        SevuApi.Answer retry = api.handle(signed);
        assertEquals(ApiCode.REQUEST_IN_PROGRESS, retry.code(), retry.json());
        assertEquals(0, service.search(Fixture.STEF, new TicketQuery(null, null, 100)).size(), "not carried out");
    }

    @SuppressWarnings("unchecked")
    private static Object key(SevuApi.Answer a) {
        return ((Map<String, Object>) a.body().get("ticket")).get("key");
    }
}
