package dev.usher.servlet;

import dev.usher.core.account.Account;
import dev.usher.core.api.ApiCode;
import dev.usher.core.api.SevuApi;
import dev.usher.core.api.SevuTokenResource;
import dev.usher.core.config.UsherConfigurationException;
import dev.usher.core.repository.RepositoryException;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The HTTP binding of the SEVU API, mapped to {@code {usher.api.path}/*} (default {@code /usher}):
 * <ul>
 * <li>JSON commands at the base and at {@code /stable/}: {@code POST} with the form field
 *     {@code json} (urlencoded, as commons-httpclient sends it, or multipart, as PHP curl sends an
 *     array) or a raw JSON body. Always HTTP 200 with the JSON answer, as ScaleEngine does.</li>
 * <li>The v2 resource at {@code /v2/sevu_token[/{key}[/sevu_attempt]]}, authenticated with HTTP
 *     Basic {@code cdn_id:secret}.</li>
 * </ul>
 * Bodies are read bounded and decoded as strict UTF-8; a body that is neither is refused.
 *
 * <p>Under attack: every body is read by {@link RequestBodyReader} under a size bound, a total
 * deadline and a minimum rate ({@link ApiSettings}), asynchronously where the container allows, so a
 * client trickling bytes holds no thread and is answered {@code 0016}/{@code BODY_TIMEOUT} when its
 * deadline passes. At most {@code usher.api.max-concurrent} requests are in progress; beyond that a
 * request is answered 503 ({@code 0015}/{@code SERVER_BUSY}) at once. Every answer, faults included
 * (an unavailable repository, a malformed multipart body, an unknown path), is the documented JSON,
 * never the container's error page and never an exception's text.
 */
public class UsherApiServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final System.Logger LOG = System.getLogger("dev.usher.api");

    /** Largest request body read. */
    static final int MAX_BODY = 3 * SevuApi.MAX_JSON;

    private transient UsherRuntime runtime;
    private transient ApiSettings settings;
    private transient Semaphore permits;
    private transient ScheduledExecutorService timer;
    private transient RequestBodyReader bodies;
    private transient RequestBodyReader.Bounds bounds;

    @Override
    public void init() throws ServletException {
        try {
            runtime = UsherRuntime.of(getServletContext());
            settings = runtime.apiSettings();
        } catch (UsherConfigurationException e) {
            throw new ServletException(String.join("; ", e.problems()), e);
        } catch (RuntimeException e) {
            throw new ServletException(e.getMessage(), e);
        }
        permits = new Semaphore(settings.maxConcurrent());
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "usher-api-body-deadlines");
            t.setDaemon(true);
            return t;
        });
        bodies = new RequestBodyReader(timer);
        bounds = RequestBodyReader.Bounds.draining(settings.body());
    }

    @Override
    public void destroy() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** Releases one permit, once, however many paths reach the end of a request. */
    private Runnable releaseOnce() {
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                permits.release();
            }
        };
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        long started = System.nanoTime();
        String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
        boolean v2 = path.equals("/v2/sevu_token") || path.startsWith("/v2/sevu_token/");
        if (!permits.tryAcquire()) {
            response.setHeader("Retry-After", "1");
            if (v2) {
                write(response, SevuTokenResource.error(503, "SERVER_BUSY", "too many API requests in progress, try again"));
            } else {
                json(response, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
                        refusal(ApiCode.SERVER_BUSY, "too many API requests in progress"));
            }
            return;
        }
        Runnable done = releaseOnce();
        boolean handedOver = false;
        try {
            handedOver = v2 ? v2(request, response, path.substring("/v2/sevu_token".length()), started, done)
                    : commands(request, response, path, started, done);
        } catch (RuntimeException e) {
            fault(response, v2, e);
        } finally {
            if (!handedOver) {
                done.run();
            }
        }
    }

    /** @return true when the body reader took over the request (and will call {@code done}) */
    private boolean commands(HttpServletRequest request, HttpServletResponse response, String path, long started,
                             Runnable done) throws IOException {
        if (!path.equals("/") && !path.equals("/stable") && !path.equals("/stable/")) {
            write(response, SevuTokenResource.error(404, "NOT_FOUND", "no such resource"));
            return false;
        }
        if (!request.getMethod().equals("POST")) {
            response.setHeader("Allow", "POST");
            json(response, HttpServletResponse.SC_METHOD_NOT_ALLOWED,
                    refusal(ApiCode.MALFORMED_REQUEST, "send the command with POST"));
            return false;
        }
        String type = request.getContentType() == null ? "" : request.getContentType();
        readBody(request, response, started, done, false, body -> {
            String command;
            try {
                command = commandText(type, body);
            } catch (BadBody e) {
                json(response, HttpServletResponse.SC_OK, refusal(ApiCode.MALFORMED_REQUEST, e.getMessage()));
                return;
            }
            json(response, HttpServletResponse.SC_OK, runtime.api().handle(command).json());
        });
        return true;
    }

    /** What a request does with its body. */
    private interface BodyUse {
        void body(byte[] body) throws IOException;
    }

    /**
     * Reads the body under the API's bounds and hands it to {@code use}; a body refused, or a fault
     * of {@code use}, is answered as the JSON commands ({@code v2} false) or the v2 resource answer them.
     */
    private void readBody(HttpServletRequest request, HttpServletResponse response, long started, Runnable done,
                          boolean v2, BodyUse use) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        bodies.read(request, started, bounds, body, new RequestBodyReader.Outcome() {
            @Override
            public void complete() throws IOException {
                try {
                    use.body(body.toByteArray());
                } catch (RuntimeException e) {
                    fault(response, v2, e);
                }
            }

            @Override
            public void refused(RequestBodyReader.Refusal why, Throwable cause) throws IOException {
                response.setHeader("Connection", "close");
                boolean tooLarge = why == RequestBodyReader.Refusal.TOO_LARGE;
                String tooLargeText = "the request is larger than " + MAX_BODY + " bytes";
                if (v2) {
                    write(response, tooLarge ? SevuTokenResource.error(413, "MALFORMED", tooLargeText)
                            : SevuTokenResource.error(408, "BODY_TIMEOUT", bodyTimeoutText(why)));
                } else if (tooLarge) {
                    json(response, HttpServletResponse.SC_OK, refusal(ApiCode.MALFORMED_REQUEST, tooLargeText));
                } else {
                    json(response, HttpServletResponse.SC_REQUEST_TIMEOUT, refusal(ApiCode.BODY_TIMEOUT, bodyTimeoutText(why)));
                }
            }
        }, done);
    }

    private String bodyTimeoutText(RequestBodyReader.Refusal why) {
        return switch (why) {
            case TOO_SLOW -> "the body arrived slower than " + settings.body().minBytesPerSecond() + " bytes/s";
            case BROKEN -> "the body could not be read";
            default -> "the body did not arrive within " + settings.body().timeout().toMillis() + " ms";
        };
    }

    /**
     * A failure answered before (or instead of) a command, as {@link SevuApi#failure}; counted for the
     * listeners as an answer to an {@code unknown} command, like the refusals {@code handle} gives.
     */
    private String refusal(ApiCode code, String detail) {
        runtime.service().tell(l -> l.apiAnswered("unknown", code.code()));
        return SevuApi.failure(code, detail).json();
    }

    /** Answers a fault: the documented JSON, the exception only in the log. */
    private void fault(HttpServletResponse response, boolean v2, RuntimeException e) throws IOException {
        boolean unavailable = e instanceof RepositoryException;
        if (unavailable) {
            LOG.log(System.Logger.Level.WARNING, "the ticket repository failed: " + e.getMessage());
        } else {
            LOG.log(System.Logger.Level.ERROR, "unexpected error in the API", e);
        }
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        if (v2) {
            write(response, unavailable ? SevuTokenResource.error(503, "UNAVAILABLE", "the ticket store is unavailable, try again")
                    : SevuTokenResource.error(500, "UNEXPECTED_ERROR", "unexpected error"));
        } else {
            json(response, HttpServletResponse.SC_OK, refusal(ApiCode.UNEXPECTED_ERROR, null));
        }
    }

    /** @return true when the body reader took over the request (and will call {@code done}) */
    private boolean v2(HttpServletRequest request, HttpServletResponse response, String rest, long started,
                       Runnable done) throws IOException {
        Optional<Account> found = basicAuth(request.getHeader("Authorization"));
        if (found.isEmpty()) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"usher\", charset=\"UTF-8\"");
            write(response, SevuTokenResource.error(401, "UNAUTHORIZED", "HTTP Basic cdn_id:secret required"));
            return false;
        }
        Account account = found.get();
        SevuTokenResource resource = runtime.tokens();
        SevuTokenResource.Routed routed = resource.route(account, request.getMethod(), rest);
        if (routed instanceof SevuTokenResource.Response refused) { // 404, 405 or 403: nothing read, nothing changed
            write(response, refused);
            return false;
        }
        SevuTokenResource.Route route = (SevuTokenResource.Route) routed;
        if (!route.action().readsBody()) {
            write(response, resource.answer(account, route, route.action().readsQuery() ? query(request) : Map.of(), null));
            return false;
        }
        readBody(request, response, started, done, true, body -> {
            String text;
            try {
                text = decode(body);
            } catch (BadBody e) {
                write(response, SevuTokenResource.error(400, "MALFORMED", e.getMessage()));
                return;
            }
            write(response, resource.answer(account, route, Map.of(), text));
        });
        return true;
    }

    private static void write(HttpServletResponse response, SevuTokenResource.Response answer) throws IOException {
        if (answer.allow() != null) {
            response.setHeader("Allow", answer.allow());
        }
        if (answer.json() == null) {
            response.setStatus(answer.status());
            response.setHeader("Cache-Control", "no-store");
            return;
        }
        json(response, answer.status(), answer.json());
    }

    private Optional<Account> basicAuth(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6) || header.length() > 1024) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = strictUtf8(Base64.getDecoder().decode(header.substring(6).trim()));
        } catch (IllegalArgumentException | CharacterCodingException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0 || colon > 18 || !decoded.substring(0, colon).chars().allMatch(c -> c >= '0' && c <= '9')) {
            return Optional.empty();
        }
        long cdn = Long.parseLong(decoded.substring(0, colon));
        String secret = decoded.substring(colon + 1);
        return runtime.accounts().byCdnId(cdn).filter(a -> a.secretMatches(secret));
    }

    private static Map<String, String> query(HttpServletRequest request) {
        Map<String, String> out = new LinkedHashMap<>();
        request.getParameterMap().forEach((k, v) -> out.put(k, v.length == 0 ? "" : v[0]));
        return out;
    }

    /** A body Usher can't read: too large, or not UTF-8. */
    static final class BadBody extends Exception {
        private static final long serialVersionUID = 1L;

        BadBody(String message) {
            super(message, null, false, false);
        }
    }

    private static String commandText(String contentType, byte[] raw) throws BadBody {
        String type = contentType.toLowerCase(Locale.ROOT);
        if (type.startsWith("multipart/form-data")) {
            try {
                byte[] field = MultipartForm.field(raw, MultipartForm.boundary(contentType), "json");
                return field == null ? "" : decode(field);
            } catch (MultipartForm.Malformed e) {
                throw new BadBody(e.getMessage());
            }
        }
        if (type.startsWith("application/x-www-form-urlencoded")) {
            return formField(raw, "json");
        }
        return decode(raw);
    }

    private static String decode(byte[] raw) throws BadBody {
        try {
            return strictUtf8(raw);
        } catch (CharacterCodingException e) {
            throw new BadBody("the request is not valid UTF-8");
        }
    }

    private static String strictUtf8(byte[] raw) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
    }

    /** Reads one field of an urlencoded form, percent-decoding to bytes and then strict UTF-8. */
    static String formField(byte[] raw, String name) throws BadBody {
        String form = new String(raw, StandardCharsets.ISO_8859_1);
        String found = null;
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (k.equals(name)) {
                if (found != null) {
                    throw new BadBody("the field " + name + " appears twice");
                }
                found = eq < 0 ? "" : pair.substring(eq + 1);
            }
        }
        if (found == null) {
            return "";
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(found.length());
        for (int i = 0; i < found.length(); i++) {
            char c = found.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            } else if (c == '%') {
                if (i + 2 >= found.length()) {
                    throw new BadBody("malformed percent-encoding in " + name);
                }
                int hi = Character.digit(found.charAt(i + 1), 16);
                int lo = Character.digit(found.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new BadBody("malformed percent-encoding in " + name);
                }
                bytes.write((hi << 4) | lo);
                i += 2;
            } else {
                bytes.write(c);
            }
        }
        return decode(bytes.toByteArray());
    }

    private static void json(HttpServletResponse response, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json;charset=UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }
}
