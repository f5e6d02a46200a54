package dev.usher.core.api;

import dev.usher.core.account.AccountRegistry;
import dev.usher.core.repository.ReplayLedger;
import dev.usher.core.service.UsherService;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

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
 * request is claimed in the {@link ReplayLedger} given to the constructor before the effect (one
 * shared by the nodes, such as the JDBC repository, or {@link ReplayGuard}'s of this node); a copy that arrives while the first is still being carried
 * out waits for its answer, on this node for the first one to finish, on another by reading the
 * ledger, at most {@link #RETRY_WAIT}, and is answered 0013 (retry) if it is not there by then.
 * Read-only commands simply run again.
 *
 * <p>Three parts: {@link CommandVerifier} checks a command up to its field names,
 * {@link OncePerSignature} carries a mutating one out once, and the {@link CommandGroup}s
 * ({@link TicketCommands}, {@link LiveCommands}, …) carry them out. This class wires them and
 * renders the answers.
 */
public final class SevuApi {

    private static final System.Logger LOG = System.getLogger("dev.usher.api");

    /** Largest JSON command read, in characters. */
    public static final int MAX_JSON = 64 * 1024;

    /**
     * The commands of every group this API can serve, whether or not a deployment gives it the
     * group: what an account may be allowed ({@code usher.account.<cdn>.commands}). A new group adds
     * its {@code COMMANDS} here.
     */
    private static final List<CommandGroup.Commands> SERVED = List.of(TicketCommands.COMMANDS, LiveCommands.COMMANDS,
            RecordingCommands.COMMANDS, ViewerCommands.COMMANDS);

    /** How long a retry waits for the answer of its first copy that is still being carried out. */
    public static final Duration RETRY_WAIT = OncePerSignature.RETRY_WAIT;

    private final UsherService service;
    private final CommandVerifier verifier;
    private final OncePerSignature once;
    /** The group of each command served. */
    private final Map<String, CommandGroup> groups;

    /** @return the commands this API serves (each may be allowed to an account, {@code usher.account.<cdn>.commands}) */
    public static Set<String> commands() {
        Set<String> all = new TreeSet<>();
        SERVED.forEach(group -> all.addAll(group.fields().keySet()));
        return Set.copyOf(all);
    }

    /**
     * The ticket commands only, with the repository's replay ledger when it has one.
     *
     * @param window how far a request's timestamp may lie from now, either way (default 5 minutes)
     */
    public SevuApi(UsherService service, AccountRegistry accounts, Duration window, Clock clock) {
        this(service, accounts, window, clock, (LiveCommands) null);
    }

    /** @param live the live commands (stream users, publisher log); null answers them 0000 */
    public SevuApi(UsherService service, AccountRegistry accounts, Duration window, Clock clock, LiveCommands live) {
        this(service, accounts, window, clock, ReplayGuard.sharedOrOwn(service.repository(), clock),
                live == null ? List.of() : List.of(live));
    }

    /**
     * @param window  how far a request's timestamp may lie from now, either way (default 5 minutes)
     * @param ledger  where mutating requests are claimed and their answers kept: one shared by the
     *                nodes, or {@link ReplayGuard#forOneNode}
     * @param groups  the command groups served besides the ticket commands (the live commands, …);
     *                a command of no group given is answered 0000
     */
    public SevuApi(UsherService service, AccountRegistry accounts, Duration window, Clock clock, ReplayLedger ledger,
                   List<? extends CommandGroup> groups) {
        this.service = service;
        this.once = new OncePerSignature(ledger);
        Map<String, CommandGroup> byName = new LinkedHashMap<>();
        Map<String, Set<String>> fields = new LinkedHashMap<>();
        List<CommandGroup> all = new ArrayList<>();
        all.add(new TicketCommands(service));
        all.addAll(groups);
        for (CommandGroup group : all) {
            group.commands().fields().forEach((name, own) -> {
                if (!commands().contains(name)) {
                    throw new IllegalArgumentException(name + " is not among SevuApi.SERVED (nor, then, usher.account.<cdn>.commands)");
                }
                if (byName.putIfAbsent(name, group) != null) {
                    throw new IllegalArgumentException("two command groups serve " + name);
                }
                fields.put(name, own);
            });
        }
        this.groups = Map.copyOf(byName);
        this.verifier = new CommandVerifier(accounts, window, clock, fields);
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
            answer = done(command(json, name -> named[0] = name), started);
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

    private Answer command(String json, Consumer<String> named) throws ApiFailure {
        SignedCommand command = verifier.verify(json, named);
        CommandGroup group = groups.get(command.name());
        if (group.commands().mutating().contains(command.name())) {
            return once.once(command, () -> group.handle(command));
        }
        return group.handle(command);
    }

    static Answer unexpected(RuntimeException e) {
        LOG.log(System.Logger.Level.ERROR, "unexpected error in a SEVU API command", e);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", ApiCode.UNEXPECTED_ERROR.code());
        body.put("message", ApiCode.UNEXPECTED_ERROR.message());
        body.put("status", "failure");
        return new Answer(ApiCode.UNEXPECTED_ERROR, body);
    }

    static Answer failureAnswer(ApiFailure f) {
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
        return done(failureAnswer(new ApiFailure(code, detail)), System.nanoTime());
    }

    private static Answer done(Answer answer, long started) {
        answer.body().put("handle_time", String.format(Locale.ROOT, "%.4f seconds", (System.nanoTime() - started) / 1e9));
        return answer;
    }

    /** @return the body of a successful answer (code, message, status), for the commands of this package */
    static Map<String, Object> success(ApiCode code) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code.code());
        body.put("message", code.message());
        body.put("status", "success");
        return body;
    }
}
