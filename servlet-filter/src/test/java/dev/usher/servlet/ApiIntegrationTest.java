package dev.usher.servlet;

import dev.usher.core.api.Json;
import dev.usher.servlet.clients.SeVuService;
import dev.usher.testing.DemoAccount;
import dev.usher.testing.Tools;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SEVU API over HTTP on a running Jetty, driven by the clients of the seeds: a PHP script run
 * by php-cli (json_encode, hash_hmac, curl with an array), the seeds' Java class (org.json,
 * commons-httpclient 3.1), and curl for every v2 verb and error.
 */
class ApiIntegrationTest {

    static final long CDN = 158;
    static final String API_KEY = DemoAccount.DEMO.apiKey();
    /** Per run, from SecureRandom: a secret committed here would be a published one, which the start refuses. */
    static final String SECRET = randomSecret();
    static final String STEF_SECRET = randomSecret();

    static String randomSecret() {
        byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    static Server server;
    static String base;
    static ServletContextHandler context;

    @BeforeAll
    static void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        context = new ServletContextHandler("/");
        context.setInitParameter("usher.account.158.api-key", API_KEY);
        context.setInitParameter("usher.account.158.secret", SECRET);
        context.setInitParameter("usher.account.158.username", "demo");
        context.setInitParameter("usher.account.28.api-key", DemoAccount.STEF.apiKey());
        context.setInitParameter("usher.account.28.secret", STEF_SECRET);
        context.setInitParameter("usher.account.28.username", "stef");
        context.addServletContainerInitializer(new UsherInitializer());
        context.addFilter(new FilterHolder(UsherFilter.class), "/*", EnumSet.allOf(DispatcherType.class));
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    static Path phpClient() {
        return Path.of("src/test/resources/php/sevu-client.php").toAbsolutePath();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> php(String path, String command, String fields) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Tools.php(), phpClient().toString(), base + path, String.valueOf(CDN), API_KEY,
                SECRET, command));
        if (fields != null) {
            cmd.add(fields);
        }
        Tools.Run run = Tools.run(cmd, Duration.ofSeconds(30), Map.of());
        assertEquals(0, run.exitCode(), run::describe);
        return (Map<String, Object>) Json.parse(run.stdout());
    }

    static int code(Map<String, Object> answer) {
        return ((Number) answer.get("code")).intValue();
    }

    @Test
    void thePhpClientOfTheSeedsRunsEveryCommand() throws Exception {
        Map<String, Object> granted = php("/usher/stable/", "sevu.request",
                "{\"app\":\"demo-vod\",\"video\":\"movies/trailer.mp4|set1/*\",\"pass\":\"unique_random_string_per_request\","
                        + "\"ip\":\"192.168.0.0/24\",\"uses\":5,\"expire\":\"+1 hour\"}");
        assertEquals(2002, code(granted), granted::toString);
        String key = (String) ((Map<?, ?>) granted.get("ticket")).get("key");
        assertEquals("movies/trailer.mp4|set1/*", ((Map<?, ?>) granted.get("ticket")).get("video"),
                "PHP escaped the slashes; the signature still verified");

        assertEquals(2003, code(php("/usher/", "sevu.status", "{\"key\":\"" + key + "\"}")));
        Map<String, Object> log = php("/usher/", "sevu.errorlog", "{\"key\":\"" + key + "\",\"starttime\":\"2014-09-16\"}");
        assertEquals(2100, code(log), log::toString);

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(base + "/media/demo-vod/movies/trailer.mp4?key="
                + key + "&pass=unique_random_string_per_request")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, refused.statusCode());
        log = php("/usher/", "sevu.errorlog", "{\"key\":\"" + key + "\"}");
        assertEquals(2101, code(log), log::toString);
        Map<?, ?> attempt = (Map<?, ?>) ((List<?>) log.get("attempts")).get(0);
        assertEquals("Invalid IP Address", attempt.get("reason"));
        assertEquals("127.0.0.1", attempt.get("ip"));
        assertEquals(0, ((Number) attempt.get("success")).intValue());

        Map<String, Object> search = php("/usher/", "sevu.search", "{\"video\":\"set1/a.mp4\"}");
        assertEquals(2006, code(search), search::toString);
        assertEquals(1, ((List<?>) search.get("tickets")).size());

        Map<String, Object> revoked = php("/usher/", "sevu.revoke", "{\"key\":\"" + key + "\"}");
        assertEquals(2005, code(revoked));
        assertEquals("0", ((Map<?, ?>) revoked.get("ticket")).get("active"));

        Map<String, Object> unknown = php("/usher/", "sevu.nothing", null);
        assertEquals(0, code(unknown));
        assertEquals("failure", unknown.get("status"));
        Map<String, Object> missing = php("/usher/", "sevu.request", "{\"app\":\"demo-vod\"}");
        assertEquals(6, code(missing));
        assertTrue(((String) missing.get("message")).contains("video"), missing::toString);
    }

    @Test
    void theJavaClientOfTheSeedsRunsEveryCommand() throws Exception {
        SeVuService client = new SeVuService(base + "/usher/", (int) CDN, API_KEY, SECRET, "g63clVAI5wFPxY9vwVOJvw6L", "demo-live");
        JSONObject granted = client.createTicket("0.0.0.0/0", "mystream_*", 600);
        assertEquals(2002, granted.getInt("code"), granted::toString);
        String key = granted.getJSONObject("ticket").getString("key");
        assertTrue(key.startsWith("mystream."), key);
        assertEquals("1", granted.getJSONObject("ticket").getString("uses"));
        // Byte-identical status calls in the same second both succeed.
        assertEquals(2003, client.ticketStatus(key).getInt("code"));
        assertEquals(2003, client.ticketStatus(key).getInt("code"));
        JSONObject search = client.searchTickets("mystream_720p");
        assertEquals(2006, search.getInt("code"), search::toString);
        assertEquals(key, search.getJSONArray("tickets").getJSONObject(0).getString("key"));
        assertEquals(2100, client.errorLog(key).getInt("code"));
        // Issue 16 made vsn.viewercount a command (it was 0000): the example client's call works unchanged.
        JSONObject counts = client.viewerCounts("http://example.com/");
        assertEquals(2080, counts.getInt("code"), counts::toString);
        assertEquals(0, counts.getJSONArray("data").getJSONObject(0).getInt("viewer_count_sum"), counts::toString);
        JSONObject revoked = client.revokeTicket(key);
        assertEquals(2005, revoked.getInt("code"));
    }

    static Tools.Run curl(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Tools.curl(), "-s", "-w", "\n%{http_code}"));
        cmd.addAll(List.of(args));
        Tools.Run run = Tools.run(cmd, Duration.ofSeconds(30), Map.of());
        assertEquals(0, run.exitCode(), run::describe);
        return run;
    }

    static int status(Tools.Run run) {
        String out = run.stdout().trim();
        return Integer.parseInt(out.substring(out.lastIndexOf('\n') + 1));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> body(Tools.Run run) throws Exception {
        String out = run.stdout();
        return (Map<String, Object>) Json.parse(out.substring(0, out.lastIndexOf('\n')));
    }

    @Test
    void curlDrivesEveryV2VerbAndError() throws Exception {
        String user = CDN + ":" + SECRET;
        String tokens = base + "/usher/v2/sevu_token";
        Tools.Run created = curl("-X", "PUT", "--user", user, "--data-binary",
                "{\"pass\":\"user123|randomdata\",\"ip\":\"auto/24|auto/24\",\"video\":\"my_video.mp4|my_folder/*\","
                        + "\"app\":\"demo-*\",\"uses\":999,\"active\":true,\"expire_date\":\"2099-12-24 23:59:59\"}", tokens);
        assertEquals(201, status(created), created::describe);
        Map<String, Object> token = body(created);
        assertEquals(List.of("id", "cdn_id", "key", "pass", "ip", "video", "app", "uses", "active", "created_date", "expire_date",
                "used_date"), new ArrayList<>(token.keySet()));
        assertEquals("158", token.get("cdn_id"));
        assertEquals(999, ((Number) token.get("uses")).intValue());
        assertEquals(Boolean.TRUE, token.get("active"));
        String key = (String) token.get("key");

        assertEquals(200, status(curl("--user", user, tokens + "/" + key)));
        Tools.Run withChildren = curl("--user", user, "-G", "--data-urlencode", "option:children=sevu_attempt", tokens + "/" + key);
        assertEquals(List.of(), body(withChildren).get("sevu_attempt"), withChildren::describe);
        assertEquals(200, status(curl("--user", user, tokens + "/" + key + "/sevu_attempt")));
        Tools.Run list = curl("--user", user, tokens + "?video=my_folder/x.mp4&active=1");
        assertTrue(list.stdout().contains(key), list::describe);

        Tools.Run updated = curl("-X", "POST", "--user", user, "--data-binary", "{\"active\":false,\"expire_date\":\"2099-12-25 00:00:00\"}",
                tokens + "/" + key);
        assertEquals(200, status(updated), updated::describe);
        assertEquals(Boolean.FALSE, body(updated).get("active"));
        assertEquals("2099-12-25 00:00:00", body(updated).get("expire_date"));

        Tools.Run immutable = curl("-X", "POST", "--user", user, "--data-binary", "{\"uses\":5}", tokens + "/" + key);
        assertEquals(400, status(immutable));
        assertEquals("ACCESS_VIOLATION", body(immutable).get("error"));
        assertEquals("uses", body(immutable).get("field"));

        Tools.Run required = curl("-X", "PUT", "--user", user, "--data-binary", "{\"ip\":\"auto\",\"video\":\"v\",\"app\":\"demo-x\",\"uses\":1}", tokens);
        assertEquals(400, status(required));
        assertEquals("REQUIRED_FIELD", body(required).get("error"));
        assertEquals("pass", body(required).get("field"));

        Tools.Run mismatch = curl("-X", "PUT", "--user", user, "--data-binary",
                "{\"pass\":\"p\",\"ip\":\"auto\",\"video\":\"v\",\"app\":\"demo-x\",\"uses\":\"1\"}", tokens);
        assertEquals(400, status(mismatch));
        assertEquals("TYPE_MISMATCH", body(mismatch).get("error"));
        assertEquals("uses", body(mismatch).get("field"));

        Tools.Run appInvalid = curl("-X", "PUT", "--user", user, "--data-binary",
                "{\"pass\":\"p\",\"ip\":\"auto\",\"video\":\"v\",\"app\":\"other-x\",\"uses\":1}", tokens);
        assertEquals(400, status(appInvalid));
        assertEquals("APP_INVALID", body(appInvalid).get("error"));

        assertEquals(404, status(curl("--user", user, tokens + "/nope.00000000000000.00000000")));
        Tools.Run unauthorized = curl("--user", CDN + ":wrong-secret", tokens + "/" + key);
        assertEquals(401, status(unauthorized));
        assertEquals(401, status(curl(tokens + "/" + key)));
        assertEquals(401, status(curl("--user", "9999999999999999999:x", tokens)), "an overlong cdn id is no account, not an error");
        assertEquals(404, status(curl("--user", "28:" + STEF_SECRET,
                tokens + "/" + key)), "another account sees no such token");

        assertEquals(204, status(curl("-X", "DELETE", "--user", user, tokens + "/" + key)));
        assertEquals(404, status(curl("--user", user, tokens + "/" + key)));
        assertEquals(405, status(curl("-X", "PATCH", "--user", user, tokens + "/" + key)));
    }

    @Test
    void aNonUtf8OrOversizedBodyIsAFailureNotAnError() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> latin1 = http.send(HttpRequest.newBuilder(URI.create(base + "/usher/"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("json=%7B%22a%22%3A%22%E9%22%7D")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, latin1.statusCode());
        assertTrue(latin1.body().contains("\"code\":7") && latin1.body().contains("UTF-8"), latin1.body());
        HttpResponse<String> big = http.send(HttpRequest.newBuilder(URI.create(base + "/usher/"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"a\":\"" + "x".repeat(400_000) + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertFalse(big.statusCode() >= 500, big::toString);
        assertTrue(big.body().contains("\"status\":\"failure\""), big.body());
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(base + "/usher/")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, get.statusCode());
    }

    @Test
    void everyAnswerIsToldToTheListenersRefusalsOfTheTransportToo() throws Exception {
        List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        UsherRuntime.of(context.getServletContext()).service().addListener(new dev.usher.core.service.UsherListener() {
            @Override
            public void apiAnswered(String command, int code) {
                told.add(command + " " + code);
            }
        });
        HttpClient http = HttpClient.newHttpClient();
        assertEquals(405, http.send(HttpRequest.newBuilder(URI.create(base + "/usher/")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode());
        HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(URI.create(base + "/usher/"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"sevu.status\",\"cdn\":158}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(unsigned.body().contains("\"code\":1,"), unsigned.body());
        assertEquals(List.of("unknown 7", "unknown 1"), told, "a command is named only once the request is signed");
    }
}
