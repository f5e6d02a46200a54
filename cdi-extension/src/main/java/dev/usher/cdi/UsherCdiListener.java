package dev.usher.cdi;

import dev.usher.servlet.UsherRuntime;
import jakarta.enterprise.inject.spi.CDI;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/**
 * Hands the CDI-produced runtime (the one the {@code usher} bean issues tickets with) to the
 * servlet filter and the API servlet before they start, so all three share one service. Declared
 * in this jar's {@code web-fragment.xml}: listeners run before any filter on every server, whereas
 * when CDI fires {@code @Initialized(ApplicationScoped)} differs between servers (Payara Micro 6
 * fires it after the filters started; GlassFish fires it for a library's beans outside any component,
 * where they cannot be created cleanly). The runtime is built here with every start-up check, and
 * {@code usher.*} context parameters, which the beans would not read, stop the start.
 */
public class UsherCdiListener implements ServletContextListener {

    private static final System.Logger LOG = System.getLogger("dev.usher.cdi");

    @Override
    public void contextInitialized(ServletContextEvent event) {
        CDI<Object> cdi;
        try {
            cdi = CDI.current();
        } catch (IllegalStateException e) {
            LOG.log(System.Logger.Level.WARNING, "no CDI container: the filter builds Usher from configuration alone");
            return;
        }
        ContextParameterCheck.refuseUsherParameters(event.getServletContext());
        UsherRuntime.install(event.getServletContext(), UsherProducers.started(cdi));
    }
}
