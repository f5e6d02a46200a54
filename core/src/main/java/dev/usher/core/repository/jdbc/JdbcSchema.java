package dev.usher.core.repository.jdbc;

import dev.usher.core.repository.RepositoryException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The tables of the JDBC repository: the scripts in the jar, one per version of
 * {@link #SCHEMA_VERSIONS} up to {@value #SCHEMA_VERSION}, each recorded in
 * {@code usher_schema_version} (version 2 adds two columns to the attempt log, in place over
 * version 1; version 4 the API answers and the attempts' pass fingerprints, in place over version
 * 2; version 5 numbers the tickets and adds their last use, in place over version 2; version 7 (6 is the live store's ingest leases)
 * indexes searches by video and by active, in place over version 5; version 9 adds the tickets'
 * {@code concurrent} rule, in place over version 7).
 *
 * <p>With {@link JdbcOptions#createSchema()} the scripts run on first use (every statement is
 * idempotent, so a version-1 database is brought up to date with its data); without it, first use
 * checks that the version table records every script.
 */
public final class JdbcSchema {

    private static final System.Logger LOG = System.getLogger(JdbcSchema.class.getName());

    /** The version of the schema the repository reads and writes. */
    public static final int SCHEMA_VERSION = 9;
    /** The first schema script in the jar (a class-path resource). */
    public static final String SCHEMA_RESOURCE = "/dev/usher/core/repository/jdbc/V1__schema.sql";
    /**
     * The versions of the scripts in the jar, in the order they run: a database is at version n
     * when the scripts up to n ran. Numbers may skip (version 3 belongs to the live stream users).
     */
    public static final List<Integer> SCHEMA_VERSIONS = List.of(1, 2, 4, 5, 7, 9);
    /** The schema scripts in the jar, one per {@link #SCHEMA_VERSIONS} entry, version 1 first. */
    public static final List<String> SCHEMA_RESOURCES = List.of(SCHEMA_RESOURCE,
            "/dev/usher/core/repository/jdbc/V2__attempt_log_limits.sql",
            "/dev/usher/core/repository/jdbc/V4__api_answers_attempt_pass.sql",
            "/dev/usher/core/repository/jdbc/V5__ticket_ids_last_use.sql",
            "/dev/usher/core/repository/jdbc/V7__video_index.sql",
            "/dev/usher/core/repository/jdbc/V9__ticket_concurrent.sql");
    private static final List<String> SCHEMA_DESCRIPTIONS = List.of("V1__schema.sql: tickets, playbacks, attempts",
            "V2__attempt_log_limits.sql: attempt counts, failed responses",
            "V4__api_answers_attempt_pass.sql: stored API answers, attempt pass fingerprints",
            "V5__ticket_ids_last_use.sql: ticket ids, last use",
            "V7__video_index.sql: searches by video and active served by indexes",
            "V9__ticket_concurrent.sql: tickets' concurrent viewer limits");

    private JdbcSchema() {
    }

    /**
     * Finds the database's dialect, runs the scripts when {@code create}, and checks that every
     * script's version is recorded.
     *
     * @throws RepositoryException when the schema is missing or incomplete (naming the scripts to run)
     * @throws SQLException        when the database fails (e.g. two nodes creating the schema at once)
     */
    static JdbcDialect check(Connection c, boolean create, int timeoutSeconds) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        JdbcDialect d = JdbcDialect.of(meta.getDatabaseProductName());
        if (d == JdbcDialect.OTHER) {
            LOG.log(System.Logger.Level.WARNING, "JDBC ticket repository: " + meta.getDatabaseProductName()
                    + " is not tested (PostgreSQL and H2 are); using standard SQL");
        }
        if (create) {
            create(c, timeoutSeconds);
        }
        // Every script's version must be recorded, not only the highest: versions may
        // arrive out of order (3 after 4 and 5), and a missing one is missing.
        Set<Integer> recorded = recordedVersions(c, timeoutSeconds);
        List<String> missing = scriptsMissing(recorded);
        if (!missing.isEmpty()) {
            boolean any = !recorded.isEmpty();
            throw new RepositoryException("JDBC ticket repository: the database has no Usher schema"
                    + (any ? " of version " + SCHEMA_VERSION + " (found " + new TreeSet<>(recorded) + ")" : "")
                    + "; " + (any ? "update" : "create") + " it with the scripts "
                    + String.join(", ", missing)
                    + " in usher-core.jar, in that order (see the README), or set usher.jdbc.create-schema=true");
        }
        int version = recorded.stream().mapToInt(Integer::intValue).max().orElse(0);
        if (version > SCHEMA_VERSION) {
            LOG.log(System.Logger.Level.WARNING, "JDBC ticket repository: the schema is of version " + version
                    + ", newer than this Usher's " + SCHEMA_VERSION);
        }
        return d;
    }

    /** @return the versions recorded in {@code usher_schema_version}; none when the table is missing */
    private static Set<Integer> recordedVersions(Connection c, int timeoutSeconds) throws SQLException {
        c.setAutoCommit(true);
        Set<Integer> out = new HashSet<>();
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(timeoutSeconds);
            try (ResultSet rs = s.executeQuery("SELECT version FROM usher_schema_version")) {
                while (rs.next()) {
                    out.add(rs.getInt(1));
                }
            }
        } catch (SQLException e) {
            String state = e.getSQLState();
            if ("42P01".equals(state) || "42S02".equals(state) || "42S04".equals(state) || "42102".equals(state)
                    || "42104".equals(state)) { // PostgreSQL, H2: no such table
                return out;
            }
            throw e;
        }
        return out;
    }

    /**
     * Runs the scripts unless every version is recorded already: a node starting next to busy ones
     * then takes no table lock (an ALTER TABLE, even one that changes nothing, waits for every
     * transaction on its table in PostgreSQL and can deadlock with them).
     */
    private static void create(Connection c, int timeoutSeconds) throws SQLException {
        if (recordedVersions(c, timeoutSeconds).containsAll(SCHEMA_VERSIONS)) {
            return;
        }
        c.setAutoCommit(false);
        int networkTimeout = networkTimeout(c);
        int ddlSeconds = Math.max(timeoutSeconds, 30);
        if (networkTimeout > 0 && networkTimeout < (ddlSeconds + 5) * 1000) {
            // The pool's socket timeout follows the query timeout; an index built on a big table may take longer.
            c.setNetworkTimeout(Runnable::run, (ddlSeconds + 5) * 1000);
        }
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(ddlSeconds);
            for (int i = 0; i < SCHEMA_VERSIONS.size(); i++) {
                int version = SCHEMA_VERSIONS.get(i);
                for (String statement : schemaStatements(SCHEMA_RESOURCES.get(i))) {
                    s.execute(statement);
                }
                boolean recorded;
                try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM usher_schema_version WHERE version = ?")) {
                    ps.setInt(1, version);
                    try (ResultSet rs = ps.executeQuery()) {
                        recorded = rs.next() && rs.getInt(1) > 0;
                    }
                }
                if (!recorded) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO usher_schema_version (version, description, installed) VALUES (?, ?, ?)")) {
                        ps.setInt(1, version);
                        ps.setString(2, SCHEMA_DESCRIPTIONS.get(i));
                        JdbcRows.setInstant(ps, 3, Instant.now());
                        ps.executeUpdate();
                    }
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            JdbcTransactions.rollbackQuietly(c);
            throw e;
        } finally {
            c.setAutoCommit(true);
            if (networkTimeout > 0) {
                c.setNetworkTimeout(Runnable::run, networkTimeout);
            }
        }
    }

    /** @return the connection's network (socket) timeout in milliseconds; 0 for none or when the driver does not tell */
    private static int networkTimeout(Connection c) {
        try {
            return c.getNetworkTimeout();
        } catch (SQLException | UnsupportedOperationException e) {
            return 0;
        }
    }

    /** @return the scripts whose versions a database has not recorded, in the order they run */
    private static List<String> scriptsMissing(Set<Integer> recorded) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < SCHEMA_VERSIONS.size(); i++) {
            if (!recorded.contains(SCHEMA_VERSIONS.get(i))) {
                out.add(SCHEMA_RESOURCES.get(i));
            }
        }
        return out;
    }

    /** @return the statements of every schema script, in order, comments dropped */
    public static List<String> schemaStatements() {
        List<String> out = new ArrayList<>();
        for (String resource : SCHEMA_RESOURCES) {
            out.addAll(schemaStatements(resource));
        }
        return out;
    }

    /** @return the statements of one schema script, comments dropped */
    public static List<String> schemaStatements(String resource) {
        String text;
        try (InputStream in = JdbcSchema.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the class path");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
        StringBuilder sql = new StringBuilder();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (!trimmed.startsWith("--")) {
                sql.append(line).append('\n');
            }
        }
        List<String> out = new ArrayList<>();
        for (String statement : sql.toString().split(";")) {
            if (!statement.isBlank()) {
                out.add(statement.strip());
            }
        }
        return out;
    }
}
