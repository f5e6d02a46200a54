package dev.usher.core.live;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * What happened to encoders' uploads that were refused or failed. An encoder never acts on an
 * HTTP error (ffmpeg exits 0 after a 401), so this log is where an operator sees why a stream is
 * not live. Bounded: the newest {@code capacity} entries are kept.
 */
public final class PublisherLog {

    /**
     * @param status the HTTP status answered (401, 403, 409, 413, 507, 400…)
     * @param reason why, never a password
     */
    public record Entry(Instant time, String app, String stream, String file, String method, int status, String ip,
                        String user, String reason) {
    }

    public static final int DEFAULT_CAPACITY = 10_000;

    private final Deque<Entry> entries = new ArrayDeque<>();
    private final int capacity;

    public PublisherLog(int capacity) {
        this.capacity = capacity;
    }

    public synchronized void add(Entry e) {
        if (entries.size() == capacity) {
            entries.removeFirst();
        }
        entries.addLast(e);
    }

    /**
     * @param apps   the apps the reader may see (its stream users' apps)
     * @param stream one stream, or null for all
     * @return the newest entries first, at most {@code limit}
     */
    public synchronized List<Entry> read(java.util.Set<String> apps, String app, String stream, int limit) {
        List<Entry> out = new ArrayList<>();
        for (var it = entries.descendingIterator(); it.hasNext() && out.size() < limit; ) {
            Entry e = it.next();
            if (apps.contains(e.app()) && (app == null || e.app().equals(app)) && (stream == null || e.stream().equals(stream))) {
                out.add(e);
            }
        }
        return out;
    }
}
