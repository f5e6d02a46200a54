package dev.usher.servlet;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.guard.MediaGuard;
import dev.usher.core.ticket.Ticket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A request Usher cannot serve costs no use and binds no slot (issue 10, item 7): a missing file
 * (404), a manifest too large or unreadable (502), names too long for a credential (refused before
 * the decision). Through a real Jetty serving real files.
 */
class FailedResponseTest {

    @TempDir
    static Path media;
    static GuardedServer server;
    static final HttpClient http = HttpClient.newHttpClient();

    static final String PLAYLIST = """
            #EXTM3U
            #EXT-X-TARGETDURATION:2
            #EXTINF:2.0,
            seg_000.ts
            #EXT-X-ENDLIST
            """;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(media.resolve("vod/movies"));
        Files.write(media.resolve("vod/movies/trailer.mp4"), new byte[1000]);
        Files.createDirectories(media.resolve("live/show"));
        Files.writeString(media.resolve("live/show/playlist.m3u8"), PLAYLIST);
        Files.writeString(media.resolve("live/show/seg_000.ts"), "SEG");
        Files.writeString(media.resolve("live/show/huge.m3u8"), PLAYLIST + "#" + "x".repeat(5000) + "\n");
        Files.writeString(media.resolve("live/show/broken.mpd"), "<MPD><unclosed");
        server = new GuardedServer(media, Map.of("usher.trusted-proxies", "127.0.0.1/32",
                "usher.filter.max-manifest-bytes", "4096"),
                Map.of("/media/vod/partial/*", PartialServlet.class, "/media/vod/throws/*", ThrowingServlet.class));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static HttpResponse<String> get(String path, Ticket t, String client) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path + "?key=" + t.key() + "&pass=" + t.pass()))
                .header("X-Forwarded-For", client).build(), HttpResponse.BodyHandlers.ofString());
    }

    static Ticket now(Ticket t) {
        return server.service.status(GuardedServer.ACCOUNT, t.key()).orElseThrow();
    }

    static List<Attempt> log(Ticket t) {
        return server.service.errorlog(GuardedServer.ACCOUNT, t.key(), null).orElseThrow();
    }

    @Test
    void aMissingFileIs404AndTheTicketKeepsItsOneUse() throws Exception {
        Ticket t = server.issue("vod", "movies/*", "0.0.0.0/0", 1);
        assertEquals(404, get("/media/vod/movies/missing.mp4", t, "192.0.2.1").statusCode());
        assertEquals(404, get("/media/vod/movies/missing.mp4", t, "192.0.2.1").statusCode());
        assertEquals(1, now(t).uses(), "a 404 costs no use");
        List<Attempt> log = log(t);
        assertEquals(2, log.size(), "the attempts stay in the log");
        assertTrue(log.stream().allMatch(a -> a.success() && a.failedStatus() == 404), log::toString);

        assertEquals(200, get("/media/vod/movies/trailer.mp4", t, "192.0.2.1").statusCode());
        assertEquals(0, now(t).uses(), "the real playback pays");
        assertEquals(403, get("/media/vod/movies/trailer.mp4", t, "192.0.2.99").statusCode());
    }

    @Test
    void anAutoTicketWhoseFirstRequestFailsStaysUnbound() throws Exception {
        Ticket t = server.issue("live", "show", "auto", 3);
        assertEquals(404, get("/media/live/show/missing.m3u8", t, "198.51.100.7").statusCode());
        Ticket after = now(t);
        assertEquals(0, after.ip().boundCount(), "the failed request bound no slot");
        assertEquals(3, after.uses());
        assertEquals(null, after.usedDate());

        HttpResponse<String> real = get("/media/live/show/playlist.m3u8", t, "203.0.113.9");
        assertEquals(200, real.statusCode(), "the slot is free for the first real viewer");
        assertTrue(real.body().contains("seg_000.ts?uc="));
        assertEquals(1, now(t).ip().boundCount());
        assertEquals(2, now(t).uses());
        assertEquals(403, get("/media/live/show/playlist.m3u8", t, "198.51.100.7").statusCode());
    }

    @Test
    void aManifestTooLargeOrUnreadableIs502AndCostsNoUse() throws Exception {
        Ticket t = server.issue("live", "show", "auto", 1);
        assertEquals(502, get("/media/live/show/huge.m3u8", t, "198.51.100.20").statusCode());
        assertEquals(502, get("/media/live/show/broken.mpd", t, "198.51.100.20").statusCode());
        Ticket after = now(t);
        assertEquals(1, after.uses());
        assertEquals(0, after.ip().boundCount());
        assertEquals(List.of(502, 502), log(t).stream().map(Attempt::failedStatus).toList());
        assertEquals(200, get("/media/live/show/playlist.m3u8", t, "198.51.100.20").statusCode());
        assertEquals(0, now(t).uses());
    }

    @Test
    void namesTooLongForACredentialAreRefusedBeforeTheDecision() throws Exception {
        String longApp = "a".repeat(129);
        Ticket app = server.issue(longApp, "show", "auto", 1);
        HttpResponse<String> r = get("/media/" + longApp + "/show/playlist.m3u8", app, "198.51.100.30");
        assertEquals(403, r.statusCode());
        assertEquals(MediaGuard.NAMES_TOO_LONG + "\n", r.body());
        assertEquals(1, now(app).uses());
        assertEquals(0, now(app).ip().boundCount());
        assertTrue(log(app).isEmpty(), "no decision was made");

        String longFolder = String.join("/", "f".repeat(200), "g".repeat(200), "h".repeat(200), "i".repeat(200),
                "j".repeat(200), "k".repeat(200)); // 1,205 bytes: over the 1,024 a credential holds
        Ticket folder = server.issue("live", longFolder, "auto", 1);
        r = get("/media/live/" + longFolder + "/playlist.m3u8", folder, "198.51.100.31");
        assertEquals(403, r.statusCode());
        assertEquals(1, now(folder).uses());
        assertFalse(log(folder).iterator().hasNext());
    }

    @Test
    void behindTheContainersDefaultServletAMissingFileIsKnownBeforeItIsDispatched() throws Exception {
        // The filter asks the context for the resource when the default servlet serves the request.
        org.eclipse.jetty.server.Server jetty = new org.eclipse.jetty.server.Server();
        org.eclipse.jetty.server.ServerConnector connector = new org.eclipse.jetty.server.ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        jetty.addConnector(connector);
        org.eclipse.jetty.ee10.servlet.ServletContextHandler context = new org.eclipse.jetty.ee10.servlet.ServletContextHandler("/");
        Path root = media.resolve("default-servlet-root");
        Files.createDirectories(root.resolve("media/vod/movies"));
        Files.write(root.resolve("media/vod/movies/trailer.mp4"), new byte[100]);
        context.setBaseResourceAsPath(root);
        context.addServlet(org.eclipse.jetty.ee10.servlet.DefaultServlet.class, "/");
        dev.usher.core.service.UsherService service = new dev.usher.core.service.UsherService(
                new dev.usher.core.repository.InMemoryTicketRepository(dev.usher.core.config.UsherSettings.defaults()),
                dev.usher.core.config.UsherSettings.defaults());
        UsherRuntime runtime = UsherRuntime.of(service, dev.usher.core.credential.PlaybackCredentials.of("t1",
                dev.usher.core.credential.PlaybackCredentials.newSecret()), k -> java.util.Optional.empty());
        UsherRuntime.install(context.getServletContext(), runtime);
        context.addFilter(UsherFilter.class, "/*", java.util.EnumSet.allOf(jakarta.servlet.DispatcherType.class));
        jetty.setHandler(context);
        jetty.start();
        try {
            Ticket t = service.issue(GuardedServer.ACCOUNT, dev.usher.core.service.IssueRequest.of("vod", "movies/*",
                    "pass-default", "auto", 1, "+1 hour"));
            String base = "http://127.0.0.1:" + connector.getLocalPort() + "/media/vod/movies/";
            String query = "?key=" + t.key() + "&pass=" + t.pass();
            HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create(base + "missing.mp4" + query)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(404, missing.statusCode());
            Ticket after = service.status(GuardedServer.ACCOUNT, t.key()).orElseThrow();
            assertEquals(1, after.uses());
            assertEquals(0, after.ip().boundCount());
            assertEquals(404, service.errorlog(GuardedServer.ACCOUNT, t.key(), null).orElseThrow().get(0).failedStatus());
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "trailer.mp4" + query)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            assertEquals(0, service.status(GuardedServer.ACCOUNT, t.key()).orElseThrow().uses());
        } finally {
            jetty.stop();
            runtime.close();
        }
    }

    /** Sends part of a file, then fails: what a dropped connection looks like to the filter. */
    public static class PartialServlet extends jakarta.servlet.http.HttpServlet {
        @Override
        protected void doGet(jakarta.servlet.http.HttpServletRequest req, jakarta.servlet.http.HttpServletResponse resp)
                throws java.io.IOException {
            resp.setContentLength(1_000_000);
            resp.getOutputStream().write(new byte[20_000]);
            resp.flushBuffer();
            throw new java.io.IOException("connection reset (simulated)");
        }
    }

    /** Fails before sending anything. */
    public static class ThrowingServlet extends jakarta.servlet.http.HttpServlet {
        @Override
        protected void doGet(jakarta.servlet.http.HttpServletRequest req, jakarta.servlet.http.HttpServletResponse resp) {
            throw new IllegalStateException("broken before the first byte (simulated)");
        }
    }

    @Test
    void aFailureBeforeTheFirstByteCostsNoUseButOneAfterSomeBytesDoes() throws Exception {
        Ticket before = server.issue("vod", "throws/*|partial/*", "0.0.0.0/0", 1);
        assertEquals(500, get("/media/vod/throws/a.mp4", before, "192.0.2.40").statusCode());
        assertEquals(1, now(before).uses(), "nothing was sent: the use is back");

        Ticket after = server.issue("vod", "partial/*", "0.0.0.0/0", 1);
        try {
            get("/media/vod/partial/a.mp4", after, "192.0.2.41");
        } catch (java.io.IOException expected) {
            // the connection broke mid-body, as it should
        }
        assertEquals(0, now(after).uses(), "part of the file was sent: a dropped connection does not give the use back");
        assertTrue(log(after).stream().allMatch(a -> a.failedStatus() == 0));
    }
}
