package dev.usher.core.live.record;

import dev.usher.core.live.RecordSettings;
import dev.usher.core.time.Crontab;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Optional;

/**
 * When a recording is cut into a new part, as {@code segment_type} and {@code segment_value} say.
 * Cuts fall only on segment boundaries: the rule decides, before each segment, whether it starts
 * a new part. Pure: the part's progress and the next segment in, the decision out.
 */
public sealed interface CutRule {

    /**
     * What the current part holds so far (at least one segment).
     *
     * @param start      the program date-time of its first segment
     * @param seconds    the sum of its segments' durations
     * @param bytes      the sum of its segments' sizes
     * @param nextFiring the schedule's first firing after {@code start}, or null (no schedule, or it never fires)
     */
    record Part(Instant start, double seconds, long bytes, Instant nextFiring) {
    }

    /** @return whether the segment (its program date-time and size) begins a new part */
    boolean cutBefore(Part part, Instant segmentPdt, long segmentBytes);

    /** @return the firing a part starting at {@code start} is cut at (schedules only) */
    default Instant nextFiring(Instant start) {
        return null;
    }

    /** {@code disabled}: one recording per publishing session. */
    record Never() implements CutRule {
        @Override
        public boolean cutBefore(Part part, Instant segmentPdt, long segmentBytes) {
            return false;
        }
    }

    /** {@code duration}: at the first boundary once the part has reached {@code length}. */
    record Length(Duration length) implements CutRule {
        @Override
        public boolean cutBefore(Part part, Instant segmentPdt, long segmentBytes) {
            // A millisecond's tolerance: segment durations are written with three decimals.
            return part.seconds() * 1000 + 1 >= length.toMillis();
        }
    }

    /** {@code size}: before the segment that would push the part over {@code bytes} (a larger segment alone is a part). */
    record Size(long bytes) implements CutRule {
        @Override
        public boolean cutBefore(Part part, Instant segmentPdt, long segmentBytes) {
            return part.bytes() + segmentBytes > bytes;
        }
    }

    /**
     * {@code schedule}: at the first segment whose program date-time reaches the next firing after
     * the part began. A firing that passed while the stream stalled cuts at the first segment after it.
     */
    record Schedule(Crontab crontab, ZoneId zone) implements CutRule {
        @Override
        public boolean cutBefore(Part part, Instant segmentPdt, long segmentBytes) {
            return part.nextFiring() != null && !segmentPdt.isBefore(part.nextFiring());
        }

        @Override
        public Instant nextFiring(Instant start) {
            Optional<Instant> next = crontab.nextAfter(start, zone);
            return next.orElse(null);
        }
    }

    /**
     * The rule of a stream user's record settings ({@code segment_value} was validated by
     * {@code sevu.addstreamuser}; anything unreadable records without cuts).
     *
     * @param durationUnit one unit of a duration value (a minute)
     * @param sizeUnit     bytes in one unit of a size value (a MB)
     */
    static CutRule of(RecordSettings settings, ZoneId zone, Duration durationUnit, long sizeUnit) {
        String type = settings.segmentType() == null ? "disabled" : settings.segmentType();
        String value = settings.segmentValue();
        try {
            return switch (type) {
                case "duration" -> new Length(durationUnit.multipliedBy(Math.max(1, Long.parseLong(value.trim()))));
                case "size" -> new Size(Math.multiplyExact(Math.max(1, Long.parseLong(value.trim())), sizeUnit));
                case "schedule" -> new Schedule(Crontab.parse(value), zone);
                default -> new Never();
            };
        } catch (RuntimeException e) {
            return new Never();
        }
    }
}
