package dev.usher.core.viewer;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Keeps when each viewer was last seen. A viewer is active while its latest authorized request is
 * less than {@link #window()} old. Implementations: one node's memory, and a JDBC table shared by
 * every node (written at a bounded rate: at most one row write per viewer per flush interval).
 * Thread-safe.
 */
public interface ViewerStore extends AutoCloseable {

    /** @return how long after its latest request a viewer stays active */
    Duration window();

    /**
     * Records that a viewer made an authorized request at {@code now}. On the segment path: no I/O,
     * no lock shared by all viewers, bounded memory.
     */
    void seen(Sighting sighting, Instant now);

    /**
     * Records that a viewer already held here made an authorized request at {@code now}, as
     * {@link #seen} would, without the caller making a {@link Sighting} for it: the segment path of
     * a known player is most requests, and the sighting (with its network) was three objects each.
     *
     * <p>What a held viewer keeps from its first sighting (ticket, app, video, format, address
     * family) stays as it was; only its latest request moves. A viewer idle past the window is not
     * held in this sense: a store says false for it, and {@code seen} counts the player anew.
     *
     * @return true when the viewer was held and is now seen at {@code now}; false when nothing was
     *         recorded and the caller tells {@link #seen} the whole sighting (a store that does not
     *         answer this always says false)
     */
    default boolean seenAgain(String playerId, Instant now) {
        return false;
    }

    /** @return the active viewers grouped by app, video, format and family; one row per group */
    List<ViewerTally> tally(Instant now);

    /** @return the active viewers of a ticket, leaving out {@code exceptPlayerId} (may be null) */
    int activeOf(String ticketKey, String exceptPlayerId, Instant now);

    /** @return the figures of a ticket's viewers (all zero for a ticket never played) */
    TicketViewing ofTicket(String ticketKey, Instant now);

    @Override
    void close();
}
