package dev.usher.core.repository;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.attempt.AttemptLog;
import dev.usher.core.attempt.PassFingerprint;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.AdmissionRules;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.Playback;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.decision.Reason;
import dev.usher.core.ticket.Ticket;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What every {@link TicketRepository} does alike, whatever it keeps its rows in, so that no store
 * writes it again (Usher's in-memory and JDBC stores both use it). A store of one's own builds one
 * from the settings and calls, inside its atomic step:
 * <ul>
 * <li>in {@link TicketRepository#decide decide}: {@link #unknownKey} for a key it does not hold (and
 *     stores nothing); else {@link #decide} with the ticket and its stored playbacks, then stores
 *     the {@link Decided#ticket() ticket} and {@link Decided#playbacks() playbacks} it returns when
 *     they changed, and appends its {@link Decided#attempt() attempt} by the rules of
 *     {@link AttemptLog} (at most {@link #maxAttemptsPerTicket()} per ticket; Usher's in-memory store
 *     does the same in parts, {@link AdmissionRules#evaluate} and {@link #passFingerprint}, and appends
 *     that attempt's fields from the request without making the {@link Attempt});</li>
 * <li>in {@link TicketRepository#update update}: {@link TicketChange#applyTo};</li>
 * <li>in {@link TicketRepository#release release}: {@link AdmissionRules#release} through
 *     {@link #admission()}, and {@link #isAttemptOf} to find the grant's attempt;</li>
 * <li>in {@link TicketRepository#purge purge}: {@link #purgeHorizon} and {@link #isOpen}.</li>
 * </ul>
 * Purging on a timer needs nothing of the store: {@link ScheduledPurge} runs any repository's
 * {@code purge}. {@code TicketRepositoryContract} (in the core tests) checks a store against the
 * contract; it runs on Usher's stores.
 */
public final class RepositoryRules {

    /**
     * What {@link #decide} returns: the decision, with what the store writes back.
     *
     * @param outcome what the admission rules returned: the decision, the ticket and its open
     *                playbacks after it (the same objects as given when unchanged)
     * @param attempt the attempt to append to the ticket's log
     */
    public record Decided(AdmissionRules.Outcome outcome, Attempt attempt) {

        public Decision decision() {
            return outcome.decision();
        }

        public Ticket ticket() {
            return outcome.ticket();
        }

        public List<Playback> playbacks() {
            return outcome.playbacks();
        }

        /** @return whether the ticket must be written back (a use counted, a slot bound) */
        public boolean ticketChanged(Ticket before) {
            return outcome.ticketChanged(before);
        }

        /** @return whether the playbacks must be written back */
        public boolean playbacksChanged(List<Playback> before) {
            return outcome.playbacks() != before;
        }
    }

    private final AdmissionRules admission;
    private final Duration retention;
    private final int maxAttemptsPerTicket;
    private final String serverName;

    public RepositoryRules(UsherSettings settings) {
        Objects.requireNonNull(settings, "settings");
        this.admission = new AdmissionRules(settings.playbackWindow());
        this.retention = settings.retention();
        this.maxAttemptsPerTicket = settings.maxAttemptsPerTicket();
        this.serverName = settings.serverName();
    }

    /** @return the admission rules, for {@link AdmissionRules#release} */
    public AdmissionRules admission() {
        return admission;
    }

    /** @return the most attempts a ticket's log holds ({@link AttemptLog#evict}) */
    public int maxAttemptsPerTicket() {
        return maxAttemptsPerTicket;
    }

    /**
     * The decision on a key the store does not hold: Invalid Auth Token. Nothing is stored for it,
     * so random keys can't fill the store.
     */
    public Decision unknownKey(PlaybackRequest request, Instant now) {
        return admission.evaluate(null, List.of(), request, now).decision();
    }

    /**
     * Decides a request on a ticket the store holds.
     *
     * @param playbacks the ticket's stored playbacks (closed ones may be among them)
     */
    public Decided decide(Ticket ticket, List<Playback> playbacks, PlaybackRequest request, Instant now) {
        Objects.requireNonNull(ticket, "ticket (an unknown key is decided by unknownKey)");
        AdmissionRules.Outcome outcome = admission.evaluate(ticket, playbacks, request, now);
        Decision decision = outcome.decision();
        return new Decided(outcome, attempt(ticket, request, now, decision, passFingerprint(ticket, request, decision, null)));
    }

    /**
     * For a store that keeps the fingerprint of the ticket's own pass (the in-memory one), so that a
     * request carrying it (every request but a wrong pass) costs no HMAC: a request that passes the
     * first rule carries exactly the ticket's pass.
     *
     * @param ownPassFingerprint {@code PassFingerprint.of(ticket.pass(), ticket.key(), ticket.pass())},
     *                           or null to compute it
     * @return the pass fingerprint of the attempt that records {@code decision}: the kept one of
     *         the ticket's own pass when the request got past the pass check, else computed
     */
    public String passFingerprint(Ticket ticket, PlaybackRequest request, Decision decision, String ownPassFingerprint) {
        return ownPassFingerprint != null && decision.reason() != Reason.INVALID_AUTH_TOKEN
                ? ownPassFingerprint : PassFingerprint.of(ticket.pass(), ticket.key(), request.pass());
    }

    /** @return the name of this node, the {@link Attempt#server()} of the attempts it records */
    public String serverName() {
        return serverName;
    }

    /**
     * The refusal a request earns from the ticket's fields alone, whatever its uses, bindings and
     * playbacks: a wrong pass, a revoked or expired ticket, another app (the first four of the
     * {@link AdmissionRules}' reasons). A store may decide these from a plain read, before it locks
     * the ticket, so that a flood of wrong passes never waits in line with a real viewer: the
     * decision is the one the locked step would make from the ticket as read, and since it stores
     * nothing but its attempt, no other decision depends on it.
     *
     * @return the refusal with its attempt, or null when the decision needs the locked step
     */
    public Decided refusalBeforeLock(Ticket ticket, PlaybackRequest request, Instant now) {
        Objects.requireNonNull(ticket, "ticket");
        // Without the viewer count: these reasons come before the concurrency rule, and a plain read
        // must not ask the viewer store for a decision the locked step makes.
        AdmissionRules.Outcome outcome = admission.evaluate(ticket, List.of(), request.withOtherViewers(null), now);
        Reason reason = outcome.decision().reason();
        if (reason == Reason.INVALID_AUTH_TOKEN || reason == Reason.TOKEN_REVOKED || reason == Reason.EXPIRED
                || reason == Reason.WRONG_APPLICATION) {
            return new Decided(outcome, attempt(ticket, request, now, outcome.decision()));
        }
        return null;
    }

    /** @return the attempt that records {@code decision} on {@code ticket}, by this node */
    public Attempt attempt(Ticket ticket, PlaybackRequest request, Instant now, Decision decision) {
        return attempt(ticket, request, now, decision, PassFingerprint.of(ticket.pass(), ticket.key(), request.pass()));
    }

    private Attempt attempt(Ticket ticket, PlaybackRequest request, Instant now, Decision decision, String passFingerprint) {
        return new Attempt(ticket.key(), now, request.client().toString(), request.video(), request.app(),
                request.appInstance(), request.pageUrl(), request.referrer(), decision.reason(), serverName, 1, 0,
                passFingerprint);
    }

    /**
     * @return whether {@code a} is the attempt {@code grant} appended, not yet marked as not served:
     *         a success at the instant its playback started, by a video the playback's scope holds
     *         (the newest such attempt is the one to mark)
     */
    public static boolean isAttemptOf(Decision grant, Attempt a) {
        return a.success() && a.failedStatus() == 0 && a.datetime().equals(grant.opened().started())
                && grant.opened().startedBy(a.app(), a.video());
    }

    /** @return the instant before which expired tickets and attempts are forgotten: {@code now} less the retention */
    public Instant purgeHorizon(Instant now) {
        return now.minus(retention);
    }

    /** @return whether a playback is still open at {@code now} (closed ones are forgotten by purge) */
    public boolean isOpen(Playback playback, Instant now) {
        return playback.isOpen(now, admission.playbackWindow());
    }

    /** @return the instant a playback's last request must be after to be open at {@code now} ({@link #isOpen}) */
    public Instant openAfter(Instant now) {
        return now.minus(admission.playbackWindow());
    }
}
