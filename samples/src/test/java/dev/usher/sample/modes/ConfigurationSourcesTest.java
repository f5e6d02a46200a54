package dev.usher.sample.modes;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every documented source of configuration is read in every deployment mode, and bad values from
 * all of them stop the start listing each: each case starts {@link SourceProbe} in a JVM of its
 * own, with a {@code META-INF/microprofile-config.properties} first on its class path, system
 * properties, environment variables (which only a new process can be given), filter init
 * parameters and context parameters, each source setting a different key, and reads back what the
 * started runtime holds.
 *
 * <p>Modes: the filter alone with MicroProfile Config on the class path (SmallRye Config, as the
 * sample has it), the filter alone without any MicroProfile Config implementation (system
 * properties and environment variables are read in its stead, the file is not), and the filter
 * with the CDI extension (Weld): MicroProfile Config only, init and context parameters refused
 * ({@link IgnoredParametersTest}).
 */
class ConfigurationSourcesTest {

    @TempDir
    Path dir;

    private static final String SECRET = Base64.getEncoder().encodeToString(random(32));

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }

    /** An account given by environment variables alone (USHER_ACCOUNT_158_*): found in every mode. */
    private static final Map<String, String> ENV_ACCOUNT = Map.of("USHER_ACCOUNT_158_API_KEY", "key-of-158-env",
            "USHER_ACCOUNT_158_SECRET", SECRET, "USHER_ACCOUNT_158_USERNAME", "demo");

    @Test
    void theFilterAloneReadsEverySourceThroughMicroProfileConfig() throws Exception {
        String out = probe("filter", true, Map.of("usher.credential.lifetime", "7h"), Map.of("usher.filter.paths", "/sys/"),
                withAccount("USHER_PLAYBACK_WINDOW", "3m"), List.of("init:usher.filter.app=initapp",
                        "context:usher.trusted-proxies=10.9.0.0/16"));
        assertStarted(out, "lifetime=PT7H", "paths=[/sys/]", "window=PT3M", "accounts=[158]", "app=initapp",
                "proxies=[10.9.0.0/16]");
    }

    @Test
    void theFilterAloneWithoutMicroProfileConfigReadsPropertiesEnvironmentAndParameters() throws Exception {
        String out = probe("filter", false, Map.of("usher.credential.lifetime", "7h"), Map.of("usher.filter.paths", "/sys/"),
                withAccount("USHER_PLAYBACK_WINDOW", "3m"), List.of("init:usher.filter.app=initapp",
                        "context:usher.trusted-proxies=10.9.0.0/16"));
        // Without MicroProfile Config there is nobody to read the file: documented so.
        assertStarted(out, "lifetime=PT6H", "paths=[/sys/]", "window=PT3M", "accounts=[158]", "app=initapp",
                "proxies=[10.9.0.0/16]");
    }

    @Test
    void theCdiExtensionReadsTheFileSystemPropertiesAndEnvironment() throws Exception {
        String out = probe("cdi", true, Map.of("usher.credential.lifetime", "7h"), Map.of("usher.filter.paths", "/sys/"),
                withAccount("USHER_ISSUE_USES", "5"), List.of());
        assertStarted(out, "lifetime=PT7H", "paths=[/sys/]", "uses=5", "accounts=[158]");
    }

    @Test
    void badValuesFromEverySourceAreListedInOneErrorByTheFilterAlone() throws Exception {
        String out = probe("filter", true, Map.of("usher.issue.ip", "auto/99"), Map.of("usher.api.max-concurrent", "0"),
                Map.of("USHER_ISSUE_EXPIRE", "tomorrow-ish"), List.of("init:usher.filter.app=a/b", "context:usher.api.path=/x/"));
        assertRefused(out, "usher.issue.ip", "usher.api.max-concurrent", "usher.issue.expire", "usher.filter.app", "usher.api.path");
    }

    @Test
    void badValuesFromEverySourceAreListedInOneErrorByTheFilterWithoutMicroProfileConfig() throws Exception {
        String out = probe("filter", false, Map.of(), Map.of("usher.api.max-concurrent", "0"),
                Map.of("USHER_ISSUE_EXPIRE", "tomorrow-ish"), List.of("init:usher.filter.app=a/b", "context:usher.api.path=/x/"));
        assertRefused(out, "usher.api.max-concurrent", "usher.issue.expire", "usher.filter.app", "usher.api.path");
    }

    @Test
    void badValuesFromEverySourceAreListedInOneErrorWithTheCdiExtension() throws Exception {
        String out = probe("cdi", true, Map.of("usher.issue.ip", "auto/99"), Map.of("usher.api.max-concurrent", "0"),
                Map.of("USHER_ISSUE_EXPIRE", "tomorrow-ish"), List.of());
        assertRefused(out, "usher.issue.ip", "usher.api.max-concurrent", "usher.issue.expire");
    }

    private static Map<String, String> withAccount(String key, String value) {
        Map<String, String> env = new java.util.HashMap<>(ENV_ACCOUNT);
        env.put(key, value);
        return env;
    }

    private static void assertStarted(String out, String... lines) {
        List<String> got = Arrays.asList(out.split("\\R"));
        assertFalse(got.contains("FAILED"), out);
        for (String line : lines) {
            assertTrue(got.contains(line), () -> "missing " + line + " in:\n" + out);
        }
        assertFalse(out.contains(SECRET), "the account's secret is never printed");
    }

    private static void assertRefused(String out, String... keys) {
        assertTrue(out.contains("FAILED"), out);
        // One error: the first "refuses to start" message lists every key.
        int at = out.indexOf("Usher refuses to start with this configuration:");
        assertTrue(at >= 0, out);
        String error = out.substring(at).lines().skip(1).takeWhile(l -> l.startsWith("  - ")).collect(Collectors.joining("\n"));
        for (String key : keys) {
            assertTrue(error.contains("  - " + key), () -> "missing " + key + " in the error:\n" + out);
        }
    }

    /**
     * @param microProfile whether a MicroProfile Config implementation is on the child's class path
     * @param file         the keys of a {@code META-INF/microprofile-config.properties} first on its class path
     * @param parameters   {@code init:k=v} and {@code context:k=v}
     * @return everything the child printed
     */
    private String probe(String mode, boolean microProfile, Map<String, String> file, Map<String, String> properties,
                         Map<String, String> env, List<String> parameters) throws IOException, InterruptedException {
        Path config = Files.createDirectories(dir.resolve("config/META-INF"));
        Files.writeString(config.resolve("microprofile-config.properties"), file.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n", "", "\n")), StandardCharsets.UTF_8);
        List<String> classPath = new ArrayList<>();
        classPath.add(dir.resolve("config").toString());
        for (String entry : testClassPath()) {
            if (microProfile || !entry.contains("smallrye-config")) {
                classPath.add(entry);
            }
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(File.pathSeparator, classPath)));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add(SourceProbe.class.getName());
        command.add(mode);
        command.addAll(parameters);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(k -> k.startsWith("USHER_"));
        builder.environment().putAll(env);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "the probe did not end");
        return out;
    }

    /** The test class path as entries (surefire may start this JVM from a manifest-only jar). */
    private static List<String> testClassPath() {
        String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(path.split(File.pathSeparator)).filter(s -> !s.isBlank()).toList();
    }
}
