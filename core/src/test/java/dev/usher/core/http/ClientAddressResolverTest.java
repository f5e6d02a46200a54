package dev.usher.core.http;

import dev.usher.core.net.IpNetwork;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ClientAddressResolverTest {

    private final ClientAddressResolver none = new ClientAddressResolver(List.of());
    private final ClientAddressResolver proxies = new ClientAddressResolver(
            List.of(IpNetwork.parse("10.0.0.0/8"), IpNetwork.parse("2001:db8:ffff::/48")));
    private final ClientAddressResolver forwardedProxies = new ClientAddressResolver(
            List.of(IpNetwork.parse("10.0.0.0/8")), true);

    private static String s(Object o) {
        return String.valueOf(o);
    }

    @Test
    void withoutTrustedProxiesHeadersAreIgnored() {
        assertEquals("203.0.113.7", s(none.resolve("203.0.113.7", List.of("1.1.1.1"))));
        assertEquals("::1", s(none.resolve("[0:0:0:0:0:0:0:1]", List.of())));
        assertNull(none.resolve("not-an-address", List.of()));
    }

    @Test
    void anUntrustedPeerCannotSpoof() {
        assertEquals("203.0.113.7", s(proxies.resolve("203.0.113.7", List.of("10.0.0.1, 1.1.1.1"))));
    }

    @Test
    void walksRightToLeftSkippingTrustedProxies() {
        // client, then a spoofed entry the client sent, then our proxies
        assertEquals("198.51.100.4", s(proxies.resolve("10.0.0.2", List.of("6.6.6.6, 198.51.100.4, 10.0.0.9"))));
        assertEquals("198.51.100.4", s(proxies.resolve("10.0.0.2", List.of("6.6.6.6", "198.51.100.4,10.0.0.9"))));
        // every hop trusted: the leftmost
        assertEquals("10.1.1.1", s(proxies.resolve("10.0.0.2", List.of("10.1.1.1, 10.0.0.9"))));
        // no header: the proxy itself
        assertEquals("10.0.0.2", s(proxies.resolve("10.0.0.2", List.of())));
    }

    @Test
    void aNameOrGarbageEndsTheWalkAtTheProxyThatWroteIt() {
        assertEquals("10.0.0.9", s(proxies.resolve("10.0.0.2", List.of("1.1.1.1, evil.example, 10.0.0.9"))));
        assertEquals("10.0.0.2", s(proxies.resolve("10.0.0.2", List.of("unknown"))));
    }

    @Test
    void onlyTheConfiguredHeaderIsRead() {
        // A proxy that appends to X-Forwarded-For passes the client's own Forwarded header through:
        // it must not let the client choose its address (and the other way round).
        assertEquals("X-Forwarded-For", proxies.header());
        assertEquals("Forwarded", forwardedProxies.header());
    }

    @Test
    void theForwardedHeaderWhenConfigured() {
        assertEquals("198.51.100.4", s(forwardedProxies.resolve("10.0.0.2", List.of("for=198.51.100.4;proto=https, for=10.0.0.9"))));
        assertEquals("2001:db8::7", s(forwardedProxies.resolve("10.0.0.2", List.of("for=\"[2001:db8::7]:4711\""))));
        assertEquals("192.0.2.60", s(forwardedProxies.resolve("10.0.0.2", List.of("For=\"192.0.2.60:8080\""))));
        assertEquals("10.0.0.2", s(forwardedProxies.resolve("10.0.0.2", List.of("for=_hidden"))));
    }
}
