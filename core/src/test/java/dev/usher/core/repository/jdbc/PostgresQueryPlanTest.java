package dev.usher.core.repository.jdbc;

import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.net.IpAddress;
import dev.usher.core.repository.TicketChange;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.testing.Fixture;
import dev.usher.testing.MutableClock;
import dev.usher.testing.PostgresExtension;
import dev.usher.core.ticket.Ticket;
import dev.usher.core.ticket.TicketKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every statement the JDBC repository sends, explained by PostgreSQL on tables of realistic size:
 * none may read a big table whole (a {@code Seq Scan} on an {@code usher_} table). The statements
 * and their parameters are recorded from a run of every operation (issue, decide in all its paths,
 * release, search by video, by active and without, attempts with the log's trim, findAll, update,
 * delete, purge, API claims), then each is explained with the parameters it was run with. The plans
 * are written to {@code target/query-plans.txt} (the README quotes them).
 */
@ExtendWith(PostgresExtension.class)
class PostgresQueryPlanTest {

    private static final List<String> BIG_TABLES = List.of("usher_tickets", "usher_playbacks", "usher_attempts",
            "usher_ticket_videos", "usher_api_requests");

    /** A statement as run: its SQL and its parameters by index (the setter and its arguments). */
    private record Run(String sql, TreeMap<Integer, Object[]> params, Map<Integer, Method> setters) {
    }

    @Test
    void noStatementReadsABigTableWhole() throws Exception {
        String url = PostgresExtension.server().url("usher_test") + "?currentSchema=plans";
        try (Connection c = DriverManager.getConnection(PostgresExtension.server().url("usher_test"), "postgres", null);
             Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA plans");
        }
        Map<String, Run> runs = new LinkedHashMap<>();
        try (SimpleConnectionPool pool = new SimpleConnectionPool(url, "postgres", null, 4, Duration.ofSeconds(10))) {
            DataSource recording = recording(pool, runs);
            MutableClock clock = new MutableClock(Instant.now());
            UsherSettings settings = UsherSettings.defaults().withServerName("plans").withMaxAttemptsPerTicket(3);
            JdbcTicketRepository repo = new JdbcTicketRepository(recording, settings,
                    JdbcOptions.defaults().withCreateSchema(true).withQueryTimeout(Duration.ofSeconds(30)));
            repo.dialect();
            fill(url);
            runs.clear(); // the schema's statements are not the repository's work
            UsherService service = new UsherService(repo, settings, clock, new TicketKeys());
            Ticket t = service.issue(Fixture.STEF, IssueRequest.of("a", "v1.mp4", "passpasspass", "auto", 5, "+1 day"));
            Ticket pattern = service.issue(Fixture.STEF, IssueRequest.of("a", "v*.mp4", "passpasspass", "auto", 5, "+1 day"));
            IpAddress client = IpAddress.parse("198.51.100.7");
            Decision grant = service.authorize(PlaybackRequest.of(t.key(), t.pass(), client, "a", "v1.mp4"));
            assertTrue(grant.granted());
            clock.advance(Duration.ofSeconds(2));
            service.authorize(PlaybackRequest.of(t.key(), t.pass(), client, "a", "v1.mp4")); // continues, refreshes last_seen
            for (int i = 0; i < 4; i++) { // refusals before and after the lock, repeated: the log's count and trim
                service.authorize(PlaybackRequest.of(t.key(), "wrong", IpAddress.parse("203.0.113." + i), "a", "v1.mp4"));
                service.authorize(PlaybackRequest.of(t.key(), t.pass(), client, "a", "other.mp4"));
            }
            Decision second = service.authorize(PlaybackRequest.of(pattern.key(), pattern.pass(), client, "a", "v2.mp4"));
            assertTrue(repo.release(second, 404, clock.instant()));
            repo.search(Fixture.STEF.cdnId(), TicketQuery.byVideo("v1.mp4"));
            repo.search(Fixture.STEF.cdnId(), new TicketQuery("v7.mp4", true, 10));
            repo.search(Fixture.STEF.cdnId(), new TicketQuery(null, false, 10));
            repo.search(Fixture.STEF.cdnId(), new TicketQuery(null, null, 10));
            repo.attempts(t.key(), null, 100);
            repo.attempts(t.key(), clock.instant().minusSeconds(60), 100);
            repo.findAll(List.of(t.key(), pattern.key(), "k17"));
            repo.find(t.key());
            repo.update(Fixture.STEF.cdnId(), t.key(), TicketChange.revoke());
            service.authorize(PlaybackRequest.of(t.key(), t.pass(), client, "a", "v1.mp4")); // revoked: before the lock
            repo.claim("request-1", clock.instant().plusSeconds(60));
            repo.answer("request-1", "{}");
            repo.answerOf("request-1");
            repo.delete(Fixture.STEF.cdnId(), pattern.key());
            repo.purge(clock.instant());

            StringBuilder report = new StringBuilder();
            List<String> scans = new ArrayList<>();
            try (Connection c = pool.getConnection()) {
                for (Run run : runs.values()) {
                    int first = 1;
                    for (String part : run.sql().split(";\n")) {
                        if (part.equals("COMMIT")) {
                            continue; // a grant's statement list ends with its commit: no query to explain
                        }
                        int count = (int) part.chars().filter(ch -> ch == '?').count();
                        String plan = explain(c, part, run, first);
                        first += count;
                        report.append(part).append('\n').append(plan).append('\n');
                        for (String table : BIG_TABLES) {
                            if (plan.contains("Seq Scan on " + table + " ")) {
                                scans.add(part + "\n" + plan);
                            }
                        }
                    }
                }
            }
            Path out = Path.of("target", "query-plans.txt");
            Files.createDirectories(out.getParent());
            Files.writeString(out, report.toString());
            assertTrue(runs.size() >= 25, "every kind of statement was run: " + runs.keySet());
            assertEquals(List.of(), scans, "statements that read a big table whole");
        }
    }

    /** Tables of realistic size, statistics taken: 50,000 tickets of 50 accounts, their playbacks and 200,000 attempts. */
    private static void fill(String url) throws Exception {
        // A connection of its own, without the pool's socket timeout: on a loaded machine the
        // 200,000 attempts took longer than it, and the setup is not what the test is about.
        try (Connection c = DriverManager.getConnection(url, "postgres", null); Statement s = c.createStatement()) {
            s.execute("INSERT INTO usher_tickets (ticket_key, cdn_id, pass, ip, ip_bindings, video, app, uses, active,"
                    + " created, expires, video_literal) SELECT 'k' || g, 28 + g % 50, 'passpasspass', 'auto', '',"
                    + " 'video' || (g % 5000) || '.mp4', 'a', 5, g % 100 <> 0, now() - g * interval '1 second',"
                    + " now() + interval '1 day', g % 10 <> 0 FROM generate_series(1, 50000) g");
            s.execute("INSERT INTO usher_ticket_videos (cdn_id, video_hash, ticket_key) SELECT cdn_id,"
                    + " encode(sha256(convert_to(video, 'UTF8')), 'hex'), ticket_key FROM usher_tickets WHERE video_literal");
            s.execute("INSERT INTO usher_playbacks (ticket_key, video, client, started, last_seen) SELECT 'k' || g,"
                    + " 'a/v', '10.0.0.1/32', now(), now() FROM generate_series(1, 50000) g");
            s.execute("INSERT INTO usher_attempts (ticket_key, attempted_at, ip, video, app, appinst, pageurl, refurl, reason,"
                    + " server) SELECT 'k' || (g % 50000 + 1), now() - g * interval '1 second', '10.0.0.1', 'v', 'a', '', '', '',"
                    + " CASE WHEN g % 3 = 0 THEN 'Success' ELSE 'Invalid Auth Token' END, 'x' FROM generate_series(1, 200000) g");
            s.execute("INSERT INTO usher_api_requests (request_id, expires) SELECT 'r' || g, now() + interval '5 minutes'"
                    + " FROM generate_series(1, 50000) g");
            s.execute("ANALYZE");
        }
    }

    /** @return PostgreSQL's plan of one statement with the parameters from {@code first} on that it ran with */
    private static String explain(Connection c, String sql, Run run, int first) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("EXPLAIN " + sql)) {
            int count = (int) sql.chars().filter(ch -> ch == '?').count();
            for (int i = 0; i < count; i++) {
                Object[] args = run.params().get(first + i).clone();
                args[0] = i + 1;
                run.setters().get(first + i).invoke(ps, args);
            }
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    plan.append("    ").append(rs.getString(1)).append('\n');
                }
            }
            return plan.toString();
        }
    }

    /** A data source that records, per distinct SQL, the last parameters it ran with. */
    private static DataSource recording(DataSource real, Map<String, Run> runs) {
        return (DataSource) Proxy.newProxyInstance(PostgresQueryPlanTest.class.getClassLoader(), new Class<?>[]{DataSource.class},
                (p, m, a) -> {
                    Object result = call(m, real, a);
                    return m.getName().equals("getConnection") ? connection((Connection) result, runs) : result;
                });
    }

    private static Connection connection(Connection real, Map<String, Run> runs) {
        return (Connection) Proxy.newProxyInstance(PostgresQueryPlanTest.class.getClassLoader(), new Class<?>[]{Connection.class},
                (p, m, a) -> {
                    Object result = call(m, real, a);
                    if (m.getName().equals("prepareStatement")) {
                        Run run = new Run((String) a[0], new TreeMap<>(), new TreeMap<>());
                        runs.put(run.sql(), run);
                        PreparedStatement ps = (PreparedStatement) result;
                        return Proxy.newProxyInstance(PostgresQueryPlanTest.class.getClassLoader(),
                                new Class<?>[]{PreparedStatement.class}, (q, sm, sa) -> {
                                    if (sm.getName().startsWith("set") && sa != null && sa.length >= 2 && sa[0] instanceof Integer i
                                            && !sm.getName().equals("setFetchSize")) {
                                        run.params().put(i, sa.clone());
                                        run.setters().put(i, sm);
                                    }
                                    return call(sm, ps, sa);
                                });
                    }
                    return result;
                });
    }

    private static Object call(Method m, Object target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
