package dev.usher.core.time;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;

/**
 * Dates as the SEVU API writes and reads them: {@code YYYY-MM-DD HH:MM:SS} in one configured zone
 * (UTC unless configured), {@code 0000-00-00 00:00:00} for "never", and the relative
 * {@code +N seconds|minutes|hours|days|weeks} form the Java example client sends (docs/PROTOCOL.md#java-client) as {@code expire}.
 */
public final class SevuTime {

    /** How the API writes a date that has not happened ({@code used_date} before first use). */
    public static final String NEVER = "0000-00-00 00:00:00";

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss")
            .withResolverStyle(ResolverStyle.STRICT);
    /** The latest instant accepted, so arithmetic never overflows. */
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private final ZoneId zone;

    public SevuTime(ZoneId zone) {
        this.zone = zone;
    }

    public ZoneId zone() {
        return zone;
    }

    /** @return {@code YYYY-MM-DD HH:MM:SS} in this zone, or {@link #NEVER} for null */
    public String format(Instant instant) {
        return instant == null ? NEVER : FORMAT.format(instant.atZone(zone));
    }

    /**
     * Parses an absolute date: {@code YYYY-MM-DD HH:MM:SS}, {@code YYYY-MM-DD HH:MM},
     * {@code YYYY-MM-DDTHH:MM:SS} or a bare {@code YYYY-MM-DD} (its midnight), all in this zone.
     *
     * @throws IllegalArgumentException naming the text
     */
    public Instant parseAbsolute(String text) {
        String s = text.trim();
        try {
            if (s.length() == 10) {
                return LocalDate.parse(s, DateTimeFormatter.ISO_LOCAL_DATE).atStartOfDay(zone).toInstant();
            }
            if (s.length() >= 16 && (s.charAt(10) == ' ' || s.charAt(10) == 'T')) {
                LocalDate date = LocalDate.parse(s.substring(0, 10), DateTimeFormatter.ISO_LOCAL_DATE);
                LocalTime time = LocalTime.parse(s.substring(11), DateTimeFormatter.ISO_LOCAL_TIME);
                return LocalDateTime.of(date, time).atZone(zone).toInstant();
            }
        } catch (DateTimeException e) {
            // falls through to the message below
        }
        throw new IllegalArgumentException("'" + text + "' is not a date of the form YYYY-MM-DD HH:MM:SS");
    }

    /**
     * Parses an expiry: absolute (see {@link #parseAbsolute}) or relative to {@code now}:
     * {@code +N second|minute|hour|day|week}, singular or plural, N a whole number.
     *
     * @throws IllegalArgumentException naming the text
     */
    public Instant parseExpiry(String text, Instant now) {
        String s = text.trim();
        if (!s.startsWith("+")) {
            return parseAbsolute(s);
        }
        String[] parts = s.substring(1).trim().split("\\s+");
        if (parts.length != 2 || parts[0].isEmpty() || parts[0].length() > 9
                || !parts[0].chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("'" + text + "' is not a relative time like +2 hours");
        }
        long n = Long.parseLong(parts[0]);
        ChronoUnit unit = switch (parts[1].toLowerCase(java.util.Locale.ROOT)) {
            case "second", "seconds", "sec", "secs" -> ChronoUnit.SECONDS;
            case "minute", "minutes", "min", "mins" -> ChronoUnit.MINUTES;
            case "hour", "hours" -> ChronoUnit.HOURS;
            case "day", "days" -> ChronoUnit.DAYS;
            case "week", "weeks" -> ChronoUnit.WEEKS;
            default -> throw new IllegalArgumentException("'" + text
                    + "' has an unknown unit: use seconds, minutes, hours, days or weeks");
        };
        Duration d = unit.getDuration().multipliedBy(n);
        if (d.compareTo(Duration.between(now, LATEST)) > 0) {
            throw new IllegalArgumentException("'" + text + "' lies beyond the year 9999");
        }
        return now.plus(d);
    }
}
