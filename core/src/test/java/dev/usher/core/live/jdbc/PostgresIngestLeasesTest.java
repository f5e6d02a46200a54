package dev.usher.core.live.jdbc;

import dev.usher.core.live.stream.IngestLeases;
import dev.usher.core.live.stream.IngestLeasesContract;
import dev.usher.core.repository.jdbc.SimpleConnectionPool;
import dev.usher.testing.PostgresExtension;
import dev.usher.testing.PostgresServer;
import org.junit.jupiter.api.extension.ExtendWith;

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
        String url = server.schemaUrl("usher_test", "leases" + SCHEMAS.incrementAndGet());
        ds = new SimpleConnectionPool(url, "postgres", null, 4,
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
