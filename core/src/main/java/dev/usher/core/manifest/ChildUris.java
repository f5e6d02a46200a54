package dev.usher.core.manifest;

import java.net.URI;
import java.util.Locale;

/**
 * The rules both rewriters apply to one URI reference found in a manifest.
 *
 * <h2>Which URIs get the credential (the origin rule)</h2>
 * A reference gets the child query when the URL it resolves to has the manifest's own origin
 * (scheme and authority, compared without case and with the scheme's default port dropped):
 * <ul>
 *   <li>a relative reference ({@code seg_001.ts}, {@code ../v1/index.m3u8}, {@code /media/x.ts}) has
 *       the origin of its base, the manifest's own when nothing else intervenes;</li>
 *   <li>an absolute {@code http} or {@code https} URL whose origin equals the manifest's gets it; one
 *       to another host, port or scheme does not: the credential is never handed to a third party
 *       (a CDN or an ad server would only log it);</li>
 *   <li>a network-path reference ({@code //host/x.ts}) takes the base's scheme and is judged like an
 *       absolute URL;</li>
 *   <li>every other scheme ({@code data:}, {@code skd:}, {@code blob:}, …) is left untouched, as is
 *       an empty reference (which names the manifest itself).</li>
 * </ul>
 * Without a manifest URL, only relative references get the credential.
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
     * @return the canonical origin ({@code scheme://authority}) of the manifest's URL, or a marker
     *         that only relative references match when the URL is null or not absolute http(s)
     */
    static String originOf(URI manifestUrl) {
        if (manifestUrl == null || manifestUrl.getScheme() == null || manifestUrl.getRawAuthority() == null) {
            return UNKNOWN_SELF;
        }
        String scheme = manifestUrl.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return UNKNOWN_SELF;
        }
        return canonical(scheme, manifestUrl.getRawAuthority());
    }

    /**
     * @param reference  a URI reference as written in the manifest (already XML-unescaped)
     * @param baseOrigin the origin of the URL it is resolved against
     * @return the origin of the URL it resolves to; a foreign marker for non-http(s) schemes
     */
    static String resolveOrigin(String reference, String baseOrigin) {
        int schemeEnd = schemeEnd(reference);
        if (schemeEnd > 0) {
            String scheme = reference.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return FOREIGN;
            }
            if (!reference.startsWith("//", schemeEnd + 1)) {
                return FOREIGN; // "http:x" without authority: refuse to guess
            }
            return canonical(scheme, authority(reference, schemeEnd + 3));
        }
        if (reference.startsWith("//")) {
            int colon = baseOrigin.indexOf("://");
            if (colon < 0) {
                return FOREIGN; // base scheme unknown
            }
            return canonical(baseOrigin.substring(0, colon), authority(reference, 2));
        }
        return baseOrigin;
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

    private static String authority(String s, int from) {
        int end = from;
        while (end < s.length()) {
            char c = s.charAt(end);
            if (c == '/' || c == '?' || c == '#' || c == '\\') {
                break;
            }
            end++;
        }
        return s.substring(Math.min(from, s.length()), end);
    }

    private static String canonical(String scheme, String authority) {
        String a = authority.toLowerCase(Locale.ROOT);
        int bracket = a.lastIndexOf(']');
        int colon = a.lastIndexOf(':');
        if (colon > bracket && colon > a.lastIndexOf('@')) {
            String port = a.substring(colon + 1);
            if (port.isEmpty() || (scheme.equals("http") && port.equals("80"))
                    || (scheme.equals("https") && port.equals("443"))) {
                a = a.substring(0, colon);
            }
        }
        if (a.endsWith(".") && bracket < 0) {
            a = a.substring(0, a.length() - 1); // "host." is "host"
        }
        return scheme + "://" + a;
    }
}
