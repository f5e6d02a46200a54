package dev.usher.core.net;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.math.BigInteger;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CIDR arithmetic of {@link IpNetwork} against a reference computed with {@link BigInteger} in the
 * 128-bit space (IPv4 as {@code ::ffff:a.b.c.d}, an IPv4 /N as /(96+N)).
 */
class IpNetworkPropertiesTest {

    static final BigInteger MASK64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
    static final BigInteger MASK128 = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
    static final BigInteger V4_MAPPED = BigInteger.valueOf(0xffffL).shiftLeft(32);

    static BigInteger big(IpAddress a) {
        return BigInteger.valueOf(a.high()).and(MASK64).shiftLeft(64).or(BigInteger.valueOf(a.low()).and(MASK64));
    }

    static IpAddress address(BigInteger v) {
        return new IpAddress(v.shiftRight(64).longValue(), v.longValue());
    }

    static BigInteger v4(int bits) {
        return V4_MAPPED.or(BigInteger.valueOf(bits & 0xffff_ffffL));
    }

    /** The mask of the first {@code prefix128} bits of the 128. */
    static BigInteger mask(int prefix128) {
        return MASK128.shiftRight(128 - prefix128).shiftLeft(128 - prefix128);
    }

    static boolean referenceContains(BigInteger base, int prefix128, BigInteger x) {
        BigInteger m = mask(prefix128);
        return base.and(m).equals(x.and(m));
    }

    // ---- generators ----

    /** 128-bit values biased towards zero groups, IPv4-mapped values and family boundaries. */
    @Provide
    Arbitrary<IpAddress> anyAddress() {
        Arbitrary<Integer> group = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.just(0xffff),
                Arbitraries.integers().between(0, 0xffff));
        Arbitrary<IpAddress> grouped = group.list().ofSize(8).map(IpNetworkPropertiesTest::fromGroups);
        Arbitrary<IpAddress> random = Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(IpAddress::new);
        Arbitrary<IpAddress> mapped = Arbitraries.integers().map(IpAddress::ofV4);
        return Arbitraries.oneOf(grouped, random, mapped);
    }

    @Provide
    Arbitrary<IpAddress> v6Address() {
        return anyAddress().filter(a -> !a.isV4());
    }

    static IpAddress fromGroups(List<Integer> g) {
        long high = 0;
        long low = 0;
        for (int i = 0; i < 4; i++) {
            high = (high << 16) | g.get(i);
            low = (low << 16) | g.get(i + 4);
        }
        return new IpAddress(high, low);
    }

    // ---- IPv4 ----

    @Property(tries = 500)
    void v4NetworkMatchesReference(@ForAll int baseBits, @ForAll @IntRange(min = 0, max = 32) int prefix,
                                   @ForAll int otherBits, @ForAll int hostNoise, @ForAll @IntRange(min = 0, max = 127) int flip) {
        IpAddress address = IpAddress.ofV4(baseBits);
        IpNetwork n = IpNetwork.of(address, prefix);
        int p128 = prefix == 0 ? 0 : 96 + prefix;
        BigInteger base = v4(baseBits);

        assertEquals(prefix, n.prefix());
        assertEquals(p128, n.prefix128());
        assertEquals(address(base.and(mask(p128))), n.base());
        assertTrue(n.contains(address));
        assertTrue(n.contains(n.base()));

        // any other address, of either family, as the reference says
        for (BigInteger x : List.of(v4(otherBits), big(IpAddress.ofV4(otherBits)).xor(BigInteger.ONE.shiftLeft(100)),
                BigInteger.valueOf(otherBits & 0xffff_ffffL))) {
            assertEquals(referenceContains(base, p128, x), n.contains(address(x)), x.toString(16));
        }

        // every address sharing the prefix bits is inside
        BigInteger noise = v4(hostNoise).andNot(mask(p128));
        assertTrue(n.contains(address(base.and(mask(p128)).or(noise))));

        // any single bit changed within the prefix (IPv4 bits or the mapped marker) puts it outside
        if (p128 > 0) {
            int bit = 127 - flip % p128; // bit index counted from the least significant end
            IpAddress changed = address(base.flipBit(bit));
            assertFalse(n.contains(changed), changed.toString());
        }
    }

    @Property(tries = 200)
    void v4MaskMatchesPlainIntArithmetic(@ForAll int baseBits, @ForAll @IntRange(min = 0, max = 32) int prefix,
                                          @ForAll int otherBits) {
        IpNetwork n = IpNetwork.of(IpAddress.ofV4(baseBits), prefix);
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        assertEquals(((baseBits ^ otherBits) & mask) == 0, n.contains(IpAddress.ofV4(otherBits)));
        assertEquals(baseBits & mask, n.base().v4Bits());
        if (prefix > 0) {
            assertTrue(n.base().isV4());
        }
    }

    // ---- IPv6 ----

    @Property(tries = 500)
    void v6NetworkMatchesReference(@ForAll("v6Address") IpAddress address, @ForAll @IntRange(min = 0, max = 128) int prefix,
                                   @ForAll("anyAddress") IpAddress other, @ForAll("anyAddress") IpAddress noiseSource,
                                   @ForAll @IntRange(min = 0, max = 127) int flip) {
        IpNetwork n = IpNetwork.of(address, prefix);
        BigInteger base = big(address);
        BigInteger m = mask(prefix);

        assertEquals(prefix, n.prefix());
        assertEquals(prefix, n.prefix128());
        assertEquals(address(base.and(m)), n.base());
        assertTrue(n.contains(address));
        assertTrue(n.contains(n.base()));
        assertEquals(referenceContains(base, prefix, big(other)), n.contains(other), other.toString());

        BigInteger sharing = base.and(m).or(big(noiseSource).andNot(m));
        assertTrue(n.contains(address(sharing)), address(sharing).toString());

        if (prefix > 0) {
            int bit = 127 - flip % prefix;
            IpAddress changed = address(base.flipBit(bit));
            assertFalse(n.contains(changed), changed.toString());
        } else {
            assertTrue(n.contains(other));
        }
    }

    /** The compact constructor keeps the 128-bit semantics whatever the base. */
    @Property(tries = 300)
    void rawNetworkMatchesReference(@ForAll("anyAddress") IpAddress base, @ForAll @IntRange(min = 0, max = 128) int prefix128,
                                    @ForAll("anyAddress") IpAddress other) {
        IpNetwork n = new IpNetwork(base, prefix128);
        assertEquals(address(big(base).and(mask(prefix128))), n.base());
        assertEquals(referenceContains(big(base), prefix128, big(other)), n.contains(other));
        assertTrue(n.contains(base));
    }

    // ---- text round trips ----

    @Property(tries = 500)
    void addressTextRoundTrips(@ForAll("anyAddress") IpAddress a) {
        String text = a.toString();
        assertEquals(a, IpAddress.parse(text), text);
        assertEquals(text, IpAddress.parse(text).toString());
        assertEquals(a.isV4() ? v4Text(a.v4Bits()) : rfc5952(a), text);
    }

    @Property(tries = 300)
    void networkTextRoundTrips(@ForAll("anyAddress") IpAddress a, @ForAll @IntRange(min = 0, max = 128) int prefix) {
        IpNetwork n = IpNetwork.of(a, a.isV4() ? prefix % 33 : prefix);
        String text = n.toString();
        assertEquals(n, IpNetwork.parse(text), text);
        assertEquals(text, IpNetwork.parse(text).toString());
    }

    /** Other valid spellings of the same address parse to it: full form, leading zeros, upper case, any :: run, dotted tail. */
    @Property(tries = 500)
    void alternativeSpellingsParseToTheSameAddress(@ForAll("anyAddress") IpAddress a, @ForAll long style) {
        int[] g = groups(a);
        StringBuilder full = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i > 0) {
                full.append(':');
            }
            String hex = Integer.toHexString(g[i]);
            if ((style >>> i & 1) != 0) {
                hex = "0".repeat(4 - hex.length()) + hex;
            }
            if ((style >>> (8 + i) & 1) != 0) {
                hex = hex.toUpperCase();
            }
            full.append(hex);
        }
        assertEquals(a, IpAddress.parse(full.toString()), full.toString());

        // compress some run of zero groups (not necessarily the longest one)
        for (int start = 0; start < 8; start++) {
            if (g[start] != 0) {
                continue;
            }
            int end = start;
            while (end < 8 && g[end] == 0 && (end == start || (style >>> (16 + end) & 1) != 0)) {
                end++;
            }
            String text = join(g, 0, start) + "::" + join(g, end, 8);
            assertEquals(a, IpAddress.parse(text), text);
        }

        // the last 32 bits as a dotted quad
        String dotted = join(g, 0, 6) + ":" + v4Text((g[6] << 16) | g[7]);
        assertEquals(a, IpAddress.parse(dotted), dotted);
    }

    // ---- reference formatting ----

    static int[] groups(IpAddress a) {
        int[] g = new int[8];
        BigInteger v = big(a);
        for (int i = 0; i < 8; i++) {
            g[i] = v.shiftRight(112 - 16 * i).intValue() & 0xffff;
        }
        return g;
    }

    static String join(int[] g, int from, int to) {
        StringBuilder out = new StringBuilder();
        for (int i = from; i < to; i++) {
            if (i > from) {
                out.append(':');
            }
            out.append(Integer.toHexString(g[i]));
        }
        return out.toString();
    }

    static String v4Text(int bits) {
        return (bits >>> 24) + "." + (bits >>> 16 & 0xff) + "." + (bits >>> 8 & 0xff) + "." + (bits & 0xff);
    }

    /** RFC 5952: lower case, no leading zeros, the leftmost longest run of two or more zero groups as "::". */
    static String rfc5952(IpAddress a) {
        int[] g = groups(a);
        int bestStart = -1;
        int bestLength = 0;
        for (int start = 0; start < 8; start++) {
            int length = 0;
            while (start + length < 8 && g[start + length] == 0) {
                length++;
            }
            if (length >= 2 && length > bestLength) {
                bestStart = start;
                bestLength = length;
            }
        }
        if (bestStart < 0) {
            return join(g, 0, 8);
        }
        return join(g, 0, bestStart) + "::" + join(g, bestStart + bestLength, 8);
    }
}
