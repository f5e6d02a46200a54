package dev.usher.core.live.record;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;

/**
 * The operator's settings for recordings ({@code usher.live.record.*}).
 *
 * @param root          the media folder recordings are written under, {@code {root}/{app}/{save_folder}/…}
 *                      (by default the ingest folder, so the filter serves them like live streams)
 * @param zone          the zone of the dates in recordings' names and of crontab schedules
 * @param durationUnit  what one unit of a {@code duration} {@code segment_value} is (a minute, as
 *                      documented; seconds for tests and demonstrations)
 * @param sizeUnit      bytes in one unit of a {@code size} {@code segment_value} (a MB, as documented)
 * @param defaultFolder the folder of recordings whose stream user gives no {@code save_folder}
 *                      (recordings then go in a folder per day below it)
 * @param retention     recordings finished longer ago than this are deleted; null keeps them
 * @param minFreeBytes  free space below which no recording is started or continued
 */
public record RecordingSettings(Path root, ZoneId zone, Duration durationUnit, long sizeUnit, String defaultFolder,
                                Duration retention, long minFreeBytes) {

    public static final String DEFAULT_FOLDER = "recordings";

    public static RecordingSettings defaults(Path root, ZoneId zone) {
        return new RecordingSettings(root, zone, Duration.ofMinutes(1), 1L << 20, DEFAULT_FOLDER, null, 256L << 20);
    }

    public RecordingSettings withUnits(Duration duration, long size) {
        return new RecordingSettings(root, zone, duration, size, defaultFolder, retention, minFreeBytes);
    }

    public RecordingSettings withRetention(Duration keep) {
        return new RecordingSettings(root, zone, durationUnit, sizeUnit, defaultFolder, keep, minFreeBytes);
    }

    public RecordingSettings withMinFreeBytes(long floor) {
        return new RecordingSettings(root, zone, durationUnit, sizeUnit, defaultFolder, retention, floor);
    }
}
