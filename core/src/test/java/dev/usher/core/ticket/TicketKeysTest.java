package dev.usher.core.ticket;

import dev.usher.core.rule.PatternList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TicketKeysTest {

    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{1,32}\\.[0-9a-f]{14}\\.[0-9]{8}");

    private static PatternList video(String text) {
        return PatternList.parse("video", text);
    }

    /** A source that returns fixed values, to pin the formatting. */
    private static final class FixedRandom extends SecureRandom {
        private final long nextLong;
        private final int nextInt;

        FixedRandom(long nextLong, int nextInt) {
            this.nextLong = nextLong;
            this.nextInt = nextInt;
        }

        @Override
        public long nextLong() {
            return nextLong;
        }

        @Override
        public int nextInt(int bound) {
            return nextInt;
        }
    }

    @Test
    void keyHasTheSeedsShape() {
        String key = new TicketKeys().next(video("mystream"));
        assertTrue(SHAPE.matcher(key).matches(), key);
        assertTrue(key.startsWith("mystream."), key);
        assertEquals(2, key.chars().filter(c -> c == '.').count(), key);
        assertEquals("mystream".length() + 1 + 14 + 1 + 8, key.length());
        assertTrue(TicketKeys.looksLikeKey(key));
    }

    @Test
    void theSeedsSampleKeyLooksLikeAKey() {
        assertTrue(TicketKeys.looksLikeKey("mystream.53ffc996dd39d5.39102367"));
        assertTrue(SHAPE.matcher("mystream.53ffc996dd39d5.39102367").matches());
    }

    @Test
    void formatsFixedValuesWithZeroPadding() {
        assertEquals("sevu.00000000000000.00000000", new TicketKeys(new FixedRandom(0, 0)).next(video("*")));
        assertEquals("sevu.ffffffffffffff.99999999", new TicketKeys(new FixedRandom(-1L, 99_999_999)).next(video("*")));
        String key = new TicketKeys(new FixedRandom(0x0123456789abcdefL, 42)).next(video("a"));
        assertTrue(key.endsWith(".00000042"), key);
        assertTrue(SHAPE.matcher(key).matches(), key);
    }

    /** Found by this test: String.format used the default locale, which writes Arabic-Indic digits for ar. */
    @Test
    void digitsAreAsciiWhateverTheDefaultLocale() {
        Locale saved = Locale.getDefault();
        try {
            for (String tag : new String[] {"ar-SA", "fa-IR", "th-TH-u-nu-thai", "hi-IN-u-nu-deva"}) {
                Locale.setDefault(Locale.forLanguageTag(tag));
                String key = new TicketKeys(new FixedRandom(7, 12_345_678)).next(video("mystream"));
                assertEquals("mystream.70000000000000.12345678", key, tag);
                assertTrue(TicketKeys.looksLikeKey(key), tag);
            }
        } finally {
            Locale.setDefault(saved);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "mystream                              | mystream",
            "mystream_*                            | mystream",
            "'mystream_*|other' | mystream",
            "'movies/trailer.mp4|x.mp4' | trailer_mp4",
            "movies/trailer.mp4                    | trailer_mp4",
            "sestore3/username/set1/*              | set1",
            "'sestore3/username/set1/*|sestore3/username/set2/*' | set1",
            "*                                     | sevu",
            "*.mp4                                 | sevu",
            "'*|mystream' | sevu",
            "'my_video.mp4|my_folder/*' | my_video_mp4",
            "my_folder/*                           | my_folder",
            "'file1.mp4|file2.mp4' | file1_mp4",
            "a/b//*                                | b",
            "a/b*c/d                               | b",
            "...                                   | sevu",
            "/                                     | sevu",
            "-_-                                   | sevu",
            "a b                                   | a_b",
            "vidéo                                 | vid_o",
            "Stream-HD_1                           | Stream-HD_1",
            "a.b.c                                 | a_b_c",
            "sestore3/username/path/filename.mp4   | filename_mp4",
    })
    void prefixNamesTheFirstVideo(String videoText, String prefix) {
        assertEquals(prefix, TicketKeys.prefixOf(video(videoText)));
        String key = new TicketKeys().next(video(videoText));
        assertTrue(key.startsWith(prefix + "."), key);
        assertTrue(SHAPE.matcher(key).matches(), key);
        assertTrue(TicketKeys.looksLikeKey(key), key);
    }

    @Test
    void prefixIsAtMost32Characters() {
        String longName = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF";
        assertEquals(longName.substring(0, 32), TicketKeys.prefixOf(video(longName)));
        assertEquals("a", TicketKeys.prefixOf(video("a" + "_".repeat(40))));
        String key = new TicketKeys().next(video(longName + ".mp4"));
        assertEquals(32 + 24, key.length());
        assertTrue(TicketKeys.looksLikeKey(key), key);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "mystream", "mystream.53ffc996dd39d5", ".53ffc996dd39d5.39102367",
            "mystream..39102367", "mystream.53ffc996dd39d5.", "mystream.53ffc996dd39d5.3910236",
            "mystream.53ffc996dd39d5.391023670", "mystream.53ffc996dd39d.39102367", "mystream.53ffc996dd39d55.39102367",
            "mystream.53ffc996dd39d5.39102367.", "mystream.53ffc996dd39d5.3910.367", "a.b.53ffc996dd39d5.39102367",
            "mystream.zzzzzzzzzzzzzz.39102367", "mystream.53FFC996DD39D5.39102367", "mystream.53ffc996dd39d5.3910236x",
            "mystream.53ffc996dd39d5.3910236\u0667", "my stream.53ffc996dd39d5.39102367", "my/stream.53ffc996dd39d5.39102367",
            "mystream.53ffc996dd39d5 39102367", "mystream\n.53ffc996dd39d5.39102367",
            "abcdefghijklmnopqrstuvwxyz0123456.53ffc996dd39d5.39102367"})
    void foreignTextIsNotAKey(String text) {
        assertFalse(TicketKeys.looksLikeKey(text), text);
    }

    @Test
    void nullIsNotAKey() {
        assertFalse(TicketKeys.looksLikeKey(null));
    }

    @Test
    void keysAreUnique() {
        TicketKeys keys = new TicketKeys();
        PatternList v = video("mystream_*");
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 100_000; i++) {
            String key = keys.next(v);
            assertTrue(seen.add(key), key);
        }
        assertEquals(100_000, seen.size());
        // and not merely unique: both random parts vary
        Set<String> middles = new HashSet<>();
        Set<String> lasts = new HashSet<>();
        for (String key : seen) {
            String[] parts = key.split("\\.");
            middles.add(parts[1]);
            lasts.add(parts[2]);
        }
        assertTrue(middles.size() > 99_000, "middle parts: " + middles.size());
        assertTrue(lasts.size() > 99_000, "last parts: " + lasts.size());
    }
}
