package dev.usher.sample;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Where the tests find what they drive. A missing tool FAILS the test (never skips it) and says to
 * run {@code .ci/install-test-tools}, which CI runs first.
 */
final class TestTools {

    static final String INSTALL_HINT = "run `.ci/install-test-tools` (as root) at the repository root; CI runs it before the tests";

    private TestTools() {
    }

    /** The repository root (set by the pom as {@code usher.repo.root}). */
    static Path repoRoot() {
        String root = System.getProperty("usher.repo.root");
        Path p = root != null ? Path.of(root) : Path.of(System.getProperty("user.dir")).getParent();
        return p.toAbsolutePath().normalize();
    }

    static Path nodeModules() {
        return repoRoot().resolve("node_modules");
    }

    /** Debian's Chromium, or {@code USHER_CHROMIUM}. */
    static Path chromium() {
        String env = System.getenv("USHER_CHROMIUM");
        return env == null || env.isBlank() ? Path.of("/usr/bin/chromium") : Path.of(env);
    }

    /** @return the absolute path of {@code node}; fails when absent */
    static String node() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "node");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return fail("node (Node.js 20) is not on PATH: " + INSTALL_HINT);
    }

    /** Node, playwright-core in the root's node_modules, and Chromium. */
    static void requireBrowser() {
        node();
        if (!Files.isRegularFile(nodeModules().resolve("playwright-core/package.json"))) {
            fail("npm package playwright-core is not installed in " + nodeModules() + ": " + INSTALL_HINT);
        }
        if (!Files.isExecutable(chromium())) {
            fail("Chromium not found at " + chromium() + ": " + INSTALL_HINT);
        }
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

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
