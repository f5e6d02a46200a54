package dev.usher.servlet;

import dev.usher.core.account.Account;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.repository.InMemoryTicketRepository;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Servlet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ResourceServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A Jetty 12 server with the Usher filter registered by class in front of a ResourceServlet
 * serving a folder under {@code /media/*}, reachable through a {@link LocalConnector} (raw HTTP
 * text) and a loopback {@link ServerConnector} (real clients).
 */
final class GuardedServer implements AutoCloseable {

    static final Account ACCOUNT = Fixture.DEMO;

    final Server server;
    final LocalConnector local;
    final ServerConnector network;
    final UsherService service;
    final UsherRuntime runtime;
    final ServletContextHandler context;

    GuardedServer(Path mediaRoot, Map<String, String> filterConfig, Map<String, Class<? extends Servlet>> extraServlets)
            throws Exception {
        this(mediaRoot, filterConfig, extraServlets, c -> { });
    }

    GuardedServer(Path mediaRoot, Map<String, String> filterConfig, Map<String, Class<? extends Servlet>> extraServlets,
                  java.util.function.Consumer<ServletContextHandler> customize) throws Exception {
        server = new Server();
        local = new LocalConnector(server);
        network = new ServerConnector(server);
        network.setHost("127.0.0.1");
        network.setPort(0);
        server.addConnector(local);
        server.addConnector(network);

        context = new ServletContextHandler("/");
        service = new UsherService(new InMemoryTicketRepository(UsherSettings.defaults().withServerName("jetty-test")),
                UsherSettings.defaults());
        Map<String, String> config = new HashMap<>(filterConfig);
        runtime = UsherRuntime.of(service, PlaybackCredentials.of("t1", PlaybackCredentials.newSecret()),
                k -> Optional.ofNullable(config.get(k)));
        UsherRuntime.install(context.getServletContext(), runtime);

        FilterHolder filter = new FilterHolder(UsherFilter.class);
        context.addFilter(filter, "/*", EnumSet.allOf(DispatcherType.class));
        ServletHolder media = new ServletHolder("media", ResourceServlet.class);
        media.setInitParameter("baseResource", mediaRoot.toUri().toString());
        media.setInitParameter("pathInfoOnly", "true");
        media.setInitParameter("dirAllowed", "false");
        context.addServlet(media, "/media/*");
        extraServlets.forEach((pathSpec, type) -> context.addServlet(type, pathSpec));
        customize.accept(context);
        server.setHandler(context);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + network.getLocalPort();
    }

    Ticket issue(String app, String video, String ip, int uses) {
        return service.issue(ACCOUNT, IssueRequest.of(app, video, "pass-" + System.nanoTime(), ip, uses, "+1 hour"));
    }

    /** Sends raw HTTP through the local connector and returns the raw response. */
    String raw(String request) throws Exception {
        return local.getResponse(request);
    }

    @Override
    public void close() throws Exception {
        server.stop();
        runtime.close();
    }
}
