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
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
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
        return new TicketParameters(key, pass, credential, refUrl);
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
