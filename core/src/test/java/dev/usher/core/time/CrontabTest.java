package dev.usher.core.time;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Crontab expressions as crontab(5) reads them, and what the schedules of recordings need. */
class CrontabTest {

    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static List<Instant> firings(String expression, ZoneId zone, String after, int count) {
        return Crontab.parse(expression).nextFirings(Instant.parse(after), zone, count);
    }

    private static List<Instant> instants(String... texts) {
        return java.util.Arrays.stream(texts).map(Instant::parse).toList();
    }

    @Test
    void everyQuarterHour() {
        assertEquals(instants("2026-12-01T10:15:00Z", "2026-12-01T10:30:00Z", "2026-12-01T10:45:00Z", "2026-12-01T11:00:00Z"),
                firings("*/15 * * * *", UTC, "2026-12-01T10:00:00Z", 4), "strictly after: 10:00 itself is not next");
    }

    @Test
    void rangesWithStepsListsAndNames() {
        assertEquals(instants("2026-12-01T10:00:00Z", "2026-12-01T10:20:00Z", "2026-12-01T10:40:00Z"),
                firings("0-59/20 10 * * *", UTC, "2026-12-01T09:59:00Z", 3));
        // 2026-12-04 is a Friday; MON-FRI at 09:30 skips the weekend.
        assertEquals(instants("2026-12-04T09:30:00Z", "2026-12-07T09:30:00Z"),
                firings("30 9 * * mon-FRI", UTC, "2026-12-03T09:30:00Z", 2));
        assertEquals(instants("2027-01-01T00:00:00Z", "2027-03-01T00:00:00Z"), firings("0 0 1 JAN,mar *", UTC, "2026-12-01T00:00:00Z", 2));
        // a/n runs to the end of the field.
        assertEquals(instants("2026-12-01T22:00:00Z", "2026-12-02T22:00:00Z"), firings("0 22/5 * * *", UTC, "2026-12-01T12:00:00Z", 2));
    }

    @Test
    void sundayIsZeroAndSeven() {
        // 2026-12-06 is a Sunday.
        for (String sunday : List.of("0", "7", "SUN", "sun", "6-7", "0-0")) {
            List<Instant> f = firings("0 12 * * " + sunday, UTC, "2026-12-04T00:00:00Z", 1);
            assertTrue(f.get(0).equals(Instant.parse("2026-12-05T12:00:00Z")) && sunday.equals("6-7")
                    || f.get(0).equals(Instant.parse("2026-12-06T12:00:00Z")), sunday + " -> " + f);
        }
        assertEquals(instants("2026-12-06T12:00:00Z", "2026-12-08T12:00:00Z"), firings("0 12 * * */2", UTC, "2026-12-05T13:00:00Z", 2),
                "*/2 in day of week is Sunday, Tuesday, Thursday, Saturday");
    }

    @Test
    void dayOfMonthAndDayOfWeekRestrictedTogetherMeanEither() {
        // The 13th, or any Friday: 2026-12-04 is a Friday, 2026-12-13 a Sunday.
        assertEquals(instants("2026-12-04T00:00:00Z", "2026-12-11T00:00:00Z", "2026-12-13T00:00:00Z", "2026-12-18T00:00:00Z"),
                firings("0 0 13 * 5", UTC, "2026-12-01T00:00:00Z", 4));
        // With one of them *, both must hold: Fridays only (the 13th is not special).
        assertEquals(instants("2026-12-04T00:00:00Z", "2026-12-11T00:00:00Z", "2026-12-18T00:00:00Z"),
                firings("0 0 * * 5", UTC, "2026-12-01T00:00:00Z", 3));
        // */1 starts with *, so it does not restrict (Vixie cron's rule): the 13th only.
        assertEquals(instants("2027-01-13T00:00:00Z"), firings("0 0 13 * */1", UTC, "2026-12-14T00:00:00Z", 1));
    }

    @Test
    void anExpressionThatNeverFiresHasNoNextFiring() {
        for (String never : List.of("0 0 31 2 *", "0 0 30 2 *", "0 0 31 4,6,9,11 *")) {
            assertEquals(Optional.empty(), Crontab.parse(never).nextAfter(Instant.parse("2026-12-01T00:00:00Z"), UTC), never);
            assertFalse(Crontab.parse(never).firesAfter(Instant.parse("2026-12-01T00:00:00Z"), UTC), never);
        }
        // February 31st or any Monday in February: fires (either day rule).
        assertEquals(instants("2027-02-01T00:00:00Z"), firings("0 0 31 2 1", UTC, "2026-12-01T00:00:00Z", 1));
        // Leap day: within four years.
        assertEquals(instants("2028-02-29T00:00:00Z"), firings("0 0 29 2 *", UTC, "2026-12-01T00:00:00Z", 1));
    }

    @Test
    void aTimeSkippedBySpringForwardFiresOnceWhenTheClocksJump() {
        // New York, 2026-03-08: 02:00 EST jumps to 03:00 EDT (07:00Z). 02:00, 02:15, 02:30, 02:45 all
        // fall in the gap: one firing at the jump, then 03:00 EDT is the same instant, then 03:15.
        assertEquals(instants("2026-03-08T07:00:00Z", "2026-03-08T07:15:00Z"),
                firings("*/15 2,3 * * *", NEW_YORK, "2026-03-08T06:50:00Z", 2));
        assertEquals(instants("2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"), firings("30 2 * * *", NEW_YORK, "2026-03-08T05:00:00Z", 2));
    }

    @Test
    void aTimeRepeatedByFallBackFiresOnce() {
        // New York, 2026-11-01: 02:00 EDT falls back to 01:00 EST (06:00Z); 01:30 happens twice.
        assertEquals(instants("2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"), firings("30 1 * * *", NEW_YORK, "2026-11-01T04:00:00Z", 2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * 32 * *", "* * * 13 *",
            "* * * * 8", "*/0 * * * *", "5-1 * * * *", "a * * * *", "* * * FOO *", "* * * * MONDAY", "1,,2 * * * *",
            "@daily", "0 0 L * *", "0 0 ? * *", "0 0 * * 1#2", "0 0 15W * *", "-1 * * * *", "*/61 * * * *",
            "1-2-3 * * * *", "00000001 * * * *"})
    void malformedExpressionsAreRefusedNamingTheField(String expression) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Crontab.parse(expression));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void problemsNameTheirField() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Crontab.parse("0 25 * * *")).getMessage().startsWith("hour: 25"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Crontab.parse("0 0 * JUNE *")).getMessage().startsWith("month:"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Crontab.parse("x".repeat(300))).getMessage().contains("at most"));
    }

    @Test
    void whitespaceBetweenFieldsIsFree() {
        assertEquals("*/5 * * * *", Crontab.parse("  */5 \t*  * * *  ").text());
    }
}
