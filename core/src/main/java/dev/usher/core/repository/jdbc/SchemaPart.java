package dev.usher.core.repository.jdbc;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;

/**
 * A part of the schema that another store owns beside the ticket repository's (the live store's
 * versions 3 and 6, the viewers' 8): idempotent scripts, each recorded as its version in the shared
 * {@code usher_schema_version} table, created on the first connection when asked to, and tried
 * again on the next connection when that failed (a database down at start). One copy of this
 * logic for every such store.
 */
public final class SchemaPart {

    /** The table of versions, as V1__schema.sql makes it: here too, for a store that starts first. */
    private static final String VERSION_TABLE = "CREATE TABLE IF NOT EXISTS usher_schema_version (version INTEGER PRIMARY KEY, "
            + "description VARCHAR(200) NOT NULL, installed TIMESTAMP WITH TIME ZONE NOT NULL)";

    private final DataSource dataSource;
    private final List<Integer> versions;
    private final List<String> resources;
    private final int timeoutSeconds;
    private volatile boolean pending;

    /**
     * @param versions       the versions, one per script
     * @param resources      the scripts (class-path resources), in the same order
     * @param create         run the scripts not yet recorded before the first connection is used
     * @param timeoutSeconds the query timeout of the version check (0: none); the scripts get at least
     *                       30 s, as a first index on a big table may take longer than a query
     */
    public SchemaPart(DataSource dataSource, List<Integer> versions, List<String> resources, boolean create,
                      int timeoutSeconds) {
        if (versions.size() != resources.size()) {
            throw new IllegalArgumentException("one script per version");
        }
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.versions = List.copyOf(versions);
        this.resources = List.copyOf(resources);
        this.timeoutSeconds = timeoutSeconds;
        this.pending = create;
    }

    /** @return a connection of the data source, the schema made first if it is still to be made */
    public Connection connection() throws SQLException {
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

    /** Runs each script not recorded yet and records its version, in one transaction. */
    void create(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            if (timeoutSeconds > 0) {
                s.setQueryTimeout(Math.max(timeoutSeconds, 30));
            }
            s.execute(VERSION_TABLE);
            for (int i = 0; i < versions.size(); i++) {
                if (recorded(c, versions.get(i))) {
                    continue;
                }
                String resource = resources.get(i);
                for (String statement : JdbcSchema.schemaStatements(resource)) {
                    s.execute(statement);
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO usher_schema_version (version, description, installed) VALUES (?, ?, ?)")) {
                    ps.setInt(1, versions.get(i));
                    ps.setString(2, resource.substring(resource.lastIndexOf('/') + 1));
                    ps.setObject(3, OffsetDateTime.now(ZoneOffset.UTC));
                    ps.executeUpdate();
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

    private boolean recorded(Connection c, int version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM usher_schema_version WHERE version = ?")) {
            if (timeoutSeconds > 0) {
                ps.setQueryTimeout(timeoutSeconds);
            }
            ps.setInt(1, version);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getInt(1) > 0;
            }
        }
    }
}
