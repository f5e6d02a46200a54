package dev.usher.core.live.jdbc;

import dev.usher.core.live.StreamUserStore;
import dev.usher.core.live.StreamUserStoreContract;
import org.h2.jdbcx.JdbcDataSource;

import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/** The stream user contract on embedded H2, a fresh database per test. */
class H2StreamUserStoreTest extends StreamUserStoreContract {

    private static final AtomicInteger DATABASES = new AtomicInteger();
    private JdbcDataSource ds;

    @Override
    protected StreamUserStore newStore() {
        ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:live" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
        new JdbcStreamUserStore(ds, true); // the script is idempotent: run it twice
        return new JdbcStreamUserStore(ds, true);
    }

    @Override
    protected void release() throws Exception {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        }
    }
}
