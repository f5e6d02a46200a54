/**
 * The JDBC repository (PostgreSQL, H2): one transaction per decision over the ticket's locked row.
 * A file a job: {@code JdbcTicketRepository} (the SPI's statements), {@code JdbcStoreConfig} and
 * {@code JdbcOptions} (configuration), {@code JdbcSchema} (the versioned scripts and their check),
 * {@code JdbcRows} (records to rows and back), {@code JdbcAttemptLog} (the attempt log's rules in
 * SQL), {@code AttemptGroupCommit} and {@code DecisionCombiner} (continuing grants' attempts
 * committed together; a ticket's locked decisions under one lock and commit), both on
 * {@code Combiner} (their leader/follower queue: a line per key, bounded batches and waits),
 * {@code JdbcTransactions} (transactions, retries, timeouts, failures) and
 * {@code SimpleConnectionPool} (the small pool for {@code usher.jdbc.url}).
 *
 * <p>May use: the repository SPI, tickets, rules, decisions, attempts, networks and settings.
 */
package dev.usher.core.repository.jdbc;
