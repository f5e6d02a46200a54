package dev.usher.core.api;

import dev.usher.core.account.Account;
import dev.usher.core.attempt.Attempt;
import dev.usher.core.attempt.PassFingerprint;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.service.FieldProblem;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.TicketRequestException;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The ticket commands of the SEVU API: {@code sevu.request}, {@code sevu.status},
 * {@code sevu.revoke}, {@code sevu.errorlog} and {@code sevu.search}. Called by {@link SevuApi}
 * after the account, timestamp, signature, field names and replay were checked.
 */
final class TicketCommands implements CommandGroup {

    static final Commands COMMANDS = new Commands(Map.of(
            "sevu.request", Set.of("app", "video", "pass", "ip", "uses", "expire", "expires", "concurrent"),
            "sevu.status", Set.of("key", "Key"),
            "sevu.revoke", Set.of("key", "Key"),
            "sevu.errorlog", Set.of("key", "Key", "starttime", "pass", "ip", "video", "app", "success", "seek", "limit"),
            "sevu.search", Set.of("video", "active", "limit")),
            Set.of("sevu.request", "sevu.revoke"));

    private final UsherService service;

    TicketCommands(UsherService service) {
        this.service = service;
    }

    @Override
    public Commands commands() {
        return COMMANDS;
    }

    @Override
    public SevuApi.Answer handle(SignedCommand command) throws ApiFailure {
        Account account = command.account();
        CommandFields f = command.fields();
        return switch (command.name()) {
            case "sevu.request" -> request(account, f);
            case "sevu.status" -> status(account, f);
            case "sevu.revoke" -> revoke(account, f);
            case "sevu.errorlog" -> errorlog(account, f);
            case "sevu.search" -> search(account, f);
            default -> throw new IllegalStateException(command.name());
        };
    }

    private SevuApi.Answer request(Account account, CommandFields f) throws ApiFailure {
        f.require("app", "video", "pass", "ip", "uses");
        if (!f.has("expire") && !f.has("expires")) {
            throw new ApiFailure(ApiCode.MISSING_FIELDS, "expire", "expire");
        }
        // concurrent: Usher's extension (issue 16), a whole number like uses; the service checks its range.
        Integer concurrent = f.has("concurrent") ? f.integer("concurrent") : null;
        IssueRequest request = new IssueRequest(f.string("app"), f.string("video"), f.string("pass"), f.string("ip"),
                f.integer("uses"), f.optionalString("expire").orElse(null), f.optionalString("expires").orElse(null), null,
                concurrent);
        Ticket ticket;
        try {
            ticket = service.issue(account, request);
        } catch (TicketRequestException e) {
            throw failure(e);
        }
        return withTicket(ApiCode.TICKET_GRANTED, ticket, false);
    }

    private SevuApi.Answer status(Account account, CommandFields f) throws ApiFailure {
        return withTicket(ApiCode.TICKET_FOUND, service.status(account, key(f)).orElseThrow(TicketCommands::notFound), true);
    }

    private SevuApi.Answer revoke(Account account, CommandFields f) throws ApiFailure {
        return withTicket(ApiCode.TICKET_REVOKED, service.revoke(account, key(f)).orElseThrow(TicketCommands::notFound), true);
    }

    private SevuApi.Answer withTicket(ApiCode code, Ticket t, boolean withExpiry) {
        Map<String, Object> body = SevuApi.success(code);
        body.put("ticket", ticketObject(t, withExpiry));
        return new SevuApi.Answer(code, body);
    }

    private SevuApi.Answer errorlog(Account account, CommandFields f) throws ApiFailure {
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
            attempts = service.errorlog(account, key, starttime).orElseThrow(TicketCommands::notFound);
        } catch (TicketRequestException e) {
            throw failure(e);
        }
        // pass: the attempts that carried this pass, by its keyed fingerprint (the pass is never
        // stored); "" picks those that carried none.
        Optional<String> pass = f.optionalString("pass");
        String fingerprint = null;
        if (pass.isPresent() && !pass.get().isEmpty()) {
            Ticket ticket = service.status(account, key).orElseThrow(TicketCommands::notFound);
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
        Map<String, Object> body = SevuApi.success(code);
        body.put("attempts", out);
        return new SevuApi.Answer(code, body);
    }

    /** A filter field matches when absent or equal. */
    private static boolean matches(CommandFields f, String field, String value) throws ApiFailure {
        Optional<String> wanted = f.optionalString(field);
        return wanted.isEmpty() || wanted.get().equals(value);
    }

    private SevuApi.Answer search(Account account, CommandFields f) throws ApiFailure {
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
        Map<String, Object> body = SevuApi.success(ApiCode.TICKETS_FOUND);
        body.put("tickets", tickets);
        return new SevuApi.Answer(ApiCode.TICKETS_FOUND, body);
    }

    private static String key(CommandFields f) throws ApiFailure {
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
            // An app of another account: ScaleEngine's "not authorized for that account".
            case APP_INVALID -> ApiCode.CDN_AUTHORIZATION_FAILED;
            default -> ApiCode.INVALID_FIELD_VALUE;
        };
        return new ApiFailure(code, p.field(), e.getMessage());
    }

    /** The ticket object of the JSON commands (see {@link dev.usher.core.ticket.TicketView#command}). */
    private Map<String, Object> ticketObject(Ticket t, boolean withExpiry) {
        return service.view().command(t, withExpiry);
    }
}
