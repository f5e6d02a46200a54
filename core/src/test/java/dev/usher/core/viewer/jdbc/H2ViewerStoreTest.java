package dev.usher.core.viewer.jdbc;

import org.h2.jdbcx.JdbcDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/** The viewer store contract and the shared table's tests on embedded H2, a fresh database per test. */
class H2ViewerStoreTest extends JdbcViewerStoreTests {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private JdbcDataSource h2;

    @Override
    protected DataSource freshDatabase() {
        h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:viewers" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
        return h2;
    }

    @Override
    protected void release() throws Exception {
        try (Connection c = h2.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        }
    }
}
