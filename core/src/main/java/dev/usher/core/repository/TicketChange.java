package dev.usher.core.repository;

import java.time.Instant;

/**
 * The fields of a ticket that may change after issue (the seeds mark the others Immutable).
 *
 * @param active  the new {@code active}, or null to keep it
 * @param expires the new expiry, or null to keep it
 */
public record TicketChange(Boolean active, Instant expires) {

    public static TicketChange revoke() {
        return new TicketChange(Boolean.FALSE, null);
    }
}
