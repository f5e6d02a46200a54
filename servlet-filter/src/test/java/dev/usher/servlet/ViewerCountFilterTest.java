package dev.usher.servlet;

import dev.usher.core.ticket.Ticket;
import dev.usher.core.viewer.Format;
import dev.usher.core.viewer.ViewerStore;
import dev.usher.core.viewer.ViewerTally;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 16 through a real Jetty: the runtime gives its guard a viewer store, and the filter's
 * requests (entry, variant playlists, segments, MP4 ranges) count one viewer per player.
 */
class ViewerCountFilterTest {

    @TempDir
    static Path media;
    static GuardedServer server;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        for (String v : List.of("v0", "v1")) {
            Files.createDirectories(media.resolve("live/show/" + v));
            Files.writeString(media.resolve("live/show/" + v + "/index.m3u8"), FilterFlowTest.MEDIA);
            Files.writeString(media.resolve("live/show/" + v + "/init.mp4"), "INIT-" + v);
            Files.writeString(media.resolve("live/show/" + v + "/seg_000.m4s"), "SEG0-" + v);
            Files.writeString(media.resolve("live/show/" + v + "/seg_001.m4s"), "SEG1-" + v);
        }
        Files.writeString(media.resolve("live/show/master.m3u8"), FilterFlowTest.MASTER);
        Files.createDirectories(media.resolve("vod/movies"));
        Files.write(media.resolve("vod/movies/trailer.mp4"), new byte[10_000]);
        server = new GuardedServer(media, Map.of("usher.trusted-proxies", "127.0.0.1/32"), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static HttpResponse<String> get(String url, String client, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("X-Forwarded-For", client);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** One player: the master with key and pass, then every variant and every child of each. */
    static void play(Ticket t, String client) throws Exception {
        String master = server.baseUrl() + "/media/live/show/master.m3u8";
        HttpResponse<String> m = get(master + "?key=" + t.key() + "&pass=" + t.pass(), client);
        assertEquals(200, m.statusCode(), m.body());
        for (String variant : FilterFlowTest.childUris(m.body())) {
            String variantUrl = FilterFlowTest.resolve(master, variant);
            HttpResponse<String> playlist = get(variantUrl, client);
            assertEquals(200, playlist.statusCode(), playlist.body());
            for (String child : FilterFlowTest.childUris(playlist.body())) {
                assertEquals(200, get(FilterFlowTest.resolve(variantUrl, child), client).statusCode(), child);
            }
        }
    }

    static List<ViewerTally> tally() {
        ViewerStore viewers = server.runtime.guard().viewers();
        return viewers.tally(Instant.now()).stream().filter(t -> !t.video().equals("nothing")).toList();
    }

    @Test
    void hlsPlayersCountOncePerPlayerAndMp4RangesOnce() throws Exception {
        Ticket hls = server.issue("live", "show", "0.0.0.0/0", 5);
        play(hls, "198.51.100.7");
        play(hls, "2001:db8::7");
        Ticket mp4 = server.issue("vod", "movies/trailer.mp4", "0.0.0.0/0", 5);
        String file = server.baseUrl() + "/media/vod/movies/trailer.mp4?key=" + mp4.key() + "&pass=" + mp4.pass();
        for (String range : List.of("bytes=0-99", "bytes=100-999", "bytes=1000-")) {
            int status = get(file, "198.51.100.7", "Range", range).statusCode();
            assertEquals(206, status, range);
        }
        // Refused: a wrong pass, a segment without a credential. Neither is a viewer.
        assertEquals(403, get(file.replace("&pass=", "&pass=x"), "203.0.113.5").statusCode());
        assertEquals(403, get(server.baseUrl() + "/media/live/show/v0/seg_000.m4s", "203.0.113.5").statusCode());
        List<ViewerTally> tally = tally();
        assertEquals(List.of(new ViewerTally("live", "show", Format.HLS, false, 1), new ViewerTally("live", "show", Format.HLS, true, 1),
                new ViewerTally("vod", "movies/trailer.mp4", Format.MP4, false, 1)), tally);
        assertTrue(server.runtime.guard().viewers().ofTicket(hls.key(), Instant.now()).playbacks() == 2);
    }

    /**
     * The concurrent rule end to end (issue 16): with {@code concurrent=1}, a second player's entry is
     * refused while the first plays, with the reason in the ticket's attempt log and no use spent, and
     * admitted once the first has stopped for the viewer window.
     */
    @Test
    void aSecondSimultaneousPlayerIsRefusedUntilTheFirstStops() throws Exception {
        try (GuardedServer one = new GuardedServer(media, Map.of("usher.trusted-proxies", "127.0.0.1/32",
                "usher.viewers.window", "PT2S", "usher.viewers.flush-interval", "PT0.5S"), Map.of())) {
            Ticket t = one.service.issue(GuardedServer.ACCOUNT, dev.usher.core.service.IssueRequest.of("live", "show",
                    "pass-" + System.nanoTime(), "0.0.0.0/0", 5, "+1 hour").withConcurrent(1));
            String master = one.baseUrl() + "/media/live/show/master.m3u8?key=" + t.key() + "&pass=" + t.pass();
            HttpResponse<String> first = get(master, "198.51.100.7");
            assertEquals(200, first.statusCode(), first.body());
            String variant = FilterFlowTest.resolve(one.baseUrl() + "/media/live/show/master.m3u8", FilterFlowTest.childUris(first.body()).get(0));
            assertEquals(200, get(variant, "198.51.100.7").statusCode(), "the first player goes on");

            HttpResponse<String> second = get(master, "203.0.113.9");
            assertEquals(403, second.statusCode(), "a second player while the first plays");
            assertEquals(4, one.service.status(GuardedServer.ACCOUNT, t.key()).orElseThrow().uses(), "the refusal spent no use");
            List<String> reasons = one.service.errorlog(GuardedServer.ACCOUNT, t.key(), null).orElseThrow().stream()
                    .map(a -> a.reason().text()).toList();
            assertTrue(reasons.contains("Too many concurrent playbacks"), reasons.toString());

            // The first player stops: once its last request is a window old, it no longer counts.
            ViewerStore viewers = one.runtime.guard().viewers();
            long end = System.nanoTime() + java.time.Duration.ofSeconds(20).toNanos();
            while (viewers.activeOf(t.key(), null, Instant.now()) > 0) {
                assertTrue(System.nanoTime() < end, "the first player never went inactive");
                Thread.sleep(50); // polling the condition, not a guessed time
            }
            HttpResponse<String> again = get(master, "203.0.113.9");
            assertEquals(200, again.statusCode(), "admitted after the first stopped: " + again.body());
        }
    }
}
