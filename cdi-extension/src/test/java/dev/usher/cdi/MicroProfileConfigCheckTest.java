package dev.usher.cdi;

import org.jboss.weld.environment.se.Weld;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MicroProfileConfigCheckTest {

    /** A class loader that cannot see the MicroProfile Config API, like an application on a server without it. */
    private static final ClassLoader WITHOUT_MP_CONFIG = new ClassLoader(MicroProfileConfigCheckTest.class.getClassLoader()) {
        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("org.eclipse.microprofile.config.")) {
                throw new ClassNotFoundException(name);
            }
            return super.loadClass(name, resolve);
        }
    };

    @Test
    void aMissingConfigApiIsNamed() {
        String problem = MicroProfileConfigCheck.problem(WITHOUT_MP_CONFIG).orElseThrow();
        assertTrue(problem.startsWith("MicroProfile Config is not available"), problem);
        assertTrue(problem.contains("mpConfig"), problem);
        assertEquals(Optional.empty(), MicroProfileConfigCheck.problem(getClass().getClassLoader()));
    }

    /**
     * In a real CDI container the problem fails the start with that message, before the container
     * reports the unsatisfied injections it leads to (here: no Config bean, as SmallRye's extension
     * is left out).
     */
    @Test
    void theDeploymentFailsNamingMicroProfileConfig() {
        MicroProfileConfigCheck check = new MicroProfileConfigCheck();
        check.loader = WITHOUT_MP_CONFIG;
        Weld weld = new Weld().disableDiscovery().addExtension(check)
                .addBeanClasses(UsherProducers.class, UsherTickets.class, WeldTestContainer.RequestProducer.class);
        RuntimeException e = assertThrows(RuntimeException.class, () -> weld.initialize().close());
        String message = messages(e);
        assertTrue(message.contains("MicroProfile Config is not available"), message);
        assertTrue(!message.contains("WELD-001408"), message);
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t).append('\n');
        }
        return all.toString();
    }
}
