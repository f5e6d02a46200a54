package dev.usher.core.api;

import dev.usher.core.account.AccountRegistry;
import dev.usher.core.attempt.Attempt;
import dev.usher.core.testing.Fixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.usher.core.testing.Fixture.STEF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * {@code sevu.errorlog} takes every field the seeds' Java example sends ({@code pass}, {@code ip},
 * {@code video}, {@code app}, {@code success}, {@code seek}, {@code limit}; issue 11 item 4), and
 * {@code pass} picks the attempts that carried that pass, by a keyed fingerprint, never the pass.
 */
class ErrorlogPassTest {

    static final String PASS = "unique_random_string_per_request";
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

    private List<?> log(String key, Object... fields) throws Exception {
        Object[] all = new Object[fields.length + 2];
        all[0] = "key";
        all[1] = key;
        System.arraycopy(fields, 0, all, 2, fields.length);
        f.clock.advance(Duration.ofSeconds(1)); // a new timestamp: a new request each time
        Map<String, Object> answer = call(command("sevu.errorlog", all));
        int code = ((Number) answer.get("code")).intValue();
        assertEquals(true, code == 2100 || code == 2101, answer::toString);
        return (List<?>) answer.get("attempts");
    }

    @Test
    void passPicksTheAttemptsThatCarriedItAndEveryOtherFieldFilters() throws Exception {
        Map<String, Object> issued = call(command("sevu.request", "app", "stef-chorigin", "video", "mystream*",
                "pass", PASS, "ip", "0.0.0.0/0", "uses", 5, "expire", "+1 day"));
        String key = (String) ((Map<?, ?>) issued.get("ticket")).get("key");
        f.service.authorize(Fixture.request(key, PASS, "192.168.0.5", "stef-chorigin", "mystream"));
        f.clock.advance(Duration.ofSeconds(1));
        f.service.authorize(Fixture.request(key, "guess-one", "203.0.113.7", "stef-chorigin", "mystream"));
        f.clock.advance(Duration.ofSeconds(1));
        f.service.authorize(Fixture.request(key, "guess-two", "203.0.113.8", "stef-chorigin", "mystream_hd"));
        f.clock.advance(Duration.ofSeconds(1));
        f.service.authorize(Fixture.request(key, "", "203.0.113.9", "stef-chorigin", "mystream"));

        assertEquals(4, log(key).size());
        List<?> right = log(key, "pass", PASS);
        assertEquals(1, right.size(), right::toString);
        assertEquals("192.168.0.5", ((Map<?, ?>) right.get(0)).get("ip"));
        List<?> one = log(key, "pass", "guess-one");
        assertEquals(1, one.size(), one::toString);
        assertEquals("203.0.113.7", ((Map<?, ?>) one.get(0)).get("ip"));
        assertEquals(0, log(key, "pass", "never-tried").size());
        List<?> none = log(key, "pass", "");
        assertEquals(1, none.size(), none::toString);
        assertEquals("203.0.113.9", ((Map<?, ?>) none.get(0)).get("ip"));

        // Every field of the Java example at once, each filtering: the seed's commented lines.
        List<?> all = log(key, "pass", PASS, "ip", "192.168.0.5", "video", "mystream", "app", "stef-chorigin",
                "success", 1, "seek", 0, "limit", 100);
        assertEquals(1, all.size(), all::toString);
        assertEquals(0, log(key, "pass", PASS, "success", 0).size());
        assertEquals(1, log(key, "video", "mystream_hd").size());
        assertEquals(0, log(key, "app", "stef-other").size());
        assertEquals(3, log(key, "success", 0).size());
        assertEquals(2, log(key, "success", 0, "seek", 1).size());
        assertEquals(1, log(key, "success", 0, "seek", 1, "limit", 1).size());
        assertEquals("203.0.113.8", ((Map<?, ?>) log(key, "success", 0, "seek", 1, "limit", 1).get(0)).get("ip"));

        // What is stored is a fingerprint: neither the pass nor anything in the answers shows it.
        for (Attempt a : f.repository.attempts(key, null, 100)) {
            assertFalse(a.passFingerprint().contains("guess") || a.passFingerprint().contains(PASS), a.passFingerprint());
        }
        assertFalse(Json.write(log(key)).contains("guess-one"), "no entry shows a carried pass");
        Map<String, Object> typed = call(command("sevu.errorlog", "key", key, "pass", 5));
        assertEquals(8, ((Number) typed.get("code")).intValue(), typed::toString);
    }
}
