package dev.usher.sample;

import dev.usher.testing.Tools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runner accepts live ingest out of the box: a stream user from sevu.addstreamuser (the seeds'
 * PHP client, the demo account), stock ffmpeg pushing HLS to /usher/ingest/demo-live/…, ffprobe
 * playing /media/demo-live/… with a sevu.request ticket.
 */
class LiveRunnerIT {

    static String run(List<String> cmd, Path dir) throws Exception {
        Tools.Run run = Tools.run(cmd, Duration.ofSeconds(90), Map.of(), dir);
        assertTrue(!run.timedOut(), "finished: " + cmd);
        assertEquals(0, run.exitCode(), run::describe);
        return run.stdout() + run.stderr();
    }

    /** The demo account's secret: the one this runner made in its data folder (never a committed one). */
    private String secret;

    List<String> php(String base, String command, String fields) {
        return List.of(Tools.php(), Tools.repoRoot().resolve("servlet-filter/src/test/resources/php/sevu-client.php").toString(),
                base + "usher/", "158", "demo-api-key-158", secret, command, fields);
    }

    @Test
    void ffmpegPublishesToTheRunnerAndFfprobePlaysItWithATicket(@TempDir Path data) throws Exception {
        Path jar = TestTools.artifact("usher.sample.jar");
        try (RunningProcess runner = RunningProcess.start("usher-sample-live", jar.getParent().getParent(),
                List.of(TestTools.java(), "-Dusher.sample.port=0", "-Dusher.jdbc.url=jdbc:h2:file:" + data.resolve("tickets"),
                        "-Dusher.sample.data-dir=" + data.resolve("db"),
                        "-Dusher.ingest.dir=" + data.resolve("live"), "-jar", jar.toString()))) {
            String ready = runner.await(l -> l.startsWith("Usher sample listening on "), l -> false, Duration.ofSeconds(60));
            secret = SiteClient.runnerApiSecret(data.resolve("db"));
            String base = URI.create(ready.substring("Usher sample listening on ".length()).trim()).toString();
            String added = run(php(base, "sevu.addstreamuser", "{\"app\":\"demo-live\",\"stream\":\"cam\",\"user\":\"cam_user\","
                    + "\"pass\":\"cam_password_123\",\"playlist_timeout\":60}"), data);
            assertTrue(added.contains("\"code\":2071"), added);

            List<String> ffmpeg = new ArrayList<>(List.of(Tools.ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
                    "-f", "lavfi", "-i", "testsrc=size=320x180:rate=25", "-f", "lavfi", "-i", "sine", "-t", "5",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "25", "-c:a", "aac",
                    "-f", "hls", "-hls_time", "1", "-method", "PUT", "-headers",
                    "Authorization: Basic " + Base64.getEncoder().encodeToString("cam_user:cam_password_123".getBytes(StandardCharsets.UTF_8)) + "\r\n",
                    base + "usher/ingest/demo-live/cam/playlist.m3u8"));
            run(ffmpeg, data);
            Path playlist = data.resolve("live/demo-live/cam/r-playlist.m3u8"); // the media playlist under the entry master
            long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (!(Files.isRegularFile(playlist) && Files.readString(playlist).split("#EXTINF").length > 3) && System.nanoTime() < end) {
                Thread.sleep(50); // polling for the server's last upload: ffmpeg does not wait for its answer
            }
            assertTrue(Files.readString(playlist).contains("#EXT-X-PROGRAM-DATE-TIME"), Files.readString(playlist));

            String ticket = run(php(base, "sevu.request", "{\"app\":\"demo-live\",\"video\":\"cam\",\"pass\":\"viewer_pass_1\","
                    + "\"ip\":\"127.0.0.1\",\"uses\":3,\"expire\":\"+1 hour\"}"), data);
            Matcher key = Pattern.compile("\"key\":\"([^\"]+)\"").matcher(ticket);
            assertTrue(key.find(), ticket);
            String probe = run(List.of(Tools.ffprobe(), "-v", "error", "-show_entries", "stream=codec_type", "-of", "csv",
                    base + "media/demo-live/cam/playlist.m3u8?key=" + key.group(1) + "&pass=viewer_pass_1"), data);
            assertTrue(probe.contains("video") && probe.contains("audio"), probe);
        }
    }
}
