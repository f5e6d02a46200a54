package dev.usher.core.viewer.jdbc;

import dev.usher.core.repository.jdbc.SimpleConnectionPool;
import dev.usher.testing.PostgresExtension;
import dev.usher.testing.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Every statement of the viewer store, explained by PostgreSQL on a table of 200,000 viewers of
 * 20,000 tickets seen over two days: none may read the table whole (a {@code Seq Scan}), since the
 * counts are asked while the table holds the retention's rows.
 */
@ExtendWith(PostgresExtension.class)
class PostgresViewerQueryPlanTest {

    private static final long NOW = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
    private static final long CUTOFF = NOW - 30_000;

    @Test
    void noStatementReadsTheTableWhole() throws Exception {
        PostgresServer server = PostgresExtension.server();
        try (SimpleConnectionPool pool = new SimpleConnectionPool(server.schemaUrl("usher_test", "viewer_plans"),
                "postgres", null, 2, Duration.ofSeconds(30))) {
            JdbcViewerStore store = new JdbcViewerStore(pool, JdbcViewerStore.Options.of(true));
            store.flush(Instant.ofEpochMilli(NOW)); // the schema
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO usher_viewers SELECT 'p' || i, 't' || (i % 20000), 'vod', 'movie' || (i % 50), 'hls',"
                        + " i % 7 = 0, " + NOW + " - i * 1000 - 60000, " + NOW + " - i * 1000"
                        + " FROM generate_series(0, 199999) AS i");
                s.execute("ANALYZE usher_viewers");
                Map<String, List<Object>> statements = new LinkedHashMap<>();
                statements.put(JdbcViewerStore.TALLY, List.of(CUTOFF));
                statements.put(JdbcViewerStore.TICKET_ACTIVE, List.of("t7", CUTOFF));
                statements.put(JdbcViewerStore.TICKET_FIGURES, List.of(CUTOFF, "t7"));
                statements.put(JdbcViewerStore.UPDATE, List.of(NOW, NOW, "p123"));
                statements.put(JdbcViewerStore.PURGE_FIND, List.of(NOW - Duration.ofDays(1).toMillis()));
                statements.put(JdbcViewerStore.PURGE_DELETE, List.of("p123", NOW - Duration.ofDays(1).toMillis()));
                for (Map.Entry<String, List<Object>> e : statements.entrySet()) {
                    String plan = explain(c, e.getKey(), e.getValue());
                    assertFalse(plan.contains("Seq Scan on usher_viewers"), e.getKey() + "\n" + plan);
                }
            }
        }
    }

    private static String explain(Connection c, String sql, List<Object> params) throws Exception {
        StringBuilder plan = new StringBuilder();
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(i + 1, params.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append("  ").append(rs.getString(1)).append('\n');
                }
            }
        }
        return plan.toString();
    }
}
