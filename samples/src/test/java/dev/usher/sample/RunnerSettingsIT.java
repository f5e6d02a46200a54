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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The runner's settings from the environment, as operators give them: another media folder, a bad port. */
class RunnerSettingsIT {

    @Test
    void theMediaFolderAndTheApiAccountComeFromEnvironmentVariables(@TempDir Path media) throws Exception {
        byte[] mine = "not really an mp4, but mine".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Files.createDirectories(media.resolve("demo-vod/mp4"));
        Files.write(media.resolve("demo-vod/mp4/demo.mp4"), mine);
        Path jar = TestTools.artifact("usher.sample.jar");
        String mySecret = java.util.UUID.randomUUID().toString(); // never a committed (published) one
        String envSecret = java.util.UUID.randomUUID().toString();
        try (RunningProcess runner = RunningProcess.start("usher-sample-env", jar.getParent().getParent(),
                List.of(TestTools.java(), "-Dusher.sample.data-dir=" + media.resolve("db"), "-jar", jar.toString()),
                Map.of("USHER_SAMPLE_PORT", "0", "USHER_SAMPLE_MEDIA_DIR", media.toString(),
                        "USHER_ACCOUNT_158_SECRET", mySecret,
                        // An account given only by environment variables, seen through the CDI extension.
                        "USHER_ACCOUNT_159_API_KEY", "env-only-api-key-159", "USHER_ACCOUNT_159_SECRET", envSecret,
                        "USHER_ACCOUNT_159_USERNAME", "envonly"))) {
            String ready = runner.await(l -> l.startsWith("Usher sample listening on "), l -> false, Duration.ofSeconds(60));
            URI base = URI.create(ready.substring("Usher sample listening on ".length()).trim());
            SiteClient alice = new SiteClient(base);
            alice.signIn("alice", "alice");
            HttpResponse<byte[]> served = alice.getBytes(alice.absolute(alice.playbackUrl("mp4")));
            assertEquals(200, served.statusCode());
            assertArrayEquals(mine, served.body(), "served from USHER_SAMPLE_MEDIA_DIR");
            HttpResponse<String> master = alice.get(alice.absolute(alice.playbackUrl("hls-ts")));
            assertEquals(404, master.statusCode(), "granted, but that folder has no HLS");
            // The environment's secret authenticates v2, not the one the runner made in its data folder.
            assertEquals(200, new SiteClient(base, mySecret).v2("sevu_token").statusCode());
            assertEquals(401, new SiteClient(base, SiteClient.runnerApiSecret(media.resolve("db"))).v2("sevu_token").statusCode());
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            String basic = java.util.Base64.getEncoder().encodeToString(("159:" + envSecret).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            HttpResponse<String> envAccount = http.send(java.net.http.HttpRequest.newBuilder(base.resolve("usher/v2/sevu_token"))
                    .header("Authorization", "Basic " + basic).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, envAccount.statusCode(), "account 159 from USHER_ACCOUNT_159_*: " + envAccount.body());
        }
    }

    @Test
    void ticketsSurviveARestartOfTheRunner(@TempDir Path data) throws Exception {
        Path jar = TestTools.artifact("usher.sample.jar");
        List<String> command = List.of(TestTools.java(), "-Dusher.sample.port=0",
                "-Dusher.sample.data-dir=" + data, "-jar", jar.toString());
        String url;
        URI segment;
        String apiSecret;
        try (RunningProcess runner = RunningProcess.start("usher-sample-first", jar.getParent().getParent(), command)) {
            String ready = runner.await(l -> l.startsWith("Usher sample listening on "), l -> false, Duration.ofSeconds(60));
            SiteClient alice = new SiteClient(URI.create(ready.substring("Usher sample listening on ".length()).trim()));
            alice.signIn("alice", "alice");
            url = alice.playbackUrl("mp4");
            assertEquals(200, alice.getBytes(alice.absolute(url)).statusCode());
            URI master = alice.absolute(alice.playbackUrl("hls-ts"));
            HttpResponse<String> playlist = alice.get(master);
            assertEquals(200, playlist.statusCode(), playlist.body());
            URI variant = master.resolve(playlist.body().lines().filter(l -> l.startsWith("v0/")).findFirst().orElseThrow());
            HttpResponse<String> media = alice.get(variant);
            segment = variant.resolve(media.body().lines().filter(l -> l.startsWith("seg_000.ts")).findFirst().orElseThrow());
            assertTrue(segment.getQuery().contains("uc="), segment.toString());
            assertEquals(200, alice.getBytes(segment).statusCode());

            // The secrets were made on this first start, owner-only, and only their path is printed.
            Path secrets = data.resolve("secrets.properties");
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets)));
            java.util.Properties made = SiteClient.runnerSecrets(data);
            apiSecret = made.getProperty("usher.account.158.secret");
            String credentialSecret = made.getProperty("usher.credential.secrets");
            assertTrue(apiSecret.length() >= 40 && credentialSecret.startsWith("s1:"), "random secrets were made");
            assertTrue(runner.log().contains(secrets.toString()), "the runner says where the secrets are:\n" + runner.log());
            assertFalse(runner.log().contains(apiSecret) || runner.log().contains(credentialSecret.substring(3)),
                    "never the secrets themselves");
            assertEquals(200, new SiteClient(alice.absolute("/"), apiSecret).v2("sevu_token").statusCode());
        }
        assertTrue(Files.exists(data.resolve("tickets.mv.db")), "the H2 file is in the data folder");
        try (RunningProcess runner = RunningProcess.start("usher-sample-second", jar.getParent().getParent(), command)) {
            String ready = runner.await(l -> l.startsWith("Usher sample listening on "), l -> false, Duration.ofSeconds(60));
            URI base = URI.create(ready.substring("Usher sample listening on ".length()).trim());
            SiteClient client = new SiteClient(base, apiSecret);
            // The ticket issued before the restart still opens its video (a use is left: 3 per ticket).
            assertEquals(200, client.getBytes(client.absolute(url)).statusCode());
            // And the credentials signed before it still verify: the same secret, kept in the data folder.
            URI again = base.resolve(segment.getRawPath() + "?" + segment.getRawQuery());
            assertEquals(200, client.getBytes(again).statusCode());
            assertEquals(200, client.v2("sevu_token").statusCode(), "the API secret too");
        }
    }

    @Test
    void aPublishedSecretStopsTheRunnerNamingTheKey(@TempDir Path data) throws Exception {
        Path jar = TestTools.artifact("usher.sample.jar");
        String published = "demo1:OaVHLmOvjGriH1nyI0NaU+TXxCV2hBtdHUyj01PwhLA="; // the one this sample once shipped
        try (RunningProcess runner = RunningProcess.start("usher-sample-published", jar.getParent().getParent(),
                List.of(TestTools.java(), "-Dusher.sample.port=0", "-Dusher.sample.data-dir=" + data, "-jar", jar.toString()),
                Map.of("USHER_CREDENTIAL_SECRETS", published))) {
            AssertionError e = org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class,
                    () -> runner.await(l -> l.startsWith("Usher sample listening"), l -> false, Duration.ofSeconds(60)));
            assertTrue(e.getMessage().contains("exited with"), e.getMessage());
            assertTrue(e.getMessage().contains("usher.credential.secrets: the secret of key id 'demo1' is a published value"),
                    e.getMessage());
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
