package dev.usher.core.rule;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A pipe-separated list of {@link WildcardPattern}s, the form of a ticket's {@code video} and
 * {@code app}: {@code file1.mp4|file2.mp4}, {@code sestore3/username/set1/*}, {@code myapp-vod|otherapp-*}.
 * A name matches the list when it matches any entry.
 */
public final class PatternList {

    /** Longest list text accepted. */
    public static final int MAX_LENGTH = 2048;
    /** Most entries in one list. */
    public static final int MAX_ENTRIES = 64;

    /**
     * Lists parsed lately, by their text, so that the many tickets issued with the same text share
     * one parsed list (some 170 bytes each). Lossy and bounded: a slot holds the last list whose text
     * fell in it. Lists are immutable, so sharing one between threads needs no lock.
     */
    private static final PatternList[] RECENT = new PatternList[1024];

    private final String text;
    private final WildcardPattern[] patterns;

    private PatternList(String text, WildcardPattern[] patterns) {
        this.text = text;
        this.patterns = patterns;
    }

    /**
     * Parses a list. Entries may not be empty, nor hold control characters, backslashes or
     * whitespace at either end; none of them could name a file served by path.
     *
     * @param field the field name used in messages ({@code video}, {@code app})
     * @throws IllegalArgumentException naming the field and every bad entry
     */
    public static PatternList parse(String field, String text) {
        Objects.requireNonNull(text, field);
        int slot = (text.hashCode() ^ (text.hashCode() >>> 16)) & (RECENT.length - 1);
        PatternList seen = RECENT[slot];
        if (seen != null && seen.text.equals(text)) {
            return seen; // the field only names a bad text, and a remembered one parsed
        }
        if (text.isEmpty()) {
            throw new IllegalArgumentException(field + " must not be empty");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(field + " is longer than " + MAX_LENGTH + " characters");
        }
        String[] parts = text.split("\\|", -1);
        if (parts.length > MAX_ENTRIES) {
            throw new IllegalArgumentException(field + " has more than " + MAX_ENTRIES + " entries");
        }
        List<String> bad = new ArrayList<>();
        WildcardPattern[] patterns = new WildcardPattern[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (!isClean(part)) {
                bad.add("'" + part + "'");
            }
            patterns[i] = WildcardPattern.of(part);
        }
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("invalid " + field + " " + String.join(", ", bad)
                    + ": entries separated by | must be non-empty names or paths with optional * wildcards");
        }
        PatternList parsed = new PatternList(text, patterns);
        RECENT[slot] = parsed;
        return parsed;
    }

    private static boolean isClean(String part) {
        if (part.isEmpty() || isSpace(part.charAt(0)) || isSpace(part.charAt(part.length() - 1))) {
            return false;
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (Character.isISOControl(c) || c == '\\') { // C0, DEL and C1 (U+0080..U+009F) controls
                return false;
            }
        }
        return true;
    }

    /** Whitespace including the no-break spaces (U+00A0, U+2007, U+202F) that isWhitespace leaves out. */
    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    public boolean matches(String name) {
        if (name == null) {
            return false;
        }
        for (WildcardPattern p : patterns) {
            if (p.matches(name)) {
                return true;
            }
        }
        return false;
    }

    public List<WildcardPattern> patterns() {
        return List.of(patterns);
    }

    /** @return the text as issued */
    public String text() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PatternList other && text.equals(other.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return text;
    }
}
