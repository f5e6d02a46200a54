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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11, item 1, with real players that put {@code key} and {@code pass} on every request, as
 * many SEVU integrations do: hls.js with an {@code xhrSetup} hook and dash.js with a request
 * interceptor in headless Chromium, a {@code <video>} whose every Range request carries them, and
 * ffprobe/ffmpeg reading a playlist whose every URI carries them. Each plays its whole package on
 * a {@code uses=3} ticket and consumes exactly one use, asked through the service.
 */
class KeyedRealClientTest {

    static final Account ACCOUNT = GuardedServer.ACCOUNT;

    /** A copy of the test media, to which the tests add keyed playlists. */
    @TempDir
    static Path root;
    static UsherService service;
    static UsherRuntime runtime;
    static MediaServer server;
    static BrowserPlayer.Session browser;

    @BeforeAll
    static void start() throws IOException {
        Tools.requireAll();
        Path source = TestMedia.root();
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path to = root.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        service = new UsherService(new InMemoryTicketRepository(UsherSettings.defaults()), UsherSettings.defaults());
        runtime = UsherRuntime.of(service, PlaybackCredentials.of("k1", PlaybackCredentials.newSecret()), k -> Optional.empty());
        server = MediaServer.builder()
                .mediaRoot(root)
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

    static Ticket issue(String video) {
        return service.issue(ACCOUNT, IssueRequest.of(TestMedia.APP, video, "pass-" + System.nanoTime(), "auto", 3, "+1 hour"));
    }

    static String keyAndPass(Ticket t) {
        return "key=" + t.key() + "&pass=" + t.pass();
    }

    static int usesLeft(Ticket t) {
        return service.status(ACCOUNT, t.key()).orElseThrow().uses();
    }

    static List<Attempt> log(Ticket t) {
        return service.errorlog(ACCOUNT, t.key(), null).orElseThrow();
    }

    @ParameterizedTest(name = "{0} appending key and pass to every request plays {1} whole on one use")
    @CsvSource({"HLS, hls-ts, " + TestMedia.HLS_TS, "HLS, hls-fmp4, " + TestMedia.HLS_FMP4, "DASH, dash, " + TestMedia.DASH,
            "MP4, movies/trailer.mp4, " + TestMedia.MP4})
    void aBrowserAppendingKeyAndPassToEveryRequestUsesOneUse(Kind kind, String video, String media) {
        Ticket t = issue(video);
        BrowserPlayer.Options whole = BrowserPlayer.Options.defaults().until(TestMedia.DURATION_SECONDS - 0.5);
        BrowserPlayer.Result result = kind == Kind.MP4
                // A <video> has no hook: its src carries key and pass, and so does every Range request.
                ? browser.play(server, kind, server.mediaUrl(media) + "?" + keyAndPass(t), whole)
                // hls.js xhrSetup / dash.js request interceptor: key and pass on every request, master included.
                : browser.play(server, kind, server.mediaUrl(media), whole.appendQuery(keyAndPass(t)));
        assertTrue(result.played(TestMedia.DURATION_SECONDS - 1.0), result::describe);
        assertFalse(result.fatal(), result::describe);
        List<BrowserPlayer.Request> requests = result.mediaRequests();
        assertTrue(requests.stream().allMatch(r -> r.query().contains("key=" + t.key())), result::describe);
        assertTrue(requests.stream().noneMatch(r -> r.status() == 403), result::describe);
        if (kind != Kind.MP4) {
            assertTrue(requests.size() > 3, "more requests than the ticket has uses: " + result.describe());
        }
        assertEquals(2, usesLeft(t), "the whole playback cost one use: " + result.describe());
        assertTrue(log(t).stream().allMatch(Attempt::success), () -> log(t).toString());
    }

    @ParameterizedTest(name = "ffprobe and ffmpeg read {0} from a playlist whose every URI carries key and pass, on one use")
    @CsvSource({"hls-ts", "hls-fmp4", "dash"})
    void ffmpegReadingAPlaylistWithKeyAndPassOnEveryUriUsesOneUse(String video) {
        Ticket t = issue(video);
        String manifest = writeKeyedPackage(video, t);
        String url = server.mediaUrl(TestMedia.APP + "/" + video + "/" + manifest) + "?" + keyAndPass(t);
        server.clearServed();
        Ffprobe.Result probe = Ffprobe.probe(url);
        assertEquals(0, probe.exitCode(), probe::describe);
        assertTrue(probe.hasVideo() && probe.hasAudio(), probe::describe);
        // ffmpeg reads the whole package: every playlist, init segment and segment.
        Tools.Run whole = Tools.run(List.of(Tools.ffmpeg(), "-v", "error", "-i", url, "-map", "0", "-c", "copy",
                "-f", "null", "-"), Duration.ofSeconds(60), Map.of());
        assertEquals(0, whole.exitCode(), whole::describe);
        List<MediaServer.ServedRequest> served = server.served().stream()
                .filter(r -> r.uri().startsWith("/media/" + TestMedia.APP + "/" + video + "/")).toList();
        assertTrue(served.size() > 3, "more requests than the ticket has uses: " + served);
        assertTrue(served.stream().allMatch(r -> r.uri().contains("key=" + t.key())), served::toString);
        assertTrue(served.stream().noneMatch(r -> r.status() == 403), served::toString);
        assertEquals(2, usesLeft(t), "probe and read: one playback, one use: " + served);
    }

    /**
     * Writes, beside the package's own manifests, copies whose every URI carries the ticket's key
     * and pass (as a site that appends the ticket to every link would publish them).
     *
     * @return the name of the keyed manifest in the package's folder
     */
    static String writeKeyedPackage(String video, Ticket t) {
        String q = keyAndPass(t);
        String suffix = t.key().replaceAll("[^A-Za-z0-9]", "");
        Path folder = root.resolve(TestMedia.APP).resolve(video);
        try {
            if (video.equals("dash")) {
                String mpd = Files.readString(folder.resolve("manifest.mpd"));
                String keyed = mpd.replace(".m4s\"", ".m4s?" + q.replace("&", "&amp;") + "\"");
                String name = "keyed-" + suffix + ".mpd";
                Files.writeString(folder.resolve(name), keyed);
                return name;
            }
            String variantName = "keyed-" + suffix + ".m3u8";
            for (String v : List.of("v0", "v1")) {
                String playlist = Files.readString(folder.resolve(v).resolve("index.m3u8"));
                StringBuilder out = new StringBuilder();
                for (String line : playlist.split("\n")) {
                    if (!line.isBlank() && !line.startsWith("#")) {
                        line = line + "?" + q;
                    }
                    line = line.replaceAll("URI=\"([^\"]*)\"", "URI=\"$1" + Matcher.quoteReplacement("?" + q) + "\"");
                    out.append(line).append('\n');
                }
                Files.writeString(folder.resolve(v).resolve(variantName), out.toString());
            }
            String master = Files.readString(folder.resolve("master.m3u8"));
            String keyedMaster = master.replace("v0/index.m3u8", "v0/" + variantName + "?" + q)
                    .replace("v1/index.m3u8", "v1/" + variantName + "?" + q);
            Files.writeString(folder.resolve(variantName), keyedMaster);
            return variantName;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
