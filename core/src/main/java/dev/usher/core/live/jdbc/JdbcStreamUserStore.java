package dev.usher.core.live.jdbc;

import dev.usher.core.live.DvrSettings;
import dev.usher.core.live.RecordSettings;
import dev.usher.core.live.StreamUser;
import dev.usher.core.live.StreamUserStore;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Stream users in table {@code usher_stream_users}. {@link #put} runs in one transaction that locks
 * the account's rows first, so two nodes adding users for one account at once can't pass its limit.
 */
public final class JdbcStreamUserStore implements StreamUserStore {

    public static final String SCHEMA_RESOURCE = "/dev/usher/core/repository/jdbc/V3__live.sql";
    private static final String COLUMNS = "app, stream, cdn_id, username, password_hash, record, record_type, segment_type, "
            + "segment_value, save_folder, playlist_count, playlist_timeout, enable_dvr, ga_key, created";

    private final dev.usher.core.repository.jdbc.SchemaPart connections;

    /** @param createSchema run {@code V3__live.sql} and {@code V6__live_leases.sql} (idempotent) on first use, as the ticket repository does */
    public JdbcStreamUserStore(DataSource dataSource, boolean createSchema) {
        this.connections = LiveSchema.connections(dataSource, createSchema);
    }

    private Connection connection() throws SQLException {
        return connections.connection();
    }

    @Override
    public Optional<StreamUser> get(String app, String stream) {
        List<StreamUser> found = query("SELECT " + COLUMNS + " FROM usher_stream_users WHERE app = ? AND stream = ?", app, stream);
        return found.stream().findFirst();
    }

    @Override
    public boolean put(StreamUser user, int maxPerAccount) {
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement lock = c.prepareStatement("SELECT app FROM usher_stream_users WHERE cdn_id = ? FOR UPDATE")) {
                    lock.setLong(1, user.cdnId());
                    try (ResultSet rs = lock.executeQuery()) {
                        while (rs.next()) {
                            // rows locked
                        }
                    }
                }
                Long owner = null;
                try (PreparedStatement ps = c.prepareStatement("SELECT cdn_id FROM usher_stream_users WHERE app = ? AND stream = ?")) {
                    ps.setString(1, user.app());
                    ps.setString(2, user.stream());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            owner = rs.getLong(1);
                        }
                    }
                }
                if (owner == null || owner != user.cdnId()) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM usher_stream_users WHERE cdn_id = ?")) {
                        ps.setLong(1, user.cdnId());
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            if (rs.getLong(1) >= maxPerAccount) {
                                c.rollback();
                                return false;
                            }
                        }
                    }
                }
                try (PreparedStatement del = c.prepareStatement("DELETE FROM usher_stream_users WHERE app = ? AND stream = ?")) {
                    del.setString(1, user.app());
                    del.setString(2, user.stream());
                    del.executeUpdate();
                }
                try (PreparedStatement ins = c.prepareStatement("INSERT INTO usher_stream_users (" + COLUMNS
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ins.setString(1, user.app());
                    ins.setString(2, user.stream());
                    ins.setLong(3, user.cdnId());
                    nullable(ins, 4, user.user());
                    nullable(ins, 5, user.passwordHash());
                    ins.setBoolean(6, user.record().record());
                    ins.setString(7, user.record().recordType());
                    ins.setString(8, user.record().segmentType());
                    nullable(ins, 9, user.record().segmentValue());
                    nullable(ins, 10, user.record().saveFolder());
                    ins.setInt(11, user.dvr().playlistCount());
                    ins.setInt(12, (int) user.dvr().playlistTimeout().toSeconds());
                    ins.setBoolean(13, user.dvr().enabled());
                    ins.setString(14, user.gaKey());
                    ins.setObject(15, OffsetDateTime.ofInstant(user.created(), ZoneOffset.UTC));
                    ins.executeUpdate();
                }
                c.commit();
                return true;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("storing a stream user failed: " + e.getMessage(), e);
        }
    }

    private static void nullable(PreparedStatement ps, int i, String v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.VARCHAR);
        } else {
            ps.setString(i, v);
        }
    }

    @Override
    public boolean remove(long cdnId, String app, String stream) {
        try (Connection c = connection();
             PreparedStatement ps = c.prepareStatement("DELETE FROM usher_stream_users WHERE app = ? AND stream = ? AND cdn_id = ?")) {
            ps.setString(1, app);
            ps.setString(2, stream);
            ps.setLong(3, cdnId);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new IllegalStateException("removing a stream user failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<StreamUser> list(long cdnId, String app) {
        return app == null
                ? query("SELECT " + COLUMNS + " FROM usher_stream_users WHERE cdn_id = ? ORDER BY app, stream", cdnId)
                : query("SELECT " + COLUMNS + " FROM usher_stream_users WHERE cdn_id = ? AND app = ? ORDER BY app, stream", cdnId, app);
    }

    @Override
    public List<StreamUser> byUser(String user) {
        return query("SELECT " + COLUMNS + " FROM usher_stream_users WHERE username = ?", user);
    }

    private List<StreamUser> query(String sql, Object... args) {
        try (Connection c = connection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                if (args[i] instanceof Long l) {
                    ps.setLong(i + 1, l);
                } else {
                    ps.setString(i + 1, (String) args[i]);
                }
            }
            List<StreamUser> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new StreamUser(rs.getLong("cdn_id"), rs.getString("app"), rs.getString("stream"),
                            rs.getString("username"), rs.getString("password_hash"),
                            new RecordSettings(rs.getBoolean("record"), rs.getString("record_type"), rs.getString("segment_type"),
                                    rs.getString("segment_value"), rs.getString("save_folder")),
                            new DvrSettings(rs.getInt("playlist_count"), Duration.ofSeconds(rs.getInt("playlist_timeout")),
                                    rs.getBoolean("enable_dvr")),
                            rs.getString("ga_key"), rs.getObject("created", OffsetDateTime.class).toInstant()));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("reading stream users failed: " + e.getMessage(), e);
        }
    }
}
