package dev.usher.core.repository.jdbc;

import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.ShardingKey;
import java.sql.Statement;
import java.sql.Struct;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

/**
 * A connection lent by {@link SimpleConnectionPool}: every call goes to the driver's connection;
 * {@link #close} hands it back to the pool once (later calls fail as on a closed connection), and
 * a connection-class failure (SQLState 08…) marks it broken, so that the pool does not lend it
 * again. A plain class rather than a {@link java.lang.reflect.Proxy}: the proxy made per loan
 * and the reflective call per method (an argument array, a {@code Method.invoke}) cost client
 * CPU on every statement of every decision.
 */
final class PooledConnection implements Connection {

    private final SimpleConnectionPool pool;
    private final Connection raw;
    private boolean returned;
    private boolean broken;

    PooledConnection(SimpleConnectionPool pool, Connection raw) {
        this.pool = pool;
        this.raw = raw;
    }

    @Override
    public void close() {
        if (!returned) {
            returned = true;
            pool.giveBack(raw, broken);
        }
    }

    @Override
    public boolean isClosed() throws SQLException {
        return returned || raw.isClosed();
    }

    private void open() throws SQLException {
        if (returned) {
            throw new SQLException("connection already closed", "08003");
        }
    }

    private void openForClientInfo() throws SQLClientInfoException {
        if (returned) {
            throw new SQLClientInfoException("connection already closed", "08003", Map.of());
        }
    }

    /** @return {@code e}, having marked the connection broken when it is of the connection class (08…) */
    private <E extends SQLException> E seen(E e) {
        if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
            broken = true;
        }
        return e;
    }

    /** A call on the driver's connection. */
    @FunctionalInterface
    private interface SqlCall<T> {
        T call() throws SQLException;
    }

    /** A call on the driver's connection that answers nothing. */
    @FunctionalInterface
    private interface SqlRun {
        void run() throws SQLException;
    }

    /** @return what {@code c} answers, on a connection not yet handed back; an 08… failure marks it broken */
    private <T> T call(SqlCall<T> c) throws SQLException {
        open();
        try {
            return c.call();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    /** Runs {@code r}, as {@link #call} does. */
    private void run(SqlRun r) throws SQLException {
        open();
        try {
            r.run();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        open();
        return raw.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        open();
        return raw.isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return raw.toString();
    }

    @Override
    public Statement createStatement() throws SQLException {
        return call(raw::createStatement);
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        return call(() -> raw.prepareStatement(sql));
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        return call(() -> raw.prepareCall(sql));
    }

    @Override
    public String nativeSQL(String sql) throws SQLException {
        return call(() -> raw.nativeSQL(sql));
    }

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        run(() -> raw.setAutoCommit(autoCommit));
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        return call(raw::getAutoCommit);
    }

    @Override
    public void commit() throws SQLException {
        run(raw::commit);
    }

    @Override
    public void rollback() throws SQLException {
        run(raw::rollback);
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        return call(raw::getMetaData);
    }

    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        run(() -> raw.setReadOnly(readOnly));
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        return call(raw::isReadOnly);
    }

    @Override
    public void setCatalog(String catalog) throws SQLException {
        run(() -> raw.setCatalog(catalog));
    }

    @Override
    public String getCatalog() throws SQLException {
        return call(raw::getCatalog);
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        run(() -> raw.setTransactionIsolation(level));
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        return call(raw::getTransactionIsolation);
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        return call(raw::getWarnings);
    }

    @Override
    public void clearWarnings() throws SQLException {
        run(raw::clearWarnings);
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        return call(() -> raw.createStatement(resultSetType, resultSetConcurrency));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        return call(() -> raw.prepareStatement(sql, resultSetType, resultSetConcurrency));
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        return call(() -> raw.prepareCall(sql, resultSetType, resultSetConcurrency));
    }

    @Override
    public Map<String, Class<?>> getTypeMap() throws SQLException {
        return call(raw::getTypeMap);
    }

    @Override
    public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
        run(() -> raw.setTypeMap(map));
    }

    @Override
    public void setHoldability(int holdability) throws SQLException {
        run(() -> raw.setHoldability(holdability));
    }

    @Override
    public int getHoldability() throws SQLException {
        return call(raw::getHoldability);
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        return call(raw::setSavepoint);
    }

    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        return call(() -> raw.setSavepoint(name));
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        run(() -> raw.rollback(savepoint));
    }

    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        run(() -> raw.releaseSavepoint(savepoint));
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
        return call(() -> raw.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
        return call(() -> raw.prepareStatement(sql, resultSetType, resultSetConcurrency, resultSetHoldability));
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
        return call(() -> raw.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        return call(() -> raw.prepareStatement(sql, autoGeneratedKeys));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        return call(() -> raw.prepareStatement(sql, columnIndexes));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        return call(() -> raw.prepareStatement(sql, columnNames));
    }

    @Override
    public Clob createClob() throws SQLException {
        return call(raw::createClob);
    }

    @Override
    public Blob createBlob() throws SQLException {
        return call(raw::createBlob);
    }

    @Override
    public NClob createNClob() throws SQLException {
        return call(raw::createNClob);
    }

    @Override
    public SQLXML createSQLXML() throws SQLException {
        return call(raw::createSQLXML);
    }

    @Override
    public boolean isValid(int seconds) throws SQLException {
        return call(() -> raw.isValid(seconds));
    }

    @Override
    public void setClientInfo(String name, String value) throws SQLClientInfoException {
        openForClientInfo();
        try {
            raw.setClientInfo(name, value);
        } catch (SQLClientInfoException e) {
            throw seen(e);
        }
    }

    @Override
    public void setClientInfo(Properties properties) throws SQLClientInfoException {
        openForClientInfo();
        try {
            raw.setClientInfo(properties);
        } catch (SQLClientInfoException e) {
            throw seen(e);
        }
    }

    @Override
    public String getClientInfo(String name) throws SQLException {
        return call(() -> raw.getClientInfo(name));
    }

    @Override
    public Properties getClientInfo() throws SQLException {
        return call(raw::getClientInfo);
    }

    @Override
    public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
        return call(() -> raw.createArrayOf(typeName, elements));
    }

    @Override
    public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
        return call(() -> raw.createStruct(typeName, attributes));
    }

    @Override
    public void setSchema(String schema) throws SQLException {
        run(() -> raw.setSchema(schema));
    }

    @Override
    public String getSchema() throws SQLException {
        return call(raw::getSchema);
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        run(() -> raw.abort(executor));
    }

    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        run(() -> raw.setNetworkTimeout(executor, milliseconds));
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        return call(raw::getNetworkTimeout);
    }

    @Override
    public void beginRequest() throws SQLException {
        run(raw::beginRequest);
    }

    @Override
    public void endRequest() throws SQLException {
        run(raw::endRequest);
    }

    @Override
    public boolean setShardingKeyIfValid(ShardingKey shardingKey, ShardingKey superShardingKey, int timeout) throws SQLException {
        return call(() -> raw.setShardingKeyIfValid(shardingKey, superShardingKey, timeout));
    }

    @Override
    public boolean setShardingKeyIfValid(ShardingKey shardingKey, int timeout) throws SQLException {
        return call(() -> raw.setShardingKeyIfValid(shardingKey, timeout));
    }

    @Override
    public void setShardingKey(ShardingKey shardingKey, ShardingKey superShardingKey) throws SQLException {
        run(() -> raw.setShardingKey(shardingKey, superShardingKey));
    }

    @Override
    public void setShardingKey(ShardingKey shardingKey) throws SQLException {
        run(() -> raw.setShardingKey(shardingKey));
    }
}
