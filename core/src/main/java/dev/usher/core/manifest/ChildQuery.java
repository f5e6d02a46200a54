package dev.usher.core.manifest;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The query parameter manifest rewriting puts on every child URI, e.g. {@code uc=<credential>}
 * (see {@code dev.usher.core.credential.PlaybackCredentials}). Name and value are restricted to
 * URL-unreserved characters ({@code A-Z a-z 0-9 - . _ ~}), so they go into a URL, an HLS quoted
 * string and XML without any escaping.
 *
 * @param name  the parameter name, e.g. {@code uc}
 * @param value the parameter value, e.g. a signed playback credential
 */
public record ChildQuery(String name, String value) {

    public ChildQuery {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty() || !unreserved(name) || !unreserved(value)) {
            throw new IllegalArgumentException("a child query parameter must be URL-unreserved characters");
        }
    }

    /** @return {@code name=value} */
    public String pair() {
        return name + '=' + value;
    }

    /**
     * @return what {@link ChildUris#withQuery} appends to a reference with neither query nor
     *         fragment, {@code ?name=value}, as bytes (ASCII: every character is URL-unreserved), for
     *         the rewriters that write it after such a reference themselves
     */
    byte[] appendedToPlainReference() {
        return ('?' + pair()).getBytes(StandardCharsets.US_ASCII);
    }

    /** The value may be a bearer credential: it is not shown. */
    @Override
    public String toString() {
        return "ChildQuery[" + name + "=…(" + value.length() + " chars)]";
    }

    private static boolean unreserved(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~';
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
