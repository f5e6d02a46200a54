package dev.usher.core.bench;

import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.net.IpAddress;
import dev.usher.core.repository.jdbc.JdbcOptions;
import dev.usher.core.repository.jdbc.JdbcTicketRepository;
import dev.usher.core.repository.jdbc.SimpleConnectionPool;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import dev.usher.testing.PostgresServer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Entry decisions per second of {@link JdbcTicketRepository} on a real PostgreSQL server, with
 * {@code clients} threads each holding a pooled connection, and the p50/p99 latency of one decision.
 *
 * <p>Workload: 2,000 tickets ({@code 0.0.0.0/0}, a million uses each); every decision names a
 * random ticket; one in five starts a playback from a new client address (a use consumed, a
 * playback row inserted), four in five continue one of the thread's recent playbacks (its
 * {@code last_seen} moved). Every decision also appends its attempt. A 2 s warm-up is not counted.
 *
 * <p>Usage: {@code JdbcDecisionLoad [seconds=10] [clients=32] [jdbc-url]}; without a URL it starts
 * a throw-away PostgreSQL with the server's default (durable) settings: fsync and synchronous
 * commit on; {@code USHER_BENCH_PG_SETTINGS="synchronous_commit=off ..."} adds {@code -c} settings. Run by {@code core/src/test/bench/jdbc-load.sh}.
 */
public final class JdbcDecisionLoad {

    private static final int TICKETS = 2_000;

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 32;
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
            System.out.println("JdbcDecisionLoad: " + repo.dialect() + ", " + clients + " clients, " + seconds + " s"
                    + (server != null ? " (throw-away PostgreSQL; settings: "
                    + System.getenv().getOrDefault("USHER_BENCH_PG_SETTINGS", "defaults") + ")" : ""));
            List<Ticket> tickets = new ArrayList<>(TICKETS);
            for (int i = 0; i < TICKETS; i++) {
                tickets.add(service.issue(Fixture.STEF,
                        IssueRequest.of("live", "stream" + (i % 100), "passpasspass", "0.0.0.0/0", 1_000_000, "+1 day")));
            }
            run(service, tickets, clients, 2, false);
            Result r = run(service, tickets, clients, seconds, true);
            System.out.printf("decisions/s: %.0f   p50: %.2f ms   p99: %.2f ms   (%d decisions, %d new playbacks, %d refused)%n",
                    r.count / (double) seconds, r.p50Nanos / 1e6, r.p99Nanos / 1e6, r.count, r.newPlaybacks, r.refused);
        } finally {
            if (server != null) {
                server.close();
            }
        }
    }

    private record Result(long count, long newPlaybacks, long refused, long p50Nanos, long p99Nanos) {
    }

    private static Result run(UsherService service, List<Ticket> tickets, int clients, int seconds, boolean measure)
            throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        CountDownLatch done = new CountDownLatch(clients);
        long[][] latencies = new long[clients][];
        int[] counts = new int[clients];
        AtomicLong fresh = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        AtomicLong addresses = new AtomicLong(measure ? 1_000_000 : 0);
        for (int c = 0; c < clients; c++) {
            int id = c;
            Thread t = new Thread(() -> {
                SplittableRandom random = new SplittableRandom(id * 7919L + (measure ? 1 : 0));
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
                            long a = addresses.incrementAndGet();
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
                        Decision d = service.authorize(request);
                        long took = System.nanoTime() - t0;
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, n * 2);
                        }
                        lat[n++] = took;
                        if (!d.granted()) {
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
        return new Result(total, fresh.get(), refused.get(), p50, p99);
    }
}
