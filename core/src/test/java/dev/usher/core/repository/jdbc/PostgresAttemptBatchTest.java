package dev.usher.core.repository.jdbc;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.decision.Reason;
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
 * On PostgreSQL, the attempts of continuing decisions (which change nothing but their attempt) are
 * committed together ({@link AttemptGroupCommit}). The tests hold a ticket's log turn
 * ({@code pg_advisory_xact_lock(21875, hashtext(key))}, as a decision committing on another node
 * would) so that every decision is observably waiting before it is let go: waiting on the database
 * for a lock, or parked in the JVM for a batch. Before, each decision committed its own attempt.
 */
@ExtendWith(PostgresExtension.class)
class PostgresAttemptBatchTest {

    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static final int THREADS = 8;

    private String url;
    private SimpleConnectionPool pool;

    @BeforeEach
    void schema() throws Exception {
        PostgresServer server = PostgresExtension.server();
        url = server.schemaUrl("usher_test", "batch" + SCHEMAS.incrementAndGet());
        pool = new SimpleConnectionPool(url, "postgres", null, 40, Duration.ofSeconds(30));
    }

    @AfterEach
    void close() {
        pool.close();
    }

    /** A service on a fixed clock: every continuing request is within the refresh step, so it writes only its attempt. */
    private record Node(JdbcTicketRepository repo, UsherService service) {
    }

    private Node node(UsherSettings settings, Duration queryTimeout) {
        JdbcTicketRepository repo = new JdbcTicketRepository(pool, settings, JdbcOptions.defaults().withCreateSchema(true)
                .withPurgeInterval(Duration.ZERO).withQueryTimeout(queryTimeout));
        MutableClock clock = new MutableClock(Instant.parse("2026-06-01T12:00:00Z"));
        return new Node(repo, new UsherService(repo, settings, clock, new TicketKeys()));
    }

    @Test
    void continuingDecisionsOnManyThreadsShareCommits() throws Exception {
        Node n = node(UsherSettings.defaults().withServerName("node-a"), Duration.ofSeconds(30));
        Ticket t = n.service().issue(Fixture.STEF, IssueRequest.of("a", "v", "passpasspass", "0.0.0.0/0", 100, "+1 hour"));
        PlaybackRequest request = PlaybackRequest.of(t.key(), t.pass(), IpAddress.parse("192.0.2.1"), "a", "v");
        assertTrue(n.service().authorize(request).newPlayback());

        List<Object> outcomes = decideWhileTheLogIsHeld(n, request, THREADS, null);

        for (Object o : outcomes) {
            assertTrue(o instanceof Decision d && d.granted() && !d.newPlayback(), String.valueOf(o));
        }
        assertEquals(1 + THREADS, n.repo().attempts(t.key(), null, 100).size(), "every decision is logged");
        // The rows one transaction inserted share its id (xmin): the open's own, then the batches'.
        int transactions = distinctXmin(t.key(), null);
        assertTrue(transactions <= 3, THREADS + " continuing decisions took " + (transactions - 1)
                + " commits (before: one each)");
        assertEquals(99, n.repo().find(t.key()).orElseThrow().uses(), "continuing consumes nothing");
    }

    @Test
    void aBatchPastTheCapKeepsTheLogAsAppendsOneByOneWould() throws Exception {
        // Cap 4, half of it 2. Three refusals, then a grant: the log is full (3 refusals, 1 grant).
        Node n = node(UsherSettings.defaults().withServerName("node-a").withMaxAttemptsPerTicket(4), Duration.ofSeconds(30));
        Ticket t = n.service().issue(Fixture.STEF, IssueRequest.of("a", "v", "passpasspass", "0.0.0.0/0", 100, "+1 hour"));
        assertEquals(Reason.INVALID_AUTH_TOKEN, n.service().authorize(
                PlaybackRequest.of(t.key(), "wrong", IpAddress.parse("198.51.100.1"), "a", "v")).reason());
        assertEquals(Reason.WRONG_APPLICATION, n.service().authorize(
                PlaybackRequest.of(t.key(), t.pass(), IpAddress.parse("198.51.100.2"), "b", "v")).reason());
        assertEquals(Reason.INVALID_AUTH_TOKEN, n.service().authorize(
                PlaybackRequest.of(t.key(), "wrong", IpAddress.parse("198.51.100.3"), "a", "v")).reason());
        PlaybackRequest request = PlaybackRequest.of(t.key(), t.pass(), IpAddress.parse("192.0.2.1"), "a", "v");
        assertTrue(n.service().authorize(request).newPlayback());

        // One grant alone (the first batch, held), then seven together. One by one: the first
        // evicts the oldest refusal (3 > 2), the seven evict the seven oldest grants.
        List<Object> outcomes = decideWhileTheLogIsHeld(n, request, THREADS, null);
        for (Object o : outcomes) {
            assertTrue(o instanceof Decision d && d.granted(), String.valueOf(o));
        }
        List<Attempt> log = n.repo().attempts(t.key(), null, 100);
        assertEquals(List.of(Reason.WRONG_APPLICATION, Reason.INVALID_AUTH_TOKEN, Reason.SUCCESS, Reason.SUCCESS),
                log.stream().map(Attempt::reason).toList(), "the cap, refusals down to half of it, the newest grants");
        assertEquals("198.51.100.3", log.get(1).ip(), "the oldest refusal went first");
        assertEquals(1, distinctXmin(t.key(), Reason.SUCCESS.text()), "the two grants kept came from one batch");
    }

    @Test
    void aFailedBatchFailsEveryDecisionInItAndStoresNothing() throws Exception {
        Node n = node(UsherSettings.defaults().withServerName("node-a"), Duration.ofSeconds(30));
        Ticket t = n.service().issue(Fixture.STEF, IssueRequest.of("a", "v", "passpasspass", "0.0.0.0/0", 100, "+1 hour"));
        PlaybackRequest request = PlaybackRequest.of(t.key(), t.pass(), IpAddress.parse("192.0.2.1"), "a", "v");
        assertTrue(n.service().authorize(request).newPlayback());

        // Each backend that waits for the log's turn is ended (as a database that goes away would):
        // the first batch's leader alone, then the batch of the seven that queued behind it.
        List<Object> outcomes = decideWhileTheLogIsHeld(n, request, THREADS, "pg_terminate_backend");

        Map<Throwable, Boolean> causes = new IdentityHashMap<>();
        for (Object o : outcomes) {
            RepositoryException e = assertInstanceOf(RepositoryException.class, o, "no decision given: " + o);
            causes.put(e.getCause(), Boolean.TRUE);
        }
        assertTrue(causes.size() <= 2, "failed together, " + causes.size() + " failures for " + THREADS + " decisions");
        assertEquals(1, n.repo().attempts(t.key(), null, 100).size(), "nothing of the failed decisions is stored");
        assertEquals(99, n.repo().find(t.key()).orElseThrow().uses());
        Decision after = n.service().authorize(request);
        assertTrue(after.granted() && !after.newPlayback(), "the database back, the playback goes on");
    }

    /**
     * Runs {@code count} decisions of {@code request} on as many threads while this test holds the
     * ticket's log turn, and lets go once every one of them is waiting (on the database or in the
     * JVM); with {@code kill}, instead ends each backend that waits for the turn until all are done.
     *
     * @return per thread its decision or what it threw
     */
    private List<Object> decideWhileTheLogIsHeld(Node n, PlaybackRequest request, int count, String kill) throws Exception {
        List<Object> outcomes = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        try (Connection holder = DriverManager.getConnection(url, "postgres", null);
             Connection observer = DriverManager.getConnection(url, "postgres", null)) {
            holder.setAutoCommit(false);
            try (PreparedStatement ps = holder.prepareStatement("SELECT pg_advisory_xact_lock(21875, hashtext(?))")) {
                ps.setString(1, request.key());
                ps.executeQuery().close();
            }
            for (int i = 0; i < count; i++) {
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
                if (kill == null) {
                    awaitCondition(() -> waitingOnTheDatabase(observer)
                            + parkedIn(AttemptGroupCommit.class, threads) >= count);
                    holder.rollback();
                } else {
                    while (outcomes.size() < count) {
                        awaitCondition(() -> outcomes.size() == count || waitingOnTheDatabase(observer)
                                + parkedIn(AttemptGroupCommit.class, threads) + outcomes.size() >= count
                                && turnWaiter(observer) != null);
                        Integer pid = turnWaiter(observer);
                        if (pid != null) {
                            try (PreparedStatement ps = observer.prepareStatement("SELECT pg_terminate_backend(?)")) {
                                ps.setInt(1, pid);
                                ps.executeQuery().close();
                            }
                            awaitCondition(() -> !Integer.valueOf(pid).equals(turnWaiter(observer)));
                        }
                    }
                    holder.rollback();
                }
                for (Thread thread : threads) {
                    thread.join();
                }
            }, "decisions hung");
        }
        assertEquals(count, outcomes.size());
        return outcomes;
    }

    /** @return how many other sessions of this database wait for a lock */
    private static int waitingOnTheDatabase(Connection observer) {
        try (PreparedStatement ps = observer.prepareStatement("SELECT COUNT(*) FROM pg_stat_activity"
                + " WHERE wait_event_type = 'Lock' AND datname = current_database() AND pid <> pg_backend_pid()");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the backend that waits for an advisory lock (the log's turn), or null */
    private static Integer turnWaiter(Connection observer) {
        try (PreparedStatement ps = observer.prepareStatement(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted LIMIT 1");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getInt(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return how many transactions inserted the ticket's attempt rows (of one reason, or all) */
    private int distinctXmin(String key, String reason) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", null);
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(DISTINCT xmin::text) FROM usher_attempts"
                     + " WHERE ticket_key = ?" + (reason == null ? "" : " AND reason = ?"))) {
            ps.setString(1, key);
            if (reason != null) {
                ps.setString(2, reason);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
