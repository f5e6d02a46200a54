/**
 * Stream users in a database shared by every node (PostgreSQL, H2), so that all nodes agree on
 * who may publish; its table is schema version 3 ({@code V3__live.sql}).
 *
 * <p>May use: the stream users of {@code dev.usher.core.live} and JDBC, and the ticket store's script reader ({@code JdbcSchema}); never a container API.
 */
package dev.usher.core.live.jdbc;
