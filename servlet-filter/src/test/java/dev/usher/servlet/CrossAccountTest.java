package dev.usher.servlet;

import dev.usher.core.account.Account;
import dev.usher.core.api.Json;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;
import dev.usher.testing.DemoAccount;
import dev.usher.testing.Tools;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ResourceServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
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
 * Two accounts on one running server (the seeds' demo, 158, and stef, 28): neither can issue a
 * ticket for the other's applications through any API, and a ticket of one never opens the other's
 * media, whatever its {@code app} says.
 */
class CrossAccountTest {

    static final String DEMO_SECRET = ApiIntegrationTest.randomSecret();
    static final String STEF_SECRET = ApiIntegrationTest.randomSecret();
    static final String STEF_KEY = DemoAccount.STEF.apiKey();
    static final String MARKER = "DEMO-ACCOUNT-MEDIA";

    @TempDir
    static Path media;
    static Server server;
    static ServletContextHandler context;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(media.resolve("demo-vod"));
        Files.writeString(media.resolve("demo-vod/a.mp4"), MARKER);
        Files.createDirectories(media.resolve("stef-live"));
        Files.writeString(media.resolve("stef-live/a.mp4"), "stef's");
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        context = new ServletContextHandler("/");
        context.setInitParameter("usher.account.158.api-key", ApiIntegrationTest.API_KEY);
        context.setInitParameter("usher.account.158.secret", DEMO_SECRET);
        context.setInitParameter("usher.account.158.username", "demo");
        context.setInitParameter("usher.account.28.api-key", STEF_KEY);
        context.setInitParameter("usher.account.28.secret", STEF_SECRET);
        context.setInitParameter("usher.account.28.username", "stef");
        context.addServletContainerInitializer(new UsherInitializer());
        context.addFilter(new FilterHolder(UsherFilter.class), "/*", EnumSet.allOf(DispatcherType.class));
        ServletHolder files = new ServletHolder("media", ResourceServlet.class);
        files.setInitParameter("baseResource", media.toUri().toString());
        files.setInitParameter("pathInfoOnly", "true");
        context.addServlet(files, "/media/*");
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    static UsherRuntime runtime() {
        return (UsherRuntime) context.getServletContext().getAttribute(UsherRuntime.ATTRIBUTE);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> phpAsStef(String command, String fields) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Tools.php(), ApiIntegrationTest.phpClient().toString(), base + "/usher/", "28",
                STEF_KEY, STEF_SECRET, command, fields));
        Tools.Run run = Tools.run(cmd, Duration.ofSeconds(30), Map.of());
        assertEquals(0, run.exitCode(), run::describe);
        return (Map<String, Object>) Json.parse(run.stdout());
    }

    static List<Ticket> ticketsOf(long cdn) {
        return runtime().service().search(new Account(cdn, "-", "-", "-"), new TicketQuery(null, null, 1000));
    }

    @Test
    void thePhpClientCannotIssueATicketForAnotherAccountsApp() throws Exception {
        for (String app : List.of("demo-vod", "stef-live|demo-vod", "*", "demo-*", "*-vod")) {
            Map<String, Object> answer = phpAsStef("sevu.request", "{\"app\":\"" + app + "\",\"video\":\"*\",\"pass\":\"refused-"
                    + System.nanoTime() + "\",\"ip\":\"0.0.0.0/0\",\"uses\":5,\"expire\":\"+1 hour\"}");
            assertEquals(1, ((Number) answer.get("code")).intValue(), answer::toString);
            assertEquals("failure", answer.get("status"));
            assertEquals("app", answer.get("field"));
        }
        assertEquals(List.of(), ticketsOf(28).stream().filter(t -> t.pass().startsWith("refused-")).toList(),
                "a refused request stores nothing");
        Map<String, Object> own = phpAsStef("sevu.request", "{\"app\":\"stef-live\",\"video\":\"*\",\"pass\":\"p-own\","
                + "\"ip\":\"0.0.0.0/0\",\"uses\":5,\"expire\":\"+1 hour\"}");
        assertEquals(2002, ((Number) own.get("code")).intValue(), own::toString);
        String key = (String) ((Map<?, ?>) own.get("ticket")).get("key");
        assertEquals(403, get("/media/demo-vod/a.mp4?key=" + key + "&pass=p-own").statusCode());
        assertEquals(200, get("/media/stef-live/a.mp4?key=" + key + "&pass=p-own").statusCode());
    }

    @Test
    void curlCannotCreateAV2TokenForAnotherAccountsApp() {
        Tools.Run run = ApiIntegrationTest.curl("-X", "PUT", "--user", "28:" + STEF_SECRET, "--data-binary",
                "{\"pass\":\"p\",\"ip\":\"auto\",\"video\":\"*\",\"app\":\"demo-vod\",\"uses\":1}", base + "/usher/v2/sevu_token");
        assertEquals(400, ApiIntegrationTest.status(run), run::describe);
        assertTrue(run.stdout().contains("APP_INVALID"), run::describe);
    }

    @Test
    void aTicketWhoseAppNamesAnotherAccountsAppStillCannotOpenIt() throws Exception {
        // Stored the way an older version, or a node without the rule, could have stored it: app "*".
        UsherService unguarded = new UsherService(runtime().service().repository(), UsherSettings.defaults());
        Ticket wide = unguarded.issue(new Account(28, STEF_KEY, STEF_SECRET, "stef"),
                IssueRequest.of("*", "*", "pass-wide-" + System.nanoTime(), "0.0.0.0/0", 5, "+1 hour"));
        HttpResponse<String> foreign = get("/media/demo-vod/a.mp4?key=" + wide.key() + "&pass=" + wide.pass());
        assertEquals(403, foreign.statusCode(), foreign.body());
        assertTrue(foreign.body().contains("Wrong Application"), foreign.body());
        assertFalse(foreign.body().contains(MARKER));
        assertEquals(5, unguarded.status(new Account(28, "-", "-", "-"), wide.key()).orElseThrow().uses(), "the refusal consumed nothing");
        assertEquals(200, get("/media/stef-live/a.mp4?key=" + wide.key() + "&pass=" + wide.pass()).statusCode());
    }

    static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
