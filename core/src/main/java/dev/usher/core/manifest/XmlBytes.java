package dev.usher.core.manifest;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A rewritten MPD's bytes: markup and escaped text encoded as UTF-8 straight into one array, which
 * refuses to grow past {@link ManifestLimits#maxOutputBytes()}.
 *
 * <p>Why not the JDK's StAX writer: it encodes UTF-8 one byte at a time through an
 * {@code OutputStream} call and tests every character against its escapes: the largest part of a
 * 1,000-entry SegmentList rewrite's CPU time in a JFR profile (issue 17, item 5). The escaping is the one that writer
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
     * Encodes {@code s} with the JDK's UTF-8 encoder (an intrinsic copy for ASCII text; a lone
     * surrogate, which the parser never returns, becomes {@code ?}), then copies it in one piece
     * when nothing in it needs escaping, as in nearly every name and value of an MPD. The bytes of a
     * multi-byte UTF-8 sequence are all 0x80 or more, so only real {@code & < > "} are escaped.
     */
    private XmlBytes put(String s, int context) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        int n = utf8.length;
        int plain = 0;
        if (context != RAW) {
            while (plain < n && (utf8[plain] < 0 || (ESCAPED[utf8[plain]] & context) == 0)) {
                plain++;
            }
        } else {
            plain = n;
        }
        room(n);
        System.arraycopy(utf8, 0, buf, count, plain);
        count += plain;
        for (int i = plain; i < n; i++) {
            byte v = utf8[i];
            if (v >= 0 && (ESCAPED[v] & context) != 0) {
                entity((char) v);
            } else {
                room(1);
                buf[count++] = v;
            }
        }
        return this;
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
