package dev.usher.core.viewer;

import dev.usher.core.net.IpNetwork;
import dev.usher.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounds and bookkeeping of one node's viewer store (issue 16). */
class InMemoryViewerStoreTest {

    static final IpNetwork NET = IpNetwork.parse("198.51.100.7");
    final MutableClock clock = MutableClock.at("2026-12-01T12:00:00Z");

    static Sighting sighting(String player, String ticket) {
        return new Sighting(player, ticket, "live", "cam", Format.HLS, NET);
    }

    int count(ViewerStore store) {
        return store.tally(clock.instant()).stream().mapToInt(ViewerTally::count).sum();
    }

    @Test
    void newViewersBeyondTheCapAreRefusedAndCountedWhileKnownOnesGoOn() {
        InMemoryViewerStore store = new InMemoryViewerStore(Duration.ofSeconds(30), Duration.ofDays(1), 3, 100);
        for (int i = 0; i < 5; i++) {
            store.seen(sighting("p" + i, "t"), clock.instant());
        }
        assertEquals(3, store.size());
        assertEquals(2, store.refusedSightings());
        clock.advance(Duration.ofSeconds(20));
        store.seen(sighting("p0", "t"), clock.instant());
        clock.advance(Duration.ofSeconds(15));
        assertEquals(1, count(store), "p0 renewed; p1, p2 gone");
        store.seen(sighting("p9", "t"), clock.instant());
        assertEquals(2, count(store), "room again once the old ones are swept");
        assertEquals(new TicketViewing(2, 4, 20), store.ofTicket("t", clock.instant()));
    }

    @Test
    void ticketFiguresAreForgottenAfterRetentionAndBounded() {
        InMemoryViewerStore store = new InMemoryViewerStore(Duration.ofSeconds(30), Duration.ofHours(1), 1000, 10);
        for (int i = 0; i < 10; i++) {
            store.seen(sighting("p" + i, "t" + i), clock.instant());
            clock.advance(Duration.ofSeconds(1));
        }
        clock.advance(Duration.ofMinutes(1));
        // The table is full of idle tickets: a new ticket makes room by dropping the longest idle.
        store.seen(sighting("new", "t-new"), clock.instant());
        assertEquals(1, store.ofTicket("t-new", clock.instant()).active());
        assertEquals(0, store.refusedSightings());
        assertEquals(0, store.ofTicket("t0", clock.instant()).playbacks(), "the longest idle went first");
        assertEquals(1, store.ofTicket("t9", clock.instant()).playbacks());
        clock.advance(Duration.ofHours(2));
        store.tally(clock.instant());
        clock.advance(Duration.ofMinutes(1));
        store.tally(clock.instant());
        assertEquals(new TicketViewing(0, 0, 0), store.ofTicket("t9", clock.instant()), "past retention");
    }

    /** The segment path's shortcut: a held viewer is seen again by its id alone; an unknown one is left to seen. */
    @Test
    void aHeldViewerIsSeenAgainByItsIdAndAnUnknownOneIsNotRecorded() {
        InMemoryViewerStore store = new InMemoryViewerStore(Duration.ofSeconds(30));
        store.seen(sighting("a", "t"), clock.instant());
        clock.advance(Duration.ofSeconds(20));
        assertTrue(store.seenAgain("a", clock.instant()));
        assertFalse(store.seenAgain("b", clock.instant()), "not held: the caller tells the whole sighting");
        assertEquals(1, store.size(), "an unknown id records nothing");
        clock.advance(Duration.ofSeconds(15));
        assertEquals(1, count(store), "a seen again 15 s ago, within the 30 s window");
        assertEquals(1, store.activeOf("t", null, clock.instant()));
    }

    /**
     * A player idle past the window that resumes before any sweep forgot it is a new playback, and
     * its idle time is not viewing: touching the held viewer counted 40 s watched and one playback.
     */
    @Test
    void aPlayerIdlePastTheWindowResumesAsANewPlaybackNotSwept() {
        InMemoryViewerStore store = new InMemoryViewerStore(Duration.ofSeconds(30));
        store.seen(sighting("a", "t"), clock.instant());
        clock.advance(Duration.ofSeconds(10));
        store.seen(sighting("a", "t"), clock.instant()); // 10 s watched
        clock.advance(Duration.ofSeconds(40)); // idle past the window; no reading or new viewer swept it
        assertEquals(1, store.size(), "still held");
        assertFalse(store.seenAgain("a", clock.instant()), "idle: left to seen, which counts a new playback");
        store.seen(sighting("a", "t"), clock.instant());
        clock.advance(Duration.ofSeconds(5));
        assertTrue(store.seenAgain("a", clock.instant()), "active again");
        assertEquals(new TicketViewing(1, 2, 15), store.ofTicket("t", clock.instant()),
                "two playbacks, 10 s + 5 s watched, the 40 s idle not counted");
        assertEquals(1, store.activeOf("t", null, clock.instant()));
    }

    @Test
    void activeOfLeavesOutTheAskingPlayer() {
        InMemoryViewerStore store = new InMemoryViewerStore(Duration.ofSeconds(30));
        store.seen(sighting("a", "t"), clock.instant());
        store.seen(sighting("b", "t"), clock.instant());
        store.seen(sighting("c", "other"), clock.instant());
        assertEquals(2, store.activeOf("t", null, clock.instant()));
        assertEquals(1, store.activeOf("t", "a", clock.instant()));
        assertEquals(2, store.activeOf("t", "new", clock.instant()));
        assertEquals(0, store.activeOf("nothing", null, clock.instant()));
    }

    /** Many threads sighting the same and different players: each player counts once, none is lost. */
    @Test
    void concurrentSightingsCountEachPlayerOnce() throws Exception {
        InMemoryViewerStore store = new InMemoryViewerStore(Duration.ofSeconds(30));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int thread = 0; thread < 4; thread++) {
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < 20_000; i++) {
                    store.seen(sighting("p" + (i % 500), "t" + (i % 50)), clock.instant());
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertEquals(500, count(store));
        int playbacks = 0;
        for (int t = 0; t < 50; t++) {
            playbacks += store.ofTicket("t" + t, clock.instant()).playbacks();
        }
        assertEquals(500, playbacks);
        assertTrue(store.refusedSightings() == 0);
    }

    @Test
    void noViewersKeepsNothing() {
        NoViewers none = new NoViewers(Duration.ofSeconds(30));
        none.seen(sighting("a", "t"), clock.instant());
        assertEquals(0, count(none));
        assertEquals(0, none.activeOf("t", null, clock.instant()));
        assertEquals(new TicketViewing(0, 0, 0), none.ofTicket("t", clock.instant()));
    }
}
