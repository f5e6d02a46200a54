package dev.usher.core.io;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.usher.core.io.BodyLimits.Verdict.EXPIRED;
import static dev.usher.core.io.BodyLimits.Verdict.OK;
import static dev.usher.core.io.BodyLimits.Verdict.TOO_LARGE;
import static dev.usher.core.io.BodyLimits.Verdict.TOO_SLOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BodyLimitsTest {

    static final long S = 1_000_000_000L;
    final BodyLimits limits = new BodyLimits(1000, Duration.ofSeconds(10), 100, Duration.ofSeconds(1));

    @Test
    void sizeThenDeadlineThenRate() {
        assertEquals(OK, limits.check(0, 0));
        assertEquals(OK, limits.check(1000, 9 * S));
        assertEquals(TOO_LARGE, limits.check(1001, 0));
        assertEquals(TOO_LARGE, limits.check(1001, 20 * S));
        assertEquals(EXPIRED, limits.check(999, 10 * S));
        assertEquals(EXPIRED, limits.check(0, Long.MAX_VALUE));
    }

    /** One byte every 8 s, as the attack on the sample sent, is refused on the first byte past the grace. */
    @Test
    void aTrickleIsTooSlow() {
        assertEquals(OK, limits.check(0, S));         // within the grace
        assertEquals(OK, limits.check(100, 2 * S));    // exactly 100 bytes/s after the grace
        assertEquals(TOO_SLOW, limits.check(99, 2 * S));
        assertEquals(TOO_SLOW, limits.check(1, 8 * S));
        assertEquals(OK, limits.check(0, -5 * S));     // a clock that went back counts as no time
    }

    @Test
    void noRateBound() {
        BodyLimits noRate = new BodyLimits(10, Duration.ofSeconds(1), 0, Duration.ZERO);
        assertEquals(OK, noRate.check(0, S - 1));
        assertEquals(EXPIRED, noRate.check(0, S));
    }

    @Test
    void extremesDoNotOverflow() {
        BodyLimits fast = new BodyLimits(Integer.MAX_VALUE, BodyLimits.MAX_TIMEOUT, BodyLimits.MAX_RATE, Duration.ZERO);
        assertEquals(OK, fast.check(Integer.MAX_VALUE, 2 * S - 1)); // 2^31 bytes in < 2 s is > 2^30 bytes/s
        assertEquals(TOO_SLOW, fast.check(Integer.MAX_VALUE, 3 * S));
        assertEquals(TOO_SLOW, fast.check(0, BodyLimits.MAX_TIMEOUT.toNanos() - 1));
    }

    @Test
    void badLimitsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new BodyLimits(-1, Duration.ofSeconds(1), 0, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new BodyLimits(1, Duration.ZERO, 0, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new BodyLimits(1, Duration.ofHours(1), 0, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new BodyLimits(1, Duration.ofSeconds(1), -1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new BodyLimits(1, Duration.ofSeconds(1), 0, Duration.ofSeconds(2)));
    }
}
