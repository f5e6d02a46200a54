package dev.usher.cdi;

import dev.usher.core.ticket.Ticket;

/**
 * CDI event: a ticket was issued (through the {@code usher} bean, the JSON API or the v2 resource).
 * Observe it with {@code void onIssued(@Observes TicketIssued e)}. The pass is in the ticket: do
 * not log it.
 *
 * @param cdnId  the account the ticket belongs to
 * @param ticket the ticket as issued
 */
public record TicketIssued(long cdnId, Ticket ticket) {
}
