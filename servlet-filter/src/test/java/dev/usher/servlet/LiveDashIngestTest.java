package dev.usher.servlet;

import dev.usher.core.live.LiveSettings;
import dev.usher.core.live.stream.LiveStreams;
import dev.usher.core.ticket.Ticket;
import dev.usher.servlet.testing.BrowserPlayer;
import dev.usher.servlet.testing.Ffprobe;
import dev.usher.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stock ffmpeg's dash muxer publishes to Usher's ingest ({@code -f dash -method PUT}) with the
 * stream user's credentials, in the URL (after the 401 challenge) or through {@code -http_opts};
 * Usher serves its own {@code manifest.mpd}; dash.js in Chromium plays it live, and ffprobe plays
 * it, each with a ticket through the filter.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveDashIngestTest {

    static final String PASS = "dash_password_123";

    @TempDir
    static Path media;
    static LiveServer server;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Tools.requireFfmpeg();
        Tools.requireFfprobe();
        Tools.requireBrowser();
        server = new LiveServer(media, LiveSettings.defaults());
        server.addStreamUser("live", "dash", "dash_user", PASS);
        server.addStreamUser("live", "dash2", "dash2_user", PASS);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** ffmpeg's dash muxer, real time, 1-second segments, a window of 5. */
    static List<String> ffmpeg(String url, int seconds, String... extra) {
        List<String> cmd = new ArrayList<>(List.of(Tools.ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
                "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", Integer.toString(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-c:a", "aac", "-b:a", "64k",
                "-f", "dash", "-seg_duration", "1", "-window_size", "5", "-method", "PUT"));
        cmd.addAll(List.of(extra));
        cmd.add(url);
        return cmd;
    }

    static String withCredentials(String user) {
        return server.base().replace("http://", "http://" + user + ":" + PASS + "@") + "/usher/ingest/live/" + user.replace("_user", "")
                + "/manifest.mpd";
    }

    static String served(String stream) throws Exception {
        Path p = media.resolve("live").resolve(stream).resolve("manifest.mpd");
        return Files.isRegularFile(p) ? Files.readString(p) : null;
    }

    static String await(String stream, LiveStreams.State state, Predicate<String> ready) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            String p = served(stream);
            var now = server.live.streams().orElseThrow().state("live", stream);
            if (p != null && ready.test(p) && now.isPresent() && now.get() == state) {
                return p;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("live/" + stream + " did not reach " + state + ": " + now + "\n" + p);
            }
            Thread.sleep(20); // polling a condition, not waiting for a guessed time
        }
    }

    static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    @Order(1)
    void ffmpegPushesDashWithUrlCredentialsAndDashJsPlaysItLiveWithATicket() throws Exception {
        Process encoder = new ProcessBuilder(ffmpeg(withCredentials("dash_user"), 25)).redirectErrorStream(true)
                .redirectOutput(media.getParent().resolve("ffmpeg-dash.log").toFile()).start();
        try {
            String mpd = await("dash", LiveStreams.State.LIVE, x -> count(x, "<S ") >= 6);
            assertTrue(mpd.contains("type=\"dynamic\""), mpd);
            Ticket viewer = server.ticket("live", "dash");
            BrowserPlayer.Result played = BrowserPlayer.open(server.base() + "/player/dash.html?src="
                    + URLEncoder.encode(server.playbackUrl(viewer, "live", "dash/manifest.mpd"), StandardCharsets.UTF_8),
                    BrowserPlayer.Options.defaults().until(1e9).maxWait(Duration.ofSeconds(8)));
            assertFalse(played.fatal(), played::describe);
            // A live player starts near the live edge, not at 0: it must then play on for seconds, reloading the MPD.
            double started = played.events().stream().filter(e -> e.startsWith("playing@")).findFirst()
                    .map(e -> Double.parseDouble(e.substring(8))).orElseThrow(() -> new AssertionError(played.describe()));
            assertTrue(played.played(started + 3), played::describe);
            // Every segment request carries the credential and none is refused; a request the player
            // cancelled itself (net::ERR_ABORTED, no status: dash.js aborts a fetch when it seeks to the
            // live edge) never reached an answer, so it is not counted against the server.
            assertTrue(played.segmentRequests().stream().allMatch(r -> r.query().contains("uc=")
                    && (r.status() == 200 || (r.status() == 0 && "net::ERR_ABORTED".equals(r.failure())))), played::describe);
            assertTrue(played.segmentRequests().stream().filter(r -> r.status() == 200).count() >= 4, played::describe);
            assertTrue(played.requestsTo("manifest.mpd").size() >= 2, "dash.js reloads the dynamic MPD: " + played.describe());
        } finally {
            encoder.destroy();
            encoder.waitFor();
        }
        HttpResponse<String> without = http.send(HttpRequest.newBuilder(URI.create(server.base() + "/media/live/dash/manifest.mpd"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, without.statusCode(), "no ticket, no live stream");
    }

    @Test
    @Order(2)
    void theWindowHoldsPlaylistCountSegmentsAndFfprobePlaysIt() throws Exception {
        String header = "headers='Authorization: Basic " + Base64.getEncoder().encodeToString(("dash2_user:" + PASS)
                .getBytes(StandardCharsets.UTF_8)) + "'";
        Tools.Run run = Tools.run(ffmpeg(server.base() + "/usher/ingest/live/dash2/manifest.mpd", 7, "-http_opts", header),
                Duration.ofSeconds(70), Map.of());
        assertEquals(0, run.exitCode(), run::describe);
        String mpd = await("dash2", LiveStreams.State.WAITING, x -> count(x, "<S ") == 8);
        assertEquals(2, count(mpd, "<Representation "), mpd);
        assertEquals(8, count(mpd, "<S "), "playlist_count (4) segments per Representation: " + mpd);
        assertTrue(mpd.contains("type=\"dynamic\""), "with DVR it stays live after ffmpeg's last (static) MPD: " + mpd);
        Ticket t = server.ticket("live", "dash2");
        Ffprobe.Result probe = Ffprobe.probe(server.playbackUrl(t, "live", "dash2/manifest.mpd"));
        assertEquals(0, probe.exitCode(), probe::describe);
        assertTrue(probe.hasVideo() && probe.hasAudio(), probe::describe);

        LiveStreams streams = server.live.streams().orElseThrow();
        server.clock.advance(Duration.ofSeconds(599));
        streams.tick();
        assertTrue(served("dash2").contains("type=\"dynamic\""), "live for playlist_timeout (600 s)");
        server.clock.advance(Duration.ofSeconds(2));
        streams.tick();
        mpd = served("dash2");
        assertTrue(mpd.contains("type=\"static\""), "ended after playlist_timeout: " + mpd);
        Ticket viewer = server.ticket("live", "dash2");
        BrowserPlayer.Result played = BrowserPlayer.open(server.base() + "/player/dash.html?src="
                + URLEncoder.encode(server.playbackUrl(viewer, "live", "dash2/manifest.mpd"), StandardCharsets.UTF_8),
                BrowserPlayer.Options.defaults());
        assertTrue(played.played(2), played::describe);
    }
}
