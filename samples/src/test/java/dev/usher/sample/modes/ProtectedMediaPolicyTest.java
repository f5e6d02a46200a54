package dev.usher.sample.modes;

import dev.usher.cdi.ProtectedMediaFeature;
import dev.usher.core.account.Account;
import dev.usher.core.http.ManifestRewriteService;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.ticket.Ticket;
import jakarta.ws.rs.core.Application;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JAX-RS {@code @ProtectedMedia} binding answers as the servlet filter does, because both only
 * translate the core's policy (issue 13, item 2). Each test is one drift the binding had: refusals
 * without {@code nosniff}, Range and {@code If-*} reaching a manifest's resource, duplicate
 * parameters read from the decoded query (and refused with 403), a 503 of its own, no use given back
 * for a failed answer, and the manifest slot taken after the decision (so a 503 spent a use).
 * Through real Jetty 12, Weld and RESTEasy.
 */
class ProtectedMediaPolicyTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    private static final Account SITE = new Account(0, "-", "-", "local");
    static final String PLAYLIST = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg_000.ts\n#EXT-X-ENDLIST\n";

    @TempDir
    static Path folder;
    static CdiSite site;

    /** The application: the resources above and the binding. */
    public static class Policy extends Application {
        @Override
        public Set<Class<?>> getClasses() {
            return Set.of(PolicyResource.class, ProtectedMediaFeature.class);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Files.writeString(folder.resolve("playlist.m3u8"), PLAYLIST);
        PolicyResource.folder = folder;
        site = CdiSite.start(Policy.class, c -> { }, f -> { });
        assertTrue(site.available());
    }

    @AfterAll
    static void stop() throws Exception {
        site.close();
    }

    @Test
    void aRefusalIsNeverSniffedNorCachedAndLooksLikeTheFiltersOwn() throws Exception {
        HttpResponse<String> jaxrs = get("/api/policy/missing/clip.mp4", List.of());
        assertEquals(403, jaxrs.statusCode());
        assertEquals("Forbidden: no ticket\n", jaxrs.body());
        assertEquals(Optional.of("nosniff"), jaxrs.headers().firstValue("X-Content-Type-Options"));
        assertEquals(Optional.of("no-store"), jaxrs.headers().firstValue("Cache-Control"));
        HttpResponse<String> servlet = get("/media/vod/clip.mp4", List.of());
        assertSameRefusal(servlet, jaxrs);
    }

    @Test
    void aManifestsResourceSeesNoRangeNorValidatorsAndTheWholeManifestIsRewritten() throws Exception {
        Ticket t = ticket("hls", 5);
        HttpResponse<String> answer = get("/api/policy/hls/playlist.m3u8?" + entry(t),
                List.of("Range", "bytes=0-9", "If-None-Match", "*", "If-Modified-Since", "Tue, 01 Dec 2099 00:00:00 GMT"));
        assertEquals(200, answer.statusCode(), answer.body());
        assertFalse(answer.headers().firstValue("Content-Range").isPresent());
        assertTrue(answer.body().startsWith("#EXTM3U\n#EXT-X-TARGETDURATION:2\n"), answer.body());
        assertTrue(answer.body().contains("seg_000.ts?uc="), answer.body());
        assertFalse(answer.headers().firstValue("ETag").isPresent(), "a rewritten manifest has no validator");
        assertEquals(Optional.of("private, no-store"), answer.headers().firstValue("Cache-Control"));
    }

    @Test
    void aParameterGivenTwiceInTheRawQueryIsRefusedAsTheFilterRefusesIt() throws Exception {
        Ticket t = ticket("clip.mp4", 5);
        for (String query : List.of(entry(t) + "&key=" + t.key(), entry(t) + "&ke%79=other", entry(t) + "&pass=")) {
            HttpResponse<String> jaxrs = get("/api/policy/missing/clip.mp4?" + query, List.of());
            assertEquals(400, jaxrs.statusCode(), query);
            assertTrue(jaxrs.body().startsWith("Ambiguous query ("), jaxrs.body());
            assertSameRefusal(get("/media/vod/clip.mp4?" + query, List.of()), jaxrs);
        }
        assertEquals(5, now(t).uses(), "an ambiguous query is decided never");
    }

    @Test
    void whenEveryManifestSlotIsTakenThe503IsTheFilters() throws Exception {
        restart(); // no earlier answer still finishing (and freeing its slot) while the slots are counted
        Ticket t = ticket("hls", 5);
        List<ManifestRewriteService.Permit> taken = takeEverySlot();
        try {
            HttpResponse<String> jaxrs = get("/api/policy/hls/playlist.m3u8?" + entry(t), List.of());
            assertEquals(503, jaxrs.statusCode());
            assertEquals("Too many manifests in progress, retry\n", jaxrs.body());
            assertEquals(Optional.of("1"), jaxrs.headers().firstValue("Retry-After"));
            assertEquals(Optional.of("nosniff"), jaxrs.headers().firstValue("X-Content-Type-Options"));
            assertSameRefusal(get("/media/vod/hls/playlist.m3u8?" + entry(t), List.of()), jaxrs);
        } finally {
            taken.forEach(ManifestRewriteService.Permit::close);
        }
    }

    @Test
    void theManifestSlotIsTakenBeforeTheDecisionSoWantingOneCostsNoUse() throws Exception {
        restart();
        Ticket t = ticket("hls", 1);
        List<ManifestRewriteService.Permit> taken = takeEverySlot();
        try {
            assertTrue(get("/api/policy/hls/playlist.m3u8?" + entry(t), List.of()).statusCode() >= 500);
        } finally {
            taken.forEach(ManifestRewriteService.Permit::close);
        }
        // Nothing was decided, so nothing was spent nor logged.
        assertEquals(1, now(t).uses());
        assertTrue(site.runtime().service().errorlog(SITE, t.key(), null).orElseThrow().isEmpty());
        HttpResponse<String> later = get("/api/policy/hls/playlist.m3u8?" + entry(t), List.of());
        assertEquals(200, later.statusCode(), later.body());
        assertEquals(0, now(t).uses());
    }

    private static void restart() throws Exception {
        site.close();
        site = CdiSite.start(Policy.class, c -> { }, f -> { });
        assertTrue(site.available());
    }

    private static List<ManifestRewriteService.Permit> takeEverySlot() {
        List<ManifestRewriteService.Permit> taken = new ArrayList<>();
        for (ManifestRewriteService.Permit p; (p = site.runtime().manifests().tryAcquire()) != null; ) {
            taken.add(p);
        }
        return taken;
    }

    @Test
    void aFailedAnswerGivesItsUseBack() throws Exception {
        Ticket t = ticket("clip.mp4", 1);
        HttpResponse<String> missing = get("/api/policy/missing/clip.mp4?" + entry(t), List.of());
        assertEquals(404, missing.statusCode());
        assertEquals(1, now(t).uses(), "a 404 after the grant costs no use");
        assertEquals(404, get("/api/policy/missing/clip.mp4?" + entry(t), List.of()).statusCode(),
                "and the same ticket is still admitted");
    }

    @Test
    void everyManifestSlotIsFreeAgainAfterTheAnswers() throws Exception {
        // Eight slots (usher.filter.max-concurrent-rewrites): a slot kept by any of these answers,
        // rewritten or not, would leave the later ones 503.
        Ticket t = ticket("hls", 50);
        for (int i = 0; i < 12; i++) {
            assertEquals(200, get("/api/policy/hls/playlist.m3u8?" + entry(t), List.of()).statusCode(), "request " + i);
            assertEquals(404, get("/api/policy/hls/gone.m3u8?" + entry(t), List.of()).statusCode(), "request " + i);
            assertEquals(403, get("/api/policy/hls/playlist.m3u8?key=" + t.key() + "&pass=wrong", List.of()).statusCode());
        }
    }

    private static void assertSameRefusal(HttpResponse<String> servlet, HttpResponse<String> jaxrs) {
        assertEquals(servlet.statusCode(), jaxrs.statusCode());
        assertEquals(servlet.body(), jaxrs.body());
        for (String h : List.of("Cache-Control", "X-Content-Type-Options", "Retry-After", "Allow")) {
            assertEquals(servlet.headers().firstValue(h), jaxrs.headers().firstValue(h), h);
        }
        assertEquals(servlet.headers().firstValue("Content-Type").map(ProtectedMediaPolicyTest::lower),
                jaxrs.headers().firstValue("Content-Type").map(ProtectedMediaPolicyTest::lower));
    }

    private static String lower(String s) {
        return s.toLowerCase(java.util.Locale.ROOT).replace(" ", "");
    }

    private static Ticket ticket(String video, int uses) {
        return site.runtime().service().issue(SITE,
                IssueRequest.of("vod", video, "viewer-" + System.nanoTime(), "127.0.0.1", uses, "+1 hour"));
    }

    private static Ticket now(Ticket t) {
        return site.runtime().service().status(SITE, t.key()).orElseThrow();
    }

    private static String entry(Ticket t) {
        return "key=" + t.key() + "&pass=" + java.net.URLEncoder.encode(t.pass(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> get(String path, List<String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(site.uri(path));
        for (int i = 0; i < headers.size(); i += 2) {
            request.header(headers.get(i), headers.get(i + 1));
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
