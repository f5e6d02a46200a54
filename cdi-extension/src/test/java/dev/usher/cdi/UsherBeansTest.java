package dev.usher.cdi;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.config.UsherConfigurationException;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.net.IpAddress;
import dev.usher.core.repository.InMemoryTicketRepository;
import dev.usher.core.repository.TicketChange;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.repository.TicketRepository;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;
import dev.usher.testing.DemoAccount;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Alternative;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UsherBeansTest {

    static final Map<String, String> CONFIG = Map.of(
            "usher.account.158.api-key", DemoAccount.DEMO.apiKey(),
            "usher.account.158.secret", java.util.UUID.randomUUID().toString(), // never a committed (published) secret
            "usher.account.158.username", "demo",
            "usher.issue.uses", "2",
            "usher.issue.ip", "auto");

    static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new java.security.SecureRandom().nextBytes(b);
        return b;
    }

    /** Records every event the beans fire. */
    @ApplicationScoped
    public static class Observer {
        static final List<Object> seen = new CopyOnWriteArrayList<>();

        void issued(@Observes TicketIssued e) {
            seen.add(e);
        }

        void decided(@Observes PlaybackDecided e) {
            seen.add(e);
        }

        void recording(@Observes RecordingEvent e) {
            seen.add(e);
        }

        void diskLow(@Observes DiskLow e) {
            seen.add(e);
        }
    }

    @Test
    void recordingsAndALowDiskAreCdiEvents() {
        Observer.seen.clear();
        try (WeldTestContainer weld = new WeldTestContainer(CONFIG, Observer.class)) {
            var live = weld.get(dev.usher.servlet.UsherRuntime.class).live();
            var r = new dev.usher.core.live.record.Recording("demo-live", "cam", "cam-2026-12-01_10-00", "shows/cam-2026-12-01_10-00",
                    java.time.Instant.EPOCH, java.time.Instant.EPOCH.plusSeconds(4), java.time.Duration.ofSeconds(4), 1000, 2, true, false);
            live.recordingListeners().started(r);
            live.recordingListeners().finished(r);
            live.diskLow("demo-live", "cam", 5);
            assertEquals(List.of(new RecordingEvent(RecordingEvent.Kind.STARTED, r), new RecordingEvent(RecordingEvent.Kind.FINISHED, r),
                    new DiskLow("demo-live", "cam", 5, live.settings().minFreeBytes())), Observer.seen);
        }
    }

    @Test
    void issuesToTheSignedInUserWithConfiguredDefaults() {
        try (WeldTestContainer weld = new WeldTestContainer(CONFIG)) {
            WeldTestContainer.user = "alice";
            UsherTickets usher = weld.get(UsherTickets.class);
            PlaybackUrl url = usher.issue("demo-vod", "hls ts/master.m3u8");
            Ticket t = url.ticket();
            assertEquals("hls ts", t.video().text(), "a manifest's video is its folder");
            assertEquals("demo-vod", t.app().text());
            assertEquals(2, t.uses());
            assertEquals("auto", t.ip().text());
            assertEquals(158, t.cdnId(), "issued under the first configured account");
            assertTrue(t.pass().startsWith("alice|") && t.pass().length() > 20, t.pass());
            assertTrue(url.url().startsWith("/site/media/demo-vod/hls%20ts/master.m3u8?key=" + t.key() + "&pass=alice%7C"), url.url());
            assertFalse(url.toString().contains(t.pass()));
            assertTrue(usher.url("demo-vod", "movies/trailer.mp4").contains("/media/demo-vod/movies/trailer.mp4?key=trailer_mp4."));
            assertEquals(2, usher.getMine().size());
        }
    }

    @Test
    void aPlaybackUrlCarriesTheRefurlItIsGivenEncodedAndBounded() {
        try (WeldTestContainer weld = new WeldTestContainer(CONFIG)) {
            WeldTestContainer.user = "alice";
            UsherTickets usher = weld.get(UsherTickets.class);
            String url = usher.url("demo-vod", "movies/trailer.mp4", "https://search.example/?q=a b&x=1");
            assertTrue(url.endsWith("&refurl=https%3A%2F%2Fsearch.example%2F%3Fq%3Da+b%26x%3D1"), url);
            assertFalse(usher.url("demo-vod", "movies/trailer.mp4", "").contains("refurl"), "empty: none");
            assertFalse(usher.issue("demo-vod", "movies/trailer.mp4").url().contains("refurl"));
            String cut = usher.issue("demo-vod", "movies/trailer.mp4", "x".repeat(5000)).url();
            assertEquals(UsherTickets.MAX_REFURL, cut.length() - cut.indexOf("&refurl=") - "&refurl=".length());
        }
    }

    @Test
    void theBeanIssuesATicketWithAConcurrentLimitOnlyWhenAsked() {
        try (WeldTestContainer weld = new WeldTestContainer(CONFIG)) {
            WeldTestContainer.user = "carol";
            UsherTickets usher = weld.get(UsherTickets.class);
            Ticket limited = usher.issue("demo-vod", "movies/trailer.mp4", 3, "+1 hour", "0.0.0.0/0", null, 2).ticket();
            assertEquals(2, limited.concurrent());
            assertEquals(2, weld.get(UsherService.class).repository().find(limited.key()).orElseThrow().concurrent(), "stored");
            assertEquals(dev.usher.core.decision.Reason.TOO_MANY_PLAYBACKS, weld.get(UsherService.class).authorize(
                    PlaybackRequest.of(limited.key(), limited.pass(), IpAddress.parse("192.0.2.77"), "demo-vod",
                            "movies/trailer.mp4").withOtherViewers(() -> 2)).reason());
            assertEquals(0, usher.issue("demo-vod", "movies/trailer.mp4").ticket().concurrent(), "no limit by default");
            assertThrows(dev.usher.core.service.TicketRequestException.class,
                    () -> usher.issue("demo-vod", "movies/trailer.mp4", 3, "+1 hour", "auto", null, -1));
        }
    }

    @Test
    void mineShowsWhatAnAutoTicketBoundItsNumberAndItsUses() {
        try (WeldTestContainer weld = new WeldTestContainer(CONFIG)) {
            WeldTestContainer.user = "bob";
            UsherTickets usher = weld.get(UsherTickets.class);
            Ticket issued = usher.issue("demo-vod", "movies/trailer.mp4").ticket();
            assertTrue(issued.id() > 0, "numbered when stored: " + issued.id());
            assertTrue(weld.get(UsherService.class).authorize(PlaybackRequest.of(issued.key(), issued.pass(),
                    IpAddress.parse("192.0.2.77"), "demo-vod", "movies/trailer.mp4")).granted());
            Ticket mine = usher.getMine().get(0);
            assertEquals(issued.key(), mine.key());
            assertEquals("192.0.2.77", mine.ip().shown(), "the auto slot shows the address it bound");
            assertEquals("192.0.2.77", mine.ip().toString(), "as a page prints it");
            assertEquals(issued.id(), mine.id());
            assertEquals(mine.usedDate(), mine.lastUsed());
            assertTrue(mine.lastUsed() != null);
        }
    }

    @Test
    void theBeanIssuesOnlyInsideItsAccountsNamespace() {
        Map<String, String> two = new java.util.HashMap<>(CONFIG);
        two.put("usher.account.28.api-key", DemoAccount.STEF.apiKey());
        two.put("usher.account.28.secret", java.util.UUID.randomUUID().toString());
        two.put("usher.account.28.username", "stef");
        two.put("usher.issue.account", "158");
        try (WeldTestContainer weld = new WeldTestContainer(two)) {
            WeldTestContainer.user = "alice";
            UsherTickets usher = weld.get(UsherTickets.class);
            dev.usher.core.service.TicketRequestException e = assertThrows(dev.usher.core.service.TicketRequestException.class,
                    () -> usher.issue("stef-live", "movies/trailer.mp4"), "account 28's app");
            assertEquals(dev.usher.core.service.FieldProblem.Kind.APP_INVALID, e.first().kind());
            assertThrows(dev.usher.core.service.TicketRequestException.class, () -> usher.issue("other-vod", "a.mp4"));
            assertEquals("demo-vod", usher.issue("demo-vod", "a.mp4").ticket().app().text());
        }
        // The site's own tickets (cdn 0, no API account): any app no API account owns.
        Map<String, String> site = new java.util.HashMap<>(two);
        site.put("usher.issue.account", "0");
        try (WeldTestContainer weld = new WeldTestContainer(site)) {
            WeldTestContainer.user = "alice";
            UsherTickets usher = weld.get(UsherTickets.class);
            assertEquals(0, usher.issue("site-vod", "a.mp4").ticket().cdnId());
            assertThrows(dev.usher.core.service.TicketRequestException.class, () -> usher.issue("demo-vod", "a.mp4"));
            assertThrows(dev.usher.core.service.TicketRequestException.class, () -> usher.issue("stef-live", "a.mp4"));
        }
    }

    @Test
    void aPathIsALiteralNameNeverAPattern() {
        try (WeldTestContainer weld = new WeldTestContainer(CONFIG)) {
            WeldTestContainer.user = "bob";
            UsherTickets usher = weld.get(UsherTickets.class);
            for (String[] bad : new String[][] {{"demo-vod", "*"}, {"demo-vod", "free/*|premium/*"}, {"demo-*", "a.mp4"},
                    {"demo-vod|other", "a.mp4"}, {"demo-vod", "a\nb.mp4"}, {"demo/vod", "a.mp4"}}) {
                assertThrows(IllegalArgumentException.class, () -> usher.issue(bad[0], bad[1]), String.join(" ", bad));
            }
            assertEquals(List.of(), usher.getMine(), "nothing was issued");
        }
    }

    @Test
    void refusesAnonymousRequestsUnlessAllowed() {
        try (WeldTestContainer weld = new WeldTestContainer(CONFIG)) {
            UsherTickets usher = weld.get(UsherTickets.class);
            assertFalse(usher.isSignedIn());
            assertThrows(NotSignedInException.class, () -> usher.url("demo-vod", "movies/trailer.mp4"));
            assertEquals(List.of(), usher.getMine());
        }
        Map<String, String> anonymous = new java.util.HashMap<>(CONFIG);
        anonymous.put("usher.issue.allow-anonymous", "true");
        try (WeldTestContainer weld = new WeldTestContainer(anonymous)) {
            Ticket t = weld.get(UsherTickets.class).issue("demo-vod", "movies/trailer.mp4").ticket();
            assertTrue(t.pass().startsWith("anonymous|"));
        }
    }

    @Test
    void eventsReachObservers() {
        Observer.seen.clear();
        try (WeldTestContainer weld = new WeldTestContainer(CONFIG, Observer.class)) {
            WeldTestContainer.user = "bob";
            Ticket t = weld.get(UsherTickets.class).issue("demo-vod", "movies/trailer.mp4").ticket();
            UsherService service = weld.get(UsherService.class);
            Decision d = service.authorize(PlaybackRequest.of(t.key(), t.pass(), IpAddress.parse("198.51.100.4"), "demo-vod",
                    "movies/trailer.mp4"));
            assertTrue(d.granted());
            service.authorize(PlaybackRequest.of(t.key(), "wrong", IpAddress.parse("198.51.100.4"), "demo-vod", "movies/trailer.mp4"));
            assertEquals(3, Observer.seen.size(), Observer.seen::toString);
            assertEquals(t.key(), ((TicketIssued) Observer.seen.get(0)).ticket().key());
            assertTrue(((PlaybackDecided) Observer.seen.get(1)).granted());
            assertEquals("Invalid Auth Token", ((PlaybackDecided) Observer.seen.get(2)).decision().reason().text());
            List<Attempt> attempts = weld.get(UsherTickets.class).attempts(t.key());
            assertEquals(2, attempts.size());
            WeldTestContainer.user = "mallory";
            assertEquals(List.of(), weld.get(UsherTickets.class).attempts(t.key()), "another user's log is not shown");
        }
    }

    /** An application's own repository, declared as an alternative. */
    @Alternative
    @Priority(10)
    @ApplicationScoped
    public static class AppRepository implements TicketRepository {
        static final AtomicInteger inserts = new AtomicInteger();
        private final InMemoryTicketRepository delegate = new InMemoryTicketRepository(UsherSettings.defaults());

        @Override
        public boolean insert(Ticket ticket) {
            inserts.incrementAndGet();
            return delegate.insert(ticket);
        }

        @Override
        public Optional<Ticket> find(String key) {
            return delegate.find(key);
        }

        @Override
        public Optional<Ticket> update(long cdnId, String key, TicketChange change) {
            return delegate.update(cdnId, key, change);
        }

        @Override
        public boolean delete(long cdnId, String key) {
            return delegate.delete(cdnId, key);
        }

        @Override
        public List<Ticket> search(long cdnId, TicketQuery query) {
            return delegate.search(cdnId, query);
        }

        @Override
        public Decision decide(PlaybackRequest request, Instant now) {
            return delegate.decide(request, now);
        }

        @Override
        public List<Attempt> attempts(String key, Instant since, int limit) {
            return delegate.attempts(key, since, limit);
        }

        @Override
        public int purge(Instant now) {
            return delegate.purge(now);
        }
    }

    @Test
    void anApplicationsRepositoryAlternativeReplacesTheConfiguredOne() {
        AppRepository.inserts.set(0);
        Map<String, String> shared = new java.util.HashMap<>(CONFIG);
        // A repository Usher does not know may be shared by nodes: it needs the shared secret.
        shared.put("usher.credential.secrets", "k1:" + java.util.Base64.getEncoder().encodeToString(randomBytes(32)));
        try (WeldTestContainer weld = new WeldTestContainer(shared, AppRepository.class)) {
            WeldTestContainer.user = "carol";
            weld.get(UsherTickets.class).issue("demo-vod", "movies/trailer.mp4");
            assertEquals(1, AppRepository.inserts.get());
        }
    }

    @Test
    void badSettingsFailTheDeploymentWithEveryProblemNamed() {
        Map<String, String> bad = Map.of(
                "usher.trusted-proxies", "10.0.0.0/33",
                "usher.repository", "mongodb",
                "usher.credential.secrets", "k1:dG9vc2hvcnQ=",
                "usher.playback-window", "soon",
                "usher.account.7.api-key", "short",
                "usher.account.7.secret", "tiny");
        RuntimeException e = assertThrows(RuntimeException.class, () -> new WeldTestContainer(bad).close());
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t.getMessage()).append('\n');
        }
        boolean listed = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            listed |= t instanceof UsherConfigurationException;
        }
        assertTrue(listed, text::toString);
        for (String named : List.of("usher.trusted-proxies", "usher.repository", "usher.credential.secrets",
                "usher.playback-window", "usher.account.7.api-key", "usher.account.7.secret", "usher.account.7.username")) {
            assertTrue(text.toString().contains(named), () -> "missing " + named + " in " + text);
        }
        assertFalse(text.toString().contains("dG9vc2hvcnQ="), "secrets never appear");
    }
}
