package dev.usher.servlet;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.repository.jdbc.SimpleConnectionPool;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.ticket.Ticket;
import dev.usher.testing.PostgresExtension;
import dev.usher.testing.PostgresServer;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ResourceServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Knowing a key is not enough to rewrite its audit trail (issue 10, item 6): 1,500 wrong-pass
 * requests through a real Jetty, over a real PostgreSQL store configured as an operator would,
 * leave the ticket's real playback in {@code sevu.errorlog} and its attempt rows bounded. Also, on
 * the same real store, that a failed response gives its use back (item 7).
 */
@ExtendWith(PostgresExtension.class)
class AttemptFloodTest {

    @TempDir
    static Path media;
    static Server server;
    static UsherRuntime runtime;
    static String base;
    static SimpleConnectionPool pool;
    static final HttpClient http = HttpClient.newHttpClient();
    static final int CAP = 50;

    @BeforeAll
    static void start() throws Exception {
        PostgresServer pg = PostgresExtension.server();
        pg.createDatabase("usher_flood");
        Files.createDirectories(media.resolve("vod"));
        Files.write(media.resolve("vod/a.mp4"), new byte[1000]);
        byte[] secret = new byte[32];
        new java.security.SecureRandom().nextBytes(secret);
        Map<String, String> keys = Map.of(
                "usher.repository", "jdbc",
                "usher.jdbc.url", pg.url("usher_flood"),
                "usher.jdbc.user", "postgres",
                "usher.jdbc.create-schema", "true",
                "usher.credential.secrets", "k1:" + Base64.getEncoder().encodeToString(secret),
                "usher.trusted-proxies", "127.0.0.1/32",
                "usher.attempt-log.max-per-ticket", Integer.toString(CAP));
        runtime = UsherRuntime.fromConfig(k -> Optional.ofNullable(keys.get(k)), keys.keySet());
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        UsherRuntime.install(context.getServletContext(), runtime);
        context.addFilter(new FilterHolder(UsherFilter.class), "/*", EnumSet.allOf(DispatcherType.class));
        ServletHolder files = new ServletHolder("media", ResourceServlet.class);
        files.setInitParameter("baseResource", media.toUri().toString());
        files.setInitParameter("pathInfoOnly", "true");
        context.addServlet(files, "/media/*");
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
        pool = new SimpleConnectionPool(pg.url("usher_flood"), "postgres", null, 2, Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
        runtime.close();
        pool.close();
    }

    static int get(String pathAndQuery, String client) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).header("X-Forwarded-For", client).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static int rows(String key) throws Exception {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM usher_attempts WHERE ticket_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void fifteenHundredWrongPassesLeaveTheRealPlaybackInTheLogAndTheRowsBounded() throws Exception {
        Ticket t = runtime.service().issue(GuardedServer.ACCOUNT,
                IssueRequest.of("vod", "a.mp4", "the-real-pass", "0.0.0.0/0", 3, "+1 hour"));
        assertEquals(200, get("/media/vod/a.mp4?key=" + t.key() + "&pass=the-real-pass", "192.0.2.10"));

        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 1500; i++) {
                // 500 from as many addresses, then 1,000 from one address
                String client = i >= 500 ? "203.0.113.66" : "10.20." + (i / 250) + "." + (i % 250);
                String url = "/media/vod/a.mp4?key=" + t.key() + "&pass=wrong" + i;
                answers.add(clients.submit(() -> get(url, client)));
            }
            for (Future<Integer> answer : answers) {
                assertEquals(403, answer.get());
            }
        } finally {
            clients.shutdownNow();
        }

        List<Attempt> log = runtime.service().errorlog(GuardedServer.ACCOUNT, t.key(), null).orElseThrow();
        List<Attempt> grants = log.stream().filter(Attempt::success).toList();
        assertEquals(1, grants.size(), "the real playback is still in sevu.errorlog");
        assertEquals("192.0.2.10", grants.get(0).ip());
        int stored = rows(t.key());
        assertTrue(stored <= CAP, "attempt rows stay within the cap: " + stored);
        Attempt repeated = log.stream().filter(a -> a.ip().equals("203.0.113.66")).findFirst().orElseThrow();
        assertEquals(1000, repeated.count(), "one client's flood is one entry with its count");
        assertEquals(2, runtime.service().status(GuardedServer.ACCOUNT, t.key()).orElseThrow().uses());
        assertTrue(runtime.purging(), "the runtime purges on its timer");
    }

    @Test
    void onTheDatabaseAMissingFileCostsNoUseEither() throws Exception {
        // The real clock (finer than the database's timestamps) and a real store: the grant is found and given back.
        Ticket t = runtime.service().issue(GuardedServer.ACCOUNT,
                IssueRequest.of("vod", "*", "the-real-pass", "auto", 1, "+1 hour"));
        assertEquals(404, get("/media/vod/missing.mp4?key=" + t.key() + "&pass=the-real-pass", "192.0.2.77"));
        Ticket after = runtime.service().status(GuardedServer.ACCOUNT, t.key()).orElseThrow();
        assertEquals(1, after.uses());
        assertEquals(0, after.ip().boundCount());
        assertEquals(404, runtime.service().errorlog(GuardedServer.ACCOUNT, t.key(), null).orElseThrow().get(0).failedStatus());
        assertEquals(200, get("/media/vod/a.mp4?key=" + t.key() + "&pass=the-real-pass", "192.0.2.78"));
    }
}
