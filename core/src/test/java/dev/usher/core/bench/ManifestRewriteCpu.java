package dev.usher.core.bench;

import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.manifest.ChildQuery;
import dev.usher.core.manifest.DashManifestRewriter;
import dev.usher.core.manifest.HlsPlaylistRewriter;
import dev.usher.core.manifest.ManifestRewriter;
import dev.usher.core.net.IpNetwork;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * The rewrites of {@link ManifestRewriteBenchmark}, timed by the thread's CPU time instead of the
 * wall clock: on a machine shared with other builds (a load average of 20 on 2 cores) JMH's wall
 * time measured mostly the wait for a core, 50 times the work, while CPU time per rewrite stays
 * comparable between alternated runs. Prints the median and the 10th and 90th percentiles of 40
 * batches of 200 rewrites, after 10 s of warm-up.
 * Run: {@code mvn -B -ntp -pl core -Pbench test-compile exec:exec -Dbench.main=dev.usher.core.bench.ManifestRewriteCpu -Dbench=dash}
 * ({@code dash}: the 1,000-entry SegmentList; {@code hls}: the 1,000-segment playlist; {@code template}).
 */
public final class ManifestRewriteCpu {

    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : "dash";
        PlaybackCredentials credentials = PlaybackCredentials.of("k1", PlaybackCredentials.newSecret());
        ChildQuery query = new ChildQuery(PlaybackCredentials.PARAMETER, credentials.sign("mystream.53ffc996dd39d5.39102367",
                "live", "mystream", IpNetwork.parse("203.0.113.7"), Instant.now().plusSeconds(3600)));
        ManifestRewriter rewriter = which.equals("hls") ? HlsPlaylistRewriter.DEFAULT : DashManifestRewriter.DEFAULT;
        URI url = URI.create(which.equals("hls") ? "https://media.example.com/live/mystream/index.m3u8"
                : "https://media.example.com/vod/mystream/manifest.mpd");
        String text = switch (which) {
            case "hls" -> ManifestRewriteBenchmark.mediaPlaylist(1000);
            case "template" -> ManifestRewriteBenchmark.mpd();
            case "dash" -> ManifestRewriteBenchmark.segmentListMpd(1000);
            default -> throw new IllegalArgumentException("dash, hls or template, not " + which);
        };
        byte[] manifest = text.getBytes(StandardCharsets.UTF_8);

        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sink = 0;
        long warm = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < warm) {
            sink += rewriter.rewrite(manifest, url, query).length;
        }
        int batches = 40;
        int batch = 200;
        double[] micros = new double[batches];
        for (int i = 0; i < batches; i++) {
            long start = threads.getCurrentThreadCpuTime();
            for (int k = 0; k < batch; k++) {
                sink += rewriter.rewrite(manifest, url, query).length;
            }
            micros[i] = (threads.getCurrentThreadCpuTime() - start) / 1000.0 / batch;
        }
        Arrays.sort(micros);
        System.out.printf("%s: CPU per rewrite median %.1f us (p10 %.1f, p90 %.1f; %d batches of %d)%s%n", which,
                micros[batches / 2], micros[batches / 10], micros[batches * 9 / 10], batches, batch, sink == 42 ? "" : "");
    }
}
