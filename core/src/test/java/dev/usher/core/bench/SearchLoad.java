package dev.usher.core.bench;

import dev.usher.core.config.UsherSettings;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.repository.jdbc.JdbcOptions;
import dev.usher.core.repository.jdbc.JdbcTicketRepository;
import dev.usher.core.repository.jdbc.SimpleConnectionPool;
import dev.usher.core.rule.IpRestriction;
import dev.usher.core.rule.PatternList;
import dev.usher.core.ticket.Ticket;
import dev.usher.testing.PostgresServer;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The time of {@code sevu.search}'s repository query (issue 17 item 6) on a real PostgreSQL server
 * (throw-away, default settings) holding {@code tickets} tickets of one account: a search by video
 * that matches 10 literal tickets among them, with 100 {@code *}-pattern tickets that do not match
 * (they are the ones matched in Java), against the same account's newest 10 without a video, and
 * the newest 10 revoked ones ({@code active=0}), alternated in the same run. Before the video
 * index, a search by video read every ticket of the account and matched each in Java (98 ms
 * against 2.3 ms without a video at 100,000 tickets).
 *
 * <p>Usage: {@code SearchLoad [tickets=100000] [rounds=5] [calls-per-round=50]}; run by
 * {@code core/src/test/bench/search-load.sh}.
 */
public final class SearchLoad {

    private static final String TARGET = "sestore3/username/target.mp4";

    public static void main(String[] args) throws Exception {
        int tickets = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 50;
        try (PostgresServer server = PostgresServer.start()) {
            server.createDatabase("usher_bench");
            try (SimpleConnectionPool ds = new SimpleConnectionPool(server.url("usher_bench"), "postgres", null, 2,
                    Duration.ofSeconds(30))) {
                JdbcTicketRepository repo = new JdbcTicketRepository(ds, UsherSettings.defaults(),
                        JdbcOptions.defaults().withCreateSchema(true).withQueryTimeout(Duration.ofSeconds(60)));
                repo.dialect();
                Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
                int bulk = tickets - 110;
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    // literal tickets of other videos, as the repository stores them (schema 7: one index row per name)
                    s.execute("INSERT INTO usher_tickets (ticket_key, cdn_id, pass, ip, ip_bindings, video, app, uses, active,"
                            + " created, expires, video_literal) SELECT 'k' || g, 1, 'passpasspass', 'auto', '',"
                            + " 'sestore3/username/v' || g || '.mp4', 'a', 1, g % 100 <> 0,"
                            + " now() - g * interval '1 second', now() + interval '1 day', TRUE FROM generate_series(1, " + bulk + ") g");
                    s.execute("INSERT INTO usher_ticket_videos (cdn_id, video_hash, ticket_key) SELECT 1,"
                            + " encode(sha256(convert_to(video, 'UTF8')), 'hex'), ticket_key FROM usher_tickets");
                }
                for (int i = 0; i < 110; i++) {
                    String video = i < 10 ? TARGET : "sestore3/username/set" + i + "/*";
                    repo.insert(new Ticket("m" + i, 1, "passpasspass", IpRestriction.parse("auto"),
                            PatternList.parse("video", video), PatternList.parse("app", "a"), 1, true,
                            now.minusSeconds(10L * i), now.plus(1, ChronoUnit.DAYS), null));
                }
                try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                    s.execute("ANALYZE");
                }
                Supplier<Integer> byVideo = () -> repo.search(1, new TicketQuery(TARGET, null, TicketQuery.MAX_LIMIT)).size();
                Supplier<Integer> newest = () -> repo.search(1, new TicketQuery(null, null, 10)).size();
                Supplier<Integer> revoked = () -> repo.search(1, new TicketQuery(null, false, 10)).size();
                check("by video", byVideo.get(), 10);
                check("newest", newest.get(), 10);
                check("revoked", revoked.get(), 10);
                for (int w = 0; w < 200; w++) { // warm-up: the JIT, the server's caches
                    byVideo.get();
                    newest.get();
                    revoked.get();
                }
                long[] v = new long[rounds];
                long[] n = new long[rounds];
                long[] r = new long[rounds];
                for (int round = 0; round < rounds; round++) {
                    v[round] = perCall(byVideo, calls);
                    n[round] = perCall(newest, calls);
                    r[round] = perCall(revoked, calls);
                }
                System.out.printf("SearchLoad: %d tickets in one account, %d rounds of %d calls each%n", tickets, rounds, calls);
                print("by video (10 literal matches, 100 pattern tickets)", v);
                print("newest 10, no video", n);
                print("newest 10 with active=0", r);
                double[] ratio = new double[rounds];
                for (int i = 0; i < rounds; i++) {
                    ratio[i] = v[i] / (double) n[i];
                }
                Arrays.sort(ratio);
                System.out.printf("by video / no video, per round: median %.2f, min %.2f, max %.2f%n",
                        ratio[rounds / 2], ratio[0], ratio[rounds - 1]);
            }
        }
    }

    private static void check(String what, int found, int expected) {
        if (found != expected) {
            throw new IllegalStateException(what + ": found " + found + " tickets, expected " + expected);
        }
    }

    /** @return the mean wall time of one call, in nanoseconds */
    private static long perCall(Supplier<Integer> search, int calls) {
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            search.get();
        }
        return (System.nanoTime() - t0) / calls;
    }

    private static void print(String what, long[] perCall) {
        long[] s = perCall.clone();
        Arrays.sort(s);
        System.out.printf("%-52s median %.2f ms, min %.2f, max %.2f%n", what + ":", s[s.length / 2] / 1e6, s[0] / 1e6,
                s[s.length - 1] / 1e6);
    }
}
