package dev.usher.core.live.record;

import dev.usher.core.config.ConfigReader;
import dev.usher.core.live.LiveSettings;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecordingSettingsTest {

    static ConfigReader config(Map<String, String> keys) {
        return new ConfigReader(k -> Optional.ofNullable(keys.get(k)));
    }

    @Test
    void defaultsFollowTheIngestFolderTheZoneAndTheFloor() {
        LiveSettings live = LiveSettings.defaults().withIngestDir(Path.of("/srv/live"));
        ConfigReader c = config(Map.of());
        RecordingSettings s = RecordingSettings.from(c, live);
        assertEquals(List.of(), c.problems());
        assertEquals(Path.of("/srv/live"), s.root());
        assertEquals(Duration.ofMinutes(1), s.durationUnit());
        assertEquals(1L << 20, s.sizeUnit());
        assertEquals("recordings", s.defaultFolder());
        assertNull(s.retention());
        assertEquals(live.minFreeBytes(), s.minFreeBytes());
        assertEquals(live.zone(), s.zone());
        assertNull(RecordingSettings.from(c, LiveSettings.defaults()), "no ingest, no recording");
    }

    @Test
    void everyKeyIsReadAndEveryBadOneIsAProblem() {
        LiveSettings live = LiveSettings.defaults().withIngestDir(Path.of("/srv/live"));
        RecordingSettings s = RecordingSettings.from(config(Map.of("usher.live.record.dir", "/srv/rec",
                "usher.live.record.duration-unit", "1s", "usher.live.record.size-unit-kb", "1",
                "usher.live.record.default-folder", "vod_rec", "usher.live.record.retention", "30d",
                "usher.live.record.time-zone", "Europe/Berlin")), live);
        assertEquals(new RecordingSettings(Path.of("/srv/rec"), ZoneId.of("Europe/Berlin"), Duration.ofSeconds(1), 1024, "vod_rec",
                Duration.ofDays(30), live.minFreeBytes()), s);
        ConfigReader bad = config(Map.of("usher.live.record.default-folder", "../up", "usher.live.record.duration-unit", "0s",
                "usher.live.record.size-unit-kb", "0", "usher.live.record.retention", "soon"));
        RecordingSettings.from(bad, live);
        assertEquals(4, bad.problems().size(), bad.problems()::toString);
        assertTrue(bad.problems().get(0).startsWith("usher.live.record.default-folder"), bad.problems()::toString);
    }
}
