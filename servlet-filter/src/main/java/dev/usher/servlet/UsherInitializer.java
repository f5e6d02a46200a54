package dev.usher.servlet;

import dev.usher.core.UsherConfiguration;
import dev.usher.core.config.ConfigReader;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;

import java.util.Map;
import java.util.Set;

/**
 * Registers the SEVU API servlet at {@code usher.api.path} (default {@code /usher}) when API
 * accounts are configured ({@code usher.account.<cdn>.*}), or when {@code usher.api.enabled} is
 * true. Without accounts there is nobody to serve, so a WAR that only guards media exposes no API.
 * A servlet named {@code usher-api} declared by the application takes precedence. With
 * {@code usher.ingest.dir} set, the live ingest servlet is registered at {@code usher.api.path/ingest/*}.
 */
public class UsherInitializer implements ServletContainerInitializer {

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
        // The runtime's timer and connection pool end with the application.
        context.addListener(new jakarta.servlet.ServletContextListener() {
            @Override
            public void contextDestroyed(jakarta.servlet.ServletContextEvent event) {
                if (event.getServletContext().getAttribute(UsherRuntime.ATTRIBUTE) instanceof UsherRuntime runtime) {
                    runtime.close();
                }
            }
        });
        // The whole configuration, read as the runtime will read it (the filter's init parameters
        // included): a bad setting of any key, the API's path and bounds among them, stops the
        // deployment here with every problem of every source listed in one error, rather than leaving
        // an API servlet that fails its own start.
        Map<String, String> filter = filterParameters(context);
        ConfigReader config = new ConfigReader(ConfigLookup.forContext(context, filter::get));
        UsherConfiguration configuration = UsherConfiguration.read(config, ConfigLookup.names(context, filter.keySet()));
        config.failOnProblems();
        if (!configuration.api().enabled()) {
            return;
        }
        String path = configuration.api().path();
        ServletRegistration.Dynamic api = context.addServlet("usher-api", UsherApiServlet.class);
        if (api == null) {
            return;
        }
        api.addMapping(path + "/*");
        api.setLoadOnStartup(1);
        // Bodies are read by Usher, asynchronously, under its own deadline (RequestBodyReader); multipart
        // forms are parsed from those bytes, not by the container.
        api.setAsyncSupported(true);
        // Live ingest below the API, only where a folder for live streams is configured.
        if (configuration.live().ingestDir() != null) {
            ServletRegistration.Dynamic ingest = context.addServlet("usher-ingest", UsherIngestServlet.class);
            if (ingest != null) {
                ingest.addMapping(path + "/ingest/*");
                ingest.setLoadOnStartup(2);
                ingest.setAsyncSupported(true);
            }
        }
    }

    /** @return the init parameters of the application's (first) {@link UsherFilter}, none without one */
    private static Map<String, String> filterParameters(ServletContext context) {
        for (FilterRegistration filter : context.getFilterRegistrations().values()) {
            if (UsherFilter.class.getName().equals(filter.getClassName())) {
                return Map.copyOf(filter.getInitParameters());
            }
        }
        return Map.of();
    }
}
