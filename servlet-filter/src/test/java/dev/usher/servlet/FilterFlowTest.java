package dev.usher.servlet;

import dev.usher.core.attempt.Attempt;
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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Entry, children, revocation and one-use-per-playback through a real Jetty over loopback. Clients
 * at different addresses are simulated through a trusted proxy (loopback) and X-Forwarded-For.
 */
class FilterFlowTest {

    @TempDir
    static Path media;
    static GuardedServer server;
    static final HttpClient http = HttpClient.newHttpClient();

    static final String MASTER = """
            #EXTM3U
            #EXT-X-VERSION:7
            #EXT-X-STREAM-INF:BANDWIDTH=200000,RESOLUTION=320x180
            v0/index.m3u8?lang=en
            #EXT-X-STREAM-INF:BANDWIDTH=80000,RESOLUTION=160x90
            v1/index.m3u8
            """;
    static final String MEDIA = """
            #EXTM3U
            #EXT-X-VERSION:7
            #EXT-X-TARGETDURATION:2
            #EXT-X-MAP:URI="init.mp4"
            #EXTINF:2.0,
            seg_000.m4s
            #EXTINF:2.0,
            seg_001.m4s
            #EXT-X-ENDLIST
            """;

    @BeforeAll
    static void start() throws Exception {
        for (String v : List.of("v0", "v1")) {
            Files.createDirectories(media.resolve("live/show/" + v));
            Files.writeString(media.resolve("live/show/" + v + "/index.m3u8"), MEDIA);
            Files.writeString(media.resolve("live/show/" + v + "/init.mp4"), "INIT-" + v);
            Files.writeString(media.resolve("live/show/" + v + "/seg_000.m4s"), "SEG0-" + v);
            Files.writeString(media.resolve("live/show/" + v + "/seg_001.m4s"), "SEG1-" + v);
        }
        Files.writeString(media.resolve("live/show/master.m3u8"), MASTER);
        Files.createDirectories(media.resolve("live/other"));
        Files.writeString(media.resolve("live/other/seg_000.m4s"), "OTHER");
        Files.createDirectories(media.resolve("vod/movies"));
        Files.write(media.resolve("vod/movies/trailer.mp4"), new byte[10_000]);
        server = new GuardedServer(media, Map.of("usher.trusted-proxies", "127.0.0.1/32",
                "usher.revocation.check-interval", "200ms"), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static HttpResponse<String> get(String pathAndQuery, String client, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + pathAndQuery))
                .header("X-Forwarded-For", client);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> head(String pathAndQuery, String client) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + pathAndQuery))
                .header("X-Forwarded-For", client).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** @return the URI lines and URI="…" attributes of a playlist */
    static List<String> childUris(String playlist) {
        List<String> out = new java.util.ArrayList<>();
        for (String line : playlist.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                out.add(line.trim());
            }
            Matcher m = Pattern.compile("URI=\"([^\"]*)\"").matcher(line);
            while (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    static String resolve(String base, String child) {
        return URI.create(base).resolve(child).toString();
    }

    @Test
    void anHlsPlaybackGetsCredentialsForEveryChildAndCostsOneUse() throws Exception {
        Ticket t = server.issue("live", "show", "auto/24", 3);
        String masterPath = "/media/live/show/master.m3u8";
        HttpResponse<String> master = get(masterPath + "?key=" + t.key() + "&pass=" + t.pass(), "198.51.100.7");
        assertEquals(200, master.statusCode(), master.body());
        assertEquals("private, no-store", master.headers().firstValue("Cache-Control").orElse(""));
        assertEquals(String.valueOf(master.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length),
                master.headers().firstValue("Content-Length").orElse(""));
        assertFalse(master.body().contains(t.pass()), "the pass is never written into a manifest");
        List<String> variants = childUris(master.body());
        assertEquals(2, variants.size(), master.body());
        assertTrue(variants.get(0).startsWith("v0/index.m3u8?lang=en&uc="), variants.get(0));
        int fetched = 0;
        for (String variant : variants) {
            String variantUrl = resolve(server.baseUrl() + masterPath, variant);
            HttpResponse<String> playlist = get(URI.create(variantUrl).getRawPath() + "?" + URI.create(variantUrl).getRawQuery(),
                    "198.51.100.200"); // the same /24 the auto slot bound
            assertEquals(200, playlist.statusCode(), playlist.body());
            for (String child : childUris(playlist.body())) {
                assertTrue(child.contains("uc="), child);
                URI u = URI.create(resolve(variantUrl, child));
                HttpResponse<String> segment = get(u.getRawPath() + "?" + u.getRawQuery(), "198.51.100.9");
                assertEquals(200, segment.statusCode(), u.toString());
                fetched++;
            }
        }
        assertEquals(6, fetched);
        assertEquals(2, server.service.status(GuardedServer.ACCOUNT, t.key()).orElseThrow().uses());
        List<Attempt> log = server.service.errorlog(GuardedServer.ACCOUNT, t.key(), null).orElseThrow();
        assertEquals(1, log.size(), "children are not attempts");
        assertEquals("show", log.get(0).video());
    }

    @Test
    void theListenersAreToldOfEveryManifestAnsweredAndEveryCredentialChecked() throws Exception {
        List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        server.service.addListener(new dev.usher.core.service.UsherListener() {
            @Override
            public void manifestRewritten(dev.usher.core.media.MediaPath.Kind kind, String outcome) {
                told.add(kind + " " + outcome);
            }

            @Override
            public void credentialChecked(dev.usher.core.credential.CredentialStatus status) {
                told.add("credential " + status);
            }
        });
        Ticket t = server.issue("live", "show", "auto", 3);
        String segment = firstSegmentUrl(t, "198.51.100.7"); // the master and a variant playlist
        assertEquals(200, get(segment, "198.51.100.7").statusCode());
        assertEquals(403, get(segment.replaceAll("uc=[^&]*", "uc=forged"), "198.51.100.7").statusCode());
        assertEquals(200, head("/media/live/show/master.m3u8?key=" + t.key() + "&pass=" + t.pass(), "198.51.100.7").statusCode());
        assertEquals(List.of("HLS_MANIFEST rewritten", "credential VALID", "HLS_MANIFEST rewritten", "credential VALID",
                "credential MALFORMED", "HLS_MANIFEST passed"), told);
    }

    private static String firstSegmentUrl(Ticket t, String client) throws Exception {
        String masterPath = "/media/live/show/master.m3u8";
        HttpResponse<String> master = get(masterPath + "?key=" + t.key() + "&pass=" + t.pass(), client);
        assertEquals(200, master.statusCode(), master.body());
        String variantUrl = resolve(server.baseUrl() + masterPath, childUris(master.body()).get(1));
        HttpResponse<String> playlist = get(URI.create(variantUrl).getRawPath() + "?" + URI.create(variantUrl).getRawQuery(), client);
        URI u = URI.create(resolve(variantUrl, childUris(playlist.body()).get(1)));
        return u.getRawPath() + "?" + u.getRawQuery();
    }

    @Test
    void aSegmentUrlReplayedFromAnotherNetworkIsRefused() throws Exception {
        Ticket t = server.issue("live", "show", "0.0.0.0/0", 3);
        String segment = firstSegmentUrl(t, "203.0.113.5");
        assertEquals(200, get(segment, "203.0.113.5").statusCode());
        HttpResponse<String> replay = get(segment, "203.0.113.6");
        assertEquals(403, replay.statusCode());
        assertEquals("Forbidden: credential wrong_network\n", replay.body());
    }

    @Test
    void aCredentialDoesNotOpenAnotherVideo() throws Exception {
        Ticket t = server.issue("live", "show", "0.0.0.0/0", 3);
        String segment = firstSegmentUrl(t, "203.0.113.5");
        String other = segment.replace("/show/v1/seg_000.m4s", "/other/seg_000.m4s");
        HttpResponse<String> r = get(other, "203.0.113.5");
        assertEquals(403, r.statusCode(), other);
        assertEquals("Forbidden: credential wrong_scope\n", r.body());
        HttpResponse<String> tampered = get(segment.replace("uc=", "uc=x"), "203.0.113.5");
        assertEquals(403, tampered.statusCode());
    }

    @Test
    void aRevokedTicketStopsItsRunningPlaybackAtTheNextCheck() throws Exception {
        Ticket t = server.issue("live", "show", "0.0.0.0/0", 3);
        String segment = firstSegmentUrl(t, "203.0.113.5");
        server.service.revoke(GuardedServer.ACCOUNT, t.key());
        server.runtime.revocations().refresh(server.service.now()); // what the timer does every interval
        HttpResponse<String> r = get(segment, "203.0.113.5");
        assertEquals(403, r.statusCode());
        assertEquals("Token Revoked\n", r.body());
    }

    @Test
    void theRevocationTimerRunsOnItsOwn() throws Exception {
        Ticket t = server.issue("live", "show", "0.0.0.0/0", 3);
        String segment = firstSegmentUrl(t, "203.0.113.5");
        server.service.revoke(GuardedServer.ACCOUNT, t.key());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos(); // 50 check intervals
        int status = 200;
        while (status == 200 && System.nanoTime() < deadline) {
            status = get(segment, "203.0.113.5").statusCode();
            if (status == 200) {
                Thread.onSpinWait();
            }
        }
        assertEquals(403, status, "the revocation watch never caught the revoke");
    }

    @Test
    void allRangeRequestsOfAnMp4PlaybackCostOneUse() throws Exception {
        Ticket t = server.issue("vod", "movies/*", "0.0.0.0/0", 2);
        String url = "/media/vod/movies/trailer.mp4?key=" + t.key() + "&pass=" + t.pass();
        HttpResponse<String> probe = get(url, "192.0.2.10", "Range", "bytes=0-1");
        assertEquals(206, probe.statusCode());
        assertEquals("bytes 0-1/10000", probe.headers().firstValue("Content-Range").orElse(""));
        assertEquals(206, get(url, "192.0.2.10", "Range", "bytes=0-").statusCode());
        assertEquals(206, get(url, "192.0.2.10", "Range", "bytes=5000-").statusCode());
        assertEquals(200, head(url, "192.0.2.10").statusCode());
        assertEquals(200, get(url, "192.0.2.10").statusCode());
        assertEquals(1, server.service.status(GuardedServer.ACCOUNT, t.key()).orElseThrow().uses());
        assertEquals(5, server.service.errorlog(GuardedServer.ACCOUNT, t.key(), null).orElseThrow().size());
    }

    @Test
    void aClientsOwnForwardedHeaderDoesNotChooseItsAddress() throws Exception {
        // The trusted proxy writes X-Forwarded-For; the client adds a Forwarded header naming the
        // address its (shared) ticket allows. Only X-Forwarded-For counts.
        Ticket t = server.issue("vod", "movies/trailer.mp4", "203.0.113.99", 3);
        HttpResponse<String> r = get("/media/vod/movies/trailer.mp4?key=" + t.key() + "&pass=" + t.pass(), "198.51.100.7",
                "Forwarded", "for=203.0.113.99");
        assertEquals(403, r.statusCode());
        assertEquals("Invalid IP Address\n", r.body());
        assertEquals(200, get("/media/vod/movies/trailer.mp4?key=" + t.key() + "&pass=" + t.pass(), "203.0.113.99").statusCode());
    }

    @Test
    void withoutTicketOrWithAWrongPassNothingIsServed() throws Exception {
        Ticket t = server.issue("live", "show", "0.0.0.0/0", 3);
        HttpResponse<String> none = get("/media/live/show/master.m3u8", "203.0.113.5");
        assertEquals(403, none.statusCode());
        HttpResponse<String> wrong = get("/media/live/show/master.m3u8?key=" + t.key() + "&pass=nope", "203.0.113.5");
        assertEquals(403, wrong.statusCode());
        assertEquals("Invalid Auth Token\n", wrong.body());
        assertEquals("no-store", wrong.headers().firstValue("Cache-Control").orElse(""));
        assertEquals(3, server.service.status(GuardedServer.ACCOUNT, t.key()).orElseThrow().uses());
    }
}
