package dev.usher.servlet;

import dev.usher.core.account.Account;
import dev.usher.core.account.AccountRegistry;
import dev.usher.core.api.Json;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.repository.InMemoryTicketRepository;
import dev.usher.core.repository.TicketRepository;
import dev.usher.core.repository.jdbc.JdbcOptions;
import dev.usher.core.repository.jdbc.JdbcTicketRepository;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.TicketKeys;
import dev.usher.core.time.SevuTime;
import dev.usher.testing.DemoAccount;
import dev.usher.testing.MutableClock;
import dev.usher.testing.Tools;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ResourceServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11 items 3, 6 and 7 through a running Jetty, with the seeds' PHP client and curl: an
 * {@code auto} ticket shows what its first playback bound in {@code sevu.status}, {@code sevu.search}
 * and v2; v2 shows an integer id and the last use where {@code sevu.status} shows the first; and a
 * v2 client that reads a bound, used ticket and posts it back unchanged is not refused. On both
 * stores (in memory, and JDBC on H2 with its schema created by the scripts).
 *
 * <p>The viewers' addresses come through a trusted proxy ({@code X-Forwarded-For} from loopback);
 * the service's clock is moved by hand between the two playbacks, so the first and the last use
 * differ without waiting.
 */
class BoundTicketViewTest {

    static final String API_KEY = DemoAccount.DEMO.apiKey();
    static final String SECRET = ApiIntegrationTest.randomSecret();
    static final Account DEMO = new Account(158, API_KEY, SECRET, "demo");

    @TempDir
    Path media;

    @Test
    void inMemory() throws Exception {
        scenario(settings -> new InMemoryTicketRepository(settings));
    }

    @Test
    void onJdbc() throws Exception {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:bound-view-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        scenario(settings -> new JdbcTicketRepository(ds, settings, JdbcOptions.defaults().withCreateSchema(true)));
    }

    private void scenario(Function<UsherSettings, TicketRepository> store) throws Exception {
        Files.createDirectories(media.resolve("demo-vod/movies"));
        Files.write(media.resolve("demo-vod/movies/a.mp4"), new byte[2000]);
        // Whole seconds, as the API shows them; the real date, so the PHP client's timestamps fit.
        MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        UsherSettings settings = UsherSettings.defaults().withServerName("view-test");
        UsherService service = new UsherService(store.apply(settings), settings, clock, new TicketKeys());
        Map<String, String> config = Map.of("usher.trusted-proxies", "127.0.0.1/32");
        UsherRuntime runtime = UsherRuntime.of(service, new AccountRegistry(List.of(DEMO)),
                PlaybackCredentials.of("t1", PlaybackCredentials.newSecret()), k -> Optional.ofNullable(config.get(k)));
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        UsherRuntime.install(context.getServletContext(), runtime);
        context.addFilter(new FilterHolder(UsherFilter.class), "/*", EnumSet.allOf(DispatcherType.class));
        ServletHolder files = new ServletHolder("media", ResourceServlet.class);
        files.setInitParameter("baseResource", media.toUri().toString());
        files.setInitParameter("pathInfoOnly", "true");
        context.addServlet(files, "/media/*");
        ServletHolder api = new ServletHolder("usher-api", UsherApiServlet.class);
        api.setAsyncSupported(true);
        context.addServlet(api, "/usher/*");
        server.setHandler(context);
        server.start();
        try {
            run("http://127.0.0.1:" + connector.getLocalPort(), clock, new SevuTime(settings.timeZone()));
        } finally {
            server.stop();
            runtime.close();
        }
    }

    private void run(String base, MutableClock clock, SevuTime time) throws Exception {
        // Issued unbound: sevu.request's answer shows the rule as issued and no use.
        Map<String, Object> granted = php(base, "sevu.request", "{\"app\":\"demo-vod\",\"video\":\"movies/a.mp4\","
                + "\"pass\":\"view-pass-1234\",\"ip\":\"auto/24|auto/24\",\"uses\":3,\"expire\":\"+1 hour\"}");
        assertEquals(2002, code(granted), granted::toString);
        Map<?, ?> issued = (Map<?, ?>) granted.get("ticket");
        assertEquals("auto/24|auto/24", issued.get("ip"));
        assertEquals(SevuTime.NEVER, issued.get("used_date"));
        String key = (String) issued.get("key");

        // The first playback, from 192.0.2.77, binds the first slot.
        Instant first = clock.instant();
        assertEquals(200, media(base, key, "192.0.2.77"));
        clock.advance(Duration.ofMinutes(2));
        Instant second = clock.instant();
        // A second playback from another network binds the second slot and is the last use.
        assertEquals(200, media(base, key, "198.51.100.20"));

        Map<String, Object> status = php(base, "sevu.status", "{\"key\":\"" + key + "\"}");
        assertEquals(2003, code(status), status::toString);
        Map<?, ?> shown = (Map<?, ?>) status.get("ticket");
        assertEquals("192.0.2.0/24|198.51.100.0/24", shown.get("ip"), "both slots show what they bound");
        assertEquals(time.format(first), shown.get("used_date"), "the JSON commands show the first use");
        assertEquals("1", shown.get("uses"));

        Map<String, Object> search = php(base, "sevu.search", "{\"video\":\"movies/a.mp4\"}");
        assertEquals(2006, code(search), search::toString);
        Map<?, ?> found = (Map<?, ?>) ((List<?>) search.get("tickets")).get(0);
        assertEquals(key, found.get("key"));
        assertEquals("192.0.2.0/24|198.51.100.0/24", found.get("ip"));
        assertEquals(time.format(first), found.get("used_date"));

        String user = "158:" + SECRET;
        String tokens = base + "/usher/v2/sevu_token";
        Tools.Run read = ApiIntegrationTest.curl("--user", user, tokens + "/" + key);
        assertEquals(200, ApiIntegrationTest.status(read), read::describe);
        Map<String, Object> token = ApiIntegrationTest.body(read);
        Object id = token.get("id");
        assertInstanceOf(Number.class, id, "id is a number: " + id);
        assertTrue(((Number) id).longValue() > 0, "id " + id);
        assertEquals("192.0.2.0/24|198.51.100.0/24", token.get("ip"));
        assertEquals(time.format(second), token.get("used_date"), "v2 shows the last use");
        assertNotEquals(shown.get("used_date"), token.get("used_date"));

        Tools.Run list = ApiIntegrationTest.curl("--user", user, tokens + "?video=movies/a.mp4");
        Map<?, ?> listed = (Map<?, ?>) ((List<?>) Json.parse(stripStatus(list))).get(0);
        assertEquals(id, listed.get("id"));
        assertEquals("192.0.2.0/24|198.51.100.0/24", listed.get("ip"));

        // A second ticket gets another number.
        Tools.Run other = ApiIntegrationTest.curl("-X", "PUT", "--user", user, "--data-binary",
                "{\"pass\":\"other-pass-1234\",\"ip\":\"auto\",\"video\":\"movies/a.mp4\",\"app\":\"demo-vod\",\"uses\":1}", tokens);
        assertEquals(201, ApiIntegrationTest.status(other), other::describe);
        assertNotEquals(id, ApiIntegrationTest.body(other).get("id"));

        // Read, change active only, post the whole object back: accepted, nothing else changed.
        Map<String, Object> back = new LinkedHashMap<>(token);
        back.put("active", false);
        Tools.Run updated = ApiIntegrationTest.curl("-X", "POST", "--user", user, "--data-binary", Json.write(back),
                tokens + "/" + key);
        assertEquals(200, ApiIntegrationTest.status(updated), updated::describe);
        Map<String, Object> after = ApiIntegrationTest.body(updated);
        assertEquals(Boolean.FALSE, after.get("active"));
        back.put("active", false);
        assertEquals(back, after, "every other field as read");

        // A changed fixed field is still refused, against the same rendering.
        for (Map.Entry<String, Object> change : List.<Map.Entry<String, Object>>of(Map.entry("ip", "auto/24|auto/24"),
                Map.entry("used_date", shown.get("used_date")), Map.entry("id", ((Number) id).longValue() + 1))) {
            Map<String, Object> changed = new LinkedHashMap<>(token);
            changed.put(change.getKey(), change.getValue());
            Tools.Run refused = ApiIntegrationTest.curl("-X", "POST", "--user", user, "--data-binary", Json.write(changed),
                    tokens + "/" + key);
            assertEquals(400, ApiIntegrationTest.status(refused), refused::describe);
            assertEquals("ACCESS_VIOLATION", ApiIntegrationTest.body(refused).get("error"), refused::describe);
            assertEquals(change.getKey(), ApiIntegrationTest.body(refused).get("field"));
        }
    }

    private static String stripStatus(Tools.Run run) {
        String out = run.stdout();
        return out.substring(0, out.lastIndexOf('\n'));
    }

    private static int media(String base, String key, String client) {
        Tools.Run run = ApiIntegrationTest.curl("-o", "/dev/null", "-H", "X-Forwarded-For: " + client,
                base + "/media/demo-vod/movies/a.mp4?key=" + key + "&pass=view-pass-1234");
        return ApiIntegrationTest.status(run);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> php(String base, String command, String fields) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Tools.php(), ApiIntegrationTest.phpClient().toString(), base + "/usher/",
                "158", API_KEY, SECRET, command, fields));
        Tools.Run run = Tools.run(cmd, Duration.ofSeconds(30), Map.of());
        assertEquals(0, run.exitCode(), run::describe);
        return (Map<String, Object>) Json.parse(run.stdout());
    }

    private static int code(Map<String, Object> answer) {
        return ((Number) answer.get("code")).intValue();
    }
}
