package dev.usher.core.http;

import dev.usher.core.media.MediaPath;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The playback URL layout is printed and parsed in one place: what is printed parses back to the same media item. */
class MediaLayoutTest {

    private static final MediaLayout BY_FOLDER = new MediaLayout(List.of("/media/", "/vod/"), null);
    private static final MediaLayout FIXED = MediaLayout.of("/api/vault/", "demo-vod");

    @Test
    void whatIsPrintedParsesBack() {
        for (String path : List.of("movies/trailer.mp4", "hls ts/master.m3u8", "ä/ü ö+&?#.mpd", "a/b/c/seg_000.ts")) {
            String printed = BY_FOLDER.path("demo vod", path);
            MediaPath parsed = BY_FOLDER.parse(java.net.URLDecoder.decode(printed.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(MediaPath.of("demo vod", path), parsed, printed);
            MediaPath fixed = FIXED.parse(java.net.URLDecoder.decode(FIXED.path("demo-vod", path).replace("+", "%2B"),
                    java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(MediaPath.of("demo-vod", path), fixed);
        }
        assertEquals("/media/demo-vod/hls%20ts/master.m3u8", BY_FOLDER.path("demo-vod", "hls ts/master.m3u8"));
        assertEquals("/api/vault/demo.mp4", FIXED.path("demo-vod", "demo.mp4"), "a fixed app is not in the path");
    }

    @Test
    void anEntryUrlCarriesKeyPassAndABoundedRefurl() {
        assertEquals("/site/media/vod/a.mp4?key=k1&pass=alice%7Cx%2By",
                BY_FOLDER.entryUrl("/site", "vod", "a.mp4", "k1", "alice|x+y", null));
        assertEquals("/media/vod/a.mp4?key=k&pass=p&refurl=https%3A%2F%2Fs.example%2F%3Fq%3Da+b",
                BY_FOLDER.entryUrl("", "vod", "a.mp4", "k", "p", "https://s.example/?q=a b"));
        String cut = BY_FOLDER.entryUrl("", "vod", "a.mp4", "k", "p", "x".repeat(5000));
        assertEquals(MediaLayout.MAX_REFURL, cut.length() - cut.indexOf("&refurl=") - "&refurl=".length());
        assertEquals(BY_FOLDER.entryUrl("", "vod", "a.mp4", "k", "p", null), BY_FOLDER.entryUrl("", "vod", "a.mp4", "k", "p", ""));
    }

    @Test
    void aPathUnderNoPrefixOrNamingNoItemIsNoMedia() {
        assertNull(BY_FOLDER.parse("/other/vod/a.mp4"));
        assertNull(BY_FOLDER.parse("/media/vod/"));
        assertEquals(MediaPath.of("vod", "a.mp4"), BY_FOLDER.parse("/vod/vod/a.mp4"), "any prefix parses; the first prints");
        assertThrows(IllegalArgumentException.class, () -> MediaLayout.of("media", null));
        assertThrows(IllegalStateException.class, () -> new MediaLayout(List.of(), null).path("vod", "a.mp4"));
    }
}
