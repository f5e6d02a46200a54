/**
 * Stream users and ingest leases in a database shared by every node (PostgreSQL, H2), so that all
 * nodes agree on who may publish and which node ingests a stream; their tables are schema versions
 * 3 ({@code V3__live.sql}) and 6 ({@code V6__live_leases.sql}).
 *
 * <p>May use: the stream users of {@code dev.usher.core.live}, the lease SPI of
 * {@code dev.usher.core.live.stream}, the ticket repository's script reader and JDBC; never a
 * container API.
 */
package dev.usher.core.live.jdbc;
