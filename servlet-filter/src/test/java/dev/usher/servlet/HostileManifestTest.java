package dev.usher.servlet;

import com.sun.net.httpserver.HttpServer;
import dev.usher.core.ticket.Ticket;
import dev.usher.testing.Tools;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile manifests through the filter in a real Jetty (issue 10, items 2 and 5): child URIs that
 * players resolve to another host must never carry {@code uc=} there (checked with ffmpeg against a
 * listener on another loopback address), and manifests built to amplify or exhaust (4 MB of short
 * URIs, 148k SegmentURLs, 3000-deep nesting, too large) are answered 502 with a short text: never
 * 500, never a container page, never a 200 with part of a body. Concurrent rewrites are bounded (503
 * with Retry-After, before the decision, so no use is spent).
 */
class HostileManifestTest {

    @TempDir
    static Path media;
    static GuardedServer server;
    static HttpServer foreign;
    static final List<String> FOREIGN_REQUESTS = Collections.synchronizedList(new ArrayList<>());
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    static final CountDownLatch SLOW_ENTERED = new CountDownLatch(2);
    static final CountDownLatch SLOW_RELEASE = new CountDownLatch(1);

    /** Serves a playlist only once told to, holding its rewrite slot meanwhile. */
    public static class SlowPlaylist extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            SLOW_ENTERED.countDown();
            try {
                if (!SLOW_RELEASE.await(60, TimeUnit.SECONDS)) {
                    resp.sendError(504);
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            resp.setContentType("application/vnd.apple.mpegurl");
            resp.getOutputStream().write("#EXTM3U\n#EXTINF:2,\nseg.ts\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    @BeforeAll
    static void start() throws Exception {
        foreign = HttpServer.create(new InetSocketAddress("127.0.0.2", 0), 0);
        foreign.createContext("/", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            FOREIGN_REQUESTS.add(exchange.getRequestURI().toString() + (auth == null ? "" : " auth"));
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        foreign.start();

        Files.createDirectories(media.resolve("live/foreign"));
        for (String name : List.of("amp", "list", "deep", "big", "fine")) {
            Files.createDirectories(media.resolve("live/" + name));
        }
        // 1. Amplification: just under 4 MiB of one-character URIs (the attack's 232 MB answer).
        StringBuilder amp = new StringBuilder("#EXTM3U\n");
        while (amp.length() < (4 << 20) - 64) {
            amp.append("a\n");
        }
        Files.writeString(media.resolve("live/amp/index.m3u8"), amp);
        // 2. 148k SegmentURLs in under 4 MiB.
        StringBuilder list = new StringBuilder("<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\"><Period><AdaptationSet>"
                + "<Representation id=\"v\" bandwidth=\"1\"><SegmentList>");
        for (int i = 0; i < 148_000; i++) {
            list.append("<SegmentURL media=\"").append(i % 10).append("\"/>");
        }
        list.append("</SegmentList></Representation></AdaptationSet></Period></MPD>");
        assertTrue(list.length() < 4 << 20);
        Files.writeString(media.resolve("live/list/manifest.mpd"), list);
        // 3. 3000 levels of nesting.
        Files.writeString(media.resolve("live/deep/manifest.mpd"), "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\">"
                + "<Period>".repeat(3000) + "<BaseURL>a.mp4</BaseURL>" + "</Period>".repeat(3000) + "</MPD>");
        // 4. Over the input limit.
        Files.writeString(media.resolve("live/big/index.m3u8"), "#EXTM3U\n" + "#EXTINF:2,\nseg.ts\n".repeat(300_000));
        Files.writeString(media.resolve("live/fine/index.m3u8"), "#EXTM3U\n#EXTINF:2,\nseg.ts\n#EXT-X-ENDLIST\n");
        Files.writeString(media.resolve("live/fine/seg.ts"), "SEGMENT");

        server = new GuardedServer(media, Map.of("usher.filter.max-concurrent-rewrites", "2"),
                Map.of("/media/live/slow/index.m3u8", SlowPlaylist.class));
        String self = "127.0.0.1:" + server.network.getLocalPort();
        String other = "127.0.0.2:" + foreign.getAddress().getPort();
        // Child URIs that WHATWG or RFC 3986 clients resolve to the other host, and controls that
        // show ffmpeg does fetch from there.
        List<String> hostile = List.of("http://" + self + "\\@" + other + "/userinfo-trick.ts",
                "http://" + other + "/absolute.ts", "//" + other + "/network-path.ts", "/\\" + other + "/backslash.ts",
                "\\\\" + other + "/two-backslashes.ts", "\\/" + other + "/backslash-slash.ts",
                "\t/\\" + other + "/tab.ts", "http://" + self + "@" + other + "/userinfo.ts",
                "http://user@" + other + "/user.ts", "http:/" + other + "/one-slash.ts", other + "/colon.ts");
        StringBuilder lines = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n");
        StringBuilder keys = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n");
        StringBuilder maps = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n");
        for (String uri : hostile) {
            lines.append("#EXTINF:2.0,\n").append(uri).append('\n');
            keys.append("#EXT-X-KEY:METHOD=AES-128,URI=\"").append(uri.replace(".ts", ".key"))
                    .append("\",IV=0x00000000000000000000000000000001\n#EXTINF:2.0,\n/media/live/foreign/seg.ts\n");
            maps.append("#EXT-X-MAP:URI=\"").append(uri.replace(".ts", ".mp4")).append("\"\n#EXTINF:2.0,\n")
                    .append("/media/live/foreign/seg.m4s\n");
        }
        for (StringBuilder b : List.of(lines, keys, maps)) {
            b.append("#EXT-X-ENDLIST\n");
        }
        Files.writeString(media.resolve("live/foreign/lines.m3u8"), lines);
        Files.writeString(media.resolve("live/foreign/keys.m3u8"), keys);
        Files.writeString(media.resolve("live/foreign/maps.m3u8"), maps);
        StringBuilder mpd = new StringBuilder("<?xml version=\"1.0\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" "
                + "type=\"static\" mediaPresentationDuration=\"PT4S\" minBufferTime=\"PT2S\" "
                + "profiles=\"urn:mpeg:dash:profile:isoff-live:2011\"><Period>");
        int id = 0;
        for (String uri : hostile) {
            String x = uri.replace("&", "&amp;").replace("\t", "&#9;");
            mpd.append("<AdaptationSet mimeType=\"video/mp4\" segmentAlignment=\"true\"><Representation id=\"r").append(id++)
                    .append("\" bandwidth=\"1000\" codecs=\"avc1.4d401e\" width=\"320\" height=\"180\">")
                    .append("<SegmentTemplate timescale=\"1\" duration=\"2\" startNumber=\"1\" initialization=\"")
                    .append(x.replace(".ts", "-init.mp4")).append("\" media=\"").append(x.replace(".ts", "-$Number$.m4s"))
                    .append("\"/></Representation></AdaptationSet>");
            mpd.append("<AdaptationSet mimeType=\"video/mp4\"><Representation id=\"b").append(id++)
                    .append("\" bandwidth=\"1000\" codecs=\"avc1.4d401e\"><BaseURL>").append(x.replace(".ts", ".mp4"))
                    .append("</BaseURL><SegmentBase indexRange=\"0-100\"/></Representation></AdaptationSet>");
        }
        mpd.append("</Period></MPD>\n");
        Files.writeString(media.resolve("live/foreign/manifest.mpd"), mpd);
    }

    @AfterAll
    static void stop() throws Exception {
        SLOW_RELEASE.countDown();
        if (server != null) {
            server.close();
        }
        if (foreign != null) {
            foreign.stop(0);
        }
    }

    static String entry(String manifestPath, String video) {
        Ticket t = server.issue("live", video, "0.0.0.0/0", 100);
        return server.baseUrl() + manifestPath + "?key=" + t.key() + "&pass=" + t.pass();
    }

    static HttpResponse<byte[]> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    // ---------------------------------------------------------------- item 2: foreign origins

    @ParameterizedTest(name = "ffmpeg reads {0}")
    @ValueSource(strings = {"lines.m3u8", "keys.m3u8", "maps.m3u8", "manifest.mpd"})
    void ffmpegNeverCarriesACredentialToAnotherHost(String manifest) {
        FOREIGN_REQUESTS.clear();
        String url = entry("/media/live/foreign/" + manifest, "foreign");
        Tools.Run run = Tools.run(List.of(Tools.ffmpeg(), "-nostdin", "-v", "warning", "-rw_timeout", "5000000",
                "-i", url, "-f", "null", "-"), Duration.ofSeconds(120), Map.of());
        assertFalse(run.timedOut(), run::describe);
        List<String> seen = List.copyOf(FOREIGN_REQUESTS);
        for (String request : seen) {
            assertFalse(request.contains("uc="), () -> "a credential reached 127.0.0.2: " + request + "\n" + run.describe());
        }
        if (manifest.endsWith(".m3u8")) {
            // ffmpeg does follow foreign children, so the assertions above can fail.
            assertFalse(seen.isEmpty(), run::describe);
        }
    }

    @Test
    void foreignLookingChildUrisComeBackWithoutTheCredential() throws Exception {
        String other = "127.0.0.2:" + foreign.getAddress().getPort();
        for (String manifest : List.of("lines.m3u8", "keys.m3u8", "maps.m3u8", "manifest.mpd")) {
            HttpResponse<byte[]> r = get(entry("/media/live/foreign/" + manifest, "foreign"));
            assertEquals(200, r.statusCode());
            String body = new String(r.body(), StandardCharsets.UTF_8);
            for (String line : body.split("[\n\"<>]")) {
                if (line.contains(other)) {
                    assertFalse(line.contains("uc="), () -> manifest + ": " + line);
                }
            }
            // The manifest's own children still get it.
            assertTrue(manifest.endsWith(".mpd") || body.contains("/media/live/foreign/seg") && body.contains("uc=")
                    || manifest.equals("lines.m3u8"), body);
        }
    }

    // ---------------------------------------------------------------- item 5: bounds

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/media/live/amp/index.m3u8", "/media/live/list/manifest.mpd", "/media/live/deep/manifest.mpd",
            "/media/live/big/index.m3u8"})
    void anAmplifyingOrExhaustingManifestIsRefusedWith502(String path) throws Exception {
        String video = path.split("/")[3];
        Ticket t = server.issue("live", video, "0.0.0.0/0", 100);
        String raw = server.raw("GET " + path + "?key=" + t.key() + "&pass=" + t.pass()
                + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
        String status = raw.substring(0, raw.indexOf('\r'));
        assertEquals("HTTP/1.1 502 Bad Gateway", status, () -> raw.substring(0, Math.min(raw.length(), 2000)));
        String body = raw.substring(raw.indexOf("\r\n\r\n") + 4);
        assertTrue(body.length() < 400, () -> "an unbounded refusal: " + body.length() + " bytes");
        assertTrue(body.startsWith("Manifest "), body);
        assertFalse(body.contains("uc=") || body.contains("#EXTM3U") || body.contains("<MPD") || body.contains("<html"), body);
        assertTrue(raw.toLowerCase(java.util.Locale.ROOT).contains("content-type: text/plain"), raw);
        assertTrue(raw.contains("Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length), raw);
    }

    @Test
    void manyAmplifyingRequestsAtOnceLeaveTheServerServing() throws Exception {
        List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            all.add(http.sendAsync(HttpRequest.newBuilder(URI.create(entry("/media/live/amp/index.m3u8", "amp")))
                    .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
        for (CompletableFuture<HttpResponse<byte[]>> f : all) {
            HttpResponse<byte[]> r = f.get(90, TimeUnit.SECONDS);
            assertTrue(r.statusCode() == 502 || r.statusCode() == 503, () -> r.statusCode() + " "
                    + new String(r.body(), 0, Math.min(r.body().length, 500), StandardCharsets.UTF_8));
            assertTrue(r.body().length < 400, "refusals are short");
        }
        HttpResponse<byte[]> fine = get(entry("/media/live/fine/index.m3u8", "fine"));
        assertEquals(200, fine.statusCode());
        assertTrue(new String(fine.body(), StandardCharsets.UTF_8).contains("seg.ts?uc="));
    }

    @Test
    void rewritesBeyondTheConcurrencyBoundAre503WithRetryAfterAndCostNoUse() throws Exception {
        List<CompletableFuture<HttpResponse<byte[]>>> slow = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            slow.add(http.sendAsync(HttpRequest.newBuilder(URI.create(entry("/media/live/slow/index.m3u8", "slow")))
                    .timeout(Duration.ofSeconds(90)).build(), HttpResponse.BodyHandlers.ofByteArray()));
        }
        Ticket t = server.issue("live", "fine", "0.0.0.0/0", 3);
        try {
            assertTrue(SLOW_ENTERED.await(60, TimeUnit.SECONDS), "the slow playlists never started");
            HttpResponse<byte[]> busy = get(server.baseUrl() + "/media/live/fine/index.m3u8?key=" + t.key() + "&pass=" + t.pass());
            assertEquals(503, busy.statusCode());
            assertEquals("1", busy.headers().firstValue("Retry-After").orElse(""));
            assertEquals("Too many manifests in progress, retry\n", new String(busy.body(), StandardCharsets.UTF_8));
            assertEquals(3, server.service.status(GuardedServer.ACCOUNT, t.key()).orElseThrow().uses(), "no use was spent");
            // Media that is not a manifest is not held back.
            HttpResponse<byte[]> segment = get(entry("/media/live/fine/seg.ts", "fine/seg.ts"));
            assertEquals(200, segment.statusCode());
        } finally {
            SLOW_RELEASE.countDown();
        }
        for (CompletableFuture<HttpResponse<byte[]>> f : slow) {
            HttpResponse<byte[]> r = f.get(60, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertTrue(new String(r.body(), StandardCharsets.UTF_8).contains("seg.ts?uc="));
        }
        HttpResponse<byte[]> after = get(server.baseUrl() + "/media/live/fine/index.m3u8?key=" + t.key() + "&pass=" + t.pass());
        assertEquals(200, after.statusCode(), "the slots are free again");
    }
}
