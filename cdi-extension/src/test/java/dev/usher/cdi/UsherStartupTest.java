package dev.usher.cdi;

import dev.usher.core.config.UsherConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.servlet.ServletContext;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When the start-up observer builds the runtime. Outside a servlet container (Weld SE) it builds
 * it as the container starts, so a bad setting fails the start. In a servlet container (a
 * {@code ServletContext} bean exists) an {@code @Initialized(ApplicationScoped)} event without the
 * servlet context is the one GlassFish fires for a library's beans outside any component: nothing
 * is built then (no bean created where GlassFish logs SEVERE); {@link UsherCdiListener} builds it
 * when the application starts.
 */
class UsherStartupTest {

    private static final Map<String, String> BAD = Map.of("usher.playback-window", "soon");

    /** What a servlet container provides as a built-in bean. */
    public static class ServletContextProducer {
        @Produces
        @ApplicationScoped
        ServletContext context() {
            return (ServletContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ServletContext.class},
                    (proxy, method, args) -> {
                        throw new UnsupportedOperationException(method.getName());
                    });
        }
    }

    @Test
    void outsideAServletContainerTheStartBuildsTheRuntime() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> new WeldTestContainer(BAD).close());
        assertTrue(causedBy(e, UsherConfigurationException.class), e::toString);
    }

    @Test
    void inAServletContainerAnEventWithoutTheServletContextBuildsNothing() {
        try (WeldTestContainer weld = new WeldTestContainer(BAD, ServletContextProducer.class)) {
            // Started without building; the listener's build is the one that fails.
            RuntimeException e = assertThrows(RuntimeException.class, () -> UsherProducers.started(weld.container));
            assertTrue(causedBy(e, UsherConfigurationException.class), e::toString);
        }
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
