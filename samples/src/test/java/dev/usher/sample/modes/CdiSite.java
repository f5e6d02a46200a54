package dev.usher.sample.modes;

import dev.usher.cdi.UsherCdiListener;
import dev.usher.servlet.UsherFilter;
import dev.usher.servlet.UsherInitializer;
import dev.usher.servlet.UsherRuntime;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.DecoratingListener;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.jboss.resteasy.plugins.server.servlet.HttpServletDispatcher;
import org.jboss.weld.environment.servlet.Listener;

import java.net.URI;
import java.util.EnumSet;
import java.util.function.Consumer;

/**
 * The sample runner's CDI deployment in small: embedded Jetty 12 (ee10) with Weld servlet,
 * {@link UsherCdiListener} (what usher-cdi-extension's web-fragment.xml declares), Usher's
 * initializer and filter, and a RESTEasy application at {@code /api}, on a free port.
 */
final class CdiSite implements AutoCloseable {

    final Server server;
    final ServletContextHandler context;

    private CdiSite(Server server, ServletContextHandler context) {
        this.server = server;
        this.context = context;
    }

    /**
     * @param application the JAX-RS Application class
     * @param more        additions before the start (init parameters)
     * @param filter      additions to the Usher filter before the start
     */
    static CdiSite start(Class<?> application, Consumer<ServletContextHandler> more, Consumer<FilterHolder> filter)
            throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath("/");
        context.setClassLoader(CdiSite.class.getClassLoader());
        context.setInitParameter("org.jboss.weld.discovery.disableJandexDiscovery", "true");
        context.setAttribute("org.eclipse.jetty.cdi", "CdiDecoratingListener");
        context.addEventListener(new DecoratingListener(context, "org.eclipse.jetty.cdi.decorator"));
        context.addEventListener(new Listener());
        context.addEventListener(new UsherCdiListener());
        context.addServletContainerInitializer(new UsherInitializer());
        FilterHolder usher = context.addFilter(UsherFilter.class, "/*", EnumSet.allOf(DispatcherType.class));
        usher.setAsyncSupported(true);
        filter.accept(usher);
        ServletHolder api = context.addServlet(HttpServletDispatcher.class, "/api/*");
        api.setInitParameter("jakarta.ws.rs.Application", application.getName());
        api.setInitParameter("resteasy.servlet.mapping.prefix", "/api");
        api.setInitParameter("resteasy.injector.factory", "org.jboss.resteasy.cdi.CdiInjectorFactory");
        more.accept(context);
        server.setHandler(context);
        CdiSite site = new CdiSite(server, context);
        try {
            server.start();
        } catch (Exception | Error e) {
            site.close();
            throw e;
        }
        return site;
    }

    /** @return whether the application is up: Jetty marks a context whose filter failed unavailable instead of throwing */
    boolean available() {
        return context.isStarted() && context.isAvailable() && context.getServletHandler().isAvailable();
    }

    UsherRuntime runtime() {
        return (UsherRuntime) context.getServletContext().getAttribute(UsherRuntime.ATTRIBUTE);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + path);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
