package dev.usher.core.api;

import dev.usher.core.account.AccountRegistry;
import dev.usher.core.decision.Decision;
import dev.usher.core.testing.Fixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.usher.core.testing.Fixture.STEF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sevu.errorlog} keeps the seed's entry shape, and adds {@code count} and
 * {@code not_served} only to the entries that need them (issue 10, items 6 and 7).
 */
class ErrorlogAdditionsTest {

    final Fixture f = new Fixture();
    final SevuApi api = new SevuApi(f.service, new AccountRegistry(List.of(STEF)), Duration.ofMinutes(5), f.clock);

    private Map<String, Object> command(String name, Object... fields) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", name);
        r.put("api_key", STEF.apiKey());
        r.put("timestamp", f.clock.instant().getEpochSecond());
        r.put("cdn", 28);
        for (int i = 0; i < fields.length; i += 2) {
            r.put((String) fields[i], fields[i + 1]);
        }
        return r;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> call(Map<String, Object> request) throws Exception {
        return (Map<String, Object>) Json.parse(api.handle(SevuClients.php(request, STEF.secret())).json());
    }

    @Test
    void repeatedRefusalsShowTheirCountAndAnUnservedGrantItsStatus() throws Exception {
        Map<String, Object> issued = call(command("sevu.request", "app", "stef-chorigin", "video", "mystream",
                "pass", "unique_random_string_per_request", "ip", "auto", "uses", 1, "expire", "+1 day"));
        String key = (String) ((Map<?, ?>) issued.get("ticket")).get("key");
        Decision grant = f.service.authorize(Fixture.request(key, "unique_random_string_per_request", "192.168.0.5",
                "stef-chorigin", "mystream"));
        assertTrue(f.service.release(grant, 404));
        for (int i = 0; i < 1500; i++) {
            f.service.authorize(Fixture.request(key, "wrong", "203.0.113.7", "stef-chorigin", "mystream"));
        }
        f.clock.advance(Duration.ofSeconds(1));
        f.service.authorize(Fixture.request(key, "unique_random_string_per_request", "192.168.0.5", "stef-chorigin", "mystream"));

        List<?> attempts = (List<?>) call(command("sevu.errorlog", "key", key)).get("attempts");
        assertEquals(3, attempts.size(), attempts::toString);
        Map<?, ?> unserved = (Map<?, ?>) attempts.get(0);
        Map<?, ?> flood = (Map<?, ?>) attempts.get(1);
        Map<?, ?> served = (Map<?, ?>) attempts.get(2);
        List<String> seed = List.of("key", "datetime", "ip", "video", "app", "appinst", "pageurl", "refurl", "success",
                "reason", "server");
        assertEquals(seed, new ArrayList<>(served.keySet()), "an ordinary entry has the seed's fields only");
        assertEquals(1, ((Number) unserved.get("success")).intValue());
        assertEquals(404, ((Number) unserved.get("not_served")).intValue());
        assertEquals(1500, ((Number) flood.get("count")).intValue());
        assertEquals("Invalid Auth Token", flood.get("reason"));
        assertEquals(1, ((Number) served.get("success")).intValue());
    }
}
