package dev.usher.sample;

import dev.usher.testing.TestFiles;
import dev.usher.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The sample WAR, unchanged, on a real Jakarta EE 10 server: deployed, a viewer signs in through
 * Jakarta Security's form, plays an issued MP4 (whole and with Range), is refused without a
 * ticket, gets a rewritten manifest, and the {@code @ProtectedMedia} resource answers (206 for a
 * Range). Nothing server-specific is in the WAR. Each server is one small {@link JakartaServer}
 * adapter; a subclass per server names it ({@code PayaraMicroIT}, {@code GlassFishIT}, …).
 *
 * <p>How long the start and deployment took, and the whole class, are appended to
 * {@code target/server-matrix.txt} (the README's matrix is filled from it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ServerMatrix {

    static final String CONTEXT = "usher";

    /** Bounded wait for the deployment; a failed one stops the wait at once. */
    private static final long DEPLOY_SECONDS = 240;

    private final JakartaServer server;
    private RunningProcess process;
    private URI base;
    private long began;
    private long deployedNanos;

    ServerMatrix(JakartaServer server) {
        this.server = server;
    }

    @BeforeAll
    void deploy() throws Exception {
        Assumptions.assumeFalse(Boolean.getBoolean(server.skipProperty()), "-D" + server.skipProperty());
        Path war = TestTools.artifact("usher.sample.war");
        Path work = war.getParent().resolve("server-runs").resolve(getClass().getSimpleName());
        TestFiles.deleteTree(work);
        Files.createDirectories(work);
        int port = JakartaServer.freePort();
        began = System.nanoTime();
        process = server.start(war, CONTEXT, port, work);
        base = URI.create("http://127.0.0.1:" + port + "/" + CONTEXT + "/");
        awaitDeployed(work);
        deployedNanos = System.nanoTime() - began;
    }

    /** The port may answer (404) before the application is deployed: poll a page of the application. */
    private void awaitDeployed(Path work) throws Exception {
        SiteClient client = new SiteClient(base);
        long deadline = System.nanoTime() + DEPLOY_SECONDS * 1_000_000_000L;
        while (System.nanoTime() < deadline) {
            Optional<String> failure = server.deploymentFailure(process, work);
            if (failure.isPresent()) {
                fail(server.name() + " could not deploy the WAR: " + failure.get() + "\n" + process.log());
            }
            if (!process.isAlive()) {
                fail(server.name() + " exited:\n" + process.log());
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
        fail(server.name() + ": the WAR was not deployed within " + DEPLOY_SECONDS + " s:\n" + process.log());
    }

    @AfterAll
    void stop() throws Exception {
        if (process == null) {
            return;
        }
        process.close();
        long total = System.nanoTime() - began;
        Path report = TestTools.artifact("usher.sample.war").getParent().resolve("server-matrix.txt");
        Files.writeString(report, String.format(Locale.ROOT, "%s: start+deploy %.1f s, start+deploy+test+stop %.1f s%n",
                server.name(), deployedNanos / 1e9, total / 1e9), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
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
        assertEquals("video/mp4", whole.headers().firstValue("Content-Type").orElse("").replaceAll(";.*", ""));
        assertArrayEquals(demoMp4(), whole.body());
        HttpResponse<byte[]> range = alice.getBytes(alice.absolute(url), "Range", "bytes=0-99");
        if (server.containerServesRanges()) {
            assertEquals(206, range.statusCode());
            assertEquals(100, range.body().length);
        } else {
            // The README says so for this server: such MP4s are for @ProtectedMedia + MediaFiles there.
            assertEquals(200, range.statusCode());
            assertArrayEquals(demoMp4(), range.body());
        }
        HttpResponse<String> wrongPass = alice.get(alice.absolute(url.replaceAll("pass=[^&]+", "pass=nope")));
        assertEquals(403, wrongPass.statusCode(), wrongPass.body());
    }

    /** The console's role comes from the WAR's own identity store (DemoSecurity): admin reaches it, a viewer gets 403. */
    @Test
    void onlyTheOperatorReachesTheConsole() throws Exception {
        SiteClient admin = new SiteClient(base);
        admin.signIn("admin", "admin");
        HttpResponse<String> tickets = admin.get("api/operator/tickets");
        assertEquals(200, tickets.statusCode(), tickets.body());
        assertEquals(200, admin.get("operator.html").statusCode());
        SiteClient alice = new SiteClient(base);
        alice.signIn("alice", "alice");
        assertEquals(403, alice.get("api/operator/tickets").statusCode());
        assertEquals(403, alice.get("operator.html").statusCode());
    }

    @Test
    void manifestsAreRewrittenAndTheProtectedMediaResourceWorks() throws Exception {
        SiteClient bob = new SiteClient(base);
        bob.signIn("bob", "bob");
        HttpResponse<String> master = bob.get(bob.absolute(bob.playbackUrl("hls-ts")));
        assertEquals(200, master.statusCode(), master.body());
        assertTrue(master.body().contains("v0/index.m3u8?uc="), master.body());
        assertEquals(403, bob.get("api/vault/demo.mp4").statusCode());
        URI vault = bob.absolute(bob.playbackUrl("vault"));
        HttpResponse<byte[]> whole = bob.getBytes(vault);
        assertEquals(200, whole.statusCode());
        assertEquals("video/mp4", whole.headers().firstValue("Content-Type").orElse(""));
        assertArrayEquals(demoMp4(), whole.body());
    }

    /** Safari and iOS play an MP4 only from a server that answers Range with 206. */
    @Test
    void theProtectedMediaResourceAnswersRangeWith206() throws Exception {
        SiteClient alice = new SiteClient(base);
        alice.signIn("alice", "alice");
        URI vault = alice.absolute(alice.playbackUrl("vault"));
        byte[] mp4 = demoMp4();
        HttpResponse<byte[]> part = alice.getBytes(vault, "Range", "bytes=100-199");
        assertEquals(206, part.statusCode());
        assertEquals("bytes 100-199/" + mp4.length, part.headers().firstValue("Content-Range").orElse(""));
        assertArrayEquals(Arrays.copyOfRange(mp4, 100, 200), part.body());
        assertEquals(416, alice.getBytes(vault, "Range", "bytes=" + mp4.length + "-").statusCode());
    }

    /** The server and every process it started listen on loopback only (Linux: read from /proc). */
    @Test
    @Order(Integer.MAX_VALUE - 1)
    void listensOnLoopbackOnly() throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "no /proc/net/tcp");
        List<String> open = ListeningSockets.notOnLoopback(process.pids());
        assertTrue(open.isEmpty(), server.name() + " listens beyond loopback: " + open);
    }

    /** Last: everything the server logged while deploying and serving the tests above. */
    @Test
    @Order(Integer.MAX_VALUE)
    void noSevereOrErrorLineIsAboutUsher() {
        List<String> lines = process.lines();
        List<String> found = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.contains("SEVERE") || l.matches(".*\\bERROR\\b.*")) {
                // GlassFish writes the message on the line after the level; a stack trace follows it.
                String window = String.join("\n", lines.subList(i, Math.min(lines.size(), i + 4)));
                if (window.toLowerCase(Locale.ROOT).contains("usher")) {
                    found.add(window);
                }
            }
        }
        assertTrue(found.isEmpty(), server.name() + " logged:\n" + String.join("\n---\n", found));
    }

    private static byte[] demoMp4() throws IOException {
        return Files.readAllBytes(Tools.repoRoot().resolve("samples/src/main/media/demo-vod/mp4/demo.mp4"));
    }
}
