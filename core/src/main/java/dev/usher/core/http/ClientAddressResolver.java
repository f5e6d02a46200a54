package dev.usher.core.http;

import dev.usher.core.net.IpAddress;
import dev.usher.core.net.IpNetwork;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Finds the client's address behind reverse proxies, the way Tomcat's {@code RemoteIpFilter} does:
 * forwarding headers are believed only when the connection comes from a configured trusted proxy
 * (none by default), and they are walked from right to left, skipping trusted proxies; the first
 * address that is not a trusted proxy is the client. An entry that is not a literal address
 * ({@code unknown}, an obfuscated name) ends the walk at the proxy that wrote it. Nothing is ever
 * resolved through DNS.
 *
 * <p>Only the one header the operator's proxy writes is read ({@code usher.trusted-proxies.header}:
 * {@code X-Forwarded-For} by default, or {@code Forwarded}, RFC 7239's {@code for=} parameters), as
 * Tomcat's {@code remoteIpHeader}: a proxy that appends to {@code X-Forwarded-For} passes a
 * client's own {@code Forwarded} header through untouched, so reading both would let a client
 * choose its address.
 */
public final class ClientAddressResolver {

    /** Most hops read from forwarding headers. */
    public static final int MAX_HOPS = 32;

    private final List<IpNetwork> trustedProxies;
    private final boolean forwarded;

    /** Reads {@code X-Forwarded-For}. */
    public ClientAddressResolver(List<IpNetwork> trustedProxies) {
        this(trustedProxies, false);
    }

    /** @param forwarded read RFC 7239 {@code Forwarded} instead of {@code X-Forwarded-For} */
    public ClientAddressResolver(List<IpNetwork> trustedProxies, boolean forwarded) {
        this.trustedProxies = List.copyOf(trustedProxies);
        this.forwarded = forwarded;
    }

    /** @return the name of the header read: {@code Forwarded} or {@code X-Forwarded-For} */
    public String header() {
        return forwarded ? "Forwarded" : "X-Forwarded-For";
    }

    /**
     * @param remoteAddr the peer's address as the container reports it
     * @param headers    the values of a request header by name (all of them, in order); asked only
     *                   when the peer is a trusted proxy
     * @return the client's address, or null when the peer's own address is not a literal address
     */
    public IpAddress resolve(String remoteAddr, Function<String, List<String>> headers) {
        IpAddress peer = IpAddress.parseClient(remoteAddr);
        return peer == null || !isTrusted(peer) ? peer : walk(peer, headers.apply(header()));
    }

    /**
     * @param remoteAddr the peer's address as the container reports it
     * @param request    the request; its {@link #header()} headers are read only when the peer is a
     *                   trusted proxy, so a request from anyone else (every request, when no proxy
     *                   is trusted) costs no header lookup
     * @return the client's address, or null when the peer's own address is not a literal address
     */
    public IpAddress resolve(String remoteAddr, MediaRequestView request) {
        IpAddress peer = IpAddress.parseClient(remoteAddr);
        return peer == null || !isTrusted(peer) ? peer : walk(peer, request.headers(header()));
    }

    /**
     * @param remoteAddr the peer's address as the container reports it
     * @param values     the values of every {@link #header()} header, in order
     * @return the client's address, or null when the peer's own address is not a literal address
     */
    public IpAddress resolve(String remoteAddr, List<String> values) {
        IpAddress peer = IpAddress.parseClient(remoteAddr);
        return peer == null || !isTrusted(peer) ? peer : walk(peer, values);
    }

    /** @return the client behind {@code peer}, a trusted proxy: the header's hops walked right to left */
    private IpAddress walk(IpAddress peer, List<String> values) {
        List<String> hops = forwarded ? forwardedFor(values) : split(values);
        IpAddress client = peer;
        for (int i = hops.size() - 1, seen = 0; i >= 0 && seen < MAX_HOPS; i--, seen++) {
            IpAddress hop = IpAddress.parseClient(hops.get(i));
            if (hop == null) {
                return client;
            }
            client = hop;
            if (!isTrusted(hop)) {
                return hop;
            }
        }
        return client;
    }

    private boolean isTrusted(IpAddress address) {
        // indexed: every media request asks this of its peer, and an iterator was an allocation each time
        for (int i = 0, n = trustedProxies.size(); i < n; i++) {
            if (trustedProxies.get(i).contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static List<String> split(List<String> headers) {
        List<String> out = new ArrayList<>();
        for (String h : headers) {
            for (String part : h.split(",")) {
                out.add(part.trim());
            }
        }
        return out;
    }

    /** @return the {@code for=} node of each element, with port and quotes removed */
    private static List<String> forwardedFor(List<String> headers) {
        List<String> out = new ArrayList<>();
        for (String element : split(headers)) {
            String node = "";
            for (String pair : element.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("for")) {
                    node = pair.substring(eq + 1).trim();
                }
            }
            if (node.length() >= 2 && node.startsWith("\"") && node.endsWith("\"")) {
                node = node.substring(1, node.length() - 1);
            }
            if (node.startsWith("[")) {
                int close = node.indexOf(']');
                node = close > 0 ? node.substring(1, close) : "";
            } else if (node.indexOf(':') == node.lastIndexOf(':') && node.indexOf(':') > 0) {
                node = node.substring(0, node.indexOf(':')); // IPv4 with a port
            }
            out.add(node);
        }
        return out;
    }
}
