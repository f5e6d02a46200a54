package dev.usher.core.log;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Refusals under a flood: a few lines, every kind seen, the count of what was left out. */
class RefusalLogTest {

    private final AtomicLong clock = new AtomicLong(1_000);
    private final List<String> lines = new ArrayList<>();
    private final RefusalLog log = new RefusalLog(Duration.ofSeconds(10), clock::get, lines::add);

    @Test
    void aFloodOfOneKindWritesItsFirstLineThenOnePerIntervalWithTheCount() {
        for (int i = 0; i < 10_000; i++) {
            log.refused("403 Invalid Auth Token", () -> "refused 403 Invalid Auth Token");
        }
        assertEquals(List.of("refused 403 Invalid Auth Token"), lines, "the first, and nothing else within the interval");
        clock.addAndGet(Duration.ofSeconds(10).toNanos());
        log.refused("403 Invalid Auth Token", () -> "refused 403 Invalid Auth Token");
        assertEquals("refused 403 Invalid Auth Token (and 9999 more like it since the last line)", lines.get(1));
    }

    @Test
    void theFirstOfEveryKindIsWrittenWhateverFloodsTheOthers() {
        for (int i = 0; i < 1000; i++) {
            log.refused("403 Invalid Auth Token", () -> "a");
        }
        log.refused("403 Token Revoked", () -> "b");
        log.refused("400 Ambiguous path", () -> "c");
        assertEquals(List.of("a", "b", "c"), lines);
    }

    @Test
    void theTableOfKindsIsBounded() {
        for (int i = 0; i < RefusalLog.MAX_KINDS * 4; i++) {
            String kind = "kind " + i;
            log.refused(kind, () -> kind);
        }
        assertTrue(lines.size() <= RefusalLog.MAX_KINDS + 1, "at most one line per remembered kind: " + lines.size());
    }

    @Test
    void aLineIsBuiltOnlyWhenWritten() {
        AtomicLong built = new AtomicLong();
        for (int i = 0; i < 100; i++) {
            log.refused("k", () -> "line " + built.incrementAndGet());
        }
        assertEquals(1, built.get());
    }
}
