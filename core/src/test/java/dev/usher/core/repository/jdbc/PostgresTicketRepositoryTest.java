package dev.usher.core.repository.jdbc;

import dev.usher.testing.PostgresExtension;
import dev.usher.testing.PostgresServer;
import org.junit.jupiter.api.extension.ExtendWith;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
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
        String schema = "t" + SCHEMAS.incrementAndGet();
        try (Connection c = DriverManager.getConnection(server.url("usher_test"), "postgres", null);
             Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        return new SimpleConnectionPool(server.url("usher_test") + "?currentSchema=" + schema, "postgres", null,
                40, Duration.ofSeconds(10));
    }

    @Override
    protected void release(DataSource dataSource) {
        ((SimpleConnectionPool) dataSource).close();
    }
}
