/**
 * The viewer store shared by the nodes of one database: {@link dev.usher.core.viewer.jdbc.JdbcViewerStore}
 * over table {@code usher_viewers} ({@code V8__viewers.sql}, schema version 8), written by each
 * node at a bounded rate (at most one row write per viewer per flush interval).
 */
package dev.usher.core.viewer.jdbc;
