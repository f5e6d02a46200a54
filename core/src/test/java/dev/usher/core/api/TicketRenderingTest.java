package dev.usher.core.api;

import dev.usher.core.account.AccountRegistry;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.usher.core.testing.Fixture.STEF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One rendering of a ticket for the JSON commands and v2 (issue 13 item 3), with their documented
 * differences (issue 11 items 3, 6, 7), and the v2 update comparing against that same rendering.
 */
class TicketRenderingTest {

    final Fixture f = new Fixture();
    final SevuApi api = new SevuApi(f.service, new AccountRegistry(List.of(STEF)), Duration.ofMinutes(5), f.clock);
    final SevuTokenResource v2 = new SevuTokenResource(f.service);

    Ticket boundAndUsedTwice() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-a", "v|w", "passpasspass", "auto/24|auto/24", 5, "+1 day"));
        assertTrue(f.service.authorize(Fixture.request(t.key(), t.pass(), "192.0.2.77", "stef-a", "v")).granted());
        f.clock.advance(Duration.ofMinutes(3));
        assertTrue(f.service.authorize(Fixture.request(t.key(), t.pass(), "192.0.2.78", "stef-a", "w")).granted());
        return t;
    }

    Map<String, Object> command(String name, String key) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", name);
        r.put("api_key", STEF.apiKey());
        r.put("timestamp", f.clock.instant().getEpochSecond());
        r.put("cdn", 28);
        r.put("key", key);
        return SevuApiTest.json(api.handle(SevuClients.php(r, STEF.secret())).json());
    }

    @Test
    void theJsonCommandsShowTheBindingAndTheFirstUse() throws Exception {
        Ticket t = boundAndUsedTwice();
        Map<?, ?> shown = (Map<?, ?>) command("sevu.status", t.key()).get("ticket");
        assertEquals("192.0.2.0/24|auto/24", shown.get("ip"), "one binding: the second client is in the first's /24");
        assertEquals("2021-08-20 12:00:00", shown.get("used_date"), "the first use");
        assertEquals("3", shown.get("uses"));
    }

    @Test
    void v2ShowsItsNumberTheBindingAndTheLastUse() throws Exception {
        Ticket t = boundAndUsedTwice();
        Map<?, ?> token = SevuApiTest.json(v2.read(STEF, t.key(), null).json());
        assertEquals(new java.math.BigDecimal(t.id()), token.get("id"));
        assertTrue(t.id() > 0);
        assertEquals("192.0.2.0/24|auto/24", token.get("ip"));
        assertEquals("2021-08-20 12:03:00", token.get("used_date"), "the last use");
    }

    @Test
    void aV2ObjectPostedBackAsReadIsAcceptedAndAChangedOneRefused() throws Exception {
        Ticket t = boundAndUsedTwice();
        Map<String, Object> token = SevuApiTest.json(v2.read(STEF, t.key(), null).json());
        Map<String, Object> back = new LinkedHashMap<>(token);
        back.put("active", false);
        SevuTokenResource.Response accepted = v2.update(STEF, t.key(), Json.write(back));
        assertEquals(200, accepted.status(), accepted.json());
        assertEquals(back, SevuApiTest.json(accepted.json()));
        for (String field : List.of("id", "ip", "used_date", "uses", "cdn_id", "created_date")) {
            Map<String, Object> changed = new LinkedHashMap<>(token);
            changed.put(field, field.equals("id") || field.equals("uses") ? (Object) 12345 : "1999-01-01 00:00:00");
            SevuTokenResource.Response refused = v2.update(STEF, t.key(), Json.write(changed));
            assertEquals(400, refused.status(), field);
            Map<String, Object> error = SevuApiTest.json(refused.json());
            assertEquals("ACCESS_VIOLATION", error.get("error"), field);
            assertEquals(field, error.get("field"));
        }
        // The JSON commands' first-use used_date is not v2's: posting it back is a change.
        Map<String, Object> firstUse = new LinkedHashMap<>(token);
        firstUse.put("used_date", "2021-08-20 12:00:00");
        assertEquals(400, v2.update(STEF, t.key(), Json.write(firstUse)).status());
    }
}
