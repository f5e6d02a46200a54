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
        bodies = new RequestBodyReader(settings.body(), timer);
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
        bodies.read(request, started, new RequestBodyReader.Outcome() {
            @Override
            public void body(byte[] body) throws IOException {
                try {
                    String command;
                    try {
                        command = commandText(type, body);
                    } catch (BadBody e) {
                        json(response, HttpServletResponse.SC_OK, refusal(ApiCode.MALFORMED_REQUEST, e.getMessage()));
                        return;
                    }
                    json(response, HttpServletResponse.SC_OK, runtime.api().handle(command).json());
                } catch (RuntimeException e) {
                    fault(response, false, e);
                }
            }

            @Override
            public void refused(RequestBodyReader.Refusal why) throws IOException {
                response.setHeader("Connection", "close");
                if (why == RequestBodyReader.Refusal.TOO_LARGE) {
                    json(response, HttpServletResponse.SC_OK,
                            refusal(ApiCode.MALFORMED_REQUEST, "the request is larger than " + MAX_BODY + " bytes"));
                } else {
                    json(response, HttpServletResponse.SC_REQUEST_TIMEOUT,
                            refusal(ApiCode.BODY_TIMEOUT, bodyTimeoutText(why)));
                }
            }
        }, done);
        return true;
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
        String method = request.getMethod();
        String key = rest.startsWith("/") ? rest.substring(1) : rest;
        boolean attempts = key.endsWith("/sevu_attempt");
        if (attempts) {
            key = key.substring(0, key.length() - "/sevu_attempt".length());
        }
        if (key.contains("/")) {
            write(response, SevuTokenResource.error(404, "NOT_FOUND", "no such resource"));
            return false;
        }
        String command = dev.usher.core.api.V2Commands.of(method, key, attempts);
        if (command != null && !account.mayRun(command)) { // usher.account.<cdn>.commands: nothing read, nothing changed
            write(response, SevuTokenResource.error(403, "ACCESS_VIOLATION", "account " + account.cdnId()
                    + " may not run " + command + " (usher.account." + account.cdnId() + ".commands)"));
            return false;
        }
        String k = key;
        boolean create = !attempts && key.isEmpty() && method.equals("PUT");
        boolean update = !attempts && !key.isEmpty() && method.equals("POST");
        if (create || update) {
            bodies.read(request, started, new RequestBodyReader.Outcome() {
                @Override
                public void body(byte[] body) throws IOException {
                    try {
                        String text;
                        try {
                            text = decode(body);
                        } catch (BadBody e) {
                            write(response, SevuTokenResource.error(400, "MALFORMED", e.getMessage()));
                            return;
                        }
                        write(response, create ? resource.create(account, text) : resource.update(account, k, text));
                    } catch (RuntimeException e) {
                        fault(response, true, e);
                    }
                }

                @Override
                public void refused(RequestBodyReader.Refusal why) throws IOException {
                    response.setHeader("Connection", "close");
                    write(response, why == RequestBodyReader.Refusal.TOO_LARGE
                            ? SevuTokenResource.error(413, "MALFORMED", "the request is larger than " + MAX_BODY + " bytes")
                            : SevuTokenResource.error(408, "BODY_TIMEOUT", bodyTimeoutText(why)));
                }
            }, done);
            return true;
        }
        SevuTokenResource.Response answer;
        if (attempts) {
            answer = method.equals("GET") ? resource.attemptsOf(account, key) : null;
        } else if (key.isEmpty()) {
            answer = method.equals("GET") ? resource.list(account, query(request)) : null;
        } else {
            answer = switch (method) {
                case "GET" -> resource.read(account, key, request.getParameter("option:children"));
                case "DELETE" -> resource.delete(account, key);
                default -> null;
            };
        }
        if (answer == null) {
            response.setHeader("Allow", attempts ? "GET" : key.isEmpty() ? "GET, PUT" : "GET, POST, DELETE");
            write(response, SevuTokenResource.error(405, "METHOD_NOT_ALLOWED", method));
            return false;
        }
        write(response, answer);
        return false;
    }

    private static void write(HttpServletResponse response, SevuTokenResource.Response answer) throws IOException {
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
