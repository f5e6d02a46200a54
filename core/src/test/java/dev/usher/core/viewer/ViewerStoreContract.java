package dev.usher.core.viewer;

import dev.usher.core.net.IpAddress;
import dev.usher.core.net.IpNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every ViewerStore does (one node's memory, the JDBC table on H2 and PostgreSQL): a viewer is
 * one player instance, active while its latest request is less than the window old. A store that
 * writes at intervals is {@link #settle settled} before each read, as its flusher would be.
 */
public abstract class ViewerStoreContract {

    protected static final Instant T = Instant.parse("2026-12-01T10:00:00Z");
    protected static final Duration WINDOW = Duration.ofSeconds(30);
    protected static final IpNetwork V4 = IpNetwork.host(IpAddress.parse("203.0.113.7"));
    protected static final IpNetwork V6 = IpNetwork.host(IpAddress.parse("2001:db8::7"));

    /** @return a fresh, empty store whose viewers stay active for {@code window} */
    protected abstract ViewerStore newStore(Duration window) throws Exception;

    /** Makes what {@code store} was told up to {@code now} visible to its reads (a flush); nothing for a store that needs none. */
    protected void settle(ViewerStore store, Instant now) {
    }

    protected void release() throws Exception {
    }

    protected ViewerStore store;

    @BeforeEach
    void open() throws Exception {
        store = newStore(WINDOW);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
        release();
    }

    protected static Sighting hls(String player, String ticket, String video) {
        return new Sighting(player, ticket, "vod", video, Format.HLS, V4);
    }

    private List<ViewerTally> tally(Instant now) {
        settle(store, now);
        return store.tally(now).stream()
                .sorted(Comparator.comparing(ViewerTally::video).thenComparing(ViewerTally::format)
                        .thenComparing(ViewerTally::ipv6))
                .toList();
    }

    private static int total(List<ViewerTally> tally) {
        return tally.stream().mapToInt(ViewerTally::count).sum();
    }

    @Test
    void aPlayerCountsOnceHoweverManyRequestsItMakes() {
        for (int i = 0; i < 50; i++) { // renditions, audio and video, segments: one player
            store.seen(hls("player-a", "ticket-1", "movie"), T.plusMillis(i * 100L));
        }
        assertEquals(List.of(new ViewerTally("vod", "movie", Format.HLS, false, 1)), tally(T.plusSeconds(5)));
        assertEquals(1, store.activeOf("ticket-1", null, T.plusSeconds(5)));
    }

    @Test
    void twoPlayersOnOneTicketCountTwice() {
        store.seen(hls("player-a", "ticket-1", "movie"), T);
        store.seen(hls("player-b", "ticket-1", "movie"), T.plusSeconds(1));
        store.seen(hls("player-c", "ticket-2", "movie"), T.plusSeconds(1));
        assertEquals(List.of(new ViewerTally("vod", "movie", Format.HLS, false, 3)), tally(T.plusSeconds(2)));
        assertEquals(2, store.activeOf("ticket-1", null, T.plusSeconds(2)));
        assertEquals(1, store.activeOf("ticket-1", "player-a", T.plusSeconds(2)), "the others of player-a");
        assertEquals(2, store.activeOf("ticket-1", "player-z", T.plusSeconds(2)), "a player not seen yet: all are others");
        assertEquals(1, store.activeOf("ticket-2", null, T.plusSeconds(2)));
        assertEquals(0, store.activeOf("ticket-3", null, T.plusSeconds(2)));
    }

    @Test
    void aViewerIsActiveUntilItsLatestRequestIsAWindowOld() {
        store.seen(hls("player-a", "ticket-1", "movie"), T);
        store.seen(hls("player-a", "ticket-1", "movie"), T.plusSeconds(20));
        Instant stillActive = T.plusSeconds(20).plus(WINDOW).minusMillis(1);
        assertEquals(1, total(tally(stillActive)));
        assertEquals(1, store.activeOf("ticket-1", null, stillActive));
        assertEquals(1, store.ofTicket("ticket-1", stillActive).active());
        Instant gone = T.plusSeconds(20).plus(WINDOW);
        assertEquals(List.of(), tally(gone));
        assertEquals(0, store.activeOf("ticket-1", null, gone));
        assertEquals(new TicketViewing(0, 1, 20), store.ofTicket("ticket-1", gone), "no longer active, still a playback");
    }

    @Test
    void aViewerThatComesBackIsActiveAgain() {
        store.seen(hls("player-a", "ticket-1", "movie"), T);
        assertEquals(0, total(tally(T.plus(WINDOW).plusSeconds(10))));
        store.seen(hls("player-a", "ticket-1", "movie"), T.plus(WINDOW).plusSeconds(20));
        assertEquals(1, total(tally(T.plus(WINDOW).plusSeconds(21))));
        // Not asserted: whether the resumed player is a second playback of its ticket. The JDBC store
        // keeps one row per player id (1 playback, its idle time in its viewer-seconds); the memory
        // store starts a new playback when its sweep forgot the idle viewer (2, the idle time left out).
    }

    @Test
    void viewersAreGroupedByVideoFormatAndFamily() {
        store.seen(hls("p1", "t1", "movie"), T);
        store.seen(new Sighting("p2", "t1", "vod", "movie", Format.DASH, V4), T);
        store.seen(new Sighting("p3", "t2", "vod", "movie", Format.DASH, V6), T);
        store.seen(new Sighting("p4", "t2", "vod", "movie", Format.DASH, V6), T);
        store.seen(new Sighting("p5", "t3", "vod", "clips/a.mp4", Format.MP4, V4), T);
        store.seen(new Sighting("p6", "t3", "live", "cam", Format.OTHER, V4), T);
        List<ViewerTally> expected = List.of(
                new ViewerTally("live", "cam", Format.OTHER, false, 1),
                new ViewerTally("vod", "clips/a.mp4", Format.MP4, false, 1),
                new ViewerTally("vod", "movie", Format.HLS, false, 1),
                new ViewerTally("vod", "movie", Format.DASH, false, 1),
                new ViewerTally("vod", "movie", Format.DASH, true, 2));
        assertEquals(expected, tally(T.plusSeconds(1)));
    }

    @Test
    void aTicketsFiguresSumItsPlayersTimes() {
        store.seen(hls("player-a", "ticket-1", "movie"), T);
        store.seen(hls("player-a", "ticket-1", "movie"), T.plusSeconds(10));
        settle(store, T.plusSeconds(10));
        store.seen(hls("player-a", "ticket-1", "movie"), T.plusSeconds(20)); // 20 s watched
        store.seen(hls("player-b", "ticket-1", "movie"), T.plusSeconds(15));
        store.seen(hls("player-b", "ticket-1", "movie"), T.plusSeconds(20)); // 5 s watched
        store.seen(hls("player-c", "ticket-2", "movie"), T);
        settle(store, T.plusSeconds(21));
        assertEquals(new TicketViewing(2, 2, 25), store.ofTicket("ticket-1", T.plusSeconds(21)));
        assertEquals(new TicketViewing(0, 2, 25), store.ofTicket("ticket-1", T.plusSeconds(20).plus(WINDOW)));
        assertEquals(new TicketViewing(0, 0, 0), store.ofTicket("never-played", T.plusSeconds(21)));
    }

    @Test
    void aRequestOlderThanTheLatestDoesNotTakeTheViewerBack() {
        store.seen(hls("player-a", "ticket-1", "movie"), T.plusSeconds(20));
        store.seen(hls("player-a", "ticket-1", "movie"), T); // a slow request, answered late
        Instant justActive = T.plusSeconds(20).plus(WINDOW).minusMillis(1);
        assertEquals(1, total(tally(justActive)));
        assertTrue(store.window().equals(WINDOW));
    }
}
