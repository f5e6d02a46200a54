package dev.usher.core.rule;

import dev.usher.core.testing.RandomInputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link WildcardPattern} and {@link PatternList} against a dynamic-programming reference matcher.
 * Inputs come from {@link RandomInputs}; a failure names its seed and input.
 */
class WildcardPropertyTest {

    /** fnmatch without flags, for a pattern whose only special character is {@code *}. */
    static boolean reference(String pattern, String name) {
        int p = pattern.length();
        int n = name.length();
        // rest[i][j]: pattern[i..] matches name[j..]
        boolean[][] rest = new boolean[p + 1][n + 1];
        rest[p][n] = true;
        for (int i = p - 1; i >= 0; i--) {
            for (int j = n; j >= 0; j--) {
                if (pattern.charAt(i) == '*') {
                    rest[i][j] = rest[i + 1][j] || (j < n && rest[i][j + 1]);
                } else {
                    rest[i][j] = j < n && pattern.charAt(i) == name.charAt(j) && rest[i + 1][j + 1];
                }
            }
        }
        return rest[0][0];
    }

    // ---- generators ----

    static String pattern(RandomInputs r) {
        return r.string("ab/*", 0, 10);
    }

    static String name(RandomInputs r) {
        return r.string("ab/", 0, 14);
    }

    /** Strings that may hold a literal {@code *}, which a name may contain too. */
    static String filling(RandomInputs r) {
        return r.string("ab/*", 0, 5);
    }

    static List<String> fillingList(RandomInputs r) {
        return r.list(10, 10, () -> filling(r));
    }

    /** Names built from the pattern, then perhaps changed by one character: matches and near misses. */
    static String[] patternAndNearName(RandomInputs r) {
        String pattern = pattern(r);
        List<String> fill = fillingList(r);
        int where = r.between(0, 99);
        char c = r.charFrom("ab/*");
        int op = r.between(0, 3);
        String name = substitute(pattern, fill);
        int at = where % (name.length() + 1);
        if (op == 1) {
            name = name.substring(0, at) + c + name.substring(at);
        } else if (op >= 2 && at < name.length()) {
            name = name.substring(0, at) + (op == 2 ? "" : String.valueOf(c)) + name.substring(at + 1);
        }
        return new String[] {pattern, name};
    }

    static String substitute(String pattern, List<String> fill) {
        StringBuilder out = new StringBuilder();
        int k = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            out.append(c == '*' ? fill.get(k++ % fill.size()) : String.valueOf(c));
        }
        return out.toString();
    }

    // ---- edge cases ----

    static final List<String> EDGE_PATTERNS = List.of("", "*", "**", "**********", "a", "/", "a*", "*a", "a*a", "*a*",
            "a**b", "*/*", "ab*ab", "*ab*ab*", "aab*abab", "a/b", "a*b*a", "*/", "/*",
            "*ab*ba*", "*aba*ab*", "*aab*b");
    static final List<String> EDGE_NAMES = List.of("", "a", "/", "ab", "aa", "a/b", "aab", "abab", "ababa", "ababab", "aaab",
            "bbbbbbbbbbbbbb");

    /** Every pair of an edge pattern and an edge name. */
    static List<String[]> edgePairs() {
        List<String[]> out = new ArrayList<>();
        for (String p : EDGE_PATTERNS) {
            for (String n : EDGE_NAMES) {
                out.add(new String[] {p, n});
            }
        }
        return out;
    }

    record Substitution(String pattern, List<String> fill) {
        @Override
        public String toString() {
            return "pattern=" + RandomInputs.quote(pattern) + " fill=" + RandomInputs.describe(fill)
                    + " name=" + RandomInputs.quote(substitute(pattern, fill));
        }
    }

    static List<Substitution> edgeSubstitutions() {
        List<Substitution> out = new ArrayList<>();
        List<String> empties = java.util.Collections.nCopies(10, "");
        List<String> stars = java.util.Collections.nCopies(10, "*");
        for (String p : EDGE_PATTERNS) {
            out.add(new Substitution(p, empties));
            out.add(new Substitution(p, stars));
            out.add(new Substitution(p, List.of("a", "ab", "b/a", "**", "", "/", "aab", "ba", "*a*", "abab")));
        }
        return out;
    }

    // ---- properties ----

    @Test
    void agreesWithReferenceOnRandomInput(TestInfo info) {
        RandomInputs.forTest(info).check(2000, edgePairs(), r -> new String[] {pattern(r), name(r)}, pair ->
                assertEquals(reference(pair[0], pair[1]), WildcardPattern.of(pair[0]).matches(pair[1]), "matches"));
    }

    @Test
    void agreesWithReferenceNearMatches(TestInfo info) {
        List<String[]> edges = List.of(new String[] {"*", "*"}, new String[] {"a*", "*a"}, new String[] {"*a", "a*"},
                new String[] {"ab*ab", "aba"}, new String[] {"ab*ab", "abab"}, new String[] {"*ab*ab*", "abab"},
                new String[] {"*ab*ab*", "aba"}, new String[] {"**", ""}, new String[] {"", "*"});
        RandomInputs.forTest(info).check(2000, edges, WildcardPropertyTest::patternAndNearName, pair ->
                assertEquals(reference(pair[0], pair[1]), WildcardPattern.of(pair[0]).matches(pair[1]), "matches"));
    }

    /** Any strings at all in place of the stars, not only the alphabet of the patterns. */
    @Test
    void matchesEveryStarSubstitution(TestInfo info) {
        List<Substitution> edges = new ArrayList<>(edgeSubstitutions());
        edges.add(new Substitution("*a*", List.of("\u0000", "\uffff", "\ud800", " ", "\u0661", "\\", "|", "?", "[", "]")));
        RandomInputs.forTest(info).check(1000, edges, r -> new Substitution(pattern(r), r.list(10, 10, () -> r.anyString(5))), s -> {
            String name = substitute(s.pattern(), s.fill());
            assertTrue(WildcardPattern.of(s.pattern()).matches(name), "matches");
        });
    }

    @Test
    void matchesEverySubstitutionFromTheAlphabet(TestInfo info) {
        RandomInputs.forTest(info).check(1000, edgeSubstitutions(), r -> new Substitution(pattern(r), fillingList(r)), s -> {
            String name = substitute(s.pattern(), s.fill());
            assertTrue(WildcardPattern.of(s.pattern()).matches(name), "matches");
            assertTrue(reference(s.pattern(), name), "reference matches");
        });
    }

    @Test
    void literalPrefixAndIsLiteral(TestInfo info) {
        RandomInputs.forTest(info).check(500, edgePairs(), r -> new String[] {pattern(r), name(r)}, pair -> {
            String pattern = pair[0];
            String name = pair[1];
            WildcardPattern p = WildcardPattern.of(pattern);
            int star = pattern.indexOf('*');
            assertEquals(star < 0, p.isLiteral(), "isLiteral");
            assertEquals(star < 0 ? pattern : pattern.substring(0, star), p.literalPrefix(), "literalPrefix");
            if (p.isLiteral()) {
                assertEquals(pattern.equals(name), p.matches(name), "literal matches");
            }
            if (p.matches(name)) {
                assertTrue(name.startsWith(p.literalPrefix()), "match starts with the literal prefix");
            }
        });
    }

    record ListCase(List<String> entries, String name) {
        @Override
        public String toString() {
            return "entries=" + RandomInputs.describe(entries) + " name=" + RandomInputs.quote(name);
        }
    }

    @Test
    void listMatchesWhenAnyEntryMatches(TestInfo info) {
        List<ListCase> edges = new ArrayList<>();
        for (String name : EDGE_NAMES) {
            edges.add(new ListCase(List.of("*"), name));
            edges.add(new ListCase(List.of("******"), name));
            edges.add(new ListCase(List.of("a", "b", "/", "ab"), name));
            edges.add(new ListCase(List.of("a*", "*a", "a*a", "*/*"), name));
        }
        RandomInputs.forTest(info).check(1000, edges,
                r -> new ListCase(r.list(1, 4, () -> r.string("ab/*", 1, 6)), name(r)), c -> {
            PatternList list = PatternList.parse("video", String.join("|", c.entries()));
            boolean any = c.entries().stream().anyMatch(e -> reference(e, c.name()));
            assertEquals(any, list.matches(c.name()), "list matches");
            assertEquals(c.entries().size(), list.patterns().size(), "entry count");
        });
    }
}
