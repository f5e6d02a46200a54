package dev.usher.core.repository.jdbc;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A small bounded pool of connections made by {@link DriverManager}, for deployments that give
 * Usher a JDBC URL rather than a container-managed (JNDI) data source.
 *
 * <p>At most {@code maxSize} connections are open; a caller waits at most {@code acquireTimeout}
 * for one, then gets an {@link SQLTransientConnectionException} (SQLState 08001) rather than
 * hanging. A connection handed back with an open transaction is rolled back; one that failed
 * with a connection-class error (SQLState 08…) or is closed is not reused. A connection idle for
 * longer than {@code validateAfter} (default {@link #DEFAULT_VALIDATE_AFTER}) is checked with
 * {@link Connection#isValid} before it is lent, and replaced when the check fails (a database
 * restarted, a firewall that dropped the idle connection), so the caller does not meet the dead
 * one. On PostgreSQL every wait of the driver is bounded by the query timeout plus
 * {@link #WAIT_MARGIN} ({@link #boundWaits}), so that a frozen or unreachable server fails a
 * request instead of holding it. Application servers' pools do more (eviction, metrics): prefer
 * JNDI in them, with the same driver properties.
 */
public final class SimpleConnectionPool implements DataSource, AutoCloseable {

    /** How long a connection may stay idle before it is checked on its next loan. */
    public static final Duration DEFAULT_VALIDATE_AFTER = Duration.ofSeconds(5);

    /** How much longer than the query timeout a PostgreSQL connection waits for its socket ({@link #boundWaits}). */
    public static final Duration WAIT_MARGIN = Duration.ofSeconds(2);

    /** An idle connection, with when it was handed back. */
    private record Idle(Connection raw, long since) {
    }

    private final String url;
    private final Properties properties;
    private final Semaphore permits;
    private final LinkedBlockingDeque<Idle> idle = new LinkedBlockingDeque<>();
    private final Duration acquireTimeout;
    private final long validateAfterNanos;
    private final int validTimeoutSeconds;
    private volatile boolean closed;

    /**
     * @param url            the JDBC URL
     * @param user           the user, or null
     * @param password       the password, or null
     * @param maxSize        most connections open at once
     * @param acquireTimeout longest wait for a connection; on PostgreSQL also the query timeout the
     *                       driver's socket, connect and login timeouts are derived from ({@link #boundWaits})
     */
    public SimpleConnectionPool(String url, String user, String password, int maxSize, Duration acquireTimeout) {
        this(url, user, password, maxSize, acquireTimeout, DEFAULT_VALIDATE_AFTER);
    }

    /**
     * @param validateAfter how long a connection may stay idle before it is checked on its next
     *                      loan; zero checks every loan of an idle connection
     */
    public SimpleConnectionPool(String url, String user, String password, int maxSize, Duration acquireTimeout,
                                Duration validateAfter) {
        this.url = Objects.requireNonNull(url, "url");
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize must be at least 1");
        }
        if (validateAfter.isNegative()) {
            throw new IllegalArgumentException("validateAfter must not be negative");
        }
        this.validateAfterNanos = validateAfter.toNanos();
        // The check waits at most this long for the database (isValid takes whole seconds, 0 = no limit).
        this.validTimeoutSeconds = (int) Math.max(1, Math.min(5, acquireTimeout.toSeconds()));
        this.properties = new Properties();
        if (user != null) {
            properties.setProperty("user", user);
        }
        if (password != null) {
            properties.setProperty("password", password);
        }
        if (url.startsWith("jdbc:postgresql:")) {
            boundWaits(url, acquireTimeout, properties);
        }
        this.permits = new Semaphore(maxSize, true);
        this.acquireTimeout = acquireTimeout;
    }

    /**
     * Sets the PostgreSQL driver's own bounds on every wait, those the URL does not set: a query
     * timeout alone cannot end a wait on a frozen or unreachable server (its cancel needs the server
     * to answer), so the socket gives up {@link #WAIT_MARGIN} after the query timeout
     * ({@code socketTimeout}), connecting and logging in give up after the query timeout
     * ({@code connectTimeout}, {@code loginTimeout}), a cancel gives up after the margin
     * ({@code cancelSignalTimeout}), and TCP keep-alive finds dead peers of idle connections
     * ({@code tcpKeepAlive}). A connection that timed out is broken (SQLState 08…) and not reused.
     *
     * @param timeout the query timeout ({@code usher.jdbc.query-timeout})
     */
    static void boundWaits(String url, Duration timeout, Properties into) {
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        String lower = url.toLowerCase(java.util.Locale.ROOT);
        java.util.Map<String, String> wanted = new java.util.LinkedHashMap<>();
        wanted.put("connectTimeout", Long.toString(seconds));
        wanted.put("loginTimeout", Long.toString(seconds));
        wanted.put("socketTimeout", Long.toString(seconds + WAIT_MARGIN.toSeconds()));
        wanted.put("cancelSignalTimeout", Long.toString(WAIT_MARGIN.toSeconds()));
        wanted.put("tcpKeepAlive", "true");
        wanted.forEach((name, value) -> {
            String key = name.toLowerCase(java.util.Locale.ROOT) + "=";
            if (!lower.contains("?" + key) && !lower.contains("&" + key)) {
                into.setProperty(name, value);
            }
        });
    }

    @Override
    public Connection getConnection() throws SQLException {
        if (closed) {
            throw new SQLTransientConnectionException("the data source is closed", "08003");
        }
        try {
            if (!permits.tryAcquire(acquireTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new SQLTransientConnectionException("no JDBC connection free within " + acquireTimeout.toMillis()
                        + " ms (all " + (permits.availablePermits() + idle.size()) + " busy)", "08001");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLTransientConnectionException("interrupted while waiting for a JDBC connection", "08001", e);
        }
        try {
            Connection raw = borrowIdle();
            if (raw == null) {
                raw = DriverManager.getConnection(url, properties);
            }
            return wrap(raw);
        } catch (SQLException | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    /** @return an idle connection that is (or was lately) valid, closing the dead ones met; null when none */
    private Connection borrowIdle() {
        for (Idle i; (i = idle.pollFirst()) != null; ) {
            if (System.nanoTime() - i.since() < validateAfterNanos || isValid(i.raw())) {
                return i.raw();
            }
            closeQuietly(i.raw());
        }
        return null;
    }

    private boolean isValid(Connection raw) {
        try {
            return raw.isValid(validTimeoutSeconds);
        } catch (SQLException e) {
            return false;
        }
    }

    private static void closeQuietly(Connection raw) {
        try {
            raw.close();
        } catch (SQLException ignored) {
            // it is being thrown away
        }
    }

    private Connection wrap(Connection raw) {
        return new PooledConnection(this, raw);
    }

    /** Takes back a connection {@link PooledConnection} lent: idle again, or closed when {@code broken} or not reusable. */
    void giveBack(Connection raw, boolean broken) {
        try {
            boolean reusable = !broken && !closed && !raw.isClosed();
            if (reusable && !raw.getAutoCommit()) {
                raw.rollback();
                raw.setAutoCommit(true);
            }
            if (reusable) {
                idle.addFirst(new Idle(raw, System.nanoTime()));
            } else {
                raw.close();
            }
        } catch (SQLException e) {
            closeQuietly(raw);
        } finally {
            permits.release();
        }
    }

    /** Closes the idle connections; connections in use are closed when handed back. */
    @Override
    public void close() {
        closed = true;
        for (Idle i; (i = idle.pollFirst()) != null; ) {
            closeQuietly(i.raw());
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the user is fixed when the data source is made");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // not used
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // the acquire timeout applies
    }

    @Override
    public int getLoginTimeout() {
        return (int) acquireTimeout.toSeconds();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper of " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }

    @Override
    public String toString() {
        return "SimpleConnectionPool[" + url.replaceAll("(?i)password=[^&;]*", "password=***") + "]";
    }
}
