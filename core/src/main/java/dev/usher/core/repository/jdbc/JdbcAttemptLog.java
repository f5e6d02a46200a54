package dev.usher.core.repository.jdbc;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.attempt.AttemptLog;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.Reason;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The attempt log in {@code usher_attempts}, kept by the rules of {@link AttemptLog} on every
 * insert, inside the caller's transaction: repeated refusals raise a row's count, and a ticket's
 * rows never exceed {@code maxAttemptsPerTicket}, refusals removed first.
 */
final class JdbcAttemptLog {

    private final JdbcTransactions tx;
    private final int maxAttempts;

    JdbcAttemptLog(JdbcTransactions tx, int maxAttempts) {
        this.tx = tx;
        this.maxAttempts = maxAttempts;
    }

    /**
     * Appends an attempt, inside the decision's transaction (the ticket's row is locked, so the
     * decisions of every node on this ticket take turns here).
     */
    void append(Connection c, Attempt a) throws SQLException {
        if (!a.success()) {
            // A repeat within the window raises the count of the row that absorbs it.
            try (PreparedStatement ps = tx.prepare(c, "UPDATE usher_attempts SET attempt_count = attempt_count"
                    + " + CASE WHEN attempt_count < 2147483647 THEN 1 ELSE 0 END WHERE id = ("
                    + "SELECT MAX(id) FROM usher_attempts WHERE ticket_key = ? AND attempted_at > ? AND reason = ?"
                    + " AND ip = ? AND failed_status = 0)")) {
                ps.setString(1, a.key());
                JdbcRows.setInstant(ps, 2, AttemptLog.windowStart(a.datetime()));
                ps.setString(3, a.reason().text());
                ps.setString(4, JdbcRows.ipText(a.ip()));
                if (ps.executeUpdate() > 0) {
                    return;
                }
            }
        }
        try (PreparedStatement ps = tx.prepare(c, "INSERT INTO usher_attempts (" + JdbcRows.ATTEMPT_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            JdbcRows.bindAttempt(ps, a);
            ps.executeUpdate();
        }
        int total;
        int grants;
        try (PreparedStatement ps = tx.prepare(c, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN reason = ? THEN 1 ELSE 0 END), 0)"
                + " FROM usher_attempts WHERE ticket_key = ?")) {
            ps.setString(1, Reason.SUCCESS.text());
            ps.setString(2, a.key());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                total = rs.getInt(1);
                grants = rs.getInt(2);
            }
        }
        if (total <= maxAttempts) {
            return;
        }
        AttemptLog.Eviction eviction = AttemptLog.evict(total - grants, grants, a.success(), maxAttempts);
        evictOldest(c, a.key(), false, eviction.refusals());
        evictOldest(c, a.key(), true, eviction.grants());
    }

    /** Deletes the {@code n} oldest grants (or refusals) of a ticket's log. */
    private void evictOldest(Connection c, String key, boolean grants, int n) throws SQLException {
        if (n <= 0) {
            return;
        }
        List<Long> ids = new ArrayList<>(n);
        try (PreparedStatement ps = tx.prepare(c, "SELECT id FROM usher_attempts WHERE ticket_key = ? AND reason "
                + (grants ? "=" : "<>") + " ? ORDER BY attempted_at ASC, id ASC LIMIT " + n)) {
            ps.setString(1, key);
            ps.setString(2, Reason.SUCCESS.text());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        try (PreparedStatement ps = tx.prepare(c, "DELETE FROM usher_attempts WHERE id = ?")) {
            for (Long id : ids) {
                ps.setLong(1, id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** @return the attempts of {@code key} at or after {@code since} (all when null), oldest first, at most {@code limit} newest */
    List<Attempt> read(Connection c, String key, Instant since, int limit) throws SQLException {
        int n = Math.min(limit, maxAttempts);
        String sql = "SELECT " + JdbcRows.ATTEMPT_SELECT + " FROM usher_attempts WHERE ticket_key = ?"
                + (since == null ? "" : " AND attempted_at >= ?") + " ORDER BY attempted_at DESC, id DESC LIMIT " + n;
        List<Attempt> found = new ArrayList<>();
        try (PreparedStatement ps = tx.prepare(c, sql)) {
            ps.setString(1, key);
            if (since != null) {
                JdbcRows.setInstant(ps, 2, since);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.add(JdbcRows.attemptOf(rs));
                }
            }
        }
        Collections.reverse(found);
        return found;
    }

    /**
     * Marks the attempt of a grant that was undone with the failed response's {@code status}: the
     * latest success at the grant's instant whose video the playback's scope holds (as the
     * in-memory store picks it).
     */
    void markNotServed(Connection c, Decision grant, int status) throws SQLException {
        String key = grant.ticket().key();
        Long attempt = null;
        try (PreparedStatement ps = tx.prepare(c, "SELECT id, app, video FROM usher_attempts WHERE ticket_key = ?"
                + " AND attempted_at = ? AND reason = ? AND failed_status = 0 ORDER BY id DESC")) {
            ps.setString(1, key);
            JdbcRows.setInstant(ps, 2, grant.opened().started());
            ps.setString(3, Reason.SUCCESS.text());
            try (ResultSet rs = ps.executeQuery()) {
                while (attempt == null && rs.next()) {
                    if (grant.opened().startedBy(rs.getString(2), rs.getString(3))) {
                        attempt = rs.getLong(1);
                    }
                }
            }
        }
        if (attempt != null) {
            try (PreparedStatement ps = tx.prepare(c, "UPDATE usher_attempts SET failed_status = ? WHERE id = ?")) {
                ps.setInt(1, status);
                ps.setLong(2, attempt);
                ps.executeUpdate();
            }
        }
    }

    /** Deletes the attempts older than {@code horizon}; the per-ticket cap is kept by every {@link #append}. */
    void purge(Connection c, Instant horizon) throws SQLException {
        try (PreparedStatement ps = tx.prepare(c, "DELETE FROM usher_attempts WHERE attempted_at < ?")) {
            JdbcRows.setInstant(ps, 1, horizon);
            ps.executeUpdate();
        }
    }
}
