package dev.usher.core.api;

import dev.usher.core.account.Account;
import dev.usher.core.account.AccountRegistry;
import dev.usher.core.attempt.Attempt;
import dev.usher.core.attempt.PassFingerprint;
import dev.usher.core.log.LogText;
import dev.usher.core.repository.ReplayLedger;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.service.FieldProblem;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.TicketRequestException;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The SEVU JSON API, wire-compatible with ScaleEngine's: a signed JSON command in, a JSON answer
 * out. Transport-free: the HTTP binding hands over the JSON text exactly as the client sent it.
 *
 * <p>Checks, in order, each with its general code: the account (0001: unknown {@code cdn}/
 * {@code cdn_id} or wrong {@code api_key}), the timestamp (0002: outside the window), the signature
 * (0003: {@code base64(HMAC-SHA256(json without signature, secret))}, computed over the very text
 * the client sent with the {@code signature} member cut out, so PHP's {@code \/} escapes and
 * org.json's key order verify as sent), the command (0000 unknown; 0005 one the account is not
 * allowed, {@code usher.account.<cdn>.commands}), the command's fields (0006 missing, 0008 wrong
 * type, 0014 unknown, 0012 invalid). Anything unexpected is 0004, logged, never a
 * stack trace to the caller.
 *
 * <p><b>Idempotent retry.</b> A mutating command is carried out once per signature: the same
 * signed request again inside the timestamp window (a retry, a double page load, a replay) gets the
 * first answer again, byte for byte but for {@code handle_time}, and has no second effect. The
 * request is claimed in the {@link ReplayLedger} before the effect (the shared JDBC one when the
 * repository is one, so on every node); a copy that arrives while the first is still being carried
 * out waits for its answer, on this node for the first one to finish, on another by reading the
 * ledger, at most {@link #RETRY_WAIT}, and is answered 0013 (retry) if it is not there by then.
 * Read-only commands simply run again.
 */
public final class SevuApi {

    private static final System.Logger LOG = System.getLogger("dev.usher.api");

    /** Largest JSON command read, in characters. */
    public static final int MAX_JSON = 64 * 1024;

    private static final Set<String> BASE = Set.of("command", "cdn", "cdn_id", "api_key", "timestamp", "signature");
    private static final Map<String, Set<String>> FIELDS = Map.of(
            "sevu.request", Set.of("app", "video", "pass", "ip", "uses", "expire", "expires"),
            "sevu.status", Set.of("key", "Key"),
            "sevu.revoke", Set.of("key", "Key"),
            "sevu.errorlog", Set.of("key", "Key", "starttime", "pass", "ip", "video", "app", "success", "seek", "limit"),
            "sevu.search", Set.of("video", "active", "limit"));
    /** @return the commands this API serves (each may be allowed to an account, {@code usher.account.<cdn>.commands}) */
    public static Set<String> commands() {
        Set<String> all = new java.util.TreeSet<>(FIELDS.keySet());
        all.addAll(LiveCommands.FIELDS.keySet());
        return Set.copyOf(all);
    }

    private static final Set<String> MUTATING = Set.of("sevu.request", "sevu.revoke");

    private final UsherService service;
    private final AccountRegistry accounts;
    private final Duration window;
    private final Clock clock;
    private final ReplayGuard replays;
    /** The mutating requests this node is carrying out, so that a copy of one waits for its answer. */
    private final Map<String, CompletableFuture<String>> inFlight = new ConcurrentHashMap<>();
    private final LiveCommands live;

    /** How long a retry waits for the answer of its first copy that is still being carried out. */
    public static final Duration RETRY_WAIT = Duration.ofSeconds(5);

    /**
     * @param window how far a request's timestamp may lie from now, either way (default 5 minutes)
     */
    public SevuApi(UsherService service, AccountRegistry accounts, Duration window, Clock clock) {
        this(service, accounts, window, clock, null);
    }

    /** @param live the live commands (stream users, publisher log); null answers them 0000 */
    public SevuApi(UsherService service, AccountRegistry accounts, Duration window, Clock clock, LiveCommands live) {
        this.live = live;
        this.service = service;
        this.accounts = accounts;
        this.window = window;
        this.clock = clock;
        this.replays = new ReplayGuard(200_000, 64L * 1024 * 1024, clock);
    }

    /** The answer: a JSON object, success or failure. */
    public record Answer(ApiCode code, Map<String, Object> body) {
        public String json() {
            return Json.write(body);
        }
    }

    /**
     * Carries out one command.
     *
     * @param json the JSON text as the client sent it (the {@code json} form field or the body)
     */
    public Answer handle(String json) {
        long started = System.nanoTime();
        String[] named = {"unknown"};
        Answer answer;
        try {
            answer = done(command(json, named), started);
        } catch (ApiFailure f) {
            answer = done(failureAnswer(f), started);
        } catch (RuntimeException e) {
            answer = done(unexpected(e), started);
        }
        String command = named[0];
        int code = answer.code().code();
        service.tell(l -> l.apiAnswered(command, code));
        return answer;
    }

    private static Answer unexpected(RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "unexpected error in a SEVU API command", e);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", ApiCode.UNEXPECTED_ERROR.code());
        body.put("message", ApiCode.UNEXPECTED_ERROR.message());
        body.put("status", "failure");
        return new Answer(ApiCode.UNEXPECTED_ERROR, body);
    }

    private static Answer failureAnswer(ApiFailure f) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", f.code().code());
        body.put("message", f.code().message() + (f.getMessage() == null ? "" : ": " + f.getMessage()));
        body.put("status", "failure");
        if (f.field() != null) {
            body.put("field", f.field());
        }
        return new Answer(f.code(), body);
    }

    /** @return a failure answer for a request the transport could not even read */
    public static Answer failure(ApiCode code, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code.code());
        body.put("message", code.message() + (detail == null ? "" : ": " + detail));
        body.put("status", "failure");
        return done(new Answer(code, body), System.nanoTime());
    }

    private static Answer done(Answer answer, long started) {
        answer.body().put("handle_time", String.format(Locale.ROOT, "%.4f seconds", (System.nanoTime() - started) / 1e9));
        return answer;
    }

    /** @param named set to the command's name once it is known to be one this API serves (for the listeners) */
    private Answer command(String json, String[] named) throws ApiFailure {
        if (json == null || json.isBlank()) {
            throw new ApiFailure(ApiCode.MISSING_FIELDS, "json", "no JSON command (send it as the form field json or as the body)");
        }
        if (json.length() > MAX_JSON) {
            throw new ApiFailure(ApiCode.MALFORMED_REQUEST, "the command is longer than " + MAX_JSON + " characters");
        }
        Json.ParsedObject parsed;
        try {
            parsed = Json.parseObject(json);
        } catch (Json.JsonException e) {
            throw new ApiFailure(ApiCode.MALFORMED_REQUEST, e.getMessage());
        }
        Fields f = new Fields(parsed.members());

        // 0001: the account.
        Long cdn = f.optionalLong("cdn").orElse(null);
        Long cdnId = f.optionalLong("cdn_id").orElse(null);
        if (cdn != null && cdnId != null && !cdn.equals(cdnId)) {
            throw new ApiFailure(ApiCode.CDN_AUTHORIZATION_FAILED, "cdn", "cdn and cdn_id differ");
        }
        Long id = cdn != null ? cdn : cdnId;
        if (id == null) {
            throw new ApiFailure(ApiCode.CDN_AUTHORIZATION_FAILED, "cdn", "cdn (or cdn_id) is required");
        }
        String apiKey = f.optionalString("api_key").orElse(null);
        Optional<Account> found = accounts.byCdnId(id);
        if (apiKey == null || found.isEmpty() || !found.get().apiKeyMatches(apiKey)) {
            throw new ApiFailure(ApiCode.CDN_AUTHORIZATION_FAILED, apiKey == null ? "api_key" : null, null);
        }
        Account account = found.get();

        // 0002: the timestamp.
        Instant now = clock.instant();
        Long timestamp = f.optionalLong("timestamp").orElse(null);
        if (timestamp == null) {
            throw new ApiFailure(ApiCode.TIMESTAMP_OUT_OF_RANGE, "timestamp", "timestamp is required");
        }
        // Compared as bounds, never as a difference: timestamp − now overflows for a timestamp near
        // Long.MIN_VALUE, and Math.abs(Long.MIN_VALUE) is negative, which let such a timestamp pass
        // this check. now ± window saturates, so even a configured window of centuries cannot overflow.
        long nowSeconds = now.getEpochSecond();
        long earliest = saturatedSubtract(nowSeconds, window.toSeconds());
        long latest = saturatedAdd(nowSeconds, window.toSeconds());
        if (timestamp < earliest || timestamp > latest) {
            throw new ApiFailure(ApiCode.TIMESTAMP_OUT_OF_RANGE, "timestamp",
                    "timestamp " + timestamp + " is more than " + window.toSeconds() + " s from the server's time " + now.getEpochSecond());
        }

        // 0003: the signature, over the text as sent without the signature member.
        String signature = f.optionalString("signature").orElse(null);
        if (signature == null) {
            throw new ApiFailure(ApiCode.SIGNATURE_FAILED, "signature", "signature is required");
        }
        byte[] given = decodeBase64(signature);
        boolean verified = false;
        for (String signed : signedTexts(parsed)) {
            // Every candidate is checked, so the time taken does not tell which one matched.
            verified |= given != null & MessageDigest.isEqual(hmac(account.secret(), signed), given);
        }
        if (!verified) {
            throw new ApiFailure(ApiCode.SIGNATURE_FAILED, null);
        }

        // 0006 / 0008 / 0014 / 0000: the command and its fields.
        String command = f.optionalString("command").orElse(null);
        if (command == null) {
            throw new ApiFailure(ApiCode.MISSING_FIELDS, "command", "command");
        }
        String name = command.isEmpty() && parsed.members().containsKey("video") ? "sevu.search" : command;
        Set<String> allowed = FIELDS.containsKey(name) || live == null ? FIELDS.get(name) : LiveCommands.FIELDS.get(name);
        if (allowed == null) {
            throw new ApiFailure(ApiCode.UNRECOGNIZED_COMMAND, "command", "'" + LogText.safe(command) + "'");
        }
        named[0] = name;
        // 0005: a signed, valid request for a command the account is not allowed (usher.account.<cdn>.commands).
        if (!account.mayRun(name)) {
            throw new ApiFailure(ApiCode.UNAUTHORIZED, "command", "account " + account.cdnId() + " may not run " + name);
        }
        for (String field : parsed.members().keySet()) {
            if (!BASE.contains(field) && !allowed.contains(field)) {
                throw new ApiFailure(ApiCode.UNKNOWN_FIELD, field, field + " is not a field of " + name);
            }
        }
        // Whole seconds are compared above, so a request is accepted until timestamp + window + 0.999 s:
        // it is remembered one second longer than that.
        Instant until = Instant.ofEpochSecond(Math.min(Instant.MAX.getEpochSecond(),
                saturatedAdd(saturatedAdd(timestamp, window.toSeconds()), 1)));
        if (MUTATING.contains(name) || LiveCommands.MUTATING.contains(name)) {
            return once(account.cdnId() + ":" + Base64.getEncoder().encodeToString(given), until,
                    () -> execute(name, account, f));
        }
        return execute(name, account, f);
    }

    private Answer execute(String name, Account account, Fields f) throws ApiFailure {
        return switch (name) {
            case "sevu.request" -> request(account, f);
            case "sevu.status" -> status(account, f);
            case "sevu.revoke" -> revoke(account, f);
            case "sevu.errorlog" -> errorlog(account, f);
            case "sevu.search" -> search(account, f);
            default -> live.handle(name, account, f.members);
        };
    }

    /** A command carried out at most once. */
    private interface Effect {
        Answer run() throws ApiFailure;
    }

    /**
     * Carries out a mutating request once (see the class comment): claims it in the ledger, runs it
     * and stores its answer; or gives the stored answer of its first copy.
     */
    private Answer once(String requestId, Instant until, Effect effect) throws ApiFailure {
        ReplayLedger ledger = service.repository() instanceof ReplayLedger shared ? shared : replays;
        CompletableFuture<String> mine = new CompletableFuture<>();
        CompletableFuture<String> first = inFlight.putIfAbsent(requestId, mine);
        if (first != null) { // a copy of a request this node is carrying out right now
            return stored(waitFor(first));
        }
        try {
            ReplayLedger.Claim claim = ledger.claim(requestId, until);
            if (claim == ReplayLedger.Claim.FULL) {
                throw new ApiFailure(ApiCode.SERVER_BUSY, "too many signed requests in the timestamp window");
            }
            if (claim == ReplayLedger.Claim.SEEN) { // carried out before, or right now on another node
                String answer = readStored(ledger, requestId);
                mine.complete(answer);
                return stored(answer);
            }
            Answer answer;
            try {
                answer = effect.run();
            } catch (ApiFailure f) {
                answer = failureAnswer(f); // a refusal is the first answer too: the retry gets it again
            } catch (RuntimeException e) {
                // The effect may or may not have happened (a database that failed mid-way): never
                // carried out again under this signature, its retries get this 0004 at once.
                answer = unexpected(e);
            }
            String json = answer.json();
            mine.complete(json);
            try {
                ledger.answer(requestId, json);
            } catch (RuntimeException e) {
                // Carried out, so the caller gets its answer; the claim stays, so a retry elsewhere is
                // answered 0013 (never carried out twice) until the window closes.
                LOG.log(System.Logger.Level.WARNING, "the answer of a signed API request could not be stored", e);
            }
            return answer;
        } catch (RuntimeException | Error e) {
            mine.complete(null); // copies waiting here are told to retry; the ledger keeps the claim
            throw e;
        } catch (ApiFailure f) {
            mine.complete(null);
            throw f;
        } finally {
            inFlight.remove(requestId, mine);
        }
    }

    private static String waitFor(CompletableFuture<String> first) {
        try {
            return first.get(RETRY_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    /**
     * The answer another node stored, or null when it is not there within {@link #RETRY_WAIT}. The
     * other node commits its claim before it starts, so the answer follows within the time of one
     * command; the ledger is read again after growing pauses (a shared database has no way to say
     * "wait for this row's update" that PostgreSQL and H2 both offer).
     */
    private String readStored(ReplayLedger ledger, String requestId) {
        long deadline = System.nanoTime() + RETRY_WAIT.toNanos();
        long pause = 2;
        while (true) {
            Optional<String> answer = ledger.answerOf(requestId);
            if (answer.isPresent() || System.nanoTime() - deadline > 0) {
                return answer.orElse(null);
            }
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            pause = Math.min(pause * 2, 100);
        }
    }

    /** The first answer again, or 0013 when there is none to give (not yet, or not kept). */
    private static Answer stored(String json) throws ApiFailure {
        if (json == null || json.equals(ReplayLedger.TOO_LONG)) {
            throw new ApiFailure(ApiCode.REQUEST_IN_PROGRESS, "signature", json == null
                    ? "the same signed request is still being carried out; send it again in a moment"
                    : "the first answer to this signed request was too long to keep; sign it again (a new timestamp)");
        }
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (Json.JsonException e) {
            throw new IllegalStateException("a stored API answer is not JSON", e);
        }
        if (!(parsed instanceof Map<?, ?> members) || !(members.get("code") instanceof BigDecimal number)) {
            throw new IllegalStateException("a stored API answer has no code");
        }
        ApiCode code = ApiCode.of(number.intValue()).orElseThrow(() -> new IllegalStateException("a stored API answer has an unknown code"));
        Map<String, Object> body = new LinkedHashMap<>();
        members.forEach((k, v) -> body.put((String) k, v));
        body.remove("handle_time");
        return new Answer(code, body);
    }

    private Answer request(Account account, Fields f) throws ApiFailure {
        f.require("app", "video", "pass", "ip", "uses");
        if (!f.has("expire") && !f.has("expires")) {
            throw new ApiFailure(ApiCode.MISSING_FIELDS, "expire", "expire");
        }
        IssueRequest request = new IssueRequest(f.string("app"), f.string("video"), f.string("pass"), f.string("ip"),
                f.integer("uses"), f.optionalString("expire").orElse(null), f.optionalString("expires").orElse(null), null);
        Ticket ticket;
        try {
            ticket = service.issue(account, request);
        } catch (TicketRequestException e) {
            throw failure(e);
        }
        Map<String, Object> body = success(ApiCode.TICKET_GRANTED);
        body.put("ticket", ticketObject(ticket, false));
        return new Answer(ApiCode.TICKET_GRANTED, body);
    }

    private Answer status(Account account, Fields f) throws ApiFailure {
        Ticket t = service.status(account, key(f)).orElseThrow(() -> notFound());
        Map<String, Object> body = success(ApiCode.TICKET_FOUND);
        body.put("ticket", ticketObject(t, true));
        return new Answer(ApiCode.TICKET_FOUND, body);
    }

    private Answer revoke(Account account, Fields f) throws ApiFailure {
        Ticket t = service.revoke(account, key(f)).orElseThrow(() -> notFound());
        Map<String, Object> body = success(ApiCode.TICKET_REVOKED);
        body.put("ticket", ticketObject(t, true));
        return new Answer(ApiCode.TICKET_REVOKED, body);
    }

    private Answer errorlog(Account account, Fields f) throws ApiFailure {
        String key = key(f);
        String starttime = f.optionalString("starttime").orElse(null);
        Optional<Long> success = f.optionalLong("success");
        if (success.isPresent() && success.get() != 0 && success.get() != 1) {
            throw new ApiFailure(ApiCode.INVALID_FIELD_VALUE, "success", "success must be 0 or 1");
        }
        long seek = f.optionalLong("seek").orElse(0L);
        long limit = f.optionalLong("limit").orElse((long) UsherService.MAX_ATTEMPTS_RETURNED);
        if (seek < 0 || limit < 1 || limit > UsherService.MAX_ATTEMPTS_RETURNED) {
            throw new ApiFailure(ApiCode.INVALID_FIELD_VALUE, seek < 0 ? "seek" : "limit",
                    "seek must be ≥ 0 and limit between 1 and " + UsherService.MAX_ATTEMPTS_RETURNED);
        }
        List<Attempt> attempts;
        try {
            attempts = service.errorlog(account, key, starttime).orElseThrow(() -> notFound());
        } catch (TicketRequestException e) {
            throw failure(e);
        }
        // pass: the attempts that carried this pass, by its keyed fingerprint (the pass is never
        // stored); "" picks those that carried none.
        Optional<String> pass = f.optionalString("pass");
        String fingerprint = null;
        if (pass.isPresent() && !pass.get().isEmpty()) {
            Ticket ticket = service.status(account, key).orElseThrow(() -> notFound());
            fingerprint = PassFingerprint.of(ticket.pass(), ticket.key(), pass.get());
        }
        List<Object> out = new ArrayList<>();
        long skipped = 0;
        for (Attempt a : attempts) {
            if (!matches(f, "ip", a.ip()) || !matches(f, "video", a.video())
                    || !matches(f, "app", a.app()) || (success.isPresent() && (success.get() == 1) != a.success())
                    || (pass.isPresent() && !(fingerprint == null ? a.passFingerprint().isEmpty()
                            : PassFingerprint.matches(a.passFingerprint(), fingerprint)))) {
                continue;
            }
            if (skipped++ < seek) {
                continue;
            }
            if (out.size() >= limit) {
                break;
            }
            out.add(ApiObjects.attempt(a, service.time()));
        }
        ApiCode code = out.isEmpty() ? ApiCode.TICKET_NOT_USED : ApiCode.TICKET_USES_FOUND;
        Map<String, Object> body = success(code);
        body.put("attempts", out);
        return new Answer(code, body);
    }

    /** A filter field matches when absent or equal. */
    private static boolean matches(Fields f, String field, String value) throws ApiFailure {
        Optional<String> wanted = f.optionalString(field);
        return wanted.isEmpty() || wanted.get().equals(value);
    }

    private Answer search(Account account, Fields f) throws ApiFailure {
        String video = f.optionalString("video").filter(v -> !v.isEmpty()).orElse(null);
        Optional<Long> active = f.optionalLong("active");
        if (active.isPresent() && active.get() != 0 && active.get() != 1) {
            throw new ApiFailure(ApiCode.INVALID_FIELD_VALUE, "active", "active must be 0 or 1");
        }
        long limit = f.optionalLong("limit").orElse((long) TicketQuery.MAX_LIMIT);
        if (limit < 1 || limit > TicketQuery.MAX_LIMIT) {
            throw new ApiFailure(ApiCode.INVALID_FIELD_VALUE, "limit", "limit must be between 1 and " + TicketQuery.MAX_LIMIT);
        }
        List<Object> tickets = new ArrayList<>();
        for (Ticket t : service.search(account, new TicketQuery(video, active.map(a -> a == 1).orElse(null), (int) limit))) {
            tickets.add(ticketObject(t, true));
        }
        Map<String, Object> body = success(ApiCode.TICKETS_FOUND);
        body.put("tickets", tickets);
        return new Answer(ApiCode.TICKETS_FOUND, body);
    }

    private static String key(Fields f) throws ApiFailure {
        if (f.has("key")) {
            return f.string("key");
        }
        if (f.has("Key")) {
            return f.string("Key");
        }
        throw new ApiFailure(ApiCode.MISSING_FIELDS, "key", "key");
    }

    private static ApiFailure notFound() {
        return new ApiFailure(ApiCode.TICKET_NOT_FOUND, "key", null);
    }

    private static ApiFailure failure(TicketRequestException e) {
        FieldProblem p = e.first();
        ApiCode code = switch (p.kind()) {
            case REQUIRED_FIELD -> ApiCode.MISSING_FIELDS;
            case TYPE_MISMATCH -> ApiCode.INVALID_FIELD_TYPE;
            case UNKNOWN_FIELD -> ApiCode.UNKNOWN_FIELD;
            // An app of another account: the seeds' "not authorized for that account".
            case APP_INVALID -> ApiCode.CDN_AUTHORIZATION_FAILED;
            default -> ApiCode.INVALID_FIELD_VALUE;
        };
        return new ApiFailure(code, p.field(), e.getMessage());
    }

    /** @return the body of a successful answer (code, message, status), for the commands of this package */
    static Map<String, Object> success(ApiCode code) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code.code());
        body.put("message", code.message());
        body.put("status", "success");
        return body;
    }

    /** The seeds' ticket object (see {@link dev.usher.core.ticket.TicketView#command}). */
    private Map<String, Object> ticketObject(Ticket t, boolean withExpiry) {
        return service.view().command(t, withExpiry);
    }

    /**
     * The texts the client may have signed. First, what it sent with the signature member cut out:
     * PHP signs {@code json_encode($request)} and appends the signature, so this is exactly it.
     * Then the same members in the order a {@code java.util.HashMap} sized for them iterates:
     * org.json copies a map into {@code new HashMap(size)}, so adding {@code signature} can resize
     * the table and reorder the other members between the signed and the posted text (the seeds'
     * Java example). Each member keeps the exact bytes it was sent with.
     */
    static List<String> signedTexts(Json.ParsedObject parsed) {
        List<String> texts = new ArrayList<>(3);
        texts.add(parsed.without("signature"));
        List<String> posted = new ArrayList<>(parsed.spans().keySet());
        posted.remove("signature");
        List<String> seedOrder = new ArrayList<>();
        for (String first : List.of("api_key", "cdn", "command")) {
            if (posted.contains(first)) {
                seedOrder.add(first);
            }
        }
        posted.stream().filter(k -> !seedOrder.contains(k) && !k.equals("timestamp")).forEach(seedOrder::add);
        if (posted.contains("timestamp")) {
            seedOrder.add("timestamp");
        }
        for (List<String> insertion : List.of(seedOrder, posted)) {
            java.util.HashMap<String, Boolean> table = new java.util.HashMap<>(insertion.size());
            insertion.forEach(k -> table.put(k, Boolean.TRUE));
            StringBuilder text = new StringBuilder(parsed.source().length()).append('{');
            for (String k : table.keySet()) {
                int[] span = parsed.spans().get(k);
                if (text.length() > 1) {
                    text.append(',');
                }
                text.append(parsed.source(), span[0], span[1]);
            }
            String candidate = text.append('}').toString();
            if (!texts.contains(candidate)) {
                texts.add(candidate);
            }
        }
        return texts;
    }

    static byte[] hmac(String secret, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    private static long saturatedAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? (b < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    private static long saturatedSubtract(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? (b > 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    private static byte[] decodeBase64(String text) {
        try {
            return Base64.getDecoder().decode(text.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Typed access to the members of a command, with the API's codes for absent and mistyped fields. */
    private static final class Fields {
        private final Map<String, Object> members;

        Fields(Map<String, Object> members) {
            this.members = members;
        }

        boolean has(String name) {
            Object v = members.get(name);
            return v != null && v != Json.NULL;
        }

        void require(String... names) throws ApiFailure {
            List<String> missing = new ArrayList<>();
            for (String n : names) {
                Object v = members.get(n);
                if (v == null || v == Json.NULL || (v instanceof String s && s.isEmpty())) {
                    missing.add(n);
                }
            }
            if (!missing.isEmpty()) {
                throw new ApiFailure(ApiCode.MISSING_FIELDS, missing.get(0), String.join(", ", missing));
            }
        }

        String string(String name) throws ApiFailure {
            return optionalString(name).orElseThrow(() -> new ApiFailure(ApiCode.MISSING_FIELDS, name, name));
        }

        Optional<String> optionalString(String name) throws ApiFailure {
            Object v = members.get(name);
            if (v == null || v == Json.NULL) {
                return Optional.empty();
            }
            if (!(v instanceof String s)) {
                throw new ApiFailure(ApiCode.INVALID_FIELD_TYPE, name, name + " must be a string");
            }
            return Optional.of(s);
        }

        int integer(String name) throws ApiFailure {
            long v = optionalLong(name).orElseThrow(() -> new ApiFailure(ApiCode.MISSING_FIELDS, name, name));
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new ApiFailure(ApiCode.INVALID_FIELD_VALUE, name, name + " is out of range");
            }
            return (int) v;
        }

        Optional<Long> optionalLong(String name) throws ApiFailure {
            Object v = members.get(name);
            if (v == null || v == Json.NULL) {
                return Optional.empty();
            }
            if (v instanceof Boolean b && (name.equals("active") || name.equals("success"))) {
                return Optional.of(b ? 1L : 0L);
            }
            if (!(v instanceof BigDecimal n)) {
                throw new ApiFailure(ApiCode.INVALID_FIELD_TYPE, name, name + " must be a whole number");
            }
            try {
                return Optional.of(n.longValueExact());
            } catch (ArithmeticException e) {
                throw new ApiFailure(ApiCode.INVALID_FIELD_TYPE, name, name + " must be a whole number");
            }
        }
    }
}
