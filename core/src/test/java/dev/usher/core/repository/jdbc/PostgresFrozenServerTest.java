package dev.usher.core.repository.jdbc;

import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.net.IpAddress;
import dev.usher.core.repository.RepositoryException;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.testing.Fixture;
import dev.usher.testing.PostgresServer;
import dev.usher.core.ticket.Ticket;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A PostgreSQL server frozen by {@code SIGSTOP} (its postmaster and every backend: it keeps its
 * sockets open and never answers, as a hung host or a partition does). A query timeout alone does
 * not end that wait (its cancel needs the server); the pool's driver bounds do, so a decision fails
 * with a {@link RepositoryException} (the servlet filter answers 503) instead of holding the request.
 * Its own server: freezing the shared one would stall the other tests.
 */
class PostgresFrozenServerTest {

    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(1);
    /** What the test waits at most before calling a decision hung: well above the bound, far below forever. */
    private static final Duration HUNG = QUERY_TIMEOUT.plus(SimpleConnectionPool.WAIT_MARGIN).plusSeconds(20);

    @Test
    void aDecisionOnAFrozenServerFailsInsteadOfWaiting() throws Exception {
        try (PostgresServer server = PostgresServer.start("fsync=off")) {
            server.createDatabase("frozen");
            UsherSettings settings = UsherSettings.defaults();
            try (SimpleConnectionPool pool = new SimpleConnectionPool(server.url("frozen"), "postgres", null, 4, QUERY_TIMEOUT)) {
                JdbcTicketRepository repo = new JdbcTicketRepository(pool, settings,
                        JdbcOptions.defaults().withCreateSchema(true).withQueryTimeout(QUERY_TIMEOUT));
                UsherService service = new UsherService(repo, settings);
                Ticket t = service.issue(Fixture.STEF, IssueRequest.of("a", "v", "passpasspass", "0.0.0.0/0", 5, "+1 hour"));
                PlaybackRequest request = PlaybackRequest.of(t.key(), t.pass(), IpAddress.parse("192.0.2.1"), "a", "v");
                assertTrue(service.authorize(request).granted(), "a pooled connection, in use a moment ago");
                PlaybackRequest another = PlaybackRequest.of(t.key(), t.pass(), IpAddress.parse("192.0.2.2"), "a", "v");
                List<Long> pids = processes(server.postmasterPid());
                signal("STOP", pids);
                try {
                    // Before, the first waited on its socket for as long as the server stayed frozen.
                    long start = System.nanoTime();
                    RepositoryException onPooled = assertTimeoutPreemptively(HUNG,
                            () -> assertThrows(RepositoryException.class, () -> service.authorize(another)));
                    long pooledMillis = (System.nanoTime() - start) / 1_000_000;
                    start = System.nanoTime();
                    RepositoryException onNew = assertTimeoutPreemptively(HUNG,
                            () -> assertThrows(RepositoryException.class, () -> service.authorize(another)),
                            "the broken connection is dropped; a new one cannot log in");
                    long newMillis = (System.nanoTime() - start) / 1_000_000;
                    System.out.println("PostgresFrozenServerTest: query timeout " + QUERY_TIMEOUT.toMillis() + " ms, margin "
                            + SimpleConnectionPool.WAIT_MARGIN.toMillis() + " ms: pooled connection failed after " + pooledMillis
                            + " ms (" + onPooled.getMessage() + "), new connection after " + newMillis + " ms ("
                            + onNew.getMessage() + ")");
                    assertTrue(onPooled.getMessage().startsWith("JDBC ticket repository: decide"), onPooled.getMessage());
                } finally {
                    signal("CONT", pids);
                }
                assertTrue(service.authorize(PlaybackRequest.of(t.key(), t.pass(), IpAddress.parse("192.0.2.3"), "a", "v"))
                        .newPlayback(), "thawed, decisions go on");
                assertEquals(3, repo.find(t.key()).orElseThrow().uses(), "the failed decisions stored nothing");
            }
        }
    }

    @Test
    void theDriverBoundsFollowTheQueryTimeoutUnlessTheUrlSetsThem() {
        Properties p = new Properties();
        SimpleConnectionPool.boundWaits("jdbc:postgresql://h/db", Duration.ofMillis(4500), p);
        assertEquals("5", p.getProperty("connectTimeout"));
        assertEquals("5", p.getProperty("loginTimeout"));
        assertEquals("7", p.getProperty("socketTimeout"));
        assertEquals("2", p.getProperty("cancelSignalTimeout"));
        assertEquals("true", p.getProperty("tcpKeepAlive"));
        Properties own = new Properties();
        SimpleConnectionPool.boundWaits("jdbc:postgresql://h/db?ssl=true&SocketTimeout=60&tcpKeepAlive=false",
                Duration.ofSeconds(5), own);
        assertEquals(null, own.getProperty("socketTimeout"), "the URL's own setting wins");
        assertEquals(null, own.getProperty("tcpKeepAlive"));
        assertEquals("5", own.getProperty("connectTimeout"));
    }

    /** @return the postmaster and its children */
    private static List<Long> processes(long postmaster) {
        List<Long> out = new ArrayList<>();
        out.add(postmaster);
        ProcessHandle.of(postmaster).orElseThrow().children().forEach(c -> out.add(c.pid()));
        return out;
    }

    private static void signal(String signal, List<Long> pids) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        pids.forEach(p -> command.add(Long.toString(p)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "kill -" + signal + ": " + out);
    }
}
