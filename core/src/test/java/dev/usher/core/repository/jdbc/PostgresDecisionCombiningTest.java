package dev.usher.core.repository.jdbc;

import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.net.IpAddress;
import dev.usher.core.repository.RepositoryException;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import dev.usher.core.ticket.TicketKeys;
import dev.usher.testing.MutableClock;
import dev.usher.testing.PostgresExtension;
import dev.usher.testing.PostgresServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.usher.core.repository.jdbc.Waiting.awaitCondition;
import static dev.usher.core.repository.jdbc.Waiting.parkedIn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On PostgreSQL, the locked decisions of one ticket within a node are combined
 * ({@link DecisionCombiner}): one row lock, one transaction, one commit per batch. The tests hold
 * the ticket's row lock ({@code FOR NO KEY UPDATE}, as a decision on another node would) until
 * every decision is observably waiting, on the database for the lock or parked in the JVM for its
 * batch, then let go. Before, each decision waited on the database and committed on its own.
 */
@ExtendWith(PostgresExtension.class)
class PostgresDecisionCombiningTest {

    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static final int THREADS = 8;

    private String url;
    private SimpleConnectionPool pool;

    @BeforeEach
    void schema() throws Exception {
        PostgresServer server = PostgresExtension.server();
        url = server.schemaUrl("usher_test", "combine" + SCHEMAS.incrementAndGet());
        pool = new SimpleConnectionPool(url, "postgres", null, 40, Duration.ofSeconds(30));
    }

    @AfterEach
    void close() {
        pool.close();
    }

    private record Node(JdbcTicketRepository repo, UsherService service) {
    }

    private Node node() {
        UsherSettings settings = UsherSettings.defaults().withServerName("node-a");
        JdbcTicketRepository repo = new JdbcTicketRepository(pool, settings, JdbcOptions.defaults().withCreateSchema(true)
                .withPurgeInterval(Duration.ZERO).withQueryTimeout(Duration.ofSeconds(30)));
        MutableClock clock = new MutableClock(Instant.parse("2026-06-01T12:00:00Z"));
        return new Node(repo, new UsherService(repo, settings, clock, new TicketKeys()));
    }

    /** Thread i's request: a client of its own, so that each opens a playback and consumes a use. */
    private static PlaybackRequest opening(Ticket t, int i) {
        return PlaybackRequest.of(t.key(), t.pass(), IpAddress.parse("192.0.2." + (i + 1)), "a", "v");
    }

    @Test
    void playbacksOpenedOnManyThreadsShareTransactionsAndConsumeExactlyTheirUses() throws Exception {
        Node n = node();
        Ticket t = n.service().issue(Fixture.STEF, IssueRequest.of("a", "v", "passpasspass", "0.0.0.0/0", 100, "+1 hour"));

        List<Object> outcomes = decideWhileTheRowIsLocked(n, t, THREADS, false);

        for (Object o : outcomes) {
            assertTrue(o instanceof Decision d && d.granted() && d.newPlayback(), String.valueOf(o));
        }
        assertEquals(100 - THREADS, n.repo().find(t.key()).orElseThrow().uses(), "one use per playback opened");
        assertEquals(THREADS, count("SELECT COUNT(*) FROM usher_playbacks WHERE ticket_key = ?", t.key()));
        assertEquals(THREADS, n.repo().attempts(t.key(), null, 100).size(), "every decision is logged");
        // The first decision leads a batch of its own (the lock held), the others queue behind it.
        int transactions = count("SELECT COUNT(DISTINCT xmin::text) FROM usher_attempts WHERE ticket_key = ?", t.key());
        assertTrue(transactions <= 2, THREADS + " playbacks opened in " + transactions + " transactions (before: one each)");
        for (int i = 0; i < THREADS; i++) {
            Decision again = n.service().authorize(opening(t, i));
            assertTrue(again.granted() && !again.newPlayback(), "playback " + i + " stored: " + again);
        }
    }

    @Test
    void aFailedBatchFailsEveryDecisionInItAndConsumesNothing() throws Exception {
        Node n = node();
        Ticket t = n.service().issue(Fixture.STEF, IssueRequest.of("a", "v", "passpasspass", "0.0.0.0/0", 100, "+1 hour"));

        // Each backend that waits for the row lock is ended (as a database that goes away would):
        // the first batch's leader alone, then the batch of the seven queued behind it.
        List<Object> outcomes = decideWhileTheRowIsLocked(n, t, THREADS, true);

        Map<Throwable, Boolean> causes = new IdentityHashMap<>();
        for (Object o : outcomes) {
            RepositoryException e = assertInstanceOf(RepositoryException.class, o, "no decision given: " + o);
            causes.put(e.getCause(), Boolean.TRUE);
        }
        assertTrue(causes.size() <= 2, "failed together, " + causes.size() + " failures for " + THREADS + " decisions");
        assertEquals(100, n.repo().find(t.key()).orElseThrow().uses(), "nothing consumed");
        assertEquals(0, count("SELECT COUNT(*) FROM usher_playbacks WHERE ticket_key = ?", t.key()));
        assertEquals(0, n.repo().attempts(t.key(), null, 100).size(), "nothing of the failed decisions is stored");
        assertTrue(n.service().authorize(opening(t, 0)).newPlayback(), "the database back, a playback opens");
    }

    /**
     * Runs {@code count} opening decisions on as many threads while this test holds the ticket's
     * row lock, and lets go once every one is waiting (on the database or in the JVM); with
     * {@code kill}, instead ends each backend that waits for a lock until all are done.
     *
     * @return per thread its decision or what it threw
     */
    private List<Object> decideWhileTheRowIsLocked(Node n, Ticket t, int count, boolean kill) throws Exception {
        List<Object> outcomes = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        try (Connection holder = DriverManager.getConnection(url, "postgres", null);
             Connection observer = DriverManager.getConnection(url, "postgres", null)) {
            holder.setAutoCommit(false);
            try (PreparedStatement ps = holder.prepareStatement(
                    "SELECT 1 FROM usher_tickets WHERE ticket_key = ? FOR NO KEY UPDATE")) {
                ps.setString(1, t.key());
                ps.executeQuery().close();
            }
            for (int i = 0; i < count; i++) {
                PlaybackRequest request = opening(t, i);
                Thread thread = new Thread(() -> {
                    try {
                        outcomes.add(n.service().authorize(request));
                    } catch (RuntimeException e) {
                        outcomes.add(e);
                    }
                }, "decider-" + i);
                threads.add(thread);
                thread.start();
            }
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                awaitCondition(() -> waiters(observer).size() + parkedIn(DecisionCombiner.class, threads) >= count);
                if (kill) {
                    while (outcomes.size() < count) {
                        awaitCondition(() -> outcomes.size() == count
                                || waiters(observer).size() + parkedIn(DecisionCombiner.class, threads) + outcomes.size() >= count
                                && !waiters(observer).isEmpty());
                        for (Integer pid : waiters(observer)) {
                            try (PreparedStatement ps = observer.prepareStatement("SELECT pg_terminate_backend(?)")) {
                                ps.setInt(1, pid);
                                ps.executeQuery().close();
                            }
                            awaitCondition(() -> !waiters(observer).contains(pid));
                        }
                    }
                }
                holder.rollback();
                for (Thread thread : threads) {
                    thread.join();
                }
            }, "decisions hung");
        }
        assertEquals(count, outcomes.size());
        return outcomes;
    }

    /** @return the other sessions of this database that wait for a lock */
    private static List<Integer> waiters(Connection observer) {
        try (PreparedStatement ps = observer.prepareStatement("SELECT pid FROM pg_stat_activity"
                + " WHERE wait_event_type = 'Lock' AND datname = current_database() AND pid <> pg_backend_pid()");
             ResultSet rs = ps.executeQuery()) {
            List<Integer> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private int count(String sql, String key) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", null);
             PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
