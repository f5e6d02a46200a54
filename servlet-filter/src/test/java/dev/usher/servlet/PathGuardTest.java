package dev.usher.servlet;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

class PathGuardTest {

    @ParameterizedTest
    @CsvSource({
            "/media/vod/a.mp4, /media/vod/a.mp4",
            "/media/vod/caf%C3%A9.mp4, /media/vod/café.mp4",
            "/media/vod/a%20b.mp4, /media/vod/a b.mp4",
            "/media/vod/%61.mp4, /media/vod/a.mp4"})
    void acceptsPlainPaths(String raw, String decoded) {
        assertNull(PathGuard.problem(raw, "", decoded));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "/media/vod/a.mp4;jsessionid=1 | /media/vod/a.mp4 | path parameter",
            "/media/vod;x=1/a.mp4 | /media/vod/a.mp4 | path parameter",
            "/media/vod/%3b/a.mp4 | /media/vod/;/a.mp4 | malformed or ambiguous encoding",
            "/media/vod%2fa.mp4 | /media/vod/a.mp4 | malformed or ambiguous encoding",
            "/media/vod%2Fa.mp4 | /media/vod/a.mp4 | malformed or ambiguous encoding",
            "/media/vod%5ca.mp4 | /media/vod/a.mp4 | malformed or ambiguous encoding",
            "/media/vod\\a.mp4 | /media/vod/a.mp4 | backslash",
            "/media/vod/%252e%252e/a.mp4 | /media/vod/a.mp4 | malformed or ambiguous encoding",
            "/media/vod/%00a.mp4 | /media/vod/a.mp4 | malformed or ambiguous encoding",
            "/media/vod/../vod/a.mp4 | /media/vod/a.mp4 | dot segment",
            "/media/vod/./a.mp4 | /media/vod/a.mp4 | dot segment",
            "/media/vod/%2e%2e/vod/a.mp4 | /media/vod/a.mp4 | dot segment",
            "/media/vod/%2E/a.mp4 | /media/vod/a.mp4 | dot segment",
            "/media/vod/.. | /media | dot segment",
            "/media//vod/a.mp4 | /media/vod/a.mp4 | empty segment",
            "/media/vod/%c0%af.mp4 | /media/vod/a.mp4 | malformed or ambiguous encoding",
            "/media/vod/%c0%ae%c0%ae/a.mp4 | /media/vod/a.mp4 | malformed or ambiguous encoding",
            "/media/vod/%e0%80%af.mp4 | /media/vod/a.mp4 | malformed or ambiguous encoding",
            "/media/vod/%ff.mp4 | /media/vod/a.mp4 | malformed or ambiguous encoding",
            "/media/vod/%zz.mp4 | /media/vod/a.mp4 | malformed or ambiguous encoding",
            "/media/vod/a.mp4% | /media/vod/a.mp4 | malformed or ambiguous encoding",
            "/media/vod/b.mp4 | /media/vod/a.mp4 | path differs from the container's",
            "/media/vod/a.mp4 | /media/vod/a.mp | path differs from the container's",
            "/media/vod/a.mp4 | /media/vod/A.mp4 | path differs from the container's",
            "media/vod/a.mp4 | /media/vod/a.mp4 | not an absolute path"})
    void refusesAmbiguousPaths(String raw, String decoded, String problem) {
        assertEquals(problem, PathGuard.problem(raw, "", decoded));
    }

    @ParameterizedTest
    @CsvSource({"/app/media/a/b.mp4, /app, /media/a/b.mp4"})
    void theContextPathIsPartOfTheRawPath(String raw, String context, String decoded) {
        assertNull(PathGuard.problem(raw, context, decoded));
        assertNotNull(PathGuard.problem(raw, "/other", decoded));
        assertEquals("path differs from the container's", PathGuard.problem(raw, "/apq", decoded),
                "a context of the same length that is not the raw path's");
    }

    /**
     * The one-pass check gives every path the answer of the checks it replaced, pass after pass
     * ({@link #problemInPasses}, the code as it was): over paths of the characters that matter,
     * against the container's path being the decoded one, another one, and another context.
     */
    @Test
    void onePassAnswersAsThePassesDid() {
        char[] alphabet = {'/', '/', '/', '.', '.', 'a', 'b', '%', '2', 'e', 'E', 'f', 'F', 'c', '0', '5', ';', '\\',
                '\u0001', '\u007f', 'é', '\u4e2d', ' '};
        Random random = new Random(17);
        int checked = 0;
        for (int i = 0; i < 200_000; i++) {
            StringBuilder raw = new StringBuilder(random.nextInt(8) == 0 ? "" : "/");
            for (int k = random.nextInt(12); k > 0; k--) {
                raw.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String path = raw.toString();
            String decoded = path.startsWith("/") ? PathGuard.decode(path) : null;
            // Contexts: none, the raw path's own, and ones that are no prefix of the raw path (the
            // same length as "/a", another case, none); the raw path with and without the context.
            for (String context : new String[] {"", "/a", "/b", "/A", null}) {
                for (String full : new String[] {(context == null ? "" : context) + path, "/a" + path}) {
                    for (String container : containersFor(decoded, path)) {
                        assertEquals(problemInPasses(full, context, container), PathGuard.problem(full, context, container),
                                () -> "raw '" + full + "' context '" + context + "' container '" + container + "'");
                        checked++;
                    }
                }
            }
        }
        assertEquals(200_000 * 5 * 2 * 8, checked);
    }

    /**
     * The container's paths to try for a raw path: the right one, one longer, the raw one, none, one
     * cut at the front and one at the end (a strict prefix of the right one), the same length with
     * the case flipped, and the same length with its last character another.
     */
    private static String[] containersFor(String decoded, String path) {
        boolean some = decoded != null && decoded.length() > 1;
        String flipped = decoded == null ? null : flipCase(decoded);
        String swapped = decoded == null || decoded.isEmpty() ? null
                : decoded.substring(0, decoded.length() - 1) + (decoded.endsWith("x") ? "y" : "x");
        return new String[] {decoded, decoded == null ? path : decoded + "x", path, null,
                some ? decoded.substring(1) : "/", some ? decoded.substring(0, decoded.length() - 1) : "",
                flipped, swapped};
    }

    private static String flipCase(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
        }
        return out.toString();
    }

    /** {@link PathGuard#problem} as it was before its one pass: each check a pass of its own. */
    private static String problemInPasses(String rawPath, String contextPath, String decodedPath) {
        if (rawPath == null || !rawPath.startsWith("/")) {
            return "not an absolute path";
        }
        if (rawPath.length() > 4096) {
            return "path too long";
        }
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == ';') {
                return "path parameter";
            }
            if (c == '\\') {
                return "backslash";
            }
            if (c < 0x20 || c == 0x7f) {
                return "control character";
            }
        }
        String decoded = PathGuard.decode(rawPath);
        if (decoded == null) {
            return "malformed or ambiguous encoding";
        }
        if (decoded.contains("//")) {
            return "empty segment";
        }
        for (int start = 0; start <= decoded.length(); ) {
            int end = decoded.indexOf('/', start);
            if (end < 0) {
                end = decoded.length();
            }
            int length = end - start;
            if ((length == 1 || length == 2) && decoded.charAt(start) == '.' && decoded.charAt(end - 1) == '.') {
                return "dot segment";
            }
            start = end + 1;
        }
        String context = contextPath == null ? "" : contextPath;
        if (decodedPath == null || decoded.length() != context.length() + decodedPath.length()
                || !decoded.startsWith(context) || !decoded.startsWith(decodedPath, context.length())) {
            return "path differs from the container's";
        }
        return null;
    }
}
