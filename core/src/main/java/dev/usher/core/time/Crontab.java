package dev.usher.core.time;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A standard five-field crontab expression, as {@code sevu.addstreamuser}'s {@code segment_value}
 * gives it for {@code segment_type=schedule}: {@code minute hour day-of-month month day-of-week}.
 *
 * <p>Each field is {@code *} or a comma-separated list of items; an item is a number, a range
 * {@code a-b}, either of them or {@code *} followed by a step {@code /n} ({@code a/n} runs from
 * {@code a} to the field's end). Months may be named {@code JAN}–{@code DEC}, days of the week
 * {@code SUN}–{@code SAT} (case-insensitive, also inside ranges); day of the week 0 and 7 are both
 * Sunday. As in Vixie cron and cronie, when day of month and day of week are <em>both</em>
 * restricted (neither field starts with {@code *}) a day matches when either matches; otherwise
 * both must. Nicknames ({@code @daily}) and the non-standard {@code L}, {@code W}, {@code #},
 * {@code ?} and seconds fields are refused, so an expression means the same here as in crontab(5).
 *
 * <p>Why not a library: Jakarta Concurrency's {@code CronTrigger} is not crontab (it requires both
 * day fields and refuses {@code 0-59/20} and {@code *}{@code /2} in day of week), and cron-utils accepts
 * {@code 0 0 31 2 *}, which never fires, and would add a logging library to users' WARs. This is
 * 300 lines with no dependency, and its next-firing time is property-tested against an
 * independent minute-by-minute implementation in the tests.
 *
 * <p><b>Daylight saving.</b> Firings are computed in local time of a zone. A local time that a
 * spring-forward gap skips fires once, at the instant the clocks jump (as cronie runs such jobs
 * right after the change), however many firings fall in the gap; a local time that a fall-back
 * overlap repeats fires once, at its first occurrence.
 */
public final class Crontab {

    /** How far {@link #nextAfter} looks: an expression with no firing within it never fires (0011). */
    public static final int HORIZON_YEARS = 5;

    private static final String[] MONTHS = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    private static final String[] DAYS = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};
    /** Longer texts are refused before parsing: a schedule is a few dozen characters. */
    private static final int MAX_LENGTH = 256;

    private final String text;
    private final BitSet minutes;
    private final BitSet hours;
    private final BitSet daysOfMonth;
    private final BitSet months;
    private final BitSet daysOfWeek; // 0..6, Sunday = 0
    private final boolean domRestricted;
    private final boolean dowRestricted;

    private Crontab(String text, BitSet minutes, BitSet hours, BitSet daysOfMonth, BitSet months, BitSet daysOfWeek,
                    boolean domRestricted, boolean dowRestricted) {
        this.text = text;
        this.minutes = minutes;
        this.hours = hours;
        this.daysOfMonth = daysOfMonth;
        this.months = months;
        this.daysOfWeek = daysOfWeek;
        this.domRestricted = domRestricted;
        this.dowRestricted = dowRestricted;
    }

    /**
     * @throws IllegalArgumentException naming the field and what is wrong with it
     */
    public static Crontab parse(String expression) {
        if (expression == null) {
            throw new IllegalArgumentException("no crontab expression");
        }
        if (expression.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a crontab expression has at most " + MAX_LENGTH + " characters");
        }
        String trimmed = expression.strip();
        String[] fields = trimmed.isEmpty() ? new String[0] : trimmed.split("[ \\t]+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("a crontab expression has 5 fields (minute hour day-of-month month day-of-week), not "
                    + fields.length);
        }
        BitSet minutes = field("minute", fields[0], 0, 59, null);
        BitSet hours = field("hour", fields[1], 0, 23, null);
        BitSet dom = field("day of month", fields[2], 1, 31, null);
        BitSet months = field("month", fields[3], 1, 12, MONTHS);
        BitSet dow = field("day of week", fields[4], 0, 7, DAYS);
        if (dow.get(7)) {
            dow.clear(7);
            dow.set(0); // 7 is Sunday too
        }
        return new Crontab(String.join(" ", fields), minutes, hours, dom, months, dow,
                !fields[2].startsWith("*"), !fields[4].startsWith("*"));
    }

    /** @return the expression, its fields separated by one space */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }

    /**
     * @return the first firing strictly after {@code after}, in {@code zone}'s local time; empty when
     *         there is none within {@value #HORIZON_YEARS} years
     */
    public Optional<Instant> nextAfter(Instant after, ZoneId zone) {
        ZoneRules rules = zone.getRules();
        LocalDateTime start = LocalDateTime.ofInstant(after, zone);
        // Local times only grow with their instants here (a gap's times map to its transition, an
        // overlap's to their first occurrence), so the search starts at after's own local date.
        LocalDate day = start.toLocalDate();
        LocalDate last = start.toLocalDate().plusYears(HORIZON_YEARS);
        for (; !day.isAfter(last); day = day.plusDays(1)) {
            if (!dayMatches(day)) {
                continue;
            }
            for (int h = hours.nextSetBit(0); h >= 0; h = hours.nextSetBit(h + 1)) {
                for (int m = minutes.nextSetBit(0); m >= 0; m = minutes.nextSetBit(m + 1)) {
                    Instant firing = instantOf(LocalDateTime.of(day, LocalTime.of(h, m)), rules);
                    if (firing.isAfter(after)) {
                        return Optional.of(firing);
                    }
                }
            }
        }
        return Optional.empty();
    }

    /** @return whether it fires at least once within {@value #HORIZON_YEARS} years after {@code from} */
    public boolean firesAfter(Instant from, ZoneId zone) {
        return nextAfter(from, zone).isPresent();
    }

    /** @return whether a local date-time is one of the expression's (ignoring daylight saving) */
    public boolean matches(LocalDateTime local) {
        return minutes.get(local.getMinute()) && hours.get(local.getHour()) && dayMatches(local.toLocalDate());
    }

    private boolean dayMatches(LocalDate day) {
        if (!months.get(day.getMonthValue())) {
            return false;
        }
        boolean dom = daysOfMonth.get(day.getDayOfMonth());
        boolean dow = daysOfWeek.get(day.getDayOfWeek().getValue() % 7);
        if (domRestricted && dowRestricted) {
            return dom || dow;
        }
        return dom && dow;
    }

    /** A skipped local time fires when the clocks jump; a repeated one at its first occurrence. */
    private static Instant instantOf(LocalDateTime local, ZoneRules rules) {
        List<ZoneOffset> offsets = rules.getValidOffsets(local);
        if (offsets.isEmpty()) {
            ZoneOffsetTransition gap = rules.getTransition(local);
            return gap.getInstant();
        }
        // In an overlap the first occurrence has the offset from before the transition: the larger one.
        ZoneOffset offset = offsets.get(0);
        if (offsets.size() > 1 && offsets.get(1).getTotalSeconds() > offset.getTotalSeconds()) {
            offset = offsets.get(1);
        }
        return local.toInstant(offset);
    }

    private static BitSet field(String name, String text, int min, int max, String[] names) {
        BitSet set = new BitSet(max + 1);
        if (text.isEmpty()) {
            throw new IllegalArgumentException(name + ": empty");
        }
        for (String item : text.split(",", -1)) {
            if (item.isEmpty()) {
                throw new IllegalArgumentException(name + ": an empty item in '" + text + "'");
            }
            item(name, item, min, max, names, set);
        }
        return set;
    }

    private static void item(String name, String item, int min, int max, String[] names, BitSet set) {
        String range = item;
        int step = 1;
        int slash = item.indexOf('/');
        if (slash >= 0) {
            range = item.substring(0, slash);
            step = number(name, item.substring(slash + 1), 1, max - min + 1, null, item);
        }
        int from;
        int to;
        if (range.equals("*")) {
            from = min;
            to = max == 7 ? 6 : max; // * in day of week is Sunday to Saturday once
        } else {
            int dash = range.indexOf('-');
            if (dash >= 0) {
                from = number(name, range.substring(0, dash), min, max, names, item);
                to = number(name, range.substring(dash + 1), min, max, names, item);
                if (to < from) {
                    throw new IllegalArgumentException(name + ": the range '" + range + "' runs backwards");
                }
            } else {
                from = number(name, range, min, max, names, item);
                to = slash >= 0 ? (max == 7 ? 6 : max) : from; // a/n runs to the field's end
            }
        }
        for (int v = from; v <= to; v += step) {
            set.set(v);
        }
    }

    private static int number(String name, String text, int min, int max, String[] names, String item) {
        if (names != null && text.length() == 3 && Character.isLetter(text.charAt(0))) {
            String upper = text.toUpperCase(Locale.ROOT);
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(upper)) {
                    return names == MONTHS ? i + 1 : i;
                }
            }
            throw new IllegalArgumentException(name + ": '" + text + "' is not a name (" + String.join(", ", names) + ")");
        }
        if (text.isEmpty() || text.length() > 4 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException(name + ": '" + item + "' is not a number, range or step");
        }
        int value = Integer.parseInt(text);
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + ": " + value + " is outside " + min + "-" + max);
        }
        return value;
    }

    /** @return the firings after {@code after}, at most {@code count}, for display and tests */
    public List<Instant> nextFirings(Instant after, ZoneId zone, int count) {
        List<Instant> out = new ArrayList<>(count);
        Instant t = after;
        for (int i = 0; i < count; i++) {
            Optional<Instant> next = nextAfter(t, zone);
            if (next.isEmpty()) {
                break;
            }
            out.add(next.get());
            t = next.get();
        }
        return out;
    }
}
