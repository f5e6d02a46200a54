package dev.usher.servlet;

import dev.usher.core.api.Json;
import dev.usher.core.live.LiveSettings;
import dev.usher.core.live.record.Recording;
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

import java.io.File;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recordings end to end: stock ffmpeg publishes to the ingest with stream users whose record
 * settings sevu.addstreamuser (the seeds' PHP client) set; each segment_type gives the parts it
 * should, record_type names them, ffprobe and hls.js play them with a ticket for
 * {@code shows/*}, their total duration is the published one within a segment, sevu.listrecordings
 * lists them, and a server killed with SIGKILL mid-recording leaves a playable recording after
 * its restart. A segment_value of duration is seconds here ({@code duration-unit} 1 s) and of size
 * KB ({@code size-unit-kb} 1).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveRecordingTest {

    static final String PASS = "rec_password_1234";

    @TempDir
    static Path media;
    static LiveServer server;

    @BeforeAll
    static void start() throws Exception {
        Tools.requireFfmpeg();
        Tools.requireFfprobe();
        Tools.requireBrowser();
        server = new LiveServer(media, LiveSettings.defaults(), RecordingChild.settings(media).withUnits(Duration.ofSeconds(1), 1024));
        // LiveIngestTest's helpers (php, publish, awaitServed) talk to this server (test classes run one at a time).
        LiveIngestTest.server = server;
        LiveIngestTest.media = media;
        add("dur", "\"record\":true,\"record_type\":\"stream\",\"segment_type\":\"duration\",\"segment_value\":3,\"save_folder\":\"shows\"");
        add("size", "\"record\":true,\"record_type\":\"event\",\"segment_type\":\"size\",\"segment_value\":60,\"save_folder\":\"shows\"");
        add("sched", "\"record\":true,\"record_type\":\"event\",\"segment_type\":\"schedule\",\"segment_value\":\"* * * * *\",\"save_folder\":\"shows\"");
        add("fmp4", "\"record\":true,\"record_type\":\"stream\",\"segment_type\":\"disabled\"");
        add("dashrec", "\"record\":true,\"record_type\":\"event\",\"segment_type\":\"disabled\",\"save_folder\":\"shows\"");
        add("ladrec", "\"record\":true,\"record_type\":\"event\",\"segment_type\":\"disabled\",\"save_folder\":\"shows\"");
        add("norec", "\"record\":false,\"save_folder\":\"shows\"");
    }

    static void add(String stream, String record) throws Exception {
        Map<String, Object> added = LiveIngestTest.php("sevu.addstreamuser", "{\"app\":\"live\",\"stream\":\"" + stream
                + "\",\"user\":\"" + stream + "_user\",\"pass\":\"" + PASS + "\",\"enable_dvr\":false," + record + "}");
        assertEquals(2071, LiveIngestTest.code(added), added::toString);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        LiveIngestTest.server = null;
        LiveIngestTest.media = null;
    }

    /** Publishes {@code seconds} of 1-second segments and waits (bounded) until every published segment is recorded. */
    static List<Recording> publishAndRecord(String stream, int seconds, String... extra) throws Exception {
        LiveIngestTest.publish(LiveIngestTest.ingest(stream), LiveIngestTest.basic(stream + "_user", PASS), seconds, extra);
        LiveIngestTest.awaitServed(stream, LiveStreams.State.ENDED, x -> x.contains("#EXT-X-ENDLIST"));
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            // Read again each time: the last segment may come after the playlist that ended the stream.
            String p = LiveIngestTest.served(stream);
            long published = LiveIngestTest.tag(p, "#EXT-X-MEDIA-SEQUENCE") + LiveIngestTest.uris(p).size();
            List<Recording> all = recordings(stream);
            // ffmpeg made `seconds` of 1-second segments: the last may come after the playlist that ended the stream.
            if (all.stream().mapToInt(Recording::segments).sum() == published && all.stream().allMatch(Recording::finished)
                    && total(all) >= seconds - 0.5) {
                return all;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError(published + " segments published, recorded: " + all);
            }
            Thread.sleep(20); // polling a condition, not waiting for a guessed time
        }
    }

    static List<Recording> recordings(String stream) {
        return server.live.recorder().orElseThrow().list("live").stream().filter(r -> r.stream().equals(stream)).toList();
    }

    static double total(List<Recording> parts) {
        return parts.stream().mapToLong(r -> r.duration().toMillis()).sum() / 1000.0;
    }

    /** ffprobe's duration of a URL (the whole VOD playlist, or the MP4), and ffmpeg decodes all of it without an error. */
    static double plays(String url) {
        Tools.Run run = Tools.run(List.of(Tools.ffprobe(), "-v", "error", "-show_entries", "format=duration", "-of",
                "default=nw=1:nk=1", url), Duration.ofSeconds(30), Map.of());
        assertEquals(0, run.exitCode(), run::describe);
        Tools.Run decode = Tools.run(List.of(Tools.ffmpeg(), "-v", "error", "-nostdin", "-i", url, "-f", "null", "-"),
                Duration.ofSeconds(60), Map.of());
        assertEquals(0, decode.exitCode(), decode::describe);
        assertEquals("", decode.stderr().strip(), "decoded without an error: " + decode.describe());
        return Double.parseDouble(run.stdout().strip());
    }

    static String url(Recording r, String file) {
        Ticket t = server.ticket("live", r.folder().substring(0, r.folder().indexOf('/')) + "/*");
        return server.playbackUrl(t, "live", r.folder() + "/" + file);
    }

    static void playsInFfprobe(List<Recording> parts) {
        for (Recording r : parts) {
            double d = plays(url(r, "playlist.m3u8"));
            assertEquals(r.duration().toMillis() / 1000.0, d, 0.1, "ffprobe's duration of " + r);
        }
    }

    @Test
    @Order(1)
    void durationCutsIntoPartsOfThatLengthNamedByTheirEnd() throws Exception {
        List<Recording> parts = publishAndRecord("dur", 7);
        assertTrue(parts.size() >= 2, parts::toString);
        for (Recording r : parts.subList(0, parts.size() - 1)) {
            double s = r.duration().toMillis() / 1000.0;
            assertTrue(s >= 2.99 && s < 4.5, "a part of 3 s, up to one segment more: " + r);
        }
        assertEquals(7.0, total(parts), 1.05, "all that was published, within one segment: " + parts);
        for (Recording r : parts) {
            assertTrue(r.name().matches("dur-\\d{4}-\\d\\d-\\d\\d_\\d\\d-\\d\\d(-\\d+)?"), r::toString);
            assertTrue(r.folder().startsWith("shows/"), r::toString);
            String p = Files.readString(media.resolve("live").resolve(r.folder()).resolve("playlist.m3u8"));
            assertTrue(p.contains("#EXT-X-PLAYLIST-TYPE:VOD") && p.endsWith("#EXT-X-ENDLIST\n") && p.contains("#EXT-X-PROGRAM-DATE-TIME:"), p);
        }
        assertEquals(parts.get(0).end(), parts.get(1).start(), "parts follow each other: no frame lost, none twice");
        playsInFfprobe(parts);
        // hls.js in Chromium plays a part with its ticket, through the filter.
        BrowserPlayer.Result played = BrowserPlayer.open(server.base() + "/player/hls.html?src="
                + URLEncoder.encode(url(parts.get(0), "playlist.m3u8"), StandardCharsets.UTF_8), BrowserPlayer.Options.defaults());
        assertTrue(played.played(1), played::describe);
    }

    @Test
    @Order(2)
    void sizeCutsBeforeTheSegmentThatWouldPushThePartOverAndEventNamesCountParts() throws Exception {
        List<Recording> parts = publishAndRecord("size", 6);
        assertTrue(parts.size() >= 2, parts::toString);
        for (Recording r : parts) {
            assertTrue(r.bytes() <= 60 * 1024 || r.segments() == 1, "at most 60 KB, or one larger segment: " + r);
        }
        for (int i = 0; i < parts.size() - 1; i++) {
            long next = Files.size(media.resolve("live").resolve(parts.get(i + 1).folder()).resolve("seg-0.ts"));
            assertTrue(parts.get(i).bytes() + next > 60 * 1024, "cut only before the segment that would push it over: " + parts);
        }
        for (int i = 0; i < parts.size(); i++) {
            assertTrue(parts.get(i).name().matches("size-\\d{4}-\\d\\d-\\d\\d_\\d\\d-\\d\\d-pt" + (i + 1) + "(-\\d+)?"),
                    parts.get(i)::toString);
        }
        assertEquals(6.0, total(parts), 1.05, parts::toString);
        playsInFfprobe(parts);
    }

    @Test
    @Order(3)
    void aScheduleCutsWhereTheProgramDateTimeReachesTheFiring() throws Exception {
        // Live time is the server's clock: five seconds before a minute, so the stream crosses one firing.
        Instant minute = Instant.now().plus(Duration.ofMinutes(2)).truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        server.clock.set(minute.minusSeconds(5));
        List<Recording> parts = publishAndRecord("sched", 8);
        assertEquals(2, parts.size(), parts::toString);
        assertTrue(parts.get(0).end().compareTo(minute) <= 0 && !parts.get(1).start().isBefore(minute), parts::toString);
        assertEquals(8.0, total(parts), 1.05, parts::toString);
        playsInFfprobe(parts);
    }

    @Test
    @Order(4)
    void fmp4GivesOneRecordingPerSessionAndOneFragmentedMp4InTheDayFolder() throws Exception {
        List<Recording> parts = publishAndRecord("fmp4", 5, "-hls_segment_type", "fmp4");
        assertEquals(1, parts.size(), parts::toString);
        Recording r = parts.get(0);
        assertTrue(r.mp4(), r::toString);
        assertTrue(r.folder().matches("recordings/\\d{4}-\\d\\d-\\d\\d/fmp4-.*"), r::toString);
        assertEquals(5.0, total(parts), 1.05, parts::toString);
        playsInFfprobe(parts);
        double mp4 = plays(url(r, "recording.mp4"));
        assertEquals(r.duration().toMillis() / 1000.0, mp4, 0.2, "the MP4 holds every segment");
    }

    @Test
    @Order(5)
    void withoutRecordNothingIsRecordedAndTheCommandListsAnAppsRecordings() throws Exception {
        publishAndRecordNothing();
        Map<String, Object> listed = LiveIngestTest.php("sevu.listrecordings", "{\"app\":\"live\"}");
        assertEquals(2077, LiveIngestTest.code(listed), listed::toString);
        List<?> all = (List<?>) listed.get("recordings");
        assertEquals(server.live.recorder().orElseThrow().list("live").size(), all.size());
        Map<?, ?> first = (Map<?, ?>) all.get(0);
        for (String field : List.of("name", "stream", "start", "end", "duration", "size", "folder")) {
            assertTrue(first.containsKey(field), field + " in " + first);
        }
        assertEquals("dur", first.get("stream"));
        Map<String, Object> one = LiveIngestTest.php("sevu.listrecordings", "{\"app\":\"live\",\"stream\":\"dur\",\"limit\":1}");
        List<?> newest = (List<?>) one.get("recordings");
        assertEquals(1, newest.size(), one::toString);
        assertEquals(recordings("dur").get(recordings("dur").size() - 1).name(), ((Map<?, ?>) newest.get(0)).get("name"), "the newest");
        assertEquals(12, LiveIngestTest.code(LiveIngestTest.php("sevu.listrecordings", "{\"app\":\"live\",\"limit\":0}")));
        Map<String, Object> other = LiveIngestTest.php("sevu.listrecordings", "{\"app\":\"someone-else\"}");
        assertEquals(1, LiveIngestTest.code(other), "another account's app: " + other);
    }

    static void publishAndRecordNothing() throws Exception {
        LiveIngestTest.publish(LiveIngestTest.ingest("norec"), LiveIngestTest.basic("norec_user", PASS), 2);
        LiveIngestTest.awaitServed("norec", LiveStreams.State.ENDED, x -> x.contains("#EXT-X-ENDLIST"));
        assertEquals(List.of(), recordings("norec"));
    }

    @Test
    @Order(6)
    void aServerKilledMidRecordingLeavesAPlayableRecordingAfterItsRestart(@TempDir Path crashed) throws Exception {
        Path root = crashed.resolve("media");
        Files.createDirectories(root);
        Path portFile = crashed.resolve("port");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), RecordingChild.class.getName(),
                root.toString(), portFile.toString())
                .redirectOutput(crashed.resolve("child.out").toFile()).redirectError(crashed.resolve("child.err").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        Process ffmpeg = null;
        try {
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!Files.exists(portFile)) {
                assertTrue(child.isAlive() && System.nanoTime() < end, () -> "the child did not start: " + read(crashed.resolve("child.err")));
                Thread.sleep(50); // polling a condition
            }
            String url = "http://127.0.0.1:" + Files.readString(portFile).strip() + "/usher/ingest/live/crash/playlist.m3u8";
            ffmpeg = new ProcessBuilder(Tools.ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
                    "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                    "-t", "60", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25", "-keyint_min", "25",
                    "-sc_threshold", "0", "-c:a", "aac", "-b:a", "64k", "-f", "hls", "-hls_time", "1", "-hls_list_size", "5",
                    "-method", "PUT", "-headers", "Authorization: Basic " + LiveIngestTest.basic("crash_user", PASS) + "\r\n", url)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            // Recording: wait (bounded) until its playlist lists 4 segments, then SIGKILL the server mid-stream.
            Path playlist = null;
            while (playlist == null || count(playlist) < 4) {
                assertTrue(System.nanoTime() < end, "no recording in the child: " + read(crashed.resolve("child.err")));
                playlist = find(root.resolve("live/shows"));
                Thread.sleep(50); // polling a condition
            }
            assertTrue(Files.readString(playlist).contains("#EXT-X-PLAYLIST-TYPE:EVENT"), "being written");
            child.destroyForcibly(); // SIGKILL: no shutdown hook, no close
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertEquals(137, child.exitValue(), "killed by SIGKILL");
        } finally {
            child.destroyForcibly();
            if (ffmpeg != null) {
                ffmpeg.destroyForcibly();
                ffmpeg.waitFor(10, TimeUnit.SECONDS);
            }
        }
        int listedAtKill = count(find(root.resolve("live/shows")));
        // The restart: a new server on the same folder finishes the recording.
        try (LiveServer restarted = new LiveServer(root, LiveSettings.defaults(), RecordingChild.settings(root))) {
            List<Recording> all = restarted.live.recorder().orElseThrow().list("live");
            assertEquals(1, all.size(), all::toString);
            Recording r = all.get(0);
            assertTrue(r.finished(), r::toString);
            assertTrue(r.name().matches("crash-\\d{4}-\\d\\d-\\d\\d_\\d\\d-\\d\\d"), "its final name: " + r);
            assertTrue(r.segments() >= listedAtKill && r.segments() <= listedAtKill + 1, "at most the segment in flight lost: " + r);
            String p = Files.readString(root.resolve("live").resolve(r.folder()).resolve("playlist.m3u8"));
            assertTrue(p.contains("#EXT-X-PLAYLIST-TYPE:VOD") && p.endsWith("#EXT-X-ENDLIST\n"), p);
            Ticket t = restarted.ticket("live", "shows/*");
            String played = restarted.playbackUrl(t, "live", r.folder() + "/playlist.m3u8");
            Ffprobe.Result probe = Ffprobe.probe(played);
            assertTrue(probe.hasVideo() && probe.hasAudio(), probe::describe);
            double d = plays(restarted.playbackUrl(restarted.ticket("live", "shows/*"), "live", r.folder() + "/playlist.m3u8"));
            assertEquals(r.duration().toMillis() / 1000.0, d, 0.1);
        }
    }

    @Test
    @Order(7)
    void belowTheFreeSpaceFloorIngestIs507AndTheOperatorIsToldInThePublisherLogAndByOneEvent(@TempDir Path full) throws Exception {
        try (LiveServer low = new LiveServer(full, LiveSettings.defaults().withLimits(1 << 20, 4 << 10, Long.MAX_VALUE))) {
            low.addStreamUser("live", "cam", "cam_user", PASS);
            List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
            low.live.recordingListeners().add(new dev.usher.core.live.record.RecordingListener() {
                @Override
                public void diskLow(String app, String stream, long free, long floor) {
                    told.add(app + "/" + stream + " " + (free < floor));
                }
            });
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            for (int i = 0; i < 3; i++) {
                var put = java.net.http.HttpRequest.newBuilder(java.net.URI.create(low.base() + "/usher/ingest/live/cam/seg" + i + ".ts"))
                        .header("Authorization", "Basic " + LiveIngestTest.basic("cam_user", PASS))
                        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("x")).build();
                assertEquals(507, http.send(put, java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
            }
            assertEquals(List.of("live/cam true"), told, "one event, not one per refused upload");
            var log = low.live.log().read(java.util.Set.of("live"), "live", "cam", 10);
            assertEquals(3, log.size(), "every refusal in the publisher log");
            assertEquals(507, log.get(0).status());
        }
    }

    /**
     * ffmpeg's dash muxer (fMP4: an init segment and m4s segments, video and audio each its own
     * Representation) gives a recording of both: a master playlist naming the video's media playlist
     * (EXT-X-MAP, r0.m3u8) and the audio's (r1/) as its EXT-X-MEDIA, and an MP4 per rendition; ffprobe
     * of the master finds the video and the audio (before, the audio was lost: issue 15, "no lost frames").
     * The media playlist was playlist.m3u8 when one rendition was recorded: adapted to the new layout.
     */
    @Test
    @Order(8)
    void dashIngestIsRecordedAsAnFmp4HlsPackageAndOneMp4() throws Exception {
        int seconds = 5;
        Tools.Run run = Tools.run(List.of(Tools.ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
                "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", Integer.toString(seconds), "-c:v", "libx264",
                "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
                "-c:a", "aac", "-b:a", "64k", "-f", "dash", "-seg_duration", "1", "-window_size", "5", "-method", "PUT",
                // the dash muxer passes no -headers to its segment uploads: credentials in the URL (as LiveDashIngestTest)
                server.base().replace("http://", "http://dashrec_user:" + PASS + "@") + "/usher/ingest/live/dashrec/manifest.mpd"), Duration.ofSeconds(seconds + 60L), Map.of());
        assertEquals(0, run.exitCode(), run::describe);
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<Recording> parts = recordings("dashrec");
        while (parts.isEmpty() || !parts.stream().allMatch(Recording::finished) || total(parts) < seconds - 0.5) {
            assertTrue(System.nanoTime() < end, () -> "DASH ingest not recorded: " + recordings("dashrec"));
            Thread.sleep(20); // polling a condition, not waiting for a guessed time
            parts = recordings("dashrec");
        }
        assertEquals(1, parts.size(), parts::toString);
        Recording r = parts.get(0);
        assertTrue(r.mp4(), r::toString);
        assertEquals(seconds, total(parts), 1.05, "all that was published, within one segment: " + parts);
        Path dir = media.resolve("live").resolve(r.folder());
        String master = Files.readString(dir.resolve("playlist.m3u8"));
        assertTrue(master.contains("#EXT-X-STREAM-INF:BANDWIDTH=") && master.contains("AUDIO=\"audio\"\nr0.m3u8\n")
                && master.contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\"") && master.contains("URI=\"r1/playlist.m3u8\""), master);
        for (Path media : List.of(dir.resolve("r0.m3u8"), dir.resolve("r1/playlist.m3u8"))) {
            String p = Files.readString(media);
            assertTrue(p.contains("#EXT-X-MAP:URI=\"init.mp4\"") && p.contains("#EXT-X-PLAYLIST-TYPE:VOD") && p.endsWith("#EXT-X-ENDLIST\n")
                    && p.contains(".m4s"), media + ": " + p);
        }
        assertEquals(r.duration().toMillis() / 1000.0, plays(url(r, "r0.m3u8")), 0.1, "the video's playlist holds every segment");
        assertEquals(r.duration().toMillis() / 1000.0, plays(url(r, "recording.mp4")), 0.2, "the video's MP4 holds every segment");
        assertEquals(r.duration().toMillis() / 1000.0, plays(url(r, "r1/recording.mp4")), 1.05, "the audio's MP4, within one segment");
        Ffprobe.Result probe = Ffprobe.probe(url(r, "playlist.m3u8"));
        assertTrue(probe.hasVideo() && probe.hasAudio(), "the master plays the video and its audio: " + probe.describe());
        plays(url(r, "playlist.m3u8")); // ffmpeg decodes both without an error
    }

    /**
     * An HLS ladder of two qualities (each with its audio, TS) is recorded whole: a master naming
     * both as variants, each rendition's media playlist with the same segments' program date-times;
     * before, only the first quality was recorded.
     */
    @Test
    @Order(9)
    void anHlsLadderIsRecordedInEveryQualityUnderOneMaster() throws Exception {
        int seconds = 4;
        Tools.Run run = Tools.run(List.of(Tools.ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
                "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
                "-t", Integer.toString(seconds), "-filter_complex", "[0:v]split=2[a][b];[b]scale=160:90[b2]", "-map", "[a]", "-map", "[b2]",
                "-map", "1:a", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25",
                "-keyint_min", "25", "-sc_threshold", "0", "-b:v:0", "500k", "-b:v:1", "150k", "-c:a", "aac", "-b:a", "64k",
                "-f", "hls", "-hls_time", "1", "-hls_list_size", "5", "-var_stream_map", "v:0,a:0 v:1,a:1",
                "-master_pl_name", "master.m3u8", "-method", "PUT", "-headers",
                "Authorization: Basic " + LiveIngestTest.basic("ladrec_user", PASS) + "\r\n",
                server.base() + "/usher/ingest/live/ladrec/stream_%v.m3u8"), Duration.ofSeconds(seconds + 60L), Map.of());
        assertEquals(0, run.exitCode(), run::describe);
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<Recording> parts = recordings("ladrec");
        while (parts.isEmpty() || !parts.stream().allMatch(Recording::finished) || total(parts) < seconds - 0.5) {
            assertTrue(System.nanoTime() < end, () -> "the ladder not recorded: " + recordings("ladrec"));
            Thread.sleep(20); // polling a condition, not waiting for a guessed time
            parts = recordings("ladrec");
        }
        assertEquals(1, parts.size(), parts::toString);
        Recording r = parts.get(0);
        Path dir = media.resolve("live").resolve(r.folder());
        String master = Files.readString(dir.resolve("playlist.m3u8"));
        assertEquals(2, master.lines().filter(l -> l.startsWith("#EXT-X-STREAM-INF:BANDWIDTH=")).count(), master);
        assertTrue(master.contains("\nr0.m3u8\n") && master.contains("\nr1/playlist.m3u8\n"), master);
        int first = count(dir.resolve("r0.m3u8"));
        int second = count(dir.resolve("r1/playlist.m3u8"));
        assertEquals(first, second, 1, "both qualities hold the session, within its last segment");
        assertEquals(r.duration().toMillis() / 1000.0, plays(url(r, "r0.m3u8")), 0.1);
        plays(url(r, "r1/playlist.m3u8"));
        Ffprobe.Result probe = Ffprobe.probe(url(r, "playlist.m3u8"));
        assertTrue(probe.hasVideo() && probe.hasAudio(), probe.describe());
    }

    static int count(Path playlist) throws Exception {
        return playlist == null || !Files.exists(playlist) ? 0
                : (int) Files.readAllLines(playlist).stream().filter(l -> l.startsWith("#EXTINF")).count();
    }

    static Path find(Path shows) throws Exception {
        if (!Files.isDirectory(shows)) {
            return null;
        }
        try (var s = Files.find(shows, 2, (p, a) -> p.getFileName().toString().equals("playlist.m3u8"))) {
            return s.findFirst().orElse(null);
        }
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "";
        }
    }
}
