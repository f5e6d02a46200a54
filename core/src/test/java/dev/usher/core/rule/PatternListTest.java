package dev.usher.core.rule;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PatternListTest {

    @Test
    void seedsStreamWildcard() {
        PatternList list = PatternList.parse("video", "mystream_*");
        assertTrue(list.matches("mystream_720p"));
        assertTrue(list.matches("mystream_360p"));
        assertFalse(list.matches("mystream"));
        assertFalse(list.matches("otherstream_720p"));
    }

    @Test
    void seedsListedFilesOnly() {
        PatternList list = PatternList.parse("video", "file1.mp4|file2.mp4");
        assertTrue(list.matches("file1.mp4"));
        assertTrue(list.matches("file2.mp4"));
        assertFalse(list.matches("file3.mp4"));
        assertFalse(list.matches("file1.mp4|file2.mp4"));
        assertFalse(list.matches("file1"));
        assertFalse(list.matches("dir/file1.mp4"));
        assertFalse(list.matches(""));
        assertFalse(list.matches(null));
        assertEquals(2, list.patterns().size());
    }

    @Test
    void seedsDirectories() {
        PatternList list = PatternList.parse("video", "sestore3/username/set1/*|sestore3/username/set2/*");
        assertTrue(list.matches("sestore3/username/set1/a.mp4"));
        assertTrue(list.matches("sestore3/username/set2/b.mp4"));
        assertTrue(list.matches("sestore3/username/set1/nested/c.mp4"));
        assertTrue(list.matches("sestore3/username/set2/x/y/z.mp4"));
        assertFalse(list.matches("sestore3/username/set3/a.mp4"));
        assertFalse(list.matches("sestore3/username/set1"));
        assertFalse(list.matches("sestore3/other/set1/a.mp4"));
    }

    @Test
    void seedsApps() {
        PatternList list = PatternList.parse("app", "myapp-vod|otherapp-*");
        assertTrue(list.matches("myapp-vod"));
        assertTrue(list.matches("otherapp-live"));
        assertTrue(list.matches("otherapp-"));
        assertFalse(list.matches("myapp-live"));
        assertFalse(list.matches("otherapp"));
        assertFalse(list.matches("myapp-vod2"));

        PatternList user = PatternList.parse("app", "username-*");
        assertTrue(user.matches("username-sevu"));
        assertFalse(user.matches("othername-sevu"));
    }

    @Test
    void seedsSampleValue() {
        PatternList list = PatternList.parse("video", "my_video.mp4|my_folder/*");
        assertTrue(list.matches("my_video.mp4"));
        assertTrue(list.matches("my_folder/clip.mp4"));
        assertFalse(list.matches("my_video.mp3"));
        assertFalse(list.matches("other/my_folder/clip.mp4"));
    }

    @Test
    void keepsTextAndEquality() {
        PatternList a = PatternList.parse("video", "a*|b");
        assertEquals("a*|b", a.text());
        assertEquals("a*|b", a.toString());
        assertEquals(a, PatternList.parse("app", "a*|b"));
        assertEquals(a.hashCode(), PatternList.parse("video", "a*|b").hashCode());
        assertNotEquals(a, PatternList.parse("video", "b|a*"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a||b", "|a", "a|", "|", " a", "a ", "a| b", "a\tb", "a\\b", "a\u0000b", "a\nb", "a\u007fb",
            "a\u2003", "a\u0085b", "a\u009bb", "\u00a0a", "a\u202f", "a\u2007", "\u3000a"})
    void refusesBadEntriesNamingThem(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PatternList.parse("video", text));
        assertTrue(e.getMessage().contains("video"), e.getMessage());
        for (String part : text.split("\\|", -1)) {
            boolean bad = part.isEmpty() || isSpace(part.charAt(0)) || isSpace(part.charAt(part.length() - 1))
                    || part.chars().anyMatch(c -> Character.isISOControl(c) || c == '\\');
            if (bad) {
                assertTrue(e.getMessage().contains("'" + part + "'"), e.getMessage());
            }
        }
    }

    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    @Test
    void acceptsOrdinaryUnicodeAndInnerSpaces() {
        PatternList list = PatternList.parse("video", "vidéo_*|my video.mp4|\u6620\u753b/*");
        assertTrue(list.matches("vidéo_720p"));
        assertTrue(list.matches("my video.mp4"));
        assertTrue(list.matches("\u6620\u753b/a.mp4"));
    }

    @Test
    void namesOnlyTheBadEntries() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PatternList.parse("app", "good|| bad|fine-*|a\\b"));
        String m = e.getMessage();
        assertTrue(m.contains("app"), m);
        assertTrue(m.contains("''"), m);
        assertTrue(m.contains("' bad'"), m);
        assertTrue(m.contains("'a\\b'"), m);
        assertFalse(m.contains("'good'"), m);
        assertFalse(m.contains("'fine-*'"), m);
    }

    @Test
    void limits() {
        assertThrows(NullPointerException.class, () -> PatternList.parse("video", null));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PatternList.parse("video", ""))
                .getMessage().contains("video"));

        String max = "a".repeat(PatternList.MAX_LENGTH);
        assertTrue(PatternList.parse("video", max).matches(max));
        assertThrows(IllegalArgumentException.class, () -> PatternList.parse("video", max + "a"));

        String entries64 = String.join("|", Collections.nCopies(PatternList.MAX_ENTRIES, "v"));
        assertEquals(64, PatternList.parse("video", entries64).patterns().size());
        assertThrows(IllegalArgumentException.class, () -> PatternList.parse("video", entries64 + "|v"));
    }
}
