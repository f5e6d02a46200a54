package dev.usher.core.live.jdbc;

import dev.usher.core.live.stream.IngestLease;
import dev.usher.core.live.stream.IngestLeases;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Ingest leases in table {@code usher_ingest_leases} ({@code V6__live_leases.sql}), shared by
 * every node of the database. Each decision is one statement the database makes atomic: an
 * {@code UPDATE} that succeeds only where the row is this node's or has expired, else an
 * {@code INSERT} that the primary key lets only one node win; the loser reads the winner's row.
 * Expiry is compared with the caller's clock, so the nodes' clocks must agree to well within the
 * lease time (NTP does).
 */
public final class JdbcIngestLeases implements IngestLeases {

    private final dev.usher.core.repository.jdbc.SchemaPart connections;

    /** @param createSchema run the live schema scripts (idempotent) on first use */
    public JdbcIngestLeases(DataSource dataSource, boolean createSchema) {
        this.connections = LiveSchema.connections(dataSource, createSchema);
    }

    @Override
    public IngestLease acquire(String app, String stream, String node, String session, Instant now, Duration duration) {
        Instant expires = now.plus(duration);
        try (Connection c = connections.connection()) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE usher_ingest_leases SET node_id = ?, session_id = ?, expires = ?"
                    + " WHERE app = ? AND stream = ? AND (node_id = ? OR expires <= ?)")) {
                ps.setString(1, node);
                ps.setString(2, session);
                ps.setObject(3, utc(expires));
                ps.setString(4, app);
                ps.setString(5, stream);
                ps.setString(6, node);
                ps.setObject(7, utc(now));
                if (ps.executeUpdate() > 0) {
                    return new IngestLease(app, stream, node, session, expires);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO usher_ingest_leases (app, stream, node_id, session_id, expires) VALUES (?, ?, ?, ?, ?)")) {
                ps.setString(1, app);
                ps.setString(2, stream);
                ps.setString(3, node);
                ps.setString(4, session);
                ps.setObject(5, utc(expires));
                ps.executeUpdate();
                return new IngestLease(app, stream, node, session, expires);
            } catch (SQLException e) {
                if (e.getSQLState() == null || !e.getSQLState().startsWith("23")) {
                    throw e;
                }
                // Another node holds the row (or took it just now): its lease is the one in force.
            }
            return read(c, app, stream).orElseThrow(() -> new IllegalStateException("ingest lease of " + app + "/" + stream
                    + " neither taken nor held"));
        } catch (SQLException e) {
            throw new IllegalStateException("ingest lease failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void release(String app, String stream, String node) {
        try (Connection c = connections.connection(); PreparedStatement ps = c.prepareStatement(
                "DELETE FROM usher_ingest_leases WHERE app = ? AND stream = ? AND node_id = ?")) {
            ps.setString(1, app);
            ps.setString(2, stream);
            ps.setString(3, node);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("releasing an ingest lease failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<IngestLease> current(String app, String stream, Instant now) {
        try (Connection c = connections.connection()) {
            return read(c, app, stream).filter(l -> l.expires().isAfter(now));
        } catch (SQLException e) {
            throw new IllegalStateException("reading an ingest lease failed: " + e.getMessage(), e);
        }
    }

    private static Optional<IngestLease> read(Connection c, String app, String stream) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT node_id, session_id, expires FROM usher_ingest_leases WHERE app = ? AND stream = ?")) {
            ps.setString(1, app);
            ps.setString(2, stream);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new IngestLease(app, stream, rs.getString(1), rs.getString(2),
                        rs.getObject(3, OffsetDateTime.class).toInstant()));
            }
        }
    }

    private static OffsetDateTime utc(Instant i) {
        return OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
    }
}
