package dev.usher.servlet;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/**
 * The one field Usher reads from a {@code multipart/form-data} body (RFC 7578), as PHP curl sends
 * {@code json} when given an array. Parsed here from bytes that {@link RequestBodyReader} already
 * read under its limits, not by the container, so a multipart body is bounded like any other and
 * every fault is Usher's own JSON answer rather than the container's error page.
 *
 * <p>Strict and bounded: the boundary must be the RFC 2046 form (1 to 70 characters), at most
 * {@value #MAX_PARTS} parts and {@value #MAX_HEADER_BYTES} bytes of headers per part, the closing
 * delimiter must be present, and the field must appear once.
 */
final class MultipartForm {

    static final int MAX_PARTS = 16;
    static final int MAX_HEADER_BYTES = 4096;

    /** A body that is not well-formed multipart; the message is safe to show the client. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private MultipartForm() {
    }

    /** @return the boundary parameter of a {@code multipart/form-data} content type */
    static String boundary(String contentType) throws Malformed {
        String lower = contentType.toLowerCase(Locale.ROOT);
        int at = lower.indexOf("boundary=");
        if (at < 0) {
            throw new Malformed("the multipart body has no boundary");
        }
        String b = contentType.substring(at + "boundary=".length());
        int semicolon = b.indexOf(';');
        if (semicolon >= 0) {
            b = b.substring(0, semicolon);
        }
        b = b.strip();
        if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
            b = b.substring(1, b.length() - 1);
        }
        if (b.isEmpty() || b.length() > 70 || b.endsWith(" ")) {
            throw new Malformed("the multipart boundary must have 1 to 70 characters");
        }
        for (int i = 0; i < b.length(); i++) {
            char c = b.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "'()+_,-./:=? ".indexOf(c) >= 0;
            if (!ok) {
                throw new Malformed("the multipart boundary has a character RFC 2046 does not allow");
            }
        }
        return b;
    }

    /**
     * @return the bytes of the form field {@code name}, or null when the form has none
     * @throws Malformed when the body is not a well-formed, bounded multipart form
     */
    static byte[] field(byte[] body, String boundary, String name) throws Malformed {
        byte[] dash = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        byte[] delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int at;
        if (startsWith(body, 0, dash)) {
            at = dash.length;
        } else {
            int found = indexOf(body, delimiter, 0); // after a preamble
            if (found < 0) {
                throw new Malformed("the multipart body does not contain its boundary");
            }
            at = found + delimiter.length;
        }
        byte[] value = null;
        int parts = 0;
        while (true) {
            if (startsWith(body, at, new byte[] {'-', '-'})) {
                return value; // the closing delimiter; an epilogue is ignored
            }
            at = skipTransportPadding(body, at);
            if (!startsWith(body, at, new byte[] {'\r', '\n'})) {
                throw new Malformed("the multipart body is malformed after a boundary");
            }
            at += 2;
            if (++parts > MAX_PARTS) {
                throw new Malformed("the multipart body has more than " + MAX_PARTS + " parts");
            }
            int headersEnd = indexOf(body, new byte[] {'\r', '\n', '\r', '\n'}, at);
            boolean noHeaders = startsWith(body, at, new byte[] {'\r', '\n'});
            int contentStart;
            String headers;
            if (noHeaders) {
                headers = "";
                contentStart = at + 2;
            } else {
                if (headersEnd < 0 || headersEnd - at > MAX_HEADER_BYTES) {
                    throw new Malformed("a multipart part has no end of headers within " + MAX_HEADER_BYTES + " bytes");
                }
                headers = new String(body, at, headersEnd - at, StandardCharsets.UTF_8);
                contentStart = headersEnd + 4;
            }
            int end = indexOf(body, delimiter, contentStart);
            if (end < 0) {
                throw new Malformed("the multipart body ends without its closing boundary");
            }
            if (name.equals(fieldName(headers))) {
                if (value != null) {
                    throw new Malformed("the field " + name + " appears twice");
                }
                value = Arrays.copyOfRange(body, contentStart, end);
            }
            at = end + delimiter.length;
        }
    }

    /** @return the {@code name} parameter of the part's Content-Disposition, or null */
    static String fieldName(String headers) {
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || !line.substring(0, colon).strip().equalsIgnoreCase("content-disposition")) {
                continue;
            }
            for (String param : line.substring(colon + 1).split(";")) {
                String p = param.strip();
                if (p.regionMatches(true, 0, "name=", 0, 5)) {
                    String v = p.substring(5);
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                        v = v.substring(1, v.length() - 1);
                    }
                    return v;
                }
            }
        }
        return null;
    }

    private static int skipTransportPadding(byte[] body, int at) {
        while (at < body.length && (body[at] == ' ' || body[at] == '\t')) {
            at++;
        }
        return at;
    }

    private static boolean startsWith(byte[] body, int at, byte[] prefix) {
        if (at < 0 || at + prefix.length > body.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (body[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] body, byte[] pattern, int from) {
        outer:
        for (int i = Math.max(0, from); i + pattern.length <= body.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (body[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
