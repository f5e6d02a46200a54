package dev.usher.core.repository.jdbc;

import dev.usher.testing.PostgresExtension;
import dev.usher.testing.PostgresServer;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * The repository contract on a real PostgreSQL server, started for the run by
 * {@link PostgresExtension}; each test gets a fresh schema, reached through the pooled
 * {@link SimpleConnectionPool} as {@code usher.jdbc.url} would.
 */
@ExtendWith(PostgresExtension.class)
class PostgresTicketRepositoryTest extends JdbcRepositoryContract {

    private static final AtomicInteger SCHEMAS = new AtomicInteger();

    @Override
    protected DataSource newDataSource() throws Exception {
        PostgresServer server = PostgresExtension.server();
        String url = server.schemaUrl("usher_test", "t" + SCHEMAS.incrementAndGet());
        return new SimpleConnectionPool(url, "postgres", null,
                40, Duration.ofSeconds(10));
    }

    @Override
    protected void release(DataSource dataSource) {
        ((SimpleConnectionPool) dataSource).close();
    }
}
