package dev.usher.servlet;

import dev.usher.core.live.StreamUserRequest;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.EnumSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** UsherInitializer registers the ingest below the API when, and only when, usher.ingest.dir is set. */
class IngestRegistrationTest {

    @TempDir
    Path dir;

    Server start(boolean ingest) throws Exception {
        Server server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        server.addConnector(c);
        ServletContextHandler context = new ServletContextHandler("/");
        context.setInitParameter("usher.account.158.api-key", ApiIntegrationTest.API_KEY);
        context.setInitParameter("usher.account.158.secret", ApiIntegrationTest.SECRET);
        context.setInitParameter("usher.account.158.username", "demo");
        if (ingest) {
            context.setInitParameter("usher.ingest.dir", dir.toString());
        }
        context.addServletContainerInitializer(new UsherInitializer());
        FilterHolder filter = new FilterHolder(UsherFilter.class);
        filter.setAsyncSupported(true);
        context.addFilter(filter, "/*", EnumSet.allOf(DispatcherType.class));
        server.setHandler(context);
        server.start();
        return server;
    }

    static String base(Server s) {
        return "http://127.0.0.1:" + ((ServerConnector) s.getConnectors()[0]).getLocalPort();
    }

    static HttpResponse<String> put(Server s, String path, String auth, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base(s) + path)).PUT(HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(auth.getBytes(StandardCharsets.UTF_8)));
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withAnIngestFolderTheIngestAnswersBelowTheApi() throws Exception {
        Server s = start(true);
        try {
            HttpResponse<String> challenge = put(s, "/usher/ingest/live/cam/seg0.ts", null, "x");
            assertEquals(401, challenge.statusCode());
            assertTrue(challenge.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
            UsherRuntime runtime = (UsherRuntime) ((ServletContextHandler) s.getHandler()).getServletContext().getAttribute(UsherRuntime.ATTRIBUTE);
            runtime.live().users().add(158, StreamUserRequest.of("live", "cam", "cam_user", "cam_password_123"));
            assertEquals(204, put(s, "/usher/ingest/live/cam/seg0.ts", "cam_user:cam_password_123", "segment").statusCode());
            assertEquals(204, put(s, "/usher/ingest/live/cam/playlist.m3u8", "cam_user:cam_password_123",
                    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg0.ts\n").statusCode());
            assertTrue(Files.readString(dir.resolve("live/cam/r-playlist.m3u8")).contains("#EXTINF:2.000,"));
        } finally {
            s.stop();
        }
    }

    @Test
    void withoutOneThereIsNoIngest() throws Exception {
        Server s = start(false);
        try {
            HttpResponse<String> r = put(s, "/usher/ingest/live/cam/seg0.ts", "cam_user:cam_password_123", "x");
            assertTrue(r.statusCode() != 204 && r.headers().firstValue("WWW-Authenticate").isEmpty(),
                    "the API servlet answers the path, not an ingest: " + r.statusCode());
            assertTrue(Files.notExists(dir.resolve("live")));
        } finally {
            s.stop();
        }
    }
}
