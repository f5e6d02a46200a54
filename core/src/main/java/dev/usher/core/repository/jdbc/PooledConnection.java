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
        open();
        try {
            return raw.createStatement();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String a0) throws SQLException {
        open();
        try {
            return raw.prepareStatement(a0);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public CallableStatement prepareCall(String a0) throws SQLException {
        open();
        try {
            return raw.prepareCall(a0);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public String nativeSQL(String a0) throws SQLException {
        open();
        try {
            return raw.nativeSQL(a0);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void setAutoCommit(boolean a0) throws SQLException {
        open();
        try {
            raw.setAutoCommit(a0);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        open();
        try {
            return raw.getAutoCommit();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void commit() throws SQLException {
        open();
        try {
            raw.commit();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void rollback() throws SQLException {
        open();
        try {
            raw.rollback();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        open();
        try {
            return raw.getMetaData();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void setReadOnly(boolean a0) throws SQLException {
        open();
        try {
            raw.setReadOnly(a0);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        open();
        try {
            return raw.isReadOnly();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void setCatalog(String a0) throws SQLException {
        open();
        try {
            raw.setCatalog(a0);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public String getCatalog() throws SQLException {
        open();
        try {
            return raw.getCatalog();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void setTransactionIsolation(int a0) throws SQLException {
        open();
        try {
            raw.setTransactionIsolation(a0);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        open();
        try {
            return raw.getTransactionIsolation();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        open();
        try {
            return raw.getWarnings();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void clearWarnings() throws SQLException {
        open();
        try {
            raw.clearWarnings();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public Statement createStatement(int a0, int a1) throws SQLException {
        open();
        try {
            return raw.createStatement(a0, a1);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String a0, int a1, int a2) throws SQLException {
        open();
        try {
            return raw.prepareStatement(a0, a1, a2);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public CallableStatement prepareCall(String a0, int a1, int a2) throws SQLException {
        open();
        try {
            return raw.prepareCall(a0, a1, a2);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public Map<String, Class<?>> getTypeMap() throws SQLException {
        open();
        try {
            return raw.getTypeMap();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void setTypeMap(Map<String, Class<?>> a0) throws SQLException {
        open();
        try {
            raw.setTypeMap(a0);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void setHoldability(int a0) throws SQLException {
        open();
        try {
            raw.setHoldability(a0);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public int getHoldability() throws SQLException {
        open();
        try {
            return raw.getHoldability();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        open();
        try {
            return raw.setSavepoint();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public Savepoint setSavepoint(String a0) throws SQLException {
        open();
        try {
            return raw.setSavepoint(a0);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void rollback(Savepoint a0) throws SQLException {
        open();
        try {
            raw.rollback(a0);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void releaseSavepoint(Savepoint a0) throws SQLException {
        open();
        try {
            raw.releaseSavepoint(a0);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public Statement createStatement(int a0, int a1, int a2) throws SQLException {
        open();
        try {
            return raw.createStatement(a0, a1, a2);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String a0, int a1, int a2, int a3) throws SQLException {
        open();
        try {
            return raw.prepareStatement(a0, a1, a2, a3);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public CallableStatement prepareCall(String a0, int a1, int a2, int a3) throws SQLException {
        open();
        try {
            return raw.prepareCall(a0, a1, a2, a3);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String a0, int a1) throws SQLException {
        open();
        try {
            return raw.prepareStatement(a0, a1);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String a0, int[] a1) throws SQLException {
        open();
        try {
            return raw.prepareStatement(a0, a1);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public PreparedStatement prepareStatement(String a0, String[] a1) throws SQLException {
        open();
        try {
            return raw.prepareStatement(a0, a1);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public Clob createClob() throws SQLException {
        open();
        try {
            return raw.createClob();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public Blob createBlob() throws SQLException {
        open();
        try {
            return raw.createBlob();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public NClob createNClob() throws SQLException {
        open();
        try {
            return raw.createNClob();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public SQLXML createSQLXML() throws SQLException {
        open();
        try {
            return raw.createSQLXML();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public boolean isValid(int a0) throws SQLException {
        open();
        try {
            return raw.isValid(a0);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void setClientInfo(String a0, String a1) throws SQLClientInfoException {
        openForClientInfo();
        try {
            raw.setClientInfo(a0, a1);
        } catch (SQLClientInfoException e) {
            throw seen(e);
        }
    }

    @Override
    public void setClientInfo(Properties a0) throws SQLClientInfoException {
        openForClientInfo();
        try {
            raw.setClientInfo(a0);
        } catch (SQLClientInfoException e) {
            throw seen(e);
        }
    }

    @Override
    public String getClientInfo(String a0) throws SQLException {
        open();
        try {
            return raw.getClientInfo(a0);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public Properties getClientInfo() throws SQLException {
        open();
        try {
            return raw.getClientInfo();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public Array createArrayOf(String a0, Object[] a1) throws SQLException {
        open();
        try {
            return raw.createArrayOf(a0, a1);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public Struct createStruct(String a0, Object[] a1) throws SQLException {
        open();
        try {
            return raw.createStruct(a0, a1);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void setSchema(String a0) throws SQLException {
        open();
        try {
            raw.setSchema(a0);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public String getSchema() throws SQLException {
        open();
        try {
            return raw.getSchema();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void abort(Executor a0) throws SQLException {
        open();
        try {
            raw.abort(a0);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void setNetworkTimeout(Executor a0, int a1) throws SQLException {
        open();
        try {
            raw.setNetworkTimeout(a0, a1);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        open();
        try {
            return raw.getNetworkTimeout();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void beginRequest() throws SQLException {
        open();
        try {
            raw.beginRequest();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void endRequest() throws SQLException {
        open();
        try {
            raw.endRequest();
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public boolean setShardingKeyIfValid(ShardingKey a0, ShardingKey a1, int a2) throws SQLException {
        open();
        try {
            return raw.setShardingKeyIfValid(a0, a1, a2);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public boolean setShardingKeyIfValid(ShardingKey a0, int a1) throws SQLException {
        open();
        try {
            return raw.setShardingKeyIfValid(a0, a1);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void setShardingKey(ShardingKey a0, ShardingKey a1) throws SQLException {
        open();
        try {
            raw.setShardingKey(a0, a1);
        } catch (SQLException e) {
            throw seen(e);
        }
    }

    @Override
    public void setShardingKey(ShardingKey a0) throws SQLException {
        open();
        try {
            raw.setShardingKey(a0);
        } catch (SQLException e) {
            throw seen(e);
        }
    }
}
