package dev.usher.servlet;

import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The guard's own CPU per segment request, in process: the server of {@code load-test.sh}
 * ({@link LoadTestServer#start}) answers raw HTTP/1.1 requests on a kept-alive
 * {@link LocalConnector} connection, with no socket, kernel or load generator in the measure, so
 * the few microseconds Usher adds to a request are not lost in the noise of wrk and 188 kB sends on
 * two shared cores.
 *
 * <p>Three requests for the same small real file, in batches, the order rotating every round:
 * <ul>
 * <li>{@code open}: the unguarded copy ({@code /open/…}; the filter sees it and lets it through);</li>
 * <li>{@code open+uc}: the same with the child's {@code ?uc=…} query, which the open servlet ignores:
 *     what Jetty spends on the longer request line;</li>
 * <li>{@code protected}: the credential-checked child through {@link UsherFilter}.</li>
 * </ul>
 * CPU is counted for all of the JVM's Java threads ({@link ThreadMXBean#getThreadCpuTime}, in
 * nanoseconds: the request threads and this one, not the JIT compiler or GC), and once more from
 * {@code /proc/self/task} without the compiler's threads, so GC is in (clock ticks: coarser). Each
 * round prints CPU per request of each side; the end the medians and the ratios with their spread:
 * protected / open is what the segment path's goal reads, protected / open+uc the guard's own work.
 *
 * <p>Usage (the classpath as for {@code load-test.sh}, see the README's Benchmarks):
 * {@code SegmentPathCpuTime [rounds=10] [requests per batch=20000] [file bytes=1000] [key=value settings…]}
 */
public final class SegmentPathCpuTime {

    private static final String REQUEST = """
            GET %s HTTP/1.1\r
            Host: localhost\r
            User-Agent: usher-bench\r
            Accept: */*\r
            \r
            """;

    private record Side(String name, byte[] request, LocalConnector.LocalEndPoint connection) {
        Side(String name, String request, LocalConnector.LocalEndPoint connection) {
            this(name, request.getBytes(StandardCharsets.ISO_8859_1), connection);
        }
    }

    /** Set while this thread sends a batch: the connector's tasks then run on it, so its own CPU time is the request's. */
    private static final ThreadLocal<Boolean> INLINE = ThreadLocal.withInitial(() -> false);

    /**
     * A local connector whose work runs on the thread that hands it a request, while that thread is
     * in a batch: with Jetty's pool, each request was two thread hand-offs (park, unpark, a context
     * switch each) that cost far more than the guard and moved from run to run. Anything else (its
     * acceptor) goes to the server's pool.
     */
    private static LocalConnector inlineConnector(Server server) throws Exception {
        Executor pool = server.getThreadPool();
        Executor inline = task -> {
            if (INLINE.get()) {
                task.run();
            } else {
                pool.execute(task);
            }
        };
        LocalConnector connector = new LocalConnector(server, inline, null, null, 1, new HttpConnectionFactory());
        server.addConnector(connector);
        connector.start();
        return connector;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        int bytes = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
        Map<String, String> settings = LoadTestServer.settings(args, 3);
        try (LoadTestServer.Started started = LoadTestServer.start(bytes, settings, true)) {
            LocalConnector local = inlineConnector(started.server().server);
            String query = started.protectedPath().substring(started.protectedPath().indexOf('?'));
            List<Side> sides = List.of(
                    new Side("open", REQUEST.formatted(started.openPath()), local.connect()),
                    new Side("open+uc", REQUEST.formatted(started.openPath() + query), local.connect()),
                    new Side("protected", REQUEST.formatted(started.protectedPath()), local.connect()));
            System.out.printf("SegmentPathCpuTime: %d-byte file, %d requests per batch, %d rounds, settings %s%n",
                    bytes, batch, rounds, settings.isEmpty() ? "(defaults)" : settings);
            System.out.printf("protected request line: %d characters, open: %d%n",
                    ("GET " + started.protectedPath() + " HTTP/1.1").length(), ("GET " + started.openPath() + " HTTP/1.1").length());
            // warm-up: the JIT compiles the three paths before anything is counted
            for (int w = 0; w < 3; w++) {
                for (Side side : sides) {
                    batch(side, batch, bytes);
                }
            }
            long handedOffInWarmUp = HANDED_OFF[0];
            double[][] java = new double[sides.size()][rounds];
            double[][] proc = new double[sides.size()][rounds];
            for (int r = 0; r < rounds; r++) {
                StringBuilder line = new StringBuilder("round " + r + ":");
                for (int k = 0; k < sides.size(); k++) {
                    int s = (k + r) % sides.size(); // rotate which side goes first, so a drift favours none
                    long j0 = THREADS.getCurrentThreadCpuTime();
                    long p0 = processCpuWithoutCompiler();
                    batch(sides.get(s), batch, bytes);
                    long p1 = processCpuWithoutCompiler();
                    long j1 = THREADS.getCurrentThreadCpuTime();
                    java[s][r] = (j1 - j0) / (double) batch;
                    proc[s][r] = (p1 - p0) * 1e9 / TICKS / batch;
                }
                for (int s = 0; s < sides.size(); s++) {
                    line.append(String.format(" %s %.2f us (%.2f with GC)", sides.get(s).name(), java[s][r] / 1e3, proc[s][r] / 1e3));
                }
                System.out.println(line);
            }
            for (int s = 0; s < sides.size(); s++) {
                System.out.printf("%-10s CPU per request: Java threads median %.2f us %s; with GC, w/o JIT %.2f us%n",
                        sides.get(s).name(), median(java[s]) / 1e3, spread(java[s], 1e3), median(proc[s]) / 1e3);
            }
            System.out.printf("requests answered on another thread: %d in the warm-up, %d measured (should be 0)%n",
                    handedOffInWarmUp, HANDED_OFF[0] - handedOffInWarmUp);
            ratio("protected / open   ", java[2], java[0], proc[2], proc[0]);
            ratio("protected / open+uc", java[2], java[1], proc[2], proc[1]);
            ratio("open+uc / open     ", java[1], java[0], proc[1], proc[0]);
        }
    }

    /** Sends {@code n} requests one after the other on the side's connection, checking each answer. */
    private static void batch(Side side, int n, int bytes) throws Exception {
        INLINE.set(true);
        try {
            for (int i = 0; i < n; i++) {
                side.connection().addInput(ByteBuffer.wrap(side.request()));
                ByteBuffer out = side.connection().takeOutput();
                if (out.remaining() < bytes + OK.length) {
                    // part of it went to the pool (a connection's first request, before the acceptor
                    // opened it): wait for it, and count it, since that CPU is not this thread's
                    HANDED_OFF[0]++;
                    out = whole(side.connection(), out, bytes + OK.length);
                }
                // a refused or failed request is cheap and would flatter the ratio: stop
                if (!startsWithOk(out)) {
                    String head = StandardCharsets.ISO_8859_1.decode(out).toString();
                    throw new IllegalStateException(side.name() + " was not served: " + head.lines().findFirst().orElse(""));
                }
            }
        } finally {
            INLINE.set(false);
        }
    }

    /** Requests answered (in part) on another thread than the one that measures. */
    private static final long[] HANDED_OFF = new long[1];

    private static ByteBuffer whole(LocalConnector.LocalEndPoint connection, ByteBuffer first, int atLeast) throws Exception {
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        ByteBuffer part = first;
        while (true) {
            byte[] b = new byte[part.remaining()];
            part.get(b);
            all.write(b);
            if (all.size() >= atLeast) {
                return ByteBuffer.wrap(all.toByteArray());
            }
            part = connection.waitForOutput(10, java.util.concurrent.TimeUnit.SECONDS);
            if (!part.hasRemaining()) {
                throw new IllegalStateException("no answer within 10 s");
            }
        }
    }

    private static final byte[] OK = "HTTP/1.1 200 ".getBytes(StandardCharsets.ISO_8859_1);

    private static boolean startsWithOk(ByteBuffer out) {
        for (int i = 0; i < OK.length; i++) {
            if (out.get(out.position() + i) != OK[i]) {
                return false;
            }
        }
        return true;
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final long TICKS = 100; // USER_HZ on Linux, what /proc/*/stat counts in

    /** @return the CPU time of all live Java threads, in nanoseconds */
    private static long javaThreadsCpu() {
        long sum = 0;
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (t > 0) {
                sum += t;
            }
        }
        return sum;
    }

    /** @return user + system clock ticks of every thread of this process but the JIT compiler's */
    private static long processCpuWithoutCompiler() throws Exception {
        long sum = 0;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    if (Files.readString(task.resolve("comm")).contains("Compiler")) {
                        continue;
                    }
                    String stat = Files.readString(task.resolve("stat"));
                    // the name (field 2) is in parentheses and may hold spaces: count from after it
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    sum += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                } catch (java.nio.file.NoSuchFileException e) {
                    // a thread that ended between the listing and the read
                }
            }
        }
        return sum;
    }

    private static void ratio(String what, double[] a, double[] b, double[] pa, double[] pb) {
        double[] r = new double[a.length];
        double[] pr = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] / b[i];
            pr[i] = pa[i] / pb[i];
        }
        System.out.printf("%s CPU per request: %.3f %s; with GC, w/o JIT: %.3f %s%n", what, median(r), spread(r, 1),
                median(pr), spread(pr, 1));
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    private static String spread(double[] values, double unit) {
        double[] v = values.clone();
        Arrays.sort(v);
        return unit == 1 ? String.format("(%.3f-%.3f)", v[0], v[v.length - 1])
                : String.format("(%.2f-%.2f)", v[0] / unit, v[v.length - 1] / unit);
    }

    private SegmentPathCpuTime() {
    }
}
