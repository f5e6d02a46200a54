package dev.usher.core.repository.jdbc;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.attempt.AttemptLog;
import dev.usher.core.config.ConfigReader;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.AdmissionRules;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.Playback;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.repository.ReplayLedger;
import dev.usher.core.repository.RepositoryException;
import dev.usher.core.repository.RepositoryRules;
import dev.usher.core.repository.TicketChange;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.repository.TicketRepository;
import dev.usher.core.ticket.Ticket;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * A {@link TicketRepository} in a relational database reached through a JDBC {@link DataSource}:
 * PostgreSQL (10 or later) or H2 (2.x), so that several Usher nodes share tickets, playbacks and
 * attempt logs and agree to the letter. This class holds the statements of the SPI; its schema is
 * {@link JdbcSchema}, its rows {@link JdbcRows}, its attempt log {@link JdbcAttemptLog}, how it runs
 * transactions {@link JdbcTransactions}, and its configuration {@link JdbcStoreConfig}.
 *
 * <p><b>Atomicity.</b> {@link #decide} is one transaction: it locks the ticket's row
 * ({@code SELECT … FOR UPDATE}), reads the ticket's open playbacks, runs the
 * {@link AdmissionRules} on them, writes back the ticket (uses, bound slots, first and last use) and
 * the playbacks only when the rules changed them, appends the attempt and commits. Every decision
 * on a ticket, on any node, waits for the row lock, so uses are never over-granted, {@code auto}
 * slots never over-bound, the playback window is shared, and a revocation committed by one node is
 * seen by the next decision of every node. At the default READ COMMITTED isolation the locked read
 * returns the newest committed row; at REPEATABLE READ or SERIALIZABLE a conflicting update
 * raises a serialization failure instead. Serialization failures and deadlocks (SQLState
 * {@code 40001}, {@code 40P01}) are retried a bounded number of times.
 *
 * <p><b>Failures.</b> Every statement has a query timeout (default 5 s). Any database failure,
 * timeout or missing schema surfaces as a {@link RepositoryException} naming the operation; in
 * {@code decide} that means no decision at all: the caller refuses the request.
 *
 * <p><b>The attempt log</b> follows {@link AttemptLog} on every insert, in the decision's
 * transaction: repeated refusals raise a row's count, and a ticket's rows never exceed
 * {@code maxAttemptsPerTicket}, refusals removed first.
 *
 * <p><b>Retention.</b> {@link #purge} removes tickets expired longer than the retention (with their
 * playbacks and attempts), older attempts and closed playbacks; {@link dev.usher.core.repository.ScheduledPurge}
 * runs it on a timer.
 */
public final class JdbcTicketRepository implements TicketRepository, ReplayLedger, AutoCloseable {

    /** The nodes that share this database share its ledger of signed API requests too. */
    @Override
    public java.util.Optional<ReplayLedger> sharedReplayLedger() {
        return java.util.Optional.of(this);
    }


    private static final System.Logger LOG = System.getLogger(JdbcTicketRepository.class.getName());

    private final JdbcTransactions tx;
    private final AutoCloseable ownedDataSource;
    private final RepositoryRules rules;
    private final JdbcAttemptLog attemptLog;

    public JdbcTicketRepository(DataSource dataSource, UsherSettings settings, JdbcOptions options) {
        this(dataSource, null, settings, options);
    }

    /** @param owned closed with this repository (the pool {@link JdbcStoreConfig} made), or null */
    JdbcTicketRepository(DataSource dataSource, AutoCloseable owned, UsherSettings settings, JdbcOptions options) {
        this.tx = new JdbcTransactions(dataSource, options);
        this.ownedDataSource = owned;
        this.rules = new RepositoryRules(settings);
        this.attemptLog = new JdbcAttemptLog(tx, rules.maxAttemptsPerTicket());
    }

    /** The repository the {@code usher.jdbc.*} keys describe: see {@link JdbcStoreConfig#repository}. */
    public static JdbcTicketRepository fromConfig(ConfigReader config, UsherSettings settings,
                                                  Function<String, DataSource> jndiLookup) {
        return JdbcStoreConfig.repository(config, settings, jndiLookup);
    }

    /** Closes the connection pool when this repository made it (from {@code usher.jdbc.url}). */
    @Override
    public void close() {
        if (ownedDataSource != null) {
            try {
                ownedDataSource.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "closing the JDBC pool failed", e);
            }
        }
    }

    /** @return the database, for other stores that share it (live stream users) */
    public DataSource dataSource() {
        return tx.dataSource();
    }

    /** @return the database's dialect, connecting (and creating the schema) if not done yet */
    public JdbcDialect dialect() {
        return tx.ready();
    }

    // ---------------------------------------------------------------- SPI

    @Override
    public boolean insert(Ticket ticket) {
        return add(ticket).isPresent();
    }

    /**
     * Inserts the row, then reads the id its identity column took (by the key, unique; with
     * auto-commit, since a refused insert would spoil a PostgreSQL transaction).
     */
    @Override
    public Optional<Ticket> add(Ticket ticket) {
        return Optional.ofNullable(tx.autocommit("insert ticket", c -> {
            try (PreparedStatement ps = tx.prepare(c, "INSERT INTO usher_tickets (" + JdbcRows.TICKET_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                JdbcRows.bindTicket(ps, ticket);
                ps.executeUpdate();
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) { // unique violation: the key exists
                    return null;
                }
                throw e;
            }
            try (PreparedStatement ps = tx.prepare(c, "SELECT id FROM usher_tickets WHERE ticket_key = ?")) {
                ps.setString(1, ticket.key());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw new SQLException("the ticket just inserted is not there", "02000");
                    }
                    return ticket.withId(rs.getLong(1));
                }
            }
        }));
    }

    /**
     * {@inheritDoc} The claim is the row's insert, committed before the effect: the primary key makes
     * it atomic across nodes, and a node that stops after its claim leaves the request answered
     * "retry" rather than carried out twice.
     */
    @Override
    public Claim claim(String requestId, Instant until) {
        return tx.autocommit("record an API request", c -> {
            try (PreparedStatement ps = tx.prepare(c, "INSERT INTO usher_api_requests (request_id, expires) VALUES (?, ?)")) {
                ps.setString(1, requestId);
                JdbcRows.setInstant(ps, 2, until);
                ps.executeUpdate();
                return Claim.FIRST;
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) { // unique violation: claimed before, on some node
                    return Claim.SEEN;
                }
                throw e;
            }
        });
    }

    @Override
    public void answer(String requestId, String answer) {
        String stored = answer == null || answer.length() > MAX_ANSWER ? TOO_LONG : answer;
        tx.autocommit("store an API answer", c -> {
            try (PreparedStatement ps = tx.prepare(c, "UPDATE usher_api_requests SET answer = ? WHERE request_id = ? AND answer IS NULL")) {
                ps.setString(1, stored);
                ps.setString(2, requestId);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Optional<String> answerOf(String requestId) {
        return Optional.ofNullable(tx.autocommit("read an API answer", c -> {
            try (PreparedStatement ps = tx.prepare(c, "SELECT answer FROM usher_api_requests WHERE request_id = ?")) {
                ps.setString(1, requestId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        }));
    }

    @Override
    public Optional<Ticket> find(String key) {
        if (!storable(key)) {
            return Optional.empty();
        }
        return Optional.ofNullable(tx.autocommit("find ticket", c -> selectTicket(c, key, null, false)));
    }

    @Override
    public Optional<Ticket> update(long cdnId, String key, TicketChange change) {
        if (!storable(key)) {
            return Optional.empty();
        }
        return Optional.ofNullable(tx.transaction("update ticket", c -> {
            Ticket t = selectTicket(c, key, cdnId, true);
            if (t == null) {
                return null;
            }
            t = change.applyTo(t);
            try (PreparedStatement ps = tx.prepare(c, "UPDATE usher_tickets SET active = ?, expires = ? WHERE ticket_key = ?")) {
                ps.setBoolean(1, t.active());
                JdbcRows.setInstant(ps, 2, t.expires());
                ps.setString(3, key);
                ps.executeUpdate();
            }
            return t;
        }));
    }

    @Override
    public boolean delete(long cdnId, String key) {
        if (!storable(key)) {
            return false;
        }
        return tx.transaction("delete ticket", c -> {
            try (PreparedStatement ps = tx.prepare(c, "DELETE FROM usher_tickets WHERE ticket_key = ? AND cdn_id = ?")) {
                ps.setString(1, key);
                ps.setLong(2, cdnId);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public List<Ticket> search(long cdnId, TicketQuery query) {
        StringBuilder sql = new StringBuilder("SELECT ").append(JdbcRows.TICKET_SELECT).append(" FROM usher_tickets WHERE cdn_id = ?");
        if (query.active() != null) {
            sql.append(" AND active = ?");
        }
        sql.append(" ORDER BY created DESC, ticket_key ASC");
        if (query.video() == null) {
            sql.append(" LIMIT ").append(query.limit());
        }
        return tx.transaction("search tickets", c -> {
            List<Ticket> found = new ArrayList<>();
            try (PreparedStatement ps = tx.prepare(c, sql.toString())) {
                ps.setFetchSize(500);
                ps.setLong(1, cdnId);
                if (query.active() != null) {
                    ps.setBoolean(2, query.active());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next() && found.size() < query.limit()) {
                        Ticket t = JdbcRows.ticketOf(rs);
                        if (query.accepts(t)) {
                            found.add(t);
                        }
                    }
                }
            }
            return found;
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws RepositoryException when the database fails or times out: nothing was decided
     */
    @Override
    public Decision decide(PlaybackRequest request, Instant decidedAt) {
        // Decided at the precision the database stores (microseconds), so that the playback and
        // attempt a grant returns are exactly the rows stored: release() finds them by their time.
        Instant now = decidedAt.truncatedTo(ChronoUnit.MICROS);
        if (!storable(request.key())) {
            return rules.unknownKey(request, now);
        }
        return tx.transaction("decide", c -> {
            Ticket ticket = selectTicket(c, request.key(), null, true);
            if (ticket == null) {
                return rules.unknownKey(request, now);
            }
            Map<Playback, Long> ids = new IdentityHashMap<>();
            List<Playback> before = selectPlaybacks(c, ticket.key(), ids);
            RepositoryRules.Decided decided = rules.decide(ticket, before, request, now);
            if (decided.ticketChanged(ticket)) {
                updateUse(c, decided.ticket());
            }
            if (decided.playbacksChanged(before)) {
                writePlaybacks(c, ticket.key(), before, decided.playbacks(), ids);
            }
            attemptLog.append(c, decided.attempt());
            return decided.decision();
        });
    }

    @Override
    public List<Attempt> attempts(String key, Instant since, int limit) {
        if (!storable(key) || limit < 1) {
            return List.of();
        }
        return tx.autocommit("read attempts", c -> attemptLog.read(c, key, since, limit));
    }

    @Override
    public int purge(Instant now) {
        Instant horizon = rules.purgeHorizon(now);
        return tx.autocommit("purge", c -> {
            int removed;
            try (PreparedStatement ps = tx.prepare(c, "DELETE FROM usher_tickets WHERE expires < ?")) {
                JdbcRows.setInstant(ps, 1, horizon);
                removed = ps.executeUpdate();
            }
            attemptLog.purge(c, horizon);
            try (PreparedStatement ps = tx.prepare(c, "DELETE FROM usher_api_requests WHERE expires < ?")) {
                JdbcRows.setInstant(ps, 1, now);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = tx.prepare(c, "DELETE FROM usher_playbacks WHERE last_seen <= ?")) {
                JdbcRows.setInstant(ps, 1, rules.openAfter(now));
                ps.executeUpdate();
            }
            return removed;
        });
    }

    @Override
    public boolean release(Decision grant, int status, Instant now) {
        if (grant == null || grant.opened() == null || grant.ticket() == null || !storable(grant.ticket().key())) {
            return false;
        }
        String key = grant.ticket().key();
        return tx.transaction("release a playback", c -> {
            Ticket ticket = selectTicket(c, key, null, true);
            if (ticket == null) {
                return false;
            }
            Map<Playback, Long> ids = new IdentityHashMap<>();
            List<Playback> before = selectPlaybacks(c, key, ids);
            AdmissionRules.Outcome undone = rules.admission().release(ticket, before, grant);
            if (undone == null) {
                return false;
            }
            updateUse(c, undone.ticket());
            writePlaybacks(c, key, before, undone.playbacks(), ids);
            attemptLog.markNotServed(c, grant, status);
            return true;
        });
    }

    // ---------------------------------------------------------------- tickets and playbacks

    /** @return whether {@code key} fits the key column: a longer one is no stored ticket's */
    private static boolean storable(String key) {
        return key != null && key.length() <= JdbcRows.KEY_MAX;
    }

    private Ticket selectTicket(Connection c, String key, Long cdnId, boolean lock) throws SQLException {
        String sql = "SELECT " + JdbcRows.TICKET_SELECT + " FROM usher_tickets WHERE ticket_key = ?"
                + (cdnId == null ? "" : " AND cdn_id = ?") + (lock ? " FOR UPDATE" : "");
        try (PreparedStatement ps = tx.prepare(c, sql)) {
            ps.setString(1, key);
            if (cdnId != null) {
                ps.setLong(2, cdnId);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? JdbcRows.ticketOf(rs) : null;
            }
        }
    }

    /** Writes what a use (or a use given back) changes on the ticket's row: uses, bindings, first and last use. */
    private void updateUse(Connection c, Ticket t) throws SQLException {
        try (PreparedStatement ps = tx.prepare(c,
                "UPDATE usher_tickets SET uses = ?, ip_bindings = ?, used_date = ?, last_used = ? WHERE ticket_key = ?")) {
            ps.setInt(1, t.uses());
            ps.setString(2, JdbcRows.bindingsText(t.ip()));
            JdbcRows.setInstant(ps, 3, t.usedDate());
            JdbcRows.setInstant(ps, 4, t.lastUsed());
            ps.setString(5, t.key());
            ps.executeUpdate();
        }
    }

    /** @return the ticket's stored playbacks, each with its row id in {@code ids} */
    private List<Playback> selectPlaybacks(Connection c, String key, Map<Playback, Long> ids) throws SQLException {
        try (PreparedStatement ps = tx.prepare(c,
                "SELECT " + JdbcRows.PLAYBACK_SELECT + " FROM usher_playbacks WHERE ticket_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                List<Playback> out = new ArrayList<>();
                while (rs.next()) {
                    Playback p = JdbcRows.playbackOf(rs, key);
                    ids.put(p, rs.getLong(1));
                    out.add(p);
                }
                return out.isEmpty() ? List.of() : out;
            }
        }
    }

    /**
     * Writes the difference between the playbacks read and those the rules returned: a continued
     * playback updates its row's {@code last_seen}; forgotten ones are deleted, new ones inserted.
     */
    private void writePlaybacks(Connection c, String key, List<Playback> before, List<Playback> after,
                                Map<Playback, Long> ids) throws SQLException {
        Map<Playback, Boolean> kept = new IdentityHashMap<>();
        for (Playback p : after) {
            kept.put(p, Boolean.TRUE);
        }
        List<Long> gone = new ArrayList<>();
        for (Playback p : before) {
            if (!kept.containsKey(p)) {
                gone.add(ids.get(p));
            }
        }
        List<Playback> added = new ArrayList<>();
        for (Playback p : after) {
            if (!ids.containsKey(p)) {
                added.add(p);
            }
        }
        // The usual case: one playback continued, i.e. one row gone and its successor added.
        if (gone.size() == 1 && added.size() == 1) {
            Playback was = findById(before, ids, gone.get(0));
            Playback now = added.get(0);
            if (was.scope().equals(now.scope()) && was.client().equals(now.client()) && was.started().equals(now.started())) {
                try (PreparedStatement ps = tx.prepare(c, "UPDATE usher_playbacks SET last_seen = ? WHERE id = ?")) {
                    JdbcRows.setInstant(ps, 1, now.lastSeen());
                    ps.setLong(2, gone.get(0));
                    if (ps.executeUpdate() == 1) {
                        return;
                    }
                    gone.clear(); // purged meanwhile: insert it again below
                }
            }
        }
        if (!gone.isEmpty()) {
            try (PreparedStatement ps = tx.prepare(c, "DELETE FROM usher_playbacks WHERE id = ?")) {
                for (Long id : gone) {
                    ps.setLong(1, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        if (!added.isEmpty()) {
            try (PreparedStatement ps = tx.prepare(c,
                    "INSERT INTO usher_playbacks (" + JdbcRows.PLAYBACK_COLUMNS + ") VALUES (?, ?, ?, ?, ?)")) {
                for (Playback p : added) {
                    JdbcRows.bindPlayback(ps, key, p);
                    if (added.size() == 1) {
                        ps.executeUpdate();
                    } else {
                        ps.addBatch();
                    }
                }
                if (added.size() > 1) {
                    ps.executeBatch();
                }
            }
        }
    }

    private static Playback findById(List<Playback> list, Map<Playback, Long> ids, long id) {
        for (Playback p : list) {
            if (ids.get(p) == id) {
                return p;
            }
        }
        throw new IllegalStateException("no playback " + id);
    }
}
