package dev.usher.core.live.jdbc;

import dev.usher.core.live.StreamUserStore;
import dev.usher.core.live.StreamUserStoreContract;
import dev.usher.core.repository.jdbc.SimpleConnectionPool;
import dev.usher.testing.PostgresExtension;
import dev.usher.testing.PostgresServer;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** The stream user contract on a real PostgreSQL server, a fresh schema per test. */
@ExtendWith(PostgresExtension.class)
class PostgresStreamUserStoreTest extends StreamUserStoreContract {

    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private SimpleConnectionPool ds;

    @Override
    protected StreamUserStore newStore() throws Exception {
        PostgresServer server = PostgresExtension.server();
        String url = server.schemaUrl("usher_test", "live" + SCHEMAS.incrementAndGet());
        ds = new SimpleConnectionPool(url, "postgres", null, 4,
                Duration.ofSeconds(10));
        return new JdbcStreamUserStore(ds, true);
    }

    @Override
    protected void release() {
        ds.close();
    }
}
