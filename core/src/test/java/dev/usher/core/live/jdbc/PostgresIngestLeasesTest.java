package dev.usher.core.live.jdbc;

import dev.usher.core.live.stream.IngestLeases;
import dev.usher.core.live.stream.IngestLeasesContract;
import dev.usher.core.repository.jdbc.SimpleConnectionPool;
import dev.usher.testing.PostgresExtension;
import dev.usher.testing.PostgresServer;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** The ingest lease contract (two stores, two nodes, on one schema) on a real PostgreSQL server, a fresh schema per test. */
@ExtendWith(PostgresExtension.class)
class PostgresIngestLeasesTest extends IngestLeasesContract {

    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private SimpleConnectionPool ds;

    @Override
    protected IngestLeases newStore() throws Exception {
        PostgresServer server = PostgresExtension.server();
        String schema = "leases" + SCHEMAS.incrementAndGet();
        try (Connection c = DriverManager.getConnection(server.url("usher_test"), "postgres", null);
             Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        ds = new SimpleConnectionPool(server.url("usher_test") + "?currentSchema=" + schema, "postgres", null, 4,
                Duration.ofSeconds(10));
        return new JdbcIngestLeases(ds, true);
    }

    @Override
    protected IngestLeases sameDatabase() {
        return new JdbcIngestLeases(ds, true);
    }

    @Override
    protected void release() {
        ds.close();
    }
}
