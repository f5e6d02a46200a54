package dev.usher.core.repository;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.decision.Reason;
import dev.usher.core.media.MediaPath;
import dev.usher.core.net.IpAddress;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;
import dev.usher.core.ticket.TicketKeys;
import dev.usher.testing.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

import static dev.usher.core.testing.Fixture.DEMO;
import static dev.usher.core.testing.Fixture.STEF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link TicketRepository} guarantees, run unchanged against each implementation (a
 * subclass per implementation supplies the store). Each test gets a fresh, empty store; a store
 * may hand out several repository instances ("nodes") sharing it, as nodes share one database.
 */
public abstract class TicketRepositoryContract {

    /** A fresh store for one test. */
    protected interface Store extends AutoCloseable {
        /** @return a repository over this store, as node {@code serverName} would open it */
        TicketRepository node(UsherSettings settings);

        @Override
        default void close() throws Exception {
        }
    }

    /** @return an empty store */
    protected abstract Store newStore() throws Exception;

    /**
     * @return false when {@link Store#node} returns one shared instance (an in-memory store can't be
     * shared by two instances): the tests then run both "nodes" on it
     */
    protected boolean nodesAreDistinct() {
        return true;
    }

    /** How many times each race is run (every run must be exact). */
    protected int raceRuns() {
        return 10;
    }

    private static ExecutorService pool;
    private final List<Store> stores = new ArrayList<>();
    private final MutableClock clock = MutableClock.at("2021-08-20T12:00:00Z");
    private final UsherSettings settings = UsherSettings.defaults().withServerName("node-a");

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(64);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    @AfterEach
    void closeStores() throws Exception {
        for (Store s : stores) {
            s.close();
        }
    }

    /** Two services over one fresh store: node A and node B. */
    private final class Nodes implements AutoCloseable {
        final Store store;
        final TicketRepository repoA;
        final TicketRepository repoB;
        final UsherService a;
        final UsherService b;

        Nodes(UsherSettings s) throws Exception {
            store = newStore();
            stores.add(store);
            repoA = store.node(s);
            repoB = store.node(s.withServerName("node-b"));
            a = new UsherService(repoA, s, clock, new TicketKeys());
            b = new UsherService(repoB, s.withServerName("node-b"), clock, new TicketKeys());
        }

        @Override
        public void close() throws Exception {
            stores.remove(store);
            store.close();
        }
    }

    private Nodes nodes() throws Exception {
        return new Nodes(settings);
    }

    private static PlaybackRequest request(Ticket t, String pass, String client, String app, String video) {
        return PlaybackRequest.of(t.key(), pass, IpAddress.parse(client), app, video);
    }

    private static Reason decide(UsherService s, Ticket t, String pass, String client, String app, String video) {
        return s.authorize(request(t, pass, client, app, video)).reason();
    }

    private static Ticket seedTicket(UsherService s) {
        return s.issue(STEF, IssueRequest.of("stef-chorigin", "mystream", "unique_random_string_per_request",
                "192.168.0.0/24", 5, "2021-08-25 01:16:39"));
    }

    // ------------------------------------------------------------------ storage

    @Test
    void storesAndFindsTicketsFieldForField() throws Exception {
        Nodes n = nodes();
        Ticket t = seedTicket(n.a);
        assertEquals(t, n.repoB.find(t.key()).orElseThrow());
        assertFalse(n.repoA.insert(t), "a key is stored once");
        assertTrue(n.repoA.find("mystream.00000000000000.00000000").isEmpty());
        assertTrue(n.repoA.find(null).isEmpty());
        Decision d = n.a.authorize(request(t, t.pass(), "192.168.0.77", "stef-chorigin", "mystream"));
        assertEquals(d.ticket(), n.repoB.find(t.key()).orElseThrow(), "uses and used_date stored as decided");
    }

    @Test
    void everyTicketGetsItsOwnNumberOnEveryNode() throws Exception {
        Nodes n = nodes();
        java.util.Set<Long> ids = new java.util.HashSet<>();
        for (int i = 0; i < 6; i++) {
            Ticket t = (i % 2 == 0 ? n.a : n.b).issue(i < 3 ? STEF : DEMO,
                    IssueRequest.of("stef-a", "v" + i, "passpasspass", "auto", 1, "+1 hour"));
            assertTrue(t.id() > 0, "numbered from 1: " + t.id());
            assertTrue(ids.add(t.id()), "unique: " + t.id());
            assertEquals(t, n.repoB.find(t.key()).orElseThrow(), "the number is stored with the ticket");
            assertEquals(t.id(), n.repoA.search(i < 3 ? STEF.cdnId() : DEMO.cdnId(),
                    new TicketQuery("v" + i, null, 10)).get(0).id());
        }
        Ticket first = n.repoA.search(STEF.cdnId(), new TicketQuery("v0", null, 1)).get(0);
        n.a.authorize(request(first, first.pass(), "198.51.100.7", "stef-a", "v0"));
        n.a.revoke(STEF, first.key());
        assertEquals(first.id(), n.repoB.find(first.key()).orElseThrow().id(), "a use or a change keeps the number");
    }

    @Test
    void aTicketRemembersItsFirstAndItsLastUse() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "0.0.0.0/0", 5, "+1 hour"));
        assertNull(t.usedDate());
        assertNull(t.lastUsed());
        Instant first = clock.instant();
        assertTrue(n.a.authorize(request(t, t.pass(), "198.51.100.7", "a", "v")).newPlayback());
        Ticket once = n.repoB.find(t.key()).orElseThrow();
        assertEquals(first, once.usedDate());
        assertEquals(first, once.lastUsed(), "the first use is the last one too");

        clock.advance(Duration.ofSeconds(5));
        assertTrue(n.b.authorize(request(t, t.pass(), "198.51.100.7", "a", "v")).granted());
        assertEquals(first, n.repoA.find(t.key()).orElseThrow().lastUsed(), "continuing a playback is no use");

        clock.advance(Duration.ofSeconds(5));
        Instant second = clock.instant();
        assertTrue(n.b.authorize(request(t, t.pass(), "203.0.113.9", "a", "v")).newPlayback());
        Ticket twice = n.repoA.find(t.key()).orElseThrow();
        assertEquals(first, twice.usedDate(), "the first use stays");
        assertEquals(second, twice.lastUsed(), "the last use moves");

        clock.advance(Duration.ofSeconds(5));
        Decision unserved = n.a.authorize(request(t, t.pass(), "192.0.2.1", "a", "v"));
        assertEquals(clock.instant(), n.repoB.find(t.key()).orElseThrow().lastUsed());
        assertTrue(n.repoB.release(unserved, 404, clock.instant()));
        Ticket after = n.repoA.find(t.key()).orElseThrow();
        assertEquals(second, after.lastUsed(), "a use given back gives its last-use date back");
        assertEquals(first, after.usedDate());
        assertEquals(t.id(), after.id());

        assertEquals(Reason.INVALID_AUTH_TOKEN, decide(n.a, t, "wrong-pass", "198.51.100.7", "a", "v"));
        assertEquals(after, n.repoB.find(t.key()).orElseThrow(), "a refusal changes neither date");
    }

    @Test
    void accountsSeeOnlyTheirOwnTickets() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("stef-a", "v", "passpasspass", "auto", 1, null));
        assertTrue(n.b.status(DEMO, t.key()).isEmpty());
        assertTrue(n.repoB.update(DEMO.cdnId(), t.key(), TicketChange.revoke()).isEmpty());
        assertFalse(n.repoB.delete(DEMO.cdnId(), t.key()));
        assertEquals(List.of(), n.repoB.search(DEMO.cdnId(), TicketQuery.byVideo("v")));
        assertTrue(n.repoB.find(t.key()).orElseThrow().active(), "untouched by the other account");
        assertEquals(List.of(t), n.repoB.search(STEF.cdnId(), TicketQuery.byVideo("v")));
    }

    @Test
    void updateChangesActiveAndExpiry() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "auto/24|auto/24", 9, "+1 hour"));
        Instant later = clock.instant().plus(Duration.ofDays(3));
        Ticket changed = n.repoA.update(STEF.cdnId(), t.key(), new TicketChange(false, later)).orElseThrow();
        assertFalse(changed.active());
        assertEquals(later, changed.expires());
        assertEquals(changed, n.repoB.find(t.key()).orElseThrow());
        assertTrue(n.repoB.update(STEF.cdnId(), t.key(), new TicketChange(true, null)).orElseThrow().active());
        assertTrue(n.repoA.update(STEF.cdnId(), "nope", TicketChange.revoke()).isEmpty());
    }

    @Test
    void deleteRemovesTicketPlaybacksAndLog() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "auto", 1, null));
        assertTrue(n.a.authorize(request(t, t.pass(), "1.2.3.4", "a", "v")).granted());
        assertTrue(n.repoB.delete(STEF.cdnId(), t.key()));
        assertTrue(n.repoA.find(t.key()).isEmpty());
        assertEquals(List.of(), n.repoA.attempts(t.key(), null, 10));
        assertFalse(n.repoA.delete(STEF.cdnId(), t.key()));
        assertEquals(Reason.INVALID_AUTH_TOKEN, decide(n.a, t, t.pass(), "1.2.3.4", "a", "v"));
    }

    @Test
    void searchFiltersByVideoAndActiveNewestFirst() throws Exception {
        Nodes n = nodes();
        Ticket a = n.a.issue(STEF, IssueRequest.of("a", "sestore3/username/set1/*", "passpasspass", "auto", 1, null));
        clock.advance(Duration.ofSeconds(1));
        Ticket b = n.a.issue(STEF, IssueRequest.of("a", "file1.mp4|file2.mp4", "passpasspass", "auto", 1, null));
        clock.advance(Duration.ofSeconds(1));
        Ticket c = n.a.issue(STEF, IssueRequest.of("a", "*", "passpasspass", "auto", 1, null));
        n.a.issue(DEMO, IssueRequest.of("demo-a", "*", "passpasspass", "auto", 1, null));
        assertEquals(List.of(c, a), n.repoB.search(STEF.cdnId(), TicketQuery.byVideo("sestore3/username/set1/x.mp4")));
        assertEquals(List.of(c, b), n.repoB.search(STEF.cdnId(), TicketQuery.byVideo("file2.mp4")));
        assertEquals(List.of(b), n.repoB.search(STEF.cdnId(), new TicketQuery("file1.mp4|file2.mp4", null, 10))
                .stream().filter(t -> !t.key().equals(c.key())).toList());
        n.a.revoke(STEF, c.key());
        assertEquals(List.of(b.key()), keys(n.repoB.search(STEF.cdnId(), new TicketQuery("file2.mp4", true, 10))));
        assertEquals(List.of(c.key()), keys(n.repoB.search(STEF.cdnId(), new TicketQuery(null, false, 10))));
        assertEquals(List.of(c.key(), b.key(), a.key()), keys(n.repoB.search(STEF.cdnId(), new TicketQuery(null, null, 10))));
        assertEquals(List.of(c.key()), keys(n.repoB.search(STEF.cdnId(), new TicketQuery(null, null, 1))));
        assertEquals(List.of(c.key()), keys(n.repoB.search(STEF.cdnId(), new TicketQuery("file1.mp4", null, 1))));
    }

    private static List<String> keys(List<Ticket> tickets) {
        return tickets.stream().map(Ticket::key).toList();
    }

    // ------------------------------------------------------------------ the seed's rules

    @Test
    void seedTicketAdmitsItsSubnetAppAndStream() throws Exception {
        Nodes n = nodes();
        Ticket t = seedTicket(n.a);
        Decision d = n.a.authorize(request(t, t.pass(), "192.168.0.77", "stef-chorigin", "mystream"));
        assertEquals(Reason.SUCCESS, d.reason());
        assertTrue(d.newPlayback());
        assertEquals(4, d.ticket().uses());
        assertEquals(clock.instant(), d.ticket().usedDate());
        assertEquals(clock.instant(), n.repoB.find(t.key()).orElseThrow().usedDate());
    }

    @Test
    void eachRuleRefusesWithItsSeedReasonAndConsumesNothing() throws Exception {
        Nodes n = nodes();
        Ticket t = seedTicket(n.a);
        String pass = t.pass();
        assertEquals(Reason.INVALID_AUTH_TOKEN, decide(n.a, t, pass + "x", "192.168.0.1", "stef-chorigin", "mystream"));
        assertEquals(Reason.INVALID_AUTH_TOKEN, decide(n.a, t, "", "192.168.0.1", "stef-chorigin", "mystream"));
        assertEquals(Reason.WRONG_APPLICATION, decide(n.a, t, pass, "192.168.0.1", "stef-other", "mystream"));
        assertEquals(Reason.INVALID_IP_ADDRESS, decide(n.b, t, pass, "192.168.1.1", "stef-chorigin", "mystream"));
        assertEquals(Reason.VIDEO_NOT_AUTHORIZED, decide(n.b, t, pass, "192.168.0.1", "stef-chorigin", "otherstream"));
        assertEquals(5, n.repoA.find(t.key()).orElseThrow().uses(), "refusals consume nothing");
        clock.set(t.expires().minusSeconds(1));
        assertEquals(Reason.SUCCESS, decide(n.a, t, pass, "192.168.0.1", "stef-chorigin", "mystream"));
        clock.set(t.expires());
        assertEquals(Reason.EXPIRED, decide(n.b, t, pass, "192.168.0.1", "stef-chorigin", "mystream"));
        n.a.revoke(STEF, t.key());
        assertEquals(Reason.TOKEN_REVOKED, decide(n.b, t, pass, "192.168.0.1", "stef-chorigin", "mystream"));
        assertEquals(Reason.INVALID_AUTH_TOKEN, decide(n.b, t, "nope", "11.0.0.1", "x", "y"));
    }

    @Test
    void aConcurrentRuleIsStoredAndAsksTheViewerCountOncePerDecisionOnlyWhenSet() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("stef-a", "movie.mp4", "passpasspass", "0.0.0.0/0", 5, "+1 hour")
                .withConcurrent(2));
        assertEquals(2, n.repoB.find(t.key()).orElseThrow().concurrent(), "stored, and every node reads it");
        assertEquals(2, n.repoB.search(STEF.cdnId(), new TicketQuery("movie.mp4", null, 10)).get(0).concurrent());
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger others = new java.util.concurrent.atomic.AtomicInteger();
        java.util.function.IntSupplier counting = () -> {
            asked.incrementAndGet();
            return others.get();
        };
        java.util.function.BiFunction<UsherService, String, Decision> play = (s, client) -> s.authorize(
                request(t, t.pass(), client, "stef-a", "movie.mp4").withOtherViewers(counting));

        assertTrue(play.apply(n.a, "198.51.100.1").granted());
        others.set(1);
        assertTrue(play.apply(n.b, "198.51.100.2").granted());
        assertEquals(2, asked.get(), "asked once per decision");
        others.set(2);
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Reason.TOO_MANY_PLAYBACKS, play.apply(n.a, "198.51.100.3").reason());
        Ticket after = n.repoB.find(t.key()).orElseThrow();
        assertEquals(3, after.uses(), "the refusal consumed nothing");
        List<Attempt> log = n.repoB.attempts(t.key(), null, 10);
        assertEquals(Reason.TOO_MANY_PLAYBACKS, log.get(log.size() - 1).reason(), "the refusal is in the attempt log");
        others.set(1);
        clock.advance(Duration.ofSeconds(1));
        assertTrue(play.apply(n.b, "198.51.100.3").granted(), "admitted once one of the others stopped");
        assertEquals(4, asked.get());

        // A wrong pass, and any request on a ticket without the rule, never asks.
        assertEquals(Reason.INVALID_AUTH_TOKEN, n.a.authorize(request(t, "wrong", "198.51.100.4", "stef-a", "movie.mp4")
                .withOtherViewers(counting)).reason());
        Ticket plain = n.a.issue(STEF, IssueRequest.of("stef-a", "movie.mp4", "passpasspass", "0.0.0.0/0", 5, "+1 hour"));
        assertEquals(0, n.repoB.find(plain.key()).orElseThrow().concurrent());
        assertTrue(n.b.authorize(request(plain, plain.pass(), "198.51.100.5", "stef-a", "movie.mp4").withOtherViewers(counting))
                .granted());
        assertTrue(n.a.authorize(request(plain, plain.pass(), "198.51.100.5", "stef-a", "movie.mp4").withOtherViewers(counting))
                .granted());
        assertEquals(4, asked.get(), "not asked without the rule");
    }

    @Test
    void unknownKeysAreRefusedAndNotStored() throws Exception {
        Nodes n = nodes();
        Ticket t = seedTicket(n.a);
        PlaybackRequest unknown = PlaybackRequest.of("mystream.00000000000000.00000000", t.pass(),
                IpAddress.parse("192.168.0.1"), "stef-chorigin", "mystream");
        assertEquals(Reason.INVALID_AUTH_TOKEN, n.repoA.decide(unknown, clock.instant()).reason());
        assertNull(n.repoA.decide(unknown, clock.instant()).ticket());
        assertEquals(List.of(), n.repoA.attempts(unknown.key(), null, 10));
        PlaybackRequest huge = PlaybackRequest.of("k".repeat(5000), "p", IpAddress.parse("192.168.0.1"), "a", "v");
        assertEquals(Reason.INVALID_AUTH_TOKEN, n.repoA.decide(huge, clock.instant()).reason());
        assertEquals(List.of(), n.repoA.attempts(t.key(), null, 10));
    }

    @Test
    void onePlaybackConsumesOneUseAcrossNodes() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("stef-vod", "movies/trailer.mp4", "passpasspass", "0.0.0.0/0", 2, "+1 day"));
        for (int i = 0; i < 12; i++) { // Range requests and seeks, alternating between the nodes
            UsherService node = i % 2 == 0 ? n.a : n.b;
            Decision d = node.authorize(request(t, t.pass(), "203.0.113.9", "stef-vod", "movies/trailer.mp4"));
            assertEquals(Reason.SUCCESS, d.reason());
            assertEquals(i == 0, d.newPlayback(), "request " + i);
            clock.advance(Duration.ofMinutes(3));
        }
        assertEquals(1, n.repoB.find(t.key()).orElseThrow().uses());
    }

    @Test
    void aPlaybackEndsAfterTheWindowOnEveryNode() throws Exception {
        Nodes n = nodes();
        Duration window = settings.playbackWindow();
        Ticket t = n.a.issue(STEF, IssueRequest.of("stef-vod", "a.mp4", "passpasspass", "0.0.0.0/0", 2, "+1 day"));
        assertTrue(n.a.authorize(request(t, t.pass(), "203.0.113.9", "stef-vod", "a.mp4")).newPlayback());
        clock.advance(window.minusSeconds(1));
        assertFalse(n.b.authorize(request(t, t.pass(), "203.0.113.9", "stef-vod", "a.mp4")).newPlayback());
        clock.advance(window);
        Decision again = n.b.authorize(request(t, t.pass(), "203.0.113.9", "stef-vod", "a.mp4"));
        assertTrue(again.newPlayback());
        assertEquals(0, again.ticket().uses());
        clock.advance(window);
        assertEquals(Reason.EXCEEDED_MAX_VIEWS, decide(n.a, t, t.pass(), "203.0.113.9", "stef-vod", "a.mp4"));
    }

    @Test
    void anotherVideoOrClientIsAnotherPlaybackAndOpenOnesGoOn() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("stef-vod", "a.mp4|b.mp4", "passpasspass", "0.0.0.0/0", 3, "+1 day"));
        assertTrue(n.a.authorize(request(t, t.pass(), "203.0.113.9", "stef-vod", "a.mp4")).newPlayback());
        assertTrue(n.b.authorize(request(t, t.pass(), "203.0.113.9", "stef-vod", "b.mp4")).newPlayback());
        assertTrue(n.a.authorize(request(t, t.pass(), "203.0.113.10", "stef-vod", "a.mp4")).newPlayback());
        assertEquals(Reason.EXCEEDED_MAX_VIEWS, decide(n.b, t, t.pass(), "203.0.113.11", "stef-vod", "a.mp4"));
        assertEquals(Reason.SUCCESS, decide(n.b, t, t.pass(), "203.0.113.9", "stef-vod", "b.mp4"));
        assertEquals(Reason.SUCCESS, decide(n.b, t, t.pass(), "203.0.113.10", "stef-vod", "a.mp4"));
        assertEquals(Reason.SUCCESS, decide(n.a, t, t.pass(), "203.0.113.9", "stef-vod", "a.mp4"));
    }

    @Test
    void revocationThroughOneNodeStopsAPlaybackOnTheOther() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("stef-vod", "a.mp4", "passpasspass", "0.0.0.0/0", 3, "+1 hour"));
        assertEquals(Reason.SUCCESS, decide(n.b, t, t.pass(), "203.0.113.9", "stef-vod", "a.mp4"));
        assertFalse(n.a.revoke(STEF, t.key()).orElseThrow().active());
        assertEquals(Reason.TOKEN_REVOKED, decide(n.b, t, t.pass(), "203.0.113.9", "stef-vod", "a.mp4"));
        assertFalse(n.b.status(STEF, t.key()).orElseThrow().active());
    }

    @Test
    void autoBindsTheFirstClientOnlyOnAGrantAndEveryNodeSeesIt() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("stef-vod", "a.mp4", "passpasspass", "auto", 5, "+1 hour"));
        assertEquals(Reason.VIDEO_NOT_AUTHORIZED, decide(n.a, t, t.pass(), "198.51.100.1", "stef-vod", "b.mp4"));
        assertEquals(0, n.repoB.find(t.key()).orElseThrow().ip().boundCount());
        assertEquals(Reason.SUCCESS, decide(n.a, t, t.pass(), "198.51.100.2", "stef-vod", "a.mp4"));
        assertEquals(Reason.INVALID_IP_ADDRESS, decide(n.b, t, t.pass(), "198.51.100.1", "stef-vod", "a.mp4"));
        assertEquals(Reason.SUCCESS, decide(n.b, t, t.pass(), "198.51.100.2", "stef-vod", "a.mp4"));
    }

    @Test
    void autoSlash24LetsTheFirstTwoSubnetsIn() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("stef-live", "mystream", "passpasspass", "10.9.9.9|auto/24|auto/24", 10, "+1 hour"));
        assertEquals(Reason.SUCCESS, decide(n.a, t, t.pass(), "198.51.100.1", "stef-live", "mystream"));
        assertEquals(Reason.SUCCESS, decide(n.b, t, t.pass(), "198.51.100.200", "stef-live", "mystream"));
        assertEquals(Reason.SUCCESS, decide(n.b, t, t.pass(), "203.0.113.5", "stef-live", "mystream"));
        assertEquals(Reason.INVALID_IP_ADDRESS, decide(n.a, t, t.pass(), "192.0.2.5", "stef-live", "mystream"));
        assertEquals(Reason.SUCCESS, decide(n.a, t, t.pass(), "10.9.9.9", "stef-live", "mystream"));
        Ticket after = n.repoB.find(t.key()).orElseThrow();
        assertEquals(2, after.ip().boundCount());
        assertEquals("10.9.9.9|auto/24|auto/24", after.ip().text(), "the rule text is reported as issued");
        assertEquals(7, after.uses());
    }

    @Test
    void autoForAnIpv6ClientBindsItsSlash64() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("stef-live", "mystream", "passpasspass", "auto|auto/0", 10, "+1 hour"));
        assertEquals(Reason.SUCCESS, decide(n.a, t, t.pass(), "2001:db8:1:2::10", "stef-live", "mystream"));
        assertEquals(Reason.SUCCESS, decide(n.b, t, t.pass(), "2001:db8:1:2:aaaa::1", "stef-live", "mystream"));
        Decision any = n.b.authorize(request(t, t.pass(), "198.51.100.1", "stef-live", "mystream"));
        assertEquals(Reason.SUCCESS, any.reason(), "auto/0 binds the whole space");
        assertEquals(any.ticket(), n.repoA.find(t.key()).orElseThrow());
        assertEquals(Reason.SUCCESS, decide(n.a, t, t.pass(), "2001:db8:1:3::10", "stef-live", "mystream"));
        assertEquals(8, n.repoA.find(t.key()).orElseThrow().uses());
    }

    @Test
    void theDecisionCarriesTheClientNetwork() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("live", "s", "passpasspass", "auto/24", 5, "+1 hour"));
        Decision d = n.a.authorize(request(t, t.pass(), "198.51.100.7", "live", "s"));
        assertNotNull(d.clientNetwork());
        assertEquals("198.51.100.0/24", d.clientNetwork().toString());
        Decision continued = n.b.authorize(request(t, t.pass(), "198.51.100.8", "live", "s"));
        assertFalse(continued.newPlayback());
        assertEquals(d.clientNetwork(), continued.clientNetwork());
        assertNull(n.b.authorize(request(t, "bad", "198.51.100.7", "live", "s")).clientNetwork());
    }

    // ------------------------------------------------------------------ key and pass on every request (issue 11, item 1)

    /** A request for {@code path} under {@code app} with key and pass, as a guard in front of media makes it. */
    private static PlaybackRequest at(Ticket t, String client, String app, String path) {
        return PlaybackRequest.of(MediaPath.parse(path, app), t.key(), t.pass(), IpAddress.parse(client), null, null);
    }

    @Test
    void keyAndPassOnEveryFileOfAnHlsOrDashPackageIsOnePlaybackAcrossNodes() throws Exception {
        Nodes n = nodes();
        for (String manifest : List.of("hls/master.m3u8", "dash/manifest.mpd")) {
            String folder = manifest.substring(0, manifest.indexOf('/'));
            Ticket t = n.a.issue(STEF, IssueRequest.of("a", folder, "passpasspass", "auto", 3, "+1 hour"));
            List<String> paths = List.of(manifest, folder + "/v0/index.m3u8", folder + "/v0/init.mp4",
                    folder + "/v0/seg0.ts", folder + "/v1/index.m3u8", folder + "/chunk-0-001.m4s", manifest,
                    folder + "/v0/seg1.ts", folder + "/v0/deeper/still/seg2.ts");
            for (int i = 0; i < paths.size(); i++) {
                Decision d = (i % 2 == 0 ? n.a : n.b).authorize(at(t, "198.51.100.7", "a", paths.get(i)));
                assertEquals(Reason.SUCCESS, d.reason(), paths.get(i));
                assertEquals(i == 0, d.newPlayback(), paths.get(i));
                clock.advance(Duration.ofSeconds(2));
            }
            assertEquals(2, n.repoB.find(t.key()).orElseThrow().uses(), manifest + ": one use for the whole package");
            assertEquals(paths.size(), n.repoA.attempts(t.key(), null, 100).size(), "every request is logged");
        }
    }

    @Test
    void aContinuingRequestNeedNotMatchTheVideoButAStartStillMust() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("a", "hls", "passpasspass", "0.0.0.0/0", 3, "+1 hour"));
        assertEquals(Reason.VIDEO_NOT_AUTHORIZED, n.a.authorize(at(t, "198.51.100.7", "a", "hls/v0/seg0.ts")).reason(),
                "without an open playback a segment is an entry of its own, and 'hls' does not name it");
        assertTrue(n.a.authorize(at(t, "198.51.100.7", "a", "hls/master.m3u8")).newPlayback());
        assertEquals(Reason.SUCCESS, n.b.authorize(at(t, "198.51.100.7", "a", "hls/v0/seg0.ts")).reason());
        assertEquals(Reason.VIDEO_NOT_AUTHORIZED, n.b.authorize(at(t, "198.51.100.7", "a", "hlsx/v0/seg0.ts")).reason(),
                "a sibling folder sharing the name's prefix is outside");
        assertEquals(Reason.VIDEO_NOT_AUTHORIZED, n.b.authorize(at(t, "198.51.100.7", "a", "other.mp4")).reason());
        assertEquals(2, n.repoA.find(t.key()).orElseThrow().uses());
    }

    @Test
    void anotherClientAppOrFileIsNotInsideThePlayback() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("a|b", "hls*|movies/*", "passpasspass", "0.0.0.0/0", 9, "+1 hour"));
        assertTrue(n.a.authorize(at(t, "198.51.100.7", "a", "hls/master.m3u8")).newPlayback());
        assertTrue(n.b.authorize(at(t, "198.51.100.8", "a", "hls/v0/seg0.ts")).newPlayback(),
                "another client is another playback ('hls*' names the segment too)");
        assertTrue(n.b.authorize(at(t, "198.51.100.7", "b", "hls/master.m3u8")).newPlayback(), "another app is another playback");
        assertTrue(n.a.authorize(at(t, "198.51.100.7", "a", "movies/a.mp4")).newPlayback());
        assertFalse(n.b.authorize(at(t, "198.51.100.7", "a", "movies/a.mp4")).newPlayback(), "an MP4's Range requests go on");
        assertTrue(n.b.authorize(at(t, "198.51.100.7", "a", "movies/b.mp4")).newPlayback(),
                "a file covers itself only, not its folder's other files");
        assertTrue(n.a.authorize(at(t, "198.51.100.7", "a", "hls2/master.m3u8")).newPlayback(), "a sibling package");
        assertEquals(3, n.repoB.find(t.key()).orElseThrow().uses());
    }

    @Test
    void aContinuingRequestIsStillRefusedWhenRevokedExpiredOrFromAnotherAddress() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("a", "hls", "passpasspass", "auto", 3, "+1 hour"));
        assertTrue(n.a.authorize(at(t, "198.51.100.7", "a", "hls/master.m3u8")).newPlayback());
        assertEquals(Reason.INVALID_IP_ADDRESS, n.b.authorize(at(t, "203.0.113.9", "a", "hls/v0/seg0.ts")).reason());
        assertEquals(Reason.INVALID_AUTH_TOKEN, n.b.authorize(PlaybackRequest.of(MediaPath.parse("hls/v0/seg0.ts", "a"),
                t.key(), "wrong", IpAddress.parse("198.51.100.7"), null, null)).reason());
        n.a.revoke(STEF, t.key());
        assertEquals(Reason.TOKEN_REVOKED, n.b.authorize(at(t, "198.51.100.7", "a", "hls/v0/seg0.ts")).reason());
        assertEquals(2, n.repoA.find(t.key()).orElseThrow().uses());
    }

    @Test
    void aThreeUseTicketSurvivesAWholePlaybackWithKeyAndPassOnEveryRequest() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("a", "live/mystream", "passpasspass", "auto/24", 3, "+1 hour"));
        assertTrue(n.a.authorize(at(t, "198.51.100.7", "a", "live/mystream/playlist.m3u8")).newPlayback());
        for (int i = 0; i < 40; i++) { // a live playlist reloaded and its segments, from the bound /24
            clock.advance(Duration.ofSeconds(2));
            String path = i % 3 == 0 ? "live/mystream/playlist.m3u8" : "live/mystream/seg" + i + ".ts";
            Decision d = (i % 2 == 0 ? n.b : n.a).authorize(at(t, "198.51.100." + (7 + i % 5), "a", path));
            assertEquals(Reason.SUCCESS, d.reason(), path);
            assertFalse(d.newPlayback(), path);
        }
        assertEquals(2, n.repoA.find(t.key()).orElseThrow().uses());
    }

    @Test
    void aManifestAtTheTopOfTheAppCoversTheApp() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("a", "playlist.m3u8", "passpasspass", "0.0.0.0/0", 2, "+1 hour"));
        assertTrue(n.a.authorize(at(t, "198.51.100.7", "a", "playlist.m3u8")).newPlayback());
        assertEquals(Reason.SUCCESS, n.b.authorize(at(t, "198.51.100.7", "a", "seg0.ts")).reason());
        assertEquals(Reason.SUCCESS, n.b.authorize(at(t, "198.51.100.7", "a", "v0/seg1.ts")).reason());
        assertEquals(1, n.repoA.find(t.key()).orElseThrow().uses());
    }

    @Test
    void aPackageStartedAgainAfterTheWindowCostsAnotherUse() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("a", "hls", "passpasspass", "0.0.0.0/0", 2, "+1 hour"));
        assertTrue(n.a.authorize(at(t, "198.51.100.7", "a", "hls/master.m3u8")).newPlayback());
        clock.advance(settings.playbackWindow());
        assertEquals(Reason.VIDEO_NOT_AUTHORIZED, n.b.authorize(at(t, "198.51.100.7", "a", "hls/v0/seg0.ts")).reason(),
                "the playback closed: a segment alone is no entry");
        assertTrue(n.b.authorize(at(t, "198.51.100.7", "a", "hls/master.m3u8")).newPlayback());
        assertEquals(0, n.repoA.find(t.key()).orElseThrow().uses());
    }

    @Test
    void aGrantInsideAPackageIsReleasedWithItsOwnAttempt() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("a", "hls|top.m3u8", "passpasspass", "0.0.0.0/0", 2, "+1 hour"));
        for (String entry : List.of("hls/master.m3u8", "top.m3u8")) {
            clock.advance(Duration.ofSeconds(1));
            Decision grant = n.a.authorize(at(t, "198.51.100.7", "a", entry));
            assertTrue(grant.newPlayback(), entry);
            assertTrue(n.repoB.release(grant, 404, clock.instant()), entry);
            assertEquals(2, n.repoA.find(t.key()).orElseThrow().uses(), entry);
            Attempt last = n.repoA.attempts(t.key(), null, 10).get(n.repoA.attempts(t.key(), null, 10).size() - 1);
            assertEquals(404, last.failedStatus(), entry + ": " + last);
        }
    }

    // ------------------------------------------------------------------ the attempt log

    @Test
    void everyDecisionOnAKnownKeyIsLoggedWithTheSeedFields() throws Exception {
        Nodes n = nodes();
        Ticket t = seedTicket(n.a);
        n.a.authorize(new PlaybackRequest(t.key(), "wrong", IpAddress.parse("192.168.0.9"), "stef-chorigin", "mystream",
                null, null, "https://site.example/watch", "https://site.example/"));
        clock.advance(Duration.ofSeconds(5));
        n.b.authorize(request(t, t.pass(), "192.168.0.9", "stef-chorigin", "mystream"));

        List<Attempt> log = n.repoA.attempts(t.key(), null, 1000);
        assertEquals(2, log.size());
        Attempt first = log.get(0);
        assertEquals(new Attempt(t.key(), clock.instant().minusSeconds(5), "192.168.0.9", "mystream", "stef-chorigin",
                PlaybackRequest.DEFAULT_INSTANCE, "https://site.example/watch", "https://site.example/",
                Reason.INVALID_AUTH_TOKEN, "node-a")
                // Issue 11: each attempt keeps the keyed fingerprint of the pass it carried, never the pass.
                .withPassFingerprint(dev.usher.core.attempt.PassFingerprint.of(t.pass(), t.key(), "wrong")), first);
        Attempt second = log.get(1);
        assertTrue(second.success());
        assertEquals(nodesAreDistinct() ? "node-b" : "node-a", second.server());
        assertEquals("", second.pageurl());
        assertEquals(List.of(second), n.repoB.attempts(t.key(), clock.instant(), 1000));
        assertEquals(dev.usher.core.attempt.PassFingerprint.of(t.pass(), t.key(), t.pass()), second.passFingerprint());
        assertFalse(first.passFingerprint().equals(second.passFingerprint()));
        assertEquals(List.of(), n.repoB.attempts(t.key(), clock.instant().plusSeconds(1), 1000));
    }

    @Test
    void attemptsAreTheNewestLimitOldestFirst() throws Exception {
        Nodes n = new Nodes(settings.withMaxAttemptsPerTicket(4));
        Ticket t = n.a.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "auto", 1, null));
        List<Instant> times = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            clock.advance(Duration.ofSeconds(1));
            times.add(clock.instant());
            // distinct clients: one client's repeated refusals would be counted in one entry (AttemptLog)
            (i % 2 == 0 ? n.a : n.b).authorize(request(t, "wrong" + i, "1.2.3." + i, "a", "v"));
        }
        assertEquals(times.subList(4, 6), n.repoA.attempts(t.key(), null, 2).stream().map(Attempt::datetime).toList());
        assertEquals(times.subList(2, 6), n.repoA.attempts(t.key(), null, 1000).stream().map(Attempt::datetime).toList(),
                "at most maxAttemptsPerTicket, the newest");
        assertEquals(times.subList(3, 6), n.repoB.attempts(t.key(), times.get(3), 1000).stream().map(Attempt::datetime).toList());
        assertEquals(List.of(), n.repoB.attempts("nope", null, 10));
    }

    @Test
    void purgeForgetsOldAttemptsAndLongExpiredTickets() throws Exception {
        Nodes n = new Nodes(settings.withRetention(Duration.ofDays(1)).withMaxAttemptsPerTicket(3));
        Ticket old = n.a.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "auto", 5, "+1 hour"));
        Ticket fresh = n.a.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "auto", 5, "+1 week"));
        n.a.authorize(request(old, old.pass(), "1.2.3.4", "a", "v"));
        n.a.authorize(request(fresh, "bad", "1.2.3.4", "a", "v"));
        clock.advance(Duration.ofHours(20));
        assertEquals(0, n.repoB.purge(clock.instant()), "expired less than the retention ago");
        assertTrue(n.repoA.find(old.key()).isPresent());
        for (int i = 0; i < 4; i++) {
            n.b.authorize(request(fresh, "bad", "1.2.3." + (10 + i), "a", "v")); // distinct clients: not folded
        }
        clock.advance(Duration.ofHours(6));
        assertEquals(1, n.repoB.purge(clock.instant()));
        assertTrue(n.repoA.find(old.key()).isEmpty());
        assertEquals(List.of(), n.repoA.attempts(old.key(), null, 10));
        List<Attempt> kept = n.repoA.attempts(fresh.key(), null, 10);
        assertEquals(3, kept.size(), "the first attempt is older than the retention; the log keeps 3");
        assertTrue(kept.stream().allMatch(a -> a.datetime().equals(clock.instant().minus(Duration.ofHours(6)))));
        assertEquals(0, n.repoA.purge(clock.instant()));
        assertEquals(Reason.SUCCESS, decide(n.a, fresh, fresh.pass(), "1.2.3.4", "a", "v"), "a purged store still decides");
    }

    // ------------------------------------------------------------------ races

    /** Runs one request per client on its own thread, all released at once, alternating the nodes. */
    private static List<Decision> race(Nodes n, Ticket t, int clients, IntFunction<String> address) throws Exception {
        CountDownLatch ready = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Decision>> futures = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            String client = address.apply(i);
            UsherService node = i % 2 == 0 ? n.a : n.b;
            futures.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                return node.authorize(request(t, t.pass(), client, "stef-live", "mystream"));
            }));
        }
        ready.await();
        go.countDown();
        List<Decision> out = new ArrayList<>();
        for (Future<Decision> future : futures) {
            out.add(future.get());
        }
        return out;
    }

    @Test
    void fiveUsesGrantExactlyFivePlaybacksToSixtyFourRacingClients() throws Exception {
        Nodes n = nodes(); // one store, a fresh ticket per run
        for (int run = 0; run < raceRuns(); run++) {
            Ticket t = n.a.issue(STEF, IssueRequest.of("stef-live", "mystream", "passpasspass", "0.0.0.0/0", 5, "+1 hour"));
            List<Decision> decisions = race(n, t, 64, i -> "10.0." + i + ".1");
            assertEquals(5, decisions.stream().filter(Decision::granted).count(), "run " + run);
            assertEquals(59, decisions.stream().filter(d -> d.reason() == Reason.EXCEEDED_MAX_VIEWS).count());
            assertEquals(0, n.repoB.find(t.key()).orElseThrow().uses());
            assertEquals(64, n.repoA.attempts(t.key(), null, 1000).size());
        }
    }

    @Test
    void twoAutoSlotsBindExactlyTwoOfFiftyRacingSubnets() throws Exception {
        Nodes n = nodes();
        for (int run = 0; run < raceRuns(); run++) {
            Ticket t = n.a.issue(STEF, IssueRequest.of("stef-live", "mystream", "passpasspass", "auto/24|auto/24", 1000, "+1 hour"));
            List<Decision> decisions = race(n, t, 50, i -> "172.16." + i + ".9");
            assertEquals(2, decisions.stream().filter(Decision::granted).count(), "run " + run);
            assertEquals(48, decisions.stream().filter(d -> d.reason() == Reason.INVALID_IP_ADDRESS).count());
            Ticket after = n.repoB.find(t.key()).orElseThrow();
            assertEquals(2, after.ip().boundCount());
            assertEquals(998, after.uses());
        }
    }

    @Test
    void racingRequestsOfOnePlaybackConsumeOneUse() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("stef-live", "mystream", "passpasspass", "0.0.0.0/0", 3, "+1 hour"));
        List<Decision> decisions = race(n, t, 32, i -> "10.1.2.3");
        assertTrue(decisions.stream().allMatch(Decision::granted));
        assertEquals(1, decisions.stream().filter(Decision::newPlayback).count());
        assertEquals(2, n.repoB.find(t.key()).orElseThrow().uses());
    }

    // ------------------------------------------------------------------ attempt-log flooding (issue 10, item 6)

    private static long rowsOf(List<Attempt> log) {
        return log.size();
    }

    private static long requestsOf(List<Attempt> log) {
        return log.stream().mapToLong(Attempt::count).sum();
    }

    @Test
    void aFloodOfWrongPassesKeepsTheRealPlaybackAndTheLogBounded() throws Exception {
        Nodes n = new Nodes(settings.withMaxAttemptsPerTicket(20));
        Ticket t = seedTicket(n.a);
        assertEquals(Reason.SUCCESS, decide(n.a, t, t.pass(), "192.168.0.9", "stef-chorigin", "mystream"));
        Instant played = clock.instant();
        for (int i = 0; i < 1000; i++) { // one client, as fast as it can
            clock.advance(Duration.ofMillis(10));
            decide(i % 2 == 0 ? n.a : n.b, t, "wrong" + i, "203.0.113.7", "stef-chorigin", "mystream");
        }
        for (int i = 0; i < 500; i++) { // and 500 clients once each
            decide(i % 2 == 0 ? n.a : n.b, t, "wrong", "10.9." + (i / 200) + "." + (i % 200), "stef-chorigin", "mystream");
        }
        List<Attempt> log = n.repoB.attempts(t.key(), null, 10_000);
        assertTrue(rowsOf(log) <= 20, "the cap holds on every insert: " + rowsOf(log));
        List<Attempt> grants = log.stream().filter(Attempt::success).toList();
        assertEquals(1, grants.size(), "the real playback is still in the log");
        assertEquals(played, grants.get(0).datetime());
        assertEquals("192.168.0.9", grants.get(0).ip());
        assertEquals(5 - 1, n.repoA.find(t.key()).orElseThrow().uses(), "refusals changed nothing");
    }

    @Test
    void oneClientsRepeatedRefusalIsStoredOncePerWindowAndCounted() throws Exception {
        Nodes n = nodes();
        Ticket t = seedTicket(n.a);
        Instant first = clock.instant();
        for (int i = 0; i < 3; i++) { // 0 s, 20 s, 40 s: one entry
            decide(i % 2 == 0 ? n.a : n.b, t, "wrong", "192.168.0.9", "stef-chorigin", "mystream");
            clock.advance(Duration.ofSeconds(20));
        }
        decide(n.b, t, t.pass(), "192.168.0.9", "other-app", "mystream"); // another reason: its own entry
        decide(n.a, t, "wrong", "192.168.0.10", "stef-chorigin", "mystream"); // another client: its own entry
        clock.advance(Duration.ofSeconds(1)); // 61 s after the first: a new window
        decide(n.a, t, "wrong", "192.168.0.9", "stef-chorigin", "mystream");

        List<Attempt> log = n.repoA.attempts(t.key(), null, 100);
        assertEquals(4, log.size(), log.toString());
        assertEquals(first, log.get(0).datetime(), "the entry keeps the first refusal's time");
        assertEquals(List.of(3, 1, 1, 1), log.stream().map(Attempt::count).toList());
        assertEquals(List.of(Reason.INVALID_AUTH_TOKEN, Reason.WRONG_APPLICATION, Reason.INVALID_AUTH_TOKEN,
                Reason.INVALID_AUTH_TOKEN), log.stream().map(Attempt::reason).toList());
        assertEquals("192.168.0.10", log.get(2).ip());
        assertEquals(6, requestsOf(log));
    }

    @Test
    void grantsAreNeverCountedTogether() throws Exception {
        Nodes n = nodes();
        Ticket t = seedTicket(n.a);
        for (int i = 0; i < 3; i++) {
            assertEquals(Reason.SUCCESS, decide(n.a, t, t.pass(), "192.168.0.9", "stef-chorigin", "mystream"));
        }
        List<Attempt> log = n.repoB.attempts(t.key(), null, 100);
        assertEquals(3, log.size());
        assertTrue(log.stream().allMatch(a -> a.count() == 1));
    }

    @Test
    void refusalsNeverPushOutGrantsAndGrantsKeepHalfTheCap() throws Exception {
        Nodes n = new Nodes(settings.withMaxAttemptsPerTicket(6));
        Ticket t = n.a.issue(STEF, IssueRequest.of("a", "v*", "passpasspass", "0.0.0.0/0", 100, "+1 hour"));
        for (int i = 0; i < 6; i++) { // a full log of grants
            clock.advance(Duration.ofSeconds(1));
            assertEquals(Reason.SUCCESS, decide(n.a, t, t.pass(), "1.2.3.4", "a", "v" + i));
        }
        for (int i = 0; i < 10; i++) {
            decide(n.b, t, "wrong", "10.0.0." + i, "a", "v");
        }
        List<Attempt> log = n.repoA.attempts(t.key(), null, 100);
        assertEquals(6, log.size());
        assertTrue(log.stream().allMatch(Attempt::success), "refusals pushed out no grant");

        Nodes m = new Nodes(settings.withMaxAttemptsPerTicket(6));
        Ticket u = m.a.issue(STEF, IssueRequest.of("a", "v*", "passpasspass", "0.0.0.0/0", 100, "+1 hour"));
        for (int i = 0; i < 10; i++) { // a full log of refusals: the oldest go first
            clock.advance(Duration.ofSeconds(1));
            decide(m.b, u, "wrong", "10.0.0." + i, "a", "v");
        }
        assertEquals(List.of("10.0.0.4", "10.0.0.5", "10.0.0.6", "10.0.0.7", "10.0.0.8", "10.0.0.9"),
                m.repoA.attempts(u.key(), null, 100).stream().map(Attempt::ip).toList());
        for (int i = 0; i < 5; i++) { // grants take the oldest refusals' places until each kind has half the cap
            clock.advance(Duration.ofSeconds(1));
            assertEquals(Reason.SUCCESS, decide(m.a, u, u.pass(), "1.2.3.4", "a", "v" + i));
        }
        List<Attempt> mixed = m.repoA.attempts(u.key(), null, 100);
        assertEquals(List.of("10.0.0.7", "10.0.0.8", "10.0.0.9"), mixed.stream().filter(a -> !a.success()).map(Attempt::ip).toList());
        assertEquals(List.of("v2", "v3", "v4"), mixed.stream().filter(Attempt::success).map(Attempt::video).toList(),
                "beyond its half, a grant replaces the oldest grant");
        for (int i = 0; i < 3; i++) { // refusals again: they replace only refusals
            clock.advance(Duration.ofSeconds(1));
            decide(m.b, u, "wrong", "10.0.1." + i, "a", "v");
        }
        List<Attempt> after = m.repoA.attempts(u.key(), null, 100);
        assertEquals(List.of("v2", "v3", "v4"), after.stream().filter(Attempt::success).map(Attempt::video).toList());
        assertEquals(List.of("10.0.1.0", "10.0.1.1", "10.0.1.2"), after.stream().filter(a -> !a.success()).map(Attempt::ip).toList());
    }

    // ------------------------------------------------------------------ failed responses (issue 10, item 7)

    @Test
    void releaseGivesTheUseBackOnceFreesTheSlotAndMarksTheAttempt() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "auto", 2, "+1 hour"));
        Decision grant = n.a.authorize(request(t, t.pass(), "198.51.100.7", "a", "v"));
        assertTrue(grant.newPlayback());
        assertEquals(0, grant.boundSlot());
        assertEquals(1, n.repoB.find(t.key()).orElseThrow().uses());

        clock.advance(Duration.ofSeconds(1));
        assertTrue(n.repoB.release(grant, 404, clock.instant()));
        Ticket after = n.repoA.find(t.key()).orElseThrow();
        assertEquals(2, after.uses(), "the use is back");
        assertEquals(0, after.ip().boundCount(), "the slot is free again");
        assertNull(after.usedDate(), "never used");
        assertFalse(n.repoA.release(grant, 404, clock.instant()), "given back once only");
        assertEquals(2, n.repoB.find(t.key()).orElseThrow().uses());
        List<Attempt> log = n.repoA.attempts(t.key(), null, 10);
        assertEquals(1, log.size(), "the attempt stays in the log");
        assertTrue(log.get(0).success());
        assertEquals(404, log.get(0).failedStatus(), "marked as not served");

        // The slot binds whoever plays first for real.
        Decision other = n.b.authorize(request(t, t.pass(), "203.0.113.9", "a", "v"));
        assertTrue(other.granted());
        assertEquals(1, n.repoA.find(t.key()).orElseThrow().uses());
        assertEquals(Reason.INVALID_IP_ADDRESS, decide(n.a, t, t.pass(), "198.51.100.7", "a", "v"));
    }

    @Test
    void onlyAGrantThatOpenedAPlaybackCanBeReleased() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "0.0.0.0/0", 3, "+1 hour"));
        Decision first = n.a.authorize(request(t, t.pass(), "198.51.100.7", "a", "v"));
        Decision continued = n.b.authorize(request(t, t.pass(), "198.51.100.7", "a", "v"));
        Decision refused = n.b.authorize(request(t, "wrong", "198.51.100.7", "a", "v"));
        assertFalse(continued.newPlayback());
        assertFalse(n.repoA.release(continued, 404, clock.instant()));
        assertFalse(n.repoA.release(refused, 404, clock.instant()));
        assertFalse(n.b.release(first, 304), "only failed statuses give a use back");
        assertEquals(2, n.repoA.find(t.key()).orElseThrow().uses());
        assertNotNull(n.repoA.find(t.key()).orElseThrow().usedDate());
        assertTrue(n.b.release(first, 502));
        assertEquals(3, n.repoA.find(t.key()).orElseThrow().uses());
    }

    @Test
    void aSlotAnotherOpenPlaybackStandsOnStaysBound() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("a", "v*", "passpasspass", "auto", 5, "+1 hour"));
        Decision v1 = n.a.authorize(request(t, t.pass(), "198.51.100.7", "a", "v1"));
        clock.advance(Duration.ofSeconds(1));
        Decision v2 = n.b.authorize(request(t, t.pass(), "198.51.100.7", "a", "v2"));
        assertTrue(v1.newPlayback() && v2.newPlayback());
        assertEquals(0, v1.boundSlot());
        assertEquals(-1, v2.boundSlot());
        assertTrue(n.repoB.release(v1, 404, clock.instant()));
        Ticket after = n.repoA.find(t.key()).orElseThrow();
        assertEquals(4, after.uses());
        assertEquals(1, after.ip().boundCount(), "v2 still plays from the bound network");
        assertEquals(v2.opened().started(), after.usedDate(), "the first playback served is v2's");
        assertEquals(Reason.SUCCESS, decide(n.a, t, t.pass(), "198.51.100.7", "a", "v2"));
    }

    @Test
    void racingReleasesOfOneGrantGiveOneUseBack() throws Exception {
        Nodes n = nodes();
        for (int run = 0; run < raceRuns(); run++) {
            Ticket t = n.a.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "auto/24|auto/24", 2, "+1 hour"));
            Decision grant = n.a.authorize(request(t, t.pass(), "198.51.100.7", "a", "v"));
            CountDownLatch ready = new CountDownLatch(32);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> futures = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                TicketRepository node = i % 2 == 0 ? n.repoA : n.repoB;
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return node.release(grant, 404, clock.instant());
                }));
            }
            ready.await();
            go.countDown();
            int released = 0;
            for (Future<Boolean> f : futures) {
                released += f.get() ? 1 : 0;
            }
            assertEquals(1, released, "run " + run);
            Ticket after = n.repoB.find(t.key()).orElseThrow();
            assertEquals(2, after.uses(), "run " + run);
            assertEquals(0, after.ip().boundCount());
        }
    }

    @Test
    void aGrantDecidedAtANanosecondInstantIsReleasedToo() throws Exception {
        Nodes n = nodes();
        Ticket t = n.a.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "auto", 1, "+1 hour"));
        clock.set(clock.instant().plusNanos(123_456_789)); // finer than a database's timestamps
        Decision grant = n.a.authorize(request(t, t.pass(), "198.51.100.7", "a", "v"));
        assertTrue(n.repoB.release(grant, 404, clock.instant()));
        assertEquals(1, n.repoA.find(t.key()).orElseThrow().uses());
        assertEquals(404, n.repoA.attempts(t.key(), null, 10).get(0).failedStatus());
    }
}
