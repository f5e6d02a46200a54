package dev.usher.core.viewer.jdbc;

import dev.usher.core.repository.jdbc.JdbcSchema;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * The viewers' part of the schema: {@code V8__viewers.sql} (table {@code usher_viewers}),
 * idempotent, recorded as version {@value #VERSION} in {@code usher_schema_version} like the
 * ticket repository's versions and the live store's (3, 6). Created on the first connection when
 * asked to; retried on the next one when that failed (a database down at start).
 */
final class ViewerSchema {

    static final int VERSION = 8;
    static final String RESOURCE = "/dev/usher/core/repository/jdbc/V8__viewers.sql";
    /** The table of versions as V1__schema.sql makes it: here too, for a viewer store that starts first. */
    private static final String VERSION_TABLE = "CREATE TABLE IF NOT EXISTS usher_schema_version (version INTEGER PRIMARY KEY, "
            + "description VARCHAR(200) NOT NULL, installed TIMESTAMP WITH TIME ZONE NOT NULL)";

    private final DataSource dataSource;
    private final int timeoutSeconds;
    private volatile boolean pending;

    /** @param create run the script (once per instance) before the first connection is used */
    ViewerSchema(DataSource dataSource, boolean create, int timeoutSeconds) {
        this.dataSource = dataSource;
        this.timeoutSeconds = timeoutSeconds;
        this.pending = create;
    }

    /** @return a connection of the data source, the schema made first if it is still to be made */
    Connection connection() throws SQLException {
        Connection c = dataSource.getConnection();
        if (pending) {
            synchronized (this) {
                if (pending) {
                    try {
                        create(c);
                    } catch (SQLException | RuntimeException e) {
                        c.close();
                        throw e;
                    }
                    pending = false;
                }
            }
        }
        return c;
    }

    /** Runs the script and records its version, in one transaction; nothing when another node did it already. */
    private void create(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(Math.max(timeoutSeconds, 30)); // a first index on a big table may take longer than a query
            s.execute(VERSION_TABLE);
            if (!recorded(c)) {
                for (String statement : JdbcSchema.schemaStatements(RESOURCE)) {
                    s.execute(statement);
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO usher_schema_version (version, description, installed) VALUES (?, ?, ?)")) {
                    ps.setInt(1, VERSION);
                    ps.setString(2, RESOURCE.substring(RESOURCE.lastIndexOf('/') + 1));
                    ps.setObject(3, OffsetDateTime.now(ZoneOffset.UTC));
                    ps.executeUpdate();
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private boolean recorded(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM usher_schema_version WHERE version = ?")) {
            ps.setQueryTimeout(timeoutSeconds);
            ps.setInt(1, VERSION);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getInt(1) > 0;
            }
        }
    }
}
