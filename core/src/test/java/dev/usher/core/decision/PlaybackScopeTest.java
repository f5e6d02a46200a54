package dev.usher.core.decision;

import dev.usher.core.media.MediaPath;
import dev.usher.core.net.IpAddress;
import dev.usher.core.net.IpNetwork;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an open playback covers (issue 11, item 1): its package folder and below, or its file alone. */
class PlaybackScopeTest {

    static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    static String scopeOf(String app, String path) {
        return Playback.scopeOf(PlaybackRequest.of(MediaPath.parse(path, app), "k", "p", IpAddress.parse("192.0.2.1"),
                null, null));
    }

    static Playback playback(String scope) {
        return new Playback(scope, IpNetwork.parse("192.0.2.1/32"), T, T);
    }

    @Test
    void aManifestCoversItsFolderAFileItself() {
        assertEquals("live/show/", scopeOf("live", "show/master.m3u8"));
        assertEquals("live/show/", scopeOf("live", "show/manifest.mpd"));
        assertEquals("live/", scopeOf("live", "playlist.m3u8"), "a manifest at the top covers the app, as its credentials");
        assertEquals("vod/movies/trailer.mp4", scopeOf("vod", "movies/trailer.mp4"));
        assertEquals("live/show/v0/", scopeOf("live", "show/v0/index.m3u8"));
    }

    @Test
    void insideMeansTheSameAppAndTheFolderOrBelow() {
        Playback p = playback("live/show/");
        assertTrue(p.covers("live", "show/master.m3u8"));
        assertTrue(p.covers("live", "show/v0/seg_000.ts"));
        assertTrue(p.covers("live", "show/a/b/c/init.mp4"));
        assertFalse(p.covers("live", "showx/seg.ts"), "a sibling sharing the prefix");
        assertFalse(p.covers("live", "other/seg.ts"));
        assertFalse(p.covers("vod", "show/seg.ts"), "another app");
        assertFalse(p.covers("liv", "e/show/seg.ts"), "the app is not a prefix of the path");
        assertFalse(p.covers("live", "show"), "the folder itself is no file of it");
    }

    @Test
    void aFileCoversOnlyItself() {
        Playback p = playback("vod/movies/trailer.mp4");
        assertTrue(p.covers("vod", "movies/trailer.mp4"));
        assertFalse(p.covers("vod", "movies/trailer.mp4/x"));
        assertFalse(p.covers("vod", "movies/trailer.mp"));
        assertFalse(p.covers("vod", "movies/other.mp4"));
    }

    @Test
    void aPathThatCouldLeaveTheFolderIsNeverInside() {
        Playback p = playback("live/show/");
        assertFalse(p.covers("live", "show/../other/seg.ts"));
        assertFalse(p.covers("live", "show/./seg.ts"));
        assertFalse(p.covers("live", "show//seg.ts"));
        assertFalse(p.covers("live", "show/"));
        // An adapter's folder-like or empty path opens a playback no request continues.
        assertEquals(Playback.NOTHING, Playback.scopeOf(PlaybackRequest.of("k", "p", IpAddress.parse("192.0.2.1"), "live", "show/")));
        assertEquals(Playback.NOTHING, Playback.scopeOf(PlaybackRequest.of("k", "p", IpAddress.parse("192.0.2.1"), "live", "")));
        assertFalse(playback(Playback.NOTHING).covers("live", "show/seg.ts"));
    }

    @Test
    void aScopeTooLongToStoreCoversNothing() {
        String path = "a/".repeat(1100) + "master.m3u8";
        assertEquals(Playback.NOTHING, scopeOf("live", path));
    }

    @Test
    void theStartOfAPlaybackIsFoundByItsAttemptsVideo() {
        assertTrue(playback("live/show/").startedBy("live", "show"), "a package's attempt names its folder");
        assertTrue(playback("live/").startedBy("live", "playlist.m3u8"));
        assertTrue(playback("vod/movies/trailer.mp4").startedBy("vod", "movies/trailer.mp4"));
        assertFalse(playback("live/show/").startedBy("live", "sho"));
        assertFalse(playback("live/show/").startedBy("vod", "show"));
    }

    /**
     * The playbacks of many tickets in one package folder share one scope text, which every
     * continuing request compares its path with: one copy stays in the CPU's caches (and in the
     * heap) rather than one per ticket. Requests parsed apart, with their own strings, still get it.
     */
    @Test
    void playbacksOfOneFolderShareOneScopeText() {
        String a = Playback.scopeOf(PlaybackRequest.of(MediaPath.parse(new String("show/master.m3u8".toCharArray()),
                new String("live".toCharArray())), "k1", "p", IpAddress.parse("192.0.2.1"), null, null));
        String b = Playback.scopeOf(PlaybackRequest.of(MediaPath.parse(new String("show/master.m3u8".toCharArray()),
                new String("live".toCharArray())), "k2", "p", IpAddress.parse("192.0.2.2"), null, null));
        assertEquals("live/show/", a);
        org.junit.jupiter.api.Assertions.assertSame(a, b);
    }
}
