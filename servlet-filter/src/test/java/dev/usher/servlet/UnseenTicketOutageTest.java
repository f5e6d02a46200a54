package dev.usher.servlet;

import dev.usher.core.config.UsherSettings;
import dev.usher.core.net.IpNetwork;
import dev.usher.core.repository.jdbc.JdbcOptions;
import dev.usher.core.repository.jdbc.JdbcTicketRepository;
import dev.usher.core.repository.jdbc.SimpleConnectionPool;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;
import dev.usher.testing.PostgresExtension;
import dev.usher.testing.PostgresServer;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A node asked for a child of a ticket it has never seen reads the ticket first; when that read
 * fails (the database is unreachable) it answers 503 and serves nothing, as for entries, and reads
 * again on the next request.
 */
@ExtendWith(PostgresExtension.class)
class UnseenTicketOutageTest {

    @TempDir
    static Path media;

    @Test
    void aFailedReadOfAnUnseenTicketIs503AndIsRetried() throws Exception {
        PostgresServer pg = PostgresExtension.server();
        pg.createDatabase("usher_unseen");
        String jdbcUrl = pg.url("usher_unseen");
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        String secret = Base64.getEncoder().encodeToString(key);
        Files.createDirectories(media.resolve("live/show"));
        Files.write(media.resolve("live/show/seg_000.ts"), new byte[500]);
        Server node = ClusterNode.start(jdbcUrl, secret, media.toString(), "unseen");
        UsherRuntime runtime = ClusterTest.runtimeOf(node);
        try (SimpleConnectionPool pool = new SimpleConnectionPool(jdbcUrl, "postgres", null, 2, Duration.ofSeconds(5))) {
            UsherService admin = new UsherService(new JdbcTicketRepository(pool, UsherSettings.defaults(),
                    JdbcOptions.defaults().withCreateSchema(true)), UsherSettings.defaults());
            // Granted "elsewhere": this node has never seen the ticket.
            Ticket t = admin.issue(GuardedServer.ACCOUNT, IssueRequest.of("live", "show", "pass-unseen", "0.0.0.0/0", 3, "+1 hour"));
            String uc = runtime.credentials().encode(runtime.credentials().issue(t.key(), "live", "show",
                    IpNetwork.parse("0.0.0.0/0"), Instant.now().plusSeconds(3600)));
            String segment = "/media/live/show/seg_000.ts?uc=" + uc;
            // The node's repository makes its schema on first use: use it once before the outage.
            String unknown = runtime.credentials().encode(runtime.credentials().issue("show.00000000000000.00000000", "live", "show",
                    IpNetwork.parse("0.0.0.0/0"), Instant.now().plusSeconds(3600)));
            assertEquals(403, ClusterTest.get(ClusterTest.port(node), "/media/live/show/seg_000.ts?uc=" + unknown, "198.51.100.8"));
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("ALTER TABLE usher_tickets RENAME TO usher_tickets_away");
                try {
                    assertEquals(503, ClusterTest.get(ClusterTest.port(node), segment, "198.51.100.8"));
                } finally {
                    s.execute("ALTER TABLE usher_tickets_away RENAME TO usher_tickets");
                }
            }
            assertEquals(200, ClusterTest.get(ClusterTest.port(node), segment, "198.51.100.8"), "read again once the store is back");
        } finally {
            node.stop();
            runtime.close();
        }
    }
}
