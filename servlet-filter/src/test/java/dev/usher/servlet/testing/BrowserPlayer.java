package dev.usher.servlet.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.usher.testing.Tools;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real viewer: Debian's headless Chromium, driven by playwright-core from Node
 * ({@code player/play.mjs}), opening one of {@link MediaServer}'s player pages (hls.js, dash.js or a
 * plain {@code <video>} with a seek) and reporting how far playback got, the player's errors and every
 * request the browser made with its HTTP status.
 *
 * <pre>{@code
 * BrowserPlayer.Result r = BrowserPlayer.play(server, BrowserPlayer.Kind.HLS, server.mediaUrl(TestMedia.HLS_TS));
 * assertTrue(r.played(1), r::describe);
 * }</pre>
 *
 * Use a {@link Session} (one Chromium for many pages) in test classes that play more than once. A page
 * takes the real playback time to {@link Kind#defaultUntil()} plus ~1 s; a page where playback never
 * starts lasts the full {@link Options#maxWait()} unless the page reports a fatal player error first
 * (set a shorter {@code maxWait} in tests that expect refusal).
 */
public final class BrowserPlayer {

    /** The player pages under {@code /player/}. */
    public enum Kind {
        /** hls.js 1.7 over MSE (HLS TS or fMP4). */
        HLS("hls.html", "", 2.0),
        /** dash.js 5 over MSE. */
        DASH("dash.html", "", 2.0),
        /**
         * A plain {@code <video src>}: progressive MP4 (Chromium asks {@code Range: bytes=0-}, answered
         * 206), seeks to 3 s after ~1 s of playback. The test files are small enough that Chromium has
         * buffered them whole before the seek, so the seek itself makes no second request.
         */
        MP4("mp4.html", "", 3.5),
        /**
         * Chromium's built-in HLS player: a plain {@code <video src=master.m3u8>} (no seek). It sends
         * {@code Range: bytes=0-} on playlists and segments, and picks its own rendition.
         */
        NATIVE_HLS("mp4.html", "seek=0", 2.0);

        private final String page;
        private final String pageQuery;
        private final double defaultUntil;

        Kind(String page, String pageQuery, double defaultUntil) {
            this.page = page;
            this.pageQuery = pageQuery;
            this.defaultUntil = defaultUntil;
        }

        /** Extra page parameters ({@code a=b&c=d}) put before {@code src}, or "". */
        public String pageQuery() {
            return pageQuery;
        }

        public String page() {
            return page;
        }

        /** The playback position, in seconds, at which a successful run stops. */
        public double defaultUntil() {
            return defaultUntil;
        }
    }

    /**
     * How long to watch. {@code until}: stop once {@code video.currentTime} reaches this (NaN: the
     * kind's default); {@code maxWait}: real time to watch at most; {@code timeout}: kill the Node
     * process after this; {@code appendQuery}: a query string the page's player adds to every request
     * (hls.js {@code xhrSetup}, dash.js request interceptor), or null.
     */
    public record Options(double until, Duration maxWait, Duration timeout, String appendQuery) {

        public static Options defaults() {
            return new Options(Double.NaN, Duration.ofSeconds(15), Duration.ofSeconds(60), null);
        }

        public Options until(double seconds) {
            return new Options(seconds, maxWait, timeout, appendQuery);
        }

        public Options maxWait(Duration d) {
            return new Options(until, d, timeout, appendQuery);
        }

        public Options timeout(Duration d) {
            return new Options(until, maxWait, d, appendQuery);
        }

        public Options appendQuery(String query) {
            return new Options(until, maxWait, timeout, query);
        }
    }

    /** One browser request: status 0 when no response arrived ({@code failure} then says why). */
    public record Request(String method, String url, int status, String range, String failure, String type) {

        /** The URL's path, without scheme, host, port or query. */
        public String path() {
            String u = url;
            int scheme = u.indexOf("://");
            int slash = scheme < 0 ? 0 : u.indexOf('/', scheme + 3);
            u = slash < 0 ? "/" : u.substring(slash);
            int q = u.indexOf('?');
            return q < 0 ? u : u.substring(0, q);
        }

        /** The query string, or "" when none. */
        public String query() {
            int q = url.indexOf('?');
            return q < 0 ? "" : url.substring(q + 1);
        }

        /** A media segment or init segment: .ts, .m4s, .mp4 (not a manifest, not a page or script). */
        public boolean isSegment() {
            String p = path().toLowerCase(Locale.ROOT);
            return p.startsWith("/media/") && (p.endsWith(".ts") || p.endsWith(".m4s") || p.endsWith(".mp4"));
        }

        /** A manifest: .m3u8 or .mpd. */
        public boolean isManifest() {
            String p = path().toLowerCase(Locale.ROOT);
            return p.endsWith(".m3u8") || p.endsWith(".mpd");
        }

        @Override
        public String toString() {
            return method + " " + url + " -> " + status + (range != null ? " [Range " + range + "]" : "")
                    + (failure != null ? " (" + failure + ")" : "");
        }
    }

    /**
     * What the browser did. {@code currentTime}: the final {@code video.currentTime}; {@code fatal}: the
     * page reported a fatal player or media error; {@code errors}: player, media and page errors;
     * {@code events}: media element events ({@code playing@0.00}, {@code seeked@3.00}, …);
     * {@code console}: browser console errors and warnings (e.g. "Failed to load resource: … 403");
     * {@code requests}: every request in the order made; {@code harnessError}: the driver itself failed
     * (Chromium did not start, the page did not load), else null.
     */
    public record Result(double currentTime, boolean fatal, boolean seekPending, List<String> errors,
                         List<String> events, List<String> console, List<Request> requests, String harnessError,
                         long elapsedMillis, Tools.Run run) {

        /** Playback advanced past {@code seconds}. */
        public boolean played(double seconds) {
            return currentTime > seconds;
        }

        /** Requests whose path (no query) contains {@code part}. */
        public List<Request> requestsTo(String part) {
            return requests.stream().filter(r -> r.path().contains(part)).toList();
        }

        public List<Request> requests(Predicate<Request> which) {
            return requests.stream().filter(which).toList();
        }

        /** Requests under {@code /media/}. */
        public List<Request> mediaRequests() {
            return requests(r -> r.path().startsWith("/media/"));
        }

        public List<Request> segmentRequests() {
            return requests(Request::isSegment);
        }

        /** For assertion messages: everything needed to see what happened. */
        public String describe() {
            StringBuilder sb = new StringBuilder();
            sb.append("currentTime=").append(currentTime).append(" fatal=").append(fatal)
                    .append(" seekPending=").append(seekPending).append(" elapsed=").append(elapsedMillis).append(" ms");
            if (harnessError != null) {
                sb.append("\nharness error: ").append(harnessError);
            }
            sb.append("\nerrors: ").append(errors).append("\nevents: ").append(events)
                    .append("\nconsole: ").append(console).append("\nrequests:");
            requests.forEach(r -> sb.append("\n  ").append(r));
            if (run.exitCode() != 0 || run.timedOut() || harnessError != null) {
                sb.append("\n").append(run.describe());
            }
            return sb.toString();
        }

        @Override
        public String toString() {
            return describe();
        }
    }

    private BrowserPlayer() {
    }

    /** Plays {@code mediaUrl} with the {@code kind} page of {@code server}, in a browser started for this call only. */
    public static Result play(MediaServer server, Kind kind, String mediaUrl) {
        return play(server, kind, mediaUrl, Options.defaults());
    }

    public static Result play(MediaServer server, Kind kind, String mediaUrl, Options options) {
        try (Session session = session()) {
            return session.play(server, kind, mediaUrl, options);
        }
    }

    /** Opens any page with a {@code <video>} in a browser started for this call only; see {@link Session#open}. */
    public static Result open(String pageUrl, Options options) {
        try (Session session = session()) {
            return session.open(pageUrl, options);
        }
    }

    /**
     * A browser kept running for many pages (Chromium starts once, ~1–4 s saved per page); each page
     * still gets a fresh browser context: no cookies, cache or storage carried over. Share one per
     * test class ({@code @BeforeAll} / {@code @AfterAll}). Not thread-safe.
     */
    public static Session session() {
        Tools.requireBrowser();
        return new Session();
    }

    /** A running {@code node play.mjs --serve}. */
    public static final class Session implements AutoCloseable {
        private static final String EOF = "\u0000EOF";
        private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

        private final List<String> command;
        private Process process;
        private BlockingQueue<String> lines;
        private Path stderr;
        private long startMillis;

        private Session() {
            this.command = List.of(Tools.node(), MediaServer.playScript().toString(), "--serve",
                    "--chromium", Tools.chromium().toString());
        }

        /** Plays {@code mediaUrl} with the {@code kind} page of {@code server}. */
        public Result play(MediaServer server, Kind kind, String mediaUrl) {
            return play(server, kind, mediaUrl, Options.defaults());
        }

        public Result play(MediaServer server, Kind kind, String mediaUrl, Options options) {
            Options o = Double.isNaN(options.until()) ? options.until(kind.defaultUntil()) : options;
            return open(server.playerPageUrl(kind, mediaUrl, o.appendQuery()), o);
        }

        /**
         * Opens any page that has a {@code <video>} (and, like the bundled pages, may set
         * {@code window.usher = {errors, fatal, seekPending, events}}) and watches it.
         * {@code options.until} NaN means 2.5 s.
         */
        public Result open(String pageUrl, Options options) {
            double until = Double.isNaN(options.until()) ? 2.5 : options.until();
            ensureStarted();
            String cmd = Json.createObjectBuilder().add("url", pageUrl).add("until", until)
                    .add("maxWait", options.maxWait().toMillis()).build().toString();
            long start = System.nanoTime();
            try {
                OutputStream in = process.getOutputStream();
                in.write((cmd + "\n").getBytes(StandardCharsets.UTF_8));
                in.flush();
            } catch (IOException e) {
                String why = "cannot talk to the browser driver: " + e + "\n" + describeProcess(false);
                kill();
                return fail(why, e);
            }
            String line = next(options.timeout());
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            if (line == null || line.equals(EOF)) {
                String why = (line == null ? "the browser driver gave no result within " + options.timeout()
                        : "the browser driver exited") + " for " + pageUrl + "\n" + describeProcess(line == null);
                kill();
                return fail(why);
            }
            Tools.Run run = new Tools.Run(command, 0, line, "", false, elapsed);
            return parse(line, run);
        }

        private void ensureStarted() {
            if (process != null && process.isAlive()) {
                return;
            }
            try {
                stderr = Files.createTempFile("usher-browser-", ".err");
                ProcessBuilder pb = new ProcessBuilder(command).redirectError(stderr.toFile());
                pb.environment().put("USHER_NODE_MODULES", Tools.nodeModules().toString());
                process = pb.start();
            } catch (IOException e) {
                fail("cannot start " + command + ": " + e, e);
            }
            startMillis = System.currentTimeMillis();
            BlockingQueue<String> queue = new LinkedBlockingQueue<>();
            lines = queue;
            Process p = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = r.readLine()) != null; ) {
                        if (l.startsWith("{")) {
                            queue.add(l);
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended
                } finally {
                    queue.add(EOF);
                }
            }, "browser-driver-stdout");
            reader.setDaemon(true);
            reader.start();
            String ready = next(START_TIMEOUT);
            if (ready == null || !ready.contains("\"ready\"")) {
                String why = "the browser driver did not start: "
                        + (ready == null ? "no answer within " + START_TIMEOUT : ready.equals(EOF) ? "it exited" : ready)
                        + "\n" + describeProcess(ready == null);
                kill();
                fail(why);
            }
        }

        private String next(Duration timeout) {
            try {
                return lines.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }

        private String describeProcess(boolean timedOut) {
            String err = stderr == null ? "" : Tools.read(stderr);
            return new Tools.Run(command, process != null && !process.isAlive() ? process.exitValue() : -1, "",
                    err, timedOut, System.currentTimeMillis() - startMillis).describe();
        }

        private void kill() {
            if (process != null) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                try {
                    process.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                process = null;
            }
            deleteStderr();
        }

        private void deleteStderr() {
            if (stderr != null) {
                try {
                    Files.deleteIfExists(stderr);
                } catch (IOException ignored) {
                    // a temp file
                }
                stderr = null;
            }
        }

        /** Closes the browser (EOF on the driver's stdin), killing it if it does not exit within 10 s. */
        @Override
        public void close() {
            if (process == null) {
                return;
            }
            try {
                process.getOutputStream().close();
                if (process.waitFor(10, TimeUnit.SECONDS)) {
                    process = null;
                    deleteStderr();
                    return;
                }
            } catch (IOException ignored) {
                // kill below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            kill();
        }
    }

    /** Reads the driver's one-line report; a member that is missing or of another type reads as absent. */
    private static Result parse(String line, Tools.Run run) {
        JsonObject json;
        try (JsonReader reader = Json.createReader(new StringReader(line))) {
            json = reader.readObject();
        }
        List<Request> requests = new ArrayList<>();
        for (JsonValue v : array(json, "requests")) {
            JsonObject r = v instanceof JsonObject o ? o : JsonValue.EMPTY_JSON_OBJECT;
            requests.add(new Request(str(r, "method"), str(r, "url"), (int) num(r, "status"),
                    str(r, "range"), str(r, "failure"), str(r, "type")));
        }
        return new Result(num(json, "currentTime"), json.getBoolean("fatal", false),
                json.getBoolean("seekPending", false), strings(json, "errors"),
                strings(json, "events"), strings(json, "console"), List.copyOf(requests),
                str(json, "harnessError"), (long) num(json, "elapsedMs"), run);
    }

    private static List<JsonValue> array(JsonObject o, String name) {
        return o.get(name) instanceof JsonArray a ? a : List.of();
    }

    private static List<String> strings(JsonObject o, String name) {
        return array(o, name).stream().map(BrowserPlayer::text).toList();
    }

    private static String str(JsonObject o, String name) {
        JsonValue v = o.get(name);
        return v == null || v.getValueType() == JsonValue.ValueType.NULL ? null : text(v);
    }

    private static String text(JsonValue v) {
        return v instanceof JsonString s ? s.getString() : v.toString();
    }

    private static double num(JsonObject o, String name) {
        return o.get(name) instanceof JsonNumber n ? n.doubleValue() : 0;
    }
}
