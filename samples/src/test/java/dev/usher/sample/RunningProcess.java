package dev.usher.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A server started as a child process (the sample runner, Payara Micro): its output is collected
 * line by line, and it is ended when closed.
 */
final class RunningProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final List<String> stdout = Collections.synchronizedList(new ArrayList<>());

    private RunningProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        pump(process.getInputStream(), true);
        pump(process.getErrorStream(), false);
    }

    static RunningProcess start(String name, Path workDir, List<String> command) throws IOException {
        return start(name, workDir, command, java.util.Map.of());
    }

    static RunningProcess start(String name, Path workDir, List<String> command, java.util.Map<String, String> env)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        return new RunningProcess(name, pb.start());
    }

    private void pump(java.io.InputStream in, boolean isStdout) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                    if (isStdout) {
                        stdout.add(line);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, name + (isStdout ? "-out" : "-err"));
        t.setDaemon(true);
        t.start();
    }

    /**
     * Waits for a line of output that matches, failing fast when {@code failure} matches one or the
     * process ends.
     *
     * @return the matching line
     */
    String await(Predicate<String> ready, Predicate<String> failure, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        while (System.nanoTime() < deadline) {
            List<String> snapshot;
            synchronized (lines) {
                snapshot = new ArrayList<>(lines.subList(seen, lines.size()));
            }
            for (String line : snapshot) {
                seen++;
                if (ready.test(line)) {
                    return line;
                }
                if (failure.test(line)) {
                    throw new AssertionError(name + " failed: " + line + "\n" + log());
                }
            }
            if (!process.isAlive() && seen == lines.size()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + "\n" + log());
            }
            Thread.sleep(50);
        }
        throw new AssertionError(name + " not ready after " + timeout + "\n" + log());
    }

    /** @return every line the process wrote to standard output so far */
    List<String> stdout() {
        synchronized (stdout) {
            return List.copyOf(stdout);
        }
    }

    /** @return everything the process wrote, standard output and error interleaved as read */
    String log() {
        synchronized (lines) {
            List<String> tail = lines.size() > 400 ? lines.subList(lines.size() - 400, lines.size()) : lines;
            return String.join("\n", tail);
        }
    }

    /** @return the process and every process it started that is still running */
    List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        pids.add(process.pid());
        process.descendants().forEach(p -> pids.add(p.pid()));
        return pids;
    }

    /** @return whether the process ended within the time */
    boolean waitFor(long time, TimeUnit unit) throws InterruptedException {
        return process.waitFor(time, unit);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** @return every line the process wrote so far, standard output and error interleaved as read */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /**
     * Ends the process and every process it started (a launcher script's JVM, asadmin's server):
     * SIGTERM, then SIGKILL after 20 s.
     */
    @Override
    public void close() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        try {
            for (ProcessHandle p : all) {
                long left = Math.max(1, deadline - System.nanoTime());
                try {
                    p.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    p.destroyForcibly();
                }
            }
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            all.forEach(ProcessHandle::destroyForcibly);
            Thread.currentThread().interrupt();
        }
    }
}
