package dev.usher.servlet.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.usher.testing.TestFiles;
import dev.usher.testing.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Small real media made by ffmpeg once per build and cached under
 * {@code servlet-filter/target/test-media/} (made again when missing or made by an older recipe).
 *
 * <p>Layout under {@link #root()}: one app folder, {@value #APP}, so that a {@link MediaServer}
 * serving the root answers at {@code /media/vod/...}:
 * <pre>
 * vod/movies/trailer.mp4                      H.264 + AAC, faststart, 6 s
 * vod/hls-ts/master.m3u8                      two renditions (320x180, 160x90)
 * vod/hls-ts/v0/index.m3u8, v0/seg_000.ts …  (v1 likewise)
 * vod/hls-fmp4/master.m3u8                    same, fMP4
 * vod/hls-fmp4/v0/index.m3u8, v0/init_0.mp4, v0/seg_000.m4s …  (v1: init_1.mp4)
 * vod/dash/manifest.mpd                       video (id 0) and audio (id 1) adaptation sets
 * vod/dash/init-0.m4s, chunk-0-001.m4s …      (audio: init-1.m4s, chunk-1-00N.m4s)
 * </pre>
 * Every segment is 2 s. ffmpeg names the fMP4 init segments {@code init_<variant>.mp4} even when asked
 * for {@code init.mp4}, because there are two variants.
 */
public final class TestMedia {

    /** The one app folder. */
    public static final String APP = "vod";
    public static final String MP4 = "vod/movies/trailer.mp4";
    public static final String HLS_TS = "vod/hls-ts/master.m3u8";
    public static final String HLS_TS_VARIANT = "vod/hls-ts/v0/index.m3u8";
    public static final String HLS_TS_SEGMENT = "vod/hls-ts/v0/seg_000.ts";
    public static final String HLS_FMP4 = "vod/hls-fmp4/master.m3u8";
    public static final String HLS_FMP4_VARIANT = "vod/hls-fmp4/v0/index.m3u8";
    public static final String HLS_FMP4_INIT = "vod/hls-fmp4/v0/init_0.mp4";
    public static final String DASH = "vod/dash/manifest.mpd";
    public static final String DASH_INIT = "vod/dash/init-0.m4s";
    public static final String DASH_SEGMENT = "vod/dash/chunk-0-001.m4s";
    /** Duration of every file, in seconds. */
    public static final int DURATION_SECONDS = 6;

    private static final String SOURCE = "-f lavfi -i testsrc=size=320x180:rate=24:duration=6"
            + " -f lavfi -i sine=frequency=440:sample_rate=44100:duration=6";
    private static final String VIDEO = "-c:v libx264 -profile:v main -pix_fmt yuv420p -preset veryfast"
            + " -g 48 -keyint_min 48 -sc_threshold 0";
    private static final String AUDIO = "-c:a aac -b:a 48k -ac 1";
    private static final String RENDITIONS = "-map 0:v -map 0:v -map 1:a -map 1:a"
            + " -filter:v:0 scale=320:180 -b:v:0 150k -filter:v:1 scale=160:90 -b:v:1 60k";
    private static final String HLS = "-f hls -hls_time 2 -hls_playlist_type vod -hls_list_size 0";

    /** ffmpeg's arguments: one run, four outputs, so the source is generated once. */
    private static final List<String> RECIPE = recipe();

    private static List<String> recipe() {
        List<String> a = new ArrayList<>();
        words(a, "-nostdin -hide_banner -loglevel error -y");
        words(a, SOURCE);
        // MP4
        words(a, "-map 0:v -map 1:a " + VIDEO + " " + AUDIO + " -movflags +faststart vod/movies/trailer.mp4");
        // HLS TS, two renditions
        words(a, RENDITIONS + " " + VIDEO + " " + AUDIO + " " + HLS
                + " -hls_segment_filename vod/hls-ts/v%v/seg_%03d.ts -master_pl_name master.m3u8");
        a.add("-var_stream_map");
        a.add("v:0,a:0 v:1,a:1");
        a.add("vod/hls-ts/v%v/index.m3u8");
        // HLS fMP4, two renditions
        words(a, RENDITIONS + " " + VIDEO + " " + AUDIO + " " + HLS
                + " -hls_segment_type fmp4 -hls_fmp4_init_filename init.mp4"
                + " -hls_segment_filename vod/hls-fmp4/v%v/seg_%03d.m4s -master_pl_name master.m3u8");
        a.add("-var_stream_map");
        a.add("v:0,a:0 v:1,a:1");
        a.add("vod/hls-fmp4/v%v/index.m3u8");
        // DASH
        words(a, "-map 0:v -map 1:a " + VIDEO + " " + AUDIO
                + " -f dash -seg_duration 2 -use_template 1 -use_timeline 0"
                + " -init_seg_name init-$RepresentationID$.m4s"
                + " -media_seg_name chunk-$RepresentationID$-$Number%03d$.m4s");
        a.add("-adaptation_sets");
        a.add("id=0,streams=v id=1,streams=a");
        a.add("vod/dash/manifest.mpd");
        return List.copyOf(a);
    }

    private static void words(List<String> into, String spaceSeparated) {
        into.addAll(List.of(spaceSeparated.split(" ")));
    }

    private static final String MARKER = ".complete";
    private static Path cached;

    private TestMedia() {
    }

    /** The media root (holding {@value #APP}/), generated on first use. */
    public static synchronized Path root() {
        if (cached != null && Files.isRegularFile(cached.resolve(MARKER))) {
            return cached;
        }
        Path target = targetDir();
        Path root = target.resolve("test-media");
        String recipe = recipeText();
        try {
            Files.createDirectories(target);
            // Another JVM (a parallel fork) may be generating too.
            try (FileChannel ch = FileChannel.open(target.resolve("test-media.lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = ch.lock();
                try {
                    if (!isComplete(root, recipe)) {
                        generate(target, root, recipe);
                    }
                } finally {
                    lock.release();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        cached = root;
        return root;
    }

    /** A file of the media, by path relative to {@link #root()} (e.g. {@link #MP4}). */
    public static Path file(String relative) {
        Path p = root().resolve(relative);
        if (!Files.isRegularFile(p)) {
            fail("no test media file " + relative + " under " + root());
        }
        return p;
    }

    /** Every media file, as paths relative to {@link #root()} with '/' separators, sorted. */
    public static List<String> files() {
        Path root = root();
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().equals(MARKER))
                    .map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- generation

    private static void generate(Path target, Path root, String recipe) throws IOException {
        String ffmpeg = Tools.ffmpeg();
        Path work = Files.createTempDirectory(target, "test-media.tmp-");
        try {
            for (String dir : List.of("vod/movies", "vod/hls-ts/v0", "vod/hls-ts/v1", "vod/hls-fmp4/v0",
                    "vod/hls-fmp4/v1", "vod/dash")) {
                Files.createDirectories(work.resolve(dir));
            }
            List<String> command = new ArrayList<>();
            command.add(ffmpeg);
            command.addAll(RECIPE);
            // The output names are relative: ffmpeg runs in the work folder.
            Tools.Run run = Tools.run(command, Duration.ofSeconds(60), Map.of(), work);
            if (run.exitCode() != 0 || run.timedOut()) {
                fail("ffmpeg failed to make the test media:\n" + run.describe());
            }
            for (String expected : List.of(MP4, HLS_TS, HLS_TS_VARIANT, HLS_TS_SEGMENT, HLS_FMP4, HLS_FMP4_VARIANT,
                    HLS_FMP4_INIT, DASH, DASH_INIT, DASH_SEGMENT)) {
                if (!Files.isRegularFile(work.resolve(expected))) {
                    fail("ffmpeg did not write " + expected + ":\n" + run.describe());
                }
            }
            Files.writeString(work.resolve(MARKER), recipe, StandardCharsets.UTF_8);
            TestFiles.deleteTree(root);
            Files.move(work, root, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            TestFiles.deleteTree(work);
        }
    }

    private static boolean isComplete(Path root, String recipe) throws IOException {
        Path marker = root.resolve(MARKER);
        return Files.isRegularFile(marker) && Files.readString(marker, StandardCharsets.UTF_8).equals(recipe);
    }

    private static String recipeText() {
        return String.join("\n", RECIPE) + "\n";
    }

    /** {@code servlet-filter/target}: the parent of the test-classes folder this class was loaded from. */
    static Path targetDir() {
        try {
            Path classes = Path.of(TestMedia.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(classes) && classes.getParent() != null) {
                return classes.getParent();
            }
        } catch (URISyntaxException | RuntimeException ignored) {
            // fall back to the working directory
        }
        return Path.of(System.getProperty("user.dir"), "target").toAbsolutePath();
    }
}
