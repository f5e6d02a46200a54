package dev.usher.core.repository.jdbc;

import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.net.IpAddress;
import dev.usher.core.repository.RepositoryException;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import dev.usher.testing.PostgresExtension;
import dev.usher.testing.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * On Usher's own pool the server ends a statement at the query timeout ({@code statement_timeout},
 * {@link SimpleConnectionPool#boundWaits}), so the repository gives its statements no driver-side
 * timeout (whose timer task per execute cost client CPU); a statement slower than the timeout
 * still fails at it, as a query canceled (SQLState 57014), on a connection that stays usable.
 * A data source that is not Usher's pool keeps the driver's timeout.
 */
@ExtendWith(PostgresExtension.class)
class PostgresStatementTimeoutTest {

    private static final Duration QUERY_TIMEOUT = Duration.ofSeconds(1);
    private static final AtomicInteger SCHEMAS = new AtomicInteger();

    private static String newSchema() throws SQLException {
        return PostgresExtension.server().schemaUrl("usher_test", "stmt_timeout" + SCHEMAS.incrementAndGet());
    }

    @Test
    void aStatementSlowerThanTheTimeoutIsCanceledByTheServerWithoutADriverTimeout() throws Exception {
        try (SimpleConnectionPool pool = new SimpleConnectionPool(newSchema(), "postgres", null, 2, QUERY_TIMEOUT)) {
            assertEquals(Optional.of(QUERY_TIMEOUT), pool.serverStatementTimeout());
            try (Connection c = pool.getConnection()) {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW statement_timeout")) {
                    assertTrue(rs.next());
                    assertEquals("1s", rs.getString(1), "the server's own bound on every statement of the pool");
                }
                // No setQueryTimeout: before, nothing canceled the sleep and the socket timeout broke
                // the connection (SQLState 08006) after the timeout and the margin.
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_sleep(30)")) {
                    SQLException e = assertThrows(SQLException.class, ps::executeQuery);
                    assertEquals("57014", e.getSQLState(), e.getMessage());
                }
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
                    assertTrue(rs.next(), "a canceled statement leaves the connection usable");
                }
            }
        }
    }

    @Test
    void aDecisionWaitingLongerThanTheTimeoutForItsTicketFailsAtTheServersTimeout() throws Exception {
        try (SimpleConnectionPool pool = new SimpleConnectionPool(newSchema(), "postgres", null, 4, QUERY_TIMEOUT)) {
            assertTrue(SimpleConnectionPool.boundsStatements(pool, QUERY_TIMEOUT), "the repository leaves the timeout to the server");
            UsherSettings settings = UsherSettings.defaults();
            JdbcTicketRepository repo = new JdbcTicketRepository(pool, settings,
                    JdbcOptions.defaults().withCreateSchema(true).withPurgeInterval(Duration.ZERO).withQueryTimeout(QUERY_TIMEOUT));
            UsherService service = new UsherService(repo, settings);
            Ticket t = service.issue(Fixture.STEF, IssueRequest.of("a", "v", "passpasspass", "0.0.0.0/0", 5, "+1 hour"));
            PlaybackRequest request = PlaybackRequest.of(t.key(), t.pass(), IpAddress.parse("192.0.2.1"), "a", "v");
            try (Connection holder = pool.getConnection()) {
                holder.setAutoCommit(false);
                try (Statement s = holder.createStatement()) {
                    s.execute("SET LOCAL statement_timeout = 0"); // the holder itself waits for nothing
                }
                try (PreparedStatement ps = holder.prepareStatement("SELECT uses FROM usher_tickets WHERE ticket_key = ? FOR UPDATE")) {
                    ps.setString(1, t.key());
                    ps.executeQuery().close();
                }
                RepositoryException e = assertThrows(RepositoryException.class, () -> service.authorize(request));
                assertTrue(e.getMessage().startsWith("JDBC ticket repository: decide timed out (query timeout 1 s)"), e.getMessage());
                assertTrue(e.getMessage().contains("[SQLState 57014]"), "the server's cancel, not a socket's timeout: " + e.getMessage());
                holder.rollback();
            }
            assertTrue(service.authorize(request).granted(), "the lock released, decisions go on");
            assertEquals(4, repo.find(t.key()).orElseThrow().uses(), "the timed-out decision stored nothing");
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(60)
    void theSchemaScriptsKeepTheirLongerBoundOnUshersPool() throws Exception {
        String url = newSchema();
        try (SimpleConnectionPool pool = new SimpleConnectionPool(url, "postgres", null, 2, QUERY_TIMEOUT);
             Connection holder = DriverManager.getConnection(url, "postgres", null);
             Connection watcher = DriverManager.getConnection(url, "postgres", null)) {
            // Another session creates the scripts' first table and has not committed: the scripts'
            // CREATE TABLE waits for it, longer than the query timeout.
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("CREATE TABLE usher_schema_version (version INT)");
            }
            JdbcTicketRepository repo = new JdbcTicketRepository(pool, UsherSettings.defaults(), JdbcOptions.defaults()
                    .withCreateSchema(true).withPurgeInterval(Duration.ZERO).withQueryTimeout(QUERY_TIMEOUT));
            CompletableFuture<JdbcDialect> made = CompletableFuture.supplyAsync(repo::dialect);
            Waiting.awaitCondition(() -> waitsForALock(watcher));
            try (Statement s = holder.createStatement()) {
                // Four query timeouts: each of the three tries to connect waits one when the scripts have none longer.
                s.execute("SELECT pg_sleep(4)");
            }
            holder.rollback();
            // Before, the server canceled the scripts at the query timeout (57014), on every try.
            assertEquals(JdbcDialect.POSTGRESQL, made.get(), "the schema made once the other session let go");
        }
    }

    /** @return whether a session waits for a lock in a CREATE TABLE of the schema scripts */
    private static boolean waitsForALock(Connection watcher) {
        try (Statement s = watcher.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM pg_stat_activity"
                + " WHERE wait_event_type = 'Lock' AND query LIKE '%CREATE TABLE IF NOT EXISTS usher_schema_version%'")) {
            return rs.next() && rs.getInt(1) > 0;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void onlyUsherPoolsWithTheServersTimeoutWithinTheQueryTimeoutLeaveItToTheServer() throws Exception {
        PostgresServer server = PostgresExtension.server();
        try (SimpleConnectionPool five = new SimpleConnectionPool(server.url("usher_test"), "postgres", null, 1, Duration.ofSeconds(5));
             SimpleConnectionPool own = new SimpleConnectionPool(server.url("usher_test") + "?options=-c%20work_mem%3D8MB",
                     "postgres", null, 1, Duration.ofSeconds(5));
             SimpleConnectionPool h2 = new SimpleConnectionPool("jdbc:h2:mem:stmt_timeout;DB_CLOSE_DELAY=-1", null, null, 1,
                     Duration.ofSeconds(5))) {
            assertTrue(SimpleConnectionPool.boundsStatements(five, Duration.ofSeconds(5)));
            assertTrue(SimpleConnectionPool.boundsStatements(five, Duration.ofSeconds(10)), "the server ends them sooner anyway");
            assertFalse(SimpleConnectionPool.boundsStatements(five, Duration.ofSeconds(1)), "a shorter query timeout needs the driver's");
            assertEquals(Optional.empty(), own.serverStatementTimeout(), "a URL's own options are kept, and the driver times out");
            assertFalse(SimpleConnectionPool.boundsStatements(own, Duration.ofSeconds(5)));
            assertFalse(SimpleConnectionPool.boundsStatements(h2, Duration.ofSeconds(5)));
            assertFalse(SimpleConnectionPool.boundsStatements(new org.h2.jdbcx.JdbcDataSource(), Duration.ofSeconds(5)),
                    "a container's data source keeps the driver's timeout");
        }
    }
}
