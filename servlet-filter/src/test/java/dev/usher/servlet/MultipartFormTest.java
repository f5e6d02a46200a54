package dev.usher.servlet;

import dev.usher.core.config.ConfigReader;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The multipart parser of the API and the API's settings, without a container. */
class MultipartFormTest {

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String field(String body, String boundary) throws MultipartForm.Malformed {
        byte[] v = MultipartForm.field(bytes(body), boundary, "json");
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }

    /** The form PHP curl sends for an array. */
    @Test
    void phpCurlForm() throws Exception {
        String b = "------------------------d74496d66958873e";
        String body = "--" + b + "\r\nContent-Disposition: form-data; name=\"json\"\r\n\r\n{\"a\":\"b\\r\\n--x\"}\r\n--" + b + "--\r\n";
        assertEquals("{\"a\":\"b\\r\\n--x\"}", field(body, MultipartForm.boundary("multipart/form-data; boundary=" + b)));
        assertEquals("x y", MultipartForm.boundary("multipart/form-data; boundary=\"x y\"; charset=utf-8"));
    }

    @Test
    void contentMayHoldCrLfAndDashes() throws Exception {
        String body = "--B\r\nContent-Disposition: form-data; name=json\r\n\r\nline1\r\n-B\r\n--C\r\nline2\r\n--B--";
        assertEquals("line1\r\n-B\r\n--C\r\nline2", field(body, "B"));
        // A sender must pick a boundary that its content does not contain: one that does is refused, not guessed at.
        assertThrows(MultipartForm.Malformed.class,
                () -> field("--B\r\nContent-Disposition: form-data; name=json\r\n\r\na\r\n--Bx\r\nb\r\n--B--", "B"));
        assertNull(field("--B\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nv\r\n--B--", "B"));
        assertNull(field("--B--\r\n", "B"));
    }

    @Test
    void malformedFormsAreRefused() {
        for (String body : new String[] {"", "no boundary here", "--B\r\n", "--B\r\nContent-Disposition: form-data; name=json\r\n\r\nv",
                "--Bjunk\r\n\r\nv\r\n--B--", "--B\r\nContent-Disposition: form-data; name=json\r\n\r\na\r\n--B\r\n"
                        + "Content-Disposition: form-data; name=json\r\n\r\nb\r\n--B--",
                ("--B\r\nContent-Disposition: form-data; name=x\r\n\r\nv\r\n").repeat(MultipartForm.MAX_PARTS + 1) + "--B--",
                "--B\r\nX: " + "a".repeat(MultipartForm.MAX_HEADER_BYTES) + "\r\n\r\nv\r\n--B--"}) {
            assertThrows(MultipartForm.Malformed.class, () -> field(body, "B"), body.length() > 80 ? body.substring(0, 80) : body);
        }
        for (String type : new String[] {"multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"\"",
                "multipart/form-data; boundary=" + "b".repeat(71), "multipart/form-data; boundary=a@b", "multipart/form-data; boundary=a\u0000"}) {
            assertThrows(MultipartForm.Malformed.class, () -> MultipartForm.boundary(type), type);
        }
    }

    @Test
    void apiSettings() {
        ApiSettings defaults = ApiSettings.from(new ConfigReader(k -> Optional.empty()));
        assertEquals(Duration.ofSeconds(10), defaults.body().timeout());
        assertEquals(1024, defaults.body().minBytesPerSecond());
        assertEquals(64, defaults.maxConcurrent());
        assertEquals(UsherApiServlet.MAX_BODY, defaults.body().maxBytes());

        Map<String, String> bad = Map.of("usher.api.body-timeout", "1h", "usher.api.min-body-rate", "-1",
                "usher.api.max-concurrent", "0");
        ConfigReader config = new ConfigReader(k -> Optional.ofNullable(bad.get(k)));
        ApiSettings.from(config);
        assertEquals(3, config.problems().size(), config.problems()::toString);
        assertTrue(config.problems().stream().allMatch(p -> p.startsWith("usher.api.")), config.problems()::toString);
    }
}
