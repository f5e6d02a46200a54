/**
 * The viewer store shared by the nodes of one database (PostgreSQL, H2):
 * {@link dev.usher.core.viewer.jdbc.JdbcViewerStore} over table {@code usher_viewers}, schema
 * version 8 ({@code V8__viewers.sql}), written by each node at a bounded rate (at most one row
 * write per viewer per flush interval) so that every node counts alike.
 *
 * <p>May use: the viewer contract of {@code dev.usher.core.viewer}, the ticket repository's script
 * reader and {@code RepositoryException}, the bounded-rate log of {@code dev.usher.core.log} and
 * JDBC; never a container API.
 */
package dev.usher.core.viewer.jdbc;
