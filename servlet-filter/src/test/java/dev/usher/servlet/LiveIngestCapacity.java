package dev.usher.servlet;

import dev.usher.core.live.LiveSettings;
import dev.usher.core.ticket.Ticket;

import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A benchmark, not a test: how many concurrent live streams of 2-second, 1 Mbit/s segments one
 * node ingests while serving playback. Each virtual encoder PUTs a 250 kB segment and then its
 * playlist every 2 s (as ffmpeg does: chunked, no Content-Length); each stream has a viewer that,
 * every 2 s, loads Usher's playlist through the filter with a ticket and fetches the newest
 * segment with the credential the rewritten playlist carries. A stream keeps up when its segment
 * and playlist are both answered (204) within the segment duration. Encoders, viewers and the
 * server share one JVM and the same cores: pin them with taskset to measure a 2-core node.
 *
 * <pre>
 * mvn -B -ntp -o -q -pl core,servlet-filter test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test
 * taskset -c 0,1 java -Xmx1g -cp servlet-filter/target/test-classes:servlet-filter/target/classes:core/target/classes:$(cat servlet-filter/cp.txt) \
 *     dev.usher.servlet.LiveIngestCapacity 100 60
 * </pre>
 */
public final class LiveIngestCapacity {

    public static void main(String[] args) throws Exception {
        int streams = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        int segmentBytes = 1_000_000 / 8 * 2; // 2 s at 1 Mbit/s
        Path dir = Files.createTempDirectory("usher-live-capacity");
        try (LiveServer server = new LiveServer(dir, LiveSettings.defaults())) {
            server.addStreamUser("live", "*", "bench_user", "bench_password_1");
            String auth = "Basic " + Base64.getEncoder().encodeToString("bench_user:bench_password_1".getBytes(StandardCharsets.UTF_8));
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(Executors.newFixedThreadPool(16)).build();
            // Enough encoder threads that the encoders are never what falls behind (each cycle blocks on its answers).
            ScheduledExecutorService clock = Executors.newScheduledThreadPool(Math.max(16, streams / 2));
            long t0 = System.nanoTime() / 1_000_000 + 500;
            byte[] segment = new byte[segmentBytes];
            new Random(1).nextBytes(segment);
            List<Long> cycles = Collections.synchronizedList(new ArrayList<>());
            AtomicLong late = new AtomicLong();
            AtomicLong failed = new AtomicLong();
            AtomicLong played = new AtomicLong();
            AtomicLong playFailed = new AtomicLong();
            int rounds = seconds / 2;
            for (int s = 0; s < streams; s++) {
                String name = "s" + s;
                String ingest = server.base() + "/usher/ingest/live/" + name + "/";
                Ticket ticket = server.service.issue(LiveServer.ACCOUNT, dev.usher.core.service.IssueRequest.of("live", name,
                        "pass-" + s, "127.0.0.1", 1000, "+1 hour"));
                String playlistUrl = server.playbackUrl(ticket, "live", name + "/playlist.m3u8");
                int[] next = {0};
                long[] first = {-1};
                long offset = 2000L * s / streams; // encoders start spread over one segment duration
                clock.scheduleAtFixedRate(() -> {
                    int i = next[0]++;
                    if (i >= rounds) {
                        return;
                    }
                    long start = System.nanoTime();
                    if (first[0] < 0) {
                        first[0] = start / 1_000_000;
                    }
                    try {
                        int a = http.send(HttpRequest.newBuilder(URI.create(ingest + "seg" + i + ".ts")).header("Authorization", auth)
                                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(segment)))
                                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                        StringBuilder pl = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:"
                                + Math.max(0, i - 4) + "\n");
                        for (int k = Math.max(0, i - 4); k <= i; k++) {
                            pl.append("#EXTINF:2.000000,\nseg").append(k).append(".ts\n");
                        }
                        int b = http.send(HttpRequest.newBuilder(URI.create(ingest + "playlist.m3u8")).header("Authorization", auth)
                                .PUT(HttpRequest.BodyPublishers.ofString(pl.toString())).build(), HttpResponse.BodyHandlers.discarding())
                                .statusCode();
                        long took = (System.nanoTime() - start) / 1_000_000;
                        cycles.add(took);
                        // Late: the segment is not published by the time the next one is due (its planned start + 2 s).
                        long due = first[0] + 2000L * (i + 1);
                        if (a != 204 || b != 204) {
                            failed.incrementAndGet();
                        } else if (System.nanoTime() / 1_000_000 > due) {
                            late.incrementAndGet();
                        }
                        if (i > 0) {
                            // The viewer: Usher's playlist (rewritten, with the child credential), then its newest segment.
                            HttpResponse<String> p = http.send(HttpRequest.newBuilder(URI.create(playlistUrl)).build(),
                                    HttpResponse.BodyHandlers.ofString());
                            List<String> uris = p.body().lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
                            int status = p.statusCode() == 200 && !uris.isEmpty() ? http.send(HttpRequest.newBuilder(
                                    URI.create(server.base() + "/media/live/" + name + "/" + uris.get(uris.size() - 1))).build(),
                                    HttpResponse.BodyHandlers.discarding()).statusCode() : p.statusCode();
                            if (status == 200) {
                                played.incrementAndGet();
                            } else {
                                playFailed.incrementAndGet();
                            }
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        if (failed.get() <= 3) {
                            System.err.println("cycle failed: " + e);
                        }
                    }
                }, t0 + offset - System.nanoTime() / 1_000_000, 2000, TimeUnit.MILLISECONDS);
            }
            long cpuStart = ManagementFactory.getRuntimeMXBean().getUptime();
            Thread.sleep(seconds * 1000L + 3000);
            clock.shutdownNow();
            List<Long> sorted;
            synchronized (cycles) {
                sorted = new ArrayList<>(cycles);
            }
            Collections.sort(sorted);
            double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            System.out.printf("streams=%d seconds=%d cores=%d segments=%d of %d late=%d failed=%d cycle(ms) p50=%d p95=%d p99=%d max=%d"
                            + " playback ok=%d failed=%d load=%.1f uptime=%ds%n", streams, seconds,
                    Runtime.getRuntime().availableProcessors(), sorted.size(), (long) streams * rounds, late.get(), failed.get(), pct(sorted, 50),
                    pct(sorted, 95), pct(sorted, 99), sorted.isEmpty() ? 0 : sorted.get(sorted.size() - 1), played.get(),
                    playFailed.get(), load, (ManagementFactory.getRuntimeMXBean().getUptime() - cpuStart) / 1000);
            System.exit(0);
        }
    }

    private static long pct(List<Long> sorted, int p) {
        return sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100));
    }

    private LiveIngestCapacity() {
    }
}
