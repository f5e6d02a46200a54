package dev.usher.core.rule;

/**
 * One name with {@code *} wildcards, where {@code *} matches any run of characters, {@code /}
 * included (PHP {@code fnmatch} without {@code FNM_PATHNAME}); every other character matches
 * itself, case-sensitively.
 *
 * <p>Matching is linear in the length of the name and the pattern on any input: the pattern is
 * split at its stars into literal pieces; the first must be a prefix, the last a suffix, and the
 * pieces between are found left to right, each at its leftmost place (which is always safe when
 * {@code *} is the only wildcard), with Knuth–Morris–Pratt tables built once at parse time. No
 * regular expression is ever built from the pattern.
 */
public final class WildcardPattern {

    private final String text;
    private final String head;        // literal before the first star (the whole text if none)
    private final String tail;        // literal after the last star
    private final String[] middle;    // literals between stars, non-empty
    private final int[][] failure;    // KMP tables of middle
    private final boolean hasStar;
    private final int minLength;

    private WildcardPattern(String text) {
        this.text = text;
        int first = text.indexOf('*');
        hasStar = first >= 0;
        if (!hasStar) {
            head = text;
            tail = "";
            middle = new String[0];
        } else {
            int last = text.lastIndexOf('*');
            head = text.substring(0, first);
            tail = text.substring(last + 1);
            middle = java.util.Arrays.stream(text.substring(first + 1, Math.max(first + 1, last)).split("\\*"))
                    .filter(s -> !s.isEmpty()).toArray(String[]::new);
        }
        failure = new int[middle.length][];
        int min = head.length() + tail.length();
        for (int i = 0; i < middle.length; i++) {
            failure[i] = kmpTable(middle[i]);
            min += middle[i].length();
        }
        minLength = min;
    }

    /** @return the pattern for {@code text}; any text is a valid pattern */
    public static WildcardPattern of(String text) {
        return new WildcardPattern(text);
    }

    public boolean matches(String name) {
        if (!hasStar) {
            return head.equals(name);
        }
        int n = name.length();
        if (n < minLength || !name.startsWith(head) || !name.endsWith(tail)) {
            return false;
        }
        int from = head.length();
        int end = n - tail.length();
        for (int i = 0; i < middle.length; i++) {
            int at = indexOf(name, from, end, middle[i], failure[i]);
            if (at < 0) {
                return false;
            }
            from = at + middle[i].length();
        }
        return true;
    }

    /** @return true when the pattern has no wildcard */
    public boolean isLiteral() {
        return !hasStar;
    }

    /** @return the literal text before the first {@code *} */
    public String literalPrefix() {
        return head;
    }

    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }

    private static int[] kmpTable(String p) {
        int[] f = new int[p.length()];
        for (int i = 1, k = 0; i < p.length(); i++) {
            while (k > 0 && p.charAt(i) != p.charAt(k)) {
                k = f[k - 1];
            }
            if (p.charAt(i) == p.charAt(k)) {
                k++;
            }
            f[i] = k;
        }
        return f;
    }

    /** KMP search of {@code p} in {@code s[from, end)}. */
    private static int indexOf(String s, int from, int end, String p, int[] f) {
        int m = p.length();
        for (int i = from, k = 0; i < end; i++) {
            char c = s.charAt(i);
            while (k > 0 && c != p.charAt(k)) {
                k = f[k - 1];
            }
            if (c == p.charAt(k)) {
                k++;
            }
            if (k == m) {
                return i - m + 1;
            }
        }
        return -1;
    }
}
