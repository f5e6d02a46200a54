package dev.usher.core.repository.jdbc;

import java.time.Duration;
import java.util.Objects;

/**
 * How the JDBC repository talks to its database.
 *
 * @param createSchema  run the schema scripts on first use ({@link JdbcSchema})
 * @param queryTimeout  the timeout of every statement (whole seconds, at least 1)
 * @param maxAttempts   how many times a transaction is tried when it meets a serialization
 *                      failure or a deadlock ({@link JdbcTransactions})
 * @param purgeInterval no longer used by the repository (purging runs on a timer,
 *                      {@link dev.usher.core.repository.ScheduledPurge}); kept for compatibility
 */
public record JdbcOptions(boolean createSchema, Duration queryTimeout, int maxAttempts, Duration purgeInterval) {

    public JdbcOptions {
        Objects.requireNonNull(queryTimeout, "queryTimeout");
        Objects.requireNonNull(purgeInterval, "purgeInterval");
        if (queryTimeout.isNegative() || queryTimeout.isZero()) {
            throw new IllegalArgumentException("the query timeout must be positive");
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        if (purgeInterval.isNegative()) {
            throw new IllegalArgumentException("the purge interval must not be negative");
        }
    }

    /** No schema creation, 5 s query timeout, 5 attempts, purge every 10 minutes. */
    public static JdbcOptions defaults() {
        return new JdbcOptions(false, Duration.ofSeconds(5), 5, Duration.ofMinutes(10));
    }

    public JdbcOptions withCreateSchema(boolean value) {
        return new JdbcOptions(value, queryTimeout, maxAttempts, purgeInterval);
    }

    public JdbcOptions withQueryTimeout(Duration value) {
        return new JdbcOptions(createSchema, value, maxAttempts, purgeInterval);
    }

    public JdbcOptions withPurgeInterval(Duration value) {
        return new JdbcOptions(createSchema, queryTimeout, maxAttempts, value);
    }

    /** @return the query timeout in whole seconds, rounded up, at least 1 (JDBC takes seconds) */
    public int queryTimeoutSeconds() {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (queryTimeout.toMillis() + 999) / 1000));
    }
}
