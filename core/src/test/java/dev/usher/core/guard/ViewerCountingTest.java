package dev.usher.core.guard;

import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.media.MediaPath;
import dev.usher.core.net.IpAddress;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.RevocationWatch;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import dev.usher.core.viewer.Format;
import dev.usher.core.viewer.InMemoryViewerStore;
import dev.usher.core.viewer.NoViewers;
import dev.usher.core.viewer.TicketViewing;
import dev.usher.core.viewer.ViewerTally;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Viewer counting at the guard (issue 16): every authorized request is a sighting of one player,
 * named by the credential its manifest entry minted (HLS, DASH) or by ticket, file and address (MP4);
 * a refused request never is. The clock is moved by hand.
 */
class ViewerCountingTest {

    static final IpAddress ALICE = IpAddress.parse("198.51.100.7");
    static final IpAddress BOB = IpAddress.parse("2001:db8::7");
    static final Duration WINDOW = Duration.ofSeconds(30);

    final Fixture f = new Fixture();
    final PlaybackCredentials credentials = PlaybackCredentials.of("k1", PlaybackCredentials.newSecret());
    final RevocationWatch revocations = new RevocationWatch(f.repository, Duration.ofHours(6));
    final InMemoryViewerStore viewers = new InMemoryViewerStore(WINDOW);
    final MediaGuard guard = new MediaGuard(f.service, credentials, revocations, Duration.ofHours(6), viewers);

    Ticket ticket(String video, String ip) {
        return f.service.issue(Fixture.STEF, IssueRequest.of("stef-live", video, "pass-1", ip, 5, "+1 day"));
    }

    MediaGuard.Verdict enter(MediaGuard g, Ticket t, String path, IpAddress client) {
        return g.decide(MediaPath.of("stef-live", path), t.key(), "pass-1", null, client, null);
    }

    MediaGuard.Verdict enter(Ticket t, String path, IpAddress client) {
        return enter(guard, t, path, client);
    }

    MediaGuard.Verdict child(MediaGuard g, String uc, String path, IpAddress client) {
        return g.decide(MediaPath.of("stef-live", path), null, null, uc, client, null);
    }

    MediaGuard.Verdict child(String uc, String path, IpAddress client) {
        return child(guard, uc, path, client);
    }

    int count() {
        return viewers.tally(f.clock.instant()).stream().mapToInt(ViewerTally::count).sum();
    }

    /** A player: its entry, then a variant playlist and a segment of it. */
    String play(Ticket t, IpAddress client) {
        MediaGuard.Verdict entry = enter(t, "show/master.m3u8", client);
        assertTrue(entry.granted(), entry::reason);
        assertTrue(child(entry.credential(), "show/v0/index.m3u8", client).granted());
        assertTrue(child(entry.credential(), "show/v0/seg_1.ts", client).granted());
        return entry.credential();
    }

    @Test
    void twoHlsPlayersOfOneTicketCountTwo() {
        Ticket t = ticket("show", "0.0.0.0/0");
        String first = play(t, ALICE);
        String second = play(t, ALICE);
        assertNotEquals(first, second, "each entry mints its own player");
        assertEquals(2, count());
        List<ViewerTally> tally = viewers.tally(f.clock.instant());
        assertEquals(List.of(new ViewerTally("stef-live", "show", Format.HLS, false, 2)), tally);
        assertEquals(2, viewers.activeOf(t.key(), null, f.clock.instant()));
        assertEquals(new TicketViewing(2, 2, 0), viewers.ofTicket(t.key(), f.clock.instant()));
    }

    @Test
    void renditionsAndAudioAndVideoOfOnePlayerCountOnce() {
        Ticket t = ticket("show", "0.0.0.0/0");
        String uc = play(t, ALICE);
        for (String path : new String[] {"show/v1/index.m3u8", "show/v1/seg_1.ts", "show/audio/index.m3u8",
                "show/audio/seg_1.aac", "show/v0/init.mp4", "show/key.bin", "show/v0/seg_2.ts"}) {
            f.clock.advance(Duration.ofSeconds(2));
            assertTrue(child(uc, path, ALICE).granted(), path);
        }
        assertEquals(1, count());
        assertEquals(1, viewers.ofTicket(t.key(), f.clock.instant()).playbacks());
        assertEquals(14, viewers.ofTicket(t.key(), f.clock.instant()).viewerSeconds());
    }

    @Test
    void dashPlayersAreDashAndCountByFamily() {
        Ticket t = ticket("show", "0.0.0.0/0");
        MediaGuard.Verdict entry = enter(t, "show/manifest.mpd", BOB);
        assertTrue(entry.granted(), entry::reason);
        assertTrue(child(entry.credential(), "show/video/seg-1.m4s", BOB).granted());
        assertEquals(List.of(new ViewerTally("stef-live", "show", Format.DASH, true, 1)), viewers.tally(f.clock.instant()));
        assertEquals(Format.DASH, credentials.authenticate(entry.credential()).credential().format());
    }

    @Test
    void anMp4PlayersRangeRequestsCountOnce() {
        Ticket t = ticket("movies/trailer.mp4", "0.0.0.0/0");
        for (int i = 0; i < 5; i++) {
            assertTrue(enter(t, "movies/trailer.mp4", ALICE).granted());
            f.clock.advance(Duration.ofSeconds(3));
        }
        assertEquals(List.of(new ViewerTally("stef-live", "movies/trailer.mp4", Format.MP4, false, 1)),
                viewers.tally(f.clock.instant()));
        assertEquals(1, viewers.ofTicket(t.key(), f.clock.instant()).playbacks());
        // Another address is another viewer (its own playback).
        assertTrue(enter(t, "movies/trailer.mp4", IpAddress.parse("203.0.113.9")).granted());
        assertEquals(2, count());
    }

    @Test
    void noneAfterTheWindow() {
        Ticket t = ticket("show", "0.0.0.0/0");
        String uc = play(t, ALICE);
        f.clock.advance(WINDOW.minusSeconds(1));
        assertEquals(1, count(), "still inside the window");
        assertTrue(child(uc, "show/v0/seg_2.ts", ALICE).granted());
        f.clock.advance(WINDOW.minusSeconds(1));
        assertEquals(1, count(), "the segment renewed it");
        f.clock.advance(Duration.ofSeconds(1));
        assertEquals(0, count());
        assertEquals(0, viewers.activeOf(t.key(), null, f.clock.instant()));
        TicketViewing figures = viewers.ofTicket(t.key(), f.clock.instant());
        assertEquals(new TicketViewing(0, 1, 29), figures, "the figures outlive the viewer");
        f.clock.advance(WINDOW);
        assertEquals(0, count());
        assertEquals(0, viewers.size(), "a viewer past the window is forgotten (by the next sweep)");
        assertEquals(new TicketViewing(0, 1, 29), viewers.ofTicket(t.key(), f.clock.instant()), "its seconds kept");
    }

    @Test
    void refusedRequestsAreNeverSightings() {
        Ticket t = ticket("show", "198.51.100.0/24");
        String uc = play(t, ALICE);
        f.clock.advance(WINDOW);
        assertEquals(0, count());
        // A child from outside the credential's network, a forged one, a wrong pass: refused, not counted.
        assertFalse(child(uc, "show/v0/seg_3.ts", IpAddress.parse("203.0.113.1")).granted());
        assertFalse(child(uc.substring(0, uc.length() - 2) + "AA", "show/v0/seg_3.ts", ALICE).granted());
        assertFalse(child(uc, "other/seg_3.ts", ALICE).granted(), "out of scope");
        assertFalse(guard.decide(MediaPath.of("stef-live", "show/master.m3u8"), t.key(), "wrong", null, ALICE, null).granted());
        assertEquals(0, count());
        // A revoked ticket's children: refused once the watch knows, and not counted.
        f.service.revoke(Fixture.STEF, t.key());
        revocations.refresh(f.clock.instant());
        MediaGuard.Verdict revoked = child(uc, "show/v0/seg_3.ts", ALICE);
        assertFalse(revoked.granted());
        assertEquals("Token Revoked", revoked.reason());
        assertEquals(0, count());
    }

    @Test
    void aPlayerThatRepeatsKeyAndPassBesideItsCredentialStaysOnePlayer() {
        Ticket t = ticket("show", "0.0.0.0/0");
        String uc = play(t, ALICE);
        MediaGuard.Verdict variant = guard.decide(MediaPath.of("stef-live", "show/v0/index.m3u8"), t.key(), "pass-1", uc,
                ALICE, null);
        assertTrue(variant.granted());
        assertEquals(PlaybackCredentials.playerIdOf(credentials.authenticate(uc).credential()),
                PlaybackCredentials.playerIdOf(credentials.authenticate(variant.credential()).credential()));
        assertTrue(guard.decide(MediaPath.of("stef-live", "show/v0/seg_9.ts"), t.key(), "pass-1", uc, ALICE, null).granted());
        assertEquals(List.of(new ViewerTally("stef-live", "show", Format.HLS, false, 1)), viewers.tally(f.clock.instant()),
                "a segment with key and pass is not an MP4 viewer");
    }

    @Test
    void aVersionOneCredentialStillCountsAsOnePlayer() {
        Ticket t = ticket("show", "0.0.0.0/0");
        String v1 = credentials.sign(t.key(), "stef-live", "show", dev.usher.core.net.IpNetwork.host(ALICE),
                f.clock.instant().plusSeconds(3600));
        assertTrue(child(v1, "show/v0/seg_1.ts", ALICE).granted());
        assertTrue(child(v1, "show/v1/seg_1.ts", ALICE).granted());
        assertEquals(List.of(new ViewerTally("stef-live", "show", Format.OTHER, false, 1)), viewers.tally(f.clock.instant()));
    }

    @Test
    void withCountingOffNothingIsCountedAndPlaybackWorks() {
        NoViewers none = new NoViewers(WINDOW);
        MediaGuard off = new MediaGuard(f.service, credentials, revocations, Duration.ofHours(6), none);
        Ticket t = ticket("show", "0.0.0.0/0");
        MediaGuard.Verdict entry = enter(off, t, "show/master.m3u8", ALICE);
        assertTrue(entry.granted());
        assertTrue(child(off, entry.credential(), "show/v0/seg_1.ts", ALICE).granted());
        assertEquals(List.of(), none.tally(f.clock.instant()));
        assertEquals(0, count(), "the other guard's store saw nothing either");
    }
}
