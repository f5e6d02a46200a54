package dev.usher.servlet;

import dev.usher.core.api.Json;
import dev.usher.testing.Tools;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 0005 Unauthorized Access to API on a running Jetty, driven by the seeds' PHP client and curl:
 * account 77 may only read ({@code usher.account.77.commands=sevu.status|sevu.errorlog|sevu.search});
 * its signed, valid {@code sevu.request} and {@code sevu.revoke} are answered 0005 and change
 * nothing, and v2's equivalents 403 ACCESS_VIOLATION. Account 158 keeps every command.
 */
class AccountCommandsApiTest {

    static final String READER_KEY = "READERAPIKEY0077";
    static final String READER_SECRET = ApiIntegrationTest.randomSecret();
    static final String FULL_SECRET = ApiIntegrationTest.randomSecret();
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
        context.setInitParameter("usher.account.158.secret", FULL_SECRET);
        context.setInitParameter("usher.account.158.username", "demo");
        context.setInitParameter("usher.account.77.api-key", READER_KEY);
        context.setInitParameter("usher.account.77.secret", READER_SECRET);
        context.setInitParameter("usher.account.77.username", "demo");
        context.setInitParameter("usher.account.77.apps", "demo-*");
        context.setInitParameter("usher.account.77.commands", "sevu.status|sevu.errorlog|sevu.search");
        context.addServletContainerInitializer(new UsherInitializer());
        server.setHandler(context);
        server.start();
        base = "http://127.0.0.1:" + connector.getLocalPort();
    }

    @AfterAll
    static void stop() throws Exception {
        server.stop();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> php(long cdn, String apiKey, String secret, String command, String fields) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Tools.php(), ApiIntegrationTest.phpClient().toString(), base + "/usher/",
                String.valueOf(cdn), apiKey, secret, command, fields));
        Tools.Run run = Tools.run(cmd, Duration.ofSeconds(30), Map.of());
        assertEquals(0, run.exitCode(), run::describe);
        return (Map<String, Object>) Json.parse(run.stdout());
    }

    static int code(Map<String, Object> answer) {
        return ((Number) answer.get("code")).intValue();
    }

    static final String REQUEST = "{\"app\":\"demo-vod\",\"video\":\"commands/a.mp4\",\"pass\":\"unique_random_string_per_request\","
            + "\"ip\":\"auto\",\"uses\":5,\"expire\":\"+1 hour\"}";

    @Test
    void aCommandOutsideTheAccountsListIsAnswered0005AndChangesNothing() throws Exception {
        Map<String, Object> refused = php(77, READER_KEY, READER_SECRET, "sevu.request", REQUEST);
        assertEquals(5, code(refused), refused::toString);
        assertEquals("failure", refused.get("status"));
        assertEquals("command", refused.get("field"));
        assertTrue(((String) refused.get("message")).startsWith("Unauthorized Access to API"), refused::toString);
        Map<String, Object> none = php(77, READER_KEY, READER_SECRET, "sevu.search", "{\"video\":\"commands/a.mp4\"}");
        assertEquals(2006, code(none), none::toString);
        assertEquals(List.of(), none.get("tickets"), "no ticket was made");

        // The full account makes one; the reader sees it, may not revoke it.
        Map<String, Object> granted = php(158, ApiIntegrationTest.API_KEY, FULL_SECRET, "sevu.request", REQUEST);
        assertEquals(2002, code(granted), granted::toString);
        String key = (String) ((Map<?, ?>) granted.get("ticket")).get("key");
        // Tickets are the account's: the reader (another account) gets 2004 for it, as for any other's.
        assertEquals(2004, code(php(77, READER_KEY, READER_SECRET, "sevu.status", "{\"key\":\"" + key + "\"}")));
        Map<String, Object> revoke = php(77, READER_KEY, READER_SECRET, "sevu.revoke", "{\"key\":\"" + key + "\"}");
        assertEquals(5, code(revoke), revoke::toString);
        Map<String, Object> status = php(158, ApiIntegrationTest.API_KEY, FULL_SECRET, "sevu.status", "{\"key\":\"" + key + "\"}");
        assertEquals("1", ((Map<?, ?>) status.get("ticket")).get("active"), "still active");

        // A forged request learns nothing: 0003, not 0005.
        Map<String, Object> forged = php(77, READER_KEY, FULL_SECRET, "sevu.request", REQUEST);
        assertEquals(3, code(forged), forged::toString);
    }

    @Test
    void v2HoldsTheAccountToTheSameCommands() throws Exception {
        String user = "77:" + READER_SECRET;
        String tokens = base + "/usher/v2/sevu_token";
        Tools.Run create = ApiIntegrationTest.curl("-X", "PUT", "--user", user, "--data-binary",
                "{\"pass\":\"p4ssw0rd\",\"ip\":\"auto\",\"video\":\"commands/v2.mp4\",\"app\":\"demo-vod\",\"uses\":3}", tokens);
        assertEquals(403, ApiIntegrationTest.status(create), create::describe);
        assertEquals("ACCESS_VIOLATION", ApiIntegrationTest.body(create).get("error"), create::describe);
        Tools.Run list = ApiIntegrationTest.curl("--user", user, tokens + "?video=commands/v2.mp4");
        assertEquals(200, ApiIntegrationTest.status(list), list::describe);
        assertTrue(list.stdout().startsWith("[]"), list::describe);
        Tools.Run delete = ApiIntegrationTest.curl("-X", "DELETE", "--user", user, tokens + "/any.key");
        assertEquals(403, ApiIntegrationTest.status(delete), delete::describe);
    }

    @Test
    void badCommandListsStopTheStartWithEveryValueNamed() throws Exception {
        Server bad = new Server();
        ServletContextHandler context = new ServletContextHandler("/");
        Map.of("usher.account.77.api-key", READER_KEY, "usher.account.77.secret", READER_SECRET,
                "usher.account.77.username", "demo", "usher.account.77.commands", "sevu.status|sevu.reqest|errorlog")
                .forEach(context::setInitParameter);
        context.addServletContainerInitializer(new UsherInitializer());
        bad.setHandler(context);
        Exception failure = assertThrows(Exception.class, bad::start);
        bad.stop();
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            text.append(t.getMessage()).append('\n');
        }
        for (String named : new String[] {"'sevu.reqest' is not a command", "'errorlog' is not a command"}) {
            assertTrue(text.toString().contains(named), () -> "missing " + named + " in:\n" + text);
        }
    }
}
