package dev.usher.core.api;

import dev.usher.core.account.AccountRegistry;
import dev.usher.core.decision.Reason;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.usher.core.testing.Fixture.STEF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ticket field {@code concurrent} (issue 16) on the API: an optional whole number of
 * {@code sevu.request} and of the v2 create, checked like {@code uses}, shown only on a ticket that
 * sets it, fixed once issued; its refusals appear in {@code sevu.errorlog}.
 */
class ConcurrentFieldTest {

    final Fixture f = new Fixture();
    final SevuApi api = new SevuApi(f.service, new AccountRegistry(List.of(STEF)), Duration.ofMinutes(5), f.clock);
    final SevuTokenResource v2 = new SevuTokenResource(f.service);

    private Map<String, Object> command(String name, Object... fields) {
        return SevuClients.command(STEF, f.clock.instant(), name, fields);
    }

    private String callText(Map<String, Object> request) {
        f.clock.advance(Duration.ofSeconds(1)); // a fresh timestamp: never a replay of the call before
        request.put("timestamp", f.clock.instant().getEpochSecond());
        return api.handle(SevuClients.php(request, STEF.secret())).json();
    }

    private Map<String, Object> call(Map<String, Object> request) throws Exception {
        return SevuApiTest.json(callText(request));
    }

    private Map<String, Object> request(Object concurrent) {
        Map<String, Object> r = command("sevu.request", "app", "stef-a", "video", "movie.mp4", "pass", "passpasspass",
                "ip", "0.0.0.0/0", "uses", 5, "expire", "+1 day");
        if (concurrent != null) {
            r.put("concurrent", concurrent);
        }
        return r;
    }

    @Test
    void sevuRequestAcceptsTheLimitAndEveryTicketObjectEchoesIt() throws Exception {
        Map<String, Object> granted = call(request(2));
        assertEquals(2002, SevuApiTest.code(granted), granted::toString);
        Map<?, ?> ticket = (Map<?, ?>) granted.get("ticket");
        assertEquals("2", ticket.get("concurrent"), "a string, like every value of the JSON commands' ticket");
        String key = (String) ticket.get("key");
        assertEquals(2, f.service.status(STEF, key).orElseThrow().concurrent());
        assertEquals("2", ((Map<?, ?>) call(command("sevu.status", "key", key)).get("ticket")).get("concurrent"));
        assertEquals("2", ((Map<?, ?>) call(command("sevu.revoke", "key", key)).get("ticket")).get("concurrent"));
        List<?> found = (List<?>) call(command("sevu.search", "video", "movie.mp4")).get("tickets");
        assertEquals("2", ((Map<?, ?>) found.get(0)).get("concurrent"));
    }

    @Test
    void aTicketWithoutTheLimitIsShownExactlyAsBefore() throws Exception {
        for (Object none : new Object[] {null, 0}) {
            String text = callText(request(none));
            assertFalse(text.contains("concurrent"), text);
            Map<String, Object> granted = SevuApiTest.json(text);
            assertEquals(2002, SevuApiTest.code(granted));
            String key = (String) ((Map<?, ?>) granted.get("ticket")).get("key");
            assertEquals(0, f.service.status(STEF, key).orElseThrow().concurrent());
            assertEquals(List.of("key", "pass", "ip", "video", "app", "created_date", "used_date", "uses", "active"),
                    List.copyOf(((Map<?, ?>) granted.get("ticket")).keySet()), "the ticket object's fields, in order");
            String status = callText(command("sevu.status", "key", key));
            assertFalse(status.contains("concurrent"), status);
            String token = v2.read(STEF, key, null).json();
            assertFalse(token.contains("concurrent"), token);
        }
    }

    @Test
    void aBadLimitIsRefusedLikeABadUsesAndStoresNothing() throws Exception {
        Object[][] cases = {
                {"2", ApiCode.INVALID_FIELD_TYPE},
                {new BigDecimal("1.5"), ApiCode.INVALID_FIELD_TYPE},
                {true, ApiCode.INVALID_FIELD_TYPE},
                {-1, ApiCode.INVALID_FIELD_VALUE},
                {99999999999L, ApiCode.INVALID_FIELD_VALUE},
        };
        for (Object[] c : cases) {
            Map<String, Object> refused = call(request(c[0]));
            assertEquals(((ApiCode) c[1]).code(), SevuApiTest.code(refused), c[0] + ": " + refused);
            assertEquals("failure", refused.get("status"));
        }
        assertTrue(f.service.search(STEF, new TicketQuery(null, null, 10)).isEmpty(), "nothing was issued");
    }

    @Test
    void theErrorlogShowsTheRefusalsReason() throws Exception {
        String key = (String) ((Map<?, ?>) call(request(1)).get("ticket")).get("key");
        assertTrue(f.service.authorize(Fixture.request(key, "passpasspass", "198.51.100.1", "stef-a", "movie.mp4")
                .withOtherViewers(() -> 0)).granted());
        assertEquals(Reason.TOO_MANY_PLAYBACKS, f.service.authorize(Fixture.request(key, "passpasspass", "198.51.100.2",
                "stef-a", "movie.mp4").withOtherViewers(() -> 1)).reason());
        Map<String, Object> log = call(command("sevu.errorlog", "key", key));
        assertEquals(2101, SevuApiTest.code(log), log::toString);
        List<?> attempts = (List<?>) log.get("attempts");
        Map<?, ?> last = (Map<?, ?>) attempts.get(attempts.size() - 1);
        assertEquals("Too many concurrent playbacks", last.get("reason"));
        assertEquals(new BigDecimal(0), last.get("success"));
        assertEquals("198.51.100.2", last.get("ip"));
        List<?> refusals = (List<?>) call(command("sevu.errorlog", "key", key, "success", 0)).get("attempts");
        assertEquals(1, refusals.size(), "the success filter finds it among the refusals");
    }

    private static Map<String, Object> token(Object concurrent) {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("pass", "passpasspass");
        in.put("ip", "0.0.0.0/0");
        in.put("video", "movie.mp4");
        in.put("app", "stef-a");
        in.put("uses", 5);
        if (concurrent != null) {
            in.put("concurrent", concurrent);
        }
        return in;
    }

    @Test
    void v2CreatesShowsAndKeepsTheLimit() throws Exception {
        SevuTokenResource.Response created = v2.create(STEF, Json.write(token(3)));
        assertEquals(201, created.status(), created.json());
        Map<String, Object> shown = SevuApiTest.json(created.json());
        assertEquals(new BigDecimal(3), shown.get("concurrent"), "a number, like uses");
        String key = (String) shown.get("key");
        Ticket t = f.service.status(STEF, key).orElseThrow();
        assertEquals(3, t.concurrent());
        Map<String, Object> read = SevuApiTest.json(v2.read(STEF, key, null).json());
        assertEquals(new BigDecimal(3), read.get("concurrent"));

        // Posted back as read it is accepted; a changed limit is refused like a changed uses.
        Map<String, Object> back = new LinkedHashMap<>(read);
        back.put("active", false);
        assertEquals(200, v2.update(STEF, key, Json.write(back)).status());
        back.put("concurrent", 4);
        SevuTokenResource.Response changed = v2.update(STEF, key, Json.write(back));
        assertEquals(400, changed.status());
        Map<String, Object> error = SevuApiTest.json(changed.json());
        assertEquals("ACCESS_VIOLATION", error.get("error"));
        assertEquals("concurrent", error.get("field"));
        assertEquals(3, f.service.status(STEF, key).orElseThrow().concurrent());

        // A ticket without the limit repeats it as 0.
        String plain = (String) SevuApiTest.json(v2.create(STEF, Json.write(token(null))).json()).get("key");
        assertEquals(200, v2.update(STEF, plain, Json.write(Map.of("concurrent", 0))).status());
    }

    @Test
    void v2RefusesABadLimit() throws Exception {
        for (Object[] c : new Object[][] {{"3", "TYPE_MISMATCH"}, {new BigDecimal("1.5"), "TYPE_MISMATCH"}, {-2, "INVALID_VALUE"}}) {
            SevuTokenResource.Response r = v2.create(STEF, Json.write(token(c[0])));
            assertEquals(400, r.status(), r.json());
            Map<String, Object> error = SevuApiTest.json(r.json());
            assertEquals(c[1], error.get("error"), c[0] + ": " + r.json());
            assertEquals("concurrent", error.get("field"));
        }
        assertTrue(f.service.search(STEF, new TicketQuery(null, null, 10)).isEmpty(), "nothing was issued");
    }
}
