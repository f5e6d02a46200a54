package dev.usher.servlet.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real clients the tests drive, and a bounded way to run them.
 *
 * <p>The project's rule: CI installs every tool, so a missing tool is a test <em>failure</em>, never
 * a skip. Each {@code require…} method fails the calling test with a message that says to run
 * {@code .ci/install-test-tools}.
 */
public final class Tools {

    /** What to do when a tool is missing. */
    public static final String INSTALL_HINT =
            "run `.ci/install-test-tools` (as root) at the repository root; CI runs it before the tests";

    /** Debian's Chromium; override with the environment variable {@code USHER_CHROMIUM}. */
    public static final Path DEFAULT_CHROMIUM = Path.of("/usr/bin/chromium");

    private static final String[] NPM_PACKAGES = {"hls.js", "dashjs", "playwright-core"};

    private Tools() {
    }

    // ---------------------------------------------------------------- locations

    /** The repository root: the nearest folder at or above the working directory holding {@code package.json}. */
    public static Path repoRoot() {
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

    /** The Chromium binary the browser tests launch. */
    public static Path chromium() {
        String env = System.getenv("USHER_CHROMIUM");
        return env == null || env.isBlank() ? DEFAULT_CHROMIUM : Path.of(env);
    }

    /** Absolute path of {@code ffmpeg} on PATH; fails the test when absent. */
    public static String ffmpeg() {
        return onPath("ffmpeg");
    }

    /** Absolute path of {@code ffprobe} on PATH; fails the test when absent. */
    public static String ffprobe() {
        return onPath("ffprobe");
    }

    /** Absolute path of {@code node} on PATH; fails the test when absent. */
    public static String node() {
        return onPath("node");
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
     * {@link BrowserPlayer} needs.
     */
    public static void requireBrowser() {
        node();
        String packageJson = read(repoRoot().resolve("package.json"));
        Path nm = nodeModules();
        for (String name : NPM_PACKAGES) {
            Path installed = nm.resolve(name).resolve("package.json");
            if (!Files.isRegularFile(installed)) {
                fail("npm package " + name + " is not installed in " + nm + ": " + INSTALL_HINT);
            }
            String wanted = versionIn(packageJson, "\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]+)\"");
            String have = versionIn(read(installed), "\"version\"\\s*:\\s*\"([^\"]+)\"");
            if (wanted != null && !wanted.equals(have)) {
                fail("npm package " + name + " is " + have + " in " + nm + " but package.json pins " + wanted
                        + ": " + INSTALL_HINT);
            }
        }
        for (Path asset : List.of(hlsJs(), dashJs())) {
            if (!Files.isRegularFile(asset)) {
                fail("missing " + asset + ": " + INSTALL_HINT);
            }
        }
        Path chromium = chromium();
        if (!Files.isExecutable(chromium)) {
            fail("Chromium not found at " + chromium + ": " + INSTALL_HINT);
        }
    }

    /** Everything the real-client tests use. */
    public static void requireAll() {
        requireFfmpeg();
        requireFfprobe();
        requireBrowser();
    }

    static Path hlsJs() {
        return nodeModules().resolve("hls.js/dist/hls.min.js");
    }

    static Path dashJs() {
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

    private static String onPath(String name) {
        String path = System.getenv("PATH");
        List<String> dirs = new ArrayList<>(List.of((path == null ? "" : path).split(File.pathSeparator)));
        dirs.add("/usr/bin");
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toAbsolutePath().toString();
            }
        }
        return fail(name + " not found on PATH: " + INSTALL_HINT);
    }

    private static String versionIn(String json, String regex) {
        Matcher m = Pattern.compile(regex).matcher(json);
        return m.find() ? m.group(1) : null;
    }

    static String read(Path file) {
        try {
            // Lenient decoding: tools may print bytes that are not UTF-8.
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String abbreviate(String s) {
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
