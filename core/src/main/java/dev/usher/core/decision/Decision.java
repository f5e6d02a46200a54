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
 * @param opened        for a grant that started a playback, that playback as stored (what
 *                      {@link dev.usher.core.repository.TicketRepository#release} undoes); else null
 * @param boundSlot     the {@code auto} slot of the ticket's ip rule this grant bound, or -1
 */
public record Decision(Reason reason, Ticket ticket, IpNetwork clientNetwork, boolean newPlayback,
                       Playback opened, int boundSlot) {

    public Decision {
        if (newPlayback != (opened != null)) {
            throw new IllegalArgumentException("a new playback, and only one, names the playback it opened");
        }
    }

    /** A decision that opened no playback. */
    public Decision(Reason reason, Ticket ticket, IpNetwork clientNetwork, boolean newPlayback) {
        this(reason, ticket, clientNetwork, false, null, -1);
        if (newPlayback) {
            throw new IllegalArgumentException("a new playback names the playback it opened");
        }
    }

    public boolean granted() {
        return reason.granted();
    }

    public static Decision refused(Reason reason, Ticket ticket) {
        return new Decision(reason, ticket, null, false, null, -1);
    }
}
