package dev.usher.core.live.record;

import dev.usher.core.config.ConfigReader;
import dev.usher.core.live.LiveNames;
import dev.usher.core.live.LiveSettings;

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

    /**
     * Reads {@code usher.live.record.*}, adding problems to {@code config}.
     *
     * @param config    the one reader of the configuration
     * @param live      the live settings (the ingest folder, the default root; the zone and the free-space floor recordings share with ingest)
     * @return null when there is no ingest folder
     */
    public static RecordingSettings from(ConfigReader config, LiveSettings live) {
        // Every key is read and checked even without ingest, so a bad value stops the start
        // whatever else is configured; only then does a node without ingest record nothing.
        RecordingSettings d = defaults(Path.of(""), live.zone()).withMinFreeBytes(live.minFreeBytes());
        String dir = config.string("usher.live.record.dir", null);
        Path root = null;
        if (dir != null) {
            try {
                root = Path.of(dir).toAbsolutePath().normalize();
            } catch (RuntimeException e) {
                config.problem("usher.live.record.dir: '" + dir + "' is not a path");
            }
        }
        String folder = config.string("usher.live.record.default-folder", d.defaultFolder());
        if (!LiveNames.folder(folder)) {
            config.problem("usher.live.record.default-folder: '" + folder + "' is not letters, digits, dashes and underscores");
            folder = d.defaultFolder();
        }
        Duration unit = config.duration("usher.live.record.duration-unit", d.durationUnit());
        if (unit.isZero()) {
            config.problem("usher.live.record.duration-unit: must be more than 0");
            unit = d.durationUnit();
        }
        Duration retention = config.duration("usher.live.record.retention", null);
        if (retention != null && retention.isZero()) {
            retention = null;
        }
        long size = config.integer("usher.live.record.size-unit-kb", (int) (d.sizeUnit() >> 10), 1, 1 << 20) * 1024L;
        ZoneId zone = config.zone("usher.live.record.time-zone", live.zone());
        if (live.ingestDir() == null) {
            return null;
        }
        return new RecordingSettings(root != null ? root : live.ingestDir(), zone, unit, size, folder,
                retention, d.minFreeBytes());
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
