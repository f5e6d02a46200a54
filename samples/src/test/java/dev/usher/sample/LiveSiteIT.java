package dev.usher.sample;

import dev.usher.testing.Tools;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The sample site lists the live streams of its demo app and plays them: the packaged runner,
 * stream users from sevu.addstreamuser (the seeds' PHP client), stock ffmpeg publishing one stream
 * as HLS and one as DASH while the signed-in operator (admin) opens live.html in Chromium (e2e/live.mjs),
 * sees both publishing, and watches each live with a ticket the page got for them. An encoder with the
 * wrong password pushes while the page is open: the operator sees the refusal appear in the page's
 * publisher log (as text: the encoder's user name is markup). The log is the operators' alone (issue
 * 16): refused signed out (401) and to a viewer (403), whose page shows no panel.
 */
class LiveSiteIT {

    @Test
    void theLivePageListsThePublishingStreamsAndPlaysEachWithATicket(@TempDir Path data) throws Exception {
        Tools.requireBrowser();
        Path jar = TestTools.artifact("usher.sample.jar");
        List<Process> encoders = new ArrayList<>();
        try (RunningProcess runner = RunningProcess.start("usher-sample-live-site", jar.getParent().getParent(),
                List.of(TestTools.java(), "-Dusher.sample.port=0", "-Dusher.sample.data-dir=" + data.resolve("db"),
                        "-Dusher.ingest.dir=" + data.resolve("live"), "-jar", jar.toString()))) {
            String ready = runner.await(l -> l.startsWith("Usher sample listening on "), l -> false, Duration.ofSeconds(60));
            String base = URI.create(ready.substring("Usher sample listening on ".length()).trim()).toString();
            String secret = SiteClient.runnerApiSecret(data.resolve("db"));
            for (String stream : List.of("cam", "dcam")) {
                String added = LiveRunnerIT.run(List.of(Tools.php(), Tools.repoRoot()
                                .resolve("servlet-filter/src/test/resources/php/sevu-client.php").toString(), base + "usher/", "158",
                        "demo-api-key-158", secret, "sevu.addstreamuser", "{\"app\":\"demo-live\",\"stream\":\"" + stream
                                + "\",\"user\":\"" + stream + "_user\",\"pass\":\"cam_password_123\",\"playlist_timeout\":60}"), data);
                assertTrue(added.contains("\"code\":2071"), added);
            }
            String credentials = "_user:cam_password_123@";
            String host = base.replace("http://", "");
            encoders.add(ffmpeg(data, List.of("-f", "hls", "-hls_time", "1", "-hls_list_size", "5", "-method", "PUT",
                    "http://cam" + credentials + host + "usher/ingest/demo-live/cam/playlist.m3u8")));
            encoders.add(ffmpeg(data, List.of("-f", "dash", "-seg_duration", "1", "-window_size", "5", "-method", "PUT",
                    "http://dcam" + credentials + host + "usher/ingest/demo-live/dcam/manifest.mpd")));
            awaitSegments(data.resolve("live/demo-live/cam/r-playlist.m3u8"), "#EXTINF", runner);
            awaitSegments(data.resolve("live/demo-live/dcam/manifest.mpd"), "<S ", runner);

            String bad = "<img src=x onerror=window.pwned=1>";
            JsonObject walk = browse(base, Json.createObjectBuilder().add("url", base + "usher/ingest/demo-live/cam/playlist.m3u8")
                    .add("user", bad).add("password", "not_the_password").build());
            assertEquals(401, walk.getJsonObject("signedOutLog").getInt("status"), walk::toString);
            assertTrue(walk.getJsonObject("signedOutLog").getBoolean("panelHidden"), walk::toString);
            assertEquals(401, walk.getJsonObject("badPush").getInt("status"), walk::toString);
            JsonObject log = walk.getJsonObject("log");
            JsonArray after = log.getJsonArray("after");
            assertEquals(log.getJsonArray("before").size() + 1, after.size(), "the refusal appeared in the open panel: " + log);
            JsonObject newest = after.getJsonObject(0);
            assertEquals("demo-live", newest.getString("app"), log::toString);
            assertEquals("cam", newest.getString("stream"), log::toString);
            assertEquals("playlist.m3u8", newest.getString("file"), log::toString);
            assertEquals("PUT", newest.getString("method"), log::toString);
            assertEquals("401", newest.getString("status"), log::toString);
            assertEquals(bad, newest.getString("user"), "the user name shown as text: " + log);
            assertFalse(newest.getString("reason").isBlank(), log::toString);
            assertFalse(newest.getString("ip").isBlank(), log::toString);
            assertFalse(newest.getString("time").isBlank(), log::toString);
            assertEquals(0, log.getInt("imgs"), "no markup from the log: " + log);
            assertFalse(log.getBoolean("pwned"), log::toString);
            SiteClient viewer = new SiteClient(URI.create(base));
            viewer.signIn("alice", "alice");
            assertEquals(403, viewer.get("api/live/log").statusCode(), "a viewer does not read the publisher log");
            JsonArray listing = walk.getJsonArray("listing");
            assertEquals(2, listing.size(), walk::toString);
            assertEquals("[\"cam\",\"publishing\",\"HLS\"]", listing.get(0).toString(), walk::toString);
            assertEquals("[\"dcam\",\"publishing\",\"DASH\"]", listing.get(1).toString(), walk::toString);
            for (String stream : List.of("cam", "dcam")) {
                JsonObject play = walk.getJsonObject("plays").getJsonObject(stream);
                assertFalse(play.getBoolean("fatal"), play::toString);
                assertFalse(play.isNull("started"), "playback started: " + play);
                assertTrue(play.getJsonNumber("currentTime").doubleValue() > play.getJsonNumber("started").doubleValue() + 2,
                        "played on live for 2 s: " + play);
                assertTrue(play.getString("url").contains("/media/demo-live/" + stream + "/") && play.getString("url").contains("key="),
                        play::toString);
                long segments = play.getJsonArray("requests").stream().map(JsonObject.class::cast)
                        .filter(r -> r.getString("url").contains("/media/demo-live/" + stream + "/")
                                && (r.getString("url").contains(".ts?") || r.getString("url").contains(".m4s?")))
                        // 0: no answer yet when the page was left, or a fetch the player cancelled itself
                        // (it aborts when it jumps to the live edge); never a refusal, which has its status.
                        .peek(r -> assertTrue(r.getInt("status") == 200 || r.getInt("status") == 0, r.toString()))
                        .peek(r -> assertTrue(r.getString("url").contains("uc="), r.toString()))
                        .filter(r -> r.getInt("status") == 200).count();
                assertTrue(segments >= 2, "segments fetched with their credential: " + play);
            }
        } finally {
            for (Process p : encoders) {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    static Process ffmpeg(Path dir, List<String> output) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Tools.ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
                "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-f", "lavfi", "-i", "sine", "-t", "60",
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25", "-keyint_min", "25",
                "-sc_threshold", "0", "-c:a", "aac"));
        cmd.addAll(output);
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(Files.createTempFile(dir, "ffmpeg", ".log").toFile()).start();
    }

    static void awaitSegments(Path manifest, String marker, RunningProcess runner) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!(Files.isRegularFile(manifest) && Files.readString(manifest).split(marker, -1).length > 4)) {
            if (System.nanoTime() > end) {
                fail(manifest + " got no segments\n" + runner.log());
            }
            Thread.sleep(50); // polling for the ingest's state, not a guessed time
        }
    }

    static JsonObject browse(String base, JsonObject badPush) throws Exception {
        Path script = Path.of(LiveSiteIT.class.getResource("/e2e/live.mjs").toURI());
        var options = Json.createObjectBuilder().add("base", base).add("user", "admin").add("password", "admin")
                .add("streams", Json.createArrayBuilder(List.of("cam", "dcam"))).add("advance", 2.5).add("maxWait", 25000)
                .add("badPush", badPush).add("chromium", Tools.chromium().toString());
        String shots = System.getProperty("usher.e2e.screenshots"); // a directory, to look at the page
        if (shots != null) {
            options.add("screenshots", shots);
        }
        ProcessBuilder pb = new ProcessBuilder(Tools.node(), script.toString(), options.build().toString());
        pb.environment().put("USHER_NODE_MODULES", Tools.nodeModules().toString());
        Path err = Files.createTempFile("usher-live-e2e", ".log");
        pb.redirectError(err.toFile());
        Process node = pb.start();
        byte[] out = node.getInputStream().readAllBytes();
        if (!node.waitFor(2, TimeUnit.MINUTES)) {
            node.destroyForcibly();
            fail("the browser walk did not finish");
        }
        String json = new String(out, StandardCharsets.UTF_8).trim();
        if (json.isEmpty()) {
            fail("live.mjs printed nothing; its stderr:\n" + Files.readString(err));
        }
        JsonObject walk = Json.createReader(new StringReader(json.substring(json.lastIndexOf('\n') + 1))).readObject();
        if (!walk.isNull("harnessError")) {
            fail("the browser walk failed: " + walk.getString("harnessError"));
        }
        return walk;
    }
}
