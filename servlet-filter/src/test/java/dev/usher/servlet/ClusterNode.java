package dev.usher.servlet;

import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ResourceServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;

/**
 * One Usher node for the cluster tests: Jetty with the filter over a JDBC repository, configured
 * entirely by keys as a deployment would be. Run in its own JVM so a test can {@code kill -9} it.
 * Args: JDBC URL, base64 secret, media folder, node name. Prints {@code listening PORT} when ready.
 */
public final class ClusterNode {

    public static void main(String[] args) throws Exception {
        Server server = start(args[0], args[1], args[2], args[3]);
        System.out.println("listening " + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
        System.out.flush();
        server.join();
    }

    static Server start(String jdbcUrl, String secret, String media, String name) throws Exception {
        Map<String, String> keys = Map.of(
                "usher.repository", "jdbc",
                "usher.jdbc.url", jdbcUrl,
                "usher.jdbc.user", "postgres",
                "usher.jdbc.create-schema", "true",
                "usher.credential.secrets", "k1:" + secret,
                "usher.trusted-proxies", "127.0.0.1/32",
                "usher.revocation.check-interval", "300ms",
                "usher.server-name", name);
        UsherRuntime runtime = UsherRuntime.fromConfig(k -> Optional.ofNullable(keys.get(k)), keys.keySet());
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        UsherRuntime.install(context.getServletContext(), runtime);
        context.addFilter(new FilterHolder(UsherFilter.class), "/*", EnumSet.allOf(DispatcherType.class));
        ServletHolder files = new ServletHolder("media", ResourceServlet.class);
        files.setInitParameter("baseResource", java.nio.file.Path.of(media).toUri().toString());
        files.setInitParameter("pathInfoOnly", "true");
        files.setInitParameter("dirAllowed", "false");
        context.addServlet(files, "/media/*");
        server.setHandler(context);
        server.start();
        return server;
    }
}
