package dev.usher.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PostgreSQL server for tests and benchmarks: {@code initdb} into a temporary folder,
 * {@code pg_ctl start} on a free loopback port with its socket in that folder, trust
 * authentication, stopped and deleted by {@link #close()} (and by a shutdown hook). PostgreSQL
 * refuses to run as root, so as root its commands run as the {@code postgres} user
 * ({@code runuser -u postgres --}).
 *
 * <p>Its binaries are found by {@link Tools#postgresBin()}; without them (Debian's {@code postgresql}
 * package) {@link #start} throws, telling to run {@code .ci/install-test-tools}: tests fail, they
 * never skip.
 */
public final class PostgresServer implements AutoCloseable {

    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean asPostgresUser;
    private volatile boolean stopped;

    private PostgresServer(Path bin, Path dir, int port, boolean asPostgresUser) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /**
     * Starts a server.
     *
     * @param settings extra {@code -c name=value} server settings, e.g. {@code fsync=off}
     */
    public static PostgresServer start(String... settings) throws IOException, InterruptedException {
        Path bin = Tools.postgresBin();
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "usher-pg-");
        if (root) {
            run(List.of("chown", "postgres:postgres", dir.toString()), 30);
            run(List.of("chmod", "700", dir.toString()), 30);
        }
        int port = freePort();
        PostgresServer server = new PostgresServer(bin, dir, port, root);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "stop PostgreSQL " + port));
        try {
            server.pg(60, "initdb", "-D", dir.resolve("data").toString(), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                    "--no-sync", "--no-instructions");
            StringBuilder options = new StringBuilder("-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1"
                    + " -c max_connections=300");
            for (String s : settings) {
                options.append(" -c ").append(s);
            }
            server.pg(60, "pg_ctl", "-D", dir.resolve("data").toString(), "-o", options.toString(),
                    "-l", dir.resolve("server.log").toString(), "-w", "-t", "60", "start");
        } catch (IOException | RuntimeException e) {
            String log = "";
            try {
                log = Files.readString(dir.resolve("server.log"));
            } catch (IOException ignored) {
                // no log yet
            }
            server.close();
            throw new IOException("PostgreSQL did not start: " + e.getMessage() + "\n" + log, e);
        }
        return server;
    }

    private void pg(int timeoutSeconds, String tool, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        if (asPostgresUser) {
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(tool).toString());
        command.addAll(List.of(args));
        run(command, timeoutSeconds);
    }

    private static void run(List<String> command, int timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out;
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
        }
        out = p.getInputStream().readAllBytes();
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": "
                    + new String(out, StandardCharsets.UTF_8));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** @return the process id of the server's postmaster (its backends are its children) */
    public long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(dir.resolve("data/postmaster.pid")).get(0).trim());
    }

    /** @return the JDBC URL of {@code database} on this server (user {@code postgres}, no password) */
    public String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /**
     * Creates {@code schema} in {@code database}, so that a test gets tables of its own on the one
     * shared server. @return the JDBC URL of {@code database} with {@code schema} as its current one
     */
    public String schemaUrl(String database, String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(url(database), "postgres", null);
             Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        return url(database) + "?currentSchema=" + schema;
    }

    /** Creates a database. */
    public void createDatabase(String name) throws SQLException {
        try (Connection c = DriverManager.getConnection(url("postgres"), "postgres", null);
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
    }

    /** Stops the server at once and deletes its folder. Idempotent. */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            if (Files.exists(dir.resolve("data/postmaster.pid"))) {
                pg(60, "pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("stopping PostgreSQL on port " + port + ": " + e.getMessage());
        }
        try {
            TestFiles.deleteTree(dir);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
