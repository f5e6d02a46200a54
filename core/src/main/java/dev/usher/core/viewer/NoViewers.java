package dev.usher.core.viewer;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The store of a deployment that does not count viewers ({@code usher.viewers.enabled=false}):
 * keeps nothing, so every count is 0, the concurrent-playback rule sees no other viewer, and a
 * guard given it makes no sighting at all ({@link #counts}).
 */
public final class NoViewers implements ViewerStore {

    private final Duration window;

    public NoViewers(Duration window) {
        this.window = window;
    }

    /** @return whether {@code store} counts anything (false for this class only) */
    public static boolean counts(ViewerStore store) {
        return !(store instanceof NoViewers);
    }

    @Override
    public Duration window() {
        return window;
    }

    @Override
    public void seen(Sighting sighting, Instant now) {
        // counting is off
    }

    @Override
    public List<ViewerTally> tally(Instant now) {
        return List.of();
    }

    @Override
    public int activeOf(String ticketKey, String exceptPlayerId, Instant now) {
        return 0;
    }

    @Override
    public TicketViewing ofTicket(String ticketKey, Instant now) {
        return new TicketViewing(0, 0, 0);
    }

    @Override
    public void close() {
        // nothing held
    }
}
