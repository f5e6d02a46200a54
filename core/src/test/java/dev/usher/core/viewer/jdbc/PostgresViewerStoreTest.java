package dev.usher.core.viewer.jdbc;

import dev.usher.core.repository.jdbc.SimpleConnectionPool;
import dev.usher.testing.PostgresExtension;
import dev.usher.testing.PostgresServer;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** The viewer store contract and the shared table's tests on a real PostgreSQL server, a fresh schema per test. */
@ExtendWith(PostgresExtension.class)
class PostgresViewerStoreTest extends JdbcViewerStoreTests {

    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private SimpleConnectionPool pool;

    @Override
    protected DataSource freshDatabase() throws Exception {
        PostgresServer server = PostgresExtension.server();
        String url = server.schemaUrl("usher_test", "viewers" + SCHEMAS.incrementAndGet());
        pool = new SimpleConnectionPool(url, "postgres", null, 4,
                Duration.ofSeconds(10));
        return pool;
    }

    @Override
    protected void release() {
        pool.close();
    }
}
