package dev.usher.sample;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runner's settings from the environment, as operators give them: another media folder, a bad port. */
class RunnerSettingsIT {

    @Test
    void theMediaFolderAndTheApiAccountComeFromEnvironmentVariables(@TempDir Path media) throws Exception {
        byte[] mine = "not really an mp4, but mine".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Files.createDirectories(media.resolve("demo-vod/mp4"));
        Files.write(media.resolve("demo-vod/mp4/demo.mp4"), mine);
        Path jar = TestTools.artifact("usher.sample.jar");
        try (RunningProcess runner = RunningProcess.start("usher-sample-env", jar.getParent().getParent(),
                List.of(TestTools.java(), "-Dusher.jdbc.url=jdbc:h2:file:" + media.resolve("db/tickets"), "-jar", jar.toString()),
                Map.of("USHER_SAMPLE_PORT", "0", "USHER_SAMPLE_MEDIA_DIR", media.toString(),
                        "USHER_ACCOUNT_158_SECRET", "another-secret-for-158"))) {
            String ready = runner.await(l -> l.startsWith("Usher sample listening on "), l -> false, Duration.ofSeconds(60));
            URI base = URI.create(ready.substring("Usher sample listening on ".length()).trim());
            SiteClient alice = new SiteClient(base);
            alice.signIn("alice", "alice");
            HttpResponse<byte[]> served = alice.getBytes(alice.absolute(alice.playbackUrl("mp4")));
            assertEquals(200, served.statusCode());
            assertArrayEquals(mine, served.body(), "served from USHER_SAMPLE_MEDIA_DIR");
            HttpResponse<String> master = alice.get(alice.absolute(alice.playbackUrl("hls-ts")));
            assertEquals(404, master.statusCode(), "granted, but that folder has no HLS");
            // The demo secret no longer authenticates v2: the environment's does.
            assertEquals(401, alice.v2("sevu_token").statusCode());
        }
    }

    @Test
    void ticketsSurviveARestartOfTheRunner(@TempDir Path data) throws Exception {
        Path jar = TestTools.artifact("usher.sample.jar");
        List<String> command = List.of(TestTools.java(), "-Dusher.sample.port=0",
                "-Dusher.jdbc.url=jdbc:h2:file:" + data.resolve("tickets"), "-jar", jar.toString());
        String url;
        try (RunningProcess runner = RunningProcess.start("usher-sample-first", jar.getParent().getParent(), command)) {
            String ready = runner.await(l -> l.startsWith("Usher sample listening on "), l -> false, Duration.ofSeconds(60));
            SiteClient alice = new SiteClient(URI.create(ready.substring("Usher sample listening on ".length()).trim()));
            alice.signIn("alice", "alice");
            url = alice.playbackUrl("mp4");
            assertEquals(200, alice.getBytes(alice.absolute(url)).statusCode());
        }
        assertTrue(Files.list(data).findAny().isPresent(), "the H2 file is in the data folder");
        try (RunningProcess runner = RunningProcess.start("usher-sample-second", jar.getParent().getParent(), command)) {
            String ready = runner.await(l -> l.startsWith("Usher sample listening on "), l -> false, Duration.ofSeconds(60));
            SiteClient client = new SiteClient(URI.create(ready.substring("Usher sample listening on ".length()).trim()));
            // The ticket issued before the restart still opens its video (a use is left: 3 per ticket).
            assertEquals(200, client.getBytes(client.absolute(url)).statusCode());
        }
    }

    @Test
    void aMissingMediaFolderStopsTheRunnerWithItsName() throws Exception {
        Path jar = TestTools.artifact("usher.sample.jar");
        try (RunningProcess runner = RunningProcess.start("usher-sample-bad", jar.getParent().getParent(),
                List.of(TestTools.java(), "-Dusher.sample.port=0", "-Dusher.sample.media-dir=/nonexistent/media",
                        "-jar", jar.toString()))) {
            AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                    () -> runner.await(l -> l.startsWith("Usher sample listening"), l -> false, Duration.ofSeconds(60)));
            assertTrue(e.getMessage().contains("exited with 2"), e.getMessage());
            assertTrue(e.getMessage().contains("usher.sample.media-dir: /nonexistent/media is not a folder"), e.getMessage());
        }
    }
}
