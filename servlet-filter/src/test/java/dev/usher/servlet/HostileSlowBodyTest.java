package dev.usher.servlet;

import dev.usher.core.api.Json;
import dev.usher.core.api.SevuClients;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.ticket.Ticket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10 item 4 on a real Jetty: clients that open an API request and trickle its body must not
 * starve the server. Raw loopback sockets send the headers and a first byte of a {@code sevu.request}
 * and then hold; meanwhile media, a page and the API must answer, the slow requests must be answered
 * with the JSON error once their deadline passes, and none may have stored anything.
 *
 * <p>The server runs on 24 threads, so that before the fix (blocking reads without a deadline) a
 * couple of dozen slow bodies were enough to leave every other request waiting.
 */
class HostileSlowBodyTest {

    static final String MARKER = "PROTECTED-BYTES-slow";
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /** Generous: an answer must come at all while attackers hold, not quickly. */
    static final Duration ANSWER = Duration.ofSeconds(20);

    @TempDir
    Path media;

    AttackedServer start(Map<String, String> settings) throws Exception {
        Files.createDirectories(media.resolve("vod"));
        Files.writeString(media.resolve("vod/a.mp4"), MARKER + "-mp4");
        return new AttackedServer(media, null, settings, 24);
    }

    /** A raw HTTP response: status, headers (lower-case names), body; status 0 when the server closed without one. */
    record Raw(int status, Map<String, String> headers, String body) {
    }

    static Socket attack(AttackedServer s, String path, String extraHeaders) throws IOException {
        Socket socket = new Socket("127.0.0.1", s.v4.getLocalPort());
        socket.setSoTimeout((int) ANSWER.toMillis() + 10_000);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" + extraHeaders
                + "Content-Length: 2000\r\n\r\n{").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return socket;
    }

    static Raw read(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                all.write(buffer, 0, n);
                Raw r = parse(all.toString(StandardCharsets.UTF_8));
                if (r != null) {
                    return r;
                }
            }
        } catch (IOException e) {
            // reset by the server: closed without (the rest of) an answer
        }
        Raw r = parse(all.toString(StandardCharsets.UTF_8));
        return r != null ? r : new Raw(0, Map.of(), all.toString(StandardCharsets.UTF_8));
    }

    static Raw parse(String text) {
        int end = text.indexOf("\r\n\r\n");
        if (end < 0) {
            return null;
        }
        String[] lines = text.substring(0, end).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String body = text.substring(end + 4);
        int length = Integer.parseInt(headers.getOrDefault("content-length", "-1"));
        if (length >= 0 && body.getBytes(StandardCharsets.UTF_8).length < length) {
            return null;
        }
        return new Raw(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
    }

    static HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(ANSWER).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> status(AttackedServer s, String key) throws Exception {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("command", "sevu.status");
        r.put("api_key", AttackedServer.API_KEY);
        r.put("timestamp", Instant.now().getEpochSecond());
        r.put("cdn", AttackedServer.CDN);
        r.put("key", key);
        String body = SevuClients.php(r, AttackedServer.SECRET);
        return http.send(HttpRequest.newBuilder(URI.create(s.v4Base() + "/usher/")).timeout(ANSWER)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static int code(String json) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) Json.parse(json);
            return ((Number) m.get("code")).intValue();
        } catch (Json.JsonException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    static List<Ticket> tickets(AttackedServer s) {
        return s.runtime.service().search(s.runtime.accounts().byCdnId(AttackedServer.CDN).orElseThrow(),
                new TicketQuery(null, null, 100));
    }

    static void assertJsonError(Raw r, int status, String what) {
        assertEquals(status, r.status(), () -> what + ": " + r);
        assertTrue(r.headers().getOrDefault("content-type", "").startsWith("application/json"), () -> what + ": " + r);
        assertFalse(r.body().contains("<html") || r.body().contains("Exception"), () -> what + ": " + r);
    }

    @Test
    void slowBodiesHoldNoThreadAndAreAnsweredAtTheirDeadline() throws Exception {
        try (AttackedServer s = start(Map.of("usher.api.body-timeout", "6s", "usher.api.min-body-rate", "0",
                "usher.api.max-concurrent", "150"))) {
            Ticket ticket = s.issue("vod", "a.mp4", "0.0.0.0/0", 1000);
            List<Ticket> before;
            List<Socket> attackers = new ArrayList<>();
            try {
                for (int i = 0; i < 200; i++) {
                    attackers.add(attack(s, "/usher/", ""));
                }
                // Until the attackers hold every permit a fresh call is served; once they do it is refused
                // at once with the documented JSON. Either way it is answered, never left waiting.
                HttpResponse<String> busy = null;
                for (int i = 0; i < 400 && busy == null; i++) {
                    HttpResponse<String> fresh = status(s, ticket.key());
                    assertTrue(fresh.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), fresh::body);
                    if (fresh.statusCode() == 503) {
                        busy = fresh;
                    } else {
                        assertEquals(200, fresh.statusCode(), fresh::body);
                        assertEquals(2003, code(fresh.body()), fresh::body);
                    }
                }
                assertNotNull(busy, "150 slow bodies never held the API's permits");
                assertEquals(15, code(busy.body()), busy::body);
                assertEquals("1", busy.headers().firstValue("Retry-After").orElse(null));

                // While they hold: media and pages answer on the 24 threads, and v2 answers its JSON.
                HttpResponse<String> file = get(s.v4Base() + "/media/vod/a.mp4?key=" + ticket.key() + "&pass=" + ticket.pass());
                assertEquals(200, file.statusCode(), file::body);
                assertEquals(MARKER + "-mp4", file.body());
                before = tickets(s); // the playback spent a use; nothing else may change from here on
                HttpResponse<String> page = get(s.v4Base() + "/page");
                assertEquals(AttackedServer.PAGE, page.body());
                HttpResponse<String> v2 = get(s.v4Base() + "/usher/v2/sevu_token/" + ticket.key(), "Authorization", "Basic "
                        + Base64.getEncoder().encodeToString((AttackedServer.CDN + ":" + AttackedServer.SECRET).getBytes(StandardCharsets.UTF_8)));
                assertEquals(503, v2.statusCode(), v2::body);
                assertTrue(v2.body().contains("\"SERVER_BUSY\""), v2::body);

                // Each slow request is answered: 503 at once beyond the bound, or 408 with 0016 at its deadline.
                int timedOut = 0;
                for (Socket a : attackers) {
                    Raw r = read(a);
                    if (r.status() == 503) {
                        assertJsonError(r, 503, "beyond the bound");
                        assertEquals(15, code(r.body()), r::toString);
                    } else {
                        assertJsonError(r, 408, "a slow body");
                        assertEquals(16, code(r.body()), r::toString);
                        assertTrue(r.body().contains("did not arrive within 6000 ms"), r::toString);
                        timedOut++;
                    }
                }
                assertEquals(150, timedOut, "every admitted slow body ends at its deadline");
            } finally {
                for (Socket a : attackers) {
                    a.close();
                }
            }
            assertEquals(before, tickets(s), "no slow request stored anything");
            HttpResponse<String> after = status(s, ticket.key());
            assertEquals(200, after.statusCode(), after::body);
            assertEquals(2003, code(after.body()), after::body);
        }
    }

    @Test
    void aBodyBelowTheMinimumRateIsRefusedBeforeItsDeadline() throws Exception {
        try (AttackedServer s = start(Map.of("usher.api.body-timeout", "30s", "usher.api.min-body-rate", "1024"))) {
            List<Ticket> before = tickets(s);
            String basic = "Authorization: Basic " + Base64.getEncoder().encodeToString(
                    (AttackedServer.CDN + ":" + AttackedServer.SECRET).getBytes(StandardCharsets.UTF_8)) + "\r\n";
            Socket command = attack(s, "/usher/", "");
            Socket v2 = attack(s, "/usher/v2/sevu_token", basic);
            Socket v2put = new Socket("127.0.0.1", s.v4.getLocalPort());
            v2put.setSoTimeout((int) ANSWER.toMillis());
            v2put.getOutputStream().write(("PUT /usher/v2/sevu_token HTTP/1.1\r\nHost: localhost\r\n" + basic
                    + "Content-Type: application/json\r\nContent-Length: 2000\r\n\r\n{").getBytes(StandardCharsets.ISO_8859_1));
            try {
                // The attack's pace: a byte after the first second, far below 1024 bytes/s.
                Thread.sleep(1500);
                for (Socket a : List.of(command, v2, v2put)) {
                    a.getOutputStream().write('"');
                    a.getOutputStream().flush();
                }
                Raw c = read(command);
                assertJsonError(c, 408, "a trickled command");
                assertEquals(16, code(c.body()), c::toString);
                assertTrue(c.body().contains("slower than 1024 bytes/s"), c::toString);
                Raw p = read(v2put);
                assertJsonError(p, 408, "a trickled v2 PUT");
                assertTrue(p.body().contains("\"BODY_TIMEOUT\""), p::toString);
                // POST on the collection is not a v2 verb: refused at once, without reading the body
                Raw m = read(v2);
                assertJsonError(m, 405, "POST on the collection");
            } finally {
                command.close();
                v2.close();
                v2put.close();
            }
            assertEquals(before, tickets(s));
        }
    }

    /**
     * Behind a filter without async support the body is read with blocking reads: a client that
     * keeps sending a byte now and then (each read returns, so the container's idle timeout never
     * fires) is still cut off at Usher's total deadline, and nothing is stored.
     */
    @Test
    void withoutAsyncSupportTheDeadlineStillHoldsOverTheWholeBody() throws Exception {
        Files.createDirectories(media.resolve("vod"));
        try (AttackedServer s = new AttackedServer(media, null, Map.of("usher.api.body-timeout", "2s",
                "usher.api.min-body-rate", "0"), 24, false)) {
            List<Ticket> before = tickets(s);
            Socket slow = attack(s, "/usher/", "");
            try {
                Raw r = null;
                // The attack's pace: a byte every 300 ms, for at most 40 bytes (12 s), until answered.
                for (int i = 0; i < 40 && r == null; i++) {
                    Thread.sleep(300);
                    try {
                        slow.getOutputStream().write(' ');
                        slow.getOutputStream().flush();
                    } catch (IOException e) {
                        break; // closed after its answer
                    }
                    if (slow.getInputStream().available() > 0) {
                        r = read(slow);
                    }
                }
                if (r == null) {
                    r = read(slow);
                }
                assertJsonError(r, 408, "a trickle behind a blocking read");
                assertEquals(16, code(r.body()), r::toString);
            } finally {
                slow.close();
            }
            assertEquals(before, tickets(s));
        }
    }

    @Test
    void v2AuthenticatesBeforeReadingABody() throws Exception {
        try (AttackedServer s = start(Map.of("usher.api.body-timeout", "30s"))) {
            Socket anonymous = attack(s, "/usher/v2/sevu_token", "");
            try {
                Raw r = read(anonymous);
                assertJsonError(r, 401, "an anonymous v2 body");
                assertTrue(r.body().contains("\"UNAUTHORIZED\""), r::toString);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the anonymous request was left waiting for its body", e);
            } finally {
                anonymous.close();
            }
        }
    }
}
