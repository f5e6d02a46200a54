package dev.usher.core.api;

import dev.usher.core.account.Account;
import dev.usher.core.attempt.Attempt;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.service.FieldProblem;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.TicketRequestException;
import dev.usher.core.service.TicketUpdateRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The v2 {@code sevu_token} resource of ScaleEngine's v2 API (docs/PROTOCOL.md#sevu-token), transport-free: {@code PUT} creates, {@code GET}
 * reads or lists, {@code POST} updates, {@code DELETE} deletes; {@code sevu_attempt} is its child.
 * The caller (the HTTP binding) has already authenticated the account with HTTP Basic
 * {@code cdn_id:secret}; it then asks {@link #route} once, reads the body only when the route's
 * action takes one, and asks {@link #answer} once.
 *
 * <p>Bodies are typed JSON as on ScaleEngine's page ({@code uses} a number, {@code active} a boolean, the
 * others strings), with Usher's optional {@code concurrent} (a number, issue 16) beside {@code uses}.
 * Errors use the page's names with the field they concern:
 * {@code {"error":"REQUIRED_FIELD","field":"pass","message":"pass is required"}} — REQUIRED_FIELD,
 * TYPE_MISMATCH, ACCESS_VIOLATION (an Immutable field changed), APP_INVALID (an app outside the
 * account's {@code username-} namespace), and Usher's INVALID_VALUE, UNKNOWN_FIELD, MALFORMED,
 * NOT_FOUND.
 */
public final class SevuTokenResource {

    /** Largest body read, in characters. */
    public static final int MAX_BODY = 64 * 1024;

    private static final Set<String> CREATE_FIELDS = Set.of("pass", "ip", "video", "app", "uses", "active", "expire_date",
            "concurrent");
    private static final Set<String> READ_ONLY = Set.of("id", "cdn_id", "key", "created_date", "used_date");

    private final UsherService service;

    public SevuTokenResource(UsherService service) {
        this.service = service;
    }

    /** What {@link #route} makes of a request: where it goes, or the answer that refuses it. */
    public sealed interface Routed permits Route, Response {
    }

    /**
     * An HTTP answer: status and JSON body (null for none).
     *
     * @param allow the methods the path serves, for the {@code Allow} header of a 405 (else null)
     */
    public record Response(int status, String json, String allow) implements Routed {
        public Response(int status, String json) {
            this(status, json, null);
        }
    }

    /** What a v2 request asks. */
    public enum Action {
        CREATE, READ, LIST, ATTEMPTS, UPDATE, DELETE;

        /** @return whether the request's body is the action's input (then it is read, once) */
        public boolean readsBody() {
            return this == CREATE || this == UPDATE;
        }

        /** @return whether the request's query parameters are the action's input */
        public boolean readsQuery() {
            return this == READ || this == LIST;
        }
    }

    /**
     * A request the account may make: its action, on which ticket.
     *
     * @param key the ticket key of the path, empty for the collection
     */
    public record Route(Action action, String key) implements Routed {
    }

    /**
     * Routes a request of an authenticated account, before anything is read: a path that is not
     * {@code /v2/sevu_token[/{key}[/sevu_attempt]]} is 404, a method the path does not serve 405
     * (with its {@code Allow}), a command the account is not allowed ({@code usher.account.<cdn>.commands},
     * see {@link V2Commands}) 403, so such a request reads no body and changes nothing.
     *
     * @param method the HTTP method
     * @param rest   the path after {@code /v2/sevu_token} (empty, or starting with {@code /})
     */
    public Routed route(Account account, String method, String rest) {
        String key = rest.startsWith("/") ? rest.substring(1) : rest;
        boolean attempts = key.endsWith("/sevu_attempt");
        if (attempts) {
            key = key.substring(0, key.length() - "/sevu_attempt".length());
        }
        if (key.contains("/")) {
            return error(404, "NOT_FOUND", "no such resource");
        }
        String command = V2Commands.of(method, key, attempts);
        if (command == null) {
            return new Response(405, errorBody("METHOD_NOT_ALLOWED", null, method),
                    attempts ? "GET" : key.isEmpty() ? "GET, PUT" : "GET, POST, DELETE");
        }
        if (!account.mayRun(command)) {
            return error(403, "ACCESS_VIOLATION", "account " + account.cdnId() + " may not run " + command
                    + " (usher.account." + account.cdnId() + ".commands)");
        }
        Action action = attempts ? Action.ATTEMPTS : switch (method) {
            case "PUT" -> Action.CREATE;
            case "POST" -> Action.UPDATE;
            case "DELETE" -> Action.DELETE;
            default -> key.isEmpty() ? Action.LIST : Action.READ;
        };
        return new Route(action, key);
    }

    /**
     * Answers a routed request.
     *
     * @param query the query parameters (their first values) when the action reads them ({@link Action#readsQuery()})
     * @param body  the body as text of one that does ({@link Action#readsBody()}), else ignored
     */
    public Response answer(Account account, Route route, Map<String, String> query, String body) {
        String key = route.key();
        return switch (route.action()) {
            case CREATE -> create(account, body);
            case UPDATE -> update(account, key, body);
            case READ -> read(account, key, query.get("option:children"));
            case LIST -> list(account, query);
            case ATTEMPTS -> attemptsOf(account, key);
            case DELETE -> delete(account, key);
        };
    }

    /**
     * The error answer of the transport, in the resource's own form {@code {"error":…,"message":…}}:
     * UNAUTHORIZED (401), NOT_FOUND (404), METHOD_NOT_ALLOWED (405), BODY_TIMEOUT (408), MALFORMED
     * (400, 413), UNEXPECTED_ERROR (500), UNAVAILABLE (503, the ticket store failed), SERVER_BUSY
     * (503, too many requests in progress). The message is Usher's own text, never an exception's.
     */
    public static Response error(int status, String error, String message) {
        return new Response(status, errorBody(error, null, message));
    }

    /** Every error body of the resource: {@code error}, the {@code field} when one is concerned, {@code message}. */
    private static String errorBody(String error, String field, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        if (field != null) {
            body.put("field", field);
        }
        body.put("message", message);
        return Json.write(body);
    }

    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String error;
        final String field;

        Refusal(int status, String error, String field, String message) {
            super(message, null, false, false);
            this.status = status;
            this.error = error;
            this.field = field;
        }

        Response response() {
            return new Response(status, errorBody(error, field, getMessage()));
        }
    }

    /** {@code PUT /v2/sevu_token}. */
    public Response create(Account account, String body) {
        try {
            Map<String, Object> in = object(body);
            for (String name : in.keySet()) {
                if (READ_ONLY.contains(name)) {
                    throw new Refusal(400, "ACCESS_VIOLATION", name, name + " is generated by the server");
                }
                if (!CREATE_FIELDS.contains(name)) {
                    throw new Refusal(400, "UNKNOWN_FIELD", name, "unknown field " + name);
                }
            }
            for (String required : List.of("pass", "ip", "video", "app", "uses")) {
                if (!in.containsKey(required) || in.get(required) == Json.NULL) {
                    throw new Refusal(400, "REQUIRED_FIELD", required, required + " is required");
                }
            }
            String app = string(in, "app");
            List<String> outside = account.appsOutsideNamespace(dev.usher.core.rule.PatternList.parse("app", app));
            if (!outside.isEmpty()) {
                throw new Refusal(400, "APP_INVALID", "app", "The application name must begin with \"" + account.username()
                        + "-\": " + String.join(", ", outside));
            }
            IssueRequest request = new IssueRequest(app, string(in, "video"), string(in, "pass"), string(in, "ip"),
                    integer(in, "uses"), optionalString(in, "expire_date").orElse(null), null, optionalBoolean(in, "active").orElse(null),
                    // Usher's extension (issue 16), a number like uses, fixed once issued
                    in.containsKey("concurrent") && in.get("concurrent") != Json.NULL ? integer(in, "concurrent") : null);
            Ticket t = service.issue(account, request);
            return new Response(201, Json.write(token(t, null)));
        } catch (Refusal r) {
            return r.response();
        } catch (TicketRequestException e) {
            return problem(e).response();
        } catch (IllegalArgumentException e) {
            return new Refusal(400, "INVALID_VALUE", "app", e.getMessage()).response();
        }
    }

    /** {@code GET /v2/sevu_token/{key}}, with the attempt log when {@code children} names {@code sevu_attempt}. */
    public Response read(Account account, String key, String children) {
        Optional<Ticket> t = service.status(account, key);
        if (t.isEmpty()) {
            return notFound(key);
        }
        List<Object> attempts = null;
        if (children != null && !children.isEmpty()) {
            if (!children.equals("sevu_attempt")) {
                return new Refusal(400, "INVALID_VALUE", "option:children", "the only child is sevu_attempt").response();
            }
            attempts = attempts(account, key);
        }
        return new Response(200, Json.write(token(t.get(), attempts)));
    }

    /** {@code GET /v2/sevu_token/{key}/sevu_attempt}. */
    public Response attemptsOf(Account account, String key) {
        if (service.status(account, key).isEmpty()) {
            return notFound(key);
        }
        return new Response(200, Json.write(attempts(account, key)));
    }

    /** {@code GET /v2/sevu_token?video=…&active=…&limit=…}. */
    public Response list(Account account, Map<String, String> query) {
        try {
            for (String name : query.keySet()) {
                if (!Set.of("video", "active", "limit", "option:children").contains(name)) {
                    throw new Refusal(400, "UNKNOWN_FIELD", name, "unknown filter " + name);
                }
            }
            Boolean active = null;
            if (query.containsKey("active")) {
                active = switch (query.get("active")) {
                    case "1", "true" -> true;
                    case "0", "false" -> false;
                    default -> throw new Refusal(400, "TYPE_MISMATCH", "active", "active must be 1, 0, true or false");
                };
            }
            int limit = TicketQuery.MAX_LIMIT;
            if (query.containsKey("limit")) {
                try {
                    limit = Integer.parseInt(query.get("limit"));
                } catch (NumberFormatException e) {
                    throw new Refusal(400, "TYPE_MISMATCH", "limit", "limit must be a number");
                }
                if (limit < 1 || limit > TicketQuery.MAX_LIMIT) {
                    throw new Refusal(400, "INVALID_VALUE", "limit", "limit must be between 1 and " + TicketQuery.MAX_LIMIT);
                }
            }
            String video = query.get("video");
            List<Object> out = new ArrayList<>();
            for (Ticket t : service.search(account, new TicketQuery(video == null || video.isEmpty() ? null : video, active, limit))) {
                out.add(token(t, null));
            }
            return new Response(200, Json.write(out));
        } catch (Refusal r) {
            return r.response();
        }
    }

    /** {@code POST /v2/sevu_token/{key}}: only {@code active} and {@code expire_date} change. */
    public Response update(Account account, String key, String body) {
        try {
            Map<String, Object> in = object(body);
            Boolean active = optionalBoolean(in, "active").orElse(null);
            String expire = optionalString(in, "expire_date").orElse(null);
            Map<String, String> others = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : in.entrySet()) {
                String name = e.getKey();
                if (name.equals("active") || name.equals("expire_date")) {
                    continue;
                }
                others.put(name, dev.usher.core.ticket.TicketView.text(e.getValue()));
            }
            Optional<Ticket> t = service.update(account, key, new TicketUpdateRequest(active, expire, others));
            return t.map(ticket -> new Response(200, Json.write(token(ticket, null)))).orElseGet(() -> notFound(key));
        } catch (Refusal r) {
            return r.response();
        } catch (TicketRequestException e) {
            return problem(e).response();
        }
    }

    /** {@code DELETE /v2/sevu_token/{key}}: 204, or 404. */
    public Response delete(Account account, String key) {
        return service.delete(account, key) ? new Response(204, null) : notFound(key);
    }

    private List<Object> attempts(Account account, String key) {
        List<Object> out = new ArrayList<>();
        for (Attempt a : service.errorlog(account, key, null).orElse(List.of())) {
            out.add(ApiObjects.attempt(a, service.time()));
        }
        return out;
    }

    /** The v2 page's object (see {@link dev.usher.core.ticket.TicketView#v2}), with its attempts when asked. */
    private Map<String, Object> token(Ticket t, List<Object> attempts) {
        Map<String, Object> m = service.view().v2(t);
        if (attempts != null) {
            m.put("sevu_attempt", attempts);
        }
        return m;
    }

    private static Response notFound(String key) {
        return new Refusal(404, "NOT_FOUND", "key", "no sevu_token " + dev.usher.core.log.LogText.safe(key)).response();
    }

    private static Refusal problem(TicketRequestException e) {
        FieldProblem p = e.first();
        String error = switch (p.kind()) {
            case REQUIRED_FIELD -> "REQUIRED_FIELD";
            case TYPE_MISMATCH -> "TYPE_MISMATCH";
            case ACCESS_VIOLATION -> "ACCESS_VIOLATION";
            case APP_INVALID -> "APP_INVALID";
            case UNKNOWN_FIELD -> "UNKNOWN_FIELD";
            case INVALID_VALUE -> "INVALID_VALUE";
        };
        String field = p.field().equals("expire") ? "expire_date" : p.field();
        return new Refusal(400, error, field, e.getMessage().replace("expire:", "expire_date:"));
    }

    private static Map<String, Object> object(String body) throws Refusal {
        if (body == null || body.isBlank()) {
            throw new Refusal(400, "MALFORMED", null, "the body must be a JSON object");
        }
        if (body.length() > MAX_BODY) {
            throw new Refusal(413, "MALFORMED", null, "the body is larger than " + MAX_BODY + " characters");
        }
        try {
            return Json.parseObject(body).members();
        } catch (Json.JsonException e) {
            throw new Refusal(400, "MALFORMED", null, e.getMessage());
        }
    }

    private static String string(Map<String, Object> in, String name) throws Refusal {
        return optionalString(in, name).orElseThrow(() -> new Refusal(400, "REQUIRED_FIELD", name, name + " is required"));
    }

    private static Optional<String> optionalString(Map<String, Object> in, String name) throws Refusal {
        Object v = in.get(name);
        if (v == null || v == Json.NULL) {
            return Optional.empty();
        }
        if (!(v instanceof String s)) {
            throw new Refusal(400, "TYPE_MISMATCH", name, name + " must be a string");
        }
        return Optional.of(s);
    }

    private static int integer(Map<String, Object> in, String name) throws Refusal {
        Object v = in.get(name);
        if (!(v instanceof BigDecimal n)) {
            throw new Refusal(400, "TYPE_MISMATCH", name, name + " must be a number");
        }
        try {
            return n.intValueExact();
        } catch (ArithmeticException e) {
            throw new Refusal(400, "TYPE_MISMATCH", name, name + " must be a whole number within 32 bits");
        }
    }

    /** {@code active} is a boolean; 1 and 0 are read too, as the v2 page's "Default: 1" writes it. */
    private static Optional<Boolean> optionalBoolean(Map<String, Object> in, String name) throws Refusal {
        Object v = in.get(name);
        if (v == null || v == Json.NULL) {
            return Optional.empty();
        }
        if (v instanceof Boolean b) {
            return Optional.of(b);
        }
        if (v instanceof BigDecimal n && (n.compareTo(BigDecimal.ONE) == 0 || n.signum() == 0)) {
            return Optional.of(n.signum() != 0);
        }
        throw new Refusal(400, "TYPE_MISMATCH", name, name + " must be true or false");
    }
}
