package dev.usher.servlet;

import dev.usher.core.ticket.Ticket;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crafted paths, methods and dispatches that must never return protected bytes. Each protected
 * file holds a marker; a response that contains it, or answers 200/206, fails the test. Raw HTTP
 * through Jetty's LocalConnector, so nothing normalizes the request on the way.
 */
class HostileRequestTest {

    static final String MARKER = "PROTECTED-BYTES-7f3a";

    @TempDir
    static Path media;
    static GuardedServer server;
    static Ticket ticketForB;
    static Ticket ticketForA;

    /** Dispatches to the path in {@code ?to=} the way an application's own servlet might. */
    public static class Forwarder extends HttpServlet {
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            try {
                String to = req.getParameter("to");
                switch (req.getServletPath()) {
                    case "/forward" -> req.getRequestDispatcher(to).forward(req, resp);
                    case "/include" -> req.getRequestDispatcher(to).include(req, resp);
                    case "/async" -> {
                        AsyncContext async = req.startAsync();
                        async.dispatch(to);
                    }
                    default -> resp.sendError(404);
                }
            } catch (jakarta.servlet.ServletException e) {
                throw new IOException(e);
            }
        }
    }

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(media.resolve("vod/hls"));
        Files.writeString(media.resolve("vod/a.mp4"), MARKER + "-a");
        Files.writeString(media.resolve("vod/b.mp4"), MARKER + "-b");
        Files.writeString(media.resolve("vod/hls/seg.ts"), MARKER + "-seg");
        server = new GuardedServer(media, Map.of(), Map.of("/forward", Forwarder.class, "/include", Forwarder.class,
                "/async", Forwarder.class));
        server.context.getServletHandler().getServlets()[0].setAsyncSupported(true);
        for (var holder : server.context.getServletHandler().getServlets()) {
            holder.setAsyncSupported(true);
        }
        for (var holder : server.context.getServletHandler().getFilters()) {
            holder.setAsyncSupported(true);
        }
        ErrorPageErrorHandler errors = new ErrorPageErrorHandler();
        errors.addErrorPage(404, "/media/vod/a.mp4");
        server.context.setErrorHandler(errors);
        ticketForB = server.issue("vod", "b.mp4", "0.0.0.0/0", 1000);
        ticketForA = server.issue("vod", "a.mp4", "0.0.0.0/0", 1000);
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    static String get(String target) {
        return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    }

    static Stream<String[]> hostile() {
        String b = "key=" + ticketForB.key() + "&pass=" + ticketForB.pass();
        String a = "key=" + ticketForA.key() + "&pass=" + ticketForA.pass();
        List<String[]> cases = new ArrayList<>();
        for (String target : List.of(
                "/media/vod/a.mp4",
                "/media/vod/a.mp4;jsessionid=1",
                "/media/vod;x=1/a.mp4",
                "/media/vod/a.mp4;?" + b,
                "/media/vod/%2e%2e/vod/a.mp4",
                "/media/vod/%2E%2E/vod/a.mp4",
                "/media/vod/./a.mp4",
                "/media/./vod/a.mp4",
                "/media//vod/a.mp4",
                "/media/vod%2fa.mp4",
                "/media%2fvod/a.mp4",
                "/media/vod%5ca.mp4",
                "/MEDIA/vod/a.mp4",
                "/Media/vod/a.mp4",
                "/media/VOD/a.mp4",
                "/media/vod/A.MP4",
                "/x/../media/vod/a.mp4",
                "/x/..;/media/vod/a.mp4",
                "/x/%2e%2e/media/vod/a.mp4",
                "/media/vod/a.mp4%00",
                "/media/vod/a.mp4%00.txt",
                "/media/vod/%c0%ae%c0%ae/vod/a.mp4",
                "/media/vod/%c0%afa.mp4",
                "/media/vod/%2561.mp4",
                "/media/vod/a.mp4/",
                "/media/vod/a.mp4.",
                "/media/vod/a.mp4%20",
                "/media/vod/a.mp4::$DATA",
                "/media/vod/a.mp4?key=wrong&pass=wrong",
                "/media/vod/a.mp4?" + b,
                "/media/vod/a.mp4?key=" + ticketForA.key(),
                "/media/vod/a.mp4?pass=" + ticketForA.pass(),
                "/media/vod/a.mp4?" + a + "&key=" + ticketForB.key(),
                "/media/vod/a.mp4?uc=garbage",
                "/media/vod/a.mp4?uc=" + "A".repeat(5000),
                "/media/vod/hls/seg.ts",
                "/media/vod/hls/seg.ts?" + b,
                "/media/vod/",
                "/media/vod",
                "/media/",
                "/forward?to=/media/vod/a.mp4",
                "/include?to=/media/vod/a.mp4",
                "/async?to=/media/vod/a.mp4",
                "/no-such-page",
                "http://evil.example/media/vod/a.mp4")) {
            cases.add(new String[] {target, get(target)});
        }
        for (String method : List.of("POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "PROPFIND")) {
            String target = "/media/vod/a.mp4?" + a;
            cases.add(new String[] {method + " " + target, method + " " + target
                    + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"});
        }
        cases.add(new String[] {"HEAD without ticket", "HEAD /media/vod/a.mp4 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"});
        cases.add(new String[] {"spoofed X-Forwarded-For", "GET /media/vod/a.mp4 HTTP/1.1\r\nHost: localhost\r\n"
                + "X-Forwarded-For: 127.0.0.1\r\nConnection: close\r\n\r\n"});
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void neverReturnsProtectedBytes(String name, String request) throws Exception {
        String response = server.raw(request);
        String status = response.isEmpty() ? "" : response.substring(0, response.indexOf('\r'));
        assertFalse(response.contains(MARKER), () -> name + " leaked bytes:\n" + response);
        if (name.startsWith("/include")) {
            // The including servlet owns the status; what it includes must be the refusal.
            assertTrue(response.endsWith("Forbidden\n"), response);
        } else {
            assertFalse(status.contains(" 200 ") || status.contains(" 206 "), () -> name + " was answered " + status);
        }
    }

    @Test
    void theRightTicketServesTheFile() throws Exception {
        String response = server.raw(get("/media/vod/a.mp4?key=" + ticketForA.key() + "&pass=" + ticketForA.pass()));
        assertTrue(response.startsWith("HTTP/1.1 200 "), response);
        assertTrue(response.contains(MARKER + "-a"), response);
        assertTrue(response.contains("Cache-Control: private, no-store"), response);
    }

    @Test
    void aRefusalNamesTheReasonAndIsNotCached() throws Exception {
        String response = server.raw(get("/media/vod/a.mp4?key=" + ticketForB.key() + "&pass=" + ticketForB.pass()));
        assertTrue(response.startsWith("HTTP/1.1 403 "), response);
        assertTrue(response.contains("Cache-Control: no-store"), response);
        assertTrue(response.endsWith("Not authorized for that video\n"), response);
    }

    @Test
    void anErrorPageUnderTheProtectedPathIsRefusedToo() throws Exception {
        String response = server.raw(get("/no-such-page-outside"));
        assertTrue(response.startsWith("HTTP/1.1 403 ") || response.startsWith("HTTP/1.1 404 "), response);
        assertTrue(response.endsWith("Forbidden\n"), response);
        assertFalse(response.contains(MARKER), response);
    }
}
