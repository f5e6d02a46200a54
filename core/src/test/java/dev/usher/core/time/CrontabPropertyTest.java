package dev.usher.core.time;

import dev.usher.core.testing.RandomInputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Crontab#nextAfter} against an independent reference: the reference reads each field's text
 * item by item for every value (no sets), and walks time forward one whole minute at a time in
 * instants (not local times), deciding for each instant whether it is a firing under the documented
 * daylight-saving rule. Zones with ordinary, half-hour and midnight transitions; start times around
 * transitions most of the time.
 */
class CrontabPropertyTest {

    private static final List<ZoneId> ZONES = List.of(ZoneId.of("UTC"), ZoneId.of("America/New_York"),
            ZoneId.of("Europe/Berlin"), ZoneId.of("Australia/Lord_Howe"), ZoneId.of("Asia/Kathmandu"),
            ZoneId.of("America/Havana"), ZoneId.of("America/Santiago"), ZoneId.of("Europe/London"));
    /** How far the reference walks; cases whose answer lies beyond it compare only up to it. */
    private static final Duration REFERENCE_HORIZON = Duration.ofDays(800);

    record Case(String expression, ZoneId zone, Instant after) {
    }

    @Test
    void nextFiringMatchesTheMinuteByMinuteReference(TestInfo info) {
        List<Case> edges = List.of(
                new Case("30 2 * * *", ZoneId.of("America/New_York"), Instant.parse("2026-03-08T06:00:00Z")),
                new Case("*/15 2 * * *", ZoneId.of("America/New_York"), Instant.parse("2026-03-08T06:50:00Z")),
                new Case("30 1 * * *", ZoneId.of("America/New_York"), Instant.parse("2026-11-01T05:31:00Z")),
                new Case("*/10 1 * * *", ZoneId.of("America/New_York"), Instant.parse("2026-11-01T05:55:00Z")),
                new Case("0 0 * * *", ZoneId.of("America/Havana"), Instant.parse("2026-03-07T12:00:00Z")),
                new Case("15 2 * * *", ZoneId.of("Australia/Lord_Howe"), Instant.parse("2026-10-03T12:00:00Z")),
                new Case("0 0 29 2 *", ZoneId.of("UTC"), Instant.parse("2026-03-01T00:00:00Z")),
                new Case("0 0 31 2 1", ZoneId.of("Europe/Berlin"), Instant.parse("2026-01-01T00:00:00Z")),
                new Case("0-59/20 */2 * * */2", ZoneId.of("Europe/London"), Instant.parse("2026-03-29T00:30:00Z")));
        RandomInputs.forTest(info).check(400, edges, CrontabPropertyTest::randomCase, c -> {
            Optional<Instant> actual = Crontab.parse(c.expression()).nextAfter(c.after(), c.zone());
            Optional<Instant> expected = Reference.nextAfter(c.expression(), c.zone(), c.after(), REFERENCE_HORIZON);
            if (expected.isEmpty()) {
                assertTrue(actual.isEmpty() || actual.get().isAfter(c.after().plus(REFERENCE_HORIZON)),
                        "the reference found no firing within its horizon, the crontab found " + actual);
            } else {
                assertEquals(expected, actual);
            }
        });
    }

    @Test
    void successiveFiringsAreStrictlyIncreasingAndEachIsAMatch(TestInfo info) {
        RandomInputs.forTest(info).check(150, List.of(), CrontabPropertyTest::randomCase, c -> {
            Crontab crontab = Crontab.parse(c.expression());
            Instant previous = c.after();
            for (Instant firing : crontab.nextFirings(c.after(), c.zone(), 20)) {
                assertTrue(firing.isAfter(previous), firing + " after " + previous);
                assertEquals(0, firing.getEpochSecond() % 60, "firings are on whole minutes: " + firing);
                assertEquals(Reference.nextAfter(c.expression(), c.zone(), previous, REFERENCE_HORIZON), Optional.of(firing));
                previous = firing;
            }
        });
    }

    private static Case randomCase(RandomInputs r) {
        ZoneId zone = r.oneOf(ZONES);
        Instant after;
        if (r.oneIn(4)) {
            after = Instant.parse("2024-01-01T00:00:00Z").plusSeconds(r.uniform(0, 8 * 365 * 24 * 60) * 60L + r.uniform(0, 59));
        } else {
            // Near a daylight-saving transition: that is where the rules differ.
            ZoneRules rules = zone.getRules();
            Instant base = Instant.parse("2024-01-01T00:00:00Z").plus(Duration.ofDays(r.uniform(0, 8 * 365)));
            ZoneOffsetTransition t = rules.nextTransition(base);
            Instant around = t == null ? base : t.getInstant();
            after = around.plusSeconds(r.uniform(-4 * 3600, 4 * 3600));
        }
        return new Case(randomExpression(r), zone, after);
    }

    private static String randomExpression(RandomInputs r) {
        return String.join(" ",
                field(r, 0, 59, null),
                field(r, 0, 23, null),
                r.oneIn(3) ? "*" : field(r, 1, 31, null),
                r.oneIn(2) ? "*" : field(r, 1, 12, new String[] {"jan", "FEB", "Mar", "APR", "may", "JUN", "jul", "AUG", "sep", "OCT", "nov", "DEC"}),
                r.oneIn(2) ? "*" : field(r, 0, 7, new String[] {"SUN", "mon", "TUE", "wed", "THU", "fri", "SAT"}));
    }

    private static String field(RandomInputs r, int min, int max, String[] names) {
        int items = r.oneIn(3) ? r.uniform(2, 3) : 1;
        List<String> out = new ArrayList<>();
        for (int i = 0; i < items; i++) {
            out.add(item(r, min, max, names));
        }
        return String.join(",", out);
    }

    private static String item(RandomInputs r, int min, int max, String[] names) {
        int a = r.uniform(min, max);
        int b = r.uniform(a, max);
        String na = name(r, a, min, names);
        String nb = name(r, b, min, names);
        return switch (r.uniform(0, 5)) {
            case 0 -> "*";
            case 1 -> na;
            case 2 -> na + "-" + nb;
            case 3 -> "*/" + r.uniform(1, Math.min(max - min + 1, 30));
            case 4 -> na + "-" + nb + "/" + r.uniform(1, Math.max(1, b - a + 1));
            default -> na + "/" + r.uniform(1, Math.min(20, max - min + 1));
        };
    }

    private static String name(RandomInputs r, int value, int min, String[] names) {
        // Day of week 7 has no name of its own (SUN is 0, so FRI-SUN would run backwards).
        return names != null && value - min < names.length && r.oneIn(3) ? names[value - min] : String.valueOf(value);
    }

    /** The independent implementation: field texts read item by item, time walked in instants. */
    static final class Reference {

        static Optional<Instant> nextAfter(String expression, ZoneId zone, Instant after, Duration horizon) {
            String[] f = expression.trim().split("\\s+");
            ZoneRules rules = zone.getRules();
            Instant t = after.truncatedTo(ChronoUnit.MINUTES).plus(1, ChronoUnit.MINUTES);
            Instant end = after.plus(horizon);
            while (!t.isAfter(end)) {
                LocalDateTime local = LocalDateTime.ofInstant(t, zone);
                ZoneOffsetTransition jump = gapStartingAt(rules, t);
                if (jump != null) {
                    // Every local time the gap skipped fires here, and so does the time after it.
                    for (LocalDateTime l = jump.getDateTimeBefore(); l.isBefore(jump.getDateTimeAfter()); l = l.plusMinutes(1)) {
                        if (matches(f, l)) {
                            return Optional.of(t);
                        }
                    }
                }
                if (!dayMatches(f, local.toLocalDate())) {
                    // Next local midnight (a gap there lands on its transition, handled above).
                    t = ZonedDateTime.of(local.toLocalDate().plusDays(1).atStartOfDay(), zone).toInstant();
                    continue;
                }
                if (matches(f, local) && isFirstOccurrence(rules, local, t)) {
                    return Optional.of(t);
                }
                t = t.plus(1, ChronoUnit.MINUTES);
            }
            return Optional.empty();
        }

        private static ZoneOffsetTransition gapStartingAt(ZoneRules rules, Instant t) {
            ZoneOffsetTransition tr = rules.nextTransition(t.minusNanos(1));
            return tr != null && tr.getInstant().equals(t) && tr.isGap() ? tr : null;
        }

        private static boolean isFirstOccurrence(ZoneRules rules, LocalDateTime local, Instant t) {
            List<ZoneOffset> offsets = rules.getValidOffsets(local);
            if (offsets.size() < 2) {
                return true;
            }
            ZoneOffset larger = offsets.get(0).getTotalSeconds() > offsets.get(1).getTotalSeconds() ? offsets.get(0) : offsets.get(1);
            return rules.getOffset(t).equals(larger);
        }

        static boolean matches(String[] f, LocalDateTime l) {
            return field(f[0], l.getMinute(), 0, 59, false) && field(f[1], l.getHour(), 0, 23, false) && dayMatches(f, l.toLocalDate());
        }

        static boolean dayMatches(String[] f, LocalDate d) {
            if (!field(f[3], d.getMonthValue(), 1, 12, false)) {
                return false;
            }
            boolean dom = field(f[2], d.getDayOfMonth(), 1, 31, false);
            int dowValue = d.getDayOfWeek().getValue() % 7;
            boolean dow = field(f[4], dowValue, 0, 7, true) || (dowValue == 0 && field(f[4], 7, 0, 7, true));
            boolean domStar = f[2].charAt(0) == '*';
            boolean dowStar = f[4].charAt(0) == '*';
            return !domStar && !dowStar ? dom || dow : dom && dow;
        }

        /** Whether {@code value} is in the field, reading each item for this one value. */
        static boolean field(String text, int value, int min, int max, boolean dayOfWeek) {
            int end = dayOfWeek ? 6 : max;
            for (String item : text.split(",")) {
                String[] stepped = item.split("/");
                int step = stepped.length > 1 ? Integer.parseInt(stepped[1]) : 1;
                String range = stepped[0];
                int lo;
                int hi;
                if (range.equals("*")) {
                    lo = min;
                    hi = end;
                } else if (range.contains("-")) {
                    lo = value(range.split("-")[0], dayOfWeek, max);
                    hi = value(range.split("-")[1], dayOfWeek, max);
                } else {
                    lo = value(range, dayOfWeek, max);
                    hi = stepped.length > 1 ? end : lo;
                }
                if (value >= lo && value <= hi && (value - lo) % step == 0) {
                    return true;
                }
            }
            return false;
        }

        private static int value(String s, boolean dayOfWeek, int max) {
            String u = s.toUpperCase(Locale.ROOT);
            String[] names = max == 12 ? new String[] {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
                    : dayOfWeek ? new String[] {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"} : new String[0];
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(u)) {
                    return max == 12 ? i + 1 : i;
                }
            }
            return Integer.parseInt(s);
        }
    }
}
