package dev.usher.core.viewer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The viewers of one node, in its memory: a map by player id (what every child request looks up:
 * one hash lookup and, when time moved on, one compare-and-set on that viewer's own field; no lock
 * shared by viewers, no allocation) and an index by ticket (the concurrent-playback rule and the
 * per-ticket figures read it).
 *
 * <p><b>Bounded.</b> A viewer is forgotten once it is no longer active (its latest request a window
 * old), by a sweep that runs at most every half window, on the thread of a new viewer or a reading,
 * never two at once; its seconds go to its ticket's figures. Those are kept while the ticket had a
 * viewer within {@code retention}, and at most {@code maxTickets} of them (the longest idle go
 * first). Beyond {@code maxViewers} viewers, a NEW viewer is not recorded (counted, and logged at
 * most once a minute) rather than letting memory grow without bound; known viewers go on counting.
 * A player idle for more than the window that resumes counts as a new playback of its ticket.
 */
public final class InMemoryViewerStore implements ViewerStore {

    private static final System.Logger LOG = System.getLogger("dev.usher.viewers");

    /** The most viewers kept by default. */
    public static final int DEFAULT_MAX_VIEWERS = 1_000_000;
    /** The most tickets whose figures are kept by default. */
    public static final int DEFAULT_MAX_TICKETS = 1_000_000;
    private static final long LOG_EVERY_MILLIS = 60_000;

    private final Duration window;
    private final long windowMillis;
    private final long retentionMillis;
    private final int maxViewers;
    private final int maxTickets;
    private final ConcurrentHashMap<String, Viewer> viewers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Figures> tickets = new ConcurrentHashMap<>();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private final AtomicLong nextSweep = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong refusedLogged = new AtomicLong();
    private final AtomicLong nextLog = new AtomicLong(Long.MIN_VALUE);

    /**
     * @param window     how long after its latest request a viewer stays active
     * @param retention  how long a ticket's figures are kept after its last viewer
     * @param maxViewers the most viewers kept at once
     * @param maxTickets the most tickets whose figures are kept
     */
    public InMemoryViewerStore(Duration window, Duration retention, int maxViewers, int maxTickets) {
        if (window.isNegative() || window.isZero() || retention.isNegative() || maxViewers < 1 || maxTickets < 1) {
            throw new IllegalArgumentException("a positive window, a retention and positive bounds are needed");
        }
        this.window = window;
        this.windowMillis = window.toMillis();
        this.retentionMillis = retention.toMillis();
        this.maxViewers = maxViewers;
        this.maxTickets = maxTickets;
    }

    /** A store with a retention of 30 days and the default bounds. */
    public InMemoryViewerStore(Duration window) {
        this(window, Duration.ofDays(30), DEFAULT_MAX_VIEWERS, DEFAULT_MAX_TICKETS);
    }

    @Override
    public Duration window() {
        return window;
    }

    @Override
    public void seen(Sighting sighting, Instant now) {
        long t = now.toEpochMilli();
        Viewer known = viewers.get(sighting.playerId());
        if (known != null) {
            if (known.activeAt(t, windowMillis)) {
                known.touch(t); // the segment path: nothing more
                return;
            }
            // Idle past the window but not swept yet: the player resumes as a new playback, and
            // the idle time is not viewing (touching it would have counted that time as watched).
            retire(sighting.playerId(), known);
        }
        sweepIfDue(t);
        String id = sighting.playerId();
        if (viewers.size() >= maxViewers || !tickets.containsKey(sighting.ticketKey()) && !roomForTicket(t)) {
            refuse(t);
            return;
        }
        Viewer fresh = new Viewer(sighting, t);
        Viewer raced = viewers.putIfAbsent(id, fresh);
        if (raced != null) {
            raced.touch(t);
            return;
        }
        // Per key, atomically with the sweep's removal of idle figures, so no viewer is indexed in
        // figures that were just dropped.
        tickets.compute(sighting.ticketKey(), (k, f) -> {
            Figures figures = f != null ? f : new Figures(t);
            synchronized (figures) {
                figures.live.add(id);
                figures.playbacks++;
            }
            return figures;
        });
    }

    /**
     * The first branch of {@link #seen}: a held viewer still active is only touched; one idle past
     * the window is left to {@code seen} (false), which counts it as a new playback.
     */
    @Override
    public boolean seenAgain(String playerId, Instant now) {
        Viewer known = viewers.get(playerId);
        long t = now.toEpochMilli();
        if (known == null || !known.activeAt(t, windowMillis)) {
            return false;
        }
        known.touch(t);
        return true;
    }

    @Override
    public List<ViewerTally> tally(Instant now) {
        long t = now.toEpochMilli();
        sweepIfDue(t);
        Map<Group, int[]> counts = new HashMap<>();
        for (Viewer v : viewers.values()) {
            if (v.activeAt(t, windowMillis)) {
                counts.computeIfAbsent(new Group(v.app, v.video, v.format, v.ipv6), g -> new int[1])[0]++;
            }
        }
        List<ViewerTally> out = new ArrayList<>(counts.size());
        counts.forEach((g, n) -> out.add(new ViewerTally(g.app, g.video, g.format, g.ipv6, n[0])));
        out.sort(Comparator.comparing(ViewerTally::app).thenComparing(ViewerTally::video)
                .thenComparing(ViewerTally::format).thenComparing(ViewerTally::ipv6));
        return out;
    }

    @Override
    public int activeOf(String ticketKey, String exceptPlayerId, Instant now) {
        Figures f = tickets.get(ticketKey);
        if (f == null) {
            return 0;
        }
        long t = now.toEpochMilli();
        int n = 0;
        for (String id : f.live) {
            Viewer v = viewers.get(id);
            if (v != null && v.activeAt(t, windowMillis) && !id.equals(exceptPlayerId)) {
                n++;
            }
        }
        return n;
    }

    @Override
    public TicketViewing ofTicket(String ticketKey, Instant now) {
        long t = now.toEpochMilli();
        sweepIfDue(t);
        Figures f = tickets.get(ticketKey);
        if (f == null) {
            return new TicketViewing(0, 0, 0);
        }
        int active = 0;
        long millis;
        int playbacks;
        synchronized (f) { // the figures of one ticket, against the sweep moving a viewer's seconds into them
            millis = f.closedMillis;
            playbacks = f.playbacks;
            for (String id : f.live) {
                Viewer v = viewers.get(id);
                if (v != null) {
                    millis += v.last - v.first;
                    active += v.activeAt(t, windowMillis) ? 1 : 0;
                }
            }
        }
        return new TicketViewing(active, playbacks, millis / 1000);
    }

    /** @return the viewers kept now (active or not yet swept) */
    public int size() {
        return viewers.size();
    }

    /** @return how many new viewers were not recorded because a bound was reached */
    public long refusedSightings() {
        return refused.get();
    }

    @Override
    public void close() {
        viewers.clear();
        tickets.clear();
    }

    private void refuse(long t) {
        long n = refused.incrementAndGet();
        long due = nextLog.get();
        if (t >= due && nextLog.compareAndSet(due, t + LOG_EVERY_MILLIS)) {
            long since = n - refusedLogged.getAndSet(n);
            LOG.log(System.Logger.Level.WARNING, "viewer store full (" + maxViewers + " viewers, " + maxTickets
                    + " tickets): " + since + " new viewer(s) not counted since the last report, " + n + " in all");
        }
    }

    /** The ticket table is full: drop the longest idle figures now, if the sweep is not already running. */
    private boolean roomForTicket(long t) {
        if (tickets.size() < maxTickets) {
            return true;
        }
        trySweep(t);
        return tickets.size() < maxTickets;
    }

    private void sweepIfDue(long t) {
        long due = nextSweep.get();
        if (t >= due && nextSweep.compareAndSet(due, t + Math.max(1, windowMillis / 2))) {
            trySweep(t);
        }
    }

    /** Sweeps unless another thread is sweeping (then it does the work). */
    private void trySweep(long t) {
        if (sweeping.compareAndSet(false, true)) {
            try {
                sweep(t);
            } finally {
                sweeping.set(false);
            }
        }
    }

    private void sweep(long t) {
        for (Map.Entry<String, Viewer> e : viewers.entrySet()) {
            Viewer v = e.getValue();
            if (!v.activeAt(t, windowMillis)) {
                retire(e.getKey(), v);
            }
        }
        long forgetBefore = t - retentionMillis;
        List<Map.Entry<String, Figures>> idle = new ArrayList<>();
        for (Map.Entry<String, Figures> e : tickets.entrySet()) {
            Figures f = e.getValue();
            if (f.live.isEmpty()) {
                if (f.last < forgetBefore) {
                    tickets.computeIfPresent(e.getKey(), (k, g) -> g.live.isEmpty() && g.last < forgetBefore ? null : g);
                } else {
                    idle.add(e);
                }
            }
        }
        int over = tickets.size() - (maxTickets - maxTickets / 10);
        if (over > 0 && tickets.size() >= maxTickets) {
            // Full: the figures idle longest make room, down to nine tenths of the bound.
            idle.sort(Comparator.comparingLong(e -> e.getValue().last));
            for (int i = 0; i < Math.min(over, idle.size()); i++) {
                tickets.computeIfPresent(idle.get(i).getKey(), (k, g) -> g.live.isEmpty() ? null : g);
            }
        }
    }

    /**
     * Forgets viewer {@code id} (unless another thread did, or replaced it), its seconds going to
     * its ticket's figures: what the sweep does to every viewer no longer active, and what a
     * sighting of one not yet swept does before counting the player anew.
     */
    private void retire(String id, Viewer v) {
        if (viewers.remove(id, v)) {
            tickets.computeIfPresent(v.ticketKey, (k, f) -> {
                synchronized (f) {
                    f.live.remove(id);
                    f.closedMillis += v.last - v.first;
                    f.last = Math.max(f.last, v.last);
                }
                return f;
            });
        }
    }

    /** One player instance, and when it was first and last seen. */
    private static final class Viewer {
        private static final VarHandle LAST;

        static {
            try {
                LAST = MethodHandles.lookup().findVarHandle(Viewer.class, "last", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        final String ticketKey;
        final String app;
        final String video;
        final Format format;
        final boolean ipv6;
        final long first;
        volatile long last;

        Viewer(Sighting s, long t) {
            this.ticketKey = s.ticketKey();
            this.app = s.app();
            this.video = s.video();
            this.format = s.format();
            this.ipv6 = s.network().isV6();
            this.first = t;
            this.last = t;
        }

        /** Moves the latest sighting forward, never back (requests of one player may finish out of order). */
        void touch(long t) {
            long seen = last;
            while (seen < t && !LAST.compareAndSet(this, seen, t)) {
                seen = last;
            }
        }

        boolean activeAt(long t, long windowMillis) {
            return t - last < windowMillis;
        }
    }

    /** A ticket's figures: its viewers kept now, its playbacks, the seconds of its forgotten viewers. */
    private static final class Figures {
        final Set<String> live = ConcurrentHashMap.newKeySet();
        int playbacks;
        long closedMillis;
        long last;

        Figures(long t) {
            this.last = t;
        }
    }

    private record Group(String app, String video, Format format, boolean ipv6) {
        Group {
            Objects.requireNonNull(app);
        }
    }
}
