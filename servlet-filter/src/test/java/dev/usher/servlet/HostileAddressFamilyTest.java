package dev.usher.servlet;

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
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 10 item 3 against a real Jetty listening on {@code [::1]} and {@code 127.0.0.1}: IPv4 and
 * IPv6 are separate families. An {@code auto} slot bound by a playback from {@code ::1} (its /64,
 * {@code ::/64}, which in 128-bit arithmetic holds all of IPv4) must refuse a later IPv4 client, and
 * so must the credential of that playback's children. Each refusal leaves no protected byte, no 500,
 * and the ticket as it was.
 */
class HostileAddressFamilyTest {

    static final String MARKER = "PROTECTED-BYTES-ipfam";

    @TempDir
    static Path media;
    static AttackedServer server;
    static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(media.resolve("vod/hls"));
        Files.writeString(media.resolve("vod/a.mp4"), MARKER + "-mp4");
        Files.writeString(media.resolve("vod/hls/index.m3u8"),
                "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXTINF:4.0,\nseg.ts\n#EXT-X-ENDLIST\n");
        Files.writeString(media.resolve("vod/hls/seg.ts"), MARKER + "-seg");
        server = new AttackedServer(media, null, Map.of(), 32);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static Ticket now(Ticket t) {
        return server.runtime.service().status(server.runtime.accounts().byCdnId(AttackedServer.CDN).orElseThrow(), t.key())
                .orElseThrow();
    }

    static void assertRefused(HttpResponse<String> r, String what) {
        assertFalse(r.body().contains(MARKER), () -> what + " leaked protected bytes: " + r.body());
        assertTrue(r.statusCode() == 403, () -> what + " was answered " + r.statusCode() + ": " + r.body());
        assertFalse(r.body().contains("<html") || r.body().contains("Exception"), () -> what + ": " + r.body());
    }

    @Test
    void anAutoSlotBoundFromIpv6RefusesEveryIpv4Client() throws Exception {
        for (String rule : new String[] {"auto", "auto/24", "auto/16"}) {
            Ticket t = server.issue("vod", "a.mp4", rule, 100);
            String query = "/media/vod/a.mp4?key=" + t.key() + "&pass=" + t.pass();
            HttpResponse<String> fromV6 = get(server.v6Base() + query);
            assertEquals(200, fromV6.statusCode(), fromV6::body);
            assertEquals(MARKER + "-mp4", fromV6.body());
            Ticket bound = now(t);
            assertTrue(bound.ip().bindings().get(0).isV6(), bound.ip().bindings()::toString);

            HttpResponse<String> fromV4 = get(server.v4Base() + query);
            assertRefused(fromV4, rule + " bound from ::1, played from 127.0.0.1");
            assertTrue(fromV4.body().contains("Invalid IP Address"), fromV4::body);
            assertEquals(bound, now(t), "a refused request changes no state (no use, no binding)");

            // The same /64 still plays.
            assertEquals(200, get(server.v6Base() + query).statusCode());
        }
    }

    @Test
    void anAutoSlotBoundFromIpv4RefusesIpv6() throws Exception {
        Ticket t = server.issue("vod", "a.mp4", "auto/1", 100);
        String query = "/media/vod/a.mp4?key=" + t.key() + "&pass=" + t.pass();
        assertEquals(200, get(server.v4Base() + query).statusCode());
        Ticket bound = now(t);
        assertRefused(get(server.v6Base() + query), "auto/1 bound from 127.0.0.1, played from ::1");
        assertEquals(bound, now(t));
    }

    @Test
    void anIpv6BlockInTheTicketRefusesIpv4() throws Exception {
        for (String rule : new String[] {"::/64", "::1/64", "::/8", "::/1"}) {
            Ticket t = server.issue("vod", "a.mp4", rule, 100);
            String query = "/media/vod/a.mp4?key=" + t.key() + "&pass=" + t.pass();
            assertRefused(get(server.v4Base() + query), rule + " from 127.0.0.1");
            assertEquals(t, now(t));
            assertEquals(200, get(server.v6Base() + query).statusCode(), rule + " from ::1");
        }
    }

    @Test
    void theCredentialOfAnIpv6PlaybackIsRefusedFromIpv4() throws Exception {
        Ticket t = server.issue("vod", "hls", "auto", 100);
        HttpResponse<String> manifest = get(server.v6Base() + "/media/vod/hls/index.m3u8?key=" + t.key() + "&pass=" + t.pass());
        assertEquals(200, manifest.statusCode(), manifest::body);
        Matcher child = Pattern.compile("(?m)^seg\\.ts\\?(.*uc=[^\\s&]+.*)$").matcher(manifest.body());
        assertTrue(child.find(), manifest::body);
        String segment = "/media/vod/hls/seg.ts?" + child.group(1);

        HttpResponse<String> fromV6 = get(server.v6Base() + segment);
        assertEquals(200, fromV6.statusCode(), fromV6::body);
        assertEquals(MARKER + "-seg", fromV6.body());

        Ticket before = now(t);
        assertRefused(get(server.v4Base() + segment), "the ::1 playback's credential from 127.0.0.1");
        assertEquals(before, now(t));
    }
}
