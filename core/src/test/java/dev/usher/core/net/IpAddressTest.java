package dev.usher.core.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpAddressTest {

    @Test
    void parsesDottedQuad() {
        IpAddress a = IpAddress.parse("192.168.0.1");
        assertTrue(a.isV4());
        assertEquals(0xc0a80001, a.v4Bits());
        assertEquals("192.168.0.1", a.toString());
        assertEquals(IpAddress.ofV4(0xc0a80001), a);
    }

    @Test
    void v4Extremes() {
        assertEquals("0.0.0.0", IpAddress.parse("0.0.0.0").toString());
        assertEquals("255.255.255.255", IpAddress.parse("255.255.255.255").toString());
        assertEquals(IpAddress.ofV4(-1), IpAddress.parse("255.255.255.255"));
        assertEquals(new IpAddress(0L, 0x0000_ffff_0000_0000L), IpAddress.parse("0.0.0.0"));
    }

    @Test
    void unspecifiedAndLoopback() {
        IpAddress any = IpAddress.parse("::");
        assertEquals(new IpAddress(0, 0), any);
        assertFalse(any.isV4());
        assertEquals("::", any.toString());

        IpAddress loopback = IpAddress.parse("::1");
        assertEquals(new IpAddress(0, 1), loopback);
        assertFalse(loopback.isV4());
        assertEquals("::1", loopback.toString());
    }

    @Test
    void v4MappedIsTheV4Address() {
        IpAddress mapped = IpAddress.parse("::ffff:192.0.2.1");
        assertTrue(mapped.isV4());
        assertEquals(IpAddress.parse("192.0.2.1"), mapped);
        assertEquals("192.0.2.1", mapped.toString());
        assertEquals(mapped, IpAddress.parse("::FFFF:c000:0201"));
        assertEquals(mapped, IpAddress.parse("0:0:0:0:0:ffff:192.0.2.1"));
        assertEquals(mapped, IpAddress.parse("0000:0000:0000:0000:0000:ffff:c000:201"));
    }

    @Test
    void notV4WhenOnlyCloseToMapped() {
        assertFalse(IpAddress.parse("::ffff").isV4());
        assertFalse(IpAddress.parse("::fffe:1.2.3.4").isV4());
        assertFalse(IpAddress.parse("1::ffff:1.2.3.4").isV4());
        assertFalse(IpAddress.parse("::1.2.3.4").isV4()); // deprecated IPv4-compatible form is IPv6
        assertEquals("::102:304", IpAddress.parse("::1.2.3.4").toString());
    }

    @Test
    void trailingDottedQuad() {
        assertEquals(IpAddress.parse("64:ff9b::c000:221"), IpAddress.parse("64:ff9b::192.0.2.33"));
        assertEquals(IpAddress.parse("1:2:3:4:5:6:102:304"), IpAddress.parse("1:2:3:4:5:6:1.2.3.4"));
        assertEquals(IpAddress.parse("1::102:304"), IpAddress.parse("1::1.2.3.4"));
        assertEquals("64:ff9b::c000:221", IpAddress.parse("64:ff9b::192.0.2.33").toString());
    }

    @Test
    void hexIsCaseInsensitive() {
        assertEquals(IpAddress.parse("2001:db8::abcd"), IpAddress.parse("2001:DB8::ABCD"));
        assertEquals(new IpAddress(0x2001_0db8_0000_0000L, 0xabcdL), IpAddress.parse("2001:Db8::aBcD"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            // RFC 5952 section 4 examples and corner cases
            "2001:0db8:0000:0000:0000:0000:0002:0001 | 2001:db8::2:1",
            "2001:db8:0:0:0:0:2:1                    | 2001:db8::2:1",
            "2001:db8::0:1                           | 2001:db8::1",
            "2001:db8:0:0:1:0:0:1                    | 2001:db8::1:0:0:1",
            "2001:db8:0:1:1:1:1:1                    | 2001:db8:0:1:1:1:1:1",
            "2001:0:0:1:0:0:0:1                      | 2001:0:0:1::1",
            "2001:DB8::1                             | 2001:db8::1",
            "0:0:0:0:0:0:0:0                         | ::",
            "0:0:0:0:0:0:0:1                         | ::1",
            "1:0:0:0:0:0:0:0                         | 1::",
            "0:1:0:0:0:0:0:0                         | 0:1::",
            "1:0:1:0:1:0:1:0                         | 1:0:1:0:1:0:1:0",
            "1:0:0:1:0:0:1:1                         | 1::1:0:0:1:1",
            "1:1:0:0:1:0:0:0                         | 1:1:0:0:1::",
            "fe80:0000:0000:0000:0000:0000:0000:0001 | fe80::1",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "1:2:3:4:5:6:7:8                         | 1:2:3:4:5:6:7:8",
            "2001:db8::                              | 2001:db8::",
            "::ffff:0:0                              | 0.0.0.0",
    })
    void canonicalText(String literal, String canonical) {
        assertEquals(canonical, IpAddress.parse(literal).toString());
        assertEquals(IpAddress.parse(literal), IpAddress.parse(canonical));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", " ", "300.1.1.1", "256.0.0.0", "1.256.0.0", "1.2.3", "1.2", "1", "1.2.3.4.5",
            "01.2.3.4", "1.2.3.04", "00.0.0.0", "1.2.3.4.", ".1.2.3.4", "1..2.3", "1.2.3.-4", "+1.2.3.4",
            " 1.2.3.4", "1.2.3.4 ", "0x1.2.3.4", "1e2.2.3.4", "1234.1.1.1", "4294967295",
            "example.com", "localhost", "a.b.c.d",
            "fe80::1%eth0", "[::1]", "::1/128", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "::1::2", ":::",
            "1:::2", ":1", "1:", "1::2:", ":1::", "12345::", "g::", "::g", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8",
            "::ffff:1.2.3", "::ffff:256.1.1.1", "::ffff:01.2.3.4", "::ffff:1.2.3.4.5", "::1.2.3.4:1",
            "1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:6::1.2.3.4", "1.2.3.4::", "::a.2.3.4", "::ffff:1.2.3.",
            "\u0661.\u0662.\u0663.\u0664", "\uff11.2.3.4", "::\uff11", "1.2.3.4\n",
            "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2555",
    })
    void refusesWhatIsNotALiteral(String text) {
        assertNull(IpAddress.tryParse(text));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IpAddress.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @Test
    void nullIsNotAnAddress() {
        assertNull(IpAddress.tryParse(null));
        assertNull(IpAddress.parseClient(null));
    }

    @Test
    void longestLiteralsAreAccepted() {
        String longest = "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"; // 45 characters
        assertEquals(45, longest.length());
        assertEquals(new IpAddress(-1L, -1L), IpAddress.parse(longest));
        assertEquals(new IpAddress(0, 0), IpAddress.parse("0000:0000:0000:0000:0000:0000:0.0.0.0"));
    }

    /** A host name would resolve if anything looked it up; it must simply be refused. */
    @Test
    void hostNamesAreNeverResolved() {
        assertNull(IpAddress.tryParse("localhost"));
        assertNull(IpAddress.tryParse("ip6-localhost"));
        assertNull(IpAddress.parseClient("localhost"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "[::1]                | ::1",
            "::1                  | ::1",
            "fe80::1%eth0         | fe80::1",
            "[fe80::1%eth0]       | fe80::1",
            "fe80::1%25eth0       | fe80::1",
            "fe80::1%2            | fe80::1",
            "[2001:db8::7]        | 2001:db8::7",
            "192.0.2.1            | 192.0.2.1",
            "::ffff:192.0.2.1     | 192.0.2.1",
            "[::ffff:192.0.2.1]   | 192.0.2.1",
    })
    void parseClientToleratesBracketsAndZones(String text, String expected) {
        assertEquals(IpAddress.parse(expected), IpAddress.parseClient(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "[", "]", "[::1]:8080", "example.com", "%eth0", "[%eth0]", "300.1.1.1", "::1::2%eth0"})
    void parseClientRefusesNonLiterals(String text) {
        assertNull(IpAddress.parseClient(text));
    }
}
