package dev.usher.cdi;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.inject.ConfigExtension;
import jakarta.enterprise.context.control.RequestContextController;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.context.RequestScoped;
import jakarta.servlet.http.HttpServletRequest;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;
import org.jboss.weld.environment.se.Weld;
import org.jboss.weld.environment.se.WeldContainer;

import java.lang.reflect.Proxy;
import java.security.Principal;
import java.util.HashMap;
import java.util.Map;

/**
 * Weld SE with SmallRye Config holding the given keys, the Usher beans, and a request whose user
 * tests set: the bean-level test bed (the Jetty integration runs in the samples module).
 */
final class WeldTestContainer implements AutoCloseable {

    /** The signed-in user of the current test request; null when signed out. */
    static volatile String user;

    /** The HTTP request the beans see: only what the bean reads (user, context path). */
    public static class RequestProducer {
        @Produces
        @RequestScoped
        HttpServletRequest request() {
            return (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {HttpServletRequest.class},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "getUserPrincipal" -> user == null ? null : (Principal) () -> user;
                        case "getContextPath" -> "/site";
                        case "getRemoteAddr" -> "203.0.113.9";
                        case "toString" -> "test request";
                        case "hashCode" -> 1;
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    final WeldContainer container;
    private final RequestContextController requests;
    private final SmallRyeConfig config;

    WeldTestContainer(Map<String, String> keys, Class<?>... extraBeans) {
        config = new SmallRyeConfigBuilder().withSources(new PropertiesConfigSource(new HashMap<>(keys), "test", 500)).build();
        ConfigProviderResolver.instance().registerConfig(config, Thread.currentThread().getContextClassLoader());
        Weld weld = new Weld().disableDiscovery().addExtension(new ConfigExtension())
                .addBeanClasses(UsherProducers.class, UsherTickets.class, RequestProducer.class)
                .addBeanClasses(extraBeans);
        try {
            container = weld.initialize();
        } catch (RuntimeException e) {
            ConfigProviderResolver.instance().releaseConfig(config);
            throw e;
        }
        requests = container.select(RequestContextController.class).get();
        requests.activate();
    }

    <T> T get(Class<T> type) {
        return container.select(type).get();
    }

    @Override
    public void close() {
        requests.deactivate();
        container.close();
        ConfigProviderResolver.instance().releaseConfig(config);
        user = null;
    }
}
