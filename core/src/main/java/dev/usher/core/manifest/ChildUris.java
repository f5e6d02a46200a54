package dev.usher.core.manifest;

import java.net.URI;
import java.util.Locale;

/**
 * The rules both rewriters apply to one URI reference found in a manifest.
 *
 * <h2>Which URIs get the credential (the origin rule)</h2>
 * A reference gets the child query only when it resolves to the manifest's own origin (scheme,
 * host and port, compared without case and with the scheme's default port dropped) under
 * <em>both</em> URL rules players use: the WHATWG URL standard (browsers, hls.js, dash.js, native
 * players) and RFC 3986 (ffmpeg, most libraries). The two disagree on hostile input, so the rule
 * accepts only references whose meaning is the same under each, and refuses everything else:
 * <ul>
 *   <li>a reference containing {@code \}, a space or a control character (C0, DEL) never gets
 *       it: WHATWG reads {@code \} as {@code /} and silently drops tab, CR and LF (so
 *       {@code /\host/x}, {@code \\host/x} and a tab before {@code /\host} name another host
 *       there, a path here), it strips leading and trailing spaces and controls, and none of these
 *       is allowed in an RFC 3986 reference;</li>
 *   <li>a relative reference ({@code seg_001.ts}, {@code ../v1/index.m3u8}, {@code /media/x.ts},
 *       {@code ?n=2}) has the origin of its base, the manifest's own when nothing else intervenes;
 *       but one whose first segment holds a {@code :} ({@code host:8080/x}) is refused, since
 *       lenient parsers (ffmpeg's among them) take what precedes it as a scheme;</li>
 *   <li>an absolute {@code http} or {@code https} URL, or a network-path reference
 *       ({@code //host/x.ts}, which takes the base's scheme), gets it when its authority is plainly
 *       the manifest's: no userinfo ({@code @} anywhere in the authority is refused), a host of
 *       ASCII letters, digits, dots and hyphens (or a bracketed IPv6 literal), and an optional
 *       decimal port. Percent-encoded, non-ASCII or otherwise unusual hosts are refused rather than
 *       decoded, so no IDNA or percent-decoding step can turn them into another host;</li>
 *   <li>{@code http:x} and {@code http:/x} (a scheme without {@code //}) are refused: WHATWG
 *       treats them as relative or as a host depending on the base's scheme;</li>
 *   <li>every other scheme ({@code data:}, {@code skd:}, {@code blob:}, …) is left untouched, as is
 *       an empty reference (which names the manifest itself).</li>
 * </ul>
 * The credential is never handed to a third party (a CDN or an ad server would only log it).
 * Refusing is always safe: a reference without the credential is merely refused by Usher when
 * requested. Without a manifest URL, only relative references get the credential.
 *
 * <h2>How it is added</h2>
 * The pair is appended to the query: {@code ?uc=…} when there is none, {@code &uc=…} after an
 * existing one, before any {@code #fragment}. A parameter of the same name already in the query is
 * dropped first, so a stale credential cannot shadow the new one. Nothing else is touched: no
 * percent-encoding or decoding, so DASH template identifiers ({@code $Number%03d$}) stay as they are.
 */
public final class ChildUris {

    /** The origin of references resolved against an unknown manifest URL. */
    static final String UNKNOWN_SELF = "self:";
    private static final String FOREIGN = "foreign:";

    private ChildUris() {
    }

    /**
     * @return the canonical origin ({@code scheme://host[:port]}) of the manifest's URL, or a marker
     *         that only relative references match when the URL is null, not absolute http(s), or has
     *         an authority the origin rule would not accept in a reference
     */
    static String originOf(URI manifestUrl) {
        if (manifestUrl == null || manifestUrl.getScheme() == null || manifestUrl.getRawAuthority() == null) {
            return UNKNOWN_SELF;
        }
        String scheme = manifestUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return UNKNOWN_SELF;
        }
        String origin = canonical(scheme, manifestUrl.getRawAuthority());
        return origin == null ? UNKNOWN_SELF : origin;
    }

    /**
     * @param reference  a URI reference as written in the manifest (already XML-unescaped)
     * @param baseOrigin the origin of the URL it is resolved against
     * @return the origin of the URL it resolves to under both WHATWG and RFC 3986 rules; a foreign
     *         marker when the two may disagree, for non-http(s) schemes, and for unusual authorities
     */
    static String resolveOrigin(String reference, String baseOrigin) {
        if (!unambiguous(reference)) {
            return FOREIGN;
        }
        int schemeEnd = schemeEnd(reference);
        if (schemeEnd > 0) {
            String scheme = reference.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return FOREIGN;
            }
            if (!reference.startsWith("//", schemeEnd + 1)) {
                return FOREIGN; // "http:x", "http:/x": relative or a host, depending on the base
            }
            return orForeign(canonical(scheme, authority(reference, schemeEnd + 3)));
        }
        if (reference.startsWith("//")) {
            int colon = baseOrigin.indexOf("://");
            if (colon < 0) {
                return FOREIGN; // base scheme unknown
            }
            return orForeign(canonical(baseOrigin.substring(0, colon), authority(reference, 2)));
        }
        for (int i = 0; i < reference.length(); i++) {
            char c = reference.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                break;
            }
            if (c == ':') {
                return FOREIGN; // a scheme to lenient parsers ("host:8080/x", "1:x")
            }
        }
        return baseOrigin;
    }

    /**
     * @return false for a reference WHATWG and RFC 3986 may read differently: one holding {@code \},
     *         a space, a C0 control character or DEL anywhere
     */
    static boolean unambiguous(String reference) {
        for (int i = 0; i < reference.length(); i++) {
            char c = reference.charAt(i);
            if (c <= 0x20 || c == 0x7f || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static String orForeign(String origin) {
        return origin == null ? FOREIGN : origin;
    }

    /** @return true when a reference, resolved against {@code baseOrigin}, stays at {@code self} */
    static boolean staysAt(String reference, String baseOrigin, String self) {
        return !isEmptyReference(reference) && resolveOrigin(reference, baseOrigin).equals(self);
    }

    static boolean isEmptyReference(String reference) {
        return reference.isEmpty() || reference.charAt(0) == '#';
    }

    /**
     * @return {@code uri} with {@code query} appended to its query (replacing a parameter of the same
     *         name), before its fragment
     */
    public static String withQuery(String uri, ChildQuery query) {
        int hash = uri.indexOf('#');
        int end = hash < 0 ? uri.length() : hash;
        int question = uri.indexOf('?');
        if (question > end) {
            question = -1;
        }
        StringBuilder out = new StringBuilder(uri.length() + query.name().length() + query.value().length() + 2);
        if (question < 0) {
            out.append(uri, 0, end).append('?');
        } else {
            out.append(uri, 0, question + 1);
            appendWithout(out, uri, question + 1, end, query.name());
            char last = out.charAt(out.length() - 1);
            if (last != '?' && last != '&') {
                out.append('&');
            }
        }
        out.append(query.name()).append('=').append(query.value());
        out.append(uri, end, uri.length());
        return out.toString();
    }

    /** Copies the query parameters in {@code [from, to)} but those named {@code name}. */
    private static void appendWithout(StringBuilder out, String uri, int from, int to, String name) {
        int start = from;
        while (start <= to) {
            int amp = uri.indexOf('&', start);
            int stop = amp < 0 || amp > to ? to : amp;
            boolean named = uri.startsWith(name, start)
                    && (start + name.length() == stop || uri.charAt(start + name.length()) == '=');
            if (!named) {
                out.append(uri, start, stop);
                if (stop < to) {
                    out.append('&');
                }
            }
            if (stop == to) {
                break;
            }
            start = stop + 1;
        }
        // Dropping the last parameter may leave a trailing '&'; withQuery appends after it directly.
    }

    /** @return the index of the ':' ending a scheme, or -1 when the reference has no scheme */
    static int schemeEnd(String s) {
        if (s.isEmpty() || !isAlpha(s.charAt(0))) {
            return -1;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ':') {
                return i;
            }
            if (!(isAlpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) {
                return -1;
            }
        }
        return -1;
    }

    private static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** @return the authority starting at {@code from}: up to the first {@code /}, {@code ?} or {@code #} */
    private static String authority(String s, int from) {
        int end = from;
        while (end < s.length()) {
            char c = s.charAt(end);
            if (c == '/' || c == '?' || c == '#') {
                break;
            }
            end++;
        }
        return s.substring(Math.min(from, s.length()), end);
    }

    /**
     * @return {@code scheme://host[:port]} in canonical form (lower case, default port dropped; a
     *         trailing dot is kept: {@code host.} is another origin to a browser), or null unless the
     *         authority is a plain {@code host[:port]}: no userinfo, a host of ASCII letters, digits, dots and hyphens or
     *         a bracketed IPv6 literal, a decimal port up to 65535
     */
    static String canonical(String scheme, String authority) {
        String a = authority.toLowerCase(Locale.ROOT);
        String host;
        String port;
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = a.substring(0, close + 1);
            for (int i = 1; i < close; i++) {
                char c = a.charAt(i);
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.')) {
                    return null; // zone ids ("%25eth0") and IPvFuture are refused
                }
            }
            String rest = a.substring(close + 1);
            if (!rest.isEmpty() && rest.charAt(0) != ':') {
                return null;
            }
            port = rest.isEmpty() ? null : rest.substring(1);
        } else {
            int colon = a.indexOf(':');
            host = colon < 0 ? a : a.substring(0, colon);
            port = colon < 0 ? null : a.substring(colon + 1);
            if (host.isEmpty()) {
                return null;
            }
            for (int i = 0; i < host.length(); i++) {
                char c = host.charAt(i);
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
                    return null; // '@' (userinfo), '%', non-ASCII, ';' …: refused, never decoded
                }
            }
        }
        if (port != null && !port.isEmpty()) {
            if (port.length() > 5) {
                return null;
            }
            int number = 0;
            for (int i = 0; i < port.length(); i++) {
                char c = port.charAt(i);
                if (c < '0' || c > '9') {
                    return null;
                }
                number = number * 10 + (c - '0');
            }
            if (number > 65535) {
                return null;
            }
            boolean isDefault = (scheme.equals("http") && number == 80) || (scheme.equals("https") && number == 443);
            return scheme + "://" + host + (isDefault ? "" : ":" + number);
        }
        return scheme + "://" + host;
    }
}
