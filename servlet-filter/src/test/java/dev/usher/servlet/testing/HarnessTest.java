package dev.usher.servlet.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.usher.servlet.testing.BrowserPlayer.Kind;
import dev.usher.servlet.testing.BrowserPlayer.Request;
import dev.usher.servlet.testing.BrowserPlayer.Result;
import dev.usher.testing.Tools;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Proves the real-client harness against an UNPROTECTED server: every client reads every format.
 * When a filter test fails, this test tells whether the harness or the filter is at fault.
 */
class HarnessTest {

    private static MediaServer server;
    private static BrowserPlayer.Session browser;

    @BeforeAll
    static void start() {
        Tools.requireAll();
        server = MediaServer.start();
        browser = BrowserPlayer.session();
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void mediaIsGeneratedInTheExpectedLayout() {
        List<String> files = TestMedia.files();
        for (String f : List.of(TestMedia.MP4, TestMedia.HLS_TS, TestMedia.HLS_TS_VARIANT, "vod/hls-ts/v1/index.m3u8",
                TestMedia.HLS_TS_SEGMENT, TestMedia.HLS_FMP4, TestMedia.HLS_FMP4_INIT, TestMedia.DASH,
                TestMedia.DASH_INIT, TestMedia.DASH_SEGMENT)) {
            assertTrue(files.contains(f), () -> f + " missing from " + files);
        }
        assertTrue(files.stream().allMatch(f -> f.startsWith(TestMedia.APP + "/")), files::toString);
    }

    @Test
    void serverAnswersRangeWith206AndHidesFolders() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<byte[]> range = http.send(HttpRequest.newBuilder(URI.create(server.mediaUrl(TestMedia.MP4)))
                .header("Range", "bytes=0-99").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, range.statusCode());
        assertEquals(100, range.body().length);
        HttpResponse<Void> dir = http.send(HttpRequest.newBuilder(URI.create(server.mediaUrl("vod/hls-ts/"))).build(),
                HttpResponse.BodyHandlers.discarding());
        assertTrue(dir.statusCode() == 403 || dir.statusCode() == 404, () -> "directory listing: " + dir.statusCode());
    }

    @ParameterizedTest
    @ValueSource(strings = {TestMedia.MP4, TestMedia.HLS_TS, TestMedia.HLS_TS_VARIANT, TestMedia.HLS_FMP4,
            TestMedia.DASH})
    void ffprobeReadsEveryFormat(String path) {
        Ffprobe.Result r = Ffprobe.probe(server.mediaUrl(path));
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.hasVideo(), r::describe);
        assertTrue(r.hasAudio(), r::describe);
    }

    @Test
    void ffprobeFailsOnMissingFile() {
        Ffprobe.Result r = Ffprobe.probe(server.mediaUrl("vod/nope/master.m3u8"));
        assertFalse(r.readVideo(), r::describe);
        assertEquals(0, r.streamCount(), r::describe);
    }

    @ParameterizedTest
    @ValueSource(strings = {TestMedia.HLS_TS, TestMedia.HLS_FMP4})
    void hlsJsPlays(String path) {
        Result r = browser.play(server, Kind.HLS, server.mediaUrl(path));
        assertPlayed(r, ".ts", ".m4s");
    }

    @Test
    void dashJsPlays() {
        Result r = browser.play(server, Kind.DASH, server.mediaUrl(TestMedia.DASH));
        assertPlayed(r, "/chunk-");
        assertFalse(r.requestsTo("/init-").isEmpty(), r::describe);
    }

    @Test
    void videoElementPlaysMp4AndSeeksWithRanges() {
        Result r = browser.play(server, Kind.MP4, server.mediaUrl(TestMedia.MP4));
        assertPlayed(r, "trailer.mp4");
        assertTrue(r.currentTime() > 3, () -> "the seek to 3 s did not happen\n" + r.describe());
        assertTrue(r.requestsTo("trailer.mp4").stream().anyMatch(q -> q.status() == 206 && q.range() != null),
                () -> "no Range request answered 206\n" + r.describe());
    }

    @Test
    void chromiumsBuiltInHlsPlayerPlays() {
        Result r = browser.play(server, Kind.NATIVE_HLS, server.mediaUrl(TestMedia.HLS_TS));
        assertPlayed(r, ".ts");
        assertTrue(r.mediaRequests().stream().allMatch(q -> "bytes=0-".equals(q.range())), r::describe);
    }

    @Test
    void appendedQueryReachesEveryChildRequest() {
        Result r = browser.play(server, Kind.HLS, server.mediaUrl(TestMedia.HLS_TS),
                BrowserPlayer.Options.defaults().appendQuery("ticket=abc"));
        assertPlayed(r, ".ts");
        List<Request> children = r.requests(q -> q.path().startsWith("/media/") && !q.path().endsWith("master.m3u8"));
        assertFalse(children.isEmpty(), r::describe);
        assertTrue(children.stream().allMatch(q -> q.query().contains("ticket=abc")), r::describe);
    }

    /** The harness sees refusal: a filter (added by instance) answering 403 to every .ts segment. */
    @Test
    void refusedSegmentsAreObservedByEveryClient() {
        Filter refuseTs = (request, response, chain) -> {
            if (((HttpServletRequest) request).getRequestURI().endsWith(".ts")) {
                ((HttpServletResponse) response).sendError(403);
            } else {
                chain.doFilter(request, response);
            }
        };
        try (MediaServer guarded = MediaServer.builder().filter(refuseTs, "/media/*", Map.of()).start()) {
            Result r = browser.play(guarded, Kind.HLS, guarded.mediaUrl(TestMedia.HLS_TS),
                    BrowserPlayer.Options.defaults().maxWait(Duration.ofSeconds(5)));
            assertNull(r.harnessError(), r::describe);
            assertFalse(r.played(1), r::describe);
            assertTrue(r.segmentRequests().stream().anyMatch(q -> q.status() == 403), r::describe);
            assertEquals(200, r.requestsTo("master.m3u8").get(0).status(), r::describe);

            Ffprobe.Result p = Ffprobe.probe(guarded.mediaUrl(TestMedia.HLS_TS_VARIANT));
            assertFalse(p.readVideo(), p::describe);
            guarded.awaitServed(q -> q.uri().endsWith(".ts") && q.status() == 403, Duration.ofSeconds(5));
        }
    }

    private static void assertPlayed(Result r, String... segmentMarks) {
        assertNull(r.harnessError(), r::describe);
        assertFalse(r.fatal(), r::describe);
        assertTrue(r.played(1), () -> "playback did not advance\n" + r.describe());
        assertTrue(r.segmentRequests().stream().anyMatch(q -> (q.status() == 200 || q.status() == 206)
                        && List.of(segmentMarks).stream().anyMatch(m -> q.path().contains(m))),
                () -> "no segment answered 200/206\n" + r.describe());
        assertTrue(r.mediaRequests().stream().allMatch(q -> q.status() == 200 || q.status() == 206 || q.failure() != null),
                () -> "a media request was refused\n" + r.describe());
    }
}
