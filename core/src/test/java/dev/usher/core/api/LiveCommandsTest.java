package dev.usher.core.api;

import dev.usher.core.account.AccountRegistry;
import dev.usher.core.live.InMemoryStreamUserStore;
import dev.usher.core.live.LiveSettings;
import dev.usher.core.live.PublisherLog;
import dev.usher.core.live.StreamUsers;
import dev.usher.core.testing.Fixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.usher.core.testing.Fixture.DEMO;
import static dev.usher.core.testing.Fixture.STEF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiveCommandsTest {

    final Fixture f = new Fixture();
    final StreamUsers users = new StreamUsers(new InMemoryStreamUserStore(), LiveSettings.defaults().withMaxStreamUsers(2), f.clock);
    final PublisherLog log = new PublisherLog(100);
    final SevuApi api = new SevuApi(f.service, new AccountRegistry(List.of(STEF, DEMO)), Duration.ofMinutes(5), f.clock,
            new LiveCommands(users, log, f.service.time()));

    /** Seed 004's request as its PHP example builds it. */
    Map<String, Object> seed() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", "sevu.addstreamuser");
        r.put("api_key", DEMO.apiKey());
        r.put("timestamp", f.clock.instant().getEpochSecond());
        r.put("cdn", 158);
        r.put("app", "demo-origin");
        r.put("stream", "mystream");
        r.put("user", "username_1");
        r.put("pass", "unique_random_string_per_request");
        r.put("record", true);
        r.put("record_type", "stream");
        r.put("segment_type", "size");
        r.put("segment_value", 15);
        r.put("save_folder", "stream_folder");
        r.put("playlist_count", 6);
        r.put("playlist_timeout", 600);
        r.put("enable_dvr", true);
        r.put("ga_key", "");
        return r;
    }

    Map<String, Object> with(String field, Object value) {
        Map<String, Object> r = seed();
        r.put(field, value);
        return r;
    }

    Map<String, Object> command(String name, Object... fields) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", name);
        r.put("api_key", DEMO.apiKey());
        r.put("timestamp", f.clock.instant().getEpochSecond());
        r.put("cdn", 158);
        for (int i = 0; i < fields.length; i += 2) {
            r.put((String) fields[i], fields[i + 1]);
        }
        return r;
    }

    Map<String, Object> call(Map<String, Object> request) throws Exception {
        f.clock.advance(Duration.ofSeconds(1)); // a fresh timestamp, so no call is a replay of another
        request.put("timestamp", f.clock.instant().getEpochSecond());
        return SevuApiTest.json(api.handle(SevuClients.php(request, DEMO.secret())).json());
    }

    static int code(Map<String, Object> a) {
        return ((Number) a.get("code")).intValue();
    }

    @Test
    void theSeedRequestAddsTheStreamUserWithTheDocumentedAnswer() throws Exception {
        Map<String, Object> a = call(seed());
        assertEquals(2071, code(a), a::toString);
        assertEquals("Stream User Added", a.get("message"));
        assertEquals("success", a.get("status"));
        assertEquals(List.of("code", "message", "status", "handle_time"), List.copyOf(a.keySet()));
        assertTrue(users.authenticate("demo-origin", "mystream", "username_1", "unique_random_string_per_request").granted());
    }

    @Test
    void theDocumentedCodes() throws Exception {
        assertEquals(9, code(call(with("segment_type", "weekly"))));
        Map<String, Object> a = call(with("segment_value", 0));
        assertEquals(10, code(a));
        assertEquals("Segments of Duration and Size require a value greater than 0.: segment_value must be greater than 0", a.get("message"));
        Map<String, Object> cron = with("segment_type", "schedule");
        cron.put("segment_value", "0 0 30 2 *");
        assertEquals(11, code(call(cron)), "never fires");
        cron.put("segment_value", "*/15 * * * *");
        assertEquals(2071, code(call(cron)));
        Map<String, Object> bad = call(with("playlist_timeout", 30));
        assertEquals(2070, code(bad));
        assertEquals("failure", bad.get("status"));
        assertTrue(((String) bad.get("message")).contains("playlist_timeout is between 60 and 1200"), bad::toString);
        assertEquals(2070, code(call(with("user", null))), "open publishing is off by default");
        assertEquals(8, code(call(with("playlist_count", "6"))));
        Map<String, Object> missing = seed();
        missing.remove("pass");
        assertEquals(6, code(call(missing)));
        assertEquals(14, code(call(with("colour", "red"))));
    }

    @Test
    void theLimitIs2072AndASecondCallReplaces() throws Exception {
        assertEquals(2071, code(call(seed())));
        assertEquals(2071, code(call(with("pass", "another_password_2"))));
        assertEquals(2071, code(call(with("stream", "second"))));
        Map<String, Object> over = call(with("stream", "third"));
        assertEquals(2072, code(over), over::toString);
        assertEquals("failure", over.get("status"));
        Map<String, Object> listed = call(command("sevu.liststreamusers"));
        assertEquals(2073, code(listed));
        List<?> rows = (List<?>) listed.get("stream_users");
        assertEquals(2, rows.size());
        Map<?, ?> first = (Map<?, ?>) rows.get(0);
        assertEquals("demo-origin", first.get("app"));
        assertEquals("mystream", first.get("stream"));
        assertEquals(6, ((Number) first.get("playlist_count")).intValue());
        assertFalse(listed.toString().contains("another_password_2"));
        assertFalse(listed.toString().contains("v1$"), "no hash either");
    }

    @Test
    void removeThenNotFound() throws Exception {
        call(seed());
        assertEquals(2074, code(call(command("sevu.removestreamuser", "app", "demo-origin", "stream", "mystream"))));
        Map<String, Object> again = call(command("sevu.removestreamuser", "app", "demo-origin", "stream", "mystream"));
        assertEquals(2075, code(again));
        assertEquals("failure", again.get("status"));
        assertFalse(users.authenticate("demo-origin", "mystream", "username_1", "unique_random_string_per_request").granted());
    }

    @Test
    void aReplayedAddGetsTheFirstAnswerAndChangesNothing() throws Exception {
        // Idempotent retry (issue 11): the copy is answered as the first was, and carried out never again.
        Map<String, Object> r = seed();
        String signed = SevuClients.php(r, DEMO.secret());
        assertEquals(2071, code(SevuApiTest.json(api.handle(signed).json())));
        users.remove(158, "demo-origin", "mystream");
        assertEquals(2071, code(SevuApiTest.json(api.handle(signed).json())));
        assertTrue(users.list(158, null).isEmpty(), "the copy added no stream user");
    }

    @Test
    void anAppOutsideTheAccountsNamespaceIsRefusedWith0001() throws Exception {
        Map<String, Object> a = call(with("app", "other-origin"));
        assertEquals(1, code(a));
        assertTrue(users.list(158, null).isEmpty());
    }

    @Test
    void thePublisherLogShowsOnlyTheAccountsApps() throws Exception {
        call(seed());
        Instant t = f.clock.instant();
        log.add(new PublisherLog.Entry(t, "demo-origin", "mystream", "playlist0.ts", "PUT", 401, "127.0.0.1", "x", "wrong user or password"));
        log.add(new PublisherLog.Entry(t, "someone-else", "s", "a.ts", "PUT", 401, "127.0.0.1", null, "no credentials"));
        Map<String, Object> a = call(command("sevu.publishlog"));
        assertEquals(2076, code(a), a::toString);
        List<?> entries = (List<?>) a.get("entries");
        assertEquals(1, entries.size());
        assertEquals(401, ((Number) ((Map<?, ?>) entries.get(0)).get("status")).intValue());
        assertEquals("wrong user or password", ((Map<?, ?>) entries.get(0)).get("reason"));
    }

    @Test
    void withoutLiveTheCommandsAreUnknown() throws Exception {
        SevuApi plain = new SevuApi(f.service, new AccountRegistry(List.of(DEMO)), Duration.ofMinutes(5), f.clock);
        assertEquals(0, code(SevuApiTest.json(plain.handle(SevuClients.php(seed(), DEMO.secret())).json())));
    }
}
