package dev.usher.core.account;

import dev.usher.core.api.ApiCode;
import dev.usher.core.api.Json;
import dev.usher.core.api.SevuApi;
import dev.usher.core.api.SevuClients;
import dev.usher.core.config.ConfigReader;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.testing.Fixture;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code usher.account.<cdn>.commands}: 0005 Unauthorized Access to API for a command outside it. */
class AccountCommandsTest {

    static final String SECRET = "a-test-secret-of-this-class-only";

    static ConfigReader config(Map<String, String> values) {
        return new ConfigReader(k -> Optional.ofNullable(values.get(k)));
    }

    static Map<String, String> account(String commands) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("usher.account.7.api-key", "READONLYKEY0001");
        m.put("usher.account.7.secret", SECRET);
        m.put("usher.account.7.username", "watch");
        if (commands != null) {
            m.put("usher.account.7.commands", commands);
        }
        return m;
    }

    @Test
    void theListIsReadAndEveryBadEntryIsListed() {
        ConfigReader fine = config(account(" sevu.status | sevu.errorlog|sevu.search "));
        Account a = AccountConfig.read(fine, account("x").keySet()).byCdnId(7).orElseThrow();
        assertEquals(List.of(), fine.problems());
        assertEquals(Set.of("sevu.status", "sevu.errorlog", "sevu.search"), a.commands());
        assertTrue(a.mayRun("sevu.status") && !a.mayRun("sevu.request") && !a.mayRun("sevu.revoke"));

        ConfigReader all = config(account(null));
        Account every = AccountConfig.read(all, account(null).keySet()).byCdnId(7).orElseThrow();
        assertNull(every.commands(), "by default every command");
        assertTrue(AccountConfig.COMMANDS.stream().allMatch(every::mayRun));

        ConfigReader bad = config(account("sevu.status|sevu.reqest||*"));
        AccountConfig.read(bad, account("x").keySet());
        assertEquals(3, bad.problems().size(), bad.problems()::toString);
        assertTrue(bad.problems().get(0).contains("'sevu.reqest' is not a command"), bad.problems()::toString);
        assertTrue(bad.problems().get(1).contains("'' is not a command"), bad.problems()::toString);
        assertTrue(bad.problems().get(2).contains("'*' is not a command"), bad.problems()::toString);
    }

    @Test
    void theConfigurableCommandsAreTheApisCommands() {
        assertEquals(SevuApi.commands(), AccountConfig.COMMANDS);
    }

    @Test
    void aSignedValidCommandOutsideTheListIsAnswered0005AndChangesNothing() throws Exception {
        Fixture f = new Fixture();
        Account watch = AccountConfig.read(config(account("sevu.status|sevu.search")), account("x").keySet())
                .byCdnId(7).orElseThrow();
        SevuApi api = new SevuApi(f.service, new AccountRegistry(List.of(watch)), Duration.ofMinutes(5), f.clock);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", "sevu.request");
        r.put("api_key", watch.apiKey());
        r.put("timestamp", f.clock.instant().getEpochSecond());
        r.put("cdn", 7);
        r.put("app", "watch-vod");
        r.put("video", "a.mp4");
        r.put("pass", "passpasspass");
        r.put("ip", "auto");
        r.put("uses", 1);
        r.put("expire", "+1 hour");
        SevuApi.Answer refused = api.handle(SevuClients.php(r, SECRET));
        assertEquals(ApiCode.UNAUTHORIZED, refused.code(), refused.json());
        assertEquals(5, ((Number) refused.body().get("code")).intValue());
        assertEquals("Unauthorized Access to API: account 7 may not run sevu.request", refused.body().get("message"));
        assertEquals("command", refused.body().get("field"));
        assertEquals(0, f.service.search(watch, new TicketQuery(null, null, 10)).size(), "no ticket");

        Map<String, Object> status = new LinkedHashMap<>();
        status.put("command", "sevu.status");
        status.put("api_key", watch.apiKey());
        status.put("timestamp", f.clock.instant().getEpochSecond());
        status.put("cdn", 7);
        status.put("key", "nope");
        assertEquals(ApiCode.TICKET_NOT_FOUND, api.handle(SevuClients.php(status, SECRET)).code(), "an allowed command runs");
        // The Java example's search (empty command) is sevu.search, allowed here.
        Map<String, Object> search = new LinkedHashMap<>(status);
        search.remove("key");
        search.put("command", "");
        search.put("video", "a.mp4");
        assertEquals(ApiCode.TICKETS_FOUND, api.handle(SevuClients.php(search, SECRET)).code());
        // A bad signature is still 0003, not 0005: only a signed request learns what it may not do.
        String forged = SevuClients.php(r, "another-secret-of-16-chars");
        assertEquals(ApiCode.SIGNATURE_FAILED, api.handle(forged).code());
        assertTrue(Json.write(refused.body()).contains("\"status\":\"failure\""));
    }
}
