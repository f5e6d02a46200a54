package dev.usher.sample.modes;

import dev.usher.core.account.Account;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.ticket.Ticket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An annotated resource is never served unguarded: an Application whose getClasses() forgets
 * ProtectedMediaFeature answers 503 and sends no byte of the file, even with a valid ticket;
 * with the feature the same requests are 200 and 206, and without a ticket 403.
 */
class UnguardedMediaTest {

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    static Path folder;

    static byte[] clip;

    @BeforeAll
    static void media() throws Exception {
        clip = new byte[100_000];
        new Random(7).nextBytes(clip);
        Files.write(folder.resolve("clip.mp4"), clip);
        MediaResource.folder = folder;
    }

    @Test
    void withoutTheFeatureNoByteIsServed() throws Exception {
        try (CdiSite site = CdiSite.start(Applications.WithoutFeature.class, c -> { }, f -> { })) {
            for (String path : new String[] {"/api/files/clip.mp4", "/api/files/raw/clip.mp4"}) {
                Ticket ticket = ticket(site);
                HttpResponse<byte[]> answer = get(site, path + "?key=" + ticket.key() + "&pass=" + ticket.pass(), null);
                assertEquals(503, answer.statusCode(), path);
                assertEquals("Media not guarded\n", new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8), path);
                // Nor without any ticket.
                HttpResponse<byte[]> anonymous = get(site, path, "bytes=0-99");
                assertEquals(503, anonymous.statusCode(), path);
                assertFalse(contains(anonymous.body(), Arrays.copyOf(clip, 16)), path);
            }
        }
    }

    @Test
    void withTheFeatureTicketsOpenTheFile() throws Exception {
        try (CdiSite site = CdiSite.start(Applications.WithFeature.class, c -> { }, f -> { })) {
            assertEquals(403, get(site, "/api/files/clip.mp4", null).statusCode());
            assertEquals(403, get(site, "/api/files/raw/clip.mp4", null).statusCode());

            Ticket whole = ticket(site);
            HttpResponse<byte[]> all = get(site, "/api/files/clip.mp4?key=" + whole.key() + "&pass=" + whole.pass(), null);
            assertEquals(200, all.statusCode());
            assertArrayEquals(clip, all.body());

            Ticket part = ticket(site);
            HttpResponse<byte[]> range = get(site, "/api/files/clip.mp4?key=" + part.key() + "&pass=" + part.pass(), "bytes=100-199");
            assertEquals(206, range.statusCode());
            assertArrayEquals(Arrays.copyOfRange(clip, 100, 200), range.body());

            Ticket raw = ticket(site);
            HttpResponse<byte[]> streamed = get(site, "/api/files/raw/clip.mp4?key=" + raw.key() + "&pass=" + raw.pass(), null);
            assertEquals(200, streamed.statusCode());
            assertArrayEquals(clip, streamed.body());
        }
    }

    private static Ticket ticket(CdiSite site) {
        assertTrue(site.available());
        return site.runtime().service().issue(new Account(0, "-", "-", "local"),
                IssueRequest.of("vod", "clip.mp4", "viewer-" + System.nanoTime(), "127.0.0.1", 1, "+1 hour"));
    }

    private static HttpResponse<byte[]> get(CdiSite site, String path, String range) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(site.uri(path));
        if (range != null) {
            request.header("Range", range);
        }
        return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static boolean contains(byte[] body, byte[] part) {
        for (int i = 0; i + part.length <= body.length; i++) {
            if (Arrays.equals(body, i, i + part.length, part, 0, part.length)) {
                return true;
            }
        }
        return false;
    }
}
