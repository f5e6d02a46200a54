package dev.usher.core.repository;

import dev.usher.core.ticket.Ticket;

import java.time.Instant;

/**
 * A checked change of a stored ticket, as {@link TicketRepository#update} applies it: only the
 * fields that may change after issue (ScaleEngine's API documents mark the others Immutable), with
 * the expiry resolved to an instant. The API's request to change a ticket, as sent, is
 * {@code dev.usher.core.service.TicketUpdateRequest}; the service checks it into this.
 *
 * @param active  the new {@code active}, or null to keep it
 * @param expires the new expiry, or null to keep it
 */
public record TicketChange(Boolean active, Instant expires) {

    public static TicketChange revoke() {
        return new TicketChange(Boolean.FALSE, null);
    }

    /** @return {@code ticket} with this change applied: what a store writes back */
    public Ticket applyTo(Ticket ticket) {
        Ticket t = ticket;
        if (active != null) {
            t = t.withActive(active);
        }
        if (expires != null) {
            t = t.withExpires(expires);
        }
        return t;
    }
}
