package dev.usher.core.manifest;

import java.util.Arrays;

/**
 * A rewritten MPD's bytes: markup and escaped text encoded as UTF-8 straight into one array, which
 * refuses to grow past {@link ManifestLimits#maxOutputBytes()}.
 *
 * <p>Why not the JDK's StAX writer: it encodes UTF-8 one byte at a time through an
 * {@code OutputStream} call and tests every character against its escapes, which made writing
 * most of a 1,000-entry SegmentList rewrite (issue 17, item 5). The escaping is the one that writer
 * applied, so the bytes are the same: {@code &}, {@code <} and {@code >} in text, the same and
 * {@code "} in attribute values; nothing else is escaped (no character references: every
 * character is encodable in UTF-8). Names, comments and processing instructions are written as the
 * parser returned them.
 */
final class XmlBytes {
    private final ManifestLimits limits;
    private final long max;
    private byte[] buf;
    private int count;

    XmlBytes(int initial, ManifestLimits limits) {
        this.limits = limits;
        this.max = limits.maxOutputBytes();
        this.buf = new byte[(int) Math.max(16, Math.min(initial, max))];
    }

    /** What is escaped where: bit {@link #TEXT} in character data, bit {@link #ATTRIBUTE} in attribute values. */
    private static final byte[] ESCAPED = new byte[128];
    private static final int RAW = 0;
    private static final int TEXT = 1;
    private static final int ATTRIBUTE = 2;

    static {
        ESCAPED['&'] = TEXT | ATTRIBUTE;
        ESCAPED['<'] = TEXT | ATTRIBUTE;
        ESCAPED['>'] = TEXT | ATTRIBUTE;
        ESCAPED['"'] = ATTRIBUTE;
    }

    /** Writes {@code s} as it is (markup, names, comments). */
    XmlBytes raw(String s) {
        return put(s, RAW);
    }

    /** Writes character data, escaping {@code & < >}. */
    XmlBytes text(String s) {
        return put(s, TEXT);
    }

    /** Writes an attribute value (between the quotes), escaping {@code & < > "}. */
    XmlBytes attribute(String s) {
        return put(s, ATTRIBUTE);
    }

    XmlBytes raw(char c) {
        if (count == buf.length) {
            room(1);
        }
        buf[count++] = (byte) c;
        return this;
    }

    /**
     * Copies the leading run of ASCII characters that need no escaping in one tight loop (all of a
     * typical MPD's names and values), then goes on character by character.
     */
    private XmlBytes put(String s, int context) {
        int n = s.length();
        room(n); // at least one byte a character; what the rest needs is checked as it comes
        byte[] b = buf;
        int at = count;
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (c >= 0x80 || (ESCAPED[c] & context) != 0) {
                break;
            }
            b[at + i] = (byte) c;
            i++;
        }
        count = at + i;
        if (i < n) {
            rest(s, i, context);
        }
        return this;
    }

    private void rest(String s, int from, int context) {
        int n = s.length();
        for (int i = from; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if ((ESCAPED[c] & context) != 0) {
                    entity(c);
                } else {
                    room(1);
                    buf[count++] = (byte) c;
                }
            } else if (c < 0x800) {
                room(2);
                buf[count++] = (byte) (0xc0 | c >> 6);
                buf[count++] = (byte) (0x80 | c & 0x3f);
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                room(4);
                buf[count++] = (byte) (0xf0 | cp >> 18);
                buf[count++] = (byte) (0x80 | (cp >> 12) & 0x3f);
                buf[count++] = (byte) (0x80 | (cp >> 6) & 0x3f);
                buf[count++] = (byte) (0x80 | cp & 0x3f);
            } else if (Character.isSurrogate(c)) {
                // The parser never returns a lone surrogate (it is not an XML character); should one
                // come, it is written as String.getBytes(UTF_8) would write it.
                room(1);
                buf[count++] = '?';
            } else {
                room(3);
                buf[count++] = (byte) (0xe0 | c >> 12);
                buf[count++] = (byte) (0x80 | (c >> 6) & 0x3f);
                buf[count++] = (byte) (0x80 | c & 0x3f);
            }
        }
    }

    private void entity(char c) {
        String entity = switch (c) {
            case '&' -> "&amp;";
            case '<' -> "&lt;";
            case '>' -> "&gt;";
            default -> "&quot;";
        };
        room(entity.length());
        for (int i = 0; i < entity.length(); i++) {
            buf[count++] = (byte) entity.charAt(i);
        }
    }

    /**
     * Makes room for {@code len} more bytes: checks the output limit for them, then grows the array.
     *
     * @throws ManifestTooLargeException when they would take the output past the limit
     */
    private void room(int len) {
        long need = count + (long) len;
        if (need <= buf.length) {
            return;
        }
        limits.checkOutput(need);
        buf = Arrays.copyOf(buf, (int) Math.min(max, Math.max(need, 2L * buf.length)));
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, count);
    }
}
