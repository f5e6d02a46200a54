package dev.usher.core.repository.jdbc;

import org.h2.jdbcx.JdbcDataSource;

import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/** The repository contract on embedded H2, a fresh in-memory database per test (no pool: H2 connects in microseconds). */
class H2TicketRepositoryTest extends JdbcRepositoryContract {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    @Override
    protected DataSource newDataSource() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:usher" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
        return ds;
    }

    @Override
    protected void release(DataSource dataSource) throws Exception {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        }
    }
}
