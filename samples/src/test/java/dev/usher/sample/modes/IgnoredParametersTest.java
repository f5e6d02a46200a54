package dev.usher.sample.modes;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With the CDI extension Usher reads MicroProfile Config only: a {@code usher.*} context parameter
 * or filter init parameter must stop the start with a message naming the key and where to put it,
 * never be dropped while the application starts without it.
 */
class IgnoredParametersTest {

    @Test
    void aContextParameterStopsTheStart() throws Exception {
        String message = failedStart(c -> c.setInitParameter("usher.trusted-proxies", "10.0.0.0/8"), f -> { });
        assertTrue(message.contains("context parameter usher.trusted-proxies is not read"), message);
        assertTrue(message.contains("USHER_TRUSTED_PROXIES"), message);
    }

    @Test
    void aFilterInitParameterStopsTheStart() throws Exception {
        String message = failedStart(c -> { }, f -> f.setInitParameter("usher.filter.paths", "/api/"));
        assertTrue(message.contains("filter init parameter usher.filter.paths is not read"), message);
        assertTrue(message.contains("USHER_FILTER_PATHS"), message);
    }

    @Test
    void otherParametersAreLeftAlone() throws Exception {
        try (CdiSite site = CdiSite.start(Applications.WithFeature.class,
                c -> c.setInitParameter("some.other", "x"), f -> f.setInitParameter("unrelated", "y"))) {
            assertTrue(site.available());
        }
    }

    /** @return the start's error (thrown, or logged by Jetty when it marks the context unavailable); fails if it started */
    private static String failedStart(java.util.function.Consumer<org.eclipse.jetty.ee10.servlet.ServletContextHandler> more,
                                      java.util.function.Consumer<org.eclipse.jetty.ee10.servlet.FilterHolder> filter)
            throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        System.setErr(new PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
        StringBuilder message = new StringBuilder();
        try (CdiSite site = CdiSite.start(Applications.WithFeature.class, more, filter)) {
            assertFalse(site.available(), "the site started");
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                message.append(t.getMessage()).append('\n');
            }
        } finally {
            System.setErr(err);
        }
        return message + log.toString(java.nio.charset.StandardCharsets.UTF_8);
    }
}
