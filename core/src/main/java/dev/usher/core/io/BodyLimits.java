package dev.usher.core.io;

import java.time.Duration;

/**
 * How much of a request body Usher waits for, and how long: a size bound, a total deadline counted
 * from the start of the request, and a minimum data rate. Every body Usher reads (the API's
 * commands and v2 resources now, an encoder's ingest later) is read under limits like these, so a
 * client that trickles bytes cannot hold a connection, a buffer or a thread for longer than the
 * deadline. A container's idle timeout is no such bound: it restarts with every byte received.
 *
 * <p>The rate is judged on the average since the start, after a grace period (connection set-up and
 * a client's first write): by {@code elapsed} the body must have brought at least
 * {@code minBytesPerSecond × (elapsed − grace)} bytes. Pure and immutable; the transport measures
 * time and calls {@link #check}.
 *
 * @param maxBytes          longest body accepted
 * @param timeout           the whole body must have arrived within this, from the first read
 * @param minBytesPerSecond the average rate below which a body is refused (0: no rate bound)
 * @param grace             how long the rate is not judged
 */
public record BodyLimits(int maxBytes, Duration timeout, long minBytesPerSecond, Duration grace) {

    /** Longest deadline accepted: bounds the arithmetic as well as the wait. */
    public static final Duration MAX_TIMEOUT = Duration.ofMinutes(10);
    /** Highest rate accepted, in bytes per second. */
    public static final long MAX_RATE = 1L << 30;
    /** The grace period of the defaults. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(1);

    /** Why a body is (not yet) refused. */
    public enum Verdict {
        /** Within every bound so far. */
        OK,
        /** More bytes than {@link #maxBytes()}. */
        TOO_LARGE,
        /** The deadline passed before the body was complete. */
        EXPIRED,
        /** The average rate fell below {@link #minBytesPerSecond()} after the grace period. */
        TOO_SLOW
    }

    public BodyLimits {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException("the body timeout must lie between 1ns and " + MAX_TIMEOUT);
        }
        if (minBytesPerSecond < 0 || minBytesPerSecond > MAX_RATE) {
            throw new IllegalArgumentException("the minimum body rate must lie between 0 and " + MAX_RATE + " bytes/s");
        }
        if (grace == null || grace.isNegative() || grace.compareTo(timeout) > 0) {
            throw new IllegalArgumentException("the grace period must lie between 0 and the timeout");
        }
    }

    /**
     * Judges a body in progress. Size first (a body that is too large is refused whatever its
     * speed), then the deadline, then the rate.
     *
     * @param bytes        bytes received so far
     * @param elapsedNanos time since the body started (negative values count as 0)
     */
    public Verdict check(long bytes, long elapsedNanos) {
        if (bytes > maxBytes) {
            return Verdict.TOO_LARGE;
        }
        long elapsed = Math.max(0, elapsedNanos);
        if (elapsed >= timeout.toNanos()) {
            return Verdict.EXPIRED;
        }
        long judgedMillis = (elapsed - grace.toNanos()) / 1_000_000L;
        // bytes ≤ maxBytes < 2^31, judged < 10 min = 600,000 ms < 2^20 and rate ≤ 2^30: neither
        // bytes × 1000 nor rate × judged can overflow 2^63.
        if (minBytesPerSecond > 0 && judgedMillis > 0 && bytes * 1000L < minBytesPerSecond * judgedMillis) {
            return Verdict.TOO_SLOW;
        }
        return Verdict.OK;
    }

    /** @return the deadline in nanoseconds, for a timer */
    public long timeoutNanos() {
        return timeout.toNanos();
    }
}
