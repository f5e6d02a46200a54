package dev.usher.core.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpNetworkTest {

    private static IpAddress ip(String text) {
        return IpAddress.parse(text);
    }

    @Test
    void seedsClassC() {
        IpNetwork n = IpNetwork.parse("192.168.0.0/24");
        assertEquals(24, n.prefix());
        assertEquals(120, n.prefix128());
        assertEquals(ip("192.168.0.0"), n.base());
        assertEquals("192.168.0.0/24", n.toString());
        for (String in : new String[] {"192.168.0.0", "192.168.0.1", "192.168.0.77", "192.168.0.255", "::ffff:192.168.0.9"}) {
            assertTrue(n.contains(ip(in)), in);
        }
        for (String out : new String[] {"192.168.1.0", "192.167.255.255", "10.0.0.1", "0.0.0.0", "255.255.255.255",
                "::c0a8:1", "::1", "2001:db8::", "::ffff:0:0"}) {
            assertFalse(n.contains(ip(out)), out);
        }
    }

    @Test
    void hostBitsSetAreAcceptedAndCleared() {
        IpNetwork n = IpNetwork.parse("1.1.1.1/24");
        assertEquals(ip("1.1.1.0"), n.base());
        assertEquals("1.1.1.0/24", n.toString());
        assertEquals(IpNetwork.parse("1.1.1.0/24"), n);
        assertTrue(n.contains(ip("1.1.1.1")));
        assertTrue(n.contains(ip("1.1.1.200")));
        assertFalse(n.contains(ip("1.1.2.1")));

        IpNetwork v6 = IpNetwork.parse("2001:db8:1234:5678::1/32");
        assertEquals(ip("2001:db8::"), v6.base());
        assertEquals("2001:db8::/32", v6.toString());
    }

    @Test
    void zeroPrefixAllowsEveryAddressOfBothFamilies() {
        IpNetwork n = IpNetwork.parse("0.0.0.0/0");
        assertEquals(IpNetwork.ANY, n);
        assertEquals(IpNetwork.ANY, IpNetwork.parse("::/0"));
        assertEquals(IpNetwork.ANY, IpNetwork.parse("10.1.2.3/0"));
        assertEquals(IpNetwork.ANY, IpNetwork.parse("2001:db8::1/0"));
        assertEquals("0.0.0.0/0", n.toString());
        assertEquals(0, n.prefix());
        for (String a : new String[] {"0.0.0.0", "1.2.3.4", "255.255.255.255", "::", "::1", "2001:db8::1", "fe80::1",
                "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}) {
            assertTrue(n.contains(ip(a)), a);
        }
        assertSame(IpNetwork.ANY, IpNetwork.of(ip("2001:db8::"), 0));
    }

    @Test
    void v6Block() {
        IpNetwork n = IpNetwork.parse("2001:db8::/32");
        assertEquals(32, n.prefix());
        assertEquals(32, n.prefix128());
        assertEquals("2001:db8::/32", n.toString());
        assertTrue(n.contains(ip("2001:db8::")));
        assertTrue(n.contains(ip("2001:db8::1")));
        assertTrue(n.contains(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
        assertFalse(n.contains(ip("2001:db9::")));
        assertFalse(n.contains(ip("2001:db7:ffff::")));
        assertFalse(n.contains(ip("32.1.13.184"))); // the same 32 bits as IPv4
        assertFalse(n.contains(ip("::")));
    }

    @Test
    void v6PrefixesAcrossTheWordBoundary() {
        IpNetwork n64 = IpNetwork.parse("2001:db8:1:2::/64");
        assertTrue(n64.contains(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")));
        assertFalse(n64.contains(ip("2001:db8:1:3::")));
        IpNetwork n65 = IpNetwork.parse("2001:db8:1:2:8000::/65");
        assertTrue(n65.contains(ip("2001:db8:1:2:8000::1")));
        assertTrue(n65.contains(ip("2001:db8:1:2:ffff::")));
        assertFalse(n65.contains(ip("2001:db8:1:2:7fff:ffff:ffff:ffff")));
        IpNetwork n63 = IpNetwork.parse("2001:db8:1:2::/63");
        assertTrue(n63.contains(ip("2001:db8:1:3::")));
        assertFalse(n63.contains(ip("2001:db8:1:4::")));
        IpNetwork n1 = IpNetwork.parse("8000::/1");
        assertTrue(n1.contains(ip("ffff::")));
        assertFalse(n1.contains(ip("7fff::")));
        assertFalse(n1.contains(ip("1.2.3.4")));
    }

    @Test
    void hostNetworks() {
        IpNetwork v4 = IpNetwork.parse("192.0.2.7");
        assertEquals(IpNetwork.host(ip("192.0.2.7")), v4);
        assertEquals(IpNetwork.parse("192.0.2.7/32"), v4);
        assertEquals(32, v4.prefix());
        assertEquals(128, v4.prefix128());
        assertEquals("192.0.2.7/32", v4.toString());
        assertTrue(v4.contains(ip("192.0.2.7")));
        assertTrue(v4.contains(ip("::ffff:192.0.2.7")));
        assertFalse(v4.contains(ip("192.0.2.6")));
        assertFalse(v4.contains(ip("192.0.2.8")));

        IpNetwork v6 = IpNetwork.parse("2001:db8::7");
        assertEquals(IpNetwork.parse("2001:db8::7/128"), v6);
        assertEquals("2001:db8::7/128", v6.toString());
        assertTrue(v6.contains(ip("2001:db8::7")));
        assertFalse(v6.contains(ip("2001:db8::6")));

        assertTrue(IpNetwork.parse("::/128").contains(ip("::")));
        assertFalse(IpNetwork.parse("::/128").contains(ip("::1")));
    }

    /** Issue 10 item 3: IPv6 blocks whose arithmetic covers ::ffff:0:0/96 held every IPv4 address. */
    @ParameterizedTest
    @ValueSource(strings = {"::/64", "::1/64", "::/8", "::/1", "::/95", "::/96", "::fffe:0:0/95", "0::/32", "::/127"})
    void anIpv6BlockHoldsNoIpv4Address(String block) {
        IpNetwork n = IpNetwork.parse(block);
        assertTrue(n.isV6(), block);
        for (String v4 : new String[] {"127.0.0.1", "0.0.0.0", "1.2.3.4", "255.255.255.255", "::ffff:127.0.0.1",
                "::ffff:7f00:1", "0:0:0:0:0:ffff:0101:0101"}) {
            assertFalse(n.contains(ip(v4)), block + " contains " + v4);
        }
        assertTrue(n.contains(n.base()), block + " contains its base");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0/1", "128.0.0.0/1", "127.0.0.1/8", "1.2.3.4/32"})
    void anIpv4BlockHoldsNoIpv6Address(String block) {
        IpNetwork n = IpNetwork.parse(block);
        assertTrue(n.isV4(), block);
        for (String v6 : new String[] {"::", "::1", "::127.0.0.1", "::1.2.3.4", "64:ff9b::1.2.3.4", "2001:db8::1",
                "::fffe:127.0.0.1", "1::ffff:127.0.0.1"}) {
            assertFalse(n.contains(ip(v6)), block + " contains " + v6);
        }
    }

    @Test
    void onlyTheAnyFormsCrossFamilies() {
        for (String any : new String[] {"0.0.0.0/0", "::/0", "2001:db8::/0", "10.0.0.0/0"}) {
            IpNetwork n = IpNetwork.parse(any);
            assertTrue(n.isAny(), any);
            assertFalse(n.isV4() || n.isV6(), any);
            assertTrue(n.contains(ip("127.0.0.1")) && n.contains(ip("::1")), any);
        }
        // An IPv4 block of the whole IPv4 space, built directly, is still IPv4 only.
        IpNetwork allV4 = new IpNetwork(IpAddress.ofV4(0), 96);
        assertTrue(allV4.isV4());
        assertTrue(allV4.contains(ip("203.0.113.9")));
        assertFalse(allV4.contains(ip("::1")));
    }

    @Test
    void v4MappedNetworkIsTheV4Network() {
        assertEquals(IpNetwork.parse("192.0.2.0/24"), IpNetwork.parse("::ffff:192.0.2.0/24"));
        assertEquals("192.0.2.0/24", IpNetwork.parse("::ffff:192.0.2.0/24").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3.4/33", "1.2.3.4/128", "::/129", "2001:db8::/1000", "1.2.3.4/", "1.2.3.4/-1",
            "1.2.3.4/+8", "1.2.3.4/08", "1.2.3.4/00", "1.2.3.4/ 8", "1.2.3.4/8 ", "1.2.3.4/8/8", "/8", "/",
            "1.2.3.4/0008", "1.2.3.4/x", "1.2.3.4/\u0668", "300.1.1.1/8", "1.2.3/8", "example.com/24",
            "fe80::1%eth0/64", "::1::2/64", "", "1.2.3.4//8"})
    void refusesMalformed(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpNetwork.parse(text));
        String message = e.getMessage();
        // the message names the whole entry or the part of it that is not an address
        String address = text.indexOf('/') < 0 ? text : text.substring(0, text.indexOf('/'));
        assertTrue(message.contains("'" + text + "'") || message.contains("'" + address + "'"), message);
    }

    @Test
    void ofChecksTheFamilyRange() {
        assertThrows(IllegalArgumentException.class, () -> IpNetwork.of(ip("1.2.3.4"), 33));
        assertThrows(IllegalArgumentException.class, () -> IpNetwork.of(ip("1.2.3.4"), -1));
        assertThrows(IllegalArgumentException.class, () -> IpNetwork.of(ip("::1"), 129));
        assertEquals(IpNetwork.parse("1.2.3.0/24"), IpNetwork.of(ip("1.2.3.4"), 24));
        assertEquals(IpNetwork.parse("::/96"), IpNetwork.of(ip("::1.2.3.4"), 96));
        assertThrows(IllegalArgumentException.class, () -> new IpNetwork(ip("::"), 129));
        assertThrows(IllegalArgumentException.class, () -> new IpNetwork(ip("::"), -1));
    }
}
