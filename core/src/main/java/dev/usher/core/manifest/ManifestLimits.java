package dev.usher.core.manifest;

import java.time.Duration;
import java.util.Objects;

/**
 * How much work one manifest rewrite may cost. A manifest that would exceed any bound is refused
 * ({@link ManifestTooLargeException} for sizes, {@link ManifestException} for the rest), never
 * answered in part: the output size is known, and checked, before the first byte is written.
 *
 * @param maxInputBytes  the largest manifest read
 * @param maxOutputBytes the largest rewritten manifest produced: inserting a credential into every
 *                       short line of a playlist multiplies its size (4 MB of one-byte URIs would
 *                       become hundreds of MB), so the output is bounded separately from the input
 * @param maxElements    the most XML elements of an MPD (DASH only)
 * @param maxDepth       the deepest element nesting of an MPD (DASH only); real MPDs are under 10
 * @param maxTime        the most CPU time one DASH rewrite may use (checked as it parses, marks
 *                       and writes; wall time where the JVM can't measure a thread's CPU time);
 *                       HLS is linear in its bounded input and needs no clock
 */
public record ManifestLimits(int maxInputBytes, long maxOutputBytes, int maxElements, int maxDepth, Duration maxTime) {

    /** 100,000 elements: a two-hour SegmentList of 2 s segments in 10 representations is 36,000. */
    public static final int DEFAULT_MAX_ELEMENTS = 100_000;
    /** 64 levels of nesting. */
    public static final int DEFAULT_MAX_DEPTH = 64;
    /** 2 seconds of CPU per DASH rewrite. */
    public static final Duration DEFAULT_MAX_TIME = Duration.ofSeconds(2);

    /** 4 MiB in, 4 MiB out, and the default element, depth and time bounds. */
    public static final ManifestLimits DEFAULT = ofBytes(ManifestRewriter.DEFAULT_MAX_BYTES);

    public ManifestLimits {
        Objects.requireNonNull(maxTime, "maxTime");
        if (maxInputBytes < 1 || maxOutputBytes < 1 || maxElements < 1 || maxDepth < 1 || maxTime.isNegative()) {
            throw new IllegalArgumentException("manifest limits must be positive");
        }
    }

    /** @throws ManifestTooLargeException when a manifest of {@code length} bytes is over {@link #maxInputBytes()} */
    public void checkInput(long length) {
        if (length > maxInputBytes) {
            throw new ManifestTooLargeException(maxInputBytes);
        }
    }

    /** @throws ManifestTooLargeException when a rewritten manifest of {@code size} bytes would be over {@link #maxOutputBytes()} */
    public void checkOutput(long size) {
        if (size > maxOutputBytes) {
            throw new ManifestTooLargeException(maxOutputBytes, true);
        }
    }

    /** @return limits with {@code maxBytes} for both input and output, and the other defaults */
    public static ManifestLimits ofBytes(int maxBytes) {
        return new ManifestLimits(maxBytes, maxBytes, DEFAULT_MAX_ELEMENTS, DEFAULT_MAX_DEPTH, DEFAULT_MAX_TIME);
    }
}
