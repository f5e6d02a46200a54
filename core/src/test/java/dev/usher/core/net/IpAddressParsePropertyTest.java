package dev.usher.core.net;

import dev.usher.core.testing.RandomInputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Differential test of the literal parser against the RFC 3986 grammar of {@code IPv4address} and
 * {@code IPv6address} (whose {@code dec-octet} has no leading zeros), with a reference value computed
 * from the text by a naive splitter. The regex is built here from fixed text, never from input.
 * Inputs come from {@link RandomInputs}; a failure names its seed and input.
 */
class IpAddressParsePropertyTest {

    private static final String DEC_OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9][0-9]|[0-9])";
    private static final String V4 = DEC_OCTET + "(?:\\." + DEC_OCTET + "){3}";
    private static final String H16 = "[0-9A-Fa-f]{1,4}";
    private static final String LS32 = "(?:" + H16 + ":" + H16 + "|" + V4 + ")";

    private static String h16s(int n) {
        return n == 0 ? "" : "(?:" + H16 + ":){" + n + "}";
    }

    private static String left(int max) { // [ *max( h16 ":" ) h16 ]
        return max < 0 ? "" : "(?:(?:" + H16 + ":){0," + max + "}" + H16 + ")?";
    }

    private static final Pattern V6 = Pattern.compile(String.join("|",
            h16s(6) + LS32,
            "::" + h16s(5) + LS32,
            left(0) + "::" + h16s(4) + LS32,
            left(1) + "::" + h16s(3) + LS32,
            left(2) + "::" + h16s(2) + LS32,
            left(3) + "::" + h16s(1) + LS32,
            left(4) + "::" + LS32,
            left(5) + "::" + H16,
            left(6) + "::"));
    private static final Pattern V4_ONLY = Pattern.compile(V4);

    // ---- generators ----

    private static final String[] TOKENS = {"0", "1", "a", "F", "00", "01", "ffff", "FFFF", "12345", "255", "256",
            "1.2.3.4", "0.0.0.0", "255.255.255.255", "1.2.3", "01.2.3.4", ":", ":", ":", "::", "::", ".", "%", "/", "g"};
    private static final Character[] MUTATIONS = {'0', '1', '9', 'a', 'f', 'F', 'g', ':', '.', '%', '/', ' ', '\u0661'};

    /** 1 to 14 tokens glued together. */
    static String tokenSoup(RandomInputs r) {
        return String.join("", r.list(1, 14, () -> r.oneOf(TOKENS)));
    }

    /** A 16-bit group: 0, 0xffff or any, a third of the time each. */
    static int group(RandomInputs r) {
        return r.oneOfGenerated(() -> 0, () -> 0xffff, () -> r.uniform(0, 0xffff));
    }

    /** Valid spellings of random addresses: canonical or not, compressed anywhere, padded, upper case, dotted tail. */
    static String validSpelling(RandomInputs r) {
        return r.oneOfGenerated(() -> v6Spelling(r), () -> v6Spelling(r), () -> v4Text(r.anyInt()));
    }

    static String v6Spelling(RandomInputs r) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = group(r);
        }
        return spell(g, r.anyLong());
    }

    /** Valid spellings with one character inserted, deleted or replaced: mostly near misses. */
    static String mutatedSpelling(RandomInputs r) {
        String text = validSpelling(r);
        int where = r.between(0, 99);
        char c = r.oneOf(MUTATIONS);
        int op = r.between(0, 2);
        int at = where % (text.length() + 1);
        if (op == 0 || at == text.length()) {
            return text.substring(0, at) + c + text.substring(at);
        }
        return text.substring(0, at) + (op == 1 ? "" : String.valueOf(c)) + text.substring(at + 1);
    }

    static String literalLike(RandomInputs r) {
        return r.oneOfGenerated(() -> tokenSoup(r), () -> validSpelling(r), () -> mutatedSpelling(r));
    }

    /** Texts a generator reaches only by luck, or that sit right at the grammar's edges. */
    static final List<String> EDGE_CASES = List.of(
            "", "::", ":", ":::", ".", "%", "/", "0", "00",
            "0.0.0.0", "255.255.255.255", "256.0.0.0", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "1..2.3",
            "\u0661.2.3.4", " 1.2.3.4", "1.2.3.4 ",
            "::1", "1::", "::0", "::ffff:0.0.0.0", "::ffff:255.255.255.255", "::0.0.0.0", "::255.255.255.255",
            "0:0:0:0:0:0:0:0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF:FFFF",
            "0000:0000:0000:0000:0000:0000:0000:0000", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8", "1::2::3", "1:::2", "fffff::", "::ffff:1.2.3", "1:2:3:4:5:6:1.2.3.4",
            "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4:5", "fe80::1%eth0", "[::1]", "::g", "1.2.3.4/32", "::/0");

    // ---- the property ----

    @Test
    void acceptsExactlyTheRfcGrammar(TestInfo info) {
        RandomInputs.forTest(info).check(3000, EDGE_CASES, IpAddressParsePropertyTest::literalLike, text -> {
            boolean valid = V4_ONLY.matcher(text).matches() || V6.matcher(text).matches();
            IpAddress parsed = IpAddress.tryParse(text);
            if (!valid) {
                assertNull(parsed, "refused by the grammar, accepted by the parser");
                return;
            }
            assertNotNull(parsed, "accepted by the grammar, refused by the parser");
            assertEquals(referenceValue(text), parsed, "value");
            assertEquals(parsed, IpAddress.parse(parsed.toString()), "re-parse of " + parsed);
        });
    }

    // ---- reference ----

    static String spell(int[] g, long style) {
        boolean dotted = (style & 1) != 0;
        boolean upper = (style & 2) != 0;
        int groups = dotted ? 6 : 8;
        String[] parts = new String[groups];
        for (int i = 0; i < groups; i++) {
            String hex = Integer.toHexString(g[i]);
            if ((style >>> (2 + i) & 1) != 0) {
                hex = "0".repeat(4 - hex.length()) + hex;
            }
            parts[i] = upper ? hex.toUpperCase() : hex;
        }
        String tailText = dotted ? v4Text(g[6] << 16 | g[7]) : null;
        // compress the zero run starting at the first zero group at or after a chosen place, if any
        int from = (int) ((style >>> 12) & 0xf);
        int start = -1;
        for (int i = from; i < groups; i++) {
            if (g[i] == 0) {
                start = i;
                break;
            }
        }
        StringBuilder out = new StringBuilder();
        if (start < 0 || from >= 8) {
            out.append(String.join(":", parts));
            if (dotted) {
                out.append(':').append(tailText);
            }
            return out.toString();
        }
        int end = start;
        int maxRun = 1 + (int) ((style >>> 16) & 0x7);
        while (end < groups && g[end] == 0 && end - start < maxRun) {
            end++;
        }
        out.append(String.join(":", Arrays.copyOfRange(parts, 0, start))).append("::");
        out.append(String.join(":", Arrays.copyOfRange(parts, end, groups)));
        if (dotted) {
            if (end < groups) {
                out.append(':');
            }
            out.append(tailText);
        }
        return out.toString();
    }

    static String v4Text(int bits) {
        return (bits >>> 24) + "." + (bits >>> 16 & 0xff) + "." + (bits >>> 8 & 0xff) + "." + (bits & 0xff);
    }

    /** Reference value of a text already known to be valid. */
    static IpAddress referenceValue(String text) {
        if (!text.contains(":")) {
            return IpAddress.ofV4(v4Bits(text));
        }
        List<Integer> head = new ArrayList<>();
        List<Integer> tail = new ArrayList<>();
        int gap = text.indexOf("::");
        if (gap < 0) {
            groups(text, head);
        } else {
            groups(text.substring(0, gap), head);
            groups(text.substring(gap + 2), tail);
        }
        int[] g = new int[8];
        for (int i = 0; i < head.size(); i++) {
            g[i] = head.get(i);
        }
        for (int i = 0; i < tail.size(); i++) {
            g[8 - tail.size() + i] = tail.get(i);
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 4; i++) {
            high = high << 16 | g[i];
            low = low << 16 | g[i + 4];
        }
        return new IpAddress(high, low);
    }

    private static void groups(String part, List<Integer> out) {
        if (part.isEmpty()) {
            return;
        }
        for (String s : part.split(":")) {
            if (s.contains(".")) {
                int v = v4Bits(s);
                out.add(v >>> 16);
                out.add(v & 0xffff);
            } else {
                out.add(Integer.parseInt(s, 16));
            }
        }
    }

    private static int v4Bits(String s) {
        return Arrays.stream(s.split("\\.")).mapToInt(Integer::parseInt).reduce(0, (a, b) -> a << 8 | b);
    }
}
