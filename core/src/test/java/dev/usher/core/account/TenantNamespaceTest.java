package dev.usher.core.account;

import dev.usher.core.api.SevuApi;
import dev.usher.core.api.SevuClients;
import dev.usher.core.config.ConfigReader;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.Reason;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.rule.PatternList;
import dev.usher.core.service.FieldProblem;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.TicketRequestException;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.usher.core.testing.Fixture.DEMO;
import static dev.usher.core.testing.Fixture.STEF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One account's tickets can neither name nor open another account's applications. */
class TenantNamespaceTest {

    final Fixture f = new Fixture();
    final AccountRegistry accounts = new AccountRegistry(List.of(STEF, DEMO));
    /** The site's own issuing: a cdn id with no API account behind it. */
    static final Account SITE = new Account(0, "-", "-", "local");

    TenantNamespaceTest() {
        f.service.enforceNamespaces(new AppNamespaces(accounts));
    }

    Ticket issue(Account account, String app) {
        return f.service.issue(account, IssueRequest.of(app, "*", "passpasspass", "0.0.0.0/0", 5, "+1 day"));
    }

    void refused(Account account, String app) {
        TicketRequestException e = assertThrows(TicketRequestException.class, () -> issue(account, app), app);
        assertEquals(FieldProblem.Kind.APP_INVALID, e.first().kind(), e.getMessage());
        assertEquals("app", e.first().field());
    }

    @Test
    void everyIssueKeepsToTheAccountsNamespace() {
        issue(DEMO, "demo-vod");
        issue(DEMO, "demo-*|demo-live");
        refused(DEMO, "stef-chorigin");
        refused(DEMO, "demo-vod|stef-chorigin");
        refused(DEMO, "*");
        refused(DEMO, "demo*"); // would cover demox
        refused(DEMO, "*-vod");
        assertEquals(0, f.service.search(DEMO, new TicketQuery(null, null, 100)).size() - 2, "refusals store nothing");
    }

    @Test
    void aWidenedNamespaceAdmitsItsPatternsAndNoMore() {
        Account wide = new Account(158, DEMO.apiKey(), DEMO.secret(), "demo", PatternList.parse("apps", "demo-*|shared-*|exact"));
        f.service.enforceNamespaces(new AppNamespaces(new AccountRegistry(List.of(STEF, wide))));
        issue(wide, "shared-vod|exact|demo-x");
        issue(wide, "shared-*");
        refused(wide, "exactly");
        refused(wide, "stef-x");
    }

    @Test
    void theSitesOwnTicketsMayNameOnlyAppsNoApiAccountOwns() {
        issue(SITE, "site-vod");
        refused(SITE, "demo-vod");
        refused(SITE, "stef-chorigin");
        refused(SITE, "site-*"); // a pattern could reach into an account's apps
        // With no API account at all, the site's namespace is every app.
        f.service.enforceNamespaces(AppNamespaces.OPEN);
        issue(SITE, "demo-vod|*");
    }

    @Test
    void aTicketOpensOnlyItsOwnAccountsApps() {
        // Stored before namespaces were enforced (an older node, a narrowed namespace): "*" names every app.
        f.service.enforceNamespaces(AppNamespaces.OPEN);
        Ticket stef = issue(STEF, "*");
        Ticket site = issue(SITE, "*");
        f.service.enforceNamespaces(new AppNamespaces(accounts));

        Decision foreign = f.service.authorize(Fixture.request(stef.key(), stef.pass(), "1.2.3.4", "demo-vod", "v.mp4"));
        assertEquals(Reason.WRONG_APPLICATION, foreign.reason());
        assertEquals(5, f.service.status(STEF, stef.key()).orElseThrow().uses(), "a refusal consumes nothing");
        assertEquals(Reason.WRONG_APPLICATION,
                f.service.authorize(Fixture.request(site.key(), site.pass(), "1.2.3.4", "stef-live", "v.mp4")).reason());
        assertTrue(f.service.authorize(Fixture.request(stef.key(), stef.pass(), "1.2.3.4", "stef-live", "v.mp4")).granted());
        assertTrue(f.service.authorize(Fixture.request(site.key(), site.pass(), "1.2.3.4", "site-vod", "v.mp4")).granted());
    }

    @Test
    void sevuRequestForAnotherAccountsAppIsRefusedWith0001AndStoresNothing() throws Exception {
        SevuApi api = new SevuApi(f.service, accounts, Duration.ofMinutes(5), f.clock);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", "sevu.request");
        r.put("api_key", STEF.apiKey());
        r.put("timestamp", f.clock.instant().getEpochSecond());
        r.put("cdn", 28);
        r.put("app", "demo-vod");
        r.put("video", "*");
        r.put("pass", "unique_random_string_per_request");
        r.put("ip", "0.0.0.0/0");
        r.put("uses", 5);
        r.put("expire", "+1 day");
        String answer = api.handle(SevuClients.php(r, STEF.secret())).json();
        assertTrue(answer.contains("\"code\":1,") && answer.contains("\"field\":\"app\"") && answer.contains("failure"), answer);
        assertTrue(answer.contains("stef-*"), "the message names the namespace: " + answer);
        assertEquals(List.of(), f.service.search(STEF, new TicketQuery(null, null, 100)));
    }

    @Test
    void theNamespaceIsConfiguredPerAccount() {
        Map<String, String> keys = Map.of(
                "usher.account.5.api-key", "api-key-five", "usher.account.5.secret", "a-secret-of-account-5",
                "usher.account.5.username", "five", "usher.account.5.apps", "five-*|common",
                "usher.account.6.api-key", "api-key-six", "usher.account.6.secret", "a-secret-of-account-6",
                "usher.account.6.username", "six");
        ConfigReader config = new ConfigReader(k -> Optional.ofNullable(keys.get(k)));
        AccountRegistry read = AccountConfig.read(config, keys.keySet());
        assertEquals(List.of(), config.problems());
        assertTrue(read.byCdnId(5).orElseThrow().ownsApp("common"));
        assertFalse(read.byCdnId(5).orElseThrow().ownsApp("commons"));
        assertTrue(read.byCdnId(6).orElseThrow().ownsApp("six-vod"));
        assertFalse(read.byCdnId(6).orElseThrow().ownsApp("five-vod"));

        Map<String, String> bad = Map.of("usher.account.7.api-key", "api-key-seven", "usher.account.7.secret",
                "a-secret-of-account-7", "usher.account.7.username", "seven", "usher.account.7.apps", "seven-*||x");
        ConfigReader badConfig = new ConfigReader(k -> Optional.ofNullable(bad.get(k)));
        AccountConfig.read(badConfig, bad.keySet());
        assertTrue(badConfig.problems().stream().anyMatch(p -> p.contains("usher.account.7.apps")), badConfig.problems()::toString);
    }

    @Test
    void publishedSecretsAreRefusedAtStart() {
        for (String published : List.of("demo-secret-change-me-158", DEMO.secret(), STEF.secret())) {
            Map<String, String> keys = Map.of("usher.account.9.api-key", "api-key-nine", "usher.account.9.secret", published,
                    "usher.account.9.username", "nine");
            ConfigReader config = new ConfigReader(k -> Optional.ofNullable(keys.get(k)));
            assertTrue(AccountConfig.read(config, keys.keySet()).all().isEmpty());
            assertEquals(1, config.problems().size(), config.problems()::toString);
            assertTrue(config.problems().get(0).contains("usher.account.9.secret is a published value"), config.problems()::toString);
            assertFalse(config.problems().get(0).contains(published), "never the secret itself");
        }
    }
}
