package dev.usher.sample;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The WAR on a real Jakarta EE 10 server: Payara Micro 6 (from Maven Central, copied to
 * {@code target/payara/} by the pom), loopback only, no Hazelcast. Nothing server-specific is in the
 * WAR: Usher's filter comes from its web-fragment.xml, the API servlet from its initializer, form
 * login from Jakarta Security, settings from microprofile-config.properties.
 *
 * <p>{@code -DskipPayara} leaves it out (it needs a 97 MiB download); by default it runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PayaraMicroIT {

    static final String CONTEXT = "usher";

    RunningProcess payara;
    URI base;

    @BeforeAll
    void deploy() throws Exception {
        Assumptions.assumeFalse(Boolean.getBoolean("usher.sample.skipPayara"), "-DskipPayara");
        Path war = TestTools.artifact("usher.sample.war");
        Path server = TestTools.artifact("usher.sample.payara");
        Path work = war.getParent().resolve("payara-run");
        Files.createDirectories(work);
        Path preboot = work.resolve("preboot.asadmin");
        // Listen on loopback only.
        Files.writeString(preboot, "set configs.config.server-config.network-config.network-listeners"
                + ".network-listener.http-listener.address=127.0.0.1\n");
        int port = freePort();
        payara = RunningProcess.start("payara-micro", work, List.of(TestTools.java(),
                "-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", server.toString(),
                "--deploy", war.toString(), "--contextroot", CONTEXT, "--port", String.valueOf(port),
                "--nohazelcast", "--disablephonehome", "--unpackdir", work.resolve("unpacked").toString(),
                "--prebootcommandfile", preboot.toString()));
        base = URI.create("http://127.0.0.1:" + port + "/" + CONTEXT + "/");
        awaitDeployed();
    }

    /** The port answers 404 before the app is deployed: poll a page of the app, and fail at once on a failed deployment. */
    private void awaitDeployed() throws Exception {
        SiteClient client = new SiteClient(base);
        long deadline = System.nanoTime() + 180_000_000_000L;
        while (System.nanoTime() < deadline) {
            String log = payara.log();
            if (log.contains("Exception while loading the app") || log.contains("Exception during lifecycle processing")) {
                fail("Payara Micro could not deploy the WAR:\n" + log);
            }
            if (!payara.isAlive()) {
                fail("Payara Micro exited:\n" + log);
            }
            try {
                if (client.get("login.html").statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        fail("the WAR was not deployed within 180 s:\n" + payara.log());
    }

    @AfterAll
    void stop() throws Exception {
        if (payara != null) {
            payara.close();
        }
    }

    @Test
    void theFilterRefusesMediaWithoutATicket() throws Exception {
        HttpResponse<String> r = new SiteClient(base).get("media/demo-vod/mp4/demo.mp4");
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("no ticket"), r.body());
    }

    @Test
    void anonymousVisitorsGetNoTicket() throws Exception {
        assertEquals(401, new SiteClient(base).get("api/play?format=mp4").statusCode());
    }

    @Test
    void aSignedInViewerFetchesTheProtectedMp4WithTheIssuedUrl() throws Exception {
        SiteClient alice = new SiteClient(base);
        alice.signIn("alice", "alice");
        String url = alice.playbackUrl("mp4");
        assertTrue(url.startsWith("/" + CONTEXT + "/media/demo-vod/mp4/demo.mp4?key="), url);
        HttpResponse<byte[]> whole = alice.getBytes(alice.absolute(url));
        assertEquals(200, whole.statusCode());
        assertArrayEquals(Files.readAllBytes(TestTools.repoRoot().resolve("samples/src/main/media/demo-vod/mp4/demo.mp4")),
                whole.body());
        HttpResponse<byte[]> range = alice.getBytes(alice.absolute(url), "Range", "bytes=0-99");
        assertEquals(206, range.statusCode());
        assertEquals(100, range.body().length);
        HttpResponse<String> wrongPass = alice.get(alice.absolute(url.replaceAll("pass=[^&]+", "pass=nope")));
        assertEquals(403, wrongPass.statusCode(), wrongPass.body());
    }

    @Test
    void manifestsAreRewrittenAndTheProtectedMediaResourceWorks() throws Exception {
        SiteClient bob = new SiteClient(base);
        bob.signIn("bob", "bob");
        HttpResponse<String> master = bob.get(bob.absolute(bob.playbackUrl("hls-ts")));
        assertEquals(200, master.statusCode(), master.body());
        assertTrue(master.body().contains("v0/index.m3u8?uc="), master.body());
        assertEquals(403, bob.get("api/vault/demo.mp4").statusCode());
        HttpResponse<byte[]> vault = bob.getBytes(bob.absolute(bob.playbackUrl("vault")));
        assertEquals(200, vault.statusCode());
        assertEquals("video/mp4", vault.headers().firstValue("Content-Type").orElse(""));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
