package dev.usher.servlet;

import dev.usher.testing.DemoAccount;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ResourceServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The filter declared by hand (init parameters as its configuration), starting or refusing to. */
class FilterStartupTest {

    @TempDir
    Path media;

    private Server start(Map<String, String> initParameters, LocalConnector[] connector) throws Exception {
        Server server = new Server();
        connector[0] = new LocalConnector(server);
        server.addConnector(connector[0]);
        ServletContextHandler context = new ServletContextHandler("/");
        FilterHolder filter = new FilterHolder(UsherFilter.class);
        filter.setInitParameters(initParameters);
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        ServletHolder files = new ServletHolder("files", ResourceServlet.class);
        files.setInitParameter("baseResource", media.toUri().toString());
        files.setInitParameter("pathInfoOnly", "true");
        context.addServlet(files, "/videos/*");
        server.setHandler(context);
        try {
            server.start();
        } catch (Exception e) {
            // Jetty may report a failed filter by throwing or by leaving the context unavailable.
        }
        return server;
    }

    @Test
    void initParametersConfigureTheProtectedPaths() throws Exception {
        Files.createDirectories(media.resolve("vod"));
        Files.writeString(media.resolve("vod/a.mp4"), "BYTES");
        LocalConnector[] c = new LocalConnector[1];
        Server server = start(Map.of("usher.filter.paths", "/videos/*"), c);
        try {
            String r = c[0].getResponse("GET /videos/vod/a.mp4 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertTrue(r.startsWith("HTTP/1.1 403 "), r);
            assertFalse(r.contains("BYTES"), r);
        } finally {
            server.stop();
        }
    }

    @Test
    void badSecuritySettingsStopTheApplicationWithEveryProblemNamed() throws Exception {
        Server server = new Server();
        ServletContextHandler context = new ServletContextHandler("/");
        FilterHolder filter = new FilterHolder(UsherFilter.class);
        filter.setInitParameters(Map.of("usher.filter.paths", "/videos/*, /",
                "usher.trusted-proxies", "10.0.0.300/8, proxy.example",
                "usher.credential.secrets", "k1:c2hvcnQ=",
                "usher.revocation.check-interval", "soon"));
        context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST));
        server.setHandler(context);
        Exception failure = assertThrows(Exception.class, server::start, "the server must not start half-protected");
        server.stop();
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            text.append(t.getMessage()).append('\n');
        }
        for (String named : new String[] {"usher.filter.paths: '/'", "'10.0.0.300/8'", "'proxy.example'",
                "secret of key id 'k1'", "usher.revocation.check-interval"}) {
            assertTrue(text.toString().contains(named), () -> "missing " + named + " in:\n" + text);
        }
        assertFalse(text.toString().contains("c2hvcnQ="), "the secret never appears in the message");
    }
    @Test
    void badApiBoundsStopTheApplicationWithEveryProblemNamed() throws Exception {
        Server server = new Server();
        ServletContextHandler context = new ServletContextHandler("/");
        Map.of("usher.account.158.api-key", DemoAccount.DEMO.apiKey(),
                "usher.account.158.secret", DemoAccount.DEMO.secret(),
                "usher.account.158.username", "demo",
                "usher.api.body-timeout", "forever", "usher.api.min-body-rate", "-5", "usher.api.max-concurrent", "0")
                .forEach(context::setInitParameter);
        context.addServletContainerInitializer(new UsherInitializer());
        server.setHandler(context);
        Exception failure = assertThrows(Exception.class, server::start, "the API must not start unbounded");
        server.stop();
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            text.append(t.getMessage()).append('\n');
        }
        for (String named : new String[] {"usher.api.body-timeout", "usher.api.min-body-rate", "usher.api.max-concurrent"}) {
            assertTrue(text.toString().contains(named), () -> "missing " + named + " in:\n" + text);
        }
    }
}
