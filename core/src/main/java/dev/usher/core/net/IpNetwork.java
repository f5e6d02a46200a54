package dev.usher.core.net;

/**
 * A block of addresses of one family: an address and a prefix length counted in the 128-bit space of
 * {@link IpAddress} (an IPv4 {@code /24} is {@code /120} here). The base address has its host bits
 * cleared.
 *
 * <p>IPv4 and IPv6 are separate families. The 128-bit space is only how both are stored: a block
 * whose base is IPv4 (IPv4-mapped, prefix of at least 96) holds IPv4 addresses only, and every other
 * block holds IPv6 addresses only, so {@code ::/64}, {@code ::/8} or {@code ::1/64}, which contain
 * {@code ::ffff:0:0/96} in the arithmetic, contain no IPv4 address. Were they to, an {@code auto}
 * slot bound from {@code ::1} would admit every IPv4 client.
 *
 * <p>The one exception is a prefix of 0, the whole space: both {@code 0.0.0.0/0} and {@code ::/0}
 * allow every address, IPv4 and IPv6, as ScaleEngine's sevu.request page says "0.0.0.0/0 allows any IP address" (docs/PROTOCOL.md#request).
 */
public record IpNetwork(IpAddress base, int prefix128) {

    /** Every address of both families. */
    public static final IpNetwork ANY = new IpNetwork(new IpAddress(0, 0), 0);

    public IpNetwork {
        if (prefix128 < 0 || prefix128 > 128) {
            throw new IllegalArgumentException("prefix out of range: " + prefix128);
        }
        base = new IpAddress(base.high() & highMask(prefix128), base.low() & lowMask(prefix128));
    }

    /**
     * @param address any address of the block
     * @param prefix the prefix length in the address's own family (0..32 for IPv4, 0..128 for IPv6)
     */
    public static IpNetwork of(IpAddress address, int prefix) {
        if (prefix == 0) {
            return ANY;
        }
        int max = address.isV4() ? 32 : 128;
        if (prefix < 0 || prefix > max) {
            throw new IllegalArgumentException("prefix /" + prefix + " out of range 0.." + max);
        }
        return new IpNetwork(address, address.isV4() ? 96 + prefix : prefix);
    }

    /** @return the block of exactly this one address */
    public static IpNetwork host(IpAddress address) {
        return new IpNetwork(address, 128);
    }

    /**
     * Parses {@code address} or {@code address/prefix}. Host bits may be set ({@code 1.1.1.1/24} is
     * the sevu.request page's own example) and are cleared.
     */
    public static IpNetwork parse(String text) {
        int slash = text.indexOf('/');
        if (slash < 0) {
            return host(IpAddress.parse(text));
        }
        IpAddress address = IpAddress.parse(text.substring(0, slash));
        return of(address, parsePrefix(text.substring(slash + 1), address.isV4() ? 32 : 128, text));
    }

    static int parsePrefix(String digits, int max, String whole) {
        if (digits.isEmpty() || digits.length() > 3 || !allDigits(digits)
                || (digits.length() > 1 && digits.charAt(0) == '0')) {
            throw new IllegalArgumentException("bad prefix length in '" + whole + "'");
        }
        int prefix = Integer.parseInt(digits);
        if (prefix > max) {
            throw new IllegalArgumentException("prefix /" + prefix + " out of range 0.." + max + " in '" + whole + "'");
        }
        return prefix;
    }

    /** A loop, not {@code chars().allMatch}: a stream per parse showed in the JDBC decision's profile (every playback row read parses its client). */
    private static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * @return true when {@code address} is of this block's family and shares its prefix bits; for
     *         {@link #isAny()} always true
     */
    public boolean contains(IpAddress address) {
        return contains(base.high(), base.low(), prefix128, address);
    }

    /**
     * {@link #contains(IpAddress)} of the block with base {@code high}, {@code low} and {@code prefix128},
     * for a holder that keeps those numbers itself rather than a reference to the block.
     */
    public static boolean contains(long high, long low, int prefix128, IpAddress address) {
        if (prefix128 == 0) {
            return true;
        }
        boolean v4 = prefix128 >= 96 && high == 0L && (low >>> 32) == 0xffffL; // isV4(), from the numbers
        if (address.isV4() != v4) {
            return false;
        }
        return (address.high() & highMask(prefix128)) == high
                && (address.low() & lowMask(prefix128)) == low;
    }

    /** @return true for the whole space ({@code 0.0.0.0/0}, {@code ::/0}), the only block of both families */
    public boolean isAny() {
        return prefix128 == 0;
    }

    /** @return true for a block of IPv4 addresses (false for {@link #isAny()}) */
    public boolean isV4() {
        return prefix128 >= 96 && base.isV4();
    }

    /** @return true for a block of IPv6 addresses (false for {@link #isAny()}) */
    public boolean isV6() {
        return prefix128 > 0 && !isV4();
    }

    /** @return the prefix length in the family's own terms (/24 rather than /120 for IPv4) */
    public int prefix() {
        return isV4() ? prefix128 - 96 : prefix128;
    }

    private static long highMask(int prefix) {
        return prefix >= 64 ? -1L : prefix == 0 ? 0L : -1L << (64 - prefix);
    }

    private static long lowMask(int prefix) {
        return prefix <= 64 ? 0L : prefix == 128 ? -1L : -1L << (128 - prefix);
    }

    @Override
    public String toString() {
        if (prefix128 == 0) {
            return "0.0.0.0/0";
        }
        return base + "/" + prefix();
    }
}
