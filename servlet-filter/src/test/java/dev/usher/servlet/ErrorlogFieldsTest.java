package dev.usher.servlet;

import dev.usher.core.api.Json;
import dev.usher.servlet.clients.SeVuService;
import dev.usher.testing.Tools;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.json.JSONArray;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * {@code sevu.errorlog} with every field the seeds' Java example lists (its commented lines
 * enabled: {@code pass}, {@code ip}, {@code video}, {@code app}, {@code success}, {@code seek},
 * {@code limit}), through a running Jetty, from the Java client and the PHP client (issue 11 item 4).
 */
class ErrorlogFieldsTest {

    static final String SECRET = ApiIntegrationTest.randomSecret();
    static final String PASS = "g63clVAI5wFPxY9vwVOJvw6L";
    static Server server;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.setInitParameter("usher.account.158.api-key", ApiIntegrationTest.API_KEY);
        context.setInitParameter("usher.account.158.secret", SECRET);
        context.setInitParameter("usher.account.158.username", "demo");
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

    static int get(String pathAndQuery) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** A ticket with one attempt of the right pass (granted; the file is missing, so 404) and one wrong. */
    static String ticketWithTwoAttempts(SeVuService client, String video) throws Exception {
        JSONObject granted = client.createTicket("0.0.0.0/0", video, 600);
        assertEquals(2002, granted.getInt("code"), granted::toString);
        String key = granted.getJSONObject("ticket").getString("key");
        assertEquals(404, get("/media/demo-live/" + video + "?key=" + key + "&pass=" + PASS), "granted, nothing to serve");
        assertEquals(403, get("/media/demo-live/" + video + "?key=" + key + "&pass=not-the-pass"));
        return key;
    }

    @Test
    void theJavaExamplesErrorLogWithEveryFieldEnabledFiltersByEachOfThem() throws Exception {
        SeVuService client = new SeVuService(base + "/usher/", 158, ApiIntegrationTest.API_KEY, SECRET, PASS, "demo-live");
        String key = ticketWithTwoAttempts(client, "java.mp4");
        assertEquals(2, client.errorLog(key).getJSONArray("attempts").length(), "the plain errorLog sees both");

        JSONObject filtered = client.errorLog(key, "127.0.0.1", "java.mp4");
        assertEquals(2101, filtered.getInt("code"), filtered::toString);
        JSONArray attempts = filtered.getJSONArray("attempts");
        assertEquals(1, attempts.length(), filtered::toString);
        assertEquals(1, attempts.getJSONObject(0).getInt("success"));
        assertEquals("127.0.0.1", attempts.getJSONObject(0).getString("ip"));
        assertFalse(filtered.toString().contains(PASS), "no pass in an attempt");

        // Each field narrows: another address, video or app, or a pass no attempt carried, finds none.
        assertEquals(2100, client.errorLog(key, "127.0.0.2", "java.mp4").getInt("code"));
        assertEquals(2100, client.errorLog(key, "127.0.0.1", "other.mp4").getInt("code"));
        SeVuService otherApp = new SeVuService(base + "/usher/", 158, ApiIntegrationTest.API_KEY, SECRET, PASS, "demo-vod");
        assertEquals(2100, otherApp.errorLog(key, "127.0.0.1", "java.mp4").getInt("code"));
        SeVuService otherPass = new SeVuService(base + "/usher/", 158, ApiIntegrationTest.API_KEY, SECRET, "not-the-pass", "demo-live");
        assertEquals(2100, otherPass.errorLog(key, "127.0.0.1", "java.mp4").getInt("code"), "success 1 and the wrong pass: none");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> php(String command, String fields) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Tools.php(), ApiIntegrationTest.phpClient().toString(), base + "/usher/", "158",
                ApiIntegrationTest.API_KEY, SECRET, command, fields));
        Tools.Run run = Tools.run(cmd, Duration.ofSeconds(30), Map.of());
        assertEquals(0, run.exitCode(), run::describe);
        return (Map<String, Object>) Json.parse(run.stdout());
    }

    @Test
    void thePhpExampleSendsEveryFieldToo() throws Exception {
        SeVuService client = new SeVuService(base + "/usher/", 158, ApiIntegrationTest.API_KEY, SECRET, PASS, "demo-live");
        String key = ticketWithTwoAttempts(client, "php.mp4");
        Map<String, Object> wrong = php("sevu.errorlog", "{\"key\":\"" + key + "\",\"pass\":\"not-the-pass\",\"ip\":\"127.0.0.1\","
                + "\"video\":\"php.mp4\",\"app\":\"demo-live\",\"success\":0,\"seek\":0,\"limit\":100}");
        assertEquals(2101, ((Number) wrong.get("code")).intValue(), wrong::toString);
        List<?> attempts = (List<?>) wrong.get("attempts");
        assertEquals(1, attempts.size(), wrong::toString);
        assertEquals("Invalid Auth Token", ((Map<?, ?>) attempts.get(0)).get("reason"));
        Map<String, Object> right = php("sevu.errorlog", "{\"key\":\"" + key + "\",\"pass\":\"" + PASS + "\",\"success\":1,\"seek\":0,\"limit\":1}");
        assertEquals(1, ((List<?>) right.get("attempts")).size(), right::toString);
        Map<String, Object> skipped = php("sevu.errorlog", "{\"key\":\"" + key + "\",\"pass\":\"" + PASS + "\",\"seek\":1}");
        assertEquals(2100, ((Number) skipped.get("code")).intValue(), skipped::toString);
    }
}
