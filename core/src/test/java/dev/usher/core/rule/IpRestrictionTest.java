package dev.usher.core.rule;

import dev.usher.core.net.IpAddress;
import dev.usher.core.net.IpNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpRestrictionTest {

    private static IpAddress ip(String text) {
        return IpAddress.parse(text);
    }

    private static IpNetwork net(String text) {
        return IpNetwork.parse(text);
    }

    /** Plays from {@code client}: matches and, as a granted playback would, binds the offered slot. */
    private static IpRestriction play(IpRestriction r, String client) {
        IpRestriction.Match m = r.match(ip(client));
        assertTrue(m.allowed(), client + " should be allowed by " + r);
        return m.bindSlot() >= 0 ? r.bind(m.bindSlot(), m.network()) : r;
    }

    @Test
    void singleAddress() {
        IpRestriction r = IpRestriction.parse("1.1.1.1");
        IpRestriction.Match m = r.match(ip("1.1.1.1"));
        assertTrue(m.allowed());
        assertEquals(-1, m.bindSlot());
        assertEquals(IpNetwork.host(ip("1.1.1.1")), m.network());
        assertTrue(r.match(ip("::ffff:1.1.1.1")).allowed());
        assertFalse(r.match(ip("1.1.1.2")).allowed());
        assertFalse(r.match(ip("::1")).allowed());
    }

    @Test
    void seedsCidr() {
        IpRestriction r = IpRestriction.parse("192.168.0.0/24");
        IpRestriction.Match m = r.match(ip("192.168.0.42"));
        assertTrue(m.allowed());
        assertEquals(-1, m.bindSlot());
        assertEquals(IpNetwork.host(ip("192.168.0.42")), m.network()); // identity is the client, not the block
        assertFalse(r.match(ip("192.168.1.42")).allowed());
        IpRestriction.Match refused = r.match(ip("10.0.0.1"));
        assertFalse(refused.allowed());
        assertNull(refused.network());
        assertEquals(-1, refused.bindSlot());
    }

    @Test
    void seedsHostBitsSet() {
        IpRestriction r = IpRestriction.parse("1.1.1.1/24");
        assertTrue(r.match(ip("1.1.1.200")).allowed());
        assertFalse(r.match(ip("1.1.2.1")).allowed());
        assertEquals("1.1.1.1/24", r.text());
    }

    @Test
    void seedsAnyAddress() {
        for (String text : new String[] {"0.0.0.0/0", "::/0"}) {
            IpRestriction r = IpRestriction.parse(text);
            for (String client : new String[] {"1.2.3.4", "0.0.0.0", "255.255.255.255", "::1", "2001:db8::1", "fe80::1"}) {
                IpRestriction.Match m = r.match(ip(client));
                assertTrue(m.allowed(), text + " " + client);
                assertEquals(-1, m.bindSlot());
            }
        }
    }

    @Test
    void v6Entries() {
        IpRestriction r = IpRestriction.parse("2001:db8::/32|192.0.2.1|::1");
        assertTrue(r.match(ip("2001:db8:1::5")).allowed());
        assertTrue(r.match(ip("192.0.2.1")).allowed());
        assertTrue(r.match(ip("::1")).allowed());
        assertFalse(r.match(ip("2001:db9::")).allowed());
        assertFalse(r.match(ip("127.0.0.1")).allowed());
        assertTrue(IpRestriction.parse("::ffff:192.0.2.1").match(ip("192.0.2.1")).allowed());
    }

    @Test
    void autoBindsTheFirstAddress() {
        IpRestriction r = IpRestriction.parse("auto");
        IpRestriction.Match first = r.match(ip("203.0.113.5"));
        assertTrue(first.allowed());
        assertEquals(0, first.bindSlot());
        assertEquals(net("203.0.113.5/32"), first.network());

        IpRestriction bound = r.bind(0, first.network());
        assertEquals(1, bound.boundCount());
        assertEquals(0, r.boundCount()); // immutable
        assertEquals("auto", bound.text());
        assertEquals(List.of(net("203.0.113.5/32")), bound.bindings());

        IpRestriction.Match again = bound.match(ip("203.0.113.5"));
        assertTrue(again.allowed());
        assertEquals(-1, again.bindSlot());
        assertEquals(net("203.0.113.5/32"), again.network());
        assertFalse(bound.match(ip("203.0.113.6")).allowed());
        assertFalse(bound.match(ip("2001:db8::1")).allowed());
    }

    @Test
    void auto24BindsTheClientsSlash24() {
        IpRestriction r = play(IpRestriction.parse("auto/24"), "198.51.100.7");
        assertEquals(Collections.singletonList(net("198.51.100.0/24")), r.bindings());
        assertTrue(r.match(ip("198.51.100.250")).allowed());
        assertEquals(net("198.51.100.0/24"), r.match(ip("198.51.100.250")).network());
        assertFalse(r.match(ip("198.51.101.7")).allowed());
    }

    @Test
    void seedsTwoSubnets() {
        IpRestriction r = IpRestriction.parse("auto/24|auto/24");
        assertEquals("auto/24|auto/24", r.text());

        r = play(r, "198.51.100.7");                    // first subnet binds slot 0
        assertEquals(Arrays.asList(net("198.51.100.0/24"), null), r.bindings());

        IpRestriction.Match sameSubnet = r.match(ip("198.51.100.99"));
        assertTrue(sameSubnet.allowed());
        assertEquals(-1, sameSubnet.bindSlot());         // does not take a second slot
        r = play(r, "198.51.100.99");
        assertEquals(1, r.boundCount());

        IpRestriction.Match second = r.match(ip("203.0.113.1"));
        assertTrue(second.allowed());
        assertEquals(1, second.bindSlot());
        r = play(r, "203.0.113.1");                       // second subnet binds slot 1
        assertEquals(Arrays.asList(net("198.51.100.0/24"), net("203.0.113.0/24")), r.bindings());
        assertEquals(2, r.boundCount());

        assertFalse(r.match(ip("192.0.2.1")).allowed());  // third subnet refused
        assertFalse(r.match(ip("2001:db8::1")).allowed());
        assertTrue(r.match(ip("198.51.100.1")).allowed());
        assertTrue(r.match(ip("203.0.113.254")).allowed());
        assertEquals("auto/24|auto/24", r.text());        // stored as issued
        // Shown as it stands (issue 11 item 3 changed this from the issued text): each slot by what it bound.
        assertEquals("198.51.100.0/24|203.0.113.0/24", r.shown());
        assertEquals(r.shown(), r.toString());
    }

    @Test
    void aBoundSlotIsShownByWhatItBoundAndTheRestAsIssued() {
        IpRestriction r = IpRestriction.parse("auto/24|auto/24");
        assertEquals("auto/24|auto/24", r.shown(), "nothing bound yet");
        r = play(r, "192.0.2.77");
        assertEquals("192.0.2.0/24|auto/24", r.shown());
        assertEquals("auto/24|auto/24", r.text());
        // A plain auto binds the address itself; an IPv6 client binds its /64; fixed entries stay as written.
        IpRestriction mixed = play(play(IpRestriction.parse("10.0.0.0/8|auto|auto"), "198.51.100.7"), "2001:db8:1:2::9");
        assertEquals("10.0.0.0/8|198.51.100.7|2001:db8:1:2::/64", mixed.shown());
        // What is shown reads back as a rule allowing what the bound one allows.
        IpRestriction reread = IpRestriction.parse(mixed.shown());
        for (String client : List.of("10.1.2.3", "198.51.100.7", "198.51.100.8", "2001:db8:1:2::1", "2001:db8:1:3::1")) {
            assertEquals(mixed.match(ip(client)).allowed(), reread.match(ip(client)).allowed(), client);
        }
    }

    @Test
    void fixedEntriesComeBeforeFreeSlots() {
        IpRestriction r = IpRestriction.parse("auto|192.0.2.0/24");
        IpRestriction.Match inside = r.match(ip("192.0.2.5"));
        assertTrue(inside.allowed());
        assertEquals(-1, inside.bindSlot());
        assertEquals(IpNetwork.host(ip("192.0.2.5")), inside.network());

        IpRestriction.Match outside = r.match(ip("10.1.1.1"));
        assertTrue(outside.allowed());
        assertEquals(0, outside.bindSlot());
        IpRestriction bound = r.bind(0, outside.network());
        assertFalse(bound.match(ip("10.1.1.2")).allowed());
        assertTrue(bound.match(ip("192.0.2.77")).allowed());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "auto    | 2001:db8:1:2ff:3:4:5:6 | 2001:db8:1:2ff::/64",
            "auto/32 | 2001:db8:1:2ff:3:4:5:6 | 2001:db8:1:2ff::/64",
            "auto/24 | 2001:db8:1:2ff:3:4:5:6 | 2001:db8:1:200::/56",
            "auto/16 | 2001:db8:1:2ff:3:4:5:6 | 2001:db8:1::/48",
            "auto/8  | 2001:db8:1:2ff:3:4:5:6 | 2001:db8::/40",
            "auto/1  | ffff:ffff:ffff::1      | ffff:ffff:8000::/33",
            "auto    | 203.0.113.9          | 203.0.113.9/32",
            "auto/16 | 203.0.113.9          | 203.0.0.0/16",
            "auto/1  | 203.0.113.9          | 128.0.0.0/1",
            "auto/0  | 203.0.113.9          | 0.0.0.0/0",
            "auto/0  | 2001:db8::1          | 0.0.0.0/0",
    })
    void slotBindsTheDocumentedNetwork(String rule, String client, String expected) {
        IpRestriction.Match m = IpRestriction.parse(rule).match(ip(client));
        assertTrue(m.allowed());
        assertEquals(0, m.bindSlot());
        assertEquals(net(expected), m.network());
    }

    @Test
    void auto0AllowsEveryAddressOnceBound() {
        IpRestriction r = play(IpRestriction.parse("auto/0"), "203.0.113.9");
        assertSame(IpNetwork.ANY, r.bindings().get(0));
        assertTrue(r.match(ip("2001:db8::1")).allowed());
        assertTrue(r.match(ip("1.2.3.4")).allowed());
    }

    /** Issue 10 item 3: an auto slot bound from ::1 (its /64, ::/64) admitted every IPv4 client. */
    @ParameterizedTest
    @ValueSource(strings = {"auto", "auto/32", "auto/24", "auto/16", "auto/1"})
    void aSlotBoundFromIpv6RefusesEveryIpv4Client(String rule) {
        IpRestriction r = play(IpRestriction.parse(rule), "::1");
        assertTrue(r.bindings().get(0).isV6(), r.bindings().get(0).toString());
        for (String v4 : new String[] {"127.0.0.1", "0.0.0.1", "1.2.3.4", "::ffff:127.0.0.1", "::ffff:1.2.3.4"}) {
            assertFalse(r.match(ip(v4)).allowed(), rule + " bound from ::1 allows " + v4);
        }
        assertTrue(r.match(ip("::2")).allowed(), "the same /64");
    }

    @Test
    void aSlotBoundFromIpv4RefusesEveryIpv6Client() {
        IpRestriction r = play(IpRestriction.parse("auto/1"), "127.0.0.1");
        assertEquals(net("0.0.0.0/1"), r.bindings().get(0));
        for (String v6 : new String[] {"::1", "::", "::127.0.0.1", "::7f00:1", "64:ff9b::127.0.0.1"}) {
            assertFalse(r.match(ip(v6)).allowed(), "auto/1 bound from 127.0.0.1 allows " + v6);
        }
        assertTrue(r.match(ip("::ffff:1.2.3.4")).allowed(), "a mapped address is IPv4");
    }

    @ParameterizedTest
    @ValueSource(strings = {"::/64", "::1/64", "::/8", "::/1", "::/96"})
    void anIpv6EntryRefusesIpv4Clients(String entry) {
        IpRestriction r = IpRestriction.parse(entry);
        assertFalse(r.match(ip("127.0.0.1")).allowed(), entry);
        assertFalse(r.match(ip("::ffff:127.0.0.1")).allowed(), entry);
        assertFalse(r.match(ip("203.0.113.9")).allowed(), entry);
    }

    @Test
    void aSecondSlotTakesTheOtherFamily() {
        IpRestriction r = play(IpRestriction.parse("auto|auto"), "::1");
        IpRestriction.Match v4 = r.match(ip("127.0.0.1"));
        assertTrue(v4.allowed());
        assertEquals(1, v4.bindSlot(), "IPv4 needs the free slot");
        assertEquals(net("127.0.0.1/32"), v4.network());
    }

    @Test
    void v6ClientKeepsItsSlotWhilePrivacyAddressesRotate() {
        IpRestriction r = play(IpRestriction.parse("auto|auto"), "2001:db8:1:2::aaaa");
        IpRestriction.Match rotated = r.match(ip("2001:db8:1:2:1234:5678:9abc:def0"));
        assertTrue(rotated.allowed());
        assertEquals(-1, rotated.bindSlot());
        assertEquals(1, r.match(ip("2001:db8:1:3::1")).bindSlot());
    }

    @Test
    void restoreBindsSlotsInEntryOrder() {
        IpRestriction r = IpRestriction.restore("192.0.2.1|auto/24|auto/24",
                Arrays.asList(null, null, net("198.51.100.0/24")));
        assertEquals(Arrays.asList(null, null, net("198.51.100.0/24")), r.bindings());
        assertEquals(1, r.boundCount());
        assertTrue(r.match(ip("198.51.100.3")).allowed());
        assertEquals(-1, r.match(ip("198.51.100.3")).bindSlot());
        assertEquals(1, r.match(ip("203.0.113.1")).bindSlot());
        assertEquals(r, play(IpRestriction.parse("192.0.2.1|auto/24|auto/24"), "192.0.2.1").bind(2, net("198.51.100.0/24")));

        // a binding given for a fixed entry is ignored
        IpRestriction fixed = IpRestriction.restore("192.0.2.1", List.of(net("10.0.0.0/8")));
        assertFalse(fixed.match(ip("10.0.0.1")).allowed());

        assertThrows(IllegalArgumentException.class, () -> IpRestriction.restore("auto|auto", List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> IpRestriction.restore("auto", Arrays.asList(null, null)));
    }

    @Test
    void bindingABoundSlotFails() {
        IpRestriction r = play(IpRestriction.parse("auto"), "192.0.2.1");
        assertThrows(IllegalStateException.class, () -> r.bind(0, net("10.0.0.0/8")));
    }

    @Test
    void entriesAndEquality() {
        IpRestriction r = IpRestriction.parse("192.0.2.0/24|auto|auto/16");
        assertEquals(List.of(new IpRestriction.Fixed(net("192.0.2.0/24")), new IpRestriction.Auto(32, null),
                new IpRestriction.Auto(16, null)), r.entries());
        assertEquals(r, IpRestriction.parse("192.0.2.0/24|auto|auto/16"));
        assertEquals(r.hashCode(), IpRestriction.parse("192.0.2.0/24|auto|auto/16").hashCode());
        assertFalse(r.equals(play(r, "10.0.0.1")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"300.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4/33", "::/129", "auto/33", "auto/x", "auto/",
            "auto/-1", "auto/100", "auto/1.5", "AUTO", "autox", "auto24", "auto/24/24", "example.com", "localhost",
            "fe80::1%eth0", "1:2:3:4:5:6:7:8:9", "::1::2", "[::1]", "1.2.3.4/08", "*", "any", "1.2.3.4-1.2.3.9"})
    void refusesMalformedEntryNamingIt(String entry) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpRestriction.parse(entry));
        assertTrue(e.getMessage().contains("'" + entry + "'"), e.getMessage());

        String list = "192.0.2.1|" + entry + "|auto";
        IllegalArgumentException inList = assertThrows(IllegalArgumentException.class, () -> IpRestriction.parse(list));
        assertTrue(inList.getMessage().contains("'" + entry + "'"), inList.getMessage());
        assertFalse(inList.getMessage().contains("'192.0.2.1'"), inList.getMessage());
        assertFalse(inList.getMessage().contains("'auto'"), inList.getMessage());
    }

    @Test
    void namesEveryBadEntry() {
        String m = assertThrows(IllegalArgumentException.class,
                () -> IpRestriction.parse("300.1.1.1|auto|example.com|1.2.3.4/33")).getMessage();
        assertTrue(m.contains("'300.1.1.1'"), m);
        assertTrue(m.contains("'example.com'"), m);
        assertTrue(m.contains("'1.2.3.4/33'"), m);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3.4||5.6.7.8", "|1.2.3.4", "1.2.3.4|", "|", "auto| |auto"})
    void refusesEmptyEntries(String text) {
        String m = assertThrows(IllegalArgumentException.class, () -> IpRestriction.parse(text)).getMessage();
        assertTrue(m.contains("''"), m);
        assertFalse(m.contains("'1.2.3.4'"), m);
    }

    @Test
    void limits() {
        assertThrows(NullPointerException.class, () -> IpRestriction.parse(null));
        assertThrows(IllegalArgumentException.class, () -> IpRestriction.parse(""));
        assertThrows(IllegalArgumentException.class, () -> IpRestriction.parse("   "));
        String entries32 = String.join("|", Collections.nCopies(IpRestriction.MAX_ENTRIES, "auto"));
        assertEquals(32, IpRestriction.parse(entries32).entries().size());
        assertThrows(IllegalArgumentException.class, () -> IpRestriction.parse(entries32 + "|auto"));
        assertThrows(IllegalArgumentException.class,
                () -> IpRestriction.parse("1.2.3.4|".repeat(200) + "1.2.3.4")); // longer than MAX_LENGTH
    }

    @Test
    void thirtyTwoSlotsBindThirtyTwoSubnets() {
        IpRestriction r = IpRestriction.parse(String.join("|", Collections.nCopies(32, "auto/24")));
        for (int i = 0; i < 32; i++) {
            r = play(r, "10.0." + i + ".1");
            assertEquals(i + 1, r.boundCount());
            r = play(r, "10.0." + i + ".2");
            assertEquals(i + 1, r.boundCount());
        }
        assertFalse(r.match(ip("10.0.32.1")).allowed());
    }
}
