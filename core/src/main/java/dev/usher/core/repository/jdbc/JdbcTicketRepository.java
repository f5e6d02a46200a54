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
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * A {@link TicketRepository} in a relational database reached through a JDBC {@link DataSource}:
 * PostgreSQL (10 or later) or H2 (2.x), so that several Usher nodes share tickets, playbacks and
 * attempt logs and agree to the letter. This class holds the statements of the SPI; its schema is
 * {@link JdbcSchema}, its rows {@link JdbcRows}, its attempt log {@link JdbcAttemptLog}, how it runs
 * transactions {@link JdbcTransactions}, and its configuration {@link JdbcStoreConfig}.
 *
 * <p><b>Atomicity.</b> {@link #decide} first reads the ticket without a lock: a wrong pass, a
 * revoked or expired ticket or another app is refused from that read
 * ({@link RepositoryRules#refusalBeforeLock}) and its attempt logged without the ticket's lock on
 * PostgreSQL (the log's appends take turns on an advisory lock instead, held only from the append to
 * the commit), so a flood of wrong passes never waits in line with real viewers' decisions; on other
 * databases the refusal's append takes the row lock. On PostgreSQL a decision that changes nothing
 * but its attempt (a continuing grant whose playback needs no refresh) is the read's decision, its
 * attempt committed by group commit before it returns ({@link #decideOnPostgres},
 * {@link AttemptGroupCommit}). Otherwise, in one transaction (on PostgreSQL shared by the locked
 * decisions of the ticket queued on this node, {@link DecisionCombiner}), it locks the ticket's row
 * ({@code SELECT … FOR UPDATE}; on PostgreSQL {@code FOR NO KEY UPDATE}, which the attempts'
 * foreign key does not wait for), reads the ticket's open playbacks, runs the
 * {@link AdmissionRules} on them, writes back the ticket (uses, bound slots, first and last use) and
 * the playbacks only when the rules changed them, appends the attempt and commits. Every locked
 * decision on a ticket, on any node, waits for the row lock, so uses are never over-granted,
 * {@code auto} slots never over-bound, the playback window is shared, and a revocation committed by
 * one node is seen by the next decision of every node. At the default READ COMMITTED isolation the
 * locked read returns the newest committed row; at REPEATABLE READ or SERIALIZABLE a conflicting
 * update raises a serialization failure instead. Serialization failures and deadlocks (SQLState
 * {@code 40001}, {@code 40P01}) are retried a bounded number of times. On PostgreSQL a locked grant
 * takes three round trips, its commit included, a continuing one one and a share of a batch's
 * ({@link #decideOnPostgres}).
 *
 * <p><b>Playback refresh.</b> A continued playback's {@code last_seen} is written once it has aged
 * by {@link #LAST_SEEN_STEP} (or a tenth of a shorter window), not on every request: a playback
 * closes between the window less that step and the window after its latest request.
 *
 * <p><b>Failures.</b> Every statement has a query timeout (default 5 s). Any database failure,
 * timeout or missing schema surfaces as a {@link RepositoryException} naming the operation; in
 * {@code decide} that means no decision at all: the caller refuses the request.
 *
 * <p><b>The attempt log</b> follows {@link AttemptLog} on every insert, in the decision's
 * transaction or (a continuing grant's, on PostgreSQL) in a batch committed before the decision
 * returns, one append (or one batch's appends) of a ticket at a time: repeated refusals raise a
 * row's count, and a ticket's rows never exceed {@code maxAttemptsPerTicket}, refusals removed first.
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

    /** The most a stored {@code last_seen} lags its playback's latest request ({@link #playbackWrites}). */
    public static final Duration LAST_SEEN_STEP = Duration.ofSeconds(1);

    private final JdbcTransactions tx;
    private final AutoCloseable ownedDataSource;
    private final RepositoryRules rules;
    private final JdbcAttemptLog attemptLog;
    /** How much a playback's latest request must be newer than its stored {@code last_seen} to be written: 1 s, or a tenth of a shorter window. */
    private final Duration lastSeenStep;
    private final Duration queryTimeout;
    /** On PostgreSQL, the shared commits of the attempts of decisions that change nothing else ({@link #decideOnPostgres}). */
    private final AttemptGroupCommit attemptBatches;
    /** On PostgreSQL, the locked decisions of one ticket, combined into one transaction per batch ({@link #decideCombined}). */
    private final DecisionCombiner combined;

    public JdbcTicketRepository(DataSource dataSource, UsherSettings settings, JdbcOptions options) {
        this(dataSource, null, settings, options);
    }

    /** @param owned closed with this repository (the pool {@link JdbcStoreConfig} made), or null */
    JdbcTicketRepository(DataSource dataSource, AutoCloseable owned, UsherSettings settings, JdbcOptions options) {
        this.tx = new JdbcTransactions(dataSource, options);
        this.queryTimeout = options.queryTimeout();
        this.ownedDataSource = owned;
        this.rules = new RepositoryRules(settings);
        this.attemptLog = new JdbcAttemptLog(tx, rules.maxAttemptsPerTicket());
        this.attemptBatches = new AttemptGroupCommit(
                batch -> tx.transaction("append attempts", c -> {
                    attemptLog.appendGrants(c, batch);
                    return null;
                }), options.queryTimeout());
        this.combined = new DecisionCombiner(this::decideCombined, options.queryTimeout());
        Duration tenth = settings.playbackWindow().dividedBy(10);
        this.lastSeenStep = tenth.compareTo(LAST_SEEN_STEP) < 0 ? tenth : LAST_SEEN_STEP;
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

    /** @return the timeout of every statement ({@code usher.jdbc.query-timeout}), for stores that share the database */
    public Duration queryTimeout() {
        return queryTimeout;
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
     * Inserts the row and, for a ticket of literal videos, its names for searches by video
     * ({@code usher_ticket_videos}), then reads the id its identity column took (by the key,
     * unique), in one transaction that a refused insert ends at once (a refused statement spoils a
     * PostgreSQL transaction).
     */
    @Override
    public Optional<Ticket> add(Ticket ticket) {
        Set<String> videos = JdbcRows.videoHashes(ticket.video());
        return Optional.ofNullable(tx.autocommit("insert ticket", c -> {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = tx.prepare(c, "INSERT INTO usher_tickets (" + JdbcRows.TICKET_COLUMNS
                        + ", video_literal) VALUES (" + "?, ".repeat(JdbcRows.TICKET_COLUMN_COUNT) + "?)")) {
                    ps.setBoolean(JdbcRows.bindTicket(ps, ticket), !videos.isEmpty());
                    ps.executeUpdate();
                } catch (SQLException e) {
                    if ("23505".equals(e.getSQLState())) { // unique violation: the key exists
                        c.rollback();
                        return null;
                    }
                    throw e;
                }
                if (!videos.isEmpty()) {
                    try (PreparedStatement ps = tx.prepare(c,
                            "INSERT INTO usher_ticket_videos (cdn_id, video_hash, ticket_key) VALUES (?, ?, ?)")) {
                        for (String hash : videos) {
                            ps.setLong(1, ticket.cdnId());
                            ps.setString(2, hash);
                            ps.setString(3, ticket.key());
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                }
                Ticket stored;
                try (PreparedStatement ps = tx.prepare(c, "SELECT id FROM usher_tickets WHERE ticket_key = ?")) {
                    ps.setString(1, ticket.key());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            throw new SQLException("the ticket just inserted is not there", "02000");
                        }
                        stored = ticket.withId(rs.getLong(1));
                    }
                }
                c.commit();
                return stored;
            } catch (SQLException | RuntimeException e) {
                JdbcTransactions.rollbackQuietly(c);
                throw e;
            } finally {
                c.setAutoCommit(true);
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

    /**
     * {@inheritDoc} One query per {@value TicketRepository#FIND_BATCH} keys: {@code ticket_key = ANY(?)}
     * with an array on PostgreSQL, an {@code IN} list elsewhere; both are served by the primary key.
     */
    @Override
    public Map<String, Ticket> findAll(Collection<String> keys) {
        List<String> wanted = new ArrayList<>(keys.size());
        for (String key : keys) {
            if (storable(key)) {
                wanted.add(key);
            }
        }
        Map<String, Ticket> out = new HashMap<>();
        if (wanted.isEmpty()) {
            return out;
        }
        boolean postgres = tx.ready() == JdbcDialect.POSTGRESQL;
        return tx.autocommit("find tickets", c -> {
            for (int from = 0; from < wanted.size(); from += FIND_BATCH) {
                List<String> batch = wanted.subList(from, Math.min(wanted.size(), from + FIND_BATCH));
                String sql = "SELECT " + JdbcRows.TICKET_SELECT + " FROM usher_tickets WHERE ticket_key "
                        + (postgres ? "= ANY(?)" : "IN (" + "?, ".repeat(batch.size() - 1) + "?)");
                try (PreparedStatement ps = tx.prepare(c, sql)) {
                    if (postgres) {
                        ps.setArray(1, c.createArrayOf("varchar", batch.toArray()));
                    } else {
                        for (int i = 0; i < batch.size(); i++) {
                            ps.setString(i + 1, batch.get(i));
                        }
                    }
                    ps.setFetchSize(FIND_BATCH);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Ticket t = JdbcRows.ticketOf(rs);
                            out.put(t.key(), t);
                        }
                    }
                }
            }
            return out;
        });
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

    /**
     * {@inheritDoc} Served by indexes: without a video, {@code (cdn_id, active, created)} or
     * {@code (cdn_id, created)} read only the rows returned; with a video, the tickets of literal
     * videos come from {@code usher_ticket_videos} by the name's hash, and only the tickets with a
     * {@code *} pattern (and those stored before schema version 7) are read and matched in Java.
     */
    @Override
    public List<Ticket> search(long cdnId, TicketQuery query) {
        String active = query.active() == null ? "" : " AND t.active = ?";
        String order = " ORDER BY t.created DESC, t.ticket_key ASC";
        if (query.video() == null) {
            return tx.autocommit("search tickets", c -> read(c, "SELECT " + JdbcRows.TICKET_SELECT_T
                    + " FROM usher_tickets t WHERE t.cdn_id = ?" + active + order + " LIMIT " + query.limit(),
                    cdnId, null, query));
        }
        return tx.autocommit("search tickets", c -> {
            List<Ticket> literal = read(c, "SELECT " + JdbcRows.TICKET_SELECT_T + " FROM usher_ticket_videos v"
                    + " JOIN usher_tickets t ON t.ticket_key = v.ticket_key WHERE v.cdn_id = ? AND v.video_hash = ?"
                    + active + order + " LIMIT " + query.limit(), cdnId, JdbcRows.videoHash(query.video()), query);
            List<Ticket> patterns = read(c, "SELECT " + JdbcRows.TICKET_SELECT_T
                    + " FROM usher_tickets t WHERE t.cdn_id = ? AND t.video_literal = ?" + active + order, cdnId, false, query);
            return newestFirst(literal, patterns, query.limit());
        });
    }

    /**
     * @param second the second parameter after the account (a video's hash, or false for the
     *               pattern tickets), or null for none
     * @return the rows that {@code query} accepts, in the order read, at most its limit
     */
    private List<Ticket> read(Connection c, String sql, long cdnId, Object second, TicketQuery query) throws SQLException {
        List<Ticket> found = new ArrayList<>();
        try (PreparedStatement ps = tx.prepare(c, sql)) {
            ps.setFetchSize(500);
            int i = 1;
            ps.setLong(i++, cdnId);
            if (second instanceof String s) {
                ps.setString(i++, s);
            } else if (second instanceof Boolean b) {
                ps.setBoolean(i++, b);
            }
            if (query.active() != null) {
                ps.setBoolean(i, query.active());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (found.size() < query.limit() && rs.next()) {
                    Ticket t = JdbcRows.ticketOf(rs);
                    if (query.accepts(t)) {
                        found.add(t);
                    }
                }
            }
        }
        return found;
    }

    /** Merges two lists each newest first (no ticket in both) into the {@code limit} newest. */
    private static List<Ticket> newestFirst(List<Ticket> a, List<Ticket> b, int limit) {
        List<Ticket> out = new ArrayList<>(Math.min(limit, a.size() + b.size()));
        int i = 0;
        int j = 0;
        while (out.size() < limit && (i < a.size() || j < b.size())) {
            boolean takeA = j >= b.size() || i < a.size() && newer(a.get(i), b.get(j));
            out.add(takeA ? a.get(i++) : b.get(j++));
        }
        return out;
    }

    private static boolean newer(Ticket x, Ticket y) {
        int byTime = x.created().compareTo(y.created());
        return byTime > 0 || byTime == 0 && x.key().compareTo(y.key()) < 0;
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
        if (tx.ready() == JdbcDialect.POSTGRESQL) {
            return decideOnPostgres(request, now);
        }
        return tx.transaction("decide", c -> decidePortably(c, request, now));
    }

    /**
     * A plain read of the ticket, the refusals it settles (without the lock), then the locked
     * read, the ticket's playbacks and the writes, one statement each.
     */
    private Decision decidePortably(Connection c, PlaybackRequest request, Instant now) throws SQLException {
        Decision settled = withoutLock(c, selectTicket(c, request.key(), null, false), request, now);
        if (settled != null) {
            return settled;
        }
        Ticket ticket = selectTicket(c, request.key(), null, true);
        if (ticket == null) {
            return rules.unknownKey(request, now);
        }
        Map<Playback, Long> ids = new IdentityHashMap<>();
        return decideLocked(c, ticket, selectPlaybacks(c, ticket.key(), ids), ids, request, now);
    }

    /**
     * @param read the ticket as read without a lock, or null when there is none
     * @return the decision that needs no lock (an unknown key, or {@link RepositoryRules#refusalBeforeLock}
     *         with its attempt appended), or null when the decision needs the lock
     */
    private Decision withoutLock(Connection c, Ticket read, PlaybackRequest request, Instant now) throws SQLException {
        if (read == null) {
            return rules.unknownKey(request, now);
        }
        RepositoryRules.Decided early = rules.refusalBeforeLock(read, request, now);
        if (early == null) {
            return null;
        }
        attemptLog.append(c, early.attempt(), false);
        return early.decision();
    }

    /**
     * The decision on PostgreSQL. First one plain read of the ticket with its playbacks
     * ({@link #READ_WITH_PLAYBACKS}, one statement: one snapshot, with auto-commit: one round
     * trip), on which the rules decide:
     * <ul>
     * <li>a refusal that needs no lock ({@link RepositoryRules#refusalBeforeLock}) appends its
     *     attempt under the log's turn, without the row lock, and commits;</li>
     * <li>a decision that changes nothing but its attempt (a grant continuing a playback whose
     *     {@code last_seen} has not aged by {@link #lastSeenStep}: no use, no binding, no playback
     *     row written), on a ticket without the concurrent rule (whose viewer count is asked
     *     once, under the lock, as before), is that read's decision: it is linearized at the
     *     read, which saw the newest committed row, and since it writes nothing another decision
     *     reads, no other decision depends on it: uses, slots and playbacks stay exact without the row lock. Its
     *     attempt is made durable by {@link AttemptGroupCommit} before the decision is returned
     *     (no connection held while it waits), so that the attempts of running playbacks share
     *     commits;</li>
     * <li>any other decision (a playback opened or refreshed, a slot bound, a refusal of the
     *     locked rules) takes the row lock ({@code FOR NO KEY UPDATE}), which reads back the
     *     row's version ({@code xmin}): while it is the version read, nobody changed the ticket in
     *     between, and since every change of a ticket's playbacks that matters (a playback opened,
     *     forgotten or released) changes its ticket too, the playbacks read stand; otherwise they
     *     are read again under the lock. The locked decisions of one ticket on this node are
     *     combined ({@link DecisionCombiner}, {@link #decideCombined}): they queue in the JVM
     *     without a connection, and one of them at a time locks the row once for up to
     *     {@link DecisionCombiner#MAX_BATCH} of them, decides them in arrival order (each on what
     *     the previous one left), and writes the ticket's final row, the playbacks' net change,
     *     every attempt, the log's trim and the commit in one statement list (a refusal under the
     *     lock appends its attempt apart, in the same transaction): three round trips and one
     *     commit per batch, on a hot ticket instead of per decision.</li>
     * </ul>
     *
     * <p>The lock is {@code FOR NO KEY UPDATE}: decisions on a ticket take turns as with
     * {@code FOR UPDATE}, but the key-share lock that an attempt's foreign key takes does not wait
     * for it, so refusals decided before the lock and batched attempts never wait for a real
     * viewer's decision.
     */
    private Decision decideOnPostgres(PlaybackRequest request, Instant now) {
        String key = request.key();
        Read read = tx.autocommit("decide", c -> readWithPlaybacks(c, key));
        if (read == null) {
            return rules.unknownKey(request, now);
        }
        RepositoryRules.Decided early = rules.refusalBeforeLock(read.ticket(), request, now);
        if (early != null) {
            return tx.transaction("decide", c -> {
                attemptLog.append(c, early.attempt(), false);
                return early.decision();
            });
        }
        // The rules are pure but for the count of other viewers (the concurrent rule), asked once per
        // decision and under the lock as before: a ticket with that rule is decided only there.
        RepositoryRules.Decided onRead = read.ticket().concurrent() > 0 ? null
                : rules.decide(read.ticket(), read.playbacks(), request, now);
        if (onRead != null && changesOnlyItsAttempt(read, onRead)) {
            attemptBatches.append(onRead.attempt());
            return onRead.decision();
        }
        // Every other decision takes the row lock: those of this ticket on this node line up and
        // share one lock, one transaction and one commit (decideCombined).
        return combined.decide(request, now, read, onRead);
    }

    /**
     * The locked decisions of one ticket queued in {@link DecisionCombiner}, in one transaction: the
     * row lock once ({@link #LOCK_WITH_VERSION}; the playbacks a queued decision read stand while
     * the row is of the version it read, else they are read again under the lock), then each
     * decision in arrival order by the rules, each on the ticket and playbacks the previous one
     * left (uses, bindings, playbacks; the concurrent rule's count asked under the lock as
     * before), then the combined writes: a refusal's attempt appended in its turn
     * ({@link JdbcAttemptLog#append}, as a locked refusal always was), and in one statement list
     * the ticket's final row once, the net change of its playbacks, every grant's attempt and the
     * log trimmed to its cap ({@link JdbcAttemptLog#APPEND_GRANTS}, as a batch of
     * continuing grants is; one grant as before, {@link #oneGrantsAttempt}), and the
     * {@code COMMIT}. One transaction: a failure stores none of the batch and fails every
     * decision in it. Every batch, on any node, holds the row lock from its
     * read to its commit, so uses stay exact across nodes as with one decision per lock.
     */
    private List<Decision> decideCombined(String key, List<DecisionCombiner.Queued> batch) {
        return tx.transaction("decide", c -> {
            Ticket ticket;
            List<Playback> before;
            Map<Playback, Long> ids;
            Read same = null; // a read of the version locked, whose playbacks stand
            try (PreparedStatement ps = tx.prepare(c, LOCK_WITH_VERSION)) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        List<Decision> unknown = new ArrayList<>(batch.size()); // deleted meanwhile
                        for (DecisionCombiner.Queued q : batch) {
                            unknown.add(rules.unknownKey(q.request(), q.now()));
                        }
                        return unknown;
                    }
                    String version = rs.getString(JdbcRows.TICKET_SELECT_WIDTH + 1);
                    for (int i = batch.size() - 1; i >= 0 && same == null; i--) {
                        Read r = (Read) batch.get(i).read();
                        if (r != null && version.equals(r.version())) {
                            same = r;
                        }
                    }
                    if (same != null) {
                        ticket = same.ticket();
                        before = same.playbacks();
                        ids = same.ids();
                    } else {
                        ticket = JdbcRows.ticketOf(rs);
                        ids = new IdentityHashMap<>();
                        before = null;
                    }
                }
            }
            if (before == null) {
                before = selectPlaybacks(c, key, ids);
            }
            List<Decision> decisions = new ArrayList<>(batch.size());
            List<Attempt> grants = new ArrayList<>(batch.size());
            Ticket current = ticket;
            List<Playback> playbacks = before;
            for (DecisionCombiner.Queued q : batch) {
                // The first decision made on the read of the version locked stands (same ticket,
                // playbacks, request and instant): the rules are not run twice.
                RepositoryRules.Decided decided = decisions.isEmpty() && q.decidedOnRead() != null
                        && same == q.read() ? q.decidedOnRead() : rules.decide(current, playbacks, q.request(), q.now());
                decisions.add(decided.decision());
                if (decided.decision().granted()) {
                    current = decided.ticket();
                    playbacks = decided.playbacks();
                    grants.add(decided.attempt());
                } else {
                    attemptLog.append(c, decided.attempt(), true); // a refusal changes nothing else
                }
            }
            if (!grants.isEmpty()) {
                List<Write> writes = new ArrayList<>();
                if (current != ticket) { // the rules return the same ticket when they changed nothing
                    writes.add(useWrite(current));
                }
                if (playbacks != before) {
                    playbackWrites(key, before, playbacks, ids, writes, true);
                }
                if (grants.size() == 1) {
                    oneGrantsAttempt(grants.get(0), writes);
                } else {
                    writes.add(new Write(JdbcAttemptLog.APPEND_GRANTS, (ps, i) -> attemptLog.bindGrants(c, ps, i, grants), null));
                }
                runTogether(c, writes);
            }
            return decisions;
        });
    }

    /**
     * The statements of a batch of one grant (the usual batch of a ticket that is not hot): the log's turn
     * ({@link JdbcAttemptLog#SERIALIZE}), the attempt, the log's trim to its cap
     * ({@link JdbcAttemptLog#TRIM_AFTER_GRANT}, which counts after the insert under that turn) and {@code COMMIT}, as
     * before batches: plain parameters, so that a ticket that is not hot writes what it wrote
     * before, without {@link JdbcAttemptLog#APPEND_GRANTS}' arrays (one per column, typed by the
     * server) for a single row.
     */
    private void oneGrantsAttempt(Attempt attempt, List<Write> writes) {
        writes.add(new Write(JdbcAttemptLog.SERIALIZE, (ps, i) -> {
            ps.setString(i, attempt.key());
            return i + 1;
        }, null));
        writes.add(new Write(JdbcAttemptLog.INSERT, (ps, i) -> JdbcRows.bindAttempt(ps, i, attempt), null));
        writes.add(new Write(JdbcAttemptLog.TRIM_AFTER_GRANT, (ps, i) -> attemptLog.bindTrimAfterGrant(ps, i, attempt.key()), null));
        writes.add(new Write("COMMIT", (ps, i) -> i, null));
    }

    /**
     * @return whether {@code decided}, made on {@code read}, stores nothing but its attempt: a grant
     *         that leaves the ticket as read (no use, no binding) and whose playback writes
     *         ({@link #playbackWrites}) are none (a continued playback not yet aged)
     */
    private boolean changesOnlyItsAttempt(Read read, RepositoryRules.Decided decided) {
        if (!decided.decision().granted() || decided.decision().newPlayback() || decided.ticketChanged(read.ticket())) {
            return false;
        }
        if (!decided.playbacksChanged(read.playbacks())) {
            return true;
        }
        List<Write> writes = new ArrayList<>(1);
        playbackWrites(read.ticket().key(), read.playbacks(), decided.playbacks(), read.ids(), writes, true);
        return writes.isEmpty();
    }

    /** A ticket with its playbacks (their row ids in {@code ids}) and the row's version ({@code xmin}). */
    private record Read(Ticket ticket, String version, List<Playback> playbacks, Map<Playback, Long> ids) {
    }

    /** @return the ticket, its version and playbacks, read without a lock in one statement; null when there is none */
    private Read readWithPlaybacks(Connection c, String key) throws SQLException {
        Ticket ticket = null;
        String version = null;
        Map<Playback, Long> ids = new IdentityHashMap<>();
        List<Playback> playbacks = new ArrayList<>();
        try (PreparedStatement ps = tx.prepare(c, READ_WITH_PLAYBACKS)) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (ticket == null) {
                        ticket = JdbcRows.ticketOf(rs);
                        version = rs.getString(JdbcRows.TICKET_SELECT_WIDTH + 1);
                    }
                    long id = rs.getLong(JdbcRows.TICKET_SELECT_WIDTH + 2);
                    if (!rs.wasNull()) {
                        Playback p = JdbcRows.playbackOf(rs, JdbcRows.TICKET_SELECT_WIDTH + 2, key);
                        ids.put(p, id);
                        playbacks.add(p);
                    }
                }
            }
        }
        return ticket == null ? null : new Read(ticket, version, playbacks.isEmpty() ? List.of() : playbacks, ids);
    }

    /**
     * The ticket and its playbacks as read in {@link #decideOnPostgres}: the ticket's columns (1 to
     * {@link JdbcRows#TICKET_SELECT_WIDTH}), then the row's version, then a playback's 5 columns.
     */
    private static final String READ_WITH_PLAYBACKS = "SELECT " + JdbcRows.TICKET_SELECT_T
            + ", t.xmin::text, p." + JdbcRows.PLAYBACK_SELECT.replace(", ", ", p.")
            + " FROM usher_tickets t LEFT JOIN usher_playbacks p ON p.ticket_key = t.ticket_key WHERE t.ticket_key = ?";
    /** The locked read of {@link #decideOnPostgres}: the ticket's columns, then the row's version. */
    private static final String LOCK_WITH_VERSION = "SELECT " + JdbcRows.TICKET_SELECT
            + ", xmin::text FROM usher_tickets WHERE ticket_key = ? FOR NO KEY UPDATE";

    /**
     * Decides under the ticket's lock and stores the outcome (on databases other than PostgreSQL,
     * whose locked decisions are combined, {@link #decideCombined}): a refusal only appends its
     * attempt; a grant writes the ticket and playbacks it changed and its attempt, one statement
     * each, then keeps the log's cap.
     */
    private Decision decideLocked(Connection c, Ticket ticket, List<Playback> before, Map<Playback, Long> ids,
                                  PlaybackRequest request, Instant now) throws SQLException {
        RepositoryRules.Decided decided = rules.decide(ticket, before, request, now);
        if (!decided.decision().granted()) {
            attemptLog.append(c, decided.attempt(), true); // a refusal changes nothing else
            return decided.decision();
        }
        List<Write> writes = new ArrayList<>();
        if (decided.ticketChanged(ticket)) {
            writes.add(useWrite(decided.ticket()));
        }
        if (decided.playbacksChanged(before)) {
            playbackWrites(ticket.key(), before, decided.playbacks(), ids, writes, false);
        }
        Attempt attempt = decided.attempt();
        writes.add(new Write(JdbcAttemptLog.INSERT, (ps, i) -> JdbcRows.bindAttempt(ps, i, attempt), null));
        writes.add(new Write(JdbcAttemptLog.COUNT, (ps, i) -> {
            ps.setString(i, attempt.key());
            return i + 1;
        }, null));
        Object[] results = runEach(c, writes);
        reinsertVanished(c, ticket.key(), writes, results);
        attemptLog.trim(c, ticket.key(), true, ((Number) results[results.length - 1]).intValue());
        return decided.decision();
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
            List<Write> writes = new ArrayList<>();
            writes.add(useWrite(undone.ticket()));
            playbackWrites(key, before, undone.playbacks(), ids, writes, false);
            reinsertVanished(c, key, writes, runEach(c, writes));
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

    /**
     * One statement of a decision's writes: its SQL, how its parameters are set from a given index
     * on, and for a playback's refresh the playback to insert again when its row vanished (purged
     * between the read and the write).
     */
    private record Write(String sql, Binder binder, Playback reinsert) {
    }

    @FunctionalInterface
    private interface Binder {
        /** @return the index of the next parameter */
        int bind(PreparedStatement ps, int first) throws SQLException;
    }

    /** What a use (or a use given back) changes on the ticket's row: uses, bindings, first and last use. */
    private static Write useWrite(Ticket t) {
        return new Write("UPDATE usher_tickets SET uses = ?, ip_bindings = ?, used_date = ?, last_used = ? WHERE ticket_key = ?",
                (ps, i) -> {
                    ps.setInt(i, t.uses());
                    ps.setString(i + 1, JdbcRows.bindingsText(t.ip()));
                    JdbcRows.setInstant(ps, i + 2, t.usedDate());
                    JdbcRows.setInstant(ps, i + 3, t.lastUsed());
                    ps.setString(i + 4, t.key());
                    return i + 5;
                }, null);
    }

    /** @return per write its update count, or for a query the first column of its row (null when none); one statement each */
    private Object[] runEach(Connection c, List<Write> writes) throws SQLException {
        Object[] out = new Object[writes.size()];
        for (int w = 0; w < writes.size(); w++) {
            Write write = writes.get(w);
            try (PreparedStatement ps = tx.prepare(c, write.sql())) {
                write.binder().bind(ps, 1);
                out[w] = ps.execute() ? firstColumn(ps) : ps.getUpdateCount();
            }
        }
        return out;
    }

    /** As {@link #runEach}, in one statement list: one round trip (PostgreSQL's driver sends them together). */
    private Object[] runTogether(Connection c, List<Write> writes) throws SQLException {
        if (writes.size() == 1) {
            return runEach(c, writes);
        }
        StringBuilder sql = new StringBuilder();
        for (Write w : writes) {
            sql.append(sql.length() == 0 ? "" : ";\n").append(w.sql());
        }
        Object[] out = new Object[writes.size()];
        try (PreparedStatement ps = tx.prepare(c, sql.toString())) {
            int next = 1;
            for (Write w : writes) {
                next = w.binder().bind(ps, next);
            }
            boolean query = ps.execute();
            for (int w = 0; w < out.length; w++) {
                out[w] = query ? firstColumn(ps) : ps.getUpdateCount();
                query = ps.getMoreResults();
            }
        }
        return out;
    }

    private static Object firstColumn(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.getResultSet()) {
            return rs.next() ? rs.getObject(1) : null;
        }
    }

    /** Inserts again the playbacks whose refresh found no row (purged meanwhile). */
    private void reinsertVanished(Connection c, String key, List<Write> writes, Object[] results) throws SQLException {
        List<Write> again = new ArrayList<>();
        for (int w = 0; w < writes.size(); w++) {
            Playback p = writes.get(w).reinsert();
            if (p != null && Integer.valueOf(0).equals(results[w])) {
                again.add(insertWrite(key, p));
            }
        }
        if (!again.isEmpty()) {
            runEach(c, again);
        }
    }

    private static Write insertWrite(String key, Playback p) {
        return new Write("INSERT INTO usher_playbacks (" + JdbcRows.PLAYBACK_COLUMNS + ") VALUES (?, ?, ?, ?, ?)",
                (ps, i) -> JdbcRows.bindPlayback(ps, i, key, p), null);
    }

    /** @return the ticket's stored playbacks, each with its row id in {@code ids} */
    private List<Playback> selectPlaybacks(Connection c, String key, Map<Playback, Long> ids) throws SQLException {
        try (PreparedStatement ps = tx.prepare(c,
                "SELECT " + JdbcRows.PLAYBACK_SELECT + " FROM usher_playbacks WHERE ticket_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                List<Playback> out = new ArrayList<>();
                while (rs.next()) {
                    Playback p = JdbcRows.playbackOf(rs, 1, key);
                    ids.put(p, rs.getLong(1));
                    out.add(p);
                }
                return out.isEmpty() ? List.of() : out;
            }
        }
    }

    /**
     * Adds to {@code writes} the difference between the playbacks read and those the rules
     * returned: forgotten ones are deleted, new ones inserted, and a continued playback updates its
     * row's {@code last_seen} once it has aged by {@link #lastSeenStep} — not on every request, so
     * that the requests of a running playback mostly write nothing but their attempt. The stored
     * {@code last_seen} is therefore up to that step older than the playback's latest request, and
     * a playback closes between {@code window - step} and {@code window} after its latest request.
     * A refresh whose row the purge removed meanwhile inserts it again: with {@code inOneStatement}
     * (PostgreSQL) in the refresh's own statement ({@link #REFRESH_OR_INSERT}), otherwise
     * afterwards ({@link #reinsertVanished}).
     */
    private void playbackWrites(String key, List<Playback> before, List<Playback> after, Map<Playback, Long> ids,
                                List<Write> writes, boolean inOneStatement) {
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
                if (Duration.between(was.lastSeen(), now.lastSeen()).compareTo(lastSeenStep) >= 0) {
                    long id = gone.get(0);
                    Binder refresh = (ps, i) -> {
                        JdbcRows.setInstant(ps, i, now.lastSeen());
                        ps.setLong(i + 1, id);
                        return i + 2;
                    };
                    writes.add(inOneStatement
                            ? new Write(REFRESH_OR_INSERT, (ps, i) -> JdbcRows.bindPlayback(ps, refresh.bind(ps, i), key, now), null)
                            : new Write("UPDATE usher_playbacks SET last_seen = ? WHERE id = ?", refresh, now));
                }
                return;
            }
        }
        for (Long id : gone) {
            writes.add(new Write("DELETE FROM usher_playbacks WHERE id = ?", (ps, i) -> {
                ps.setLong(i, id);
                return i + 1;
            }, null));
        }
        for (Playback p : added) {
            writes.add(insertWrite(key, p));
        }
    }

    /**
     * A playback's refresh ({@code last_seen}, its row id), and the playback's insert
     * ({@link JdbcRows#bindPlayback}) only when the refresh found no row: one statement.
     */
    private static final String REFRESH_OR_INSERT = "WITH refreshed AS (UPDATE usher_playbacks SET last_seen = ? WHERE id = ?"
            + " RETURNING id) INSERT INTO usher_playbacks (" + JdbcRows.PLAYBACK_COLUMNS + ")"
            + " SELECT ?, ?, ?, CAST(? AS TIMESTAMP WITH TIME ZONE), CAST(? AS TIMESTAMP WITH TIME ZONE)"
            + " WHERE NOT EXISTS (SELECT 1 FROM refreshed)";

    private static Playback findById(List<Playback> list, Map<Playback, Long> ids, long id) {
        for (Playback p : list) {
            if (ids.get(p) == id) {
                return p;
            }
        }
        throw new IllegalStateException("no playback " + id);
    }
}
