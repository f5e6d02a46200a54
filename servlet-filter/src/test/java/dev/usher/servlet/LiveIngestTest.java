package dev.usher.servlet;

import dev.usher.core.api.Json;
import dev.usher.core.live.LiveSettings;
import dev.usher.core.live.stream.LiveStreams;
import dev.usher.core.ticket.Ticket;
import dev.usher.servlet.testing.BrowserPlayer;
import dev.usher.servlet.testing.Ffprobe;
import dev.usher.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.io.TempDir;

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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stock ffmpeg publishes to Usher's ingest with the stream user sevu.addstreamuser created (by
 * the seeds' PHP client); ffprobe plays the live stream with a ticket through the filter. Live
 * time (stall, playlist_timeout, grace) is moved by hand on the server's clock.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveIngestTest {

    static final String USER = "cam_user";
    static final String PASS = "cam_password_123";

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
        Map<String, Object> added = php("sevu.addstreamuser", "{\"app\":\"live\",\"stream\":\"cam\",\"user\":\"" + USER
                + "\",\"pass\":\"" + PASS + "\",\"playlist_count\":4,\"playlist_timeout\":60,\"enable_dvr\":true}");
        assertEquals(2071, code(added), added::toString);
        added = php("sevu.addstreamuser", "{\"app\":\"live\",\"stream\":\"fmp4\",\"user\":\"fmp4_user\",\"pass\":\"" + PASS
                + "\",\"playlist_count\":5,\"enable_dvr\":false}");
        assertEquals(2071, code(added), added::toString);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> php(String command, String fields) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Tools.php(), ApiIntegrationTest.phpClient().toString(), server.base() + "/usher/",
                "158", LiveServer.ACCOUNT.apiKey(), LiveServer.ACCOUNT.secret(), command));
        if (fields != null) {
            cmd.add(fields);
        }
        Tools.Run run = Tools.run(cmd, Duration.ofSeconds(30), Map.of());
        assertEquals(0, run.exitCode(), run::describe);
        return (Map<String, Object>) Json.parse(run.stdout());
    }

    static int code(Map<String, Object> a) {
        return ((Number) a.get("code")).intValue();
    }

    static String basic(String user, String pass) {
        return Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
    }

    /** Stock ffmpeg: a test picture and tone, real time, 1-second segments, PUT. */
    static Tools.Run publish(String url, String authorization, int seconds, String... extra) {
        List<String> cmd = new ArrayList<>(List.of(Tools.ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
                "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", Integer.toString(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
                "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-c:a", "aac", "-b:a", "64k",
                "-f", "hls", "-hls_time", "1", "-hls_list_size", "5"));
        cmd.addAll(List.of(extra));
        cmd.addAll(List.of("-method", "PUT"));
        if (authorization != null) {
            cmd.addAll(List.of("-headers", "Authorization: Basic " + authorization + "\r\n"));
        }
        cmd.add(url);
        Tools.Run run = Tools.run(cmd, Duration.ofSeconds(seconds + 60L), Map.of());
        assertEquals(0, run.exitCode(), run::describe);
        return run;
    }

    static String ingest(String stream) {
        return server.base() + "/usher/ingest/live/" + stream + "/playlist.m3u8";
    }

    /**
     * The media playlist of a one-rendition push ({@code r-playlist.m3u8}, under the entry master
     * {@code playlist.m3u8}); for a ladder, whose renditions have the encoder's names, the master.
     */
    static String served(String stream) throws Exception {
        Path folder = media.resolve("live").resolve(stream);
        Path p = Files.isRegularFile(folder.resolve("r-playlist.m3u8")) ? folder.resolve("r-playlist.m3u8")
                : folder.resolve("playlist.m3u8");
        return Files.isRegularFile(p) ? Files.readString(p) : null;
    }

    /**
     * ffmpeg may exit before the server has handled its last upload (it does not wait for the last
     * answer), so a test waits (bounded) until the server has reached the state the upload leads to.
     */
    static String awaitServed(String stream, LiveStreams.State state, java.util.function.Predicate<String> ready) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
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

    static List<String> uris(String playlist) {
        return playlist.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
    }

    static long tag(String playlist, String tag) {
        return playlist.lines().filter(l -> l.startsWith(tag + ":")).map(l -> Long.parseLong(l.substring(tag.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(tag + " in " + playlist));
    }

    static List<?> publishLog(String stream) throws Exception {
        Map<String, Object> log = php("sevu.publishlog", "{\"app\":\"live\",\"stream\":\"" + stream + "\"}");
        assertEquals(2076, code(log), log::toString);
        return (List<?>) log.get("entries");
    }

    @Test
    @Order(1)
    void wrongCredentialsUploadNothingAndAppearInThePublisherLog() throws Exception {
        publish(ingest("cam"), basic(USER, "wrong_password_1"), 2);
        assertFalse(Files.exists(media.resolve("live/cam")), "nothing stored");
        try (var tmp = Files.list(media.resolve(".usher-ingest"))) {
            assertEquals(0, tmp.count(), "no temporary file either");
        }
        List<?> entries = publishLog("cam");
        assertFalse(entries.isEmpty());
        Map<?, ?> e = (Map<?, ?>) entries.get(0);
        assertEquals(401, ((Number) e.get("status")).intValue());
        assertEquals(USER, e.get("user"));
        assertEquals("wrong user or password", e.get("reason"));
        assertFalse(entries.toString().contains("wrong_password_1"), "never the password");

        publish(ingest("cam"), basic("fmp4_user", PASS), 2);
        assertFalse(Files.exists(media.resolve("live/cam")));
        assertEquals(403, ((Number) ((Map<?, ?>) publishLog("cam").get(0)).get("status")).intValue(), "a user of another stream");
    }

    @Test
    @Order(2)
    void ffmpegPublishesHlsTsAndFfprobePlaysItWithATicket() throws Exception {
        publish(ingest("cam"), basic(USER, PASS), 7);
        String p = awaitServed("cam", LiveStreams.State.WAITING, x -> uris(x).size() == 4);
        assertEquals(4, uris(p).size(), "playlist_count segments: " + p);
        assertTrue(tag(p, "#EXT-X-MEDIA-SEQUENCE") >= 2, p);
        assertEquals(4, p.lines().filter(l -> l.startsWith("#EXT-X-PROGRAM-DATE-TIME:")).count(), p);
        assertFalse(p.contains("#EXT-X-ENDLIST"), "ffmpeg's last playlist ended, but with DVR Usher's stays live: " + p);
        assertEquals(LiveStreams.State.WAITING, server.live.streams().orElseThrow().state("live", "cam").orElseThrow());

        Ticket t = server.ticket("live", "cam");
        Ffprobe.Result probe = Ffprobe.probe(server.playbackUrl(t, "live", "cam/playlist.m3u8"));
        assertEquals(0, probe.exitCode(), probe::describe);
        assertTrue(probe.hasVideo() && probe.hasAudio(), probe::describe);
        HttpResponse<String> without = http.send(HttpRequest.newBuilder(URI.create(server.base() + "/media/live/cam/playlist.m3u8"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, without.statusCode(), "no ticket, no live stream");
    }

    @Test
    @Order(3)
    void anEncoderRestartContinuesThePlaylistWithADiscontinuityThenItStaysLiveThenEnds() throws Exception {
        long before = tag(served("cam"), "#EXT-X-MEDIA-SEQUENCE");
        String session = uris(served("cam")).get(0).split("-")[0];
        publish(ingest("cam"), basic(USER, PASS), 3);
        String p = awaitServed("cam", LiveStreams.State.WAITING, x -> tag(x, "#EXT-X-MEDIA-SEQUENCE") >= before + 3);
        assertTrue(tag(p, "#EXT-X-MEDIA-SEQUENCE") > before, p);
        assertTrue(p.contains("#EXT-X-DISCONTINUITY\n"), p);
        assertEquals(session, uris(p).get(3).split("-")[0], "the same session");

        LiveStreams streams = server.live.streams().orElseThrow();
        server.clock.advance(Duration.ofSeconds(59));
        streams.tick();
        assertFalse(served("cam").contains("#EXT-X-ENDLIST"), "live for playlist_timeout after the encoder stopped");
        server.clock.advance(Duration.ofSeconds(2));
        streams.tick();
        assertTrue(served("cam").endsWith("#EXT-X-ENDLIST\n"), served("cam"));
        Ticket t = server.ticket("live", "cam");
        Ffprobe.Result probe = Ffprobe.probe(server.playbackUrl(t, "live", "cam/playlist.m3u8"));
        assertEquals(0, probe.exitCode(), probe::describe);
        // hls.js in Chromium plays it too, across the discontinuity, with its own ticket.
        Ticket viewer = server.ticket("live", "cam");
        BrowserPlayer.Result played = BrowserPlayer.open(server.base() + "/player/hls.html?src="
                + java.net.URLEncoder.encode(server.playbackUrl(viewer, "live", "cam/playlist.m3u8"), StandardCharsets.UTF_8),
                BrowserPlayer.Options.defaults());
        assertTrue(played.played(2), played::describe);
        server.clock.advance(Duration.ofSeconds(31));
        streams.tick();
        assertFalse(Files.exists(media.resolve("live/cam")), "gone after the grace");
    }

    @Test
    @Order(4)
    void ffmpegPublishesFmp4WithCredentialsInTheUrlAfterAChallenge() throws Exception {
        String url = ingest("fmp4").replace("http://", "http://fmp4_user:" + PASS + "@");
        publish(url, null, 4, "-hls_segment_type", "fmp4");
        String p = awaitServed("fmp4", LiveStreams.State.ENDED, x -> x.contains("#EXT-X-ENDLIST") && uris(x).size() == 4);
        assertTrue(p.contains("#EXT-X-MAP:URI=\""), p);
        assertTrue(p.contains("#EXT-X-ENDLIST"), "without DVR it ends at once: " + p);
        assertEquals(4, uris(p).size(), "4 seconds of 1-second segments, window 5: " + p);
        Ticket t = server.ticket("live", "fmp4");
        Ffprobe.Result probe = Ffprobe.probe(server.playbackUrl(t, "live", "fmp4/playlist.m3u8"));
        assertEquals(0, probe.exitCode(), probe::describe);
        assertTrue(probe.hasVideo(), probe::describe);
    }

    @Test
    @Order(5)
    void aTwoRenditionLadderGetsAMasterPlaylistAndPlays() throws Exception {
        server.addStreamUser("live", "ladder", "ladder_user", PASS);
        List<String> cmd = new ArrayList<>(List.of(Tools.ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
                "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", "4", "-filter_complex", "[0:v]split=2[a][b];[b]scale=160:90[b2]", "-map", "[a]", "-map", "[b2]",
                "-map", "1:a", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25",
                "-keyint_min", "25", "-sc_threshold", "0", "-b:v:0", "500k", "-b:v:1", "150k", "-c:a", "aac", "-b:a", "64k",
                "-f", "hls", "-hls_time", "1", "-hls_list_size", "5", "-var_stream_map", "v:0,a:0 v:1,a:1",
                "-master_pl_name", "master.m3u8", "-method", "PUT", "-headers", "Authorization: Basic " + basic("ladder_user", PASS) + "\r\n",
                server.base() + "/usher/ingest/live/ladder/stream_%v.m3u8"));
        Tools.Run run = Tools.run(cmd, Duration.ofSeconds(60), Map.of());
        assertEquals(0, run.exitCode(), run::describe);
        String master = awaitServed("ladder", LiveStreams.State.WAITING, x -> x.contains("r-stream_1.m3u8"));
        assertTrue(master.contains("#EXT-X-STREAM-INF:BANDWIDTH=") && master.contains("RESOLUTION=320x180"), master);
        assertEquals(List.of("r-stream_0.m3u8", "r-stream_1.m3u8"), uris(master));
        for (String r : uris(master)) {
            String media = Files.readString(LiveIngestTest.media.resolve("live/ladder").resolve(r));
            assertTrue(uris(media).size() >= 3, media);
        }
        Ticket t = server.ticket("live", "ladder");
        Ffprobe.Result probe = Ffprobe.probe(server.playbackUrl(t, "live", "ladder/playlist.m3u8"));
        assertEquals(0, probe.exitCode(), probe::describe);
        assertTrue(probe.hasVideo() && probe.hasAudio(), probe::describe);
    }

    @Test
    @Order(6)
    void anAlternativeAudioRenditionIsPublishedAsAnExtXMediaAndPlays() throws Exception {
        server.addStreamUser("live", "alt", "alt_user", PASS);
        List<String> cmd = new ArrayList<>(List.of(Tools.ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
                "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", "4", "-filter_complex", "[0:v]split=2[a][b];[b]scale=160:90[b2]", "-map", "[a]", "-map", "[b2]",
                "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25",
                "-keyint_min", "25", "-sc_threshold", "0", "-b:v:0", "500k", "-b:v:1", "150k", "-c:a", "aac", "-b:a", "64k",
                "-f", "hls", "-hls_time", "1", "-hls_list_size", "5",
                "-var_stream_map", "v:0,agroup:aud v:1,agroup:aud a:0,agroup:aud,name:audio,default:yes",
                "-master_pl_name", "master.m3u8", "-method", "PUT", "-headers", "Authorization: Basic " + basic("alt_user", PASS) + "\r\n",
                server.base() + "/usher/ingest/live/alt/stream_%v.m3u8"));
        Tools.Run run = Tools.run(cmd, Duration.ofSeconds(60), Map.of());
        assertEquals(0, run.exitCode(), run::describe);
        String master = awaitServed("alt", LiveStreams.State.WAITING, x -> x.contains("r-stream_1.m3u8") && x.contains("r-stream_audio"));
        assertTrue(master.contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"group_aud\"") && master.contains("URI=\"r-stream_audio.m3u8\""), master);
        assertEquals(2, master.lines().filter(l -> l.startsWith("#EXT-X-STREAM-INF:") && l.contains("AUDIO=\"group_aud\"")).count(), master);
        assertEquals(List.of("r-stream_0.m3u8", "r-stream_1.m3u8"), uris(master), "the audio rendition is not a variant");
        Ticket t = server.ticket("live", "alt");
        Ffprobe.Result probe = Ffprobe.probe(server.playbackUrl(t, "live", "alt/playlist.m3u8"));
        assertEquals(0, probe.exitCode(), probe::describe);
        assertTrue(probe.hasVideo() && probe.hasAudio(), "video from the variants, audio from the alternative rendition: " + probe.describe());
    }
}
