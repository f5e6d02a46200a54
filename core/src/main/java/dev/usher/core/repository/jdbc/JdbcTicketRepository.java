package dev.usher.core.repository.jdbc;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.attempt.AttemptLog;
import dev.usher.core.attempt.PassFingerprint;
import dev.usher.core.config.ConfigReader;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.AdmissionRules;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.Playback;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.decision.Reason;
import dev.usher.core.net.IpNetwork;
import dev.usher.core.repository.ReplayLedger;
import dev.usher.core.repository.RepositoryException;
import dev.usher.core.repository.TicketChange;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.repository.TicketRepository;
import dev.usher.core.rule.IpRestriction;
import dev.usher.core.rule.PatternList;
import dev.usher.core.ticket.Ticket;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * A {@link TicketRepository} in a relational database reached through a JDBC {@link DataSource}:
 * PostgreSQL (10 or later) or H2 (2.x), so that several Usher nodes share tickets, playbacks and
 * attempt logs and agree to the letter.
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
 * <p><b>Schema.</b> The tables are those of the scripts {@link #SCHEMA_RESOURCES}, one per version
 * of {@link #SCHEMA_VERSIONS} up to {@value #SCHEMA_VERSION}, each recorded in
 * {@code usher_schema_version} (version 2 adds two columns to the attempt log, in place over
 * version 1; version 4 the API answers and the attempts' pass fingerprints, in place over version
 * 2; version 5 numbers the tickets and adds their last use, in place over version 2). With {@link Options#createSchema()} the
 * scripts run on first use (every statement is idempotent, so a version-1 database is brought up to
 * date with its data); without it, first use checks that the version table says the schema is there.
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

    private static final System.Logger LOG = System.getLogger(JdbcTicketRepository.class.getName());

    /** The version of the schema this class reads and writes. */
    public static final int SCHEMA_VERSION = 5;
    /** The first schema script in the jar (a class-path resource). */
    public static final String SCHEMA_RESOURCE = "/dev/usher/core/repository/jdbc/V1__schema.sql";
    /**
     * The versions of the scripts in the jar, in the order they run: a database is at version n
     * when the scripts up to n ran. Numbers may skip (versions 3 and 4 belong to other features).
     */
    public static final List<Integer> SCHEMA_VERSIONS = List.of(1, 2, 4, 5);
    /** The schema scripts in the jar, one per {@link #SCHEMA_VERSIONS} entry, version 1 first. */
    public static final List<String> SCHEMA_RESOURCES = List.of(SCHEMA_RESOURCE,
            "/dev/usher/core/repository/jdbc/V2__attempt_log_limits.sql",
            "/dev/usher/core/repository/jdbc/V4__api_answers_attempt_pass.sql",
            "/dev/usher/core/repository/jdbc/V5__ticket_ids_last_use.sql");
    private static final List<String> SCHEMA_DESCRIPTIONS = List.of("V1__schema.sql: tickets, playbacks, attempts",
            "V2__attempt_log_limits.sql: attempt counts, failed responses",
            "V4__api_answers_attempt_pass.sql: stored API answers, attempt pass fingerprints",
            "V5__ticket_ids_last_use.sql: ticket ids, last use");

    /** Column sizes of the schema: longer texts from clients are cut to fit rather than fail a decision. */
    private static final int KEY_MAX = 100;
    private static final int LONG_TEXT = 2048;
    private static final int NAME_TEXT = 255;

    private static final String TICKET_COLUMNS =
            "ticket_key, cdn_id, pass, ip, ip_bindings, video, app, uses, active, created, expires, used_date, last_used";
    /** What a ticket row is read with: the columns written, then the id the database gave it. */
    private static final String TICKET_SELECT = TICKET_COLUMNS + ", id";

    /**
     * How the repository talks to its database.
     *
     * @param createSchema  run the schema script on first use
     * @param queryTimeout  the timeout of every statement (whole seconds, at least 1)
     * @param maxAttempts   how many times a transaction is tried when it meets a serialization
     *                      failure or a deadlock
     * @param purgeInterval no longer used by the repository (purging runs on a timer,
     *                      {@link dev.usher.core.repository.ScheduledPurge}); kept for compatibility
     */
    public record Options(boolean createSchema, Duration queryTimeout, int maxAttempts, Duration purgeInterval) {

        public Options {
            Objects.requireNonNull(queryTimeout, "queryTimeout");
            Objects.requireNonNull(purgeInterval, "purgeInterval");
            if (queryTimeout.isNegative() || queryTimeout.isZero()) {
                throw new IllegalArgumentException("the query timeout must be positive");
            }
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
            if (purgeInterval.isNegative()) {
                throw new IllegalArgumentException("the purge interval must not be negative");
            }
        }

        /** No schema creation, 5 s query timeout, 5 attempts, purge every 10 minutes. */
        public static Options defaults() {
            return new Options(false, Duration.ofSeconds(5), 5, Duration.ofMinutes(10));
        }

        public Options withCreateSchema(boolean value) {
            return new Options(value, queryTimeout, maxAttempts, purgeInterval);
        }

        public Options withQueryTimeout(Duration value) {
            return new Options(createSchema, value, maxAttempts, purgeInterval);
        }

        public Options withPurgeInterval(Duration value) {
            return new Options(createSchema, queryTimeout, maxAttempts, value);
        }
    }

    /** The databases whose behaviour was checked. */
    public enum Dialect {
        POSTGRESQL, H2, OTHER;

        static Dialect of(String productName) {
            String p = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
            return p.contains("postgres") ? POSTGRESQL : p.equals("h2") ? H2 : OTHER;
        }
    }

    private final DataSource dataSource;
    private final AutoCloseable ownedDataSource;
    private final AdmissionRules rules;
    private final Duration retention;
    private final int maxAttempts;
    private final String serverName;
    private final Options options;
    private final int timeoutSeconds;
    private volatile Dialect dialect;

    public JdbcTicketRepository(DataSource dataSource, UsherSettings settings, Options options) {
        this(dataSource, null, settings, options);
    }

    private JdbcTicketRepository(DataSource dataSource, AutoCloseable owned, UsherSettings settings, Options options) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.ownedDataSource = owned;
        this.rules = new AdmissionRules(settings.playbackWindow());
        this.retention = settings.retention();
        this.maxAttempts = settings.maxAttemptsPerTicket();
        this.serverName = settings.serverName();
        this.options = Objects.requireNonNull(options, "options");
        this.timeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE,
                (options.queryTimeout().toMillis() + 999) / 1000));
    }

    /**
     * Builds the repository that the {@code usher.jdbc.*} keys describe:
     * <ul>
     * <li>{@code usher.jdbc.datasource}: the JNDI name of a container-managed data source
     *     (looked up with {@code jndiLookup}), or else</li>
     * <li>{@code usher.jdbc.url}, {@code usher.jdbc.user}, {@code usher.jdbc.password}: a JDBC URL
     *     reached through {@link java.sql.DriverManager} with a pool of {@code usher.jdbc.pool-size}
     *     (default 16) connections; the driver must be on the class path;</li>
     * <li>{@code usher.jdbc.create-schema} (default false), {@code usher.jdbc.query-timeout}
     *     (default 5s); {@code usher.jdbc.purge-interval} is the older name of {@code usher.purge-interval},
     *     read by {@link dev.usher.core.repository.ScheduledPurge#interval}.</li>
     * </ul>
     * Problems are added to {@code config}; when no data source can be had, every problem found so
     * far is thrown at once as an {@link dev.usher.core.config.UsherConfigurationException}.
     *
     * @param jndiLookup finds a data source by JNDI name (e.g. {@code new InitialContext()::lookup}),
     *                   returning null or throwing when there is none
     */
    public static JdbcTicketRepository fromConfig(ConfigReader config, UsherSettings settings,
                                                  Function<String, DataSource> jndiLookup) {
        Options d = Options.defaults();
        boolean create = config.bool("usher.jdbc.create-schema", d.createSchema());
        Duration timeout = config.duration("usher.jdbc.query-timeout", d.queryTimeout());
        if (timeout.isZero()) {
            config.problem("usher.jdbc.query-timeout must be positive");
            timeout = d.queryTimeout();
        }
        Duration purge = config.duration("usher.jdbc.purge-interval", d.purgeInterval());
        int poolSize = config.integer("usher.jdbc.pool-size", 16, 1, 1000);
        Options options = new Options(create, timeout, d.maxAttempts(), purge);
        Optional<String> jndi = config.raw("usher.jdbc.datasource");
        Optional<String> url = config.raw("usher.jdbc.url");
        if (jndi.isPresent()) {
            if (url.isPresent()) {
                config.problem("usher.jdbc.datasource and usher.jdbc.url are both set; set one of them");
            }
            DataSource found = null;
            try {
                found = jndiLookup == null ? null : jndiLookup.apply(jndi.get());
            } catch (RuntimeException e) {
                config.problem("usher.jdbc.datasource: no data source named '" + jndi.get() + "' (" + e.getMessage() + ")");
            }
            if (found == null) {
                config.problem("usher.jdbc.datasource: no data source named '" + jndi.get() + "'");
                config.failOnProblems();
            }
            return new JdbcTicketRepository(found, null, settings, options);
        }
        if (url.isEmpty()) {
            config.problem("usher.repository=jdbc needs usher.jdbc.datasource (a JNDI name) or usher.jdbc.url");
            config.failOnProblems();
        }
        if (!url.get().startsWith("jdbc:")) {
            config.problem("usher.jdbc.url: '" + url.get() + "' is not a JDBC URL (jdbc:postgresql://host/db, jdbc:h2:...)");
            config.failOnProblems();
        }
        DriverManagerDataSource pool = new DriverManagerDataSource(url.get(), config.raw("usher.jdbc.user").orElse(null),
                config.raw("usher.jdbc.password").orElse(null), poolSize, timeout);
        return new JdbcTicketRepository(pool, pool, settings, options);
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

    /** @return the database's dialect, connecting (and creating the schema) if not done yet */
    /** @return the database, for other stores that share it (live stream users) */
    public DataSource dataSource() {
        return dataSource;
    }

    public Dialect dialect() {
        return ready();
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
        return Optional.ofNullable(autocommit("insert ticket", c -> {
            try (PreparedStatement ps = prepare(c, "INSERT INTO usher_tickets (" + TICKET_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, ticket.key());
                ps.setLong(2, ticket.cdnId());
                ps.setString(3, ticket.pass());
                ps.setString(4, ticket.ip().text());
                ps.setString(5, bindingsText(ticket.ip()));
                ps.setString(6, ticket.video().text());
                ps.setString(7, ticket.app().text());
                ps.setInt(8, ticket.uses());
                ps.setBoolean(9, ticket.active());
                setInstant(ps, 10, ticket.created());
                setInstant(ps, 11, ticket.expires());
                setInstant(ps, 12, ticket.usedDate());
                setInstant(ps, 13, ticket.lastUsed());
                ps.executeUpdate();
            } catch (SQLException e) {
                if ("23505".equals(e.getSQLState())) { // unique violation: the key exists
                    return null;
                }
                throw e;
            }
            try (PreparedStatement ps = prepare(c, "SELECT id FROM usher_tickets WHERE ticket_key = ?")) {
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
        return autocommit("record an API request", c -> {
            try (PreparedStatement ps = prepare(c, "INSERT INTO usher_api_requests (request_id, expires) VALUES (?, ?)")) {
                ps.setString(1, requestId);
                setInstant(ps, 2, until);
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
        autocommit("store an API answer", c -> {
            try (PreparedStatement ps = prepare(c, "UPDATE usher_api_requests SET answer = ? WHERE request_id = ? AND answer IS NULL")) {
                ps.setString(1, stored);
                ps.setString(2, requestId);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Optional<String> answerOf(String requestId) {
        return Optional.ofNullable(autocommit("read an API answer", c -> {
            try (PreparedStatement ps = prepare(c, "SELECT answer FROM usher_api_requests WHERE request_id = ?")) {
                ps.setString(1, requestId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        }));
    }

    @Override
    public Optional<Ticket> find(String key) {
        if (key == null || key.length() > KEY_MAX) {
            return Optional.empty();
        }
        return Optional.ofNullable(autocommit("find ticket", c -> selectTicket(c, key, null, false)));
    }

    @Override
    public Optional<Ticket> update(long cdnId, String key, TicketChange change) {
        if (key == null || key.length() > KEY_MAX) {
            return Optional.empty();
        }
        return Optional.ofNullable(transaction("update ticket", c -> {
            Ticket t = selectTicket(c, key, cdnId, true);
            if (t == null) {
                return null;
            }
            if (change.active() != null) {
                t = t.withActive(change.active());
            }
            if (change.expires() != null) {
                t = t.withExpires(change.expires());
            }
            try (PreparedStatement ps = prepare(c, "UPDATE usher_tickets SET active = ?, expires = ? WHERE ticket_key = ?")) {
                ps.setBoolean(1, t.active());
                setInstant(ps, 2, t.expires());
                ps.setString(3, key);
                ps.executeUpdate();
            }
            return t;
        }));
    }

    @Override
    public boolean delete(long cdnId, String key) {
        if (key == null || key.length() > KEY_MAX) {
            return false;
        }
        return transaction("delete ticket", c -> {
            try (PreparedStatement ps = prepare(c, "DELETE FROM usher_tickets WHERE ticket_key = ? AND cdn_id = ?")) {
                ps.setString(1, key);
                ps.setLong(2, cdnId);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public List<Ticket> search(long cdnId, TicketQuery query) {
        StringBuilder sql = new StringBuilder("SELECT ").append(TICKET_SELECT).append(" FROM usher_tickets WHERE cdn_id = ?");
        if (query.active() != null) {
            sql.append(" AND active = ?");
        }
        sql.append(" ORDER BY created DESC, ticket_key ASC");
        if (query.video() == null) {
            sql.append(" LIMIT ").append(query.limit());
        }
        return transaction("search tickets", c -> {
            List<Ticket> found = new ArrayList<>();
            try (PreparedStatement ps = prepare(c, sql.toString())) {
                ps.setFetchSize(500);
                ps.setLong(1, cdnId);
                if (query.active() != null) {
                    ps.setBoolean(2, query.active());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next() && found.size() < query.limit()) {
                        Ticket t = ticketOf(rs);
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
        Instant now = decidedAt.truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        if (request.key().length() > KEY_MAX) {
            return rules.evaluate(null, List.of(), request, now).decision();
        }
        return transaction("decide", c -> {
            Ticket ticket = selectTicket(c, request.key(), null, true);
            if (ticket == null) {
                return rules.evaluate(null, List.of(), request, now).decision();
            }
            Map<Playback, Long> ids = new IdentityHashMap<>();
            List<Playback> before = selectPlaybacks(c, ticket.key(), ids);
            AdmissionRules.Outcome outcome = rules.evaluate(ticket, before, request, now);
            if (outcome.ticketChanged(ticket)) {
                updateUse(c, outcome.ticket());
            }
            if (outcome.playbacks() != before) {
                writePlaybacks(c, ticket.key(), before, outcome.playbacks(), ids);
            }
            appendAttempt(c, new Attempt(ticket.key(), now, request.client().toString(), request.video(), request.app(),
                    request.appInstance(), request.pageUrl(), request.referrer(), outcome.decision().reason(), serverName)
                    .withPassFingerprint(PassFingerprint.of(ticket.pass(), ticket.key(), request.pass())));
            return outcome.decision();
        });
    }

    @Override
    public List<Attempt> attempts(String key, Instant since, int limit) {
        if (key == null || key.length() > KEY_MAX || limit < 1) {
            return List.of();
        }
        int n = Math.min(limit, maxAttempts);
        String sql = "SELECT ticket_key, attempted_at, ip, video, app, appinst, pageurl, refurl, reason, server,"
                + " attempt_count, failed_status, pass_fingerprint FROM usher_attempts WHERE ticket_key = ?" + (since == null ? "" : " AND attempted_at >= ?")
                + " ORDER BY attempted_at DESC, id DESC LIMIT " + n;
        return autocommit("read attempts", c -> {
            List<Attempt> found = new ArrayList<>();
            try (PreparedStatement ps = prepare(c, sql)) {
                ps.setString(1, key);
                if (since != null) {
                    setInstant(ps, 2, since);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        found.add(new Attempt(rs.getString(1), instant(rs, 2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8),
                                Reason.ofText(rs.getString(9)), rs.getString(10), Math.max(1, rs.getInt(11)),
                                rs.getInt(12), rs.getString(13)));
                    }
                }
            }
            Collections.reverse(found);
            return found;
        });
    }

    @Override
    public int purge(Instant now) {
        Instant horizon = now.minus(retention);
        Instant closedBefore = now.minus(rules.playbackWindow());
        return autocommit("purge", c -> {
            int removed;
            try (PreparedStatement ps = prepare(c, "DELETE FROM usher_tickets WHERE expires < ?")) {
                setInstant(ps, 1, horizon);
                removed = ps.executeUpdate();
            }
            try (PreparedStatement ps = prepare(c, "DELETE FROM usher_attempts WHERE attempted_at < ?")) {
                setInstant(ps, 1, horizon);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = prepare(c, "DELETE FROM usher_api_requests WHERE expires < ?")) {
                setInstant(ps, 1, now);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = prepare(c, "DELETE FROM usher_playbacks WHERE last_seen <= ?")) {
                setInstant(ps, 1, closedBefore);
                ps.executeUpdate();
            }
            // The per-ticket cap is kept by every insert (appendAttempt), refusals first.
            return removed;
        });
    }

    @Override
    public boolean release(Decision grant, int status, Instant now) {
        if (grant == null || grant.opened() == null || grant.ticket() == null || grant.ticket().key().length() > KEY_MAX) {
            return false;
        }
        String key = grant.ticket().key();
        return transaction("release a playback", c -> {
            Ticket ticket = selectTicket(c, key, null, true);
            if (ticket == null) {
                return false;
            }
            Map<Playback, Long> ids = new IdentityHashMap<>();
            List<Playback> before = selectPlaybacks(c, key, ids);
            AdmissionRules.Outcome undone = rules.release(ticket, before, grant);
            if (undone == null) {
                return false;
            }
            updateUse(c, undone.ticket());
            writePlaybacks(c, key, before, undone.playbacks(), ids);
            // The grant's attempt: the latest success at its instant whose video the playback's scope
            // holds (as the in-memory store picks it).
            Long attempt = null;
            try (PreparedStatement ps = prepare(c, "SELECT id, app, video FROM usher_attempts WHERE ticket_key = ?"
                    + " AND attempted_at = ? AND reason = ? AND failed_status = 0 ORDER BY id DESC")) {
                ps.setString(1, key);
                setInstant(ps, 2, grant.opened().started());
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
                try (PreparedStatement ps = prepare(c, "UPDATE usher_attempts SET failed_status = ? WHERE id = ?")) {
                    ps.setInt(1, status);
                    ps.setLong(2, attempt);
                    ps.executeUpdate();
                }
            }
            return true;
        });
    }

    // ---------------------------------------------------------------- rows

    private Ticket selectTicket(Connection c, String key, Long cdnId, boolean lock) throws SQLException {
        String sql = "SELECT " + TICKET_SELECT + " FROM usher_tickets WHERE ticket_key = ?"
                + (cdnId == null ? "" : " AND cdn_id = ?") + (lock ? " FOR UPDATE" : "");
        try (PreparedStatement ps = prepare(c, sql)) {
            ps.setString(1, key);
            if (cdnId != null) {
                ps.setLong(2, cdnId);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? ticketOf(rs) : null;
            }
        }
    }

    private static Ticket ticketOf(ResultSet rs) throws SQLException {
        String key = rs.getString(1);
        try {
            String ipText = rs.getString(4);
            return new Ticket(key, rs.getLong(2), rs.getString(3), restoreIp(ipText, rs.getString(5)),
                    PatternList.parse("video", rs.getString(6)), PatternList.parse("app", rs.getString(7)),
                    rs.getInt(8), rs.getBoolean(9), instant(rs, 10), instant(rs, 11), instant(rs, 12), rs.getLong(14),
                    instant(rs, 13));
        } catch (IllegalArgumentException e) {
            throw new SQLException("ticket " + key + " holds a malformed field: " + e.getMessage(), "22000", e);
        }
    }

    private List<Playback> selectPlaybacks(Connection c, String key, Map<Playback, Long> ids) throws SQLException {
        try (PreparedStatement ps = prepare(c,
                "SELECT id, video, client, started, last_seen FROM usher_playbacks WHERE ticket_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                List<Playback> out = new ArrayList<>();
                while (rs.next()) {
                    Playback p = new Playback(rs.getString(2), IpNetwork.parse(rs.getString(3)), instant(rs, 4), instant(rs, 5));
                    ids.put(p, rs.getLong(1));
                    out.add(p);
                }
                return out.isEmpty() ? List.of() : out;
            } catch (IllegalArgumentException e) {
                throw new SQLException("a playback of ticket " + key + " holds a malformed client network", "22000", e);
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
                try (PreparedStatement ps = prepare(c, "UPDATE usher_playbacks SET last_seen = ? WHERE id = ?")) {
                    setInstant(ps, 1, now.lastSeen());
                    ps.setLong(2, gone.get(0));
                    if (ps.executeUpdate() == 1) {
                        return;
                    }
                    gone.clear(); // purged meanwhile: insert it again below
                }
            }
        }
        if (!gone.isEmpty()) {
            try (PreparedStatement ps = prepare(c, "DELETE FROM usher_playbacks WHERE id = ?")) {
                for (Long id : gone) {
                    ps.setLong(1, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        if (!added.isEmpty()) {
            try (PreparedStatement ps = prepare(c,
                    "INSERT INTO usher_playbacks (ticket_key, video, client, started, last_seen) VALUES (?, ?, ?, ?, ?)")) {
                for (Playback p : added) {
                    ps.setString(1, key);
                    ps.setString(2, cut(p.scope(), LONG_TEXT)); // the video column holds the playback's scope
                    ps.setString(3, networkText(p.client()));
                    setInstant(ps, 4, p.started());
                    setInstant(ps, 5, p.lastSeen());
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

    private void insertRow(Connection c, Attempt a) throws SQLException {
        try (PreparedStatement ps = prepare(c, "INSERT INTO usher_attempts (ticket_key, attempted_at, ip, video, app,"
                + " appinst, pageurl, refurl, reason, server, pass_fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, a.key());
            setInstant(ps, 2, a.datetime());
            ps.setString(3, cut(a.ip(), 64));
            ps.setString(4, cut(a.video(), LONG_TEXT));
            ps.setString(5, cut(a.app(), NAME_TEXT));
            ps.setString(6, cut(a.appinst(), NAME_TEXT));
            ps.setString(7, cut(a.pageurl(), LONG_TEXT));
            ps.setString(8, cut(a.refurl(), LONG_TEXT));
            ps.setString(9, a.reason().text());
            ps.setString(10, cut(a.server(), NAME_TEXT));
            ps.setString(11, a.passFingerprint());
            ps.executeUpdate();
        }
    }

    /**
     * Appends an attempt by the rules of {@link AttemptLog}, inside the decision's transaction (the
     * ticket's row is locked, so the decisions of every node on this ticket take turns here).
     */
    private void appendAttempt(Connection c, Attempt a) throws SQLException {
        if (!a.success()) {
            // A repeat within the window raises the count of the row that absorbs it.
            try (PreparedStatement ps = prepare(c, "UPDATE usher_attempts SET attempt_count = attempt_count"
                    + " + CASE WHEN attempt_count < 2147483647 THEN 1 ELSE 0 END WHERE id = ("
                    + "SELECT MAX(id) FROM usher_attempts WHERE ticket_key = ? AND attempted_at > ? AND reason = ?"
                    + " AND ip = ? AND failed_status = 0)")) {
                ps.setString(1, a.key());
                setInstant(ps, 2, AttemptLog.windowStart(a.datetime()));
                ps.setString(3, a.reason().text());
                ps.setString(4, cut(a.ip(), 64));
                if (ps.executeUpdate() > 0) {
                    return;
                }
            }
        }
        insertRow(c, a);
        int total;
        int grants;
        try (PreparedStatement ps = prepare(c, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN reason = ? THEN 1 ELSE 0 END), 0)"
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
        try (PreparedStatement ps = prepare(c, "SELECT id FROM usher_attempts WHERE ticket_key = ? AND reason "
                + (grants ? "=" : "<>") + " ? ORDER BY attempted_at ASC, id ASC LIMIT " + n)) {
            ps.setString(1, key);
            ps.setString(2, Reason.SUCCESS.text());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        try (PreparedStatement ps = prepare(c, "DELETE FROM usher_attempts WHERE id = ?")) {
            for (Long id : ids) {
                ps.setLong(1, id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    // ---------------------------------------------------------------- columns

    /** @return per entry of the ip rule its bound network or nothing, joined by |; empty while none is bound */
    static String bindingsText(IpRestriction ip) {
        if (ip.boundCount() == 0) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        List<IpNetwork> bound = ip.bindings();
        for (int i = 0; i < bound.size(); i++) {
            if (i > 0) {
                out.append('|');
            }
            if (bound.get(i) != null) {
                out.append(networkText(bound.get(i)));
            }
        }
        return out.toString();
    }

    static IpRestriction restoreIp(String text, String bindings) {
        if (bindings == null || bindings.isEmpty()) {
            return IpRestriction.parse(text);
        }
        String[] parts = bindings.split("\\|", -1);
        List<IpNetwork> bound = new ArrayList<>(parts.length);
        for (String part : parts) {
            bound.add(part.isEmpty() ? null : IpNetwork.parse(part));
        }
        return IpRestriction.restore(text, bound);
    }

    /** The text of a network that {@link IpNetwork#parse} reads back as the same network. */
    static String networkText(IpNetwork n) {
        String text = n.toString();
        if (!IpNetwork.parse(text).equals(n)) {
            throw new IllegalStateException("network " + text + " does not read back as itself");
        }
        return text;
    }

    private static String cut(String s, int max) {
        return s == null ? "" : s.length() <= max ? s : s.substring(0, max);
    }

    private static void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
        if (value == null) {
            ps.setObject(index, null, java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(index, OffsetDateTime.ofInstant(value, ZoneOffset.UTC));
        }
    }

    private static Instant instant(ResultSet rs, int index) throws SQLException {
        OffsetDateTime t = rs.getObject(index, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private PreparedStatement prepare(Connection c, String sql) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setQueryTimeout(timeoutSeconds);
        return ps;
    }

    // ---------------------------------------------------------------- transactions

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} in one transaction, retrying it on serialization failures and deadlocks. */
    private <T> T transaction(String what, SqlWork<T> work) {
        Dialect d = ready();
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(false);
                if (d == Dialect.H2) {
                    // H2 waits for a row lock up to its LOCK_TIMEOUT, not the query timeout: bound it alike.
                    try (Statement s = c.createStatement()) {
                        s.execute("SET LOCK_TIMEOUT " + timeoutSeconds * 1000L);
                    }
                }
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException e) {
                    rollbackQuietly(c);
                    throw e;
                } finally {
                    try {
                        c.setAutoCommit(true);
                    } catch (SQLException ignored) {
                        // the connection is being given back anyway
                    }
                }
            } catch (SQLException e) {
                if (isRetryable(e) && attempt < options.maxAttempts()) {
                    backOff(attempt);
                    continue;
                }
                throw failure(what, e, attempt);
            }
        }
    }

    /** Runs {@code work} with auto-commit: for single statements and reads. */
    private <T> T autocommit(String what, SqlWork<T> work) {
        ready();
        try (Connection c = dataSource.getConnection()) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            return work.run(c);
        } catch (SQLException e) {
            throw failure(what, e, 1);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the original failure is what matters
        }
    }

    static boolean isRetryable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                if ("40001".equals(state) || "40P01".equals(state)) {
                    return true;
                }
                SQLException next = s.getNextException();
                if (next != null && next != t && isRetryable(next)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void backOff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 5L * attempt + 2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private RepositoryException failure(String what, SQLException e, int attempts) {
        String state = e.getSQLState();
        String kind = state != null && state.startsWith("57014") || e instanceof java.sql.SQLTimeoutException
                ? "timed out (query timeout " + timeoutSeconds + " s)" : "failed";
        return new RepositoryException("JDBC ticket repository: " + what + " " + kind
                + (attempts > 1 ? " after " + attempts + " attempts" : "") + ": " + e.getMessage()
                + (state == null ? "" : " [SQLState " + state + "]"), e);
    }

    // ---------------------------------------------------------------- schema

    private Dialect ready() {
        Dialect d = dialect;
        if (d != null) {
            return d;
        }
        synchronized (this) {
            if (dialect == null) {
                dialect = initialize();
            }
            return dialect;
        }
    }

    private Dialect initialize() {
        SQLException last = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                DatabaseMetaData meta = c.getMetaData();
                Dialect d = Dialect.of(meta.getDatabaseProductName());
                if (d == Dialect.OTHER) {
                    LOG.log(System.Logger.Level.WARNING, "JDBC ticket repository: " + meta.getDatabaseProductName()
                            + " is not tested (PostgreSQL and H2 are); using standard SQL");
                }
                if (options.createSchema()) {
                    createSchema(c);
                }
                // Every script's version must be recorded, not only the highest: versions may
                // arrive out of order (3 after 4 and 5), and a missing one is missing.
                java.util.Set<Integer> recorded = recordedVersions(c);
                List<String> missing = scriptsMissing(recorded);
                if (!missing.isEmpty()) {
                    boolean any = !recorded.isEmpty();
                    throw new RepositoryException("JDBC ticket repository: the database has no Usher schema"
                            + (any ? " of version " + SCHEMA_VERSION + " (found " + new java.util.TreeSet<>(recorded) + ")" : "")
                            + "; " + (any ? "update" : "create") + " it with the scripts "
                            + String.join(", ", missing)
                            + " in usher-core.jar, in that order (see the README), or set usher.jdbc.create-schema=true");
                }
                int version = recorded.stream().mapToInt(Integer::intValue).max().orElse(0);
                if (version > SCHEMA_VERSION) {
                    LOG.log(System.Logger.Level.WARNING, "JDBC ticket repository: the schema is of version " + version
                            + ", newer than this Usher's " + SCHEMA_VERSION);
                }
                return d;
            } catch (SQLException e) {
                last = e; // e.g. two nodes creating the schema at once: look again
                if (!options.createSchema()) {
                    break;
                }
                backOff(attempt);
            }
        }
        throw failure("connect and check the schema", last, 1);
    }

    /** Writes what a use (or a use given back) changes on the ticket's row: uses, bindings, first and last use. */
    private void updateUse(Connection c, Ticket t) throws SQLException {
        try (PreparedStatement ps = prepare(c,
                "UPDATE usher_tickets SET uses = ?, ip_bindings = ?, used_date = ?, last_used = ? WHERE ticket_key = ?")) {
            ps.setInt(1, t.uses());
            ps.setString(2, bindingsText(t.ip()));
            setInstant(ps, 3, t.usedDate());
            setInstant(ps, 4, t.lastUsed());
            ps.setString(5, t.key());
            ps.executeUpdate();
        }
    }

    /** @return the versions recorded in {@code usher_schema_version}; none when the table is missing */
    private java.util.Set<Integer> recordedVersions(Connection c) throws SQLException {
        c.setAutoCommit(true);
        java.util.Set<Integer> out = new java.util.HashSet<>();
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(timeoutSeconds);
            try (ResultSet rs = s.executeQuery("SELECT version FROM usher_schema_version")) {
                while (rs.next()) {
                    out.add(rs.getInt(1));
                }
            }
        } catch (SQLException e) {
            String state = e.getSQLState();
            if ("42P01".equals(state) || "42S02".equals(state) || "42S04".equals(state) || "42102".equals(state)
                    || "42104".equals(state)) { // PostgreSQL, H2: no such table
                return out;
            }
            throw e;
        }
        return out;
    }

    /**
     * Runs the scripts unless every version is recorded already: a node starting next to busy ones
     * then takes no table lock (an ALTER TABLE, even one that changes nothing, waits for every
     * transaction on its table in PostgreSQL and can deadlock with them).
     */
    private void createSchema(Connection c) throws SQLException {
        if (recordedVersions(c).containsAll(SCHEMA_VERSIONS)) {
            return;
        }
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(Math.max(timeoutSeconds, 30));
            for (int i = 0; i < SCHEMA_VERSIONS.size(); i++) {
                int version = SCHEMA_VERSIONS.get(i);
                for (String statement : schemaStatements(SCHEMA_RESOURCES.get(i))) {
                    s.execute(statement);
                }
                boolean recorded;
                try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM usher_schema_version WHERE version = ?")) {
                    ps.setInt(1, version);
                    try (ResultSet rs = ps.executeQuery()) {
                        recorded = rs.next() && rs.getInt(1) > 0;
                    }
                }
                if (!recorded) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "INSERT INTO usher_schema_version (version, description, installed) VALUES (?, ?, ?)")) {
                        ps.setInt(1, version);
                        ps.setString(2, SCHEMA_DESCRIPTIONS.get(i));
                        setInstant(ps, 3, Instant.now());
                        ps.executeUpdate();
                    }
                }
            }
            c.commit();
        } catch (SQLException | RuntimeException e) {
            rollbackQuietly(c);
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** @return the scripts whose versions a database has not recorded, in the order they run */
    private static List<String> scriptsMissing(java.util.Set<Integer> recorded) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < SCHEMA_VERSIONS.size(); i++) {
            if (!recorded.contains(SCHEMA_VERSIONS.get(i))) {
                out.add(SCHEMA_RESOURCES.get(i));
            }
        }
        return out;
    }

    /** @return the statements of every schema script, in order, comments dropped */
    public static List<String> schemaStatements() {
        List<String> out = new ArrayList<>();
        for (String resource : SCHEMA_RESOURCES) {
            out.addAll(schemaStatements(resource));
        }
        return out;
    }

    /** @return the statements of one schema script, comments dropped */
    public static List<String> schemaStatements(String resource) {
        String text;
        try (InputStream in = JdbcTicketRepository.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the class path");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
        StringBuilder sql = new StringBuilder();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (!trimmed.startsWith("--")) {
                sql.append(line).append('\n');
            }
        }
        List<String> out = new ArrayList<>();
        for (String statement : sql.toString().split(";")) {
            if (!statement.isBlank()) {
                out.add(statement.strip());
            }
        }
        return out;
    }
}
