package dev.usher.core.rule;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WildcardPatternTest {

    private static boolean matches(String pattern, String name) {
        return WildcardPattern.of(pattern).matches(name);
    }

    @Test
    void seedsMultiBitrateStream() {
        assertTrue(matches("mystream_*", "mystream_720p"));
        assertTrue(matches("mystream_*", "mystream_360p"));
        assertTrue(matches("mystream_*", "mystream_"));
        assertFalse(matches("mystream_*", "mystream"));
        assertFalse(matches("mystream_*", "otherstream_720p"));
        assertFalse(matches("mystream_*", "Mystream_720p"));
        assertFalse(matches("mystream_*", "xmystream_720p"));
    }

    @Test
    void starCrossesSlashes() {
        WildcardPattern p = WildcardPattern.of("sestore3/username/set1/*");
        assertTrue(p.matches("sestore3/username/set1/a.mp4"));
        assertTrue(p.matches("sestore3/username/set1/nested/deeper/b.mp4"));
        assertTrue(p.matches("sestore3/username/set1/"));
        assertFalse(p.matches("sestore3/username/set1"));
        assertFalse(p.matches("sestore3/username/set3/a.mp4"));
        assertFalse(p.matches("sestore3/username/set10"));
        assertTrue(p.matches("sestore3/username/set1/../set3/a.mp4")); // paths are not normalised here
        assertTrue(matches("*/a.mp4", "x/y/z/a.mp4"));
        assertTrue(matches("a*z", "a/b/c/z"));
    }

    @Test
    void literalPatterns() {
        WildcardPattern p = WildcardPattern.of("file1.mp4");
        assertTrue(p.isLiteral());
        assertEquals("file1.mp4", p.literalPrefix());
        assertTrue(p.matches("file1.mp4"));
        assertFalse(p.matches("file1.mp"));
        assertFalse(p.matches("file1.mp4x"));
        assertFalse(p.matches("File1.mp4"));
        assertFalse(p.matches(""));
        assertTrue(WildcardPattern.of("").matches(""));
        assertFalse(WildcardPattern.of("").matches("a"));
    }

    @Test
    void textAndPrefix() {
        WildcardPattern p = WildcardPattern.of("ab*cd*ef");
        assertFalse(p.isLiteral());
        assertEquals("ab", p.literalPrefix());
        assertEquals("ab*cd*ef", p.text());
        assertEquals("ab*cd*ef", p.toString());
        assertEquals("", WildcardPattern.of("*x").literalPrefix());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // pattern | name | expected
            "*        |            | true",
            "*        | anything/at/all | true",
            "**       |            | true",
            "***      | abc        | true",
            "a*       | a          | true",
            "*a       | a          | true",
            "*a*      | a          | true",
            "a*a      | a          | false",
            "a*a      | aa         | true",
            "a*a      | aba        | true",
            "a*b*a    | aba        | true",
            "a*b*a    | aab        | false",
            "ab*ba    | aba        | false",
            "ab*ba    | abba       | true",
            "*ab*ab*  | abab       | true",
            "*ab*ab*  | aba        | false",
            "*aab     | aaab       | true",
            "*abab    | ababab     | true",
            "a**b     | ab         | true",
            "*.mp4    | x.mp4      | true",
            "*.mp4    | x.mp4.txt  | false",
            "*.mp4*   | x.mp4.txt  | true",
            // nothing but * is special: no ?, no classes, no escapes, no regex
            "file?.mp4 | file1.mp4 | false",
            "file?.mp4 | file?.mp4 | true",
            "[ab]     | a          | false",
            "[ab]     | [ab]       | true",
            "a.b      | axb        | false",
            "a+       | aa         | false",
            "'(a|b)'  | a          | false",
            "^a$      | ^a$        | true",
            "a\\*b    | a\\xb      | true",
            "a\\*b    | a*b        | false",
    })
    void examples(String pattern, String name, boolean expected) {
        assertEquals(expected, matches(pattern, name == null ? "" : name), pattern + " ~ " + name);
    }

    @Test
    void starInTheNameIsAnOrdinaryCharacter() {
        assertTrue(matches("a*", "a*"));
        assertTrue(matches("a*b", "a*b"));
        assertFalse(matches("a*b", "a*"));
    }

    @Test
    void unicodeAndSurrogates() {
        assertTrue(matches("vidéo_*", "vidéo_720p"));
        assertTrue(matches("*\uD83C\uDFAC*", "a\uD83C\uDFACb"));
        assertFalse(matches("*\uD83C\uDFAC*", "a\uD83C\uDFADb"));
    }

    /** Backtracking matchers take exponential or quadratic time here; this one must not. */
    @Test
    @Timeout(value = 5, unit = TimeUnit.SECONDS)
    void pathologicalInputsComplete() {
        String as = "a".repeat(100_000);
        assertFalse(matches("*a*a*a*a*a*a*a*a*b", as));
        assertTrue(matches("*a*a*a*a*a*a*a*a*b", as + "b"));
        assertFalse(matches("a*".repeat(5_000) + "b", as));
        assertTrue(matches("a*".repeat(5_000), as));
        assertFalse(matches("a*".repeat(5_000), "a".repeat(4_999)));
        assertFalse(matches("*" + "a".repeat(1_000) + "b*", as));      // a KMP worst case for naive search
        assertTrue(matches("*" + "a".repeat(1_000) + "b*", as + "b"));
        assertFalse(matches("*" + "ab".repeat(500) + "c*", "ab".repeat(50_000)));
        assertFalse(matches("*a*".repeat(1_000) + "b", as));
        for (int i = 0; i < 100; i++) {
            assertFalse(matches("*" + "a*".repeat(50) + "b", as));
        }
    }
}
