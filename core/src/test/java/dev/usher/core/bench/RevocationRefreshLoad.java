package dev.usher.core.bench;

import dev.usher.core.config.UsherSettings;
import dev.usher.core.repository.TicketRepository;
import dev.usher.core.repository.jdbc.JdbcOptions;
import dev.usher.core.repository.jdbc.JdbcTicketRepository;
import dev.usher.core.repository.jdbc.SimpleConnectionPool;
import dev.usher.core.service.RevocationWatch;
import dev.usher.testing.PostgresServer;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * The time one {@link RevocationWatch#refresh} takes for {@code tickets} watched tickets on a real
 * PostgreSQL server (throw-away, default durable settings), read in batches
 * ({@link TicketRepository#findAll}, as now) and one by one ({@link TicketRepository#find}, as
 * before and as a store without {@code findAll} still does), alternated in the same run. The
 * database is on the same machine, so the time is the database's plus the driver's.
 *
 * <p>Usage: {@code RevocationRefreshLoad [tickets=100000] [rounds=5]}.
 */
public final class RevocationRefreshLoad {

    public static void main(String[] args) throws Exception {
        int tickets = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        try (PostgresServer server = PostgresServer.start()) {
            server.createDatabase("usher_bench");
            try (SimpleConnectionPool ds = new SimpleConnectionPool(server.url("usher_bench"), "postgres", null, 4,
                    Duration.ofSeconds(30))) {
                UsherSettings settings = UsherSettings.defaults();
                JdbcTicketRepository repo = new JdbcTicketRepository(ds, settings,
                        JdbcOptions.defaults().withCreateSchema(true).withQueryTimeout(Duration.ofSeconds(60)));
                repo.dialect();
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    s.execute("INSERT INTO usher_tickets (ticket_key, cdn_id, pass, ip, ip_bindings, video, app, uses, active,"
                            + " created, expires) SELECT 'k' || g, 1, 'passpasspass', 'auto', '', 'v', 'a', 1, g % 100 <> 0,"
                            + " now(), now() + interval '1 day' FROM generate_series(1, " + tickets + ") g");
                    s.execute("ANALYZE usher_tickets");
                }
                // The same repository, as a store that does not override findAll: one find per ticket.
                TicketRepository oneByOne = (TicketRepository) Proxy.newProxyInstance(
                        RevocationRefreshLoad.class.getClassLoader(), new Class<?>[]{TicketRepository.class},
                        (InvocationHandler) (proxy, method, a) -> {
                            if (method.getName().equals("findAll")) {
                                return InvocationHandler.invokeDefault(proxy, method, a);
                            }
                            try {
                                return method.invoke(repo, a);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
                Instant now = Instant.now();
                RevocationWatch batched = new RevocationWatch(repo, Duration.ofHours(1));
                RevocationWatch single = new RevocationWatch(oneByOne, Duration.ofHours(1));
                for (int i = 1; i <= tickets; i++) {
                    batched.watch("k" + i, now);
                    single.watch("k" + i, now);
                }
                batched.refresh(now); // warm-up of both
                single.refresh(now);
                long[] b = new long[rounds];
                long[] o = new long[rounds];
                for (int r = 0; r < rounds; r++) {
                    long t0 = System.nanoTime();
                    batched.refresh(now);
                    b[r] = System.nanoTime() - t0;
                    t0 = System.nanoTime();
                    single.refresh(now);
                    o[r] = System.nanoTime() - t0;
                }
                System.out.printf("RevocationRefreshLoad: %d watched tickets, %d rounds%n", tickets, rounds);
                System.out.printf("batched (findAll, %d keys/query): median %.0f ms, min %.0f, max %.0f%n",
                        TicketRepository.FIND_BATCH, median(b) / 1e6, min(b) / 1e6, max(b) / 1e6);
                System.out.printf("one query per ticket (find):      median %.0f ms, min %.0f, max %.0f%n",
                        median(o) / 1e6, min(o) / 1e6, max(o) / 1e6);
                System.out.printf("ratio one-by-one / batched (median): %.1f%n", median(o) / (double) median(b));
            }
        }
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static long min(long[] v) {
        return Arrays.stream(v).min().orElse(0);
    }

    private static long max(long[] v) {
        return Arrays.stream(v).max().orElse(0);
    }
}
