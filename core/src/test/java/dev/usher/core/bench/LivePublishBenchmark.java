package dev.usher.core.bench;

import dev.usher.core.live.DvrSettings;
import dev.usher.core.live.stream.FileSegmentStore;
import dev.usher.core.live.stream.LiveStreams;
import dev.usher.core.live.stream.SegmentStore;
import dev.usher.testing.TestFiles;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * From the end of a segment's upload to its appearance in Usher's generated playlist: the
 * complete segment is handed over (a temporary file), the encoder's playlist naming it arrives,
 * the segment is renamed into place and both playlists are rewritten atomically — everything the
 * server does after the body's last byte, on a real filesystem (java.io.tmpdir). The segment's
 * bytes are written before the measured part, as the ingest servlet writes them while they arrive.
 * Run: {@code mvn -B -ntp -pl core -Pbench test-compile exec:exec -Dbench=LivePublishBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class LivePublishBenchmark {

    private Path dir;
    private LiveStreams live;
    private FileSegmentStore store;
    private int next;
    private final byte[] segment = new byte[256 * 1024]; // 2 s at 1 Mbit/s
    private SegmentStore.Pending pending;

    @Setup
    public void setUp() throws Exception {
        dir = Files.createTempDirectory("usher-live-bench");
        store = new FileSegmentStore(dir);
        live = new LiveStreams(store, Clock.systemUTC(), Duration.ofSeconds(30),
                (a, s) -> new DvrSettings(6, Duration.ofSeconds(600), true));
    }

    @Setup(org.openjdk.jmh.annotations.Level.Invocation)
    public void uploadArrived() throws Exception {
        pending = store.create("live", "cam");
        pending.output().write(segment);
    }

    @Benchmark
    public void segmentToPlaylist() throws Exception {
        int i = next++;
        String name = "playlist" + i + ".ts";
        live.receiveObject("live", "cam", name, pending, "live/cam");
        StringBuilder pl = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:")
                .append(Math.max(0, i - 5)).append('\n');
        for (int j = Math.max(0, i - 5); j <= i; j++) {
            pl.append("#EXTINF:2.000000,\nplaylist").append(j).append(".ts\n");
        }
        live.receivePlaylist("live", "cam", "playlist.m3u8", pl.toString(), "live/cam");
    }

    @TearDown
    public void tearDown() throws Exception {
        TestFiles.deleteTree(dir);
    }
}
