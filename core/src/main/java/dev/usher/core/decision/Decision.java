package dev.usher.core.decision;

import dev.usher.core.net.IpNetwork;
import dev.usher.core.ticket.Ticket;

/**
 * The answer to a {@link PlaybackRequest}.
 *
 * @param reason        why (granted only for {@link Reason#SUCCESS})
 * @param ticket        the ticket after the decision (uses and bound slots updated), or null when
 *                      the key is unknown
 * @param clientNetwork for a grant, the network the playback is bound to (what a playback
 *                      credential for its segments is scoped to); else null
 * @param newPlayback   true when this grant started a playback and consumed a use
 */
public record Decision(Reason reason, Ticket ticket, IpNetwork clientNetwork, boolean newPlayback) {

    public boolean granted() {
        return reason.granted();
    }

    public static Decision refused(Reason reason, Ticket ticket) {
        return new Decision(reason, ticket, null, false);
    }
}
