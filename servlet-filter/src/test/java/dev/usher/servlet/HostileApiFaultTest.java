package dev.usher.servlet;

import dev.usher.core.api.Json;
import dev.usher.core.api.SevuClients;
import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.ticket.Ticket;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10 item 8 on a real Jetty: every answer of the API, faults included, is the documented
 * JSON, never the container's error page and never an exception's text. The database is a real H2
 * server, stopped under the running API; multipart bodies are hostile; a signed timestamp is chosen
 * to overflow the window check.
 */
class HostileApiFaultTest {

    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    static final String BASIC = "Basic " + Base64.getEncoder().encodeToString(
            (AttackedServer.CDN + ":" + AttackedServer.SECRET).getBytes(StandardCharsets.UTF_8));

    @TempDir
    static Path media;
    static AttackedServer memory;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(media.resolve("vod"));
        memory = new AttackedServer(media, null, Map.of(), 32);
    }

    @AfterAll
    static void stop() throws Exception {
        memory.close();
    }

    static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String signed(Map<String, Object> fields) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("api_key", AttackedServer.API_KEY);
        r.put("timestamp", Instant.now().getEpochSecond());
        r.put("cdn", AttackedServer.CDN);
        r.putAll(fields);
        return SevuClients.php(r, AttackedServer.SECRET);
    }

    static HttpResponse<String> command(AttackedServer s, String contentType, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(s.v4Base() + "/usher/")).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    static int code(HttpResponse<String> r) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) Json.parse(r.body());
            return ((Number) m.get("code")).intValue();
        } catch (Json.JsonException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    /** The documented JSON: the JSON type, parseable, no container page, no exception or driver text, no 500. */
    static void assertDocumentedJson(HttpResponse<String> r, String what) {
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                () -> what + " answered " + r.headers().firstValue("Content-Type") + ": " + r.body());
        assertFalse(r.statusCode() == 500, () -> what + " answered 500: " + r.body());
        for (String leak : List.of("<html", "<HTML", "Exception", "exception", "org.h2", "SQL", "jdbc", "at dev.usher", "Caused by")) {
            assertFalse(r.body().contains(leak), () -> what + " shows '" + leak + "': " + r.body());
        }
        try {
            Json.parse(r.body());
        } catch (Json.JsonException e) {
            throw new AssertionError(what + " is not JSON: " + r.body(), e);
        }
    }

    @Test
    void anUnavailableDatabaseIsAnsweredWithTheDocumentedJson(@TempDir Path data) throws Exception {
        Server h2 = Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir", data.toString()).start();
        String url = "jdbc:h2:tcp://localhost:" + h2.getPort() + "/./usher";
        Map<String, String> settings = Map.of("usher.repository", "jdbc", "usher.jdbc.url", url, "usher.jdbc.user", "sa",
                "usher.jdbc.password", "", "usher.jdbc.query-timeout", "5s", "usher.jdbc.create-schema", "true",
                "usher.credential.secrets", "t1:" + Base64.getEncoder().encodeToString(PlaybackCredentials.newSecret()));
        try (AttackedServer s = new AttackedServer(media, null, settings, 32)) {
            Ticket t = s.issue("demo-vod", "a.mp4", "auto", 5);
            h2.stop(); // the database goes away under the running API

            String tokens = s.v4Base() + "/usher/v2/sevu_token";
            List<HttpResponse<String>> answers = new ArrayList<>();
            answers.add(send(HttpRequest.newBuilder(URI.create(tokens)).header("Authorization", BASIC)
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"pass\":\"p-123456\",\"ip\":\"auto\",\"video\":\"v\",\"app\":\"demo-x\",\"uses\":1}"))));
            answers.add(send(HttpRequest.newBuilder(URI.create(tokens + "/" + t.key())).header("Authorization", BASIC).GET()));
            answers.add(send(HttpRequest.newBuilder(URI.create(tokens + "/" + t.key() + "/sevu_attempt")).header("Authorization", BASIC).GET()));
            answers.add(send(HttpRequest.newBuilder(URI.create(tokens + "?limit=5")).header("Authorization", BASIC).GET()));
            answers.add(send(HttpRequest.newBuilder(URI.create(tokens + "/" + t.key())).header("Authorization", BASIC)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"active\":false}"))));
            answers.add(send(HttpRequest.newBuilder(URI.create(tokens + "/" + t.key())).header("Authorization", BASIC).DELETE()));
            for (HttpResponse<String> r : answers) {
                assertDocumentedJson(r, "v2 " + r.request().method() + " " + r.uri().getPath());
                assertEquals(503, r.statusCode(), r::body);
                assertTrue(r.body().contains("\"UNAVAILABLE\""), r::body);
            }
            for (Map<String, Object> c : List.of(
                    Map.<String, Object>of("command", "sevu.request", "app", "demo-x", "video", "v", "pass", "p-123456", "ip", "auto",
                            "uses", 1, "expire", "+1 hour"),
                    Map.<String, Object>of("command", "sevu.status", "key", t.key()),
                    Map.<String, Object>of("command", "sevu.search", "video", "*"))) {
                HttpResponse<String> r = command(s, "application/json", signed(c));
                assertDocumentedJson(r, (String) c.get("command"));
                assertEquals(4, code(r), r::body);
            }
        } finally {
            h2.stop();
        }
    }

    static Stream<String[]> hostileMultipart() {
        String json = signed(Map.of("command", "sevu.search", "video", "*"));
        String part = "--B\r\nContent-Disposition: form-data; name=\"json\"\r\n\r\n" + json + "\r\n";
        String many = ("--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nx\r\n").repeat(40) + part + "--B--\r\n";
        return Stream.of(
                new String[] {"no boundary", "multipart/form-data", part + "--B--\r\n"},
                new String[] {"empty boundary", "multipart/form-data; boundary=", part + "--B--\r\n"},
                new String[] {"boundary of 71 characters", "multipart/form-data; boundary=" + "b".repeat(71), part + "--B--\r\n"},
                new String[] {"boundary with a character RFC 2046 refuses", "multipart/form-data; boundary=B@<x>", part + "--B--\r\n"},
                new String[] {"another boundary in the body", "multipart/form-data; boundary=C", part + "--B--\r\n"},
                new String[] {"no closing boundary", "multipart/form-data; boundary=B", part},
                new String[] {"part without end of headers", "multipart/form-data; boundary=B",
                        "--B\r\nContent-Disposition: form-data; name=\"json\"\r\n" + "X-Pad: " + "a".repeat(5000) + "\r\n"},
                new String[] {"too many parts", "multipart/form-data; boundary=B", many},
                new String[] {"the field twice", "multipart/form-data; boundary=B", part + part + "--B--\r\n"},
                new String[] {"oversize part", "multipart/form-data; boundary=B",
                        "--B\r\nContent-Disposition: form-data; name=\"json\"\r\n\r\n" + "x".repeat(UsherApiServlet.MAX_BODY) + "\r\n--B--\r\n"},
                new String[] {"garbage", "multipart/form-data; boundary=B", "\u0000\u0001\u0002 not multipart at all"});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileMultipart")
    void hostileMultipartIsAnsweredWithTheDocumentedJson(String name, String contentType, String body) throws Exception {
        List<Ticket> before = tickets(memory);
        HttpResponse<String> r = command(memory, contentType, body);
        assertDocumentedJson(r, name);
        assertEquals(200, r.statusCode(), r::body);
        assertEquals(7, code(r), r::body);
        assertEquals(before, tickets(memory), "nothing changed");
    }

    @Test
    void aWellFormedMultipartCommandStillWorks() throws Exception {
        String json = signed(Map.of("command", "sevu.search", "video", "*"));
        HttpResponse<String> r = command(memory, "multipart/form-data; boundary=\"----x y\"",
                "preamble\r\n------x y\r\nContent-Disposition: form-data; name=\"other\"; filename=\"json\"\r\n\r\nno\r\n"
                        + "------x y\r\ncontent-disposition: form-data; name=json\r\nContent-Type: text/plain\r\n\r\n" + json
                        + "\r\n------x y--\r\nepilogue");
        assertDocumentedJson(r, "multipart");
        assertEquals(2006, code(r), r::body);
    }

    @Test
    void unknownPathsAndMethodsAnswerJson() throws Exception {
        for (String path : List.of("/usher/nope", "/usher/v2", "/usher/v2/sevu_token/a/b", "/usher/stable/x")) {
            HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create(memory.v4Base() + path)).header("Authorization", BASIC)
                    .POST(HttpRequest.BodyPublishers.ofString("{}")));
            assertDocumentedJson(r, path);
            assertEquals(404, r.statusCode(), r::body);
        }
        HttpResponse<String> patch = send(HttpRequest.newBuilder(URI.create(memory.v4Base() + "/usher/v2/sevu_token"))
                .header("Authorization", BASIC).method("PATCH", HttpRequest.BodyPublishers.ofString("{}")));
        assertDocumentedJson(patch, "PATCH");
        assertEquals(405, patch.statusCode());
    }

    /** The overflow of issue 10 item 8, over HTTP: 0002, and nothing logged as a fault. */
    @Test
    void anOverflowingTimestampAnswers0002WithoutAnErrorLog() throws Exception {
        List<LogRecord> faults = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                    faults.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger logger = Logger.getLogger("dev.usher");
        logger.addHandler(handler);
        List<Ticket> before = tickets(memory);
        try {
            for (long t : new long[] {Long.MIN_VALUE + Instant.now().getEpochSecond(), Long.MIN_VALUE, Long.MAX_VALUE}) {
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("command", "sevu.request");
                r.put("api_key", AttackedServer.API_KEY);
                r.put("timestamp", t);
                r.put("cdn", AttackedServer.CDN);
                r.put("app", "demo-x");
                r.put("video", "v");
                r.put("pass", "p-123456");
                r.put("ip", "auto");
                r.put("uses", 1);
                r.put("expire", "+1 hour");
                HttpResponse<String> answer = command(memory, "application/json", SevuClients.php(r, AttackedServer.SECRET));
                assertDocumentedJson(answer, "timestamp " + t);
                assertEquals(2, code(answer), answer::body);
            }
        } finally {
            logger.removeHandler(handler);
        }
        assertEquals(List.of(), faults.stream().map(LogRecord::getMessage).toList());
        assertEquals(before, tickets(memory));
    }

    static List<Ticket> tickets(AttackedServer s) {
        return s.runtime.service().search(s.runtime.accounts().byCdnId(AttackedServer.CDN).orElseThrow(),
                new TicketQuery(null, null, 100));
    }
}
