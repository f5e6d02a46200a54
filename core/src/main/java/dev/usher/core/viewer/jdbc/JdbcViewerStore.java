package dev.usher.core.viewer.jdbc;

import dev.usher.core.log.RefusalLog;
import dev.usher.core.repository.RepositoryException;
import dev.usher.core.viewer.Format;
import dev.usher.core.viewer.Sighting;
import dev.usher.core.viewer.TicketViewing;
import dev.usher.core.viewer.ViewerStore;
import dev.usher.core.viewer.ViewerTally;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Viewers in table {@code usher_viewers} ({@code V8__viewers.sql}), shared by every node of the
 * database, so that whichever node answers counts alike.
 *
 * <p>The segment path touches only memory: {@link #seen} notes the sighting in a map of this
 * node's viewers. A flusher ({@link #flush}, every {@code flushInterval} on a daemon thread when
 * {@link #start started}) writes what changed in one transaction: a viewer whose latest request
 * is newer than what this node last wrote is updated, or inserted when no node has its row yet.
 * So a viewer costs at most one row write per node per flush interval, however many requests it
 * makes. Rows are written in player-id order, so two nodes writing the same viewers lock them in
 * the same order (no deadlock). The flusher also deletes rows last seen longer than
 * {@code retention} ago, at most {@value #PURGE_BATCH} a flush, and forgets the viewers of its
 * memory that are written and no longer active.
 *
 * <p>{@link #tally} and {@link #ofTicket} read the shared table only (a viewer counts from the
 * flush after its first request, at most one flush interval late, on every node alike);
 * {@link #activeOf} (the concurrent-playback rule) adds this node's sightings not yet written.
 *
 * <p>A failing database never fails a request: {@code seen} never throws; a failed flush keeps
 * what it could not write in memory, is logged at most once a minute, and is tried again at the
 * next interval; {@code activeOf} counts this node's viewers alone meanwhile. Every statement has
 * the query timeout. Memory is bounded: at most {@code maxViewers} viewers are kept, a new
 * viewer past that is not counted (logged).
 */
public final class JdbcViewerStore implements ViewerStore {

    private static final System.Logger LOG = System.getLogger(JdbcViewerStore.class.getName());

    /** Rows past retention deleted by one flush at the most. */
    public static final int PURGE_BATCH = 1000;
    /** Viewers kept in one node's memory at the most, by default. */
    public static final int DEFAULT_MAX_VIEWERS = 200_000;
    /** Statements a batch carries at the most (a flush of more viewers sends several batches, in one transaction). */
    static final int BATCH = 500;
    /** A ticket's active viewers read at the most ({@link #activeOf}). */
    static final int MAX_TICKET_ROWS = 10_000;
    // The columns' sizes (V8__viewers.sql): a longer sighting is not kept, as its row could never be written.
    static final int MAX_PLAYER_ID = 32;
    static final int MAX_TICKET_KEY = 100;
    static final int MAX_APP = 255;
    static final int MAX_VIDEO = 2048;

    // The statements, one place each (PostgresViewerQueryPlanTest explains them on a big table).
    static final String UPDATE = "UPDATE usher_viewers SET last_seen = GREATEST(last_seen, ?), started = LEAST(started, ?)"
            + " WHERE player_id = ?";
    static final String INSERT = "INSERT INTO usher_viewers (player_id, ticket_key, app, video, format, ipv6, started, last_seen)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    // The purge finds the oldest rows through the last_seen index, then deletes each by its key: a
    // DELETE … WHERE player_id IN (SELECT … LIMIT) reads the whole table on PostgreSQL (a hash semi join).
    static final String PURGE_FIND = "SELECT player_id FROM usher_viewers WHERE last_seen < ? ORDER BY last_seen"
            + " FETCH FIRST " + PURGE_BATCH + " ROWS ONLY";
    /** Deletes a row found old unless its viewer came back meanwhile. */
    static final String PURGE_DELETE = "DELETE FROM usher_viewers WHERE player_id = ? AND last_seen < ?";
    static final String TALLY = "SELECT app, video, format, ipv6, COUNT(*) FROM usher_viewers WHERE last_seen > ?"
            + " GROUP BY app, video, format, ipv6";
    static final String TICKET_ACTIVE = "SELECT player_id FROM usher_viewers WHERE ticket_key = ? AND last_seen > ?";
    static final String TICKET_FIGURES = "SELECT SUM(CASE WHEN last_seen > ? THEN 1 ELSE 0 END), COUNT(*),"
            + " SUM(last_seen - started) FROM usher_viewers WHERE ticket_key = ?";

    /**
     * How the store counts and talks to its database.
     *
     * @param createSchema  run {@code V8__viewers.sql} on first use ({@code usher.jdbc.create-schema})
     * @param queryTimeout  the timeout of every statement ({@code usher.jdbc.query-timeout})
     * @param window        how long after its latest request a viewer stays active ({@code usher.viewers.window})
     * @param flushInterval how often sightings are written ({@code usher.viewers.flush-interval})
     * @param retention     how long rows are kept after their last request ({@code usher.viewers.retention})
     * @param maxViewers    viewers kept in this node's memory at the most
     */
    public record Options(boolean createSchema, Duration queryTimeout, Duration window, Duration flushInterval,
                          Duration retention, int maxViewers) {
        public Options {
            positive(queryTimeout, "queryTimeout");
            positive(window, "window");
            positive(flushInterval, "flushInterval");
            positive(retention, "retention");
            if (maxViewers < 1) {
                throw new IllegalArgumentException("maxViewers must be at least 1");
            }
        }

        /** The defaults of the design: 5 s query timeout, 30 s window, 5 s flushes, 30 days' retention. */
        public static Options of(boolean createSchema) {
            return new Options(createSchema, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofSeconds(5),
                    Duration.ofDays(30), DEFAULT_MAX_VIEWERS);
        }

        public Options withQueryTimeout(Duration value) {
            return new Options(createSchema, value, window, flushInterval, retention, maxViewers);
        }

        public Options withWindow(Duration value) {
            return new Options(createSchema, queryTimeout, value, flushInterval, retention, maxViewers);
        }

        public Options withFlushInterval(Duration value) {
            return new Options(createSchema, queryTimeout, window, value, retention, maxViewers);
        }

        public Options withRetention(Duration value) {
            return new Options(createSchema, queryTimeout, window, flushInterval, value, maxViewers);
        }

        public Options withMaxViewers(int value) {
            return new Options(createSchema, queryTimeout, window, flushInterval, retention, value);
        }

        private static void positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
        }
    }

    /** One viewer this node saw. {@code lastSeen} only moves forward; {@code written} changes in the flusher only. */
    private static final class Viewer {
        final Sighting sighting;
        final long started;
        final AtomicLong lastSeen;
        /** The last_seen this node last wrote (or found newer) in the row; -1 before its first write. */
        volatile long written = -1;

        Viewer(Sighting sighting, long at) {
            this.sighting = sighting;
            this.started = at;
            this.lastSeen = new AtomicLong(at);
        }

        /** Requests of one player may finish out of order: the latest stays. */
        void touch(long at) {
            lastSeen.accumulateAndGet(at, Math::max);
        }
    }

    private final dev.usher.core.repository.jdbc.SchemaPart schema;
    private final Options options;
    private final int timeoutSeconds;
    private final Map<String, Viewer> viewers = new ConcurrentHashMap<>();
    private final RefusalLog failures = new RefusalLog(Duration.ofMinutes(1), System::nanoTime,
            line -> LOG.log(System.Logger.Level.WARNING, line));
    private volatile ScheduledExecutorService flusher;
    private volatile Clock clock;

    /** A store whose flushes the caller runs ({@link #flush}); see {@link #start} for one that flushes itself. */
    public JdbcViewerStore(DataSource dataSource, Options options) {
        this.options = Objects.requireNonNull(options, "options");
        this.timeoutSeconds = (int) Math.max(1, Math.min(Integer.MAX_VALUE, (options.queryTimeout().toMillis() + 999) / 1000));
        this.schema = ViewerSchema.connections(Objects.requireNonNull(dataSource, "dataSource"), options.createSchema(), timeoutSeconds);
    }

    /**
     * A store that flushes every {@code options.flushInterval()} on a daemon thread of its own, by
     * {@code clock}, until {@link #close} (which flushes once more). The data source is not closed with it.
     */
    public static JdbcViewerStore start(DataSource dataSource, Options options, Clock clock) {
        JdbcViewerStore store = new JdbcViewerStore(dataSource, options);
        store.clock = Objects.requireNonNull(clock, "clock");
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "usher-viewers-flush");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, options.flushInterval().toMillis());
        timer.scheduleWithFixedDelay(() -> store.flush(clock.instant()), every, every, TimeUnit.MILLISECONDS);
        store.flusher = timer;
        return store;
    }

    @Override
    public Duration window() {
        return options.window();
    }

    /** @return the options the store was made with */
    public Options options() {
        return options;
    }

    // ---------------------------------------------------------------- the segment path: memory only

    @Override
    public void seen(Sighting sighting, Instant now) {
        try {
            if (!fits(sighting)) {
                failures.refused("sighting", () -> "viewer counts: a sighting usher_viewers can't hold (a name too long) was not counted");
                return;
            }
            long at = now.toEpochMilli();
            String id = sighting.playerId();
            Viewer known = viewers.get(id);
            if (known != null) {
                known.touch(at); // the segment path: a lookup and a compare-and-set, no lock, no allocation
                if (viewers.get(id) == known) {
                    return;
                }
                // The flusher forgot it meanwhile (written and idle): record it again below.
            }
            if (viewers.size() >= options.maxViewers()) {
                failures.refused("full", () -> "viewer counts: " + options.maxViewers()
                        + " viewers in memory (the database is behind or down?); a new viewer was not counted");
                return;
            }
            viewers.compute(id, (k, v) -> {
                if (v == null) {
                    return new Viewer(sighting, at);
                }
                v.touch(at);
                return v;
            });
        } catch (RuntimeException e) {
            failures.refused("seen", () -> "viewer counts: a sighting was not counted: " + e);
        }
    }

    private static boolean fits(Sighting s) {
        return s != null && s.playerId().length() <= MAX_PLAYER_ID && s.ticketKey().length() <= MAX_TICKET_KEY
                && s.app().length() <= MAX_APP && s.video().length() <= MAX_VIDEO;
    }

    // ---------------------------------------------------------------- the flusher

    /**
     * Writes the sightings made since the last flush (at most one row write per viewer), deletes
     * rows past retention (at most {@value #PURGE_BATCH}), and forgets the written viewers that are
     * no longer active at {@code now}. Never throws: a failure is logged (at a bounded rate) and
     * what was not written is written by a later flush.
     *
     * @return whether everything due was written
     */
    public synchronized boolean flush(Instant now) {
        long at = now.toEpochMilli();
        List<Viewer> due = new ArrayList<>();
        for (Viewer v : viewers.values()) {
            if (v.lastSeen.get() > v.written) {
                due.add(v);
            }
        }
        due.sort(Comparator.comparing(v -> v.sighting.playerId()));
        boolean ok = true;
        try (Connection c = schema.connection()) {
            if (!due.isEmpty()) {
                write(c, due);
            }
            purge(c, at - options.retention().toMillis());
        } catch (SQLException | RuntimeException e) {
            ok = false;
            failures.refused("flush", () -> "viewer counts: a flush of usher_viewers (" + due.size() + " viewers to write) failed,"
                    + " tried again every " + options.flushInterval().toMillis() + " ms: " + describe(e));
        }
        forgetInactive(at - options.window().toMillis());
        return ok;
    }

    /** Updates the viewers that have a row, inserts the others; one transaction, tried again once when another node inserted one first. */
    private void write(Connection c, List<Viewer> due) throws SQLException {
        long[] lastSeen = new long[due.size()];
        for (int i = 0; i < lastSeen.length; i++) {
            lastSeen[i] = due.get(i).lastSeen.get(); // what this flush writes; a request meanwhile is the next flush's
        }
        for (int attempt = 1; ; attempt++) {
            c.setAutoCommit(false);
            try {
                List<Integer> missing = update(c, due, lastSeen);
                insert(c, due, lastSeen, missing);
                c.commit();
                break;
            } catch (SQLException e) {
                c.rollback();
                boolean raced = e.getSQLState() != null && e.getSQLState().startsWith("23");
                if (!raced || attempt > 1) {
                    throw e;
                }
                // Another node inserted one of these viewers between our update and insert: its row is there now.
            } finally {
                c.setAutoCommit(true);
            }
        }
        for (int i = 0; i < lastSeen.length; i++) {
            due.get(i).written = lastSeen[i];
        }
    }

    /** @return the indexes in {@code due} of the viewers that have no row yet */
    private List<Integer> update(Connection c, List<Viewer> due, long[] lastSeen) throws SQLException {
        List<Integer> missing = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(UPDATE)) {
            ps.setQueryTimeout(timeoutSeconds);
            for (int from = 0; from < due.size(); from += BATCH) {
                int to = Math.min(due.size(), from + BATCH);
                for (int i = from; i < to; i++) {
                    Viewer v = due.get(i);
                    ps.setLong(1, lastSeen[i]);
                    ps.setLong(2, v.started);
                    ps.setString(3, v.sighting.playerId());
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                for (int i = from; i < to; i++) {
                    // SUCCESS_NO_INFO (-2) is not what PostgreSQL or H2 answer to an UPDATE; read it as done.
                    if (counts[i - from] == 0) {
                        missing.add(i);
                    }
                }
            }
        }
        return missing;
    }

    private void insert(Connection c, List<Viewer> due, long[] lastSeen, List<Integer> which) throws SQLException {
        if (which.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setQueryTimeout(timeoutSeconds);
            for (int n = 0; n < which.size(); n++) {
                int i = which.get(n);
                Sighting s = due.get(i).sighting;
                ps.setString(1, s.playerId());
                ps.setString(2, s.ticketKey());
                ps.setString(3, s.app());
                ps.setString(4, s.video());
                ps.setString(5, s.format().wireName());
                ps.setBoolean(6, s.network().isV6());
                ps.setLong(7, due.get(i).started);
                ps.setLong(8, lastSeen[i]);
                ps.addBatch();
                if ((n + 1) % BATCH == 0 || n + 1 == which.size()) {
                    ps.executeBatch();
                }
            }
        }
    }

    /** Deletes at most {@value #PURGE_BATCH} rows last seen before {@code before}, the oldest first. */
    private void purge(Connection c, long before) throws SQLException {
        List<String> old = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(PURGE_FIND)) {
            ps.setQueryTimeout(timeoutSeconds);
            ps.setLong(1, before);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    old.add(rs.getString(1));
                }
            }
        }
        if (old.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(PURGE_DELETE)) {
            ps.setQueryTimeout(timeoutSeconds);
            for (String id : old) {
                ps.setString(1, id);
                ps.setLong(2, before);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Forgets the viewers whose every sighting is written and that are no longer active (their row remains). */
    private void forgetInactive(long cutoff) {
        for (String id : viewers.keySet()) {
            viewers.computeIfPresent(id, (k, v) -> {
                long last = v.lastSeen.get();
                return last <= cutoff && v.written >= last ? null : v;
            });
        }
    }

    // ---------------------------------------------------------------- reads

    @Override
    public List<ViewerTally> tally(Instant now) {
        List<ViewerTally> out = new ArrayList<>();
        try (Connection c = schema.connection(); PreparedStatement ps = c.prepareStatement(TALLY)) {
            ps.setQueryTimeout(timeoutSeconds);
            ps.setLong(1, cutoff(now));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new ViewerTally(rs.getString(1), rs.getString(2), format(rs.getString(3)), rs.getBoolean(4), rs.getInt(5)));
                }
            }
        } catch (SQLException e) {
            throw new RepositoryException("viewer counts: reading usher_viewers failed: " + describe(e), e);
        }
        return out;
    }

    @Override
    public int activeOf(String ticketKey, String exceptPlayerId, Instant now) {
        long cutoff = cutoff(now);
        Set<String> active = new HashSet<>();
        for (Viewer v : viewers.values()) {
            if (v.sighting.ticketKey().equals(ticketKey) && v.lastSeen.get() > cutoff) {
                active.add(v.sighting.playerId());
            }
        }
        try (Connection c = schema.connection(); PreparedStatement ps = c.prepareStatement(TICKET_ACTIVE)) {
            ps.setQueryTimeout(timeoutSeconds);
            ps.setMaxRows(MAX_TICKET_ROWS);
            ps.setString(1, ticketKey);
            ps.setLong(2, cutoff);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    active.add(rs.getString(1));
                }
            }
        } catch (SQLException | RuntimeException e) {
            // The rule still holds for what this node saw; the entry itself is not failed by the count.
            failures.refused("activeOf", () -> "viewer counts: reading a ticket's viewers failed; counting this node's alone: "
                    + describe(e));
        }
        if (exceptPlayerId != null) {
            active.remove(exceptPlayerId);
        }
        return active.size();
    }

    @Override
    public TicketViewing ofTicket(String ticketKey, Instant now) {
        try (Connection c = schema.connection(); PreparedStatement ps = c.prepareStatement(TICKET_FIGURES)) {
            ps.setQueryTimeout(timeoutSeconds);
            ps.setLong(1, cutoff(now));
            ps.setString(2, ticketKey);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new TicketViewing(rs.getInt(1), rs.getInt(2), rs.getLong(3) / 1000);
            }
        } catch (SQLException e) {
            throw new RepositoryException("viewer counts: reading a ticket's viewers failed: " + describe(e), e);
        }
    }

    /** @return the epoch millisecond a viewer's latest request must be after to be active at {@code now} */
    private long cutoff(Instant now) {
        return now.toEpochMilli() - options.window().toMillis();
    }

    private static Format format(String wireName) {
        try {
            return Format.valueOf(wireName.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Format.OTHER;
        }
    }

    /** @return a failure in one line: its class, SQLState and message (no statement parameters are in it), and what to do about a missing table */
    static String describe(Exception e) {
        String code = e instanceof SQLException s ? s.getSQLState() : null;
        String text = e.getClass().getSimpleName() + (code != null ? " [" + code + "]" : "") + ": " + e.getMessage();
        if (code != null && java.util.Set.of("42P01", "42S02", "42S04", "42102", "42104").contains(code)) { // PostgreSQL, H2: no such table
            text += " (create it with " + ViewerSchema.RESOURCE.substring(1) + " from usher-core.jar and record version "
                    + ViewerSchema.VERSION + ", or set usher.jdbc.create-schema=true)";
        }
        return text;
    }

    /** Stops the flusher and writes what is left (the data source stays open: it is its owner's). */
    @Override
    public void close() {
        ScheduledExecutorService timer = flusher;
        if (timer != null) {
            timer.shutdown();
            try {
                if (!timer.awaitTermination(options.queryTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS)) {
                    timer.shutdownNow();
                }
            } catch (InterruptedException e) {
                timer.shutdownNow();
                Thread.currentThread().interrupt();
            }
            flush(clock.instant());
        }
    }

    /** For tests: how many viewers this node keeps in memory. */
    int inMemory() {
        return viewers.size();
    }
}
