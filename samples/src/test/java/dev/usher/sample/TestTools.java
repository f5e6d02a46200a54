package dev.usher.sample;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Where the sample's tests find what the build made (the tools they drive are found by
 * {@link dev.usher.testing.Tools}). A missing artifact FAILS the test, never skips it.
 */
final class TestTools {

    private TestTools() {
    }

    /** A built artifact named by a system property the pom sets; fails when it was not built. */
    static Path artifact(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            return fail("system property " + property + " is not set: run the tests through Maven (mvn verify)");
        }
        Path p = Path.of(value);
        if (!Files.isRegularFile(p)) {
            fail(p + " does not exist: run `mvn -B verify` (the package phase builds it)");
        }
        return p;
    }

    /** The java launcher of the running JVM. */
    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
