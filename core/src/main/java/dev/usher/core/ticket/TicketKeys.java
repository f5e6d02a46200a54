package dev.usher.core.ticket;

import dev.usher.core.rule.PatternList;
import dev.usher.core.rule.WildcardPattern;

import java.security.SecureRandom;
import java.util.Locale;

/**
 * Makes ticket keys in the shape of ScaleEngine's examples, {@code mystream.53ffc996dd39d5.39102367}: a readable
 * prefix, 14 hex digits and 8 decimal digits, the last two drawn from {@link SecureRandom}
 * (about 82 bits), so a key can't be guessed from another.
 *
 * <p>The prefix names the first video of the ticket: the literal part of its first entry before
 * any {@code *}, its last path segment, with every character but letters, digits, {@code _} and
 * {@code -} replaced by {@code _}, at most 32 characters. So {@code mystream} gives
 * {@code mystream.…}, {@code mystream_*} gives {@code mystream.…}, {@code movies/trailer.mp4|x.mp4}
 * gives {@code trailer_mp4.…}, {@code sestore3/username/set1/*} gives {@code set1.…}; a ticket
 * for {@code *} gets the prefix {@code sevu}. A key therefore always has exactly two dots.
 */
public final class TicketKeys {

    private static final int MAX_PREFIX = 32;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final SecureRandom random;

    public TicketKeys() {
        this(new SecureRandom());
    }

    public TicketKeys(SecureRandom random) {
        this.random = random;
    }

    public String next(PatternList video) {
        StringBuilder key = new StringBuilder(MAX_PREFIX + 24).append(prefixOf(video)).append('.');
        long bits = random.nextLong();
        for (int i = 0; i < 14; i++) {
            key.append(HEX[(int) (bits >>> (4 * i)) & 0xf]);
        }
        key.append('.');
        // Locale.ROOT: the default locale may format with non-ASCII digits (ar, fa, th-u-nu-thai...).
        key.append(String.format(Locale.ROOT, "%08d", random.nextInt(100_000_000)));
        return key.toString();
    }

    static String prefixOf(PatternList video) {
        WildcardPattern first = video.patterns().get(0);
        String literal = first.literalPrefix();
        while (literal.endsWith("/")) {
            literal = literal.substring(0, literal.length() - 1);
        }
        literal = literal.substring(literal.lastIndexOf('/') + 1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < literal.length() && out.length() < MAX_PREFIX; i++) {
            char c = literal.charAt(i);
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            out.append(plain ? c : '_');
        }
        int end = out.length();
        while (end > 0 && (out.charAt(end - 1) == '_' || out.charAt(end - 1) == '-')) {
            end--;
        }
        return end == 0 ? "sevu" : out.substring(0, end);
    }

    /**
     * @return true when {@code text} has the shape of a key this class makes (used to refuse
     *         obviously foreign keys before any lookup)
     */
    public static boolean looksLikeKey(String text) {
        if (text == null || text.length() > MAX_PREFIX + 24) {
            return false;
        }
        int first = text.indexOf('.');
        int second = text.indexOf('.', first + 1);
        if (first <= 0 || first > MAX_PREFIX || second != first + 15 || text.length() != second + 9) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean ok = i < first ? (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    : i == first || i == second ? c == '.'
                    : i < second ? (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
                    : c >= '0' && c <= '9';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
