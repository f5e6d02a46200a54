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

    /** Inserts an attempt: {@link JdbcRows#bindAttempt} sets its parameters. */
    static final String INSERT = "INSERT INTO usher_attempts (" + JdbcRows.ATTEMPT_COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    /**
     * How many rows a ticket's log holds (its key the one parameter): counted on the index
     * {@code usher_attempts_ticket_time} alone, so at most the cap plus one index entries are read.
     */
    static final String COUNT = "SELECT COUNT(*) FROM usher_attempts WHERE ticket_key = ?";

    /**
     * On PostgreSQL, the lock every append to a ticket's log takes first and holds until its commit
     * (an advisory lock on the key's hash, in a class of Usher's own): appends of one ticket take
     * turns, whether their decision holds the ticket's row lock or was a refusal decided without it,
     * so the count each append trims by is exact. It is taken at the end of a decision, so a refusal
     * waits at most for a viewer's commit, never for its whole decision.
     */
    static final String SERIALIZE = "SELECT 0 FROM pg_advisory_xact_lock(21875, hashtext(?))";

    /**
     * On PostgreSQL, what {@link #trim} does after a grant's insert, as one statement in the same
     * statement list (after the log's turn, {@link #SERIALIZE}, so the counts are exact): the
     * ticket's rows are counted after the insert; while within the cap nothing else runs (the count
     * gates the whole statement as a one-time filter); beyond it, the excess is taken from the
     * oldest refusals while they are more than half the cap and from the oldest grants for the
     * rest, as {@link AttemptLog#evict} decides for an added grant. Parameters:
     * {@link #bindTrimAfterGrant}.
     */
    static final String TRIM_AFTER_GRANT = "WITH n AS (SELECT COUNT(*) AS total FROM usher_attempts WHERE ticket_key = ?),"
            + " e AS (SELECT n.total - ? AS excess, CASE WHEN n.total <= ? THEN 0 ELSE n.total"
            + " - (SELECT COUNT(*) FROM usher_attempts WHERE ticket_key = ? AND reason = ?) END AS refusals FROM n),"
            + " k AS (SELECT GREATEST(0, LEAST(excess, refusals - ?)) AS refusals, GREATEST(0, excess) AS excess FROM e)"
            + " DELETE FROM usher_attempts WHERE (SELECT total FROM n) > ? AND id IN ("
            + "(SELECT id FROM usher_attempts WHERE ticket_key = ? AND reason <> ? ORDER BY attempted_at ASC, id ASC"
            + " LIMIT (SELECT refusals FROM k))"
            + " UNION ALL (SELECT id FROM usher_attempts WHERE ticket_key = ? AND reason = ? ORDER BY attempted_at ASC, id ASC"
            + " LIMIT (SELECT excess - refusals FROM k)))";

    /** Sets the parameters of {@link #TRIM_AFTER_GRANT} from {@code first} on for the ticket {@code key}. @return the next parameter */
    int bindTrimAfterGrant(PreparedStatement ps, int first, String key) throws SQLException {
        String grant = Reason.SUCCESS.text();
        ps.setString(first, key);
        ps.setInt(first + 1, maxAttempts);
        ps.setInt(first + 2, maxAttempts);
        ps.setString(first + 3, key);
        ps.setString(first + 4, grant);
        ps.setInt(first + 5, maxAttempts / 2);
        ps.setInt(first + 6, maxAttempts);
        ps.setString(first + 7, key);
        ps.setString(first + 8, grant);
        ps.setString(first + 9, key);
        ps.setString(first + 10, grant);
        return first + 11;
    }

    /**
     * On PostgreSQL, the log's turns of several keys at once ({@link #SERIALIZE} each, its one
     * parameter an array of keys): taken in the order of their lock numbers, so that two batches
     * (on two nodes) never wait for each other in a cycle, whatever keys share a hash; a decision
     * under a row lock takes one turn only, last, so it never closes a cycle with a batch either.
     */
    static final String SERIALIZE_ALL = "SELECT 0 FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest(CAST(? AS text[])) AS k"
            + " ORDER BY 1) AS turns, LATERAL pg_advisory_xact_lock(21875, turns.h)";

    /**
     * Appends a batch of grants' attempts that changed nothing else ({@link AttemptGroupCommit}), on
     * PostgreSQL, as one statement list of a fixed text (so that the server plans it once per
     * connection, whatever the batch) ending with its {@code COMMIT}, one round trip (the
     * connection's own commit afterwards sends nothing): the turns of every key
     * ({@link #SERIALIZE_ALL}); every attempt, in the batch's order ({@link #INSERT_ALL}); the trim
     * of every key to the cap ({@link #TRIM_ALL}). Trimming once after k grants removes what k trims
     * after one grant each would: refusals while more than half the cap, then the oldest grants (a
     * log of the cap's newest entries either way). A key whose ticket was deleted since its
     * decision's read inserts nothing (the ticket's log went with it) rather than failing the batch.
     *
     * @param grants successes, each of a key its decision read
     */
    void appendGrants(Connection c, List<Attempt> grants) throws SQLException {
        try (PreparedStatement ps = tx.prepare(c, APPEND_GRANTS)) {
            bindGrants(c, ps, 1, grants);
            ps.execute();
            while (ps.getMoreResults() || ps.getUpdateCount() != -1) {
                // every result read, so that a failing statement of the list surfaces here
            }
        }
    }

    /**
     * Sets the parameters of {@link #APPEND_GRANTS} from {@code first} on, so that a decision batch
     * ({@link DecisionCombiner}) ends its own statement list with it. @return the next parameter
     */
    int bindGrants(Connection c, PreparedStatement ps, int first, List<Attempt> grants) throws SQLException {
        String[][] columns = new String[ATTEMPT_COLUMN_COUNT][grants.size()];
        java.util.Set<String> keys = new java.util.TreeSet<>();
        for (int row = 0; row < grants.size(); row++) {
            String[] texts = JdbcRows.attemptTexts(grants.get(row));
            for (int col = 0; col < ATTEMPT_COLUMN_COUNT; col++) {
                columns[col][row] = texts[col];
            }
            keys.add(grants.get(row).key());
        }
        java.sql.Array keyArray = c.createArrayOf("text", keys.toArray());
        ps.setArray(first, keyArray);
        for (int col = 0; col < ATTEMPT_COLUMN_COUNT; col++) {
            ps.setArray(first + 1 + col, c.createArrayOf("text", columns[col]));
        }
        int i = first + 1 + ATTEMPT_COLUMN_COUNT;
        ps.setArray(i, keyArray);
        ps.setInt(i + 1, maxAttempts);
        ps.setString(i + 2, Reason.SUCCESS.text());
        ps.setInt(i + 3, maxAttempts);
        ps.setInt(i + 4, maxAttempts / 2);
        ps.setString(i + 5, Reason.SUCCESS.text());
        ps.setString(i + 6, Reason.SUCCESS.text());
        return i + 7;
    }

    private static final int ATTEMPT_COLUMN_COUNT = 11;

    /**
     * The attempts of a batch, one array per column (the instant's as ISO texts), inserted in the
     * batch's order, each only while its ticket is there, holding its key (the share lock the
     * foreign key takes, which a decision's {@code FOR NO KEY UPDATE} does not block): a ticket
     * deleted meanwhile loses its attempt with its log instead of failing the batch.
     */
    static final String INSERT_ALL = "INSERT INTO usher_attempts (" + JdbcRows.ATTEMPT_COLUMNS + ")"
            + " SELECT v.k, v.at, v.ip, v.video, v.app, v.appinst, v.pageurl, v.refurl, v.reason, v.server, v.fp FROM unnest("
            + "CAST(? AS text[]), CAST(CAST(? AS text[]) AS timestamp with time zone[]), CAST(? AS text[]), CAST(? AS text[]),"
            + " CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),"
            + " CAST(? AS text[])) WITH ORDINALITY AS v(k, at, ip, video, app, appinst, pageurl, refurl, reason, server, fp, n)"
            + " WHERE EXISTS (SELECT 1 FROM usher_tickets t WHERE t.ticket_key = v.k FOR KEY SHARE) ORDER BY v.n";

    /**
     * {@link #TRIM_AFTER_GRANT} for every key of an array at once: per key its rows counted after
     * the inserts (under its turn); the grants counted only for a key beyond the cap; the excess
     * taken from the oldest refusals while they are more than half the cap and from the oldest
     * grants for the rest. Parameters: keys, cap, the grant's reason, cap, half the cap, the
     * grant's reason twice.
     */
    static final String TRIM_ALL = "WITH n AS (SELECT k.key, (SELECT COUNT(*) FROM usher_attempts a WHERE a.ticket_key = k.key)"
            + " AS total FROM unnest(CAST(? AS text[])) AS k(key)),"
            + " e AS (SELECT key, total - ? AS excess, total - (SELECT COUNT(*) FROM usher_attempts a WHERE a.ticket_key = n.key"
            + " AND a.reason = ?) AS refusals FROM n WHERE total > ?),"
            + " r AS (SELECT key, GREATEST(0, LEAST(excess, refusals - ?)) AS refusals, excess FROM e)"
            + " DELETE FROM usher_attempts WHERE id IN (SELECT d.id FROM r, LATERAL ("
            + "(SELECT id FROM usher_attempts a WHERE a.ticket_key = r.key AND a.reason <> ? ORDER BY attempted_at ASC, id ASC"
            + " LIMIT r.refusals) UNION ALL (SELECT id FROM usher_attempts a WHERE a.ticket_key = r.key AND a.reason = ?"
            + " ORDER BY attempted_at ASC, id ASC LIMIT r.excess - r.refusals)) AS d)";

    /** {@link #appendGrants}' statement list. */
    static final String APPEND_GRANTS = SERIALIZE_ALL + ";\n" + INSERT_ALL + ";\n" + TRIM_ALL + ";\nCOMMIT";

    /**
     * Appends an attempt, inside the decision's transaction, in turn with every other append to the
     * ticket's log on every node: on PostgreSQL through {@link #SERIALIZE}; elsewhere through the
     * ticket's row lock, which a refusal decided without it
     * ({@link dev.usher.core.repository.RepositoryRules#refusalBeforeLock}) takes here.
     *
     * @param ticketLocked whether the decision holds the ticket's row lock
     */
    void append(Connection c, Attempt a, boolean ticketLocked) throws SQLException {
        if (tx.ready() == JdbcDialect.POSTGRESQL) {
            try (PreparedStatement ps = tx.prepare(c, SERIALIZE)) {
                ps.setString(1, a.key());
                ps.executeQuery().close();
            }
        } else if (!ticketLocked) {
            try (PreparedStatement ps = tx.prepare(c, "SELECT uses FROM usher_tickets WHERE ticket_key = ? FOR UPDATE")) {
                ps.setString(1, a.key());
                ps.executeQuery().close();
            }
        }
        if (!a.success() && absorbed(c, a)) {
            return;
        }
        try (PreparedStatement ps = tx.prepare(c, INSERT)) {
            JdbcRows.bindAttempt(ps, 1, a);
            ps.executeUpdate();
        }
        int total;
        try (PreparedStatement ps = tx.prepare(c, COUNT)) {
            ps.setString(1, a.key());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                total = rs.getInt(1);
            }
        }
        trim(c, a.key(), a.success(), total);
    }

    /** @return whether a repeated refusal within the window raised the count of the row that absorbs it */
    private boolean absorbed(Connection c, Attempt a) throws SQLException {
        try (PreparedStatement ps = tx.prepare(c, "UPDATE usher_attempts SET attempt_count = attempt_count"
                + " + CASE WHEN attempt_count < 2147483647 THEN 1 ELSE 0 END WHERE id = ("
                + "SELECT MAX(id) FROM usher_attempts WHERE ticket_key = ? AND attempted_at > ? AND reason = ?"
                + " AND ip = ? AND failed_status = 0)")) {
            ps.setString(1, a.key());
            JdbcRows.setInstant(ps, 2, AttemptLog.windowStart(a.datetime()));
            ps.setString(3, a.reason().text());
            ps.setString(4, JdbcRows.ipText(a.ip()));
            return ps.executeUpdate() > 0;
        }
    }

    /**
     * Keeps the cap after an insert left {@code total} rows in the ticket's log ({@link #COUNT}):
     * nothing more is read while the log is within it.
     */
    void trim(Connection c, String key, boolean addedWasGrant, int total) throws SQLException {
        if (total <= maxAttempts) {
            return;
        }
        int grants;
        try (PreparedStatement ps = tx.prepare(c, "SELECT COUNT(*) FROM usher_attempts WHERE ticket_key = ? AND reason = ?")) {
            ps.setString(1, key);
            ps.setString(2, Reason.SUCCESS.text());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                grants = rs.getInt(1);
            }
        }
        AttemptLog.Eviction eviction = AttemptLog.evict(total - grants, grants, addedWasGrant, maxAttempts);
        evictOldest(c, key, false, eviction.refusals());
        evictOldest(c, key, true, eviction.grants());
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
