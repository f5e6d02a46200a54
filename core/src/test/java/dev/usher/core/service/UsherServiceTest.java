package dev.usher.core.service;

import dev.usher.core.account.Account;
import dev.usher.core.attempt.Attempt;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import dev.usher.core.ticket.TicketKeys;
import dev.usher.core.rule.PatternList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static dev.usher.core.testing.Fixture.DEMO;
import static dev.usher.core.testing.Fixture.STEF;
import static dev.usher.core.testing.Fixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UsherServiceTest {

    private final Fixture f = new Fixture();

    private static IssueRequest req(String app, String video, String ip, Integer uses, String expire) {
        return new IssueRequest(app, video, "g63clVAI5wFPxY9vwVOJvw6L", ip, uses, expire, null, null);
    }

    @Test
    void issuesTheSeedTicket() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-chorigin", "mystream", "unique_random_string_per_request",
                "192.168.0.0/24", 5, "2021-08-25 01:16:39"));
        assertTrue(TicketKeys.looksLikeKey(t.key()), t.key());
        assertTrue(t.key().startsWith("mystream."), t.key());
        assertEquals(28, t.cdnId());
        assertEquals(5, t.uses());
        assertTrue(t.active());
        assertNull(t.usedDate());
        assertEquals(f.clock.instant(), t.created());
        assertEquals(Instant.parse("2021-08-25T01:16:39Z"), t.expires());
        assertEquals("0000-00-00 00:00:00", f.service.time().format(t.usedDate()));
        assertEquals("2021-08-20 12:00:00", f.service.time().format(t.created()));
    }

    @ParameterizedTest
    @CsvSource({
            "+30 seconds, PT30S", "+1 second, PT1S", "+5 minutes, PT5M", "+2 hours, PT2H", "+1 day, P1D",
            "+3 days, P3D", "+1 week, P7D", "+2 weeks, P14D", "'+ 90   seconds', PT90S"})
    void relativeExpiries(String expire, String duration) {
        Ticket t = f.service.issue(STEF, req("a", "v", "auto", 1, expire));
        assertEquals(f.clock.instant().plus(Duration.parse(duration)), t.expires());
    }

    @Test
    void defaultExpiryIsOneWeekAndExpiresIsASynonym() {
        assertEquals(f.clock.instant().plus(Duration.ofDays(7)), f.service.issue(STEF, req("a", "v", "auto", 1, null)).expires());
        Ticket viaExpires = f.service.issue(STEF, new IssueRequest("a", "v", "passpasspass", "auto", 1, null, "+1 hour", null));
        assertEquals(f.clock.instant().plus(Duration.ofHours(1)), viaExpires.expires());
        Ticket both = f.service.issue(STEF, new IssueRequest("a", "v", "passpasspass", "auto", 1, "+1 hour", "+1 hour", null));
        assertEquals(f.clock.instant().plus(Duration.ofHours(1)), both.expires());
        TicketRequestException e = assertThrows(TicketRequestException.class, () -> f.service.issue(STEF,
                new IssueRequest("a", "v", "passpasspass", "auto", 1, "+1 hour", "+2 hours", null)));
        assertEquals("expires", e.first().field());
    }

    @Test
    void absoluteExpiryIsReadInTheConfiguredZone() {
        Fixture paris = new Fixture(UsherSettings.defaults().withTimeZone(ZoneId.of("Europe/Paris")));
        Ticket t = paris.service.issue(STEF, req("a", "v", "auto", 1, "2021-08-25 01:16:39"));
        assertEquals(Instant.parse("2021-08-24T23:16:39Z"), t.expires());
        assertEquals("2021-08-25 01:16:39", paris.service.time().format(t.expires()));
    }

    @ParameterizedTest
    @CsvSource({
            "2021-08-19 00:00:00, not in the future", "+0 seconds, not in the future", "tomorrow, not a date",
            "+5 fortnights, unknown unit", "+x days, relative time", "2021-02-30 10:00:00, not a date",
            "2021-08-25 25:00:00, not a date", "+9999999 weeks, beyond the year 9999"})
    void badExpiriesAreRefusedByName(String expire, String message) {
        TicketRequestException e = assertThrows(TicketRequestException.class,
                () -> f.service.issue(STEF, req("a", "v", "auto", 1, expire)));
        assertEquals("expire", e.first().field());
        assertEquals(FieldProblem.Kind.INVALID_VALUE, e.first().kind());
        assertTrue(e.getMessage().contains(message), e.getMessage());
        assertEquals(List.of(), f.service.search(STEF, new TicketQuery(null, null, 10)), "nothing stored");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        TicketRequestException e = assertThrows(TicketRequestException.class, () -> f.service.issue(STEF,
                new IssueRequest(null, "a||b", "", "10.0.0.300|auto/99|10.0.0.0/8", 0, "soon", null, null)));
        Map<String, FieldProblem.Kind> byField = e.problems().stream()
                .collect(Collectors.toMap(FieldProblem::field, FieldProblem::kind));
        assertEquals(Map.of("app", FieldProblem.Kind.REQUIRED_FIELD, "video", FieldProblem.Kind.INVALID_VALUE,
                "pass", FieldProblem.Kind.REQUIRED_FIELD, "ip", FieldProblem.Kind.INVALID_VALUE,
                "uses", FieldProblem.Kind.INVALID_VALUE, "expire", FieldProblem.Kind.INVALID_VALUE), byField);
        String ipMessage = e.problems().stream().filter(p -> p.field().equals("ip")).findFirst().orElseThrow().message();
        assertTrue(ipMessage.contains("'10.0.0.300'") && ipMessage.contains("'auto/99'") && !ipMessage.contains("'10.0.0.0/8'"),
                ipMessage);
        assertThrows(TicketRequestException.class, () -> f.service.issue(STEF, req("a", "v", "auto", null, null)));
        assertThrows(TicketRequestException.class, () -> f.service.issue(STEF,
                new IssueRequest("a", "v", "pass\nword", "auto", 1, null, null, null)));
        assertThrows(TicketRequestException.class, () -> f.service.issue(STEF,
                new IssueRequest("a", "v", "p".repeat(257), "auto", 1, null, null, null)));
    }

    @Test
    void accountsSeeOnlyTheirOwnTickets() {
        Ticket t = f.service.issue(STEF, req("stef-a", "v", "auto", 1, null));
        assertTrue(f.service.status(STEF, t.key()).isPresent());
        assertTrue(f.service.status(DEMO, t.key()).isEmpty());
        assertTrue(f.service.revoke(DEMO, t.key()).isEmpty());
        assertTrue(f.service.update(DEMO, t.key(), new TicketUpdateRequest(false, null, null)).isEmpty());
        assertFalse(f.service.delete(DEMO, t.key()));
        assertTrue(f.service.errorlog(DEMO, t.key(), null).isEmpty());
        assertEquals(List.of(), f.service.search(DEMO, TicketQuery.byVideo("v")));
        assertTrue(f.service.status(STEF, t.key()).orElseThrow().active(), "untouched by the other account");
        assertEquals(List.of(t), f.service.search(STEF, TicketQuery.byVideo("v")));
    }

    @Test
    void revokeDeactivatesAndIsIdempotent() {
        Ticket t = f.service.issue(STEF, req("a", "v", "auto", 1, null));
        assertFalse(f.service.revoke(STEF, t.key()).orElseThrow().active());
        assertFalse(f.service.revoke(STEF, t.key()).orElseThrow().active());
        assertTrue(f.service.revoke(STEF, "nope").isEmpty());
    }

    @Test
    void updateChangesOnlyActiveAndExpiry() {
        Ticket t = f.service.issue(STEF, req("stef-a", "v", "auto/24|auto/24", 999, null));
        Ticket changed = f.service.update(STEF, t.key(), new TicketUpdateRequest(false, "2021-09-01 00:00:00", null)).orElseThrow();
        assertFalse(changed.active());
        assertEquals(Instant.parse("2021-09-01T00:00:00Z"), changed.expires());
        // Repeating fixed fields with their current values is fine (a client PUTting back what it read).
        Map<String, String> same = Map.of("pass", t.pass(), "ip", "auto/24|auto/24", "video", "v", "app", "stef-a",
                "uses", "999", "key", t.key(), "created_date", "2021-08-20 12:00:00", "used_date", "0000-00-00 00:00:00");
        assertTrue(f.service.update(STEF, t.key(), new TicketUpdateRequest(true, null, same)).orElseThrow().active());
        for (String field : List.of("pass", "ip", "video", "app", "uses", "key", "created_date", "used_date", "cdn_id")) {
            TicketRequestException e = assertThrows(TicketRequestException.class,
                    () -> f.service.update(STEF, t.key(), new TicketUpdateRequest(false, "+1 hour", Map.of(field, "1"))));
            assertEquals(FieldProblem.Kind.ACCESS_VIOLATION, e.first().kind(), field);
            assertEquals(field, e.first().field());
        }
        TicketRequestException unknown = assertThrows(TicketRequestException.class,
                () -> f.service.update(STEF, t.key(), new TicketUpdateRequest(null, null, Map.of("colour", "red"))));
        assertEquals(FieldProblem.Kind.UNKNOWN_FIELD, unknown.first().kind());
        assertThrows(TicketRequestException.class, () -> f.service.update(STEF, t.key(), new TicketUpdateRequest(null, "never", null)));
        Ticket now = f.service.status(STEF, t.key()).orElseThrow();
        assertTrue(now.active(), "refused updates changed nothing");
        assertEquals(Instant.parse("2021-09-01T00:00:00Z"), now.expires());
    }

    @Test
    void deleteRemovesTicketAndLog() {
        Ticket t = f.service.issue(STEF, req("a", "v", "auto", 1, null));
        f.service.authorize(request(t.key(), t.pass(), "1.2.3.4", "a", "v"));
        assertTrue(f.service.delete(STEF, t.key()));
        assertTrue(f.service.status(STEF, t.key()).isEmpty());
        assertTrue(f.service.errorlog(STEF, t.key(), null).isEmpty());
        assertEquals(List.of(), f.repository.attempts(t.key(), null, 10));
        assertFalse(f.service.delete(STEF, t.key()));
    }

    @Test
    void searchFindsTicketsThatAllowAVideo() {
        Ticket a = f.service.issue(STEF, req("a", "sestore3/username/set1/*", "auto", 1, null));
        f.clock.advance(Duration.ofSeconds(1));
        Ticket b = f.service.issue(STEF, req("a", "file1.mp4|file2.mp4", "auto", 1, null));
        f.clock.advance(Duration.ofSeconds(1));
        Ticket c = f.service.issue(STEF, req("a", "*", "auto", 1, null));
        assertEquals(List.of(c, a), f.service.search(STEF, TicketQuery.byVideo("sestore3/username/set1/x.mp4")));
        assertEquals(List.of(c, b), f.service.search(STEF, TicketQuery.byVideo("file2.mp4")));
        assertEquals(List.of(b), f.service.search(STEF, TicketQuery.byVideo("file1.mp4|file2.mp4")).stream()
                .filter(t -> t != c).toList());
        f.service.revoke(STEF, c.key());
        assertEquals(List.of(b), f.service.search(STEF, new TicketQuery("file2.mp4", true, 10)));
        assertEquals(List.of(c.key(), b.key(), a.key()), keys(f.service.search(STEF, new TicketQuery(null, null, 10))));
        assertEquals(List.of(c.key()), keys(f.service.search(STEF, new TicketQuery(null, null, 1))));
    }

    private static List<String> keys(List<Ticket> tickets) {
        return tickets.stream().map(Ticket::key).toList();
    }

    @Test
    void errorlogRefusesABadStarttime() {
        Ticket t = f.service.issue(STEF, req("a", "v", "auto", 1, null));
        TicketRequestException e = assertThrows(TicketRequestException.class, () -> f.service.errorlog(STEF, t.key(), "yesterday"));
        assertEquals("starttime", e.first().field());
        assertEquals(List.of(), f.service.errorlog(STEF, t.key(), "2014-09-16").orElseThrow());
    }

    @Test
    void theAttemptLogKeepsTheNewestEntries() {
        Fixture small = new Fixture(UsherSettings.defaults().withMaxAttemptsPerTicket(3));
        Ticket t = small.service.issue(STEF, req("a", "v", "auto", 1, null));
        for (int i = 0; i < 5; i++) {
            small.clock.advance(Duration.ofSeconds(1));
            // distinct clients: one client's repeated refusals are counted in one entry (issue 10)
            small.service.authorize(request(t.key(), "wrong" + i, "1.2.3." + i, "a", "v"));
        }
        List<Attempt> log = small.service.errorlog(STEF, t.key(), null).orElseThrow();
        assertEquals(3, log.size());
        assertEquals(small.clock.instant(), log.get(2).datetime());
        assertEquals(small.clock.instant().minusSeconds(2), log.get(0).datetime());
    }

    @Test
    void purgeForgetsOldAttemptsAndLongExpiredTickets() {
        Fixture shortLived = new Fixture(UsherSettings.defaults().withRetention(Duration.ofDays(1)));
        Ticket old = shortLived.service.issue(STEF, req("a", "v", "auto", 5, "+1 hour"));
        Ticket fresh = shortLived.service.issue(STEF, req("a", "v", "auto", 5, "+1 week"));
        shortLived.service.authorize(request(fresh.key(), "bad", "1.2.3.4", "a", "v"));
        shortLived.clock.advance(Duration.ofHours(20));
        assertEquals(0, shortLived.repository.purge(shortLived.clock.instant()), "expired less than the retention ago");
        shortLived.service.authorize(request(fresh.key(), "bad", "1.2.3.4", "a", "v"));
        shortLived.clock.advance(Duration.ofHours(6));
        assertEquals(1, shortLived.repository.purge(shortLived.clock.instant()));
        assertTrue(shortLived.service.status(STEF, old.key()).isEmpty());
        assertEquals(1, shortLived.service.errorlog(STEF, fresh.key(), null).orElseThrow().size());
        assertEquals(1, shortLived.repository.size());
    }

    @Test
    void appNamespaceRuleOfV2() {
        Account demo = DEMO;
        assertEquals(List.of(), demo.appsOutsideNamespace(PatternList.parse("app", "demo-*|demo-vod")));
        assertEquals(List.of("other-vod", "*"), demo.appsOutsideNamespace(PatternList.parse("app", "demo-live|other-vod|*")));
        assertFalse(demo.toString().contains(demo.secret()));
        assertTrue(demo.apiKeyMatches("APX4GKLM0RKQLSP2FBO1ROPKSSW47DZE"));
        assertFalse(demo.apiKeyMatches("APX4GKLM0RKQLSP2FBO1ROPKSSW47DZ"));
        assertFalse(demo.apiKeyMatches(null));
    }

    @Test
    void passesNeverReachToString() {
        Ticket t = f.service.issue(STEF, req("a", "v", "auto", 1, null));
        Set<String> texts = Set.of(t.toString(), request(t.key(), t.pass(), "1.2.3.4", "a", "v").toString(),
                IssueRequest.of("a", "v", t.pass(), "auto", 1, null).toString());
        texts.forEach(s -> assertFalse(s.contains(t.pass()), s));
    }
}
