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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SimpleConnectionPool} on embedded H2: idle connections are checked before they are lent again. */
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
            try (PreparedStatement ps = admin.prepareStatement("SELECT ABORT_SESSION(?)")) {
                ps.setInt(1, first);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next() && rs.getBoolean(1), "the session was aborted");
                }
            }
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
}
