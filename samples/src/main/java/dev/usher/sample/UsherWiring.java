package dev.usher.sample;

import dev.usher.servlet.UsherRuntime;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * Hands the CDI-produced Usher runtime (the one the {@code usher} bean issues tickets with) to the
 * servlet filter and the API servlet before they start, so all three share one service.
 *
 * <p>usher-cdi-extension does this itself when CDI fires {@code @Initialized(ApplicationScoped)}
 * with the servlet context — which Weld in a servlet container (the runner) does before the filter
 * starts, but Payara Micro 6 does not: there the filter built its own runtime and refused the beans'
 * tickets as {@code Invalid Auth Token}. A listener runs before any filter on every server.
 */
@WebListener
public class UsherWiring implements ServletContextListener {

    @Override
    public void contextInitialized(ServletContextEvent event) {
        UsherRuntime.install(event.getServletContext(), CDI.current().select(UsherRuntime.class).get());
    }
}
