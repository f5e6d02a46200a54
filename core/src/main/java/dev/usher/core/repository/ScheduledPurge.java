package dev.usher.core.repository;

import dev.usher.core.config.ConfigReader;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link TicketRepository#purge} on a timer of its own, so old attempts and long-expired
 * tickets go away whether or not tickets are being issued (a purge that ran only on issue let a
 * flooded store grow while nobody issued). Whoever builds the repository for an application
 * starts one with it and closes it when the application stops; the servlet runtime does.
 *
 * <p>One daemon thread; a failed purge (a database down) is logged and tried again at the next
 * tick; closing waits for a purge in flight, so it does not outlive the connection pool.
 */
public final class ScheduledPurge implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ScheduledPurge.class.getName());

    /** The default time between purges. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);

    private final ScheduledExecutorService timer;

    private ScheduledPurge(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /**
     * Starts purging {@code repository} every {@code interval}, the first time one interval from now.
     *
     * @param interval zero disables purging: the returned handle does nothing
     */
    public static ScheduledPurge start(TicketRepository repository, Clock clock, Duration interval) {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(clock, "clock");
        if (interval.isNegative()) {
            throw new IllegalArgumentException("the purge interval must not be negative");
        }
        if (interval.isZero()) {
            return new ScheduledPurge(null);
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "usher-purge");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, interval.toMillis());
        timer.scheduleWithFixedDelay(() -> purgeOnce(repository, clock), every, every, TimeUnit.MILLISECONDS);
        return new ScheduledPurge(timer);
    }

    /** Purges once now, logging rather than throwing a failure. @return the tickets removed, or -1 on failure */
    public static int purgeOnce(TicketRepository repository, Clock clock) {
        try {
            return repository.purge(clock.instant());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "purging old tickets and attempts failed; trying again later", e);
            return -1;
        }
    }

    /**
     * Reads {@code usher.purge-interval} (default 10m; 0 disables purging), falling back to the
     * older {@code usher.jdbc.purge-interval}.
     */
    public static Duration interval(ConfigReader config) {
        Duration older = config.duration("usher.jdbc.purge-interval", DEFAULT_INTERVAL);
        return config.duration("usher.purge-interval", older);
    }

    /** @return whether a timer is running */
    public boolean running() {
        return timer != null && !timer.isShutdown();
    }

    @Override
    public void close() {
        if (timer == null) {
            return;
        }
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
