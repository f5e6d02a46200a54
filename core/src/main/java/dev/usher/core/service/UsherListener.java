package dev.usher.core.service;

import dev.usher.core.account.Account;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.ticket.Ticket;

/**
 * Told of what the service does, for analytics or abuse tracking (the CDI extension turns these
 * into CDI events). Called on the thread that did the work, after it is done; must be quick and
 * must not throw — an exception is logged and ignored.
 */
public interface UsherListener {

    /** A ticket was issued to {@code account}. */
    default void issued(Account account, Ticket ticket) {
    }

    /** A playback request was decided (granted or refused). */
    default void decided(PlaybackRequest request, Decision decision) {
    }
}
