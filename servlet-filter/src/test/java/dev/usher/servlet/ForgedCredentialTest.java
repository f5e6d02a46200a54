package dev.usher.servlet;

import dev.usher.core.net.IpNetwork;
import dev.usher.core.ticket.Ticket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Credentials signed with the right secret (the attacker has it: the sample once shipped it) for
 * tickets this node has never seen, through the real filter on Jetty: served only when the
 * repository confirms the ticket.
 */
class ForgedCredentialTest {

    static final String MARKER = "PROTECTED-SEGMENT";
    @TempDir
    static Path media;
    static GuardedServer server;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(media.resolve("vod/show"));
        Files.writeString(media.resolve("vod/show/index.m3u8"), "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg_000.ts\n#EXT-X-ENDLIST\n");
        Files.writeString(media.resolve("vod/show/seg_000.ts"), MARKER);
        server = new GuardedServer(media, Map.of(), Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    /** A credential for {@code ticketKey}, made with the server's own secret, as someone holding it would. */
    static String forged(String ticketKey) {
        return server.runtime.credentials().encode(server.runtime.credentials().issue(ticketKey, "vod", "show",
                IpNetwork.parse("0.0.0.0/0"), Instant.now().plus(Duration.ofHours(1))));
    }

    static HttpResponse<String> segment(String credential) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/media/vod/show/seg_000.ts?uc=" + credential))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aValidlySignedCredentialOfATicketThatDoesNotExistIsRefused() throws Exception {
        HttpResponse<String> r = segment(forged("show.6a1b2c3d4e5f60.12345678"));
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("Token Revoked"), r.body());
        assertFalse(r.body().contains(MARKER));
    }

    @Test
    void aCredentialOfARevokedTicketThisNodeNeverSawIsRefusedAtOnce() throws Exception {
        Ticket t = server.issue("vod", "show", "0.0.0.0/0", 3);
        server.service.revoke(GuardedServer.ACCOUNT, t.key());
        HttpResponse<String> r = segment(forged(t.key()));
        assertEquals(403, r.statusCode(), "not only after the next refresh: " + r.body());
        assertFalse(r.body().contains(MARKER));
    }

    @Test
    void aCredentialOfALiveTicketGrantedElsewhereIsServedAfterOneRead() throws Exception {
        // Issued but never entered on this node: as if another node had granted the playback.
        Ticket t = server.issue("vod", "show", "0.0.0.0/0", 3);
        String credential = forged(t.key());
        HttpResponse<String> first = segment(credential);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals(MARKER, first.body());
        assertEquals(200, segment(credential).statusCode());
        assertEquals(3, server.service.status(GuardedServer.ACCOUNT, t.key()).orElseThrow().uses(), "children consume no use");
    }
}
