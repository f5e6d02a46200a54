package dev.usher.core.media;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MediaPathTest {

    @Test
    void aFileIsItsOwnVideo() {
        MediaPath p = MediaPath.parse("vod/movies/trailer.mp4", null);
        assertEquals("vod", p.app());
        assertEquals("movies/trailer.mp4", p.video());
        assertNull(p.manifestPath());
        assertEquals(MediaPath.Kind.FILE, p.kind());
        assertEquals("movies/trailer.mp4", p.scope());
    }

    @Test
    void aManifestsVideoIsItsFolder() {
        MediaPath p = MediaPath.parse("live/mystream/playlist.m3u8", null);
        assertEquals("live", p.app());
        assertEquals("mystream", p.video());
        assertEquals("mystream/playlist.m3u8", p.manifestPath());
        assertEquals(MediaPath.Kind.HLS_MANIFEST, p.kind());
        assertEquals(MediaPath.Kind.DASH_MANIFEST, MediaPath.parse("vod/dash/manifest.MPD", null).kind());
        MediaPath top = MediaPath.parse("live/playlist.m3u8", null);
        assertEquals("playlist.m3u8", top.video());
        assertEquals("", top.scope());
    }

    @Test
    void anM3uPlaylistIsAnHlsManifestAsTheRewriterChooserSays() {
        // RFC 8216 allows .m3u; the guard had taken it for a file, served unrewritten.
        MediaPath p = MediaPath.parse("live/radio/playlist.M3U", null);
        assertEquals(MediaPath.Kind.HLS_MANIFEST, p.kind());
        assertEquals("radio", p.video());
        for (String name : new String[] {"a.m3u8", "a.m3u", "A.MPD", "a.mp4", "a.m3u8.ts", "a.ts", "m3u", "a.m3", "a.mpd.bak"}) {
            assertEquals(dev.usher.core.manifest.ManifestRewriter.forPath(name).isPresent(), MediaPath.Kind.of(name).isManifest(),
                    name + ": one decider");
        }
    }

    /** What {@link MediaPath.Kind#of} decided before its ASCII shortcut: by a lowercased copy of the whole name. */
    private static MediaPath.Kind byLowercasedCopy(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        return lower.endsWith(".m3u8") || lower.endsWith(".m3u") ? MediaPath.Kind.HLS_MANIFEST
                : lower.endsWith(".mpd") ? MediaPath.Kind.DASH_MANIFEST : MediaPath.Kind.FILE;
    }

    @Test
    void theKindWithoutALowercasedCopyIsTheKindWithOne() {
        // every case variant of the extensions, after ASCII and non-ASCII names, and non-ASCII
        // characters in and next to the extension (the Kelvin sign and the dotless i fold to ASCII
        // letters in some case mappings, the long s to 'S', the dotted capital I lowercases to two chars)
        String[] heads = {"", "a", "seg_000", "İ", "dir/ſ", "\u212A", "x\u03A3", "\uD83C\uDFAC"};
        String[] tails = {".m3u8", ".m3u", ".mpd", ".mp4", ".ts", "m3u8", ".m3u8 ", ".m3u\u0131", ".mp\u212A", "\u0130.mpd",
                ".m\u01373u", ".\u017Fpd", ".mpd\u0307", "", "8", ".", "\u03A3.mpd"};
        int n = 0;
        for (String head : heads) {
            for (String tail : tails) {
                for (int mask = 0; mask < 1 << tail.length(); mask++) {
                    StringBuilder t = new StringBuilder();
                    for (int i = 0; i < tail.length(); i++) {
                        char c = tail.charAt(i);
                        t.append((mask & 1 << i) != 0 ? Character.toUpperCase(c) : c);
                    }
                    String name = head + t;
                    assertEquals(byLowercasedCopy(name), MediaPath.Kind.of(name), name);
                    n++;
                }
            }
        }
        assertTrue(n > 1000, n + " names");
    }

    @Test
    void aFixedAppTakesTheWholePath() {
        MediaPath p = MediaPath.parse("mystream/playlist.m3u8", "live");
        assertEquals("live", p.app());
        assertEquals("mystream", p.video());
    }

    @Test
    void nothingUnderTheAppIsNoMedia() {
        assertNull(MediaPath.parse("vod", null));
        assertNull(MediaPath.parse("vod/", null));
        assertNull(MediaPath.parse("vod/dir/", null));
        assertNull(MediaPath.parse("", null));
    }

    @Test
    void scopeCoversTheFolderAndBelowOnly() {
        // The scope of a manifest's credential, checked against its children's paths as the guard does.
        assertTrue(covers("vod", MediaPath.parse("vod/hls/master.m3u8", null).scope(), MediaPath.parse("vod/hls/v0/seg_000.ts", null)));
        assertTrue(covers("vod", MediaPath.parse("vod/master.m3u8", null).scope(), MediaPath.parse("vod/x/y.ts", null)));
        assertFalse(covers("vod", "hls", MediaPath.parse("vod/hls2/seg.ts", null)));
        assertFalse(covers("vod", "hls", MediaPath.parse("live/hls/seg.ts", null)));
    }

    private static boolean covers(String app, String scope, MediaPath child) {
        return new dev.usher.core.credential.PlaybackCredential(app, scope, dev.usher.core.net.IpNetwork.ANY,
                java.time.Instant.EPOCH, "k", "t").covers(child.app(), child.path());
    }
}
