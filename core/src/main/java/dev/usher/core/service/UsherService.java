package dev.usher.core.service;

import dev.usher.core.account.Account;
import dev.usher.core.attempt.Attempt;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.log.LogText;
import dev.usher.core.repository.TicketChange;
import dev.usher.core.repository.TicketQuery;
import dev.usher.core.repository.TicketRepository;
import dev.usher.core.rule.IpRestriction;
import dev.usher.core.rule.PatternList;
import dev.usher.core.ticket.Ticket;
import dev.usher.core.ticket.TicketKeys;
import dev.usher.core.ticket.TicketView;
import dev.usher.core.time.SevuTime;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What Usher does with tickets: issue ({@code sevu.request}), status, revoke, update, delete,
 * the attempt log ({@code sevu.errorlog}), search, and the playback decision. Every adapter (the
 * JSON API, the v2 resource, the filter, CDI beans) calls this; none decides anything itself.
 *
 * <p>Operations on existing tickets take the calling account and see only its tickets: another
 * account's key is answered as unknown.
 */
public final class UsherService {

    private static final System.Logger LOG = System.getLogger("dev.usher.decision");

    /** Longest pass accepted. */
    public static final int MAX_PASS_LENGTH = 256;
    /** Most attempts one errorlog answer holds. */
    public static final int MAX_ATTEMPTS_RETURNED = 1000;

    private final TicketRepository repository;
    private final UsherSettings settings;
    private final Clock clock;
    private final TicketKeys keys;
    private final SevuTime time;
    private final TicketView view;
    /** Who owns which apps; open until a runtime with API accounts sets it (see {@link #enforceNamespaces}). */
    private volatile dev.usher.core.account.AppNamespaces namespaces = dev.usher.core.account.AppNamespaces.OPEN;
    /** Refused decisions at a bounded rate per reason (every attempt is in the attempt log anyway). */
    private final dev.usher.core.log.RefusalLog refusals = dev.usher.core.log.RefusalLog.every10Seconds(LOG);
    private final java.util.concurrent.CopyOnWriteArrayList<UsherListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public UsherService(TicketRepository repository, UsherSettings settings, Clock clock, TicketKeys keys) {
        this.repository = Objects.requireNonNull(repository);
        this.settings = Objects.requireNonNull(settings);
        this.clock = Objects.requireNonNull(clock);
        this.keys = Objects.requireNonNull(keys);
        this.time = new SevuTime(settings.timeZone());
        this.view = new TicketView(time);
    }

    public UsherService(TicketRepository repository, UsherSettings settings) {
        this(repository, settings, Clock.systemUTC(), new TicketKeys());
    }

    public UsherSettings settings() {
        return settings;
    }

    /** @return the date format of the API in the configured zone */
    public SevuTime time() {
        return time;
    }

    /** @return how the API shows a ticket, in the configured zone */
    public TicketView view() {
        return view;
    }

    public TicketRepository repository() {
        return repository;
    }

    /**
     * Issues a ticket to {@code account}.
     *
     * @throws TicketRequestException listing every invalid or missing field; nothing is stored
     */
    public Ticket issue(Account account, IssueRequest request) {
        Instant now = clock.instant();
        List<FieldProblem> problems = new ArrayList<>();
        PatternList app = patterns("app", request.app(), problems);
        if (app != null) {
            // Every way of issuing (sevu.request, v2, the usher bean) comes through here.
            List<String> outside = namespaces.outside(account, app);
            if (!outside.isEmpty()) {
                problems.add(new FieldProblem("app", FieldProblem.Kind.APP_INVALID, "app " + String.join(", ", outside)
                        + " is outside this account's applications: " + namespaces.describe(account)));
            }
        }
        PatternList video = patterns("video", request.video(), problems);
        IpRestriction ip = null;
        if (isBlank(request.ip())) {
            problems.add(FieldProblem.required("ip"));
        } else {
            try {
                ip = IpRestriction.parse(request.ip());
            } catch (IllegalArgumentException e) {
                problems.add(FieldProblem.invalid("ip", e.getMessage()));
            }
        }
        String pass = request.pass();
        if (isBlank(pass)) {
            problems.add(FieldProblem.required("pass"));
        } else if (pass.length() > MAX_PASS_LENGTH || pass.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            problems.add(FieldProblem.invalid("pass", "pass must be at most " + MAX_PASS_LENGTH
                    + " characters without control characters"));
        }
        if (request.uses() == null) {
            problems.add(FieldProblem.required("uses"));
        } else if (request.uses() < 1) {
            problems.add(FieldProblem.invalid("uses", "uses must be at least 1, was " + request.uses()));
        }
        if (request.concurrent() != null && request.concurrent() < 0) {
            problems.add(FieldProblem.invalid("concurrent", "concurrent must be 0 (no limit) or more, was "
                    + request.concurrent()));
        }
        Instant expires = expiry(request, now, problems);
        if (!problems.isEmpty()) {
            throw new TicketRequestException(problems);
        }
        boolean active = request.active() == null || request.active();
        for (int attempt = 0; ; attempt++) {
            Optional<Ticket> stored = repository.add(new Ticket(keys.next(video), account.cdnId(), pass, ip, video, app,
                    request.uses(), active, now, expires, null, 0, null,
                    request.concurrent() == null ? 0 : request.concurrent()));
            if (stored.isPresent()) {
                Ticket ticket = stored.get();
                for (UsherListener l : listeners) {
                    try {
                        l.issued(account, ticket);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "a listener failed on an issued ticket", e);
                    }
                }
                return ticket;
            }
            if (attempt == 3) {
                throw new IllegalStateException("could not find a free ticket key");
            }
        }
    }

    private Instant expiry(IssueRequest request, Instant now, List<FieldProblem> problems) {
        String expire = request.expire();
        String field = "expire";
        if (isBlank(expire)) {
            expire = request.expires();
            field = "expires";
        } else if (!isBlank(request.expires()) && !request.expires().equals(expire)) {
            problems.add(FieldProblem.invalid("expires", "expire and expires differ; send one of them"));
            return null;
        }
        if (isBlank(expire)) {
            expire = settings.defaultExpiry();
            field = "expire";
        }
        return futureInstant(field, expire, now, problems);
    }

    private Instant futureInstant(String field, String text, Instant now, List<FieldProblem> problems) {
        try {
            Instant at = time.parseExpiry(text, now);
            if (!at.isAfter(now)) {
                problems.add(FieldProblem.invalid(field, field + " '" + text + "' is not in the future"));
                return null;
            }
            return at;
        } catch (IllegalArgumentException e) {
            problems.add(FieldProblem.invalid(field, field + ": " + e.getMessage()));
            return null;
        }
    }

    private static PatternList patterns(String field, String text, List<FieldProblem> problems) {
        if (isBlank(text)) {
            problems.add(FieldProblem.required(field));
            return null;
        }
        try {
            return PatternList.parse(field, text);
        } catch (IllegalArgumentException e) {
            problems.add(FieldProblem.invalid(field, e.getMessage()));
            return null;
        }
    }

    /** @return the account's ticket, or empty */
    public Optional<Ticket> status(Account account, String key) {
        return repository.find(key).filter(t -> t.cdnId() == account.cdnId());
    }

    /** Sets {@code active} to 0. Revoking twice is harmless. @return the ticket after, or empty */
    public Optional<Ticket> revoke(Account account, String key) {
        return repository.update(account.cdnId(), key, TicketChange.revoke());
    }

    /**
     * Changes {@code active} and {@code expire_date}; the other fields of the v2 object may be
     * repeated with the value the v2 object shows ({@link TicketView#v2}: the bound {@code ip}, the
     * last use as {@code used_date}) but not changed.
     *
     * @return the ticket after, or empty when the account has no such ticket
     * @throws TicketRequestException ACCESS_VIOLATION for a changed fixed field, UNKNOWN_FIELD,
     *                                INVALID_VALUE for a bad date; nothing is changed
     */
    public Optional<Ticket> update(Account account, String key, TicketUpdateRequest update) {
        Optional<Ticket> current = status(account, key);
        if (current.isEmpty()) {
            return current;
        }
        Ticket ticket = current.get();
        List<FieldProblem> problems = new ArrayList<>();
        for (Map.Entry<String, String> field : update.others().entrySet()) {
            String name = field.getKey();
            if (!TicketView.V2_FIXED.contains(name)) {
                problems.add(new FieldProblem(name, FieldProblem.Kind.UNKNOWN_FIELD, "unknown field " + name));
            } else if (!view.v2Repeats(ticket, name, field.getValue())) {
                problems.add(new FieldProblem(name, FieldProblem.Kind.ACCESS_VIOLATION, name + " can't be changed"));
            }
        }
        Instant expires = null;
        if (update.expireDate() != null) {
            expires = futureInstant("expire_date", update.expireDate(), clock.instant(), problems);
        }
        if (!problems.isEmpty()) {
            throw new TicketRequestException(problems);
        }
        return repository.update(account.cdnId(), key, new TicketChange(update.active(), expires));
    }

    /** Deletes the account's ticket and its log. @return false when it has none */
    public boolean delete(Account account, String key) {
        return repository.delete(account.cdnId(), key);
    }

    /**
     * The attempt log of the account's ticket.
     *
     * @param starttime only attempts on or after this date (any form {@link SevuTime#parseAbsolute} reads), or null
     * @return the attempts, oldest first; empty when the account has no such ticket
     * @throws TicketRequestException when {@code starttime} is not a date
     */
    public Optional<List<Attempt>> errorlog(Account account, String key, String starttime) {
        Instant since = null;
        if (!isBlank(starttime)) {
            try {
                since = time.parseAbsolute(starttime);
            } catch (IllegalArgumentException e) {
                throw new TicketRequestException(FieldProblem.invalid("starttime", "starttime: " + e.getMessage()));
            }
        }
        if (status(account, key).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(repository.attempts(key, since, MAX_ATTEMPTS_RETURNED));
    }

    /** @return the account's tickets the query accepts, newest first */
    public List<Ticket> search(Account account, TicketQuery query) {
        return repository.search(account.cdnId(), query);
    }

    /**
     * Decides a playback request, records it, and logs a refusal (never the pass).
     */
    public Decision authorize(PlaybackRequest request) {
        long started = System.nanoTime();
        Decision decision = repository.decide(request.withAppOwner(ownerOf(request.app())), clock.instant());
        java.time.Duration took = java.time.Duration.ofNanos(System.nanoTime() - started);
        for (UsherListener l : listeners) {
            try {
                l.decided(request, decision, took);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a listener failed on a decision", e);
            }
        }
        if (!decision.granted()) {
            refusals.refused(decision.reason().text(), () -> "refused: " + decision.reason().text() + "; key="
                    + LogText.safe(request.key()) + " client=" + request.client() + " app=" + LogText.safe(request.app())
                    + " video=" + LogText.safe(request.video()));
        }
        return decision;
    }

    /**
     * Makes every issue keep to the issuing account's application namespace, and every decision
     * refuse a ticket whose account does not own the requested app (Wrong Application). Set once by
     * the runtime that knows the API accounts.
     */
    public void enforceNamespaces(dev.usher.core.account.AppNamespaces value) {
        namespaces = Objects.requireNonNull(value);
    }

    private java.util.function.LongPredicate ownerOf(String app) {
        dev.usher.core.account.AppNamespaces n = namespaces;
        return cdnId -> n.mayOpen(cdnId, app);
    }

    /**
     * Gives back what {@code grant} took when Usher could not serve its request: the response ended
     * with {@code status} (400 or more: a missing file, a manifest too large or unreadable, a
     * credential that could not be built). See {@link TicketRepository#release}; a grant that opened
     * no playback, or one already given back, changes nothing.
     *
     * @return true when a use was given back
     */
    public boolean release(Decision grant, int status) {
        if (grant == null || !grant.granted() || !grant.newPlayback() || status < 400) {
            return false;
        }
        boolean released = repository.release(grant, status, clock.instant());
        if (released) {
            LOG.log(System.Logger.Level.INFO, () -> "not served (" + status + "), use given back: key="
                    + LogText.safe(grant.ticket().key()) + " scope=" + LogText.safe(grant.opened().scope()));
        }
        return released;
    }

    /** Adds a listener told of every issued ticket and every decision. */
    public void addListener(UsherListener listener) {
        listeners.add(java.util.Objects.requireNonNull(listener));
    }

    /**
     * Tells every listener of something the service's adapters did (a credential checked, a
     * manifest answered, an API command answered); a listener that throws is logged and skipped.
     */
    public void tell(java.util.function.Consumer<UsherListener> event) {
        for (UsherListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a listener failed", e);
            }
        }
    }

    /** @return the service's clock, for parts that keep time alongside it (a viewer store's flushes) */
    public Clock clock() {
        return clock;
    }

    /** @return the current time of the service's clock */
    public Instant now() {
        return clock.instant();
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }
}
