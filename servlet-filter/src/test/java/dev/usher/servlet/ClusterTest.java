package dev.usher.servlet;

import dev.usher.core.account.Account;
import dev.usher.core.attempt.Attempt;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.repository.jdbc.JdbcOptions;
import dev.usher.core.repository.jdbc.JdbcTicketRepository;
import dev.usher.core.repository.jdbc.SimpleConnectionPool;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;
import dev.usher.testing.PostgresExtension;
import dev.usher.testing.PostgresServer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Usher nodes (Jetty + filter) sharing one real PostgreSQL: the guarantees hold in total,
 * whichever node viewers hit, and survive a node killed with SIGKILL mid-run.
 */
@ExtendWith(PostgresExtension.class)
class ClusterTest {

    static final Account ACCOUNT = GuardedServer.ACCOUNT;

    @TempDir
    static Path media;
    static String jdbcUrl;
    static String secret;
    static Server nodeA;
    static Server nodeB;
    static UsherService admin; // a third "node": issues, revokes and inspects through the database
    static SimpleConnectionPool pool;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static ExecutorService clients;

    @BeforeAll
    static void start() throws Exception {
        PostgresServer pg = PostgresExtension.server();
        pg.createDatabase("usher_cluster");
        jdbcUrl = pg.url("usher_cluster");
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        secret = Base64.getEncoder().encodeToString(key);
        Files.createDirectories(media.resolve("vod"));
        Files.write(media.resolve("vod/a.mp4"), new byte[1000]);
        Files.createDirectories(media.resolve("live/show"));
        Files.writeString(media.resolve("live/show/index.m3u8"), "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg_000.ts\n#EXT-X-ENDLIST\n");
        Files.write(media.resolve("live/show/seg_000.ts"), new byte[500]);
        nodeA = ClusterNode.start(jdbcUrl, secret, media.toString(), "node-a");
        nodeB = ClusterNode.start(jdbcUrl, secret, media.toString(), "node-b");
        pool = new SimpleConnectionPool(jdbcUrl, "postgres", null, 4, Duration.ofSeconds(5));
        admin = new UsherService(new JdbcTicketRepository(pool, UsherSettings.defaults(),
                JdbcOptions.defaults().withCreateSchema(true)), UsherSettings.defaults());
        clients = Executors.newFixedThreadPool(64);
    }

    @AfterAll
    static void stop() throws Exception {
        clients.shutdownNow();
        for (Server node : List.of(nodeA, nodeB)) {
            UsherRuntime runtime = runtimeOf(node);
            node.stop();
            runtime.close();
        }
        pool.close();
    }

    static UsherRuntime runtimeOf(Server node) {
        return (UsherRuntime) ((org.eclipse.jetty.ee10.servlet.ServletContextHandler) node.getHandler())
                .getServletContext().getAttribute(UsherRuntime.ATTRIBUTE);
    }

    static int port(Server node) {
        return ((ServerConnector) node.getConnectors()[0]).getLocalPort();
    }

    static int get(int port, String pathAndQuery, String client) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                    .header("X-Forwarded-For", client).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1; // no answer (a killed node)
        }
    }

    /** Sends one request per client, alternating nodes, all released at once; returns the statuses. */
    static List<Integer> race(List<Integer> ports, String pathAndQuery, int count, java.util.function.IntFunction<String> client)
            throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int port = ports.get(i % ports.size());
            String address = client.apply(i);
            results.add(clients.submit(() -> {
                go.await();
                return get(port, pathAndQuery, address);
            }));
        }
        go.countDown();
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> f : results) {
            statuses.add(f.get(60, TimeUnit.SECONDS));
        }
        return statuses;
    }

    static Ticket issue(String app, String video, String ip, int uses) {
        return admin.issue(ACCOUNT, IssueRequest.of(app, video, "pass-" + System.nanoTime(), ip, uses, "+1 hour"));
    }

    @Test
    void fiveUsesAreFivePlaybacksInTotalAcrossNodes() throws Exception {
        for (int trial = 0; trial < 8; trial++) {
            Ticket t = issue("vod", "a.mp4", "0.0.0.0/0", 5);
            int n = trial;
            List<Integer> statuses = race(List.of(port(nodeA), port(nodeB)),
                    "/media/vod/a.mp4?key=" + t.key() + "&pass=" + t.pass(), 40, i -> "10." + n + "." + i + ".1");
            assertEquals(5, statuses.stream().filter(s -> s == 200).count(), statuses::toString);
            assertEquals(35, statuses.stream().filter(s -> s == 403).count(), statuses::toString);
            assertEquals(0, admin.status(ACCOUNT, t.key()).orElseThrow().uses());
        }
    }

    @Test
    void twoAutoSlotsBindTwoNetworksInTotalAcrossNodes() throws Exception {
        for (int trial = 0; trial < 5; trial++) {
            Ticket t = issue("vod", "a.mp4", "auto/24|auto/24", 1000);
            int n = trial;
            List<Integer> statuses = race(List.of(port(nodeA), port(nodeB)),
                    "/media/vod/a.mp4?key=" + t.key() + "&pass=" + t.pass(), 30, i -> "172." + (16 + n) + "." + i + ".9");
            assertEquals(2, statuses.stream().filter(s -> s == 200).count(), statuses::toString);
            assertEquals(2, admin.status(ACCOUNT, t.key()).orElseThrow().ip().boundCount());
        }
    }

    @Test
    void aCredentialGrantedOnOneNodePlaysOnTheOtherAfterOneRead() throws Exception {
        Ticket t = issue("live", "show", "0.0.0.0/0", 3);
        HttpResponse<String> manifest = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(nodeB)
                + "/media/live/show/index.m3u8?key=" + t.key() + "&pass=" + t.pass())).header("X-Forwarded-For", "198.51.100.4")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, manifest.statusCode());
        String segment = "/media/live/show/" + manifest.body().lines().filter(l -> l.startsWith("seg_000.ts")).findFirst().orElseThrow();
        // Node A never saw the ticket: it reads it once from the shared database, then serves.
        assertEquals(200, get(port(nodeA), segment, "198.51.100.4"));
        assertEquals(200, get(port(nodeA), segment, "198.51.100.4"));
        // A credential naming a ticket the database does not hold plays on neither node.
        String forged = runtimeOf(nodeA).credentials().encode(runtimeOf(nodeA).credentials().issue("show.00000000000000.00000000",
                "live", "show", dev.usher.core.net.IpNetwork.parse("0.0.0.0/0"), java.time.Instant.now().plusSeconds(3600)));
        assertEquals(403, get(port(nodeA), "/media/live/show/seg_000.ts?uc=" + forged, "198.51.100.4"));
        assertEquals(403, get(port(nodeB), "/media/live/show/seg_000.ts?uc=" + forged, "198.51.100.4"));
    }

    @Test
    void aRevokeThroughOneNodeStopsAPlaybackOnTheOther() throws Exception {
        Ticket t = issue("live", "show", "0.0.0.0/0", 3);
        HttpResponse<String> manifest = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(nodeB)
                + "/media/live/show/index.m3u8?key=" + t.key() + "&pass=" + t.pass())).header("X-Forwarded-For", "198.51.100.3")
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, manifest.statusCode());
        String segment = "/media/live/show/" + manifest.body().lines().filter(l -> l.startsWith("seg_000.ts")).findFirst().orElseThrow();
        assertEquals(200, get(port(nodeB), segment, "198.51.100.3"));
        // Revoked through node A's own service: only the shared database carries it to node B.
        runtimeOf(nodeA).service().revoke(ACCOUNT, t.key());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos(); // the check interval is 300 ms
        int status = 200;
        while (status == 200 && System.nanoTime() < deadline) {
            status = get(port(nodeB), segment, "198.51.100.3");
        }
        assertEquals(403, status, "node B never saw the revoke");
    }

    @Test
    void aNodeKilledMidRunLosesNoTicketAndOverGrantsNothing() throws Exception {
        Process victim = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ClusterNode.class.getName(), jdbcUrl, secret, media.toString(), "victim")
                .redirectErrorStream(true).start();
        int victimPort;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(victim.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("listening ")) {
                // Jetty's start-up lines
            }
            assertTrue(line != null, "the node did not start");
            victimPort = Integer.parseInt(line.substring("listening ".length()).trim());
            Ticket t = issue("vod", "a.mp4", "0.0.0.0/0", 5);
            String url = "/media/vod/a.mp4?key=" + t.key() + "&pass=" + t.pass();
            // Clients hit the victim and node B at once; the victim dies while they do.
            Future<List<Integer>> run = clients.submit(() -> race(List.of(victimPort, port(nodeB)), url, 40, i -> "10.200." + i + ".1"));
            victim.destroyForcibly(); // SIGKILL
            victim.waitFor(10, TimeUnit.SECONDS);
            List<Integer> statuses = run.get(90, TimeUnit.SECONDS);
            long answeredGrants = statuses.stream().filter(s -> s == 200).count();
            Ticket after = admin.status(ACCOUNT, t.key()).orElseThrow(() -> new AssertionError("the ticket was lost"));
            int consumed = 5 - after.uses();
            assertTrue(answeredGrants <= consumed && consumed <= 5, () -> "answered " + answeredGrants + ", consumed " + consumed);
            // The survivors finish the job: exactly five playbacks in all, never a sixth.
            List<Integer> more = race(List.of(port(nodeB)), url, 10, i -> "10.201." + i + ".1");
            assertEquals(5 - consumed, more.stream().filter(s -> s == 200).count(), more::toString);
            assertEquals(0, admin.status(ACCOUNT, t.key()).orElseThrow().uses());
            List<Attempt> log = admin.errorlog(ACCOUNT, t.key(), null).orElseThrow();
            assertEquals(5, log.stream().filter(Attempt::success).count(), "one granted attempt per playback, five in all");
        } finally {
            victim.destroyForcibly();
        }
    }
}
