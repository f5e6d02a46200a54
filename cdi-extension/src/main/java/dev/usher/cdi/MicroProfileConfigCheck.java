package dev.usher.cdi;

import dev.usher.core.config.UsherConfigurationException;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.spi.AfterBeanDiscovery;
import jakarta.enterprise.inject.spi.Extension;

import java.util.List;
import java.util.Optional;

/**
 * Fails the deployment with a message that names MicroProfile Config when the server does not
 * provide it. Usher's beans read every {@code usher.*} setting through it; without it the server
 * cannot load {@link UsherProducers} and reports only an unsatisfied {@code UsherRuntime}
 * injection, which does not say what is missing (Open Liberty's {@code webProfile-10.0} without
 * {@code mpConfig}). Registered in {@code META-INF/services}; it never touches the Config API
 * itself, so it loads where that API is absent.
 */
public class MicroProfileConfigCheck implements Extension {

    static final String CONFIG_API = "org.eclipse.microprofile.config.Config";

    /** The application's view of the classes; a test replaces it with one that hides the API. */
    ClassLoader loader = MicroProfileConfigCheck.class.getClassLoader();

    void check(@Observes AfterBeanDiscovery event) {
        problem(loader)
                .ifPresent(p -> event.addDefinitionError(new UsherConfigurationException(List.of(p))));
    }

    /** @return the problem when the MicroProfile Config API cannot be loaded through {@code loader} */
    static Optional<String> problem(ClassLoader loader) {
        try {
            Class.forName(CONFIG_API, false, loader);
            return Optional.empty();
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.of("MicroProfile Config is not available to this application (" + CONFIG_API
                    + " cannot be loaded): usher-cdi-extension reads its usher.* settings through it. Enable it on the"
                    + " server (Open Liberty: add the feature mpConfig-3.1 to server.xml; Payara, WildFly and GlassFish"
                    + " provide it) or bundle an implementation such as SmallRye Config in WEB-INF/lib.");
        }
    }
}
