package dev.usher.servlet;

import dev.usher.core.live.LiveSettings;
import dev.usher.core.live.stream.FileSegmentStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ingest reads its uploads with the API's body reader, so an ingest servlet registered without
 * async support (a deployment descriptor that forgot {@code async-supported}) still ingests, reading
 * blocking under the same bounds, instead of failing every upload with a 500.
 */
class IngestBlockingReadTest {

    static final String PASS = "cam_password_123";

    @TempDir
    static Path base;
    static Path media;
    static LiveServer server;

    @BeforeAll
    static void start() throws Exception {
        media = Files.createDirectories(base.resolve("media"));
        server = new LiveServer(media, LiveSettings.defaults().withLimits(1 << 20, 4 << 10, 0)
                .withBodyTimeout(Duration.ofSeconds(5)), false);
        server.addStreamUser("live", "*", "all_user", PASS);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static int raw(String head, byte[] body) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            try {
                out.write(body);
                out.flush();
            } catch (java.net.SocketException e) {
                // The server answered and closed before taking the whole body (a refusal): read its answer.
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                line.write(c);
            }
            return Integer.parseInt(line.toString(StandardCharsets.ISO_8859_1).split(" ")[1]);
        }
    }

    static String head(String path, String length) {
        return "PUT " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Basic "
                + Base64.getEncoder().encodeToString(("all_user:" + PASS).getBytes(StandardCharsets.UTF_8)) + "\r\n"
                + length + "\r\nConnection: close\r\n\r\n";
    }

    static long temporaries() throws IOException {
        try (Stream<Path> t = Files.list(media.resolve(FileSegmentStore.TEMP))) {
            return t.count();
        }
    }

    @Test
    void aSegmentAndItsPlaylistArriveWithBlockingReads() throws Exception {
        byte[] segment = "segment bytes".getBytes(StandardCharsets.UTF_8);
        assertEquals(204, raw(head("/usher/ingest/live/cam/seg0.ts", "Content-Length: " + segment.length), segment));
        byte[] playlist = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg0.ts\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(204, raw(head("/usher/ingest/live/cam/playlist.m3u8", "Content-Length: " + playlist.length), playlist));
        assertTrue(Files.exists(media.resolve("live/cam/playlist.m3u8")));
    }

    @Test
    void anOversizeChunkedBodyIs413AndLeavesNoFile() throws Exception {
        long before = temporaries();
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        for (int i = 0; i < 20; i++) {
            chunked.write(("10000\r\n").getBytes(StandardCharsets.ISO_8859_1));
            chunked.write(new byte[0x10000]);
            chunked.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        chunked.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(413, raw(head("/usher/ingest/live/big/seg0.ts", "Transfer-Encoding: chunked"), chunked.toByteArray()));
        assertEquals(before, temporaries());
        assertFalse(Files.exists(media.resolve("live/big")));
    }
}
