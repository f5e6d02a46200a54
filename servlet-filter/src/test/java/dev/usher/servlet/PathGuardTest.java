package dev.usher.servlet;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
            "media/vod/a.mp4 | /media/vod/a.mp4 | not an absolute path"})
    void refusesAmbiguousPaths(String raw, String decoded, String problem) {
        assertEquals(problem, PathGuard.problem(raw, "", decoded));
    }

    @ParameterizedTest
    @CsvSource({"/app/media/a/b.mp4, /app, /media/a/b.mp4"})
    void theContextPathIsPartOfTheRawPath(String raw, String context, String decoded) {
        assertNull(PathGuard.problem(raw, context, decoded));
        assertNotNull(PathGuard.problem(raw, "/other", decoded));
    }
}
