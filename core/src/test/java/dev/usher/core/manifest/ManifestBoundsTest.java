package dev.usher.core.manifest;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static dev.usher.core.manifest.Fixtures.UC;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attack's amplification and exhaustion manifests (issue 10, item 5): a rewrite is bounded in
 * output as well as input, and DASH in elements, depth and time; a refused rewrite is an exception
 * before any output, never an error that escapes (StackOverflowError) or a partial result.
 */
class ManifestBoundsTest {

    static final URI HLS_URL = URI.create("https://media.example.com/media/live/show/index.m3u8");
    static final URI MPD_URL = URI.create("https://media.example.com/media/live/show/manifest.mpd");

    /** A playlist of one-character URIs: each line grows by the credential's length. */
    static byte[] shortUris(int bytes) {
        StringBuilder b = new StringBuilder("#EXTM3U\n");
        while (b.length() + 2 <= bytes) {
            b.append("a\n");
        }
        return b.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void anHlsPlaylistThatWouldGrowPastTheLimitIsRefusedNotAmplified() {
        HlsPlaylistRewriter rewriter = new HlsPlaylistRewriter(64 * 1024);
        byte[] in = shortUris(60 * 1024); // under the limit; rewritten it would be 17 times larger
        ManifestTooLargeException e = assertThrows(ManifestTooLargeException.class,
                () -> rewriter.rewrite(in, HLS_URL, UC));
        assertEquals(64 * 1024, e.limit());
        assertTrue(e.getMessage().startsWith("rewritten manifest"), e.getMessage());
    }

    @Test
    void theAttacksFourMegabytePlaylistIsRefusedByTheDefaults() {
        byte[] in = shortUris(ManifestRewriter.DEFAULT_MAX_BYTES - 16);
        assertThrows(ManifestTooLargeException.class, () -> HlsPlaylistRewriter.DEFAULT.prepare(in, HLS_URL, UC));
    }

    @Test
    void hlsOutputIsStreamedWithItsLengthKnownFirst() throws Exception {
        byte[] in = ("#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4\"\r\n#EXTINF:2,\nseg_0.ts\n#EXTINF:2,\n  seg_1.ts  \n"
                + "#EXT-X-KEY:METHOD=AES-128,URI=\"https://keys.example.net/k\"\n#EXTINF:2,\nseg_2.ts")
                .getBytes(StandardCharsets.ISO_8859_1);
        Rewritten out = HlsPlaylistRewriter.DEFAULT.prepare(in, HLS_URL, UC);
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        out.writeTo(first);
        assertEquals(out.length(), first.size());
        String q = "?uc=" + UC.value();
        assertEquals("#EXTM3U\n#EXT-X-MAP:URI=\"init.mp4" + q + "\"\r\n#EXTINF:2,\nseg_0.ts" + q + "\n#EXTINF:2,\n  seg_1.ts"
                + q + "  \n#EXT-X-KEY:METHOD=AES-128,URI=\"https://keys.example.net/k\"\n#EXTINF:2,\nseg_2.ts" + q,
                first.toString(StandardCharsets.ISO_8859_1));
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        out.writeTo(second);
        assertArrayEquals(first.toByteArray(), second.toByteArray());
        // The output limit is inclusive: a result of exactly the limit is served.
        HlsPlaylistRewriter exact = new HlsPlaylistRewriter(new ManifestLimits(in.length, out.length(),
                ManifestLimits.DEFAULT_MAX_ELEMENTS, ManifestLimits.DEFAULT_MAX_DEPTH, ManifestLimits.DEFAULT_MAX_TIME));
        assertEquals(out.length(), exact.prepare(in, HLS_URL, UC).length());
        HlsPlaylistRewriter under = new HlsPlaylistRewriter(new ManifestLimits(in.length, out.length() - 1,
                ManifestLimits.DEFAULT_MAX_ELEMENTS, ManifestLimits.DEFAULT_MAX_DEPTH, ManifestLimits.DEFAULT_MAX_TIME));
        assertThrows(ManifestTooLargeException.class, () -> under.prepare(in, HLS_URL, UC));
    }

    /** An MPD with {@code count} SegmentURLs in one Representation. */
    static byte[] segmentUrls(int count) {
        StringBuilder b = new StringBuilder("<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\"><Period><AdaptationSet>"
                + "<Representation id=\"v\"><SegmentList>");
        for (int i = 0; i < count; i++) {
            b.append("<SegmentURL media=\"").append(i % 10).append("\"/>"); // 23 bytes each
        }
        return b.append("</SegmentList></Representation></AdaptationSet></Period></MPD>")
                .toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anMpdWithTheAttacks148kSegmentUrlsIsRefusedByItsElementCount() {
        byte[] in = segmentUrls(148_000);
        assertTrue(in.length < ManifestRewriter.DEFAULT_MAX_BYTES);
        ManifestException e = assertThrows(ManifestException.class, () -> DashManifestRewriter.DEFAULT.prepare(in, MPD_URL, UC));
        assertTrue(e.getMessage().contains("elements"), e.getMessage());
    }

    @Test
    void aDeeplyNestedMpdIsRefusedNotAStackOverflow() {
        for (String element : new String[] {"Period", "x"}) {
            StringBuilder b = new StringBuilder("<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\">");
            b.append(("<" + element + ">").repeat(3000)).append("<BaseURL>a.mp4</BaseURL>")
                    .append(("</" + element + ">").repeat(3000)).append("</MPD>");
            byte[] in = b.toString().getBytes(StandardCharsets.UTF_8);
            ManifestException e = assertThrows(ManifestException.class, () -> DashManifestRewriter.DEFAULT.prepare(in, MPD_URL, UC));
            assertTrue(e.getMessage().contains("deeper than 64"), e.getMessage());
        }
        // Within the depth limit, deep nesting is rewritten (and nothing recurses).
        StringBuilder b = new StringBuilder("<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\">");
        b.append("<Period>".repeat(60)).append("<BaseURL>a.mp4</BaseURL>").append("</Period>".repeat(60)).append("</MPD>");
        DashManifestRewriter deep = new DashManifestRewriter(new ManifestLimits(1 << 20, 1 << 20, 1000, 64, Duration.ofSeconds(30)));
        String out = new String(deep.rewrite(b.toString().getBytes(StandardCharsets.UTF_8), MPD_URL, UC), StandardCharsets.UTF_8);
        assertTrue(out.contains("<BaseURL>a.mp4?uc=" + UC.value() + "</BaseURL>"), out);
    }

    @Test
    void dashWorkIsBoundedInTime() {
        DashManifestRewriter hurried = new DashManifestRewriter(new ManifestLimits(1 << 22, 1 << 22, 100_000, 64,
                Duration.ofNanos(1)));
        ManifestException e = assertThrows(ManifestException.class, () -> hurried.prepare(segmentUrls(5_000), MPD_URL, UC));
        assertTrue(e.getMessage().contains("longer than"), e.getMessage());
    }

    @Test
    void anMpdThatWouldGrowPastTheOutputLimitIsRefused() {
        byte[] in = segmentUrls(2_000);
        DashManifestRewriter tight = new DashManifestRewriter(new ManifestLimits(in.length, in.length + 1000L, 100_000, 64,
                Duration.ofSeconds(30)));
        ManifestTooLargeException e = assertThrows(ManifestTooLargeException.class, () -> tight.prepare(in, MPD_URL, UC));
        assertEquals(in.length + 1000L, e.limit());
        Rewritten fine = new DashManifestRewriter(new ManifestLimits(in.length, 1 << 22, 100_000, 64, Duration.ofSeconds(30)))
                .prepare(in, MPD_URL, UC);
        assertEquals(fine.length(), fine.toByteArray().length);
    }
}
