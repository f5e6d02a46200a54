package dev.usher.core.service;

import dev.usher.core.account.Account;
import dev.usher.core.decision.Decision;
import dev.usher.core.credential.CredentialStatus;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.media.MediaPath;
import dev.usher.core.ticket.Ticket;

import java.time.Duration;

/**
 * Told of what the service does, for analytics or abuse tracking (the CDI extension turns these
 * into CDI events, the metrics bridge into counters). Called on the thread that did the work, after it is done; must be quick and
 * must not throw — an exception is logged and ignored.
 */
public interface UsherListener {

    /** A ticket was issued to {@code account}. */
    default void issued(Account account, Ticket ticket) {
    }

    /** A playback request was decided (granted or refused). */
    default void decided(PlaybackRequest request, Decision decision) {
    }

    /**
     * A playback request was decided, and how long the decision took (the repository's work). The
     * service calls this one; by default it tells {@link #decided(PlaybackRequest, Decision)}, so a
     * listener that does not care about the time overrides only that.
     */
    default void decided(PlaybackRequest request, Decision decision, Duration took) {
        decided(request, decision);
    }

    /** A manifest's child credential was checked ({@code VALID} or why not). */
    default void credentialChecked(CredentialStatus status) {
    }

    /**
     * A child whose credential was valid was refused because its ticket is revoked ({@code Token
     * Revoked}): how a playback in progress stops. Children are not written to the ticket's attempt
     * log (no repository write on the segment path), so this is where their refusals are seen.
     */
    default void childRevoked(String ticketKey) {
    }

    /**
     * A granted manifest was answered by the filter.
     *
     * @param outcome {@code rewritten} (sent with credentials), {@code passed} (the server's own
     *                error or HEAD went out as it was) or {@code refused} (502: too large or not rewritable)
     */
    default void manifestRewritten(MediaPath.Kind kind, String outcome) {
    }

    /**
     * The SEVU API answered a command.
     *
     * @param command the command's name when the request named one the API serves, else {@code unknown}
     *                (a bounded set: never text a client chose)
     * @param code    the answer's code, e.g. 1 for {@code 0001}
     */
    default void apiAnswered(String command, int code) {
    }
}
