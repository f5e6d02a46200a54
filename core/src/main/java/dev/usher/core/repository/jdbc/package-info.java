/**
 * The JDBC repository (PostgreSQL, H2): one transaction per decision over the ticket's locked row,
 * its versioned schema and its small connection pool.
 *
 * <p>May use: the repository SPI, tickets, rules, decisions, attempts, networks and settings.
 */
package dev.usher.core.repository.jdbc;
