package dev.usher.servlet;

import dev.usher.core.live.LiveSettings;
import dev.usher.core.live.PublisherLog;
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
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile uploads against the ingest: each refused or contained, nothing written outside the stream's folder. */
class LiveHostileIngestTest {

    static final String PASS = "cam_password_123";

    @TempDir
    static Path base;
    static Path media;
    static LiveServer server;

    @BeforeAll
    static void start() throws Exception {
        media = Files.createDirectories(base.resolve("media"));
        server = new LiveServer(media, LiveSettings.defaults().withLimits(1 << 20, 4 << 10, 0).withBodyTimeout(Duration.ofSeconds(2)));
        server.addStreamUser("live", "cam", "cam_user", PASS);
        server.addStreamUser("live", "*", "all_user", PASS);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static String auth(String user) {
        return "Authorization: Basic " + Base64.getEncoder().encodeToString((user + ":" + PASS).getBytes(StandardCharsets.UTF_8)) + "\r\n";
    }

    /** Sends raw HTTP text (no client normalizes the path) and returns the status line's code. */
    static int raw(String head, byte[] body) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            try {
                if (body != null) {
                    out.write(body);
                }
                out.flush();
            } catch (java.net.SocketException e) {
                // The server answered and closed before taking the whole body (a refusal): read its answer.
            }
            return status(s.getInputStream());
        }
    }

    static int status(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            line.write(c);
        }
        String l = line.toString(StandardCharsets.ISO_8859_1);
        return Integer.parseInt(l.split(" ")[1]);
    }

    static int put(String path, String user, byte[] body) throws IOException {
        return raw("PUT " + path + " HTTP/1.1\r\nHost: x\r\n" + (user == null ? "" : auth(user)) + "Content-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n", body);
    }

    /** Every file under base but the stream folders and the uploads waiting for a playlist (other tests' complete segments). */
    static List<Path> strayFiles() throws IOException {
        try (Stream<Path> all = Files.walk(base)) {
            return all.filter(Files::isRegularFile)
                    .filter(p -> !p.startsWith(media.resolve("live")) && !p.startsWith(media.resolve(FileSegmentStore.TEMP)))
                    .toList();
        }
    }

    static long temporaries() throws IOException {
        try (Stream<Path> t = Files.list(media.resolve(FileSegmentStore.TEMP))) {
            return t.count();
        }
    }

    static PublisherLog.Entry lastLog() {
        List<PublisherLog.Entry> e = server.live.log().read(java.util.Set.of("live", "?"), null, null, 1);
        return e.isEmpty() ? null : e.get(0);
    }

    @Test
    void pathTricksAreRefusedAndWriteNothingOutside() throws Exception {
        byte[] body = "x".getBytes(StandardCharsets.UTF_8);
        for (String path : List.of("/usher/ingest/live/cam/../../../escape.ts", "/usher/ingest/live/cam/..%2F..%2Fescape.ts",
                "/usher/ingest/live/cam/sub/escape.ts", "/usher/ingest/live/..%2Fcam/escape.ts", "/usher/ingest/live/cam/.hidden.ts",
                "/usher/ingest/live/cam/%2e%2e/escape.ts", "/usher/ingest/live/cam//escape.ts", "/usher/ingest/live/cam/esc%00ape.ts",
                "/usher/ingest/live/cam", "/usher/ingest/live/cam/a\\b.ts")) {
            int status = put(path, "cam_user", body);
            assertTrue(status == 400 || status == 404, path + " → " + status);
        }
        assertEquals(List.of(), strayFiles());
        assertFalse(Files.exists(media.resolve("live/cam/escape.ts")));
    }

    @Test
    void anOversizeBodyIs413AndLeavesNoFile() throws Exception {
        long before = temporaries();
        // Refused on its Content-Length, before any of the body is read (sending it would race the close).
        assertEquals(413, raw("PUT /usher/ingest/live/big/seg0.ts HTTP/1.1\r\nHost: x\r\n" + auth("all_user")
                + "Content-Length: " + ((1 << 20) + 1) + "\r\nConnection: close\r\n\r\n", null), "Content-Length over the limit");
        assertEquals(413, lastLog().status());
        // Chunked, so the size is only known while reading.
        String head = "PUT /usher/ingest/live/big/seg1.ts HTTP/1.1\r\nHost: x\r\n" + auth("all_user")
                + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        for (int i = 0; i < 20; i++) {
            chunked.write(("10000\r\n").getBytes(StandardCharsets.ISO_8859_1));
            chunked.write(new byte[0x10000]);
            chunked.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        chunked.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(413, raw(head, chunked.toByteArray()));
        assertEquals(before, temporaries());
        assertFalse(Files.exists(media.resolve("live/big")));
    }

    @Test
    void aSlowBodyIsCutAtTheDeadline() throws Exception {
        long before = temporaries();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("PUT /usher/ingest/live/slow/seg0.ts HTTP/1.1\r\nHost: x\r\n" + auth("all_user")
                    + "Content-Length: 1000\r\n\r\nonly a few bytes").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // The server answers by itself when its deadline (2 s) passes; the test only waits for that answer.
            assertEquals(408, status(s.getInputStream()));
        }
        assertEquals(408, lastLog().status());
        assertEquals(before, temporaries());
    }

    @Test
    void anAbortedUploadIsDiscarded() throws Exception {
        long before = temporaries();
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("PUT /usher/ingest/live/aborted/seg0.ts HTTP/1.1\r\nHost: x\r\n" + auth("all_user")
                    + "Transfer-Encoding: chunked\r\n\r\n400\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(new byte[0x400]);
            out.write("\r\n100\r\nonly part".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } // closed without the chunk terminator, as a killed ffmpeg does
        long end = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while ((lastLog() == null || !lastLog().stream().equals("aborted")) && System.nanoTime() < end) {
            Thread.sleep(20); // polling for the server's log entry
        }
        assertEquals("aborted", lastLog().stream());
        assertTrue(lastLog().reason().startsWith("upload aborted"), lastLog().reason());
        assertEquals(before, temporaries());
        // And a playlist naming it publishes nothing.
        String pl = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg0.ts\n";
        assertEquals(204, put("/usher/ingest/live/aborted/playlist.m3u8", "all_user", pl.getBytes(StandardCharsets.UTF_8)));
        assertFalse(Files.exists(media.resolve("live/aborted/playlist.m3u8")));
    }

    @Test
    void aPlaylistReferencingFilesOutsideTheStreamIsRefused() throws Exception {
        assertEquals(204, put("/usher/ingest/live/refs/seg0.ts", "all_user", "segment".getBytes(StandardCharsets.UTF_8)));
        for (String ref : List.of("../cam/seg0.ts", "/etc/passwd", "http://169.254.169.254/latest", "file:///etc/passwd")) {
            String pl = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n" + ref + "\n";
            assertEquals(400, put("/usher/ingest/live/refs/playlist.m3u8", "all_user", pl.getBytes(StandardCharsets.UTF_8)), ref);
            assertTrue(lastLog().reason().contains("reference outside the stream"), lastLog().reason());
        }
        assertFalse(Files.exists(media.resolve("live/refs/playlist.m3u8")));
        assertEquals(List.of(), strayFiles());
    }

    @Test
    void aDashMpdReferencingFilesOutsideTheStreamIsRefused() throws Exception {
        assertEquals(204, put("/usher/ingest/live/mpdrefs/chunk-0-1.m4s", "all_user", "segment".getBytes(StandardCharsets.UTF_8)));
        for (String template : List.of("../cam/chunk-$RepresentationID$-$Number$.m4s", "/etc/chunk-$Number$.m4s",
                "http://169.254.169.254/chunk-$Number$.m4s", "..%2fcam%2fchunk-$Number$.m4s")) {
            String mpd = "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"dynamic\"><Period><AdaptationSet contentType=\"video\">"
                    + "<Representation id=\"0\" mimeType=\"video/mp4\"><SegmentTemplate timescale=\"1\" media=\"" + template
                    + "\" startNumber=\"1\"><SegmentTimeline><S t=\"0\" d=\"1\"/></SegmentTimeline></SegmentTemplate>"
                    + "</Representation></AdaptationSet></Period></MPD>";
            assertEquals(400, put("/usher/ingest/live/mpdrefs/manifest.mpd", "all_user", mpd.getBytes(StandardCharsets.UTF_8)), template);
            assertTrue(lastLog().reason().contains("reference outside the stream"), lastLog().reason());
        }
        assertFalse(Files.exists(media.resolve("live/mpdrefs/manifest.mpd")));
        assertEquals(List.of(), strayFiles());
    }

    @Test
    void aHugePlaylistIsRefused() throws Exception {
        StringBuilder huge = new StringBuilder("#EXTM3U\n#EXT-X-TARGETDURATION:2\n");
        while (huge.length() <= 4 << 10) {
            huge.append("#EXTINF:2,\nseg").append(huge.length()).append(".ts\n");
        }
        assertEquals(413, put("/usher/ingest/live/huge/playlist.m3u8", "all_user", huge.toString().getBytes(StandardCharsets.UTF_8)));
        assertFalse(Files.exists(media.resolve("live/huge")));
    }

    @Test
    void noCredentialsGetAChallengeBeforeTheBodyIsRead() throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("PUT /usher/ingest/live/cam/seg0.ts HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                    + "Content-Length: 100000\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            assertEquals(401, status(in), "answered without the body: the encoder retries with its credentials");
            String rest = new String(in.readNBytes(400), StandardCharsets.ISO_8859_1);
            assertTrue(rest.contains("WWW-Authenticate: Basic realm=\"Usher ingest\""), rest);
        }
    }

    @Test
    void anotherAccountGets409WhileTheStreamIsFedAndAnotherStreamsUser403() throws Exception {
        assertEquals(204, put("/usher/ingest/live/cam/seg0.ts", "cam_user", "a".getBytes(StandardCharsets.UTF_8)));
        assertEquals(409, put("/usher/ingest/live/cam/seg1.ts", "all_user", "b".getBytes(StandardCharsets.UTF_8)));
        assertEquals(409, lastLog().status());
        assertEquals(204, put("/usher/ingest/live/cam/seg1.ts", "cam_user", "b".getBytes(StandardCharsets.UTF_8)), "the same account");
        server.addStreamUser("other", "x", "other_user", PASS);
        assertEquals(403, put("/usher/ingest/live/cam/seg2.ts", "other_user", "c".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void belowTheFreeSpaceFloorUploadsAre507() throws Exception {
        try (LiveServer full = new LiveServer(Files.createDirectories(base.resolve("full")),
                LiveSettings.defaults().withLimits(1 << 20, 4 << 10, Long.MAX_VALUE))) {
            full.addStreamUser("live", "cam", "cam_user", PASS);
            try (Socket s = new Socket("127.0.0.1", full.port())) {
                s.getOutputStream().write(("PUT /usher/ingest/live/cam/seg0.ts HTTP/1.1\r\nHost: x\r\n" + auth("cam_user")
                        + "Content-Length: 1\r\n\r\nx").getBytes(StandardCharsets.ISO_8859_1));
                assertEquals(507, status(s.getInputStream()));
            }
            assertFalse(Files.exists(base.resolve("full/live")));
        }
    }
}
