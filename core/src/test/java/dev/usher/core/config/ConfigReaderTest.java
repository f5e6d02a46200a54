package dev.usher.core.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigReaderTest {

    private static ConfigReader reader(Map<String, String> values) {
        return new ConfigReader(k -> Optional.ofNullable(values.get(k)));
    }

    @Test
    void readsEveryForm() {
        ConfigReader r = reader(Map.of("a", "30s", "b", "PT2M", "c", "7d", "d", " 42 ", "e", "yes", "f", "Europe/Paris",
                "g", "x, y,,z"));
        assertEquals(Duration.ofSeconds(30), r.duration("a", Duration.ZERO));
        assertEquals(Duration.ofMinutes(2), r.duration("b", Duration.ZERO));
        assertEquals(Duration.ofDays(7), r.duration("c", Duration.ZERO));
        assertEquals(42, r.integer("d", 0, 0, 100));
        assertTrue(r.bool("e", false));
        assertEquals(ZoneId.of("Europe/Paris"), r.zone("f", null));
        assertEquals(List.of("x", "y", "z"), r.list("g", List.of()));
        assertEquals(Duration.ofHours(1), r.duration("missing", Duration.ofHours(1)));
        assertEquals(List.of(), r.problems());
    }

    @Test
    void everyProblemIsListedAtOnce() {
        ConfigReader r = reader(Map.of("usher.playback-window", "soon", "usher.time-zone", "Mars/Olympus",
                "usher.attempt-log.max-per-ticket", "0", "usher.default-expiry", "+3 fortnights"));
        UsherSettings.from(r);
        UsherConfigurationException e = assertThrows(UsherConfigurationException.class, r::failOnProblems);
        assertEquals(4, e.problems().size(), e.getMessage());
        for (String key : List.of("usher.playback-window", "usher.time-zone", "usher.attempt-log.max-per-ticket",
                "usher.default-expiry")) {
            assertTrue(e.getMessage().contains(key), key);
        }
    }

    @Test
    void settingsFromKeys() {
        UsherSettings s = UsherSettings.from(reader(Map.of("usher.playback-window", "2m", "usher.server-name", "edge-1")));
        assertEquals(Duration.ofMinutes(2), s.playbackWindow());
        assertEquals("edge-1", s.serverName());
        assertEquals(UsherSettings.defaults().retention(), s.retention());
    }
}
