package dev.usher.core.manifest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.usher.core.credential.CredentialCheck;
import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.net.IpAddress;
import dev.usher.core.net.IpNetwork;
import dev.usher.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;


/**
 * ffprobe as a real HLS and DASH client against a tiny server that admits the manifest with
 * key/pass, rewrites manifests with a credential and admits every other request only with a valid
 * credential, the way the servlet filter will. Skipped when ffmpeg/ffprobe are not installed
 * ({@code .ci/run} installs them).
 */
class RealClientRoundTripTest {

    @TempDir
    static Path media;
    static HttpServer server;
    static final List<String> LOG = Collections.synchronizedList(new ArrayList<>());
    static final PlaybackCredentials CREDENTIALS = PlaybackCredentials.of("k1", PlaybackCredentials.newSecret());

    @BeforeAll
    static void start() throws Exception {
        Tools.requireFfmpeg();
        Tools.requireFfprobe();
        String[] source = {"-f", "lavfi", "-i", "testsrc=size=320x180:rate=24:duration=4", "-f", "lavfi", "-i",
                "sine=frequency=440:sample_rate=44100:duration=4"};
        String[] encode = {"-c:v", "libx264", "-profile:v", "main", "-pix_fmt", "yuv420p", "-preset", "veryfast", "-g", "48",
                "-keyint_min", "48", "-sc_threshold", "0", "-c:a", "aac", "-b:a", "48k", "-ac", "1"};
        Path hls = Files.createDirectories(media.resolve("live/hlsdemo"));
        run(hls, concat(source, new String[] {"-map", "0:v", "-map", "0:v", "-map", "1:a", "-map", "1:a",
                "-filter:v:0", "scale=320:180", "-b:v:0", "150k", "-filter:v:1", "scale=160:90", "-b:v:1", "60k"}, encode,
                new String[] {"-f", "hls", "-hls_segment_type", "fmp4", "-hls_time", "2", "-hls_playlist_type", "vod",
                        "-hls_list_size", "0", "-hls_segment_filename", "v%v/seg_%03d.m4s", "-master_pl_name", "master.m3u8",
                        "-var_stream_map", "v:0,a:0 v:1,a:1", "v%v/index.m3u8"}));
        Path dash = Files.createDirectories(media.resolve("live/dashdemo"));
        run(dash, concat(source, new String[] {"-map", "0:v", "-map", "1:a"}, encode, new String[] {"-f", "dash",
                "-seg_duration", "2", "-use_template", "1", "-use_timeline", "0", "-init_seg_name", "init-$RepresentationID$.m4s",
                "-media_seg_name", "chunk-$RepresentationID$-$Number%03d$.m4s", "-adaptation_sets",
                "id=0,streams=v id=1,streams=a", "manifest.mpd"}));

        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/media/", RealClientRoundTripTest::handle);
        server.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    /** /media/{app}/{video}/{rest…}: a manifest with key/pass opens a playback; all else needs uc. */
    static void handle(HttpExchange exchange) throws IOException {
        URI uri = exchange.getRequestURI();
        String[] parts = uri.getPath().substring("/media/".length()).split("/", 3);
        String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
        String app = parts[0];
        String video = parts[1];
        Path file = media.resolve(app).resolve(uri.getPath().substring(("/media/" + app + "/").length())).normalize();
        String uc = null;
        for (String pair : query.split("&")) {
            if (pair.startsWith("uc=")) {
                uc = pair.substring(3);
            }
        }
        IpAddress client = IpAddress.parseClient(exchange.getRemoteAddress().getAddress().getHostAddress());
        int status;
        byte[] body = new byte[0];
        boolean granted = query.contains("key=K") && query.contains("pass=P");
        CredentialCheck check = uc == null ? null
                : CREDENTIALS.verify(uc, app, uri.getPath().substring(("/media/" + app + "/").length()), client, Instant.now());
        if (!granted && (check == null || !check.isValid())) {
            status = 403;
        } else if (!file.startsWith(media) || !Files.isRegularFile(file)) {
            status = 404;
        } else {
            status = 200;
            body = Files.readAllBytes(file);
            var rewriter = ManifestRewriter.forPath(file.toString());
            if (rewriter.isPresent()) {
                String token = granted
                        ? CREDENTIALS.sign("ticket.0123456789abcd.01234567", app, video, IpNetwork.host(client),
                        Instant.now().plusSeconds(600))
                        : uc;
                URI self = URI.create("http://" + exchange.getRequestHeaders().getFirst("Host") + uri);
                body = rewriter.get().rewrite(body, self, new ChildQuery(PlaybackCredentials.PARAMETER, token));
            }
        }
        LOG.add(status + " " + uri.getPath() + (uc != null ? " uc" : "") + (granted ? " key" : ""));
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Test
    void ffprobeFollowsEveryRewrittenHlsChild() throws Exception {
        LOG.clear();
        int exit = probe("/media/live/hlsdemo/master.m3u8?key=K&pass=P");
        List<String> log = List.copyOf(LOG);
        assertEquals(0, exit, String.join("\n", log));
        assertTrue(log.contains("200 /media/live/hlsdemo/master.m3u8 key"), String.join("\n", log));
        assertTrue(log.contains("200 /media/live/hlsdemo/v0/index.m3u8 uc"), String.join("\n", log));
        assertTrue(log.contains("200 /media/live/hlsdemo/v1/index.m3u8 uc"), String.join("\n", log));
        assertTrue(log.stream().anyMatch(l -> l.startsWith("200 /media/live/hlsdemo/v0/init.mp4 uc")
                || l.startsWith("200 /media/live/hlsdemo/v0/seg_000.m4s uc")), String.join("\n", log));
        assertFalse(log.stream().anyMatch(l -> l.startsWith("403")), String.join("\n", log));
    }

    @Test
    void ffprobeFollowsEveryRewrittenDashChild() throws Exception {
        LOG.clear();
        int exit = probe("/media/live/dashdemo/manifest.mpd?key=K&pass=P");
        List<String> log = List.copyOf(LOG);
        assertEquals(0, exit, String.join("\n", log));
        assertTrue(log.contains("200 /media/live/dashdemo/init-0.m4s uc"), String.join("\n", log));
        assertTrue(log.contains("200 /media/live/dashdemo/chunk-0-001.m4s uc"), String.join("\n", log));
        assertTrue(log.contains("200 /media/live/dashdemo/init-1.m4s uc"), String.join("\n", log));
        assertFalse(log.stream().anyMatch(l -> l.startsWith("403")), String.join("\n", log));
    }

    @Test
    void withoutRewritingTheChildrenWouldBeRefused() throws Exception {
        LOG.clear();
        probe("/media/live/hlsdemo/v0/index.m3u8");
        assertTrue(LOG.contains("403 /media/live/hlsdemo/v0/index.m3u8"), String.join("\n", LOG));
    }

    static int probe(String path) throws Exception {
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + path;
        Process p = new ProcessBuilder(Tools.ffprobe(), "-v", "error", "-show_entries", "stream=codec_type", "-of", "csv", url)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ffprobe did not finish");
        }
        return p.exitValue();
    }

    static void run(Path dir, String[] args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Tools.ffmpeg(), "-loglevel", "error", "-y"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    }

    static String[] concat(String[]... parts) {
        List<String> all = new ArrayList<>();
        for (String[] part : parts) {
            all.addAll(List.of(part));
        }
        return all.toArray(String[]::new);
    }
}
