package dev.usher.core.manifest;

import java.io.IOException;
import java.io.OutputStream;
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

    /** Writes bytes known to need no escaping (the child query's {@code ?name=value}). */
    XmlBytes raw(byte[] bytes) {
        room(bytes.length);
        System.arraycopy(bytes, 0, buf, count, bytes.length);
        count += bytes.length;
        return this;
    }

    /**
     * Copies the ASCII characters of {@code s} that need no escaping straight into the array (every
     * name and nearly every value and text of an MPD), without the array that
     * {@code String.getBytes} would make for each; from the first other character on, the rest goes
     * through {@link #encoded}.
     */
    private XmlBytes put(String s, int context) {
        int n = s.length();
        room(n);
        byte[] b = buf;
        int at = count;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80 || (ESCAPED[c] & context) != 0) {
                count = at + i;
                return encoded(s.substring(i), context);
            }
            b[at + i] = (byte) c;
        }
        count = at + n;
        return this;
    }

    /**
     * Encodes {@code s} with the JDK's UTF-8 encoder (a lone surrogate, which the parser never
     * returns, becomes {@code ?}) and escapes it. The bytes of a multi-byte UTF-8 sequence are all
     * 0x80 or more, so only real {@code & < > "} are escaped.
     */
    private XmlBytes encoded(String s, int context) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        int n = utf8.length;
        room(n);
        for (int i = 0; i < n; i++) {
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

    /**
     * @return the bytes written, sent from this array as they are: no copy but the one a caller of
     *         {@link Rewritten#toByteArray} gets (the array itself must not be handed out: a second
     *         {@code writeTo} must write the same bytes)
     */
    Rewritten result() {
        byte[] bytes = buf;
        int length = count;
        return new Rewritten() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                out.write(bytes, 0, length);
            }

            @Override
            public byte[] toByteArray() {
                return Arrays.copyOf(bytes, length);
            }
        };
    }
}
