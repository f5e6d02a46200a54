package dev.usher.core.live.record;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The names of recordings, as {@code record_type} says, with dates in the configured zone:
 * {@code stream} → {@code {stream}-{end yyyy-MM-dd_HH-mm}} (given when it is finished; while it is
 * written its folder is {@code {stream}-{start}-recording}); {@code event} →
 * {@code {stream}-{start yyyy-MM-dd_HH-mm}-pt{n}}. A name already taken gets {@code -2}, {@code -3}…
 * ({@link RecordingWriter#unique}). Without a {@code save_folder}, recordings go to
 * {@code {default folder}/{yyyy-MM-dd of the start}/}.
 */
record RecordingNames(ZoneId zone) {

    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd_HH-mm", Locale.ROOT);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd", Locale.ROOT);

    String streamName(String stream, Instant end) {
        return stream + "-" + MINUTE.format(end.atZone(zone));
    }

    String inProgressName(String stream, Instant start) {
        return stream + "-" + MINUTE.format(start.atZone(zone)) + RecordingWriter.IN_PROGRESS;
    }

    String eventName(String stream, Instant start, int part) {
        return stream + "-" + MINUTE.format(start.atZone(zone)) + "-pt" + part;
    }

    /** @return the name a part gets when it starts */
    String initialName(String recordType, String stream, Instant start, int part) {
        return "event".equals(recordType) ? eventName(stream, start, part) : inProgressName(stream, start);
    }

    String dayFolder(Instant start) {
        return DAY.format(start.atZone(zone));
    }
}
