package dev.usher.core.net;

/**
 * An IPv4 or IPv6 address parsed from its literal text, never from a host name: nothing here
 * performs a DNS lookup.
 *
 * <p>Both families are stored in one 128-bit space: an IPv4 address is held as its IPv4-mapped
 * IPv6 form ({@code ::ffff:a.b.c.d}), so network arithmetic is the same for both. An IPv4-mapped
 * IPv6 literal from a dual-stack socket ({@code ::ffff:192.0.2.1}, also written
 * {@code ::ffff:c000:201}) is therefore the IPv4 address, in every rule: it is normalized by being
 * parsed. The storage does not join the families: {@link IpNetwork} keeps them apart, so an IPv6
 * block never contains an IPv4 address.
 *
 * @param high the upper 64 bits
 * @param low the lower 64 bits
 */
public record IpAddress(long high, long low) {

    static final long V4_MAPPED_MARKER = 0x0000_ffffL << 32;

    /** @return the IPv4 address whose 32 bits are {@code bits} */
    public static IpAddress ofV4(int bits) {
        return new IpAddress(0L, V4_MAPPED_MARKER | (bits & 0xffff_ffffL));
    }

    /** @return true for an IPv4 address (including one written in IPv4-mapped IPv6 form); else it is IPv6 */
    public boolean isV4() {
        return high == 0L && (low >>> 32) == 0xffffL;
    }

    /** @return the 32 bits of an IPv4 address; meaningless for IPv6 */
    public int v4Bits() {
        return (int) low;
    }

    /**
     * Parses a literal address. Accepts dotted-quad IPv4 (no leading zeros, which some parsers read
     * as octal) and RFC 4291 IPv6 text, including {@code ::} and a trailing dotted quad. Zone ids
     * ({@code %eth0}), brackets and host names are refused.
     *
     * @throws IllegalArgumentException naming the text when it is not a literal address
     */
    public static IpAddress parse(String text) {
        IpAddress address = tryParse(text);
        if (address == null) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        return address;
    }

    /**
     * Parses the address of a connected client as a container reports it: brackets around an IPv6
     * literal and a zone id are tolerated and dropped.
     *
     * @return the address, or null when the text is not a literal address
     */
    public static IpAddress parseClient(String text) {
        if (text == null) {
            return null;
        }
        String s = text;
        if (s.length() > 2 && s.charAt(0) == '[' && s.charAt(s.length() - 1) == ']') {
            s = s.substring(1, s.length() - 1);
        }
        int zone = s.indexOf('%');
        if (zone > 0 && s.indexOf(':') >= 0) {
            s = s.substring(0, zone);
        }
        return tryParse(s);
    }

    /** @return the address, or null when {@code text} is not a literal address */
    public static IpAddress tryParse(String text) {
        if (text == null || text.isEmpty() || text.length() > 45) {
            return null;
        }
        if (text.indexOf(':') < 0) {
            long v4 = parseV4(text, 0, text.length());
            return v4 < 0 ? null : ofV4((int) v4);
        }
        return parseV6(text);
    }

    /** @return the 32 bits as a non-negative long, or -1 when invalid */
    static long parseV4(String s, int from, int to) {
        long result = 0;
        int parts = 0;
        int i = from;
        while (i <= to) {
            int start = i;
            int value = 0;
            while (i < to && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
                if (i - start > 3) {
                    return -1;
                }
            }
            int digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && s.charAt(start) == '0')) {
                return -1;
            }
            result = (result << 8) | value;
            parts++;
            if (i == to) {
                break;
            }
            if (s.charAt(i) != '.' || parts == 4) {
                return -1;
            }
            i++;
        }
        return parts == 4 ? result : -1;
    }

    private static IpAddress parseV6(String s) {
        int[] groups = new int[8];
        int count = 0;
        int gap = -1; // index in groups where "::" stands
        int i = 0;
        int n = s.length();
        if (s.startsWith("::")) {
            gap = 0;
            i = 2;
            if (i == n) {
                return new IpAddress(0, 0);
            }
        } else if (s.charAt(0) == ':') {
            return null;
        }
        while (i < n) {
            if (count == 8) {
                return null;
            }
            int start = i;
            int value = 0;
            while (i < n && Character.digit(s.charAt(i), 16) >= 0 && s.charAt(i) < 128) {
                value = (value << 4) | Character.digit(s.charAt(i), 16);
                i++;
                if (i - start > 4) {
                    return null;
                }
            }
            if (i < n && s.charAt(i) == '.') {
                // A trailing dotted quad fills the last two groups.
                if (count > 6) {
                    return null;
                }
                long v4 = parseV4(s, start, n);
                if (v4 < 0) {
                    return null;
                }
                groups[count++] = (int) (v4 >>> 16);
                groups[count++] = (int) (v4 & 0xffff);
                i = n;
                break;
            }
            if (i == start) {
                return null;
            }
            groups[count++] = value;
            if (i == n) {
                break;
            }
            if (s.charAt(i) != ':') {
                return null;
            }
            i++;
            if (i < n && s.charAt(i) == ':') {
                if (gap >= 0) {
                    return null;
                }
                gap = count;
                i++;
                if (i == n) {
                    break;
                }
            } else if (i == n) {
                return null; // a single trailing ':'
            }
        }
        if (gap < 0 && count != 8) {
            return null;
        }
        if (gap >= 0) {
            if (count == 8) {
                return null;
            }
            int move = count - gap;
            int[] full = new int[8];
            System.arraycopy(groups, 0, full, 0, gap);
            System.arraycopy(groups, gap, full, 8 - move, move);
            groups = full;
        }
        long high = 0;
        long low = 0;
        for (int g = 0; g < 4; g++) {
            high = (high << 16) | groups[g];
            low = (low << 16) | groups[g + 4];
        }
        return new IpAddress(high, low);
    }

    /** @return the canonical text: dotted quad for IPv4, RFC 5952 compressed form for IPv6 */
    @Override
    public String toString() {
        if (isV4()) {
            int v = v4Bits();
            return ((v >>> 24) & 0xff) + "." + ((v >>> 16) & 0xff) + "." + ((v >>> 8) & 0xff) + "." + (v & 0xff);
        }
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (high >>> (48 - 16 * i)) & 0xffff;
            g[i + 4] = (int) (low >>> (48 - 16 * i)) & 0xffff;
        }
        // RFC 5952: the longest run (of two or more) of zero groups becomes "::", the first on a tie.
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(g[i]));
        }
        return out.toString();
    }
}
