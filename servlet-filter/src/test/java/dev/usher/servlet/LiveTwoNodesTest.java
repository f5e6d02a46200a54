package dev.usher.servlet;

import dev.usher.core.live.LiveSettings;
import dev.usher.core.live.PublisherLog;
import dev.usher.core.live.jdbc.JdbcIngestLeases;
import dev.usher.core.live.jdbc.JdbcStreamUserStore;
import dev.usher.core.live.stream.LiveStreams;
import dev.usher.core.ticket.Ticket;
import dev.usher.servlet.testing.Ffprobe;
import dev.usher.testing.Tools;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two nodes behind a load balancer: one database (stream users and ingest leases, H2 here) and
 * one shared ingest folder. Stock ffmpeg publishes to node A; node B, started while A's stream is
 * live, leaves it alone, refuses that stream's uploads with 409 (in B's publisher log) while A's
 * lease is live, and plays it from the shared folder with its own ticket; once A's session is
 * gone and its lease expired, B takes the stream.
 */
class LiveTwoNodesTest {

    static final String PASS = "cam_password_123";

    @TempDir
    Path media;
    JdbcDataSource db;
    LiveServer a;
    LiveServer b;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        Tools.requireFfmpeg();
        Tools.requireFfprobe();
        db = new JdbcDataSource();
        db.setURL("jdbc:h2:mem:twonodes" + System.nanoTime() + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
        a = node("node-a");
    }

    LiveServer node(String id) throws Exception {
        byte[] key = SHARED_KEY;
        return new LiveServer(media, LiveSettings.defaults().withPasswordKey(key).withNode(id, Duration.ofSeconds(30)),
                new JdbcStreamUserStore(db, true), new JdbcIngestLeases(db, true));
    }

    static final byte[] SHARED_KEY = new byte[32];

    static {
        new SecureRandom().nextBytes(SHARED_KEY);
    }

    @AfterEach
    void stop() throws Exception {
        a.close();
        if (b != null) {
            b.close();
        }
        try (var c = db.getConnection(); var s = c.createStatement()) {
            s.execute("SHUTDOWN");
        }
    }

    int put(LiveServer node, String file, String body) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create(node.base() + "/usher/ingest/live/cam/" + file))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("cam_user:" + PASS).getBytes(StandardCharsets.UTF_8)))
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(r, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    String served() throws Exception {
        return Files.readString(media.resolve("live/cam/r-playlist.m3u8")); // the media playlist under the entry master
    }

    @Test
    void oneNodeIngestsAStreamAtATimeAndTheOthersPlayItFromTheSharedFolder() throws Exception {
        a.addStreamUser("live", "cam", "cam_user", PASS); // through node A, into the shared database
        LiveIngestTest.publish(a.base() + "/usher/ingest/live/cam/playlist.m3u8", LiveIngestTest.basic("cam_user", PASS), 4);
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (a.live.streams().orElseThrow().state("live", "cam").orElse(null) != LiveStreams.State.WAITING) {
            assertTrue(System.nanoTime() < end, "A's stream did not stop");
            Thread.sleep(20); // polling a condition
        }
        assertFalse(served().contains("#EXT-X-ENDLIST"), "with DVR it stays live on A");

        b = node("node-b");
        assertFalse(served().contains("#EXT-X-ENDLIST"), "B's start does not end A's live stream as a leftover of its own");
        assertEquals(409, put(b, "playlist9.ts", "segment"), "A holds the stream's lease");
        PublisherLog.Entry refused = b.live.log().read(java.util.Set.of("live"), "live", "cam", 1).get(0);
        assertEquals(409, refused.status());
        assertTrue(refused.reason().contains("node node-a ingests this stream"), refused.reason());
        assertFalse(Files.exists(media.resolve("live/cam/playlist9.ts")));

        Ticket t = b.ticket("live", "cam");
        Ffprobe.Result probe = Ffprobe.probe(b.playbackUrl(t, "live", "cam/playlist.m3u8"));
        assertEquals(0, probe.exitCode(), probe::describe);
        assertTrue(probe.hasVideo(), "B plays A's stream from the shared folder: " + probe.describe());

        // A's session ends and goes (playlist_timeout 600 s, then the grace); its lease then runs out.
        LiveStreams streams = a.live.streams().orElseThrow();
        a.clock.advance(Duration.ofSeconds(601));
        streams.tick();
        a.clock.advance(Duration.ofSeconds(31));
        streams.tick();
        assertTrue(streams.state("live", "cam").isEmpty());
        assertEquals(409, put(b, "playlist9.ts", "segment"), "the lease outlives the session by at most its time");
        b.clock.advance(Duration.ofSeconds(700));
        assertEquals(204, put(b, "playlist9.ts", "segment"), "B takes the stream over");
        assertEquals(409, put(a, "playlist10.ts", "segment"), "and A is refused now");
    }
}
