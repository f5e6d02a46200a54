package dev.usher.core.manifest;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a rewrite allocates, counted by the JVM for this thread (not timed: the count is the same
 * on a loaded machine, and the JIT can only lower it). Issue 17, item 5: a 30 kB playlist of 1,000
 * segments allocated 1.29 MB per rewrite, eight times its output (a String per URI and its
 * rewritten copy, in each of two passes, then the output copied through a stream); now it is about
 * the output once. The DASH rewrite of a 1,000-entry SegmentList allocated 1.54 MB, 9.7 times its
 * output (0.69 MB with the writer's changes alone); read by the scanner instead of StAX, 0.62 MB, of
 * which the output array and its copy for {@code toByteArray} are half.
 */
class ManifestAllocationTest {

    static final ChildQuery CREDENTIAL = new ChildQuery("uc", "A".repeat(110)); // as long as a real one

    static byte[] mediaPlaylist(int segments) {
        StringBuilder out = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n"
                + "#EXT-X-KEY:METHOD=AES-128,URI=\"key.bin\",IV=0x9c7db8778570d05c3177c349fd9236aa\n"
                + "#EXT-X-MAP:URI=\"init.mp4\"\n");
        for (int i = 0; i < segments; i++) {
            out.append("#EXTINF:2.000000,\nsegment_").append(String.format("%05d", i)).append(".m4s\n");
        }
        return out.append("#EXT-X-ENDLIST\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @return the bytes this thread allocates for one call of {@code work} (the least of a few) */
    static long allocated(Supplier<byte[]> work) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            long before = threads.getThreadAllocatedBytes(id);
            byte[] out = work.get();
            long after = threads.getThreadAllocatedBytes(id);
            assertTrue(out.length > 0);
            least = Math.min(least, after - before);
        }
        return least;
    }

    @Test
    void anHlsRewriteAllocatesAboutItsOutputOnce() {
        byte[] in = mediaPlaylist(1000);
        URI url = URI.create("https://media.example.com/live/show/index.m3u8");
        int output = HlsPlaylistRewriter.DEFAULT.rewrite(in, url, CREDENTIAL).length;
        long bytes = allocated(() -> HlsPlaylistRewriter.DEFAULT.rewrite(in, url, CREDENTIAL));
        assertTrue(bytes < output * 5L / 4, bytes + " bytes allocated for an output of " + output);
    }

    @Test
    void aDashRewriteAllocatesLessThanFourAndAQuarterTimesItsOutput() {
        StringBuilder mpd = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                + "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\" mediaPresentationDuration=\"PT2000S\">\n"
                + "\t<Period id=\"0\">\n\t\t<AdaptationSet contentType=\"video\" mimeType=\"video/mp4\">\n"
                + "\t\t\t<Representation id=\"v0\" bandwidth=\"800000\">\n\t\t\t\t<SegmentList timescale=\"1000\" duration=\"2000\">\n"
                + "\t\t\t\t\t<Initialization sourceURL=\"init.mp4\"/>\n");
        for (int i = 0; i < 1000; i++) {
            mpd.append("\t\t\t\t\t<SegmentURL media=\"segment_").append(String.format("%05d", i)).append(".m4s\"/>\n");
        }
        byte[] in = mpd.append("\t\t\t\t</SegmentList>\n\t\t\t</Representation>\n\t\t</AdaptationSet>\n\t</Period>\n</MPD>\n")
                .toString().getBytes(StandardCharsets.UTF_8);
        URI url = URI.create("https://media.example.com/vod/show/manifest.mpd");
        int output = DashManifestRewriter.DEFAULT.rewrite(in, url, CREDENTIAL).length;
        long bytes = allocated(() -> DashManifestRewriter.DEFAULT.rewrite(in, url, CREDENTIAL));
        assertTrue(bytes < output * 17L / 4, bytes + " bytes allocated for an output of " + output);
    }
}
