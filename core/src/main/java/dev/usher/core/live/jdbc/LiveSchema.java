package dev.usher.core.live.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The live publishing part of the schema: {@code V3__live.sql} (stream users) and
 * {@code V6__live_leases.sql} (ingest leases), each idempotent, each recorded in
 * {@code usher_schema_version} like the ticket repository's own versions (1, 2, 4, 5, 7).
 */
final class LiveSchema {

    static final List<Integer> VERSIONS = List.of(3, 6);
    static final List<String> RESOURCES = List.of("/dev/usher/core/repository/jdbc/V3__live.sql",
            "/dev/usher/core/repository/jdbc/V6__live_leases.sql");
    /** The table of versions, as V1__schema.sql makes it: here too, for a live store that starts first. */
    private static final String VERSION_TABLE = "CREATE TABLE IF NOT EXISTS usher_schema_version (version INTEGER PRIMARY KEY, "
            + "description VARCHAR(200) NOT NULL, installed TIMESTAMP WITH TIME ZONE NOT NULL)";

    private LiveSchema() {
    }

    /** Connections of a data source, the schema created on the first when asked to (once per instance). */
    static final class Connections {
        private final javax.sql.DataSource dataSource;
        private final boolean createSchema;
        private volatile boolean ready;

        Connections(javax.sql.DataSource dataSource, boolean createSchema) {
            this.dataSource = dataSource;
            this.createSchema = createSchema;
        }

        Connection get() throws SQLException {
            Connection c = dataSource.getConnection();
            if (createSchema && !ready) {
                synchronized (this) {
                    if (!ready) {
                        try {
                            create(c);
                        } catch (SQLException | RuntimeException e) {
                            c.close();
                            throw e;
                        }
                        ready = true;
                    }
                }
            }
            return c;
        }
    }

    /** Runs the scripts and records their versions (where not recorded yet), in one transaction. */
    static void create(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute(VERSION_TABLE);
            for (int i = 0; i < VERSIONS.size(); i++) {
                for (String statement : statements(RESOURCES.get(i))) {
                    s.execute(statement);
                }
                boolean recorded;
                try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM usher_schema_version WHERE version = ?")) {
                    ps.setInt(1, VERSIONS.get(i));
                    try (ResultSet rs = ps.executeQuery()) {
                        recorded = rs.next() && rs.getInt(1) > 0;
                    }
                }
                if (!recorded) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO usher_schema_version (version, description, installed) VALUES (?, ?, ?)")) {
                        ps.setInt(1, VERSIONS.get(i));
                        ps.setString(2, RESOURCES.get(i).substring(RESOURCES.get(i).lastIndexOf('/') + 1));
                        ps.setObject(3, OffsetDateTime.now(ZoneOffset.UTC));
                        ps.executeUpdate();
                    }
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /** The statements of a script, read as the ticket repository reads its own (one parser of Usher's SQL scripts). */
    static List<String> statements(String resource) {
        return dev.usher.core.repository.jdbc.JdbcSchema.schemaStatements(resource);
    }
}
