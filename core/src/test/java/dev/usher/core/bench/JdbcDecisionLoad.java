package dev.usher.core.bench;

import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.net.IpAddress;
import dev.usher.core.repository.RepositoryException;
import dev.usher.core.repository.jdbc.JdbcOptions;
import dev.usher.core.repository.jdbc.JdbcTicketRepository;
import dev.usher.core.repository.jdbc.SimpleConnectionPool;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import dev.usher.testing.PostgresServer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Entry decisions per second of {@link JdbcTicketRepository} on a real PostgreSQL server, with
 * {@code clients} threads each holding a pooled connection, and the p50/p99 latency of one decision;
 * with {@code USHER_BENCH_PGBENCH=1}, alternated round by round with {@code pgbench} doing the
 * minimal work of a decision on the same server and tables ({@link #FLOOR}), and the ratio of each
 * round reported (the machine may be shared: only ratios within one run mean anything).
 *
 * <p>Workload: {@code USHER_BENCH_TICKETS} tickets (default 2,000; 1 puts every client on one hot
 * ticket) ({@code 0.0.0.0/0}, a million uses each); every decision names a random ticket; one in
 * five starts a playback from a new client address (a use consumed, a playback row inserted), four
 * in five continue one of the thread's recent playbacks. Every decision also appends its attempt.
 * A warm-up of {@code USHER_BENCH_WARMUP} seconds (default 5: on a loaded machine the JIT compiler
 * needs that long) is not counted.
 *
 * <p>Usage: {@code JdbcDecisionLoad [seconds=10] [clients=32] [jdbc-url]}; without a URL it starts
 * a throw-away PostgreSQL with the server's default (durable) settings: fsync and synchronous
 * commit on; {@code USHER_BENCH_PG_SETTINGS="synchronous_commit=off ..."} adds {@code -c} settings;
 * {@code USHER_BENCH_ROUNDS} (default 1) rounds. Run by {@code core/src/test/bench/jdbc-load.sh}.
 *
 * <p>Besides rates, each round reports CPU time per decision (per pgbench transaction): the
 * client's (this JVM's, or the pgbench process's) and the throw-away server's (the postmaster and
 * every backend, from {@code /proc}). On a shared machine those are far steadier than rates: they
 * do not depend on how the cores were shared, only on the work each side did. It also reports how
 * many attempts each writing transaction stored (the attempts of a round against their distinct
 * {@code xmin}): 1 per decision without group commit, more as continuing decisions share commits;
 * only the attempts still stored count, so a log held at its cap (the hot ticket) says little.
 */
public final class JdbcDecisionLoad {

    /**
     * The floor: what any store must do for a decision that consumes a use, as one pgbench
     * transaction (five round trips: BEGIN, the locked read, the ticket's update, the attempt, the
     * commit), on a random ticket among the same rows; its attempt goes to
     * {@code usher_bench_attempts}, a table made like {@code usher_attempts}, so that the floor
     * does the same work without growing Usher's log past the cap Usher keeps.
     */
    static final String FLOOR = """
            \\set n random(1, :tickets)
            BEGIN;
            SELECT ticket_key, pass, ip, ip_bindings, video, app, uses, active, expires FROM usher_tickets WHERE id = :n FOR UPDATE;
            UPDATE usher_tickets SET uses = uses - 1, last_used = now() WHERE id = :n;
            INSERT INTO usher_bench_attempts (ticket_key, attempted_at, ip, video, app, appinst, pageurl, refurl, reason, server) SELECT ticket_key, now(), '10.0.0.1', video, 'live', '_definst_', '', '', 'Success', 'bench' FROM usher_tickets WHERE id = :n;
            END;
            """;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int ticketCount = Integer.parseInt(System.getenv().getOrDefault("USHER_BENCH_TICKETS", "2000"));
        int rounds = Integer.parseInt(System.getenv().getOrDefault("USHER_BENCH_ROUNDS", "1"));
        boolean pgbench = "1".equals(System.getenv("USHER_BENCH_PGBENCH"));
        int warmUp = Integer.parseInt(System.getenv().getOrDefault("USHER_BENCH_WARMUP", "5"));
        PostgresServer server = null;
        String url;
        if (args.length > 2) {
            url = args[2];
        } else {
            String extra = System.getenv().getOrDefault("USHER_BENCH_PG_SETTINGS", "");
            server = PostgresServer.start(extra.isBlank() ? new String[0] : extra.trim().split("\\s+"));
            server.createDatabase("usher_bench");
            url = server.url("usher_bench");
        }
        try (SimpleConnectionPool ds = new SimpleConnectionPool(url, "postgres", null, clients, Duration.ofSeconds(10))) {
            UsherSettings settings = UsherSettings.defaults().withServerName("bench");
            JdbcTicketRepository repo = new JdbcTicketRepository(ds, settings,
                    JdbcOptions.defaults().withCreateSchema(true).withPurgeInterval(Duration.ZERO));
            UsherService service = new UsherService(repo, settings);
            System.out.println("JdbcDecisionLoad: " + repo.dialect() + ", " + clients + " clients, " + seconds + " s, "
                    + ticketCount + " tickets, " + rounds + " rounds"
                    + (server != null ? " (throw-away PostgreSQL; settings: "
                    + System.getenv().getOrDefault("USHER_BENCH_PG_SETTINGS", "defaults") + ")" : ""));
            List<Ticket> tickets = new ArrayList<>(ticketCount);
            for (int i = 0; i < ticketCount; i++) {
                tickets.add(service.issue(Fixture.STEF,
                        IssueRequest.of("live", "stream" + (i % 100), "passpasspass", "0.0.0.0/0", 1_000_000, "+1 day")));
            }
            if (pgbench) {
                // After the first issue, which made the schema: the floor's attempts go to a table of
                // the same shape (columns, defaults, identity,
                // indexes, the foreign key's share lock on the ticket row): the same work, but not
                // into Usher's log, whose cap Usher keeps and which the floor would grow past it
                // (thousands of rows on the hot ticket each round, which Usher's next trim then had
                // to count and delete: a cost of the benchmark, not of a decision).
                try (java.sql.Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement()) {
                    st.execute("CREATE TABLE IF NOT EXISTS usher_bench_attempts (LIKE usher_attempts INCLUDING ALL,"
                            + " FOREIGN KEY (ticket_key) REFERENCES usher_tickets (ticket_key) ON DELETE CASCADE)");
                    if (!c.getAutoCommit()) {
                        c.commit();
                    }
                }
            }
            run(service, tickets, clients, warmUp, false);
            warmUntilCompiled(service, tickets, clients);
            List<Double> ratios = new ArrayList<>();
            List<Double> cpuRatios = new ArrayList<>();
            List<Double> clientCpu = new ArrayList<>();
            // The client's CPU less its JIT compiler threads': the compiler still ran in some rounds
            // after the warm-up (tens of µs per decision, more in a first round), and pgbench has none.
            List<Double> clientCpuWithoutJit = new ArrayList<>();
            List<Double> serverCpu = new ArrayList<>();
            long postmaster = server == null ? -1 : server.postmasterPid();
            for (int round = 1; round <= rounds; round++) {
                long jvm0 = jvmCpuNanos();
                long compilers0 = compilerThreadsCpuNanos();
                long server0 = serverCpuNanos(postmaster);
                java.time.Instant from = java.time.Instant.now();
                Result r = run(service, tickets, clients, seconds, true);
                long[] commits = attemptCommits(ds, from, java.time.Instant.now());
                long decided = Math.max(1, r.count - r.failed); // per decision given: a failed one's work is overhead
                double client = (jvmCpuNanos() - jvm0) / 1e3 / decided;
                double compilers = (compilerThreadsCpuNanos() - compilers0) / 1e3 / decided;
                double onServer = (serverCpuNanos(postmaster) - server0) / 1e3 / decided;
                clientCpu.add(client);
                clientCpuWithoutJit.add(client - compilers);
                serverCpu.add(onServer);
                double rate = (r.count - r.failed) / (double) seconds; // a failed decision is no decision
                System.out.printf("round %d usher:   decisions/s: %.0f   p50: %.2f ms   p99: %.2f ms   (%d decisions, %d new playbacks,"
                                + " %d refused, %d failed past the query timeout)"
                                + "   CPU per decision: client %.0f µs (of which the JIT compiler's threads %.0f µs),"
                                + " server %s%n",
                        round, rate, r.p50Nanos / 1e6, r.p99Nanos / 1e6, r.count - r.failed, r.newPlaybacks, r.refused,
                        r.failed, client, compilers, postmaster < 0 ? "unknown" : String.format("%.0f µs", onServer));
                System.out.printf("        usher: %d attempts still stored, by %d transactions: %.2f attempts per durable commit"
                        + " (the floor: 1; a log at its cap kept only its newest)%n", commits[0], commits[1], commits[0] / (double) Math.max(1, commits[1]));
                if (pgbench) {
                    long pg0 = serverCpuNanos(postmaster);
                    Floor floor = pgbench(url, tickets.get(0).id(), tickets.get(ticketCount - 1).id(), clients, seconds);
                    double floorServer = (serverCpuNanos(postmaster) - pg0) / 1e3 / Math.max(1, floor.transactions);
                    double floorClient = floor.clientCpuNanos / 1e3 / Math.max(1, floor.transactions);
                    ratios.add(rate / floor.rate);
                    System.out.printf("        pgbench CPU per transaction: client %.0f µs, server %s%n", floorClient,
                            postmaster < 0 ? "unknown" : String.format("%.0f µs", floorServer));
                    System.out.printf("round %d ratio usher / pgbench floor: %.2f%s%n", round, rate / floor.rate,
                            postmaster < 0 ? "" : String.format("   CPU per decision / per floor transaction: %.2f",
                                    (client + onServer) / (floorClient + floorServer)));
                    if (postmaster >= 0) {
                        cpuRatios.add((client + onServer) / (floorClient + floorServer));
                    }
                }
            }
            summary("CPU per decision, client (µs)", clientCpu);
            summary("CPU per decision, client without the JIT compiler's threads (µs)", clientCpuWithoutJit);
            if (postmaster >= 0) {
                summary("CPU per decision, server (µs)", serverCpu);
            }
            summary("ratio usher / pgbench floor", ratios);
            summary("CPU ratio usher / pgbench floor", cpuRatios);
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    private static void summary(String what, List<Double> values) {
        if (values.isEmpty()) {
            return;
        }
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf("%s over %d rounds: median %.2f, min %.2f, max %.2f%n", what, v.length, v[v.length / 2], v[0],
                v[v.length - 1]);
    }

    /**
     * @return the attempts stored between two instants and how many transactions stored them (the
     *         rows one transaction inserted share its {@code xmin}): what group commit shares
     */
    private static long[] attemptCommits(javax.sql.DataSource ds, java.time.Instant from, java.time.Instant to)
            throws java.sql.SQLException {
        try (java.sql.Connection c = ds.getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), COUNT(DISTINCT xmin::text) FROM usher_attempts"
                     + " WHERE attempted_at >= CAST(? AS timestamptz) AND attempted_at < CAST(? AS timestamptz)")) {
            ps.setString(1, from.toString());
            ps.setString(2, to.toString());
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new long[] {rs.getLong(1), rs.getLong(2)};
            }
        }
    }

    /** The longest the warm-up goes on waiting for the JIT compiler (a cap, not a wait: it ends as soon as the compiler is quiet). */
    private static final int MAX_JIT_WARMUP_SECONDS = 60;

    /**
     * Goes on warming up, a second at a time, until the JIT compiler's threads used less than 2 %
     * of a core in each of three seconds running (at most {@value #MAX_JIT_WARMUP_SECONDS} s).
     * After the fixed warm-up alone, C2 was still compiling through the measured rounds (37 % of the
     * JVM's samples in a {@code perf record} of one, on 2 cores shared with the server), so a round
     * measured the compiler too, against a pgbench that has none. Each round reports what the
     * compiler's threads still used.
     */
    private static void warmUntilCompiled(UsherService service, List<Ticket> tickets, int clients)
            throws InterruptedException, IOException {
        int seconds = 0;
        int quiet = 0;
        long used = 0;
        while (quiet < 3 && seconds < MAX_JIT_WARMUP_SECONDS) {
            long before = compilerThreadsCpuNanos();
            run(service, tickets, clients, 1, false);
            used = compilerThreadsCpuNanos() - before;
            quiet = used < 20_000_000L ? quiet + 1 : 0;
            seconds++;
        }
        System.out.printf("warm-up: %d s more until the JIT compiler was quiet (its threads: %d ms of CPU in the last second)%n",
                seconds, used / 1_000_000);
    }

    /** @return the CPU time of this JVM's JIT compiler threads so far ({@code /proc/self/task/*}: C1 and C2) */
    private static long compilerThreadsCpuNanos() throws IOException {
        long ticks = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String comm;
                try {
                    comm = Files.readString(task.resolve("comm"));
                } catch (IOException gone) {
                    continue; // a thread that ended between the listing and the read
                }
                String[] f = comm.contains("CompilerThre") ? procStat(task.resolve("stat")) : null; // "C2 CompilerThre", "C1 …"
                if (f != null) {
                    ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]); // utime, stime
                }
            }
        }
        return ticks * (1_000_000_000L / CLOCK_TICKS);
    }

    /** @return the CPU time this JVM used so far, every thread */
    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * @return the CPU time the server used so far: the postmaster's own and that of its children
     *         which ended (the {@code cutime}, {@code cstime} of {@code /proc/PID/stat}), plus the
     *         running children's; 0 when there is no server of ours ({@code postmaster} &lt; 0)
     */
    private static long serverCpuNanos(long postmaster) throws IOException {
        if (postmaster < 0) {
            return 0;
        }
        long ticks = 0;
        String[] own = procStat(Path.of("/proc", Long.toString(postmaster), "stat"));
        if (own != null) {
            ticks += Long.parseLong(own[13]) + Long.parseLong(own[14]) + Long.parseLong(own[15]) + Long.parseLong(own[16]);
        }
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                if (!p.getFileName().toString().chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String[] f = procStat(p.resolve("stat"));
                if (f != null && Long.parseLong(f[3]) == postmaster) {
                    ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
                }
            }
        }
        return ticks * (1_000_000_000L / CLOCK_TICKS);
    }

    /** Linux's USER_HZ, the unit of {@code /proc/PID/stat}'s times. */
    private static final long CLOCK_TICKS = 100;

    /** @return the fields of a {@code /proc/PID/stat} (numbered from 0, the command's parentheses skipped), or null when it ended */
    private static String[] procStat(Path stat) {
        try {
            String text = Files.readString(stat);
            String afterCommand = text.substring(text.lastIndexOf(')') + 2);
            String[] rest = afterCommand.trim().split(" ");
            String[] out = new String[rest.length + 2];
            System.arraycopy(rest, 0, out, 2, rest.length);
            return out;
        } catch (IOException | RuntimeException e) {
            return null; // the process ended meanwhile
        }
    }

    /** What a pgbench run did: its rate, transactions and the CPU time of the pgbench process. */
    private record Floor(double rate, long transactions, long clientCpuNanos) {
    }

    /** Runs {@link #FLOOR} with pgbench on the tickets numbered {@code first} to {@code last}. */
    private static Floor pgbench(String jdbcUrl, long first, long last, int clients, int seconds)
            throws IOException, InterruptedException {
        Matcher m = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/([^?]+)").matcher(jdbcUrl);
        if (!m.find()) {
            throw new IllegalArgumentException("pgbench needs a jdbc:postgresql://host:port/db URL");
        }
        Path dir = Files.createTempDirectory("usher-pgbench-");
        try {
            Path script = dir.resolve("floor.sql");
            // The ids of the tickets issued are consecutive; pgbench draws among them.
            Files.writeString(script, FLOOR.replace("random(1, :tickets)", "random(" + first + ", " + last + ")"));
            List<String> command = List.of(dev.usher.testing.Tools.postgresBin().resolve("pgbench").toString(), "-n", "-M", "prepared",
                    "-h", m.group(1), "-p", m.group(2), "-U", "postgres", "-c", Integer.toString(clients),
                    "-j", Integer.toString(Math.min(clients, 4)), "-T", Integer.toString(seconds), "-f", script.toString(),
                    "-l", "--log-prefix=" + dir.resolve("log"), m.group(3));
            // Through a shell whose "times" reports the CPU time pgbench used (its child's user and system times).
            StringBuilder shell = new StringBuilder();
            for (String word : command) {
                shell.append('\'').append(word.replace("'", "'\\''")).append("' ");
            }
            Process p = new ProcessBuilder("bash", "-c", shell + "; s=$?; echo; echo pgbench-cpu; times; exit $s")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(seconds + 60L, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("pgbench failed: " + out);
            }
            Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(out);
            if (!tps.find()) {
                throw new IOException("no tps in pgbench's output: " + out);
            }
            long[] latencies;
            try (Stream<Path> logs = Files.list(dir)) {
                latencies = logs.filter(f -> f.getFileName().toString().startsWith("log")).flatMap(f -> {
                    try {
                        return Files.readAllLines(f).stream();
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                }).mapToLong(line -> Long.parseLong(line.split(" ")[2])).sorted().toArray();
            }
            double rate = Double.parseDouble(tps.group(1));
            System.out.printf("        pgbench: transactions/s: %.0f   p50: %.2f ms   p99: %.2f ms%n", rate,
                    latencies.length == 0 ? 0 : latencies[latencies.length / 2] / 1e3,
                    latencies.length == 0 ? 0 : latencies[Math.min(latencies.length - 1, (int) (latencies.length * 0.99))] / 1e3);
            // "times" prints the shell's user and system times, then its children's: the last pair is pgbench's.
            Matcher t = Pattern.compile("(\\d+)m([0-9.]+)s (\\d+)m([0-9.]+)s").matcher(out.substring(out.lastIndexOf("pgbench-cpu")));
            long cpu = 0;
            while (t.find()) {
                cpu = (long) ((Long.parseLong(t.group(1)) * 60 + Double.parseDouble(t.group(2))
                        + Long.parseLong(t.group(3)) * 60 + Double.parseDouble(t.group(4))) * 1e9);
            }
            return new Floor(rate, latencies.length, cpu);
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            }
            dir.toFile().delete();
        }
    }

    private record Result(long count, long newPlaybacks, long refused, long failed, long p50Nanos, long p99Nanos) {
    }

    private static Result run(UsherService service, List<Ticket> tickets, int clients, int seconds, boolean measure)
            throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        CountDownLatch done = new CountDownLatch(clients);
        long[][] latencies = new long[clients][];
        int[] counts = new int[clients];
        AtomicLong fresh = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        for (int c = 0; c < clients; c++) {
            int id = c;
            Thread t = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(id * 7919L + System.nanoTime());
                long[] lat = new long[1 << 16];
                int n = 0;
                Ticket[] recentTicket = new Ticket[16];
                IpAddress[] recentClient = new IpAddress[16];
                try {
                    while (System.nanoTime() < end) {
                        int slot = random.nextInt(16);
                        Ticket ticket;
                        IpAddress client;
                        if (recentTicket[slot] == null || random.nextInt(5) == 0) {
                            ticket = tickets.get(random.nextInt(tickets.size()));
                            long a = ADDRESSES.incrementAndGet();
                            client = IpAddress.ofV4((int) (0x0A000000L + a));
                            recentTicket[slot] = ticket;
                            recentClient[slot] = client;
                        } else {
                            ticket = recentTicket[slot];
                            client = recentClient[slot];
                        }
                        PlaybackRequest request = PlaybackRequest.of(ticket.key(), ticket.pass(), client, "live",
                                ticket.video().text());
                        long t0 = System.nanoTime();
                        Decision d;
                        try {
                            d = service.authorize(request);
                        } catch (RepositoryException e) {
                            // A wait past the query timeout (the hot ticket's queue) fails that one
                            // decision, as a filter refuses that one request; the client goes on, so a
                            // round keeps its clients, and the wait still counts in the latencies.
                            d = null;
                            failed.incrementAndGet();
                        }
                        long took = System.nanoTime() - t0;
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, n * 2);
                        }
                        lat[n++] = took;
                        if (d == null) {
                            continue;
                        } else if (!d.granted()) {
                            refused.incrementAndGet();
                        } else if (d.newPlayback()) {
                            fresh.incrementAndGet();
                        }
                    }
                } finally {
                    latencies[id] = Arrays.copyOf(lat, n);
                    counts[id] = n;
                    done.countDown();
                }
            }, "client-" + c);
            t.start();
        }
        done.await();
        long total = 0;
        for (int c : counts) {
            total += c;
        }
        long[] all = new long[(int) total];
        int pos = 0;
        for (long[] l : latencies) {
            System.arraycopy(l, 0, all, pos, l.length);
            pos += l.length;
        }
        Arrays.sort(all);
        long p50 = all.length == 0 ? 0 : all[(int) (all.length * 0.50)];
        long p99 = all.length == 0 ? 0 : all[Math.min(all.length - 1, (int) (all.length * 0.99))];
        return new Result(total, fresh.get(), refused.get(), failed.get(), p50, p99);
    }

    /** Client addresses never used before in this run: each new playback has its own. */
    private static final AtomicLong ADDRESSES = new AtomicLong();
}
