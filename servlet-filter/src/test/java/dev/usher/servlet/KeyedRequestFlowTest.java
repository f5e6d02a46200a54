package dev.usher.servlet;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.ticket.Ticket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11 through a real Jetty and filter over loopback: a player that puts {@code key} and
 * {@code pass} on every request plays once (item 1); a key without a pass is an
 * {@code Invalid Auth Token} attempt on the ticket (item 5); {@code pageurl} comes from the
 * {@code Referer}, {@code refurl} from the playback URL's own parameter (item 8).
 */
class KeyedRequestFlowTest {

    @TempDir
    static Path media;
    static GuardedServer server;
    static final HttpClient http = HttpClient.newHttpClient();

    static final String MASTER = """
            #EXTM3U
            #EXT-X-STREAM-INF:BANDWIDTH=200000
            v0/index.m3u8
            #EXT-X-STREAM-INF:BANDWIDTH=80000
            v1/index.m3u8
            """;
    static final String VARIANT = """
            #EXTM3U
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
            Files.writeString(media.resolve("live/show/" + v + "/index.m3u8"), VARIANT);
            for (String f : List.of("init.mp4", "seg_000.m4s", "seg_001.m4s")) {
                Files.writeString(media.resolve("live/show/" + v + "/" + f), f + "-" + v);
            }
        }
        Files.writeString(media.resolve("live/show/master.m3u8"), MASTER);
        Files.createDirectories(media.resolve("live/other"));
        Files.writeString(media.resolve("live/other/seg_000.m4s"), "OTHER");
        Files.createDirectories(media.resolve("vod/movies"));
        Files.write(media.resolve("vod/movies/trailer.mp4"), new byte[10_000]);
        Files.write(media.resolve("vod/movies/other.mp4"), new byte[100]);
        server = new GuardedServer(media, Map.of("usher.trusted-proxies", "127.0.0.1/32"), Map.of());
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

    static String keyed(Ticket t) {
        return "key=" + t.key() + "&pass=" + URLEncoder.encode(t.pass(), StandardCharsets.UTF_8);
    }

    static int usesLeft(Ticket t) {
        return server.service.status(GuardedServer.ACCOUNT, t.key()).orElseThrow().uses();
    }

    static List<Attempt> log(Ticket t) {
        return server.service.errorlog(GuardedServer.ACCOUNT, t.key(), null).orElseThrow();
    }

    /** The query of the child URI {@code name} in a rewritten playlist. */
    static String childQuery(String playlist, String name) {
        for (String line : playlist.split("\n")) {
            int at = line.indexOf(name + "?");
            if (at >= 0) {
                String rest = line.substring(at + name.length() + 1);
                int end = rest.indexOf('"');
                return end < 0 ? rest.trim() : rest.substring(0, end);
            }
        }
        throw new AssertionError(name + " not in\n" + playlist);
    }

    // ------------------------------------------------------------------ item 1

    @Test
    void anHlsPlayerAppendingKeyAndPassToEveryRequestUsesOneUse() throws Exception {
        Ticket t = server.issue("live", "show", "auto", 3);
        String client = "198.51.100.7";
        HttpResponse<String> master = get("/media/live/show/master.m3u8?" + keyed(t), client);
        assertEquals(200, master.statusCode(), master.body());
        for (String v : List.of("v0", "v1")) {
            // As hls.js with an xhrSetup hook: the child URI as rewritten (uc=…) plus key and pass.
            String uc = childQuery(master.body(), v + "/index.m3u8");
            HttpResponse<String> variant = get("/media/live/show/" + v + "/index.m3u8?" + uc + "&" + keyed(t), client);
            assertEquals(200, variant.statusCode(), v + ": " + variant.body());
            for (String f : List.of("init.mp4", "seg_000.m4s", "seg_001.m4s")) {
                // And as a player copying only the master's query: key and pass, no credential.
                HttpResponse<String> seg = get("/media/live/show/" + v + "/" + f + "?" + keyed(t), client);
                assertEquals(200, seg.statusCode(), v + "/" + f + ": " + seg.body());
                assertEquals(f + "-" + v, seg.body());
            }
        }
        assertEquals(2, usesLeft(t), "one playback, one use, for 9 requests with key and pass");
        assertEquals(9, log(t).size());
        assertTrue(log(t).stream().allMatch(Attempt::success));
    }

    @Test
    void outsideThePackageOrFromAnotherAddressKeyAndPassAreAnEntryOfTheirOwn() throws Exception {
        Ticket t = server.issue("live", "show", "auto", 3);
        assertEquals(200, get("/media/live/show/master.m3u8?" + keyed(t), "198.51.100.7").statusCode());
        HttpResponse<String> outside = get("/media/live/other/seg_000.m4s?" + keyed(t), "198.51.100.7");
        assertEquals(403, outside.statusCode());
        assertEquals("Not authorized for that video\n", outside.body());
        HttpResponse<String> elsewhere = get("/media/live/show/v0/seg_000.m4s?" + keyed(t), "203.0.113.9");
        assertEquals(403, elsewhere.statusCode());
        assertEquals("Invalid IP Address\n", elsewhere.body(), "the bound address still decides");
        assertEquals(2, usesLeft(t));
    }

    @Test
    void anMp4WithKeyAndPassOnEveryRangeRequestUsesOneUseAndCoversOnlyItself() throws Exception {
        Ticket t = server.issue("vod", "movies/*", "0.0.0.0/0", 3);
        for (String range : List.of("bytes=0-", "bytes=5000-", "bytes=9000-9999")) {
            HttpResponse<String> r = get("/media/vod/movies/trailer.mp4?" + keyed(t), "198.51.100.7", "Range", range);
            assertEquals(206, r.statusCode(), range);
        }
        assertEquals(2, usesLeft(t));
        assertEquals(200, get("/media/vod/movies/other.mp4?" + keyed(t), "198.51.100.7").statusCode());
        assertEquals(1, usesLeft(t), "another file of the folder is another playback");
    }

    // ------------------------------------------------------------------ item 5

    @Test
    void aKeyWithoutPassIsAnInvalidAuthTokenAttemptOnTheTicket() throws Exception {
        Ticket t = server.issue("live", "show", "auto", 3);
        HttpResponse<String> noPass = get("/media/live/show/master.m3u8?key=" + t.key(), "198.51.100.7");
        assertEquals(403, noPass.statusCode());
        assertEquals("Invalid Auth Token\n", noPass.body());
        HttpResponse<String> emptyPass = get("/media/live/show/master.m3u8?key=" + t.key() + "&pass=", "198.51.100.8");
        assertEquals("Invalid Auth Token\n", emptyPass.body());
        HttpResponse<String> segment = get("/media/live/show/v0/seg_000.m4s?key=" + t.key(), "198.51.100.9");
        assertEquals("Invalid Auth Token\n", segment.body());
        List<Attempt> log = log(t);
        assertEquals(List.of("Invalid Auth Token", "Invalid Auth Token", "Invalid Auth Token"),
                log.stream().map(a -> a.reason().text()).toList());
        assertEquals(List.of("198.51.100.7", "198.51.100.8", "198.51.100.9"), log.stream().map(Attempt::ip).toList());
        assertEquals(3, usesLeft(t), "a refusal changes nothing");
        assertEquals(0, server.service.status(GuardedServer.ACCOUNT, t.key()).orElseThrow().ip().boundCount());
    }

    @Test
    void aPassWithoutKeyOrNothingStaysForbiddenWithNoTicket() throws Exception {
        assertEquals("Forbidden: no ticket\n", get("/media/live/show/master.m3u8?pass=x", "198.51.100.7").body());
        assertEquals("Forbidden: no ticket\n", get("/media/live/show/master.m3u8", "198.51.100.7").body());
    }

    // ------------------------------------------------------------------ item 8

    @Test
    void pageurlIsTheRefererAndRefurlTheParameter() throws Exception {
        Ticket t = server.issue("live", "show", "auto", 3);
        String page = "https://site.example/player.html?format=hls";
        String reached = "https://search.example/results?q=usher&lang=en";
        HttpResponse<String> master = get("/media/live/show/master.m3u8?" + keyed(t) + "&refurl="
                + URLEncoder.encode(reached, StandardCharsets.UTF_8), "198.51.100.7", "Referer", page);
        assertEquals(200, master.statusCode(), master.body());
        assertFalse(master.body().contains("refurl"), "children carry uc= only:\n" + master.body());
        assertFalse(master.body().contains("key="), master.body());
        Attempt a = log(t).get(0);
        assertEquals(page, a.pageurl());
        assertEquals(reached, a.refurl());
        assertNotEquals(a.pageurl(), a.refurl());

        Ticket u = server.issue("live", "show", "auto", 3);
        assertEquals(200, get("/media/live/show/master.m3u8?" + keyed(u), "198.51.100.7", "Referer", page).statusCode());
        assertEquals(page, log(u).get(0).pageurl());
        assertEquals("", log(u).get(0).refurl(), "no refurl parameter: unknown");
    }

    @Test
    void refurlIsBoundedNeverDecidesAndCountsOnce() throws Exception {
        Ticket t = server.issue("vod", "movies/trailer.mp4", "0.0.0.0/0", 2);
        String longRef = "https://search.example/?q=" + "x".repeat(3000);
        HttpResponse<String> r = get("/media/vod/movies/trailer.mp4?" + keyed(t) + "&refurl=" + longRef, "198.51.100.7");
        assertEquals(200, r.statusCode());
        assertEquals(2048, log(t).get(0).refurl().length(), "cut like pageurl");
        assertEquals(200, get("/media/vod/movies/trailer.mp4?" + keyed(t) + "&refurl=other", "198.51.100.7").statusCode());
        assertEquals(1, usesLeft(t), "another refurl is the same playback");
        HttpResponse<String> twice = get("/media/vod/movies/trailer.mp4?" + keyed(t) + "&refurl=a&refurl=b", "198.51.100.7");
        assertEquals(400, twice.statusCode());
        assertEquals("Ambiguous query (refurl given twice)\n", twice.body());
        HttpResponse<String> wrong = get("/media/vod/movies/trailer.mp4?key=" + t.key() + "&pass=wrong&refurl=x", "198.51.100.7");
        assertEquals("Invalid Auth Token\n", wrong.body(), "a refurl opens nothing");
        assertEquals(1, usesLeft(t));
    }
}
