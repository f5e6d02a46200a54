package dev.usher.core.net;

import dev.usher.core.testing.RandomInputs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CIDR arithmetic of {@link IpNetwork} against a reference computed with {@link BigInteger} in the
 * 128-bit space (IPv4 as {@code ::ffff:a.b.c.d}, an IPv4 /N as /(96+N)), with the families kept
 * apart: only a /0 crosses from one family to the other. Inputs come from
 * {@link RandomInputs}; a failure names its seed and input.
 */
class IpNetworkPropertyTest {

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

    /** The reference of the families: IPv4 is exactly {@code ::ffff:0:0/96}, everything else is IPv6. */
    static boolean referenceIsV4(BigInteger x) {
        return x.shiftRight(32).equals(BigInteger.valueOf(0xffffL));
    }

    /**
     * Whether the block (base, prefix128) contains x: a prefix of 0 contains everything (the explicit
     * "any" forms); otherwise x must be of the block's family, IPv4 for a block lying inside
     * {@code ::ffff:0:0/96} and IPv6 for every other block, and share the prefix bits.
     */
    static boolean referenceContains(BigInteger base, int prefix128, BigInteger x) {
        BigInteger m = mask(prefix128);
        if (prefix128 == 0) {
            return true;
        }
        boolean blockIsV4 = prefix128 >= 96 && referenceIsV4(base.and(m));
        return blockIsV4 == referenceIsV4(x) && base.and(m).equals(x.and(m));
    }

    // ---- generators ----

    static final IpAddress ZERO = new IpAddress(0, 0);                 // ::
    static final IpAddress ONES = new IpAddress(-1, -1);               // ffff:...:ffff
    static final IpAddress V4_ZERO = IpAddress.ofV4(0);                // 0.0.0.0
    static final IpAddress V4_ONES = IpAddress.ofV4(-1);               // 255.255.255.255
    static final IpAddress LOOPBACK6 = new IpAddress(0, 1);            // ::1
    static final IpAddress HIGH_BIT = new IpAddress(Long.MIN_VALUE, 0); // 8000::
    static final IpAddress MAPPED_MINUS_ONE = new IpAddress(0, 0xffff_ffffL); // ::ffff.ffff, just below ::ffff:0.0.0.0
    static final IpAddress HALF = new IpAddress(0, -1);                // ::ffff:ffff:ffff:ffff

    /** 128-bit values biased towards zero groups, IPv4-mapped values and family boundaries. */
    static IpAddress anyAddress(RandomInputs r) {
        return r.oneOfGenerated(() -> fromGroups(r), () -> new IpAddress(r.anyLong(), r.anyLong()),
                () -> IpAddress.ofV4(r.anyInt()));
    }

    static IpAddress v6Address(RandomInputs r) {
        while (true) {
            IpAddress a = anyAddress(r);
            if (!a.isV4()) {
                return a;
            }
        }
    }

    static IpAddress fromGroups(RandomInputs r) {
        long high = 0;
        long low = 0;
        for (int i = 0; i < 4; i++) {
            high = (high << 16) | group(r);
            low = (low << 16) | group(r);
        }
        return new IpAddress(high, low);
    }

    static int group(RandomInputs r) {
        return r.oneOfGenerated(() -> 0, () -> 0xffff, () -> r.uniform(0, 0xffff));
    }

    /** Every pair of the listed addresses and prefixes, in that order. */
    static <T> List<T> grid(List<IpAddress> addresses, List<Integer> prefixes, java.util.function.BiFunction<IpAddress, Integer, T> make) {
        List<T> out = new ArrayList<>();
        for (IpAddress a : addresses) {
            for (int p : prefixes) {
                out.add(make.apply(a, p));
            }
        }
        return out;
    }

    static final List<IpAddress> EDGE_ADDRESSES = List.of(ZERO, ONES, V4_ZERO, V4_ONES, LOOPBACK6, HIGH_BIT,
            MAPPED_MINUS_ONE, HALF);
    static final List<IpAddress> EDGE_V6 = List.of(ZERO, ONES, LOOPBACK6, HIGH_BIT, MAPPED_MINUS_ONE, HALF);
    static final List<Integer> EDGE_V4_BITS = List.of(0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE);

    // ---- IPv4 ----

    record V4Case(int baseBits, int prefix, int otherBits, int hostNoise, int flip) {
        @Override
        public String toString() {
            return "base=" + IpAddress.ofV4(baseBits) + " /" + prefix + " other=" + IpAddress.ofV4(otherBits)
                    + " hostNoise=" + IpAddress.ofV4(hostNoise) + " flip=" + flip;
        }
    }

    static List<V4Case> v4Edges() {
        List<V4Case> out = new ArrayList<>();
        for (int base : EDGE_V4_BITS) {
            for (int prefix : List.of(0, 1, 31, 32)) {
                out.add(new V4Case(base, prefix, ~base, ~base, prefix == 0 ? 0 : 127));
            }
        }
        out.add(new V4Case(0, 32, 0, 0, 0));
        out.add(new V4Case(-1, 32, -1, -1, 31));
        out.add(new V4Case(0, 0, -1, -1, 127));
        return out;
    }

    @Test
    void v4NetworkMatchesReference(TestInfo info) {
        RandomInputs.forTest(info).check(500, v4Edges(),
                r -> new V4Case(r.anyInt(), r.between(0, 32), r.anyInt(), r.anyInt(), r.between(0, 127)), c -> {
            IpAddress address = IpAddress.ofV4(c.baseBits());
            IpNetwork n = IpNetwork.of(address, c.prefix());
            int p128 = c.prefix() == 0 ? 0 : 96 + c.prefix();
            BigInteger base = v4(c.baseBits());

            assertEquals(c.prefix(), n.prefix(), "prefix");
            assertEquals(p128, n.prefix128(), "prefix128");
            assertEquals(address(base.and(mask(p128))), n.base(), "base");
            assertTrue(n.contains(address), "contains its address");
            assertTrue(n.contains(n.base()), "contains its base");

            // any other address, of either family, as the reference says
            for (BigInteger x : List.of(v4(c.otherBits()), big(IpAddress.ofV4(c.otherBits())).xor(BigInteger.ONE.shiftLeft(100)),
                    BigInteger.valueOf(c.otherBits() & 0xffff_ffffL))) {
                assertEquals(referenceContains(base, p128, x), n.contains(address(x)), "contains " + address(x));
            }

            // every address sharing the prefix bits is inside
            BigInteger noise = v4(c.hostNoise()).andNot(mask(p128));
            IpAddress sharing = address(base.and(mask(p128)).or(noise));
            assertTrue(n.contains(sharing), "contains " + sharing);

            // any single bit changed within the prefix (IPv4 bits or the mapped marker) puts it outside
            if (p128 > 0) {
                int bit = 127 - c.flip() % p128; // bit index counted from the least significant end
                IpAddress changed = address(base.flipBit(bit));
                assertFalse(n.contains(changed), "contains " + changed);
            }
        });
    }

    record V4MaskCase(int baseBits, int prefix, int otherBits) {
        @Override
        public String toString() {
            return "base=" + IpAddress.ofV4(baseBits) + " /" + prefix + " other=" + IpAddress.ofV4(otherBits);
        }
    }

    @Test
    void v4MaskMatchesPlainIntArithmetic(TestInfo info) {
        List<V4MaskCase> edges = new ArrayList<>();
        for (int base : EDGE_V4_BITS) {
            for (int prefix : List.of(0, 32)) {
                edges.add(new V4MaskCase(base, prefix, base));
                edges.add(new V4MaskCase(base, prefix, ~base));
            }
        }
        RandomInputs.forTest(info).check(200, edges, r -> new V4MaskCase(r.anyInt(), r.between(0, 32), r.anyInt()), c -> {
            IpNetwork n = IpNetwork.of(IpAddress.ofV4(c.baseBits()), c.prefix());
            int mask = c.prefix() == 0 ? 0 : -1 << (32 - c.prefix());
            assertEquals(((c.baseBits() ^ c.otherBits()) & mask) == 0, n.contains(IpAddress.ofV4(c.otherBits())), "contains");
            assertEquals(c.baseBits() & mask, n.base().v4Bits(), "base bits");
            if (c.prefix() > 0) {
                assertTrue(n.base().isV4(), "base is IPv4");
            }
        });
    }

    // ---- IPv6 ----

    record V6Case(IpAddress address, int prefix, IpAddress other, IpAddress noiseSource, int flip) {
        @Override
        public String toString() {
            return "address=" + address + " /" + prefix + " other=" + other + " noiseSource=" + noiseSource + " flip=" + flip;
        }
    }

    @Test
    void v6NetworkMatchesReference(TestInfo info) {
        List<V6Case> edges = grid(EDGE_V6, List.of(0, 1, 63, 64, 65, 127, 128),
                (a, p) -> new V6Case(a, p, address(big(a).xor(MASK128)), ONES, p == 0 ? 0 : 127));
        RandomInputs.forTest(info).check(500, edges, r -> new V6Case(v6Address(r), r.between(0, 128), anyAddress(r),
                anyAddress(r), r.between(0, 127)), c -> {
            IpNetwork n = IpNetwork.of(c.address(), c.prefix());
            BigInteger base = big(c.address());
            BigInteger m = mask(c.prefix());

            assertEquals(c.prefix(), n.prefix(), "prefix");
            assertEquals(c.prefix(), n.prefix128(), "prefix128");
            assertEquals(address(base.and(m)), n.base(), "base");
            assertTrue(n.contains(c.address()), "contains its address");
            assertTrue(n.contains(n.base()), "contains its base");
            assertEquals(referenceContains(base, c.prefix(), big(c.other())), n.contains(c.other()), "contains other");

            // every IPv6 address sharing the prefix bits is inside (the noise may land in ::ffff:0:0/96,
            // which is IPv4 and so outside an IPv6 block)
            IpAddress sharing = address(base.and(m).or(big(c.noiseSource()).andNot(m)));
            if (!sharing.isV4() || c.prefix() == 0) {
                assertTrue(n.contains(sharing), "contains " + sharing);
            } else {
                assertFalse(n.contains(sharing), "contains the IPv4 address " + sharing);
            }

            if (c.prefix() > 0) {
                int bit = 127 - c.flip() % c.prefix();
                IpAddress changed = address(base.flipBit(bit));
                assertFalse(n.contains(changed), "contains " + changed);
            } else {
                assertTrue(n.contains(c.other()), "/0 contains other");
            }
        });
    }

    record RawCase(IpAddress base, int prefix128, IpAddress other) {
        @Override
        public String toString() {
            return "base=" + base + " prefix128=" + prefix128 + " other=" + other;
        }
    }

    /**
     * The compact constructor keeps the 128-bit semantics whatever the base, within the block's
     * family: {@code 0.0.0.0} with a 128-bit prefix of 32 is the IPv6 block {@code ::/32}, which
     * does not contain {@code 0.0.0.0}.
     */
    @Test
    void rawNetworkMatchesReference(TestInfo info) {
        List<RawCase> edges = grid(EDGE_ADDRESSES, List.of(0, 32, 64, 96, 128),
                (a, p) -> new RawCase(a, p, address(big(a).flipBit(0))));
        RandomInputs.forTest(info).check(300, edges, r -> new RawCase(anyAddress(r), r.between(0, 128), anyAddress(r)), c -> {
            IpNetwork n = new IpNetwork(c.base(), c.prefix128());
            assertEquals(address(big(c.base()).and(mask(c.prefix128()))), n.base(), "base");
            assertEquals(referenceContains(big(c.base()), c.prefix128(), big(c.other())), n.contains(c.other()), "contains other");
            assertEquals(referenceContains(big(c.base()), c.prefix128(), big(c.base())), n.contains(c.base()), "contains the unmasked base");
            assertTrue(n.contains(n.base()), "contains its base");
        });
    }

    // ---- families ----

    record FamilyCase(IpAddress address, int prefix, IpAddress other, int v4Bits) {
        @Override
        public String toString() {
            return "address=" + address + " /" + prefix + " other=" + other + " v4=" + IpAddress.ofV4(v4Bits);
        }
    }

    /**
     * No block of one family contains an address of the other, whatever their bits: an IPv6 block
     * (even {@code ::/1}, which holds {@code ::ffff:0:0/96} in the arithmetic) refuses every IPv4
     * address, including the IPv4 address spelled with the block's own bits, and an IPv4 block every
     * IPv6 address. A /0, in either spelling, contains both.
     */
    @Test
    void familiesNeverMix(TestInfo info) {
        List<FamilyCase> edges = new ArrayList<>();
        for (IpAddress a : EDGE_ADDRESSES) {
            for (int p : List.of(0, 1, 8, 32, 64, 95, 96, 97, 128)) {
                edges.add(new FamilyCase(a, a.isV4() ? p % 33 : p, V4_ZERO, 0x7f000001));
                edges.add(new FamilyCase(a, a.isV4() ? p % 33 : p, LOOPBACK6, -1));
            }
        }
        RandomInputs.forTest(info).check(1000, edges, r -> {
            IpAddress a = anyAddress(r);
            return new FamilyCase(a, a.isV4() ? r.between(0, 32) : r.between(0, 128), anyAddress(r), r.anyInt());
        }, c -> {
            IpNetwork n = IpNetwork.of(c.address(), c.prefix());
            IpAddress v4 = IpAddress.ofV4(c.v4Bits());
            IpAddress v4SameBits = IpAddress.ofV4((int) n.base().low());
            IpAddress v6 = c.other().isV4() ? LOOPBACK6 : c.other();
            if (c.prefix() == 0) {
                assertTrue(n.isAny() && n.contains(v4) && n.contains(v6) && n.contains(v4SameBits), "/0 holds both families");
                return;
            }
            assertFalse(n.isAny(), "only /0 is any");
            assertEquals(c.address().isV4(), n.isV4(), "family of the block");
            assertEquals(!c.address().isV4(), n.isV6(), "family of the block");
            // membership implies the same family, for any address
            if (n.contains(c.other())) {
                assertEquals(n.isV4(), c.other().isV4(), "contains " + c.other() + " of the other family");
            }
            if (n.isV6()) {
                assertFalse(n.contains(v4), "IPv6 block contains " + v4);
                assertFalse(n.contains(v4SameBits), "IPv6 block contains " + v4SameBits);
                assertFalse(n.contains(IpAddress.parse("::ffff:" + v4)), "IPv6 block contains ::ffff:" + v4);
            } else {
                assertFalse(n.contains(v6), "IPv4 block contains " + v6);
                // the IPv4-compatible spelling ::a.b.c.d is IPv6, not the IPv4 address
                assertFalse(n.contains(new IpAddress(0, c.address().v4Bits() & 0xffff_ffffL)),
                        "IPv4 block contains ::" + c.address());
            }
            assertEquals(referenceContains(big(n.base()), n.prefix128(), big(c.other())), n.contains(c.other()), "reference");
        });
    }

    // ---- text round trips ----

    @Test
    void addressTextRoundTrips(TestInfo info) {
        List<IpAddress> edges = new ArrayList<>(EDGE_ADDRESSES);
        edges.addAll(List.of(IpAddress.parse("1::"), IpAddress.parse("1:0:0:1:0:0:0:1"), IpAddress.parse("1:0:0:1:0:0:1:1"),
                IpAddress.parse("0:1:0:1:0:1:0:1"), IpAddress.parse("::ffff:0:0"), IpAddress.parse("::fffe:ffff:ffff")));
        RandomInputs.forTest(info).check(500, edges, IpNetworkPropertyTest::anyAddress, a -> {
            String text = a.toString();
            assertEquals(a, IpAddress.parse(text), "parse of " + text);
            assertEquals(text, IpAddress.parse(text).toString(), "text of the parsed value");
            assertEquals(a.isV4() ? v4Text(a.v4Bits()) : rfc5952(a), text, "reference text");
        });
    }

    record NetworkCase(IpAddress address, int prefix) {
        @Override
        public String toString() {
            return address + " /" + prefix;
        }
    }

    @Test
    void networkTextRoundTrips(TestInfo info) {
        List<NetworkCase> edges = grid(EDGE_ADDRESSES, List.of(0, 32, 64, 128), NetworkCase::new);
        RandomInputs.forTest(info).check(300, edges, r -> new NetworkCase(anyAddress(r), r.between(0, 128)), c -> {
            IpNetwork n = IpNetwork.of(c.address(), c.address().isV4() ? c.prefix() % 33 : c.prefix());
            String text = n.toString();
            assertEquals(n, IpNetwork.parse(text), "parse of " + text);
            assertEquals(text, IpNetwork.parse(text).toString(), "text of the parsed value");
        });
    }

    record SpellingCase(IpAddress address, long style) {
        @Override
        public String toString() {
            return address + " style=0x" + Long.toHexString(style);
        }
    }

    /** Other valid spellings of the same address parse to it: full form, leading zeros, upper case, any :: run, dotted tail. */
    @Test
    void alternativeSpellingsParseToTheSameAddress(TestInfo info) {
        List<SpellingCase> edges = new ArrayList<>();
        for (IpAddress a : EDGE_ADDRESSES) {
            edges.add(new SpellingCase(a, 0L));
            edges.add(new SpellingCase(a, -1L));
        }
        RandomInputs.forTest(info).check(500, edges, r -> new SpellingCase(anyAddress(r), r.anyLong()), c -> {
            IpAddress a = c.address();
            long style = c.style();
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
        });
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
