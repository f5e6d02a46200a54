package dev.usher.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * The real clients the tests drive, where to find them, and a bounded way to run them.
 *
 * <p>One rule finds every tool: the environment variable {@code USHER_<NAME>} when it is set (e.g.
 * {@code USHER_CHROMIUM}, {@code USHER_FFMPEG}), else the first executable {@code <name>} on
 * {@code PATH}, else Debian's {@code /usr/bin/<name>} (a JVM started without a login {@code PATH}
 * still finds what {@code .ci/install-test-tools} installed). PostgreSQL's server binaries are a
 * folder, found the same way ({@code USHER_PG_BIN}, then {@code initdb} on {@code PATH}) with
 * Debian's {@code /usr/lib/postgresql/<newest>/bin} last, since Debian puts them on no {@code PATH}.
 *
 * <p>The project's rule: CI installs every tool, so a missing tool is a test <em>failure</em>, never
 * a skip. Each lookup fails the calling test with a message that says to run
 * {@code .ci/install-test-tools}.
 */
public final class Tools {

    /** What to do when a tool is missing. */
    public static final String INSTALL_HINT =
            "run `.ci/install-test-tools` (as root) at the repository root; CI runs it before the tests";

    /** The system property naming the repository root (the samples' pom sets it for its forked tests). */
    public static final String REPO_ROOT_PROPERTY = "usher.repo.root";

    private static final String[] NPM_PACKAGES = {"hls.js", "dashjs", "playwright-core"};
    private static final Path DEBIAN_BIN = Path.of("/usr/bin");
    private static final Path DEBIAN_POSTGRESQL = Path.of("/usr/lib/postgresql");

    private Tools() {
    }

    // ---------------------------------------------------------------- locations

    /**
     * The repository root: the system property {@value #REPO_ROOT_PROPERTY} when set, else the nearest
     * folder at or above the working directory holding both {@code package.json} and {@code pom.xml}.
     */
    public static Path repoRoot() {
        String property = System.getProperty(REPO_ROOT_PROPERTY);
        if (property != null && !property.isBlank()) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("package.json")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        return fail("no package.json found at or above " + start
                + ": the test clients are declared in the repository root's package.json");
    }

    /** The repository root's {@code node_modules}. */
    public static Path nodeModules() {
        return repoRoot().resolve("node_modules");
    }

    /** The Chromium binary the browser tests launch (Debian's {@code chromium}). */
    public static Path chromium() {
        return Path.of(tool("chromium"));
    }

    /** Absolute path of {@code ffmpeg}; fails the test when absent. */
    public static String ffmpeg() {
        return tool("ffmpeg");
    }

    /** Absolute path of {@code ffprobe}; fails the test when absent. */
    public static String ffprobe() {
        return tool("ffprobe");
    }

    /** Absolute path of {@code node}; fails the test when absent. */
    public static String node() {
        return tool("node");
    }

    /** Absolute path of {@code php} (ScaleEngine's PHP example clients, run by the API tests); fails the test when absent. */
    public static String php() {
        return tool("php");
    }

    /** Absolute path of {@code curl} (the v2 REST calls); fails the test when absent. */
    public static String curl() {
        return tool("curl");
    }

    /**
     * The folder of PostgreSQL's server binaries ({@code initdb}, {@code pg_ctl}): {@code USHER_PG_BIN},
     * else the real folder of {@code initdb} on {@code PATH}, else Debian's newest
     * {@code /usr/lib/postgresql/<version>/bin}. Throws (rather than failing the test) because it is
     * called from extensions and benchmarks too.
     */
    public static Path postgresBin() {
        return postgresBin(System.getenv(), DEBIAN_POSTGRESQL);
    }

    /** {@link #postgresBin()} with the environment and Debian's folder given (for its test). */
    static Path postgresBin(Map<String, String> env, Path debianPostgresql) {
        String override = env.get("USHER_PG_BIN");
        if (override != null && !override.isBlank()) {
            Path bin = Path.of(override);
            if (isPostgresBin(bin)) {
                return bin;
            }
            throw new IllegalStateException("USHER_PG_BIN=" + override + " holds no initdb and pg_ctl");
        }
        for (Path dir : pathDirs(env)) {
            Path initdb = dir.resolve("initdb");
            if (Files.isExecutable(initdb)) {
                try {
                    Path bin = initdb.toRealPath().getParent();
                    if (isPostgresBin(bin)) {
                        return bin;
                    }
                } catch (IOException e) {
                    // a dangling link: look further
                }
            }
        }
        if (Files.isDirectory(debianPostgresql)) {
            try (Stream<Path> versions = Files.list(debianPostgresql)) {
                List<Path> found = versions.map(v -> v.resolve("bin")).filter(Tools::isPostgresBin)
                        .sorted(Comparator.comparing(Tools::postgresVersion).reversed()).toList();
                if (!found.isEmpty()) {
                    return found.get(0);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or under "
                + debianPostgresql + "/*/bin: " + INSTALL_HINT + " to install the postgresql package");
    }

    private static boolean isPostgresBin(Path bin) {
        return Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl"));
    }

    private static int postgresVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    // ---------------------------------------------------------------- checks

    public static void requireFfmpeg() {
        ffmpeg();
    }

    public static void requireFfprobe() {
        ffprobe();
    }

    /**
     * Node.js, the pinned npm packages (versions as in the root package.json) and Chromium: all that
     * a browser test needs.
     */
    public static void requireBrowser() {
        node();
        JsonObject declared = readJson(repoRoot().resolve("package.json"));
        Path nm = nodeModules();
        for (String name : NPM_PACKAGES) {
            Path installed = nm.resolve(name).resolve("package.json");
            if (!Files.isRegularFile(installed)) {
                fail("npm package " + name + " is not installed in " + nm + ": " + INSTALL_HINT);
            }
            String pinned = pinned(declared, name);
            String have = readJson(installed).getString("version", null);
            if (pinned != null && !pinned.equals(have)) {
                fail("npm package " + name + " is " + have + " in " + nm + " but package.json pins " + pinned
                        + ": " + INSTALL_HINT);
            }
        }
        for (Path asset : List.of(hlsJs(), dashJs())) {
            if (!Files.isRegularFile(asset)) {
                fail("missing " + asset + ": " + INSTALL_HINT);
            }
        }
        chromium();
    }

    /** Everything the real-client tests use. */
    public static void requireAll() {
        requireFfmpeg();
        requireFfprobe();
        requireBrowser();
    }

    /** hls.js as the player pages load it. */
    public static Path hlsJs() {
        return nodeModules().resolve("hls.js/dist/hls.min.js");
    }

    /** dash.js as the player pages load it. */
    public static Path dashJs() {
        return nodeModules().resolve("dashjs/dist/modern/umd/dash.all.min.js");
    }

    // ---------------------------------------------------------------- running

    /** What a finished (or killed) process left. */
    public record Run(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut,
                      long elapsedMillis) {

        /** A short account for assertion messages. */
        public String describe() {
            return String.join(" ", command) + "\n  exit " + exitCode + (timedOut ? " (killed: timed out)" : "")
                    + " after " + elapsedMillis + " ms\n  stdout: " + abbreviate(stdout) + "\n  stderr: "
                    + abbreviate(stderr);
        }
    }

    /**
     * Runs a command with a bounded wait. Output goes to temporary files (so neither pipe can fill
     * up); on timeout the process and all its descendants are killed and {@code timedOut} is set.
     */
    public static Run run(List<String> command, Duration timeout, Map<String, String> env) {
        return run(command, timeout, env, null);
    }

    /** As {@link #run(List, Duration, Map)}, in the given working directory (null: this JVM's). */
    public static Run run(List<String> command, Duration timeout, Map<String, String> env, Path workDir) {
        Path out = null;
        Path err = null;
        long start = System.nanoTime();
        try {
            out = Files.createTempFile("usher-run-", ".out");
            err = Files.createTempFile("usher-run-", ".err");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().putAll(env);
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            Process process = pb.start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            return new Run(List.copyOf(command), finished ? process.exitValue() : -1, read(out), read(err),
                    !finished, elapsed);
        } catch (IOException e) {
            return fail("cannot run " + command + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted while running " + command, e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** The one rule (see the class comment); fails the test when the tool is nowhere. */
    private static String tool(String name) {
        return tool(name, System.getenv(), DEBIAN_BIN);
    }

    /** {@link #tool(String)} with the environment and Debian's folder given (for its test). */
    static String tool(String name, Map<String, String> env, Path debianBin) {
        String variable = "USHER_" + name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
        String override = env.get(variable);
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override).toAbsolutePath();
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toString();
            }
            return fail(variable + "=" + override + " is not an executable file");
        }
        List<Path> dirs = new ArrayList<>(pathDirs(env));
        dirs.add(debianBin);
        for (Path dir : dirs) {
            Path candidate = dir.resolve(name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath().toString();
            }
        }
        return fail(name + " not found on PATH nor in " + debianBin + " (or set " + variable + "): " + INSTALL_HINT);
    }

    private static List<Path> pathDirs(Map<String, String> env) {
        String path = env.get("PATH");
        List<Path> dirs = new ArrayList<>();
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                dirs.add(Path.of(dir));
            }
        }
        return dirs;
    }

    /** The version package.json pins for {@code name} (devDependencies or dependencies), or null. */
    private static String pinned(JsonObject packageJson, String name) {
        for (String section : List.of("devDependencies", "dependencies")) {
            JsonValue deps = packageJson.get(section);
            if (deps instanceof JsonObject o && o.get(name) instanceof JsonString version) {
                return version.getString();
            }
        }
        return null;
    }

    private static JsonObject readJson(Path file) {
        try (JsonReader reader = Json.createReader(new StringReader(read(file)))) {
            return reader.readObject();
        } catch (JsonException e) {
            return fail(file + " is not a JSON object: " + e.getMessage(), e);
        }
    }

    /** A file's bytes as UTF-8 (lenient: tools may print bytes that are not UTF-8). */
    public static String read(Path file) {
        try {
            // Lenient decoding: tools may print bytes that are not UTF-8.
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** At most the first and last 2000 characters, for assertion messages. */
    public static String abbreviate(String s) {
        String t = s.strip();
        return t.length() <= 4000 ? t : t.substring(0, 2000) + "\n…\n" + t.substring(t.length() - 2000);
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temp file; nothing to do
            }
        }
    }
}
