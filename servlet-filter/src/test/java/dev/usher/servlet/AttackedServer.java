package dev.usher.servlet;

import dev.usher.core.repository.TicketRepository;
import dev.usher.core.ticket.Ticket;
import dev.usher.testing.DemoAccount;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.ResourceServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A Jetty 12 server registered as a WAR registers Usher: the filter on every path (async-supported,
 * as web-fragment.xml declares it), the API servlet by {@link UsherInitializer}, media from a folder
 * under {@code /media/*}, and a plain page at {@code /page}. It listens on {@code 127.0.0.1} and on
 * {@code [::1]}, so one test can be a client of both families, and runs on a small thread pool, so
 * that exhausting it takes few connections.
 */
final class AttackedServer implements AutoCloseable {

    static final long CDN = 158;
    static final String API_KEY = DemoAccount.DEMO.apiKey();
    /** Per run, from SecureRandom: a secret committed here would be a published one, which the start refuses. */
    static final String SECRET = ApiIntegrationTest.randomSecret();
    static final String PAGE = "an ordinary page of the site";

    /** An unprotected page of the application. */
    public static class Page extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/plain;charset=UTF-8");
            resp.getOutputStream().write(PAGE.getBytes(StandardCharsets.UTF_8));
        }
    }

    final Server server;
    final ServerConnector v4;
    final ServerConnector v6;
    final UsherRuntime runtime;

    /**
     * @param repository the ticket store (null: in memory)
     * @param settings   extra {@code usher.*} settings
     * @param threads    the most threads Jetty may use
     */
    AttackedServer(Path media, TicketRepository repository, Map<String, String> settings, int threads) throws Exception {
        this(media, repository, settings, threads, true);
    }

    /**
     * @param asyncFilter false registers the filter without async support, as an application's own
     *                    filter in front might be: the API then reads bodies with blocking reads
     */
    AttackedServer(Path media, TicketRepository repository, Map<String, String> settings, int threads,
                   boolean asyncFilter) throws Exception {
        QueuedThreadPool pool = new QueuedThreadPool(threads, Math.min(8, threads));
        pool.setName("attacked");
        server = new Server(pool);
        v4 = new ServerConnector(server, 1, 1);
        v4.setHost("127.0.0.1");
        v6 = new ServerConnector(server, 1, 1);
        v6.setHost("::1");
        server.addConnector(v4);
        server.addConnector(v6);

        Map<String, String> config = new LinkedHashMap<>();
        config.put("usher.account.158.api-key", API_KEY);
        config.put("usher.account.158.secret", SECRET);
        config.put("usher.account.158.username", "demo");
        // The attacks use the app "vod": this account's namespace is widened to own it.
        config.put("usher.account.158.apps", "vod|demo-*");
        config.putAll(settings);

        ServletContextHandler context = new ServletContextHandler("/");
        config.forEach(context::setInitParameter);
        runtime = UsherRuntime.fromConfig(k -> Optional.ofNullable(config.get(k)), config.keySet(), repository);
        UsherRuntime.install(context.getServletContext(), runtime);
        context.addServletContainerInitializer(new UsherInitializer());
        context.addFilter(UsherFilter.class, "/*", EnumSet.allOf(DispatcherType.class)).setAsyncSupported(asyncFilter);
        ServletHolder files = new ServletHolder("media", ResourceServlet.class);
        files.setInitParameter("baseResource", media.toUri().toString());
        files.setInitParameter("pathInfoOnly", "true");
        files.setInitParameter("dirAllowed", "false");
        context.addServlet(files, "/media/*");
        context.addServlet(Page.class, "/page");
        server.setHandler(context);
        server.start();
    }

    String v4Base() {
        return "http://127.0.0.1:" + v4.getLocalPort();
    }

    String v6Base() {
        return "http://[::1]:" + v6.getLocalPort();
    }

    Ticket issue(String app, String video, String ip, int uses) {
        return runtime.service().issue(runtime.accounts().byCdnId(CDN).orElseThrow(),
                dev.usher.core.service.IssueRequest.of(app, video, "pass-" + System.nanoTime(), ip, uses, "+1 hour"));
    }

    @Override
    public void close() throws Exception {
        server.stop();
        runtime.close();
    }
}
