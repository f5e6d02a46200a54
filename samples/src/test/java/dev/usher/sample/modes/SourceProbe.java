package dev.usher.sample.modes;

import dev.usher.core.UsherConfiguration;
import dev.usher.core.account.Account;
import dev.usher.servlet.UsherFilter;
import dev.usher.servlet.UsherInitializer;
import dev.usher.servlet.UsherRuntime;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Run in a JVM of its own by {@link ConfigurationSourcesTest}, with the environment, system
 * properties and class path (a {@code META-INF/microprofile-config.properties}) that test gives it:
 * starts Usher on embedded Jetty as a deployment mode does ({@code filter}: the initializer and the
 * filter alone; {@code cdi}: {@link CdiSite}, Weld and the CDI extension) and prints what the started
 * runtime read, one {@code name=value} a line, or {@code FAILED} and the start's error.
 *
 * <p>Arguments: the mode, then {@code init:key=value} (a filter init parameter) and
 * {@code context:key=value} (a context parameter), any number.
 */
public final class SourceProbe {

    private SourceProbe() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> init = new LinkedHashMap<>();
        Map<String, String> context = new LinkedHashMap<>();
        for (int i = 1; i < args.length; i++) {
            Map<String, String> into = args[i].startsWith("init:") ? init : context;
            String pair = args[i].substring(args[i].indexOf(':') + 1);
            into.put(pair.substring(0, pair.indexOf('=')), pair.substring(pair.indexOf('=') + 1));
        }
        int status = 0;
        try {
            if (args[0].equals("cdi")) {
                try (CdiSite site = CdiSite.start(Applications.WithFeature.class, c -> context.forEach(c::setInitParameter),
                        f -> init.forEach(f::setInitParameter))) {
                    status = report(site.available(), site.runtime());
                }
            } else {
                Server server = new Server();
                ServerConnector connector = new ServerConnector(server);
                connector.setHost("127.0.0.1");
                connector.setPort(0);
                server.addConnector(connector);
                ServletContextHandler handler = new ServletContextHandler();
                handler.setContextPath("/");
                handler.setClassLoader(SourceProbe.class.getClassLoader());
                handler.addServletContainerInitializer(new UsherInitializer());
                FilterHolder filter = handler.addFilter(UsherFilter.class, "/*", EnumSet.allOf(DispatcherType.class));
                init.forEach(filter::setInitParameter);
                context.forEach(handler::setInitParameter);
                server.setHandler(handler);
                try {
                    server.start();
                    status = report(handler.isAvailable() && handler.getServletHandler().isAvailable(),
                            (UsherRuntime) handler.getServletContext().getAttribute(UsherRuntime.ATTRIBUTE));
                } finally {
                    server.stop();
                }
            }
        } catch (Exception e) {
            System.out.println("FAILED");
            for (Throwable t = e; t != null; t = t.getCause()) {
                System.out.println(t.getMessage());
            }
            status = 1;
        }
        System.out.flush();
        System.exit(status);
    }

    private static int report(boolean available, UsherRuntime runtime) {
        if (!available || runtime == null) {
            System.out.println("FAILED"); // the error is in Jetty's log, on the same output
            return 1;
        }
        UsherConfiguration c = runtime.configuration();
        System.out.println("paths=" + c.guard().protectedPaths());
        System.out.println("app=" + c.guard().fixedApp());
        System.out.println("proxies=" + c.guard().trustedProxies());
        System.out.println("lifetime=" + c.guard().credentialLifetime());
        System.out.println("accounts=" + c.accounts().all().stream().map(Account::cdnId).toList());
        System.out.println("uses=" + c.issue().uses());
        System.out.println("window=" + c.settings().playbackWindow());
        return 0;
    }
}
