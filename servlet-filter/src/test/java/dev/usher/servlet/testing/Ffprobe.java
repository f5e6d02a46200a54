package dev.usher.servlet.testing;

import dev.usher.testing.Tools;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ffprobe as a real client: reads a URL (MP4, HLS master or variant, DASH MPD) the way ffmpeg-based
 * players and tools do, and reports the streams it found.
 *
 * <p>What ffprobe does on the wire (see /work/shared/CLIENTS.md): it sends {@code Range: bytes=0-} on
 * every request; on an HLS master it fetches every variant playlist and the first segment of each; it
 * never carries the master's query string to child requests; the DASH demuxer asks for one segment
 * past the end (404) and still exits 0. A failed probe exits non-zero with no streams.
 */
public final class Ffprobe {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private static final Pattern CODEC_TYPE = Pattern.compile("\"codec_type\"\\s*:\\s*\"([^\"]*)\"");
    private static final Pattern CODEC_NAME = Pattern.compile("\"codec_name\"\\s*:\\s*\"([^\"]*)\"");

    private Ffprobe() {
    }

    /** What ffprobe printed. {@code codecTypes} and {@code codecNames} hold one entry per stream found. */
    public record Result(Tools.Run run, List<String> codecTypes, List<String> codecNames) {

        public int exitCode() {
            return run.exitCode();
        }

        public String stdout() {
            return run.stdout();
        }

        public String stderr() {
            return run.stderr();
        }

        public int streamCount() {
            return codecTypes.size();
        }

        public boolean hasVideo() {
            return codecTypes.contains("video");
        }

        public boolean hasAudio() {
            return codecTypes.contains("audio");
        }

        /** Exit 0 and at least one video stream. */
        public boolean readVideo() {
            return exitCode() == 0 && !run.timedOut() && hasVideo();
        }

        /** For assertion messages. */
        public String describe() {
            return "ffprobe found " + codecTypes + " " + codecNames + "\n" + run.describe();
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    /** Probes a URL with the default timeout. */
    public static Result probe(String url) {
        return probe(url, List.of(), DEFAULT_TIMEOUT);
    }

    /**
     * Probes a URL. {@code inputOptions} go before {@code -i} (e.g. {@code -headers},
     * {@code -user_agent}, {@code -referer}, {@code -cookies}); ffprobe's own network timeout is set
     * just under {@code timeout} so it gives up on a stalled server before being killed.
     */
    public static Result probe(String url, List<String> inputOptions, Duration timeout) {
        List<String> command = new ArrayList<>(List.of(Tools.ffprobe(), "-v", "error",
                "-rw_timeout", Long.toString(Math.max(1, timeout.toMillis() / 2) * 1000),
                "-show_entries", "stream=codec_type,codec_name", "-of", "json"));
        command.addAll(inputOptions);
        command.add("-i");
        command.add(url);
        Tools.Run run = Tools.run(command, timeout, Map.of());
        return new Result(run, all(CODEC_TYPE, run.stdout()), all(CODEC_NAME, run.stdout()));
    }

    private static List<String> all(Pattern p, String text) {
        List<String> out = new ArrayList<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return List.copyOf(out);
    }
}
