package dev.usher.servlet;

import dev.usher.core.account.Account;
import dev.usher.core.attempt.Attempt;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.repository.InMemoryTicketRepository;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;
import dev.usher.servlet.testing.BrowserPlayer;
import dev.usher.servlet.testing.BrowserPlayer.Kind;
import dev.usher.servlet.testing.Ffprobe;
import dev.usher.servlet.testing.MediaServer;
import dev.usher.servlet.testing.TestMedia;
import dev.usher.testing.Tools;
import jakarta.servlet.DispatcherType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real players against protected media: ffprobe as an HLS and DASH client, hls.js and dash.js in
 * headless Chromium, and a {@code <video>} element playing and seeking an MP4. Each is given only
 * {@code key} and {@code pass} on the master URL; everything else travels on the rewritten manifests.
 */
class RealClientPlaybackTest {

    static final Account ACCOUNT = GuardedServer.ACCOUNT;

    static UsherService service;
    static UsherRuntime runtime;
    static MediaServer server;
    static BrowserPlayer.Session browser;

    @BeforeAll
    static void start() {
        Tools.requireAll();
        service = new UsherService(new InMemoryTicketRepository(UsherSettings.defaults()), UsherSettings.defaults());
        runtime = UsherRuntime.of(service, PlaybackCredentials.of("k1", PlaybackCredentials.newSecret()), k -> Optional.empty());
        server = MediaServer.builder()
                .attribute(UsherRuntime.ATTRIBUTE, runtime)
                .filter(UsherFilter.class, "/*", Map.of(), EnumSet.allOf(DispatcherType.class))
                .start();
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
        if (runtime != null) {
            runtime.close();
        }
    }

    static Ticket issue(String video, int uses) {
        return service.issue(ACCOUNT, IssueRequest.of(TestMedia.APP, video, "pass-" + System.nanoTime(), "auto", uses, "+1 hour"));
    }

    static String withTicket(String media, Ticket t) {
        return server.mediaUrl(media) + "?key=" + t.key() + "&pass=" + t.pass();
    }

    static int usesLeft(Ticket t) {
        return service.status(ACCOUNT, t.key()).orElseThrow().uses();
    }

    static List<Attempt> log(Ticket t) {
        return service.errorlog(ACCOUNT, t.key(), null).orElseThrow();
    }

    @ParameterizedTest(name = "ffprobe reads protected {0}")
    @CsvSource({"hls-ts, " + TestMedia.HLS_TS, "hls-fmp4, " + TestMedia.HLS_FMP4, "dash, " + TestMedia.DASH})
    void ffprobeReadsAProtectedStreamWithOnlyKeyAndPass(String video, String manifest) {
        Ticket t = issue(video, 3);
        server.clearServed();
        Ffprobe.Result ok = Ffprobe.probe(withTicket(manifest, t));
        assertEquals(0, ok.exitCode(), ok::describe);
        assertTrue(ok.hasVideo() && ok.hasAudio(), ok::describe);
        assertEquals(2, usesLeft(t), "one playback, one use, whatever the number of requests");
        List<Attempt> attempts = log(t);
        assertTrue(attempts.stream().allMatch(Attempt::success), attempts::toString);
        assertEquals(video, attempts.get(0).video());
        // Every child was fetched with a credential and none was refused.
        server.awaitServed(r -> r.uri().contains("uc="), Duration.ofSeconds(5));
        assertTrue(server.served().stream().filter(r -> r.uri().contains("uc=")).count() >= 3, () -> server.served().toString());
        assertTrue(server.served().stream().filter(r -> r.uri().contains("/" + video + "/")).noneMatch(r -> r.status() == 403),
                () -> server.served().toString());
    }

    @ParameterizedTest(name = "ffprobe is refused {0} without a ticket or with a wrong pass")
    @CsvSource({"hls-ts, " + TestMedia.HLS_TS, "hls-fmp4, " + TestMedia.HLS_FMP4, "dash, " + TestMedia.DASH})
    void ffprobeFailsWithoutTicketOrWithAWrongPass(String video, String manifest) {
        Ticket t = issue(video, 3);
        Ffprobe.Result bare = Ffprobe.probe(server.mediaUrl(manifest));
        assertNotEquals(0, bare.exitCode(), bare::describe);
        assertFalse(bare.hasVideo());
        Ffprobe.Result wrong = Ffprobe.probe(server.mediaUrl(manifest) + "?key=" + t.key() + "&pass=wrong");
        assertNotEquals(0, wrong.exitCode(), wrong::describe);
        Ffprobe.Result child = Ffprobe.probe(server.mediaUrl(manifest.replace("master.m3u8", "v0/index.m3u8")));
        assertNotEquals(0, child.exitCode(), "a child without credential is refused too");
        assertEquals(3, usesLeft(t));
        assertEquals(List.of("Invalid Auth Token"), log(t).stream().map(a -> a.reason().text()).toList());
    }

    @ParameterizedTest(name = "{0} plays protected {1}")
    @CsvSource({"HLS, hls-ts, " + TestMedia.HLS_TS, "HLS, hls-fmp4, " + TestMedia.HLS_FMP4, "DASH, dash, " + TestMedia.DASH,
            "MP4, movies/trailer.mp4, " + TestMedia.MP4})
    void aBrowserPlaysProtectedMedia(Kind kind, String video, String media) {
        Ticket t = issue(video, 2);
        BrowserPlayer.Result result = browser.play(server, kind, withTicket(media, t));
        assertTrue(result.played(kind.defaultUntil()), result::describe);
        assertFalse(result.fatal(), result::describe);
        assertTrue(result.mediaRequests().stream().noneMatch(r -> r.status() == 403), result::describe);
        assertEquals(1, usesLeft(t), "the whole playback, seeks included, cost one use");
        List<Attempt> attempts = log(t);
        assertFalse(attempts.isEmpty());
        assertTrue(attempts.stream().allMatch(a -> a.reason().text().equals("Success")), attempts::toString);
        assertTrue(attempts.get(0).pageurl().contains("/player/"), "the page is logged from the Referer: " + attempts.get(0));
    }

    @Test
    void aBrowserGetsNothingWithAWrongPass() {
        Ticket t = issue("hls-ts", 2);
        BrowserPlayer.Result result = browser.play(server, Kind.HLS, server.mediaUrl(TestMedia.HLS_TS) + "?key=" + t.key()
                + "&pass=wrong", BrowserPlayer.Options.defaults().maxWait(Duration.ofSeconds(5)));
        assertFalse(result.played(0.5), result::describe);
        assertTrue(result.requestsTo("master.m3u8").stream().allMatch(r -> r.status() == 403), result::describe);
        assertEquals(2, usesLeft(t));
    }

    @Test
    void aRevokeStopsARunningPlaybackForARealClient() throws Exception {
        Ticket t = issue("hls-ts", 2);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> master = http.send(HttpRequest.newBuilder(URI.create(withTicket(TestMedia.HLS_TS, t))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, master.statusCode());
        String variant = master.body().lines().filter(l -> l.startsWith("v0/index.m3u8")).findFirst().orElseThrow();
        String variantUrl = URI.create(server.mediaUrl(TestMedia.HLS_TS)).resolve(variant).toString();
        Ffprobe.Result before = Ffprobe.probe(variantUrl);
        assertEquals(0, before.exitCode(), before::describe);
        service.revoke(ACCOUNT, t.key());
        runtime.revocations().refresh(service.now()); // the watch's timer tick
        Ffprobe.Result after = Ffprobe.probe(variantUrl);
        assertNotEquals(0, after.exitCode(), after::describe);
    }
}
