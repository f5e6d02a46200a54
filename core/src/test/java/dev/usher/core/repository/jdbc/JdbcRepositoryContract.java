package dev.usher.core.repository.jdbc;

import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.decision.Reason;
import dev.usher.core.net.IpAddress;
import dev.usher.core.repository.RepositoryException;
import dev.usher.core.repository.TicketRepository;
import dev.usher.core.repository.TicketRepositoryContract;
import dev.usher.core.rule.IpRestriction;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import dev.usher.core.ticket.TicketKeys;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLNonTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.Logger;
import javax.sql.DataSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The repository contract on a database, and what only a database can get wrong. */
abstract class JdbcRepositoryContract extends TicketRepositoryContract {

    /** @return a data source over a fresh, empty database (or schema) */
    protected abstract DataSource newDataSource() throws Exception;

    /** Releases what {@link #newDataSource()} made. */
    protected void release(DataSource dataSource) throws Exception {
    }

    protected static JdbcOptions testOptions() {
        return JdbcOptions.defaults().withCreateSchema(true).withPurgeInterval(Duration.ZERO);
    }

    @Override
    protected Store newStore() throws Exception {
        DataSource ds = newDataSource();
        return new Store() {
            @Override
            public TicketRepository node(UsherSettings settings) {
                return new JdbcTicketRepository(ds, settings, testOptions());
            }

            @Override
            public void close() throws Exception {
                release(ds);
            }
        };
    }

    private static final UsherSettings SETTINGS = UsherSettings.defaults().withServerName("node-a");

    @Test
    void aSignedRequestRetriedOnAnotherNodeGetsTheFirstAnswer() throws Exception {
        DataSource ds = newDataSource();
        try {
            java.time.Clock clock = java.time.Clock.systemUTC();
            dev.usher.core.account.AccountRegistry accounts = new dev.usher.core.account.AccountRegistry(
                    java.util.List.of(dev.usher.core.testing.Fixture.STEF));
            dev.usher.core.service.UsherService a = new dev.usher.core.service.UsherService(
                    new JdbcTicketRepository(ds, SETTINGS, testOptions()), SETTINGS);
            dev.usher.core.service.UsherService b = new dev.usher.core.service.UsherService(
                    new JdbcTicketRepository(ds, SETTINGS, testOptions()), SETTINGS);
            dev.usher.core.api.SevuApi apiA = new dev.usher.core.api.SevuApi(a, accounts, Duration.ofMinutes(5), clock);
            dev.usher.core.api.SevuApi apiB = new dev.usher.core.api.SevuApi(b, accounts, Duration.ofMinutes(5), clock);
            java.util.Map<String, Object> request = new java.util.LinkedHashMap<>();
            request.put("command", "sevu.request");
            request.put("api_key", dev.usher.core.testing.Fixture.STEF.apiKey());
            request.put("timestamp", clock.instant().getEpochSecond());
            request.put("cdn", 28);
            request.put("app", "stef-live");
            request.put("video", "mystream");
            request.put("pass", "unique_random_string_per_request");
            request.put("ip", "auto");
            request.put("uses", 5);
            request.put("expire", "+1 hour");
            String signed = dev.usher.core.api.SevuClients.php(request, dev.usher.core.testing.Fixture.STEF.secret());
            dev.usher.core.api.SevuApi.Answer first = apiA.handle(signed);
            assertEquals(dev.usher.core.api.ApiCode.TICKET_GRANTED, first.code());
            // Issue 11: the other node answers the retry with the first answer (was 0013 refused).
            dev.usher.core.api.SevuApi.Answer again = apiB.handle(signed);
            assertEquals(dev.usher.core.api.ApiCode.TICKET_GRANTED, again.code(), "the other node knows it too");
            assertEquals(ticketKey(first), ticketKey(again), "the same ticket, the same key");
            assertEquals(1, b.search(dev.usher.core.testing.Fixture.STEF,
                    new dev.usher.core.repository.TicketQuery(null, null, 10)).size(), "one ticket, not two");
        } finally {
            release(ds);
        }
    }

    @Test
    void racingCopiesOfOneSignedRequestOnTwoNodesMakeOneTicket() throws Exception {
        DataSource ds = newDataSource();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(16);
        try {
            java.time.Clock clock = java.time.Clock.systemUTC();
            dev.usher.core.account.AccountRegistry accounts = new dev.usher.core.account.AccountRegistry(
                    java.util.List.of(dev.usher.core.testing.Fixture.STEF));
            java.util.List<dev.usher.core.api.SevuApi> nodes = new java.util.ArrayList<>();
            dev.usher.core.service.UsherService any = null;
            for (int n = 0; n < 2; n++) {
                JdbcTicketRepository repository = new JdbcTicketRepository(ds, SETTINGS, testOptions());
                repository.dialect(); // both nodes started (schema in place) before the race
                any = new dev.usher.core.service.UsherService(repository, SETTINGS);
                nodes.add(new dev.usher.core.api.SevuApi(any, accounts, Duration.ofMinutes(5), clock));
            }
            java.util.Map<String, Object> request = new java.util.LinkedHashMap<>();
            request.put("command", "sevu.request");
            request.put("api_key", dev.usher.core.testing.Fixture.STEF.apiKey());
            request.put("timestamp", clock.instant().getEpochSecond());
            request.put("cdn", 28);
            request.put("app", "stef-live");
            request.put("video", "mystream");
            request.put("pass", "constant-pass");
            request.put("ip", "auto");
            request.put("uses", 1);
            request.put("expire", "+1 hour");
            String signed = dev.usher.core.api.SevuClients.php(request, dev.usher.core.testing.Fixture.STEF.secret());
            java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
            java.util.List<java.util.concurrent.Future<dev.usher.core.api.SevuApi.Answer>> answers = new java.util.ArrayList<>();
            for (int t = 0; t < 32; t++) {
                dev.usher.core.api.SevuApi node = nodes.get(t % 2);
                answers.add(pool.submit(() -> {
                    start.await();
                    return node.handle(signed);
                }));
            }
            start.countDown();
            java.util.Set<Object> keys = new java.util.HashSet<>();
            for (java.util.concurrent.Future<dev.usher.core.api.SevuApi.Answer> f : answers) {
                dev.usher.core.api.SevuApi.Answer a = f.get();
                assertEquals(dev.usher.core.api.ApiCode.TICKET_GRANTED, a.code(), a.json());
                keys.add(ticketKey(a));
            }
            assertEquals(1, keys.size(), "every copy got the one ticket: " + keys);
            assertEquals(1, any.search(dev.usher.core.testing.Fixture.STEF,
                    new dev.usher.core.repository.TicketQuery(null, null, 10)).size(), "one ticket, not two");
        } finally {
            pool.shutdownNow();
            release(ds);
        }
    }

    @SuppressWarnings("unchecked")
    private static Object ticketKey(dev.usher.core.api.SevuApi.Answer a) {
        return ((java.util.Map<String, Object>) a.body().get("ticket")).get("key");
    }

    @Test
    void theSchemaIsCreatedOnceAndItsVersionRecorded() throws Exception {
        DataSource ds = newDataSource();
        try {
            JdbcTicketRepository a = new JdbcTicketRepository(ds, SETTINGS, testOptions());
            JdbcTicketRepository b = new JdbcTicketRepository(ds, SETTINGS, testOptions());
            a.dialect();
            b.dialect();
            new JdbcTicketRepository(ds, SETTINGS, testOptions().withCreateSchema(false)).dialect();
            try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(
                    "SELECT version, description FROM usher_schema_version ORDER BY version"); ResultSet rs = ps.executeQuery()) {
                // Version 2 (issue 10) is applied over version 1, versions 4 and 5 (issue 11) over 2: one
                // row per version, in order (numbers may skip); the versions are those of the jar's scripts.
                for (int version : JdbcSchema.SCHEMA_VERSIONS) {
                    assertTrue(rs.next());
                    assertEquals(version, rs.getInt(1));
                    assertTrue(rs.getString(2).startsWith("V" + version + "__"), rs.getString(2));
                }
                assertTrue(!rs.next(), "one row per version");
            }
        } finally {
            release(ds);
        }
    }

    /** A database as Usher 1 left it: schema version 1, a ticket with an open playback and two attempts. */
    private static void createVersion1WithData(DataSource ds, Instant at) throws SQLException {
        try (Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement()) {
            for (String sql : JdbcSchema.schemaStatements(JdbcSchema.SCHEMA_RESOURCE)) {
                st.execute(sql);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO usher_schema_version (version, description, installed) VALUES (1, 'V1__schema.sql', ?)")) {
                ps.setObject(1, at.atOffset(java.time.ZoneOffset.UTC));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO usher_tickets (ticket_key, cdn_id, pass, ip,"
                    + " ip_bindings, video, app, uses, active, created, expires, used_date)"
                    + " VALUES ('mystream.0123456789abcd.12345678', 158, 'secret-pass', 'auto', '198.51.100.7/32',"
                    + " 'mystream', 'live', 2, TRUE, ?, ?, ?)")) {
                ps.setObject(1, at.atOffset(java.time.ZoneOffset.UTC));
                ps.setObject(2, at.plus(Duration.ofDays(1)).atOffset(java.time.ZoneOffset.UTC));
                ps.setObject(3, at.atOffset(java.time.ZoneOffset.UTC));
                ps.executeUpdate();
            }
            for (String reason : List.of("Success", "Invalid Auth Token")) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO usher_attempts (ticket_key, attempted_at, ip,"
                        + " video, app, appinst, pageurl, refurl, reason, server) VALUES"
                        + " ('mystream.0123456789abcd.12345678', ?, '198.51.100.7', 'mystream', 'live', '_definst_', '', '', ?, 'old')")) {
                    ps.setObject(1, at.atOffset(java.time.ZoneOffset.UTC));
                    ps.setString(2, reason);
                    ps.executeUpdate();
                }
            }
        }
    }

    @Test
    void aVersion1DatabaseWithDataIsUpgradedInPlace() throws Exception {
        DataSource ds = newDataSource();
        try {
            Instant at = Instant.parse("2030-01-01T00:00:00Z");
            createVersion1WithData(ds, at);
            RepositoryException old = assertThrows(RepositoryException.class,
                    () -> new JdbcTicketRepository(ds, SETTINGS, testOptions().withCreateSchema(false)).dialect());
            assertTrue(old.getMessage().contains("V2__attempt_log_limits.sql") && !old.getMessage().contains("V1__"),
                    "names the script still to run: " + old.getMessage());

            JdbcTicketRepository repo = new JdbcTicketRepository(ds, SETTINGS, testOptions());
            String key = "mystream.0123456789abcd.12345678";
            Ticket t = repo.find(key).orElseThrow();
            assertEquals(2, t.uses());
            assertEquals(1, t.ip().boundCount());
            List<dev.usher.core.attempt.Attempt> log = repo.attempts(key, null, 10);
            assertEquals(2, log.size(), "the old attempts are kept");
            assertTrue(log.stream().allMatch(a -> a.count() == 1 && a.failedStatus() == 0));
            // The new rules work on the old rows: a repeat of the old refusal is counted in it.
            Instant soon = at.plusSeconds(10);
            repo.decide(PlaybackRequest.of(key, "wrong", IpAddress.parse("198.51.100.7"), "live", "mystream"), soon);
            log = repo.attempts(key, null, 10);
            assertEquals(2, log.size());
            assertEquals(2, log.get(1).count());
            assertTrue(repo.decide(PlaybackRequest.of(key, "secret-pass", IpAddress.parse("198.51.100.7"), "live", "mystream"),
                    soon).granted());
            new JdbcTicketRepository(ds, SETTINGS, testOptions().withCreateSchema(false)).dialect(); // now at version 2
        } finally {
            release(ds);
        }
    }

    /** A database as version 2 left it: the version-1 data, version 2 applied, and a ticket never used. */
    private static void createVersion2WithData(DataSource ds, Instant at) throws SQLException {
        createVersion1WithData(ds, at);
        try (Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement()) {
            for (String sql : JdbcSchema.schemaStatements(JdbcSchema.SCHEMA_RESOURCES.get(1))) {
                st.execute(sql);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO usher_schema_version (version, description, installed) VALUES (2, 'V2__attempt_log_limits.sql', ?)")) {
                ps.setObject(1, at.atOffset(java.time.ZoneOffset.UTC));
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO usher_tickets (ticket_key, cdn_id, pass, ip,"
                    + " ip_bindings, video, app, uses, active, created, expires, used_date)"
                    + " VALUES ('other.0123456789abcd.12345678', 158, 'other-pass', 'auto/24|auto/24', '',"
                    + " 'other', 'live', 3, TRUE, ?, ?, NULL)")) {
                ps.setObject(1, at.plusSeconds(1).atOffset(java.time.ZoneOffset.UTC));
                ps.setObject(2, at.plus(Duration.ofDays(1)).atOffset(java.time.ZoneOffset.UTC));
                ps.executeUpdate();
            }
        }
    }

    /** Runs, on a version-2 database, the scripts after version 2 and before {@code version}, and records them. */
    private static void upgradeVersion2To(DataSource ds, Instant at, int version) throws SQLException {
        try (Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement()) {
            for (int i = 2; i < JdbcSchema.SCHEMA_VERSIONS.indexOf(version); i++) {
                for (String sql : JdbcSchema.schemaStatements(JdbcSchema.SCHEMA_RESOURCES.get(i))) {
                    st.execute(sql);
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO usher_schema_version (version, description, installed) VALUES (?, ?, ?)")) {
                    ps.setInt(1, JdbcSchema.SCHEMA_VERSIONS.get(i));
                    ps.setString(2, "V" + JdbcSchema.SCHEMA_VERSIONS.get(i) + "__");
                    ps.setObject(3, at.atOffset(java.time.ZoneOffset.UTC));
                    ps.executeUpdate();
                }
            }
        }
    }

    @Test
    void aVersion2DatabaseWithTicketsIsNumberedAndGetsLastUsesInPlace() throws Exception {
        DataSource ds = newDataSource();
        try {
            Instant at = Instant.parse("2030-01-01T00:00:00Z");
            createVersion2WithData(ds, at);
            RepositoryException old = assertThrows(RepositoryException.class,
                    () -> new JdbcTicketRepository(ds, SETTINGS, testOptions().withCreateSchema(false)).dialect());
            assertTrue(old.getMessage().contains("V5__ticket_ids_last_use.sql") && !old.getMessage().contains("V2__"),
                    "names the script still to run: " + old.getMessage());

            JdbcTicketRepository repo = new JdbcTicketRepository(ds, SETTINGS, testOptions());
            Ticket used = repo.find("mystream.0123456789abcd.12345678").orElseThrow();
            Ticket unused = repo.find("other.0123456789abcd.12345678").orElseThrow();
            assertTrue(used.id() > 0 && unused.id() > 0 && used.id() != unused.id(),
                    "the stored tickets are numbered: " + used.id() + ", " + unused.id());
            assertEquals(at, used.usedDate());
            assertEquals(at, used.lastUsed(), "an old ticket's last known use is its first");
            assertEquals(null, unused.lastUsed());
            assertEquals(2, used.uses());
            assertEquals(1, used.ip().boundCount(), "the old binding is kept");
            assertEquals(2, repo.attempts(used.key(), null, 10).size(), "the old attempts are kept");

            // New tickets continue the numbering, and a use stores its last-use date.
            UsherService service = new UsherService(repo, SETTINGS, Clock.fixed(at.plusSeconds(60), java.time.ZoneOffset.UTC),
                    new TicketKeys());
            Ticket fresh = service.issue(Fixture.DEMO, IssueRequest.of("live", "v", "passpasspass", "auto", 5, "+1 hour"));
            assertTrue(fresh.id() > Math.max(used.id(), unused.id()), "new numbers after the old ones: " + fresh.id());
            assertTrue(service.authorize(PlaybackRequest.of(unused.key(), "other-pass", IpAddress.parse("192.0.2.9"),
                    "live", "other")).granted());
            Ticket bound = repo.find(unused.key()).orElseThrow();
            assertEquals(at.plusSeconds(60), bound.lastUsed());
            assertEquals("192.0.2.0/24|auto/24", bound.ip().shown());
            new JdbcTicketRepository(ds, SETTINGS, testOptions().withCreateSchema(false)).dialect(); // now at version 5
            new JdbcTicketRepository(ds, SETTINGS, testOptions()).dialect(); // and the scripts run again harmlessly
            assertEquals(bound, repo.find(unused.key()).orElseThrow());
        } finally {
            release(ds);
        }
    }

    @Test
    void aVersion5DatabaseWithTicketsIsSearchedByVideoAfterItsUpgrade() throws Exception {
        DataSource ds = newDataSource();
        try {
            Instant at = Instant.parse("2030-01-01T00:00:00Z");
            createVersion2WithData(ds, at);
            upgradeVersion2To(ds, at, 7); // versions 4 and 5, as Usher 5 left it
            RepositoryException old = assertThrows(RepositoryException.class,
                    () -> new JdbcTicketRepository(ds, SETTINGS, testOptions().withCreateSchema(false)).dialect());
            assertTrue(old.getMessage().contains("V7__video_index.sql") && !old.getMessage().contains("V5__"),
                    "names the script still to run: " + old.getMessage());

            JdbcTicketRepository repo = new JdbcTicketRepository(ds, SETTINGS, testOptions());
            dev.usher.testing.MutableClock clock = new dev.usher.testing.MutableClock(at.plusSeconds(60));
            UsherService service = new UsherService(repo, SETTINGS, clock, new TicketKeys());
            Ticket fresh = service.issue(Fixture.DEMO, IssueRequest.of("live", "mystream|b", "passpasspass", "auto", 5, "+1 hour"));
            clock.advance(Duration.ofSeconds(1));
            Ticket pattern = service.issue(Fixture.DEMO, IssueRequest.of("live", "my*", "passpasspass", "auto", 5, "+1 hour"));
            // The tickets stored before version 7 are found as before (matched in Java), the new ones by the index.
            assertEquals(List.of(pattern.key(), fresh.key(), "mystream.0123456789abcd.12345678"),
                    repo.search(Fixture.DEMO.cdnId(), dev.usher.core.repository.TicketQuery.byVideo("mystream"))
                            .stream().map(Ticket::key).toList());
            assertEquals(List.of("other.0123456789abcd.12345678"),
                    repo.search(Fixture.DEMO.cdnId(), dev.usher.core.repository.TicketQuery.byVideo("other"))
                            .stream().map(Ticket::key).toList());
            assertEquals(List.of(pattern.key(), fresh.key()), repo.search(Fixture.DEMO.cdnId(),
                    dev.usher.core.repository.TicketQuery.byVideo("mystream|b")).stream().map(Ticket::key).toList(),
                    "a ticket's whole video text finds it (and my* matches that text too)");
            assertEquals(List.of(), repo.search(Fixture.STEF.cdnId(), dev.usher.core.repository.TicketQuery.byVideo("mystream")),
                    "another account's search sees none of them");
            assertTrue(repo.delete(Fixture.DEMO.cdnId(), fresh.key()), "a ticket with indexed videos is deleted with them");
            assertEquals(List.of(pattern.key(), "mystream.0123456789abcd.12345678"),
                    repo.search(Fixture.DEMO.cdnId(), dev.usher.core.repository.TicketQuery.byVideo("mystream"))
                            .stream().map(Ticket::key).toList());
            new JdbcTicketRepository(ds, SETTINGS, testOptions().withCreateSchema(false)).dialect(); // now at version 7
        } finally {
            release(ds);
        }
    }

    @Test
    void aVersion7DatabaseWithTicketsGetsTheConcurrentRuleInPlace() throws Exception {
        DataSource ds = newDataSource();
        try {
            Instant at = Instant.parse("2030-01-01T00:00:00Z");
            createVersion2WithData(ds, at);
            upgradeVersion2To(ds, at, 9); // the versions before 9, as Usher 7 left it
            RepositoryException old = assertThrows(RepositoryException.class,
                    () -> new JdbcTicketRepository(ds, SETTINGS, testOptions().withCreateSchema(false)).dialect());
            assertTrue(old.getMessage().contains("V9__ticket_concurrent.sql") && !old.getMessage().contains("V7__"),
                    "names the script still to run: " + old.getMessage());

            JdbcTicketRepository repo = new JdbcTicketRepository(ds, SETTINGS, testOptions());
            Ticket used = repo.find("mystream.0123456789abcd.12345678").orElseThrow();
            assertEquals(0, used.concurrent(), "a ticket stored before version 9 has no limit");
            assertEquals(2, used.uses());
            assertEquals(1, used.ip().boundCount(), "the old binding is kept");
            assertEquals(2, repo.attempts(used.key(), null, 10).size(), "the old attempts are kept");
            // An old ticket is decided as before: the viewer count is never asked.
            assertTrue(repo.decide(PlaybackRequest.of(used.key(), "secret-pass", IpAddress.parse("198.51.100.7"), "live",
                    "mystream").withOtherViewers(() -> {
                        throw new AssertionError("asked");
                    }), at.plusSeconds(60)).granted());

            UsherService service = new UsherService(repo, SETTINGS, Clock.fixed(at.plusSeconds(60), java.time.ZoneOffset.UTC),
                    new TicketKeys());
            Ticket limited = service.issue(Fixture.DEMO, IssueRequest.of("live", "v", "passpasspass", "auto", 5, "+1 hour")
                    .withConcurrent(3));
            assertEquals(limited, repo.find(limited.key()).orElseThrow(), "a new ticket stores its limit");
            assertEquals(3, repo.find(limited.key()).orElseThrow().concurrent());
            assertEquals(Reason.TOO_MANY_PLAYBACKS, service.authorize(PlaybackRequest.of(limited.key(), "passpasspass",
                    IpAddress.parse("192.0.2.9"), "live", "v").withOtherViewers(() -> 3)).reason());
            new JdbcTicketRepository(ds, SETTINGS, testOptions().withCreateSchema(false)).dialect(); // now at version 9
            new JdbcTicketRepository(ds, SETTINGS, testOptions()).dialect(); // and the scripts run again harmlessly
            assertEquals(limited, repo.find(limited.key()).orElseThrow());
        } finally {
            release(ds);
        }
    }

    @Test
    void withoutTheSchemaFirstUseFailsClearlyAndNeverGrants() throws Exception {
        DataSource ds = newDataSource();
        try {
            JdbcTicketRepository repo = new JdbcTicketRepository(ds, SETTINGS, JdbcOptions.defaults());
            RepositoryException e = assertThrows(RepositoryException.class, () -> repo.decide(
                    PlaybackRequest.of("k.1.2", "p", IpAddress.parse("1.2.3.4"), "a", "v"), Instant.now()));
            assertTrue(e.getMessage().contains("usher.jdbc.create-schema") && e.getMessage().contains("V1__schema.sql"),
                    e.getMessage());
        } finally {
            release(ds);
        }
    }

    @Test
    void aLockedTicketTimesOutInsteadOfHanging() throws Exception {
        DataSource ds = newDataSource();
        try {
            JdbcTicketRepository repo = new JdbcTicketRepository(ds, SETTINGS,
                    testOptions().withQueryTimeout(Duration.ofSeconds(1)));
            UsherService service = new UsherService(repo, SETTINGS, Clock.systemUTC(), new TicketKeys());
            Ticket t = service.issue(Fixture.STEF, IssueRequest.of("a", "v", "passpasspass", "0.0.0.0/0", 5, "+1 hour"));
            PlaybackRequest request = PlaybackRequest.of(t.key(), t.pass(), IpAddress.parse("1.2.3.4"), "a", "v");
            try (Connection holder = ds.getConnection()) {
                holder.setAutoCommit(false);
                try (PreparedStatement ps = holder.prepareStatement(
                        "SELECT uses FROM usher_tickets WHERE ticket_key = ? FOR UPDATE")) {
                    ps.setString(1, t.key());
                    ps.executeQuery().close();
                }
                long start = System.nanoTime();
                RepositoryException e = assertThrows(RepositoryException.class, () -> service.authorize(request));
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(millis < 15_000, "gave up after " + millis + " ms");
                assertTrue(e.getMessage().startsWith("JDBC ticket repository: decide"), e.getMessage());
                holder.rollback();
            }
            assertTrue(service.authorize(request).granted(), "the lock released, decisions go on");
            assertEquals(4, repo.find(t.key()).orElseThrow().uses(), "the timed-out decision stored nothing");
        } finally {
            release(ds);
        }
    }

    /** What a viewer's decision holds on its ticket's row while it decides (as {@code JdbcTicketRepository} locks it). */
    private static String viewerLock(Connection c) throws SQLException {
        return c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres")
                ? " FOR NO KEY UPDATE" : " FOR UPDATE";
    }

    @Test
    void onPostgresAWrongPassIsRefusedAndLoggedWhileAViewerHoldsTheTicket() throws Exception {
        DataSource ds = newDataSource();
        try {
            JdbcTicketRepository repo = new JdbcTicketRepository(ds, SETTINGS,
                    testOptions().withQueryTimeout(Duration.ofSeconds(1)));
            UsherService service = new UsherService(repo, SETTINGS, Clock.systemUTC(), new TicketKeys());
            Ticket t = service.issue(Fixture.STEF, IssueRequest.of("a", "v", "passpasspass", "0.0.0.0/0", 5, "+1 hour"));
            Ticket revoked = service.issue(Fixture.STEF, IssueRequest.of("a", "v", "passpasspass", "0.0.0.0/0", 5, "+1 hour"));
            repo.update(revoked.cdnId(), revoked.key(), dev.usher.core.repository.TicketChange.revoke());
            try (Connection holder = ds.getConnection()) {
                holder.setAutoCommit(false);
                for (Ticket held : List.of(t, revoked)) {
                    try (PreparedStatement ps = holder.prepareStatement(
                            "SELECT uses FROM usher_tickets WHERE ticket_key = ?" + viewerLock(holder))) {
                        ps.setString(1, held.key());
                        ps.executeQuery().close();
                    }
                }
                if (viewerLock(holder).contains("NO KEY")) {
                    // PostgreSQL. Before, the refusal waited for the lock and timed out (RepositoryException).
                    assertEquals(dev.usher.core.decision.Reason.INVALID_AUTH_TOKEN, service.authorize(
                            PlaybackRequest.of(t.key(), "wrong", IpAddress.parse("1.2.3.4"), "a", "v")).reason());
                    assertEquals(dev.usher.core.decision.Reason.WRONG_APPLICATION, service.authorize(
                            PlaybackRequest.of(t.key(), t.pass(), IpAddress.parse("1.2.3.4"), "b", "v")).reason());
                    assertEquals(dev.usher.core.decision.Reason.TOKEN_REVOKED, service.authorize(
                            PlaybackRequest.of(revoked.key(), revoked.pass(), IpAddress.parse("1.2.3.4"), "a", "v")).reason());
                    holder.rollback();
                    assertEquals(List.of(dev.usher.core.decision.Reason.INVALID_AUTH_TOKEN,
                                    dev.usher.core.decision.Reason.WRONG_APPLICATION),
                            repo.attempts(t.key(), null, 10).stream().map(a -> a.reason()).toList(), "each refusal is logged");
                } else {
                    // H2 has no lock that orders the log's appends without the ticket's: there the
                    // refusal's append waits for the row lock, as before, and a timeout stores nothing.
                    assertThrows(RepositoryException.class, () -> service.authorize(
                            PlaybackRequest.of(t.key(), "wrong", IpAddress.parse("1.2.3.4"), "a", "v")));
                    holder.rollback();
                    assertEquals(List.of(), repo.attempts(t.key(), null, 10));
                }
            }
            assertEquals(5, repo.find(t.key()).orElseThrow().uses());
        } finally {
            release(ds);
        }
    }

    @Test
    void aRunningPlaybackRefreshesItsLastSeenOncePerStep() throws Exception {
        DataSource ds = newDataSource();
        try {
            dev.usher.testing.MutableClock clock = new dev.usher.testing.MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
            JdbcTicketRepository repo = new JdbcTicketRepository(ds, SETTINGS, testOptions());
            UsherService service = new UsherService(repo, SETTINGS, clock, new TicketKeys());
            Ticket t = service.issue(Fixture.STEF, IssueRequest.of("a", "v", "passpasspass", "0.0.0.0/0", 5, "+1 hour"));
            PlaybackRequest request = PlaybackRequest.of(t.key(), t.pass(), IpAddress.parse("1.2.3.4"), "a", "v");
            Instant started = clock.instant();
            assertTrue(service.authorize(request).newPlayback());
            clock.advance(JdbcTicketRepository.LAST_SEEN_STEP.dividedBy(2));
            assertTrue(service.authorize(request).granted());
            assertEquals(started, lastSeen(ds, t.key()), "within the step: not written");
            clock.advance(JdbcTicketRepository.LAST_SEEN_STEP);
            assertTrue(service.authorize(request).granted());
            assertEquals(clock.instant(), lastSeen(ds, t.key()), "aged by the step: written");
            assertEquals(4, repo.find(t.key()).orElseThrow().uses());
            assertEquals(3, repo.attempts(t.key(), null, 10).size(), "every request is logged");
        } finally {
            release(ds);
        }
    }

    private static Instant lastSeen(DataSource ds, String key) throws SQLException {
        try (Connection c = ds.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT last_seen FROM usher_playbacks WHERE ticket_key = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
            }
        }
    }

    @Test
    void findAllReadsManyTicketsInBatches() throws Exception {
        DataSource ds = newDataSource();
        try {
            JdbcTicketRepository repo = new JdbcTicketRepository(ds, SETTINGS, testOptions());
            UsherService service = new UsherService(repo, SETTINGS, Clock.systemUTC(), new TicketKeys());
            List<String> keys = new java.util.ArrayList<>();
            java.util.Set<String> issued = new java.util.HashSet<>();
            for (int i = 0; i < 1_100; i++) { // more than one batch
                String key = service.issue(Fixture.STEF, IssueRequest.of("a", "v", "passpasspass", "auto", 1, "+1 day")).key();
                issued.add(key);
                keys.add(key);
                keys.add("missing" + i);
            }
            keys.add("x".repeat(JdbcRows.KEY_MAX + 1));
            keys.add("' OR ''='");
            java.util.Map<String, Ticket> found = repo.findAll(keys);
            assertEquals(issued, found.keySet());
            found.forEach((k, t) -> assertEquals(k, t.key()));
            assertEquals(java.util.Map.of(), repo.findAll(List.of()));
        } finally {
            release(ds);
        }
    }

    @Test
    void grantsPastTheCapKeepTheLogAtTheCapExactly() throws Exception {
        DataSource ds = newDataSource();
        try {
            UsherSettings capped = SETTINGS.withMaxAttemptsPerTicket(3);
            JdbcTicketRepository repo = new JdbcTicketRepository(ds, capped, testOptions());
            UsherService service = new UsherService(repo, capped, Clock.systemUTC(), new TicketKeys());
            Ticket t = service.issue(Fixture.STEF, IssueRequest.of("a", "v", "passpasspass", "0.0.0.0/0", 10, "+1 hour"));
            for (int i = 0; i < 6; i++) { // the grant path's own count (one statement with the insert on PostgreSQL)
                assertTrue(service.authorize(PlaybackRequest.of(t.key(), t.pass(), IpAddress.parse("192.0.2." + i), "a", "v"))
                        .newPlayback());
                try (Connection c = ds.getConnection();
                     PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM usher_attempts WHERE ticket_key = ?")) {
                    ps.setString(1, t.key());
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        assertEquals(Math.min(i + 1, 3), rs.getInt(1), "rows after grant " + (i + 1));
                    }
                }
            }
        } finally {
            release(ds);
        }
    }

    @Test
    void ticketsOfOneRuleTextShareItsParsedForm() throws Exception {
        DataSource ds = newDataSource();
        try {
            JdbcTicketRepository repo = new JdbcTicketRepository(ds, SETTINGS, testOptions());
            UsherService service = new UsherService(repo, SETTINGS, Clock.systemUTC(), new TicketKeys());
            Ticket a = service.issue(Fixture.STEF, IssueRequest.of("a", "v*.mp4|w", "passpasspass", "10.0.0.0/8", 5, "+1 hour"));
            Ticket b = service.issue(Fixture.STEF, IssueRequest.of("a", "v*.mp4|w", "passpasspass", "10.0.0.0/8", 5, "+1 hour"));
            Ticket ra = repo.find(a.key()).orElseThrow();
            Ticket rb = repo.find(b.key()).orElseThrow();
            assertTrue(ra.video() == rb.video() && ra.app() == rb.app() && ra.ip() == rb.ip(), "parsed once, by its text");
            assertTrue(ra.video().matches("v1.mp4") && !ra.video().matches("x.mp4"));
        } finally {
            release(ds);
        }
    }

    @Test
    void aDatabaseThatFailsNeverGrants() {
        DataSource broken = new FailingDataSource();
        JdbcTicketRepository repo = new JdbcTicketRepository(broken, SETTINGS, testOptions());
        RepositoryException e = assertThrows(RepositoryException.class, () -> repo.decide(
                PlaybackRequest.of("k.1.2", "p", IpAddress.parse("1.2.3.4"), "a", "v"), Instant.now()));
        assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
        assertThrows(RepositoryException.class, () -> repo.find("k.1.2"));
    }

    @Test
    void boundSlotsReadBackAsBound() {
        IpRestriction ip = IpRestriction.parse("10.0.0.1|auto/24|auto|auto/0|auto/16");
        ip = ip.bind(1, dev.usher.core.net.IpNetwork.parse("198.51.100.0/24"));
        ip = ip.bind(2, dev.usher.core.net.IpNetwork.parse("2001:db8:1:2::/64"));
        ip = ip.bind(3, dev.usher.core.net.IpNetwork.ANY);
        String text = JdbcRows.bindingsText(ip);
        assertEquals("|198.51.100.0/24|2001:db8:1:2::/64|0.0.0.0/0|", text);
        assertEquals(ip, JdbcRows.restoreIp(ip.text(), text));
        assertEquals("", JdbcRows.bindingsText(IpRestriction.parse("auto|auto")));
        assertEquals(List.of(), JdbcSchema.schemaStatements().stream().filter(s -> s.contains("--")).toList());
    }

    /** A data source whose database is unreachable. */
    static final class FailingDataSource implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            throw new SQLNonTransientConnectionException("connection refused", "08001");
        }

        @Override
        public Connection getConnection(String u, String p) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
        }

        @Override
        public void setLoginTimeout(int seconds) {
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> iface) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    }
}
