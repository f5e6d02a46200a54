package dev.usher.servlet;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Refuses request paths that different layers could read differently: the kind of path behind the
 * authorization bypasses of Apache Shiro and Spring Security (CVE-2020-1957, CVE-2020-11989,
 * CVE-2022-22978 and relatives), where a filter checked one path and the container served another.
 *
 * <p>A protected request is accepted only when its raw request URI has none of: a {@code ;} path
 * parameter, an encoded or literal backslash, an encoded slash, an encoded percent (double
 * encoding), a NUL or other control character, an empty segment ({@code //}), a {@code .} or
 * {@code ..} segment (literal or encoded), malformed percent-encoding, or bytes that are not valid
 * (shortest-form) UTF-8; and when its decoded form equals the path the container reports.
 */
final class PathGuard {

    private PathGuard() {
    }

    /**
     * @param rawPath     the request URI as sent, without the query ({@code getRequestURI()})
     * @param contextPath the context path
     * @param decodedPath the path the container will serve below the context ({@code servletPath + pathInfo})
     * @return why the path is refused, or null when it is unambiguous
     */
    static String problem(String rawPath, String contextPath, String decodedPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            return "not an absolute path";
        }
        int n = rawPath.length();
        if (n > 4096) {
            return "path too long";
        }
        // One pass over the raw path checks its characters and, as long as it has no '%' (a media
        // segment's path seldom has one), its segments too: the raw path is then its decoded form. Four passes and
        // their loop exits were a fifth of the guard's samples on every child request.
        boolean percent = false;
        boolean emptySegment = false;
        boolean dotSegment = false;
        int segment = 0; // where the current segment starts
        for (int i = 0; i < n; i++) {
            char c = rawPath.charAt(i);
            if (c == '/') {
                if (i == segment) {
                    emptySegment |= i > 0; // two '/' in a row, not the leading one
                } else {
                    dotSegment |= isDotSegment(rawPath, segment, i);
                }
                segment = i + 1;
            } else if (c == ';') {
                return "path parameter";
            } else if (c == '\\') {
                return "backslash";
            } else if (c < 0x20 || c == 0x7f) {
                return "control character";
            } else if (c == '%') {
                percent = true;
            }
        }
        dotSegment |= isDotSegment(rawPath, segment, n); // the last segment, which no '/' ends
        String decoded = rawPath;
        if (percent) {
            decoded = decode(rawPath);
            if (decoded == null) {
                return "malformed or ambiguous encoding";
            }
            // what the raw characters said of the segments is said again of the decoded ones
            emptySegment = decoded.contains("//");
            dotSegment = hasDotSegment(decoded);
        }
        if (emptySegment) {
            return "empty segment";
        }
        if (dotSegment) {
            return "dot segment";
        }
        // compared in place, not built: one string less on every protected request
        String context = contextPath == null ? "" : contextPath;
        boolean same = decodedPath != null && decoded.length() == context.length() + decodedPath.length()
                && decoded.startsWith(context) && decoded.startsWith(decodedPath, context.length());
        return same ? null : "path differs from the container's";
    }

    /** @return whether {@code path}'s segment from {@code start} to {@code end} (exclusive) is {@code .} or {@code ..} */
    private static boolean isDotSegment(String path, int start, int end) {
        int length = end - start;
        return (length == 1 || length == 2) && path.charAt(start) == '.' && path.charAt(end - 1) == '.';
    }

    /** @return whether a segment of the decoded path is {@code .} or {@code ..} */
    private static boolean hasDotSegment(String decoded) {
        for (int start = 0; start <= decoded.length(); ) {
            int end = decoded.indexOf('/', start);
            if (end < 0) {
                end = decoded.length();
            }
            if (isDotSegment(decoded, start, end)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }

    /**
     * Percent-decodes as strict UTF-8, refusing encodings of {@code /}, {@code \}, {@code %}, {@code ;}
     * and control characters, and invalid or overlong byte sequences.
     *
     * @return the decoded path, or null when refused
     */
    static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        byte[] bytes = new byte[raw.length() * 3];
        int n = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                if (i + 2 >= raw.length()) {
                    return null;
                }
                int hi = Character.digit(raw.charAt(i + 1), 16);
                int lo = Character.digit(raw.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                int b = (hi << 4) | lo;
                if (b == '/' || b == '\\' || b == '%' || b == ';' || b < 0x20 || b == 0x7f) {
                    return null;
                }
                bytes[n++] = (byte) b;
                i += 2;
            } else if (c < 0x80) {
                bytes[n++] = (byte) c;
            } else {
                byte[] enc = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < raw.length()) {
                    enc = raw.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                System.arraycopy(enc, 0, bytes, n, enc.length);
                n += enc.length;
            }
        }
        try {
            CharBuffer out = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, n));
            return out.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
