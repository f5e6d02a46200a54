package dev.usher.servlet;

import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The guard's own CPU per segment request, in process: the server of {@code load-test.sh}
 * ({@link LoadTestServer#start}) answers raw HTTP/1.1 requests (a text block) on kept-alive
 * {@link LocalConnector} connections whose work runs on the measuring thread, so the thread's own
 * CPU time ({@link ThreadMXBean#getCurrentThreadCpuTime}) is the request's: Jetty parsing it, the
 * filter, the servlet serving the file and writing the answer, with no socket, kernel, load
 * generator or thread hand-off in it. The few microseconds Usher adds to a request are then not lost
 * in the noise of wrk and 188 kB sends on two shared cores.
 *
 * <p>Three requests for the same small real file, taking turns every {@value #SLICE} requests (which
 * goes first rotates), each round's CPU summed per side:
 * <ul>
 * <li>{@code open}: the unguarded copy ({@code /open/…}; the filter sees it and lets it through), as
 *     {@code load-test.sh}'s unprotected side;</li>
 * <li>{@code open+uc}: the same with the child's {@code ?uc=…} query, which the open servlet ignores:
 *     what Jetty spends on the longer request line;</li>
 * <li>{@code protected}: the credential-checked child through {@link UsherFilter}.</li>
 * </ul>
 * It prints each round, then the medians over the rounds and their spread (min-max): protected / open
 * is what the segment path's goal reads, protected / open+uc and protected - open+uc the guard's own
 * work; and the bytes each request allocates (GC threads' CPU is not in the thread's time). Last, the
 * same two figures from the slices instead of the rounds: each side's slice is paired with the
 * other sides' slices of its turn, and the median (with quartiles) of the pairs' differences and
 * ratios is given, which a few slices slowed by the machine's other load hardly move.
 *
 * <p>Usage (the classpath as for {@code load-test.sh}, see the README's Benchmarks):
 * {@code SegmentPathCpuTime [rounds=10] [requests per side and round=20000] [file bytes=1000] [key=value settings…]};
 * with {@code -Dusher.bench.only=protected} (or {@code open}, {@code open+uc}) it sends only that
 * side's requests and prints nothing, for a profiler (JFR) to see one kind of request.
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
        // the sides' connections wait while the others take their turn: on a loaded machine the first
        // (interpreted) warm-up batches took longer than the default 30 s idle timeout, the waiting
        // connections were closed, and the run died with "no answer within 10 s"
        connector.setIdleTimeout(java.util.concurrent.TimeUnit.MINUTES.toMillis(30));
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
                    new Side("open", REQUEST.formatted(started.openPath()), opened(local)),
                    new Side("open+uc", REQUEST.formatted(started.openPath() + query), opened(local)),
                    new Side("protected", REQUEST.formatted(started.protectedPath()), opened(local)));
            String only = System.getProperty("usher.bench.only");
            if (only != null) {
                // one side alone, for a profiler (-Dusher.bench.only=protected): samples of one kind of request
                Side side = sides.stream().filter(x -> x.name().equals(only)).findFirst().orElseThrow();
                for (int r = 0; r < rounds + 3; r++) {
                    batch(side, batch, bytes);
                }
                return;
            }
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
            double[][] cpu = new double[sides.size()][rounds];
            double[][] allocated = new double[sides.size()][rounds];
            // each slice's CPU per request, per side: the sides' slices that follow one another are
            // paired, so a burst of the machine's load (another process, a frequency step) that falls
            // on a few slices moves a few pairs, not a round's sums
            int slices = (batch + SLICE - 1) / SLICE;
            double[][] perSlice = new double[sides.size()][rounds * slices];
            for (int r = 0; r < rounds; r++) {
                // the sides take turns every SLICE requests, so a change of the machine's load during
                // the round (other processes, frequency, caches) falls on all of them alike
                long[] nanos = new long[sides.size()];
                long[] alloc = new long[sides.size()];
                for (int done = 0; done < batch; done += SLICE) {
                    int n = Math.min(SLICE, batch - done);
                    for (int k = 0; k < sides.size(); k++) {
                        int s = (k + done / SLICE) % sides.size(); // which goes first rotates too
                        long a0 = ALLOCATION.getCurrentThreadAllocatedBytes();
                        long c0 = THREADS.getCurrentThreadCpuTime();
                        batch(sides.get(s), n, bytes);
                        long c1 = THREADS.getCurrentThreadCpuTime();
                        long a1 = ALLOCATION.getCurrentThreadAllocatedBytes();
                        nanos[s] += c1 - c0;
                        alloc[s] += a1 - a0;
                        perSlice[s][r * slices + done / SLICE] = (c1 - c0) / (double) n;
                    }
                }
                StringBuilder line = new StringBuilder("round " + r + ":");
                for (int s = 0; s < sides.size(); s++) {
                    cpu[s][r] = nanos[s] / (double) batch;
                    allocated[s][r] = alloc[s] / (double) batch;
                    line.append(String.format(" %s %.2f us", sides.get(s).name(), cpu[s][r] / 1e3));
                }
                System.out.println(line.append(String.format("; protected / open %.3f, protected / open+uc %.3f",
                        cpu[2][r] / cpu[0][r], cpu[2][r] / cpu[1][r])));
            }
            for (int s = 0; s < sides.size(); s++) {
                System.out.printf("%-10s CPU per request: median %.2f us %s; %.0f bytes allocated%n",
                        sides.get(s).name(), median(cpu[s]) / 1e3, spread(cpu[s], 1e3), median(allocated[s]));
            }
            System.out.printf("requests answered on another thread: %d in the warm-up, %d measured (should be 0)%n",
                    handedOffInWarmUp, HANDED_OFF[0] - handedOffInWarmUp);
            ratio("protected / open   ", cpu[2], cpu[0]);
            ratio("protected / open+uc", cpu[2], cpu[1]);
            ratio("open+uc / open     ", cpu[1], cpu[0]);
            difference("protected - open+uc", cpu[2], cpu[1]);
            sliced("protected - open+uc", perSlice[2], perSlice[1], false);
            sliced("protected / open   ", perSlice[2], perSlice[0], true);
        }
    }

    /** Requests of one side before the next side's turn. */
    private static final int SLICE = 100;

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

    /**
     * @return a new connection once the acceptor has opened it and it waits for input: a request
     *         added before that is read by a pool thread, later, and on a loaded machine that
     *         hand-off was seen to lose the request
     */
    private static LocalConnector.LocalEndPoint opened(LocalConnector local) throws InterruptedException {
        LocalConnector.LocalEndPoint connection = local.connect();
        long until = System.nanoTime() + 10_000_000_000L;
        while (connection.getConnection() == null || !connection.isFillInterested()) {
            if (System.nanoTime() > until) {
                throw new IllegalStateException("the local connection did not open within 10 s");
            }
            Thread.sleep(1);
        }
        return connection;
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
    private static final com.sun.management.ThreadMXBean ALLOCATION = (com.sun.management.ThreadMXBean) THREADS;

    private static void ratio(String what, double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] / b[i];
        }
        System.out.printf("%s CPU per request: %.3f %s (median of the rounds, min-max)%n", what, median(r), spread(r, 1));
    }

    private static void difference(String what, double[] a, double[] b) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i] - b[i];
        }
        System.out.printf("%s CPU per request: %.2f us %s%n", what, median(d) / 1e3, spread(d, 1e3));
    }

    /**
     * The slice pairs' differences (or ratios): their median and quartiles. Robust where the rounds'
     * sums are not: one slow slice on a shared machine moves a round's sum by microseconds.
     */
    private static void sliced(String what, double[] a, double[] b, boolean ratio) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = ratio ? a[i] / b[i] : a[i] - b[i];
        }
        Arrays.sort(d);
        double q1 = d[d.length / 4];
        double q3 = d[(3 * d.length) / 4];
        if (ratio) {
            System.out.printf("%s CPU per request, %d slice pairs: median %.3f (quartiles %.3f-%.3f)%n",
                    what, d.length, median(d), q1, q3);
        } else {
            System.out.printf("%s CPU per request, %d slice pairs: median %.2f us (quartiles %.2f-%.2f)%n",
                    what, d.length, median(d) / 1e3, q1 / 1e3, q3 / 1e3);
        }
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
