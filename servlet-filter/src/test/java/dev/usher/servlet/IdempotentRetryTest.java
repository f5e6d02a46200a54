package dev.usher.servlet;

import dev.usher.servlet.clients.SeVuService;
import dev.usher.testing.PostgresExtension;
import dev.usher.testing.PostgresServer;
import org.apache.commons.codec.binary.Base64;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Idempotent retry (issue 11) through running Jettys with the seeds' Java client: its
 * {@code createTicket} signs a constant pass, so two calls in one second are byte-identical; the
 * second gets the first answer (same ticket, same key) and makes no second ticket. On one node with
 * the in-memory repository, and on two nodes sharing one PostgreSQL, with racing copies.
 */
@ExtendWith(PostgresExtension.class)
class IdempotentRetryTest {

    static final String API_KEY = ApiIntegrationTest.API_KEY;
    static final String SECRET = ApiIntegrationTest.randomSecret();
    static final List<Server> servers = new ArrayList<>();
    static String single;
    static String nodeA;
    static String nodeB;

    @BeforeAll
    static void start() throws Exception {
        single = start(Map.of());
        PostgresServer pg = PostgresExtension.server();
        pg.createDatabase("usher_retry");
        Map<String, String> jdbc = Map.of("usher.repository", "jdbc", "usher.jdbc.url", pg.url("usher_retry"),
                "usher.jdbc.user", "postgres", "usher.jdbc.create-schema", "true",
                "usher.credential.secrets", "k1:" + java.util.Base64.getEncoder().encodeToString(SECRET.getBytes(StandardCharsets.US_ASCII)));
        nodeA = start(jdbc);
        nodeB = start(jdbc);
    }

    static String start(Map<String, String> extra) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.setInitParameter("usher.account.158.api-key", API_KEY);
        context.setInitParameter("usher.account.158.secret", SECRET);
        context.setInitParameter("usher.account.158.username", "demo");
        extra.forEach(context::setInitParameter);
        context.addServletContainerInitializer(new UsherInitializer());
        server.setHandler(context);
        server.start();
        servers.add(server);
        return "http://127.0.0.1:" + connector.getLocalPort() + "/usher/";
    }

    @AfterAll
    static void stop() throws Exception {
        for (Server s : servers) {
            s.stop();
        }
    }

    static SeVuService client(String url) {
        return new SeVuService(url, 158, API_KEY, SECRET, "the-constant-pass-of-the-example", "demo-live");
    }

    /**
     * The example's createTicket twice, first to {@code first} then to {@code second}, in one second
     * of the clock the client signs with (a pair that straddles a second is two requests, legitimately
     * two tickets: it is sent again).
     */
    static JSONObject[] twiceInOneSecond(String first, String second, String video) throws Exception {
        for (int tries = 0; tries < 20; tries++) {
            long before = System.currentTimeMillis() / 1000;
            JSONObject a = client(first).createTicket("auto", video, 600);
            JSONObject b = client(second).createTicket("auto", video, 600);
            if (System.currentTimeMillis() / 1000 == before) {
                return new JSONObject[]{a, b};
            }
            video = video + "x";
        }
        throw new AssertionError("no two calls within one second in 20 tries");
    }

    static void assertSameTicketAndOnlyOne(JSONObject[] answers, String searchAt) throws Exception {
        assertEquals(2002, answers[0].getInt("code"), answers[0]::toString);
        assertEquals(2002, answers[1].getInt("code"), answers[1]::toString);
        String key = answers[0].getJSONObject("ticket").getString("key");
        assertEquals(key, answers[1].getJSONObject("ticket").getString("key"), "the same key both times");
        assertEquals(answers[0].getJSONObject("ticket").toString(), answers[1].getJSONObject("ticket").toString());
        String video = answers[0].getJSONObject("ticket").getString("video");
        JSONObject search = client(searchAt).searchTickets(video);
        assertEquals(2006, search.getInt("code"), search::toString);
        assertEquals(1, search.getJSONArray("tickets").length(), () -> "exactly one ticket: " + search);
    }

    @Test
    void theJavaExampleCallingCreateTicketTwiceInOneSecondGetsOneTicketOnOneNode() throws Exception {
        assertSameTicketAndOnlyOne(twiceInOneSecond(single, single, "single_" + System.nanoTime()), single);
    }

    @Test
    void theSameRetryOnTheOtherNodeOfAClusterGetsTheFirstAnswer() throws Exception {
        assertSameTicketAndOnlyOne(twiceInOneSecond(nodeA, nodeB, "cluster_" + System.nanoTime()), nodeB);
    }

    @Test
    void racingCopiesOfOneSignedRequestOnTwoNodesMakeOneTicket() throws Exception {
        // Signed once as the example does (org.json, / escaped after encoding), posted by 40 threads at once.
        String video = "race_" + System.nanoTime();
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        m.put("api_key", API_KEY);
        m.put("cdn", 158);
        m.put("command", "sevu.request");
        m.put("pass", "the-constant-pass-of-the-example");
        m.put("ip", "auto");
        m.put("video", video);
        m.put("app", "demo-live");
        m.put("uses", 1);
        m.put("expire", "+600 seconds");
        m.put("timestamp", System.currentTimeMillis() / 1000);
        String unsigned = new JSONObject(m).toString().replace("/", "\\/");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        m.put("signature", new String(Base64.encodeBase64(mac.doFinal(unsigned.getBytes(StandardCharsets.UTF_8))), StandardCharsets.US_ASCII));
        String form = "json=" + URLEncoder.encode(new JSONObject(m).toString().replace("/", "\\/"), StandardCharsets.UTF_8);
        HttpClient http = HttpClient.newHttpClient();
        ExecutorService pool = Executors.newFixedThreadPool(40);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                String url = i % 2 == 0 ? nodeA : nodeB;
                answers.add(pool.submit(() -> {
                    go.await();
                    return http.send(HttpRequest.newBuilder(URI.create(url))
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString()).body();
                }));
            }
            go.countDown();
            Set<String> keys = new HashSet<>();
            for (Future<String> f : answers) {
                JSONObject a = new JSONObject(f.get(60, TimeUnit.SECONDS));
                assertEquals(2002, a.getInt("code"), a::toString);
                keys.add(a.getJSONObject("ticket").getString("key"));
            }
            assertEquals(1, keys.size(), () -> "one ticket for every copy: " + keys);
            JSONObject search = client(nodeA).searchTickets(video);
            assertEquals(1, search.getJSONArray("tickets").length(), search::toString);
        } finally {
            pool.shutdownNow();
        }
    }
}
