package dev.usher.servlet;

import dev.usher.core.account.Account;
import dev.usher.core.account.AccountRegistry;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.repository.jdbc.JdbcOptions;
import dev.usher.core.repository.jdbc.JdbcTicketRepository;
import dev.usher.core.repository.jdbc.SimpleConnectionPool;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;
import dev.usher.core.ticket.TicketKeys;
import dev.usher.servlet.clients.SeVuService;
import dev.usher.servlet.testing.BrowserPlayer;
import dev.usher.servlet.testing.BrowserPlayer.Kind;
import dev.usher.servlet.testing.MediaServer;
import dev.usher.servlet.testing.TestMedia;
import dev.usher.testing.DemoAccount;
import dev.usher.testing.MutableClock;
import dev.usher.testing.PostgresExtension;
import dev.usher.testing.PostgresServer;
import dev.usher.testing.Tools;
import jakarta.servlet.DispatcherType;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exact viewer counts across two nodes (issue 16): two Jetty nodes, each its own ticket repository
 * and viewer store over one real PostgreSQL, serve real players spread over both — hls.js (two
 * players of one ticket, one on each node) and dash.js in headless Chromium, an MP4 {@code <video>},
 * ffmpeg reading HLS, and ffmpeg continuing on node B a playback whose entry node A granted. The
 * seeds' Java example client's {@code viewerCounts} asks either node and gets exactly that many, by
 * item, format and network, once the flushers wrote them; and none once the window has passed.
 *
 * <p>The nodes' clock stands still while the players play (their sightings all fall at one
 * instant, however long the real plays take one after the other), then moves past the window;
 * the flushers and the API run on real time.
 */
@ExtendWith(PostgresExtension.class)
class ViewerCountTwoNodesTest {

    static final Duration WINDOW = Duration.ofSeconds(3);
    static final String SECRET = randomSecret();
    static final Account ACCOUNT = new Account(DemoAccount.DEMO.cdnId(), DemoAccount.DEMO.apiKey(), SECRET,
            DemoAccount.DEMO.username(), dev.usher.core.rule.PatternList.parse("usher.account.158.apps", TestMedia.APP));
    static final Map<String, String> KEYS = Map.of(
            "usher.jdbc.create-schema", "true", // the repository below creates its tables; the viewer store its own
            "usher.viewers.window", "3s",
            "usher.viewers.flush-interval", "200ms");

    static final MutableClock clock = new MutableClock(Instant.now());
    static final List<AutoCloseable> closing = new ArrayList<>();
    static Node a;
    static Node b;
    static BrowserPlayer.Session browser;

    /** One node: its own pool, repository, service, runtime and Jetty, on the shared database. */
    record Node(UsherService service, UsherRuntime runtime, MediaServer server) {
        String api() {
            return server.baseUrl() + "/usher/";
        }

        String withTicket(String media, Ticket t) {
            return server.mediaUrl(media) + "?key=" + t.key() + "&pass=" + t.pass();
        }
    }

    static String randomSecret() {
        byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    @BeforeAll
    static void start() throws Exception {
        Tools.requireAll();
        PostgresServer pg = PostgresExtension.server();
        pg.createDatabase("usher_viewer_counts");
        String url = pg.url("usher_viewer_counts");
        PlaybackCredentials credentials = PlaybackCredentials.of("k1", PlaybackCredentials.newSecret()); // one secret, both nodes
        a = node(url, credentials);
        b = node(url, credentials);
        browser = BrowserPlayer.session();
        closing.add(browser);
    }

    static Node node(String jdbcUrl, PlaybackCredentials credentials) throws Exception {
        SimpleConnectionPool pool = new SimpleConnectionPool(jdbcUrl, "postgres", null, 8, Duration.ofSeconds(5));
        UsherSettings settings = UsherSettings.defaults();
        UsherService service = new UsherService(new JdbcTicketRepository(pool, settings,
                JdbcOptions.defaults().withCreateSchema(true)), settings, clock, new TicketKeys());
        UsherRuntime runtime = UsherRuntime.of(service, new AccountRegistry(List.of(ACCOUNT)), credentials,
                k -> Optional.ofNullable(KEYS.get(k)));
        closing.add(pool); // closed last: what closes before it may still write (a viewer store's last flush)
        closing.add(runtime);
        // The assembly gives a JDBC ticket repository's runtime the store shared through its database.
        assertTrue(runtime.viewers() instanceof dev.usher.core.viewer.jdbc.JdbcViewerStore, runtime.viewers().getClass().getName());
        MediaServer server = MediaServer.builder()
                .attribute(UsherRuntime.ATTRIBUTE, runtime)
                .filter(UsherFilter.class, "/*", Map.of(), EnumSet.allOf(DispatcherType.class))
                .servlet(UsherApiServlet.class, "/usher/*", Map.of())
                .start();
        closing.add(server);
        return new Node(service, runtime, server);
    }

    @AfterAll
    static void stop() {
        for (int i = closing.size() - 1; i >= 0; i--) {
            AutoCloseable c = closing.get(i);
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("closing " + c + ": " + e);
            }
        }
    }

    static Ticket issue(Node node, String video, int uses) {
        return node.service().issue(ACCOUNT, IssueRequest.of(TestMedia.APP, video, "pass-" + System.nanoTime(), "auto", uses,
                "+1 hour"));
    }

    static void plays(Node node, Kind kind, String media, Ticket t) {
        BrowserPlayer.Result r = browser.play(node.server(), kind, node.withTicket(media, t));
        assertTrue(r.played(kind.defaultUntil()), r::describe);
        assertTrue(r.mediaRequests().stream().noneMatch(q -> q.status() == 403), r::describe);
    }

    static void ffmpegReads(String url) {
        Tools.Run run = Tools.run(List.of(Tools.ffmpeg(), "-hide_banner", "-v", "error", "-i", url, "-map", "0", "-c", "copy",
                "-f", "null", "-"), Duration.ofSeconds(60), Map.of());
        assertEquals(0, run.exitCode(), run::describe);
    }

    static JSONObject counts(Node node, String url) throws Exception {
        SeVuService client = new SeVuService(node.api(), (int) ACCOUNT.cdnId(), ACCOUNT.apiKey(), SECRET, "unused", TestMedia.APP);
        JSONObject answer = client.viewerCounts(url);
        assertEquals(2080, answer.getInt("code"), answer::toString);
        return answer;
    }

    static int total(Node node) throws Exception {
        return counts(node, "_root_").getJSONArray("data").getJSONObject(0).getInt("viewer_count_sum");
    }

    /** Polls (real time: the flushers' interval) until {@code node} counts {@code expected}, or fails at the deadline. */
    static void awaitTotal(Node node, int expected) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        int seen;
        while ((seen = total(node)) != expected) {
            assertTrue(System.nanoTime() < deadline, "the count stayed at " + seen + ", not " + expected);
            Thread.sleep(50); // polling a condition
        }
    }

    @Test
    void nPlayersOverTwoNodesCountExactlyNOnEitherNodeAndNoneAfterTheWindow() throws Exception {
        Ticket shared = issue(a, "hls-ts", 2); // two players on one ticket: two viewers
        plays(a, Kind.HLS, TestMedia.HLS_TS, shared);
        plays(b, Kind.HLS, TestMedia.HLS_TS, shared);
        plays(b, Kind.DASH, TestMedia.DASH, issue(b, "dash", 1));
        plays(a, Kind.MP4, TestMedia.MP4, issue(a, "movies/trailer.mp4", 1));
        ffmpegReads(b.withTicket(TestMedia.HLS_FMP4, issue(b, "hls-fmp4", 1)));
        // A playback continued on the other node: the entry on A, the variant and its segments from B.
        Ticket moved = issue(a, "hls-ts", 1);
        HttpResponse<String> master = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(a.withTicket(TestMedia.HLS_TS, moved))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, master.statusCode());
        String variant = master.body().lines().filter(l -> l.startsWith("v0/index.m3u8")).findFirst().orElseThrow();
        ffmpegReads(URI.create(b.server().mediaUrl(TestMedia.HLS_TS)).resolve(variant).toString());
        int n = 6;

        awaitTotal(a, n);
        awaitTotal(b, n); // the same table: no second wait
        for (Node node : List.of(a, b)) {
            JSONArray rows = counts(node, "hls-ts|hls-fmp4|dash|movies/trailer.mp4").getJSONArray("data");
            assertEquals(List.of(3, 1, 1, 1), List.of(rows.getJSONObject(0).getInt("count"), rows.getJSONObject(1).getInt("count"),
                    rows.getJSONObject(2).getInt("count"), rows.getJSONObject(3).getInt("count")), rows::toString);
            JSONObject all = counts(node, "_root_").getJSONArray("data").getJSONObject(0);
            assertEquals(n, all.getInt("count"), all::toString);
            JSONObject formats = all.getJSONObject("formats");
            assertEquals(List.of(4, 1, 1, 0), List.of(formats.getInt("hls"), formats.getInt("dash"), formats.getInt("mp4"),
                    formats.getInt("other")), all::toString);
            assertEquals(n, all.getJSONObject("networks").getInt("ipv4"), all::toString);
        }

        clock.advance(WINDOW); // the latest request of every player is a window old now
        assertEquals(0, total(a));
        assertEquals(0, total(b));
    }
}
