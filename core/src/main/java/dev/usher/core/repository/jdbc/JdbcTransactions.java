package dev.usher.core.repository.jdbc;

import dev.usher.core.repository.RepositoryException;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * How the JDBC repository runs its work on the database: connects on first use (checking, or
 * creating, the schema once), runs work in one transaction or with auto-commit, gives every
 * statement the query timeout, retries serialization failures and deadlocks (SQLState
 * {@code 40001}, {@code 40P01}) a bounded number of times, and turns every database failure into a
 * {@link RepositoryException} naming the operation.
 */
final class JdbcTransactions {

    /** Work on one connection. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource dataSource;
    private final JdbcOptions options;
    private final int timeoutSeconds;
    private volatile JdbcDialect dialect;

    JdbcTransactions(DataSource dataSource, JdbcOptions options) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.options = Objects.requireNonNull(options, "options");
        this.timeoutSeconds = options.queryTimeoutSeconds();
    }

    DataSource dataSource() {
        return dataSource;
    }

    /** @return the database's dialect, connecting (and creating the schema) if not done yet */
    JdbcDialect ready() {
        JdbcDialect d = dialect;
        if (d != null) {
            return d;
        }
        synchronized (this) {
            if (dialect == null) {
                dialect = connect();
            }
            return dialect;
        }
    }

    private JdbcDialect connect() {
        SQLException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                return JdbcSchema.check(c, options.createSchema(), timeoutSeconds);
            } catch (SQLException e) {
                last = e; // e.g. two nodes creating the schema at once: look again
                if (!options.createSchema()) {
                    break;
                }
                backOff(attempt);
            }
        }
        throw failure("connect and check the schema", last, 1);
    }

    /** Runs {@code work} in one transaction, retrying it on serialization failures and deadlocks. */
    <T> T transaction(String what, SqlWork<T> work) {
        JdbcDialect d = ready();
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                if (d == JdbcDialect.H2) {
                    // H2 waits for a row lock up to its LOCK_TIMEOUT, not the query timeout: bound it alike.
                    try (Statement s = c.createStatement()) {
                        s.execute("SET LOCK_TIMEOUT " + timeoutSeconds * 1000L);
                    }
                }
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                } finally {
                    try {
                        c.setAutoCommit(true);
                    } catch (SQLException ignored) {
                        // the connection is being given back anyway
                    }
                }
            } catch (SQLException e) {
                if (isRetryable(e) && attempt < options.maxAttempts()) {
                    backOff(attempt);
                    continue;
                }
                throw failure(what, e, attempt);
            }
        }
    }

    /** Runs {@code work} with auto-commit: for single statements and reads. */
    <T> T autocommit(String what, SqlWork<T> work) {
        ready();
        try (Connection c = dataSource.getConnection()) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            return work.run(c);
        } catch (SQLException e) {
            throw failure(what, e, 1);
        }
    }

    /** @return the statement, with the query timeout */
    PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setQueryTimeout(timeoutSeconds);
        return ps;
    }

    static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the original failure is what matters
        }
    }

    static boolean isRetryable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                if ("40001".equals(state) || "40P01".equals(state)) {
                    return true;
                }
                SQLException next = s.getNextException();
                if (next != null && next != t && isRetryable(next)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void backOff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 5L * attempt + 2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private RepositoryException failure(String what, SQLException e, int attempts) {
        String state = e.getSQLState();
        String kind = state != null && state.startsWith("57014") || e instanceof SQLTimeoutException
                ? "timed out (query timeout " + timeoutSeconds + " s)" : "failed";
        return new RepositoryException("JDBC ticket repository: " + what + " " + kind
                + (attempts > 1 ? " after " + attempts + " attempts" : "") + ": " + e.getMessage()
                + (state == null ? "" : " [SQLState " + state + "]"), e);
    }
}
