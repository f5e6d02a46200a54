package dev.usher.core.rule;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link WildcardPattern} and {@link PatternList} against a dynamic-programming reference matcher. */
class WildcardPropertiesTest {

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

    @Provide
    Arbitrary<String> patterns() {
        return Arbitraries.strings().withChars('a', 'b', '/', '*').ofMinLength(0).ofMaxLength(10);
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().withChars('a', 'b', '/').ofMinLength(0).ofMaxLength(14);
    }

    /** Strings that may hold a literal {@code *}, which a name may contain too. */
    @Provide
    Arbitrary<String> fillings() {
        return Arbitraries.strings().withChars('a', 'b', '/', '*').ofMinLength(0).ofMaxLength(5);
    }

    /** Names built from the pattern, then perhaps changed by one character: matches and near misses. */
    @Provide
    Arbitrary<String[]> patternAndNearName() {
        return Combinators.combine(patterns(), fillings().list().ofSize(10), Arbitraries.integers().between(0, 99),
                        Arbitraries.of('a', 'b', '/', '*'), Arbitraries.integers().between(0, 3))
                .as((pattern, fill, where, c, op) -> {
                    String name = substitute(pattern, fill);
                    int at = where % (name.length() + 1);
                    if (op == 1) {
                        name = name.substring(0, at) + c + name.substring(at);
                    } else if (op >= 2 && at < name.length()) {
                        name = name.substring(0, at) + (op == 2 ? "" : String.valueOf(c)) + name.substring(at + 1);
                    }
                    return new String[] {pattern, name};
                });
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

    @Property(tries = 2000)
    void agreesWithReferenceOnRandomInput(@ForAll("patterns") String pattern, @ForAll("names") String name) {
        assertEquals(reference(pattern, name), WildcardPattern.of(pattern).matches(name), pattern + " ~ " + name);
    }

    @Property(tries = 2000)
    void agreesWithReferenceNearMatches(@ForAll("patternAndNearName") String[] pair) {
        assertEquals(reference(pair[0], pair[1]), WildcardPattern.of(pair[0]).matches(pair[1]), pair[0] + " ~ " + pair[1]);
    }

    @Property(tries = 1000)
    void matchesEveryStarSubstitution(@ForAll("patterns") String pattern, @ForAll @Size(10) List<@net.jqwik.api.constraints.StringLength(max = 5) String> fill) {
        String name = substitute(pattern, fill);
        assertTrue(WildcardPattern.of(pattern).matches(name), pattern + " ~ " + name);
    }

    @Property(tries = 1000)
    void matchesEverySubstitutionFromTheAlphabet(@ForAll("patterns") String pattern, @ForAll("fillingLists") List<String> fill) {
        String name = substitute(pattern, fill);
        assertTrue(WildcardPattern.of(pattern).matches(name), pattern + " ~ " + name);
        assertTrue(reference(pattern, name));
    }

    @Provide
    Arbitrary<List<String>> fillingLists() {
        return fillings().list().ofSize(10);
    }

    @Property(tries = 500)
    void literalPrefixAndIsLiteral(@ForAll("patterns") String pattern, @ForAll("names") String name) {
        WildcardPattern p = WildcardPattern.of(pattern);
        int star = pattern.indexOf('*');
        assertEquals(star < 0, p.isLiteral());
        assertEquals(star < 0 ? pattern : pattern.substring(0, star), p.literalPrefix());
        if (p.isLiteral()) {
            assertEquals(pattern.equals(name), p.matches(name));
        }
        if (p.matches(name)) {
            assertTrue(name.startsWith(p.literalPrefix()));
        }
    }

    @Property(tries = 1000)
    void listMatchesWhenAnyEntryMatches(@ForAll("nonEmptyPatterns") List<String> entries, @ForAll("names") String name) {
        PatternList list = PatternList.parse("video", String.join("|", entries));
        boolean any = entries.stream().anyMatch(e -> reference(e, name));
        assertEquals(any, list.matches(name), entries + " ~ " + name);
        assertEquals(entries.size(), list.patterns().size());
    }

    @Provide
    Arbitrary<List<String>> nonEmptyPatterns() {
        return Arbitraries.strings().withChars('a', 'b', '/', '*').ofMinLength(1).ofMaxLength(6).list().ofMinSize(1).ofMaxSize(4);
    }
}
