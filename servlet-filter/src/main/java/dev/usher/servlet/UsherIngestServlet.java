package dev.usher.servlet;

import dev.usher.core.live.LiveNames;
import dev.usher.core.live.PublishAuth;
import dev.usher.core.live.PublisherLog;
import dev.usher.core.live.stream.IngestRefused;
import dev.usher.core.live.stream.LiveStreams;
import dev.usher.core.live.stream.SegmentStore;
import dev.usher.core.log.LogText;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * HTTP ingest of live streams, as stock encoders speak it (ffmpeg {@code -f hls -method PUT},
 * DASH-IF live media ingest interface 2) at {@code {api path}/ingest/{app}/{stream}/{file}}:
 * {@code PUT}/{@code POST} of segments, init segments, HLS playlists and DASH MPDs ({@code ffmpeg -f dash
 * -method PUT}, credentials in the URL or {@code -http_opts}), {@code DELETE} of old
 * segments, {@code GET} of the encoder's own playlist ({@code -hls_flags append_list}).
 *
 * <p>The credentials (HTTP Basic: the stream's user or its app's {@code *} user) are checked
 * before the body is touched, so an encoder that sent {@code Expect: 100-continue} gets its 401
 * challenge and retries with them, and a refused upload costs no disk. Refusals: 400 (a path
 * that isn't three simple names, a bad playlist), 401 (no or wrong credentials, with a
 * challenge), 403 (a user of another stream), 409 (another account is feeding the stream, or another
 * node holds its ingest lease), 413
 * (too large), 415 (not a kind of file Usher ingests), 507 (free space below the floor), 503 (too
 * many uploads at once). Encoders ignore all of them, so each one is written to the publisher log
 * ({@code sevu.publishlog}). Only this adapter knows HTTP; every decision is made in core.
 */
public class UsherIngestServlet extends HttpServlet {

    private static final System.Logger LOG = System.getLogger("dev.usher.live");
    private static final Set<String> OBJECTS = Set.of("ts", "m4s", "mp4", "aac", "m4a", "m4v", "cmfv", "cmfa", "vtt");
    /** Uploads in flight on this node; more are answered 503 so slow bodies can't take every thread or file. */
    static final int MAX_UPLOADS = 256;

    private transient LiveRuntime live;
    private transient UsherRuntime runtime;
    private transient ScheduledExecutorService ticker;
    private transient ScheduledExecutorService deadlines;
    private transient RequestBodyReader bodies;
    private final Semaphore uploads = new Semaphore(MAX_UPLOADS);

    @Override
    public void init() throws ServletException {
        runtime = UsherRuntime.of(getServletContext());
        live = runtime.live();
        live.streams().ifPresent(streams -> {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "usher-live-streams");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleWithFixedDelay(() -> {
                try {
                    streams.tick();
                    live.node().renew(streams);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "live streams tick failed", e);
                }
            }, 1, 1, TimeUnit.SECONDS);
            deadlines = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "usher-ingest-body-deadlines");
                t.setDaemon(true);
                return t;
            });
            bodies = new RequestBodyReader(deadlines);
        });
    }

    @Override
    public void destroy() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (deadlines != null) {
            deadlines.shutdownNow();
        }
    }

    /** The three names of a request, or null: read from the raw URI, so no decoding can smuggle a separator. */
    static String[] names(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String prefix = request.getContextPath() + request.getServletPath();
        if (uri == null || !uri.startsWith(prefix + "/")) {
            return null;
        }
        String[] parts = uri.substring(prefix.length() + 1).split("/", -1);
        if (parts.length != 3) {
            return null;
        }
        for (String p : parts) {
            if (!LiveNames.simple(p)) {
                return null;
            }
        }
        return parts;
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String method = request.getMethod();
        String[] n = names(request);
        Context c = new Context(request, n == null ? "?" : n[0], n == null ? "?" : n[1], n == null ? cut(request.getRequestURI()) : n[2], method);
        if (live.streams().isEmpty()) {
            response.sendError(404);
            return;
        }
        LiveStreams streams = live.streams().get();
        if (n == null) {
            refuse(c, response, 400, "the path is not {app}/{stream}/{file} of simple names");
            return;
        }
        String[] basic = basic(request.getHeader("Authorization"));
        c.user = basic == null ? null : basic[0];
        PublishAuth auth = live.users().authenticate(n[0], n[1], basic == null ? null : basic[0], basic == null ? null : basic[1]);
        if (!auth.granted()) {
            if (auth.outcome() == PublishAuth.Outcome.UNAUTHENTICATED) {
                response.setHeader("WWW-Authenticate", "Basic realm=\"Usher ingest\", charset=\"UTF-8\"");
                // ffmpeg with URL credentials first asks without them (Expect: 100-continue) and retries after
                // this challenge: that first try is the protocol, not a refusal worth an entry.
                boolean handshake = basic == null && "100-continue".equalsIgnoreCase(request.getHeader("Expect"));
                if (handshake) {
                    response.setStatus(401);
                    return;
                }
            }
            refuse(c, response, auth.outcome() == PublishAuth.Outcome.FORBIDDEN ? 403 : 401, auth.reason());
            return;
        }
        String account = auth.account().id();
        switch (method) {
            case "GET", "HEAD" -> {
                var text = streams.encoderPlaylist(n[0], n[1], n[2]);
                if (text.isEmpty()) {
                    response.sendError(404);
                    return;
                }
                byte[] b = text.get().getBytes(StandardCharsets.UTF_8);
                response.setContentType(n[2].endsWith(".mpd") ? "application/dash+xml" : "application/vnd.apple.mpegurl");
                response.setHeader("Cache-Control", "no-store");
                response.setContentLength(b.length);
                if (method.equals("GET")) {
                    response.getOutputStream().write(b);
                }
            }
            case "DELETE" -> {
                streams.delete(n[0], n[1], n[2]);
                response.setStatus(204);
            }
            case "PUT", "POST" -> upload(c, request, response, streams, account);
            default -> {
                response.setHeader("Allow", "GET, HEAD, PUT, POST, DELETE");
                refuse(c, response, 405, "method " + cut(method));
            }
        }
    }

    private void upload(Context c, HttpServletRequest request, HttpServletResponse response, LiveStreams streams, String account)
            throws IOException {
        String file = c.file;
        String ext = file.substring(file.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        boolean mpd = ext.equals("mpd");
        boolean playlist = ext.equals("m3u8") || mpd;
        if (!playlist && !OBJECTS.contains(ext)) {
            refuse(c, response, 415, "not a kind of file Usher ingests (HLS playlists, DASH MPDs and their segments)");
            return;
        }
        try {
            streams.checkFeeder(c.app, c.stream, account);
            live.node().admit(c.app, c.stream, streams.session(c.app, c.stream));
        } catch (IngestRefused e) {
            refuse(c, response, e.status(), e.getMessage());
            return;
        }
        long max = playlist ? live.settings().maxPlaylistBytes() : live.settings().maxObjectBytes();
        if (request.getContentLengthLong() > max) {
            refuse(c, response, 413, "Content-Length " + request.getContentLengthLong() + " over the limit of " + max + " bytes");
            return;
        }
        SegmentStore store = streams.store();
        long free = store.freeBytes();
        if (free < live.settings().minFreeBytes()) {
            live.diskLow(c.app, c.stream, free);
            refuse(c, response, 507, "free space below usher.ingest.min-free-mb");
            return;
        }
        if (!uploads.tryAcquire()) {
            refuse(c, response, 503, "more than " + MAX_UPLOADS + " uploads at once");
            return;
        }
        boolean handedOver = false;
        try {
            ByteArrayOutputStream text = playlist ? new ByteArrayOutputStream() : null;
            SegmentStore.Pending pending = playlist ? null : store.create(c.app, c.stream);
            bodies.read(request, System.nanoTime(), RequestBodyReader.Bounds.strict(max, live.settings().bodyTimeout()),
                    playlist ? text : pending.output(), new RequestBodyReader.Outcome() {
                        @Override
                        public void complete() {
                            try {
                                if (mpd) {
                                    streams.receiveManifest(c.app, c.stream, c.file, utf8(text.toByteArray()), account);
                                } else if (playlist) {
                                    streams.receivePlaylist(c.app, c.stream, c.file, utf8(text.toByteArray()), account);
                                } else {
                                    streams.receiveObject(c.app, c.stream, c.file, pending, account);
                                }
                                response.setStatus(204);
                            } catch (IngestRefused e) {
                                discard(pending);
                                refuse(c, response, e.status(), e.getMessage());
                            } catch (CharacterCodingException e) {
                                refuse(c, response, 400, "the playlist is not UTF-8");
                            } catch (RuntimeException e) {
                                discard(pending);
                                LOG.log(System.Logger.Level.ERROR, "ingest failed", e);
                                refuse(c, response, 500, "unexpected error");
                            }
                        }

                        @Override
                        public void refused(RequestBodyReader.Refusal why, Throwable cause) {
                            discard(pending);
                            switch (why) {
                                case TOO_LARGE -> refuse(c, response, 413, "body over the limit of " + max + " bytes");
                                case EXPIRED, TOO_SLOW -> refuse(c, response, 408, "body not complete within usher.ingest.body-timeout");
                                // Usually the encoder was stopped mid-upload ("Early EOF"): there is nobody left to answer.
                                case BROKEN -> log(c, 400, "upload aborted ("
                                        + (cause == null ? "connection closed" : cut(String.valueOf(cause.getMessage()))) + ")");
                            }
                        }
                    }, uploads::release);
            handedOver = true;
        } finally {
            if (!handedOver) {
                uploads.release();
            }
        }
    }

    private static void discard(SegmentStore.Pending pending) {
        if (pending != null) {
            try {
                pending.discard();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "discarding an upload failed", e);
            }
        }
    }

    private static String utf8(byte[] b) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(b)).toString();
    }

    private void refuse(Context c, HttpServletResponse response, int status, String reason) {
        log(c, status, reason);
        if (!response.isCommitted()) {
            response.setStatus(status);
            response.setContentType("text/plain;charset=UTF-8");
            try {
                response.getWriter().write(reason + "\n");
            } catch (IOException | IllegalStateException e) {
                // the client is gone
            }
        }
    }

    private void log(Context c, int status, String reason) {
        live.log().add(new PublisherLog.Entry(Clock.systemUTC().instant(), c.app, c.stream, c.file, c.method, status, c.ip,
                c.user == null ? null : cut(c.user), reason));
        LOG.log(System.Logger.Level.INFO, "ingest refused " + status + " " + c.method + " " + c.app + "/" + c.stream + "/"
                + c.file + " from " + c.ip + ": " + reason);
    }

    private static String cut(String s) {
        return s == null ? null : LogText.safe(s.length() > 120 ? s.substring(0, 120) : s);
    }

    /** @return {user, pass} of a Basic header, or null */
    static String[] basic(String header) {
        if (header == null || header.length() > 1024 || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private final class Context {
        final String app;
        final String stream;
        final String file;
        final String method;
        final String ip;
        String user;

        Context(HttpServletRequest request, String app, String stream, String file, String method) {
            this.app = app;
            this.stream = stream;
            this.file = file;
            this.method = cut(method);
            this.ip = runtime.clientAddress(request.getRemoteAddr(),
                    h -> java.util.Collections.list(request.getHeaders(h))).toString();
        }
    }
}
