package dev.usher.core.http;

import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.guard.MediaGuard;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * The Usher parameters of a media request's query string: {@code key} and {@code pass} on an
 * entry (with {@code refurl}, how the viewer reached the playing page, logged only), the credential
 * {@code uc} on a child. Read from the raw query string (never from a request body), and refused
 * when one of them appears twice, since two layers could pick different ones.
 *
 * @param key  the ticket key, or null
 * @param pass the pass, or null
 * @param credential the playback credential, or null
 * @param refUrl the {@code refurl} parameter, or null
 */
public record TicketParameters(String key, String pass, String credential, String refUrl) {

    public static final String KEY = "key";
    public static final String PASS = "pass";
    public static final String REFURL = MediaGuard.REFURL;

    /** Longest query string read. */
    public static final int MAX_QUERY = 8192;

    /** Thrown for a query string Usher can't read unambiguously. */
    public static final class AmbiguousQueryException extends Exception {
        private static final long serialVersionUID = 1L;

        AmbiguousQueryException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * @param rawQuery the query string as sent, still percent-encoded (a servlet's
     *                 {@code getQueryString()}, JAX-RS's {@code getRequestUri().getRawQuery()}): the
     *                 names are compared after decoding, so {@code ke%79} is {@code key} too, and a
     *                 malformed encoding is refused rather than read one way here and another there
     * @return the parameters, the credential named {@link PlaybackCredentials#PARAMETER}
     * @throws AmbiguousQueryException when a parameter is given twice, the encoding is malformed, or
     *         the query is longer than {@value #MAX_QUERY}
     */
    public static TicketParameters parse(String rawQuery) throws AmbiguousQueryException {
        return parse(rawQuery, PlaybackCredentials.PARAMETER);
    }

    static TicketParameters parse(String query, String credentialName) throws AmbiguousQueryException {
        if (query == null || query.isEmpty()) {
            return new TicketParameters(null, null, null, null);
        }
        if (query.length() > MAX_QUERY) {
            throw new AmbiguousQueryException("query string too long");
        }
        String key = null;
        String pass = null;
        String credential = null;
        String refUrl = null;
        // One pass over the query, in place: only the values of the names read are cut out (a child's
        // query is its one credential); split("&") built an array, a list and a name string per pair
        // on every segment. What is read, and refused, is what reading pair by pair gave.
        for (int start = 0, n = query.length(); start <= n; ) {
            int end = query.indexOf('&', start);
            if (end < 0) {
                end = n;
            }
            int eq = -1; // the first '=' of this pair only: a search to the end of the query, pair after pair, would be quadratic
            for (int i = start; i < end; i++) {
                if (query.charAt(i) == '=') {
                    eq = i;
                    break;
                }
            }
            int nameEnd = eq < 0 ? end : eq;
            String name = name(query, start, nameEnd, credentialName);
            if (name == null) {
                // not a name Usher reads, but a malformed encoding in it is refused all the same
                validate(query, eq < 0 ? end : eq + 1, end);
            } else {
                String value = eq < 0 ? "" : decode(query.substring(eq + 1, end));
                if (name.equals(KEY)) {
                    if (key != null) {
                        throw new AmbiguousQueryException("key given twice");
                    }
                    key = value;
                } else if (name.equals(PASS)) {
                    if (pass != null) {
                        throw new AmbiguousQueryException("pass given twice");
                    }
                    pass = value;
                } else if (name.equals(REFURL)) {
                    if (refUrl != null) {
                        throw new AmbiguousQueryException("refurl given twice");
                    }
                    refUrl = value;
                } else if (name.equals(credentialName)) {
                    if (credential != null) {
                        throw new AmbiguousQueryException(credentialName + " given twice");
                    }
                    credential = value;
                }
            }
            start = end + 1;
        }
        return new TicketParameters(key, pass, credential, refUrl);
    }

    /**
     * @return the decoded name of the pair {@code query[start, end)} when it can be one Usher reads
     *         (a plain name is matched in place, not copied), else null; an encoded name is decoded
     *         and matched as before, so {@code ke%79} is {@code key} and a malformed one is refused
     */
    private static String name(String query, int start, int end, String credentialName)
            throws AmbiguousQueryException {
        if (encoded(query, start, end)) {
            return decode(query.substring(start, end));
        }
        return is(KEY, query, start, end) ? KEY : is(PASS, query, start, end) ? PASS
                : is(REFURL, query, start, end) ? REFURL : is(credentialName, query, start, end) ? credentialName : null;
    }

    private static boolean is(String name, String query, int start, int end) {
        return name.length() == end - start && query.startsWith(name, start);
    }

    /** Refuses a malformed encoding in {@code query[start, end)}, a part that is not kept. */
    private static void validate(String query, int start, int end) throws AmbiguousQueryException {
        if (encoded(query, start, end)) {
            decode(query.substring(start, end));
        }
    }

    private static boolean encoded(String query, int start, int end) {
        for (int i = start; i < end; i++) {
            char c = query.charAt(i);
            if (c == '%' || c == '+') {
                return true;
            }
        }
        return false;
    }

    private static String decode(String s) throws AmbiguousQueryException {
        if (s.indexOf('%') < 0 && s.indexOf('+') < 0) {
            return s; // the common case (a credential is URL-safe base64): nothing to decode
        }
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new AmbiguousQueryException("malformed query encoding");
        }
    }

    /** The pass never appears in logs. */
    @Override
    public String toString() {
        return "TicketParameters[key=" + key + "]";
    }
}
