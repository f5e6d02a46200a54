package dev.usher.cdi;

import dev.usher.core.ticket.Ticket;

/**
 * A ticket issued for a viewer and the URL the player opens with it.
 *
 * @param url    context path, protected prefix, app and path, with {@code key} and {@code pass} (and {@code refurl}
 *               when one was given), percent-encoded, as {@link dev.usher.core.http.MediaLayout} prints it (the
 *               layout the filter parses)
 * @param ticket the ticket
 */
public record PlaybackUrl(String url, Ticket ticket) {

    /** Never prints the pass (which the URL carries). */
    @Override
    public String toString() {
        return "PlaybackUrl[ticket=" + ticket.key() + "]";
    }
}
