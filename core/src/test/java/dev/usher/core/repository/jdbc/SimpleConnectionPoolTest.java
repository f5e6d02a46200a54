package dev.usher.core.repository.jdbc;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link SimpleConnectionPool} on embedded H2: idle connections are checked before they are lent
 * again; a lent connection ({@link PooledConnection}) is handed back once, is closed for its
 * borrower afterwards, and is not lent again once its database dropped it.
 */
class SimpleConnectionPoolTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private static String newDatabase() {
        return "jdbc:h2:mem:pool" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1";
    }

    private static int sessionOf(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT SESSION_ID()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Has the database end session {@code id}, as a restart or a firewall would end a connection. */
    private static void abortSession(Connection admin, int id) throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("SELECT ABORT_SESSION(?)")) {
            ps.setInt(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next() && rs.getBoolean(1), "the session was aborted");
            }
        }
    }

    @Test
    void anIdleConnectionThatDiedIsReplacedNotLent() throws Exception {
        String url = newDatabase();
        try (Connection admin = DriverManager.getConnection(url);
             SimpleConnectionPool pool = new SimpleConnectionPool(url, null, null, 1, Duration.ofSeconds(5), Duration.ZERO)) {
            int first;
            try (Connection c = pool.getConnection()) {
                first = sessionOf(c);
            }
            // The database drops the pooled connection while it is idle (as a restart or a firewall would).
            abortSession(admin, first);
            try (Connection c = pool.getConnection()) {
                int second = sessionOf(c); // failed with "database is closed" when the dead connection was lent
                assertNotEquals(first, second, "a new connection, not the dead one");
            }
        }
    }

    @Test
    void aLiveIdleConnectionIsReused() throws Exception {
        try (SimpleConnectionPool pool = new SimpleConnectionPool(newDatabase(), null, null, 1, Duration.ofSeconds(5),
                Duration.ZERO)) {
            int first;
            try (Connection c = pool.getConnection()) {
                first = sessionOf(c);
            }
            try (Connection c = pool.getConnection()) {
                assertEquals(first, sessionOf(c), "the checked connection is lent again");
            }
        }
    }

    @Test
    void aConnectionClosedTwiceIsHandedBackOnce() throws Exception {
        try (SimpleConnectionPool pool = new SimpleConnectionPool(newDatabase(), null, null, 1, Duration.ofSeconds(1),
                Duration.ZERO)) {
            Connection c = pool.getConnection();
            c.close();
            c.close(); // a second give-back would put the one connection in the pool twice
            try (Connection lent = pool.getConnection()) {
                int session = sessionOf(lent);
                // With the one connection lent, another loan waits out the acquire timeout and fails:
                // had it been handed back twice, this loan would get the same session as well.
                SQLException none = assertThrows(SQLException.class, pool::getConnection);
                assertEquals("08001", none.getSQLState(), none.getMessage());
                assertEquals(session, sessionOf(lent), "the lent connection still works");
            }
        }
    }

    @Test
    void aClosedConnectionIsClosedForItsBorrower() throws Exception {
        try (SimpleConnectionPool pool = new SimpleConnectionPool(newDatabase(), null, null, 1, Duration.ofSeconds(5),
                Duration.ZERO)) {
            Connection c = pool.getConnection();
            assertFalse(c.isClosed());
            c.close();
            assertTrue(c.isClosed(), "closed once handed back");
            SQLException used = assertThrows(SQLException.class, c::createStatement);
            assertEquals("08003", used.getSQLState());
            assertEquals("08003", assertThrows(SQLException.class, () -> c.prepareStatement("SELECT 1")).getSQLState());
            assertEquals("08003", assertThrows(SQLException.class, c::commit).getSQLState());
            try (Connection next = pool.getConnection()) {
                assertFalse(next.isClosed(), "the pool lends it again, to its next borrower");
                sessionOf(next); // and it works
            }
        }
    }

    @Test
    void aConnectionItsDatabaseDroppedWhileLentIsNotLentAgain() throws Exception {
        String url = newDatabase();
        try (Connection admin = DriverManager.getConnection(url);
             SimpleConnectionPool pool = new SimpleConnectionPool(url, null, null, 1, Duration.ofSeconds(5),
                     Duration.ofHours(1))) { // no check on loan: only what the lent connection saw decides
            int first;
            try (Connection c = pool.getConnection()) {
                first = sessionOf(c);
                abortSession(admin, first); // the database drops it while it is lent
                assertThrows(SQLException.class, () -> sessionOf(c), "the dropped connection fails its borrower");
            }
            try (Connection c = pool.getConnection()) {
                assertNotEquals(first, sessionOf(c), "a new connection, not the dropped one");
            }
        }
    }
}
