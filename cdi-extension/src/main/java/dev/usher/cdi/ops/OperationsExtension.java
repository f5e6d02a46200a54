package dev.usher.cdi.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.BeforeBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;

import java.util.ArrayList;
import java.util.List;

/**
 * Adds Usher's readiness check where the server provides MicroProfile Health, and its metrics
 * where it provides OpenTelemetry (MicroProfile Telemetry); elsewhere it adds nothing and logs
 * nothing above DEBUG. The two classes are excluded from bean scanning ({@code beans.xml}) and
 * loaded only here, after their API was found, so a server without them never loads a class
 * that names a missing type. Registered in {@code META-INF/services}.
 */
public class OperationsExtension implements Extension {

    private static final System.Logger LOG = System.getLogger("dev.usher.cdi");

    static final String HEALTH_API = "org.eclipse.microprofile.health.HealthCheck";
    static final String TELEMETRY_API = "io.opentelemetry.api.OpenTelemetry";

    /** The application's view of the classes; a test replaces it with one that hides the APIs. */
    ClassLoader loader = OperationsExtension.class.getClassLoader();

    /** What was added, for the log and the tests. */
    final List<Class<?>> added = new ArrayList<>();

    void addBeans(@Observes BeforeBeanDiscovery event) {
        add(event, HEALTH_API, "dev.usher.cdi.ops.UsherReadiness");
        add(event, TELEMETRY_API, "dev.usher.cdi.ops.UsherTelemetry");
    }

    private void add(BeforeBeanDiscovery event, String api, String bean) {
        Class<?> type;
        try {
            Class.forName(api, false, loader);
            type = Class.forName(bean, false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, () -> api + " is not available: " + bean + " is not added");
            return;
        }
        event.addAnnotatedType(type, OperationsExtension.class.getName() + "." + type.getSimpleName())
                .add(ApplicationScoped.Literal.INSTANCE);
        added.add(type);
    }
}
