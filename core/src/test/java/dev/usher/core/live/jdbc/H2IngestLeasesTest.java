package dev.usher.core.live.jdbc;

import dev.usher.core.live.stream.IngestLeases;
import dev.usher.core.live.stream.IngestLeasesContract;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The ingest lease contract on embedded H2, two stores (two nodes) on one fresh database per test. */
class H2IngestLeasesTest extends IngestLeasesContract {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private JdbcDataSource ds;

    @Override
    protected IngestLeases newStore() {
        ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:leases" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
        return new JdbcIngestLeases(ds, true);
    }

    @Override
    protected IngestLeases sameDatabase() {
        return new JdbcIngestLeases(ds, true);
    }

    @Override
    protected void release() throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        }
    }

    @Test
    void theLiveSchemaVersionsAreEachRecordedOnce() throws Exception {
        a.current("live", "cam", T); // creates the schema
        new JdbcStreamUserStore(ds, true).get("live", "cam"); // and again, through the stream users: nothing twice
        List<String> rows = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, description FROM usher_schema_version ORDER BY version")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + " " + rs.getString(2));
            }
        }
        assertEquals(List.of("3 V3__live.sql", "6 V6__live_leases.sql"), rows);
    }
}
