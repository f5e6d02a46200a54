package dev.usher.core.log;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Refusals logged at a bounded rate: the first refusal of each kind is always written, then at most
 * one line per kind per interval, carrying how many of that kind were left out since the last line.
 * Under a flood of refused requests (an attacker, a misconfigured player) the log grows by a few
 * lines a minute instead of one per request, and no kind of refusal goes unseen.
 *
 * <p>The kind is chosen by the caller (a status and a reason, never client text); past
 * {@value #MAX_KINDS} kinds, the rest share one, so the table itself is bounded.
 */
public final class RefusalLog {

    /** Kinds remembered; a flood of distinct kinds shares the last one. */
    public static final int MAX_KINDS = 256;
    private static final String OTHER = "(other kinds)";

    private static final class Window {
        long lastWritten;
        long skipped;
    }

    private final Duration interval;
    private final LongSupplier nanoTime;
    private final Consumer<String> sink;
    private final Map<String, Window> kinds = new ConcurrentHashMap<>();

    /**
     * @param interval at most one line per kind per interval after the first
     * @param nanoTime the clock ({@link System#nanoTime} outside tests)
     * @param sink     where lines go (a logger at INFO)
     */
    public RefusalLog(Duration interval, LongSupplier nanoTime, Consumer<String> sink) {
        this.interval = Objects.requireNonNull(interval);
        this.nanoTime = Objects.requireNonNull(nanoTime);
        this.sink = Objects.requireNonNull(sink);
    }

    /** One line per kind per ten seconds, to {@code logger} at INFO. */
    public static RefusalLog every10Seconds(System.Logger logger) {
        return new RefusalLog(Duration.ofSeconds(10), System::nanoTime, line -> logger.log(System.Logger.Level.INFO, line));
    }

    /**
     * Notes one refusal; writes {@code line} (built only when written) if its kind is due.
     *
     * @param kind a bounded label, e.g. {@code "403 Invalid IP Address"}
     */
    public void refused(String kind, Supplier<String> line) {
        String k = kinds.size() >= MAX_KINDS && !kinds.containsKey(kind) ? OTHER : kind;
        Window w = kinds.computeIfAbsent(k, x -> new Window());
        long now = nanoTime.getAsLong();
        long skipped;
        synchronized (w) {
            boolean first = w.lastWritten == 0 && w.skipped == 0;
            if (!first && now - w.lastWritten < interval.toNanos()) {
                w.skipped++;
                return;
            }
            skipped = w.skipped;
            w.skipped = 0;
            w.lastWritten = now == 0 ? 1 : now;
        }
        sink.accept(skipped == 0 ? line.get() : line.get() + " (and " + skipped + " more like it since the last line)");
    }
}
