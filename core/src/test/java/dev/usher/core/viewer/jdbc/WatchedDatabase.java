package dev.usher.core.viewer.jdbc;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real database seen through a window: counts the rows that statements on {@code usher_viewers}
 * write, and can be made to refuse every connection (a database down), to show what the store does
 * then. Everything else goes to the database as it is.
 */
final class WatchedDatabase {

    private final DataSource db;
    /** Rows inserted or updated in usher_viewers (as the database counted them). */
    final AtomicInteger rowsWritten = new AtomicInteger();
    /** Statements that wrote rows of usher_viewers (an INSERT or UPDATE of a batch each). */
    final AtomicInteger writeStatements = new AtomicInteger();
    volatile boolean down;
    /** Run once, just before the next INSERT of usher_viewers is prepared (another node's write, in between). */
    volatile Runnable beforeInsert;

    WatchedDatabase(DataSource db) {
        this.db = db;
    }

    /** @return the data source to give the store: the database's, its connections watched */
    DataSource dataSource() {
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{DataSource.class},
                (proxy, method, args) -> method.getName().equals("getConnection") && args == null
                        ? getConnection() : call(db, method, args));
    }

    Connection getConnection() throws SQLException {
        if (down) {
            throw new SQLTransientConnectionException("the database is down (test)", "08001");
        }
        Connection c = db.getConnection();
        return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{Connection.class},
                (proxy, method, args) -> {
                    Runnable before = beforeInsert;
                    if (before != null && method.getName().equals("prepareStatement")
                            && ((String) args[0]).startsWith("INSERT INTO usher_viewers")) {
                        beforeInsert = null;
                        before.run();
                    }
                    Object out = call(c, method, args);
                    if (method.getName().equals("prepareStatement") && args[0] instanceof String sql && writes(sql)) {
                        return watched((PreparedStatement) out);
                    }
                    return out;
                });
    }

    private static boolean writes(String sql) {
        return sql.startsWith("UPDATE usher_viewers") || sql.startsWith("INSERT INTO usher_viewers");
    }

    private PreparedStatement watched(PreparedStatement ps) {
        return (PreparedStatement) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[]{PreparedStatement.class},
                (proxy, method, args) -> {
                    Object out = call(ps, method, args);
                    if (method.getName().equals("executeBatch")) {
                        int[] counts = (int[]) out;
                        writeStatements.addAndGet(counts.length);
                        rowsWritten.addAndGet(Arrays.stream(counts).map(n -> Math.max(n, 0)).sum());
                    } else if (method.getName().equals("executeUpdate")) {
                        writeStatements.incrementAndGet();
                        rowsWritten.addAndGet((Integer) out);
                    }
                    return out;
                });
    }

    private static Object call(Object target, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** Rows written since the last call. */
    int takeRowsWritten() {
        return rowsWritten.getAndSet(0);
    }
}
