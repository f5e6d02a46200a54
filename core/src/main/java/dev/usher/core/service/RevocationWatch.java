package dev.usher.core.service;

import dev.usher.core.repository.TicketRepository;
import dev.usher.core.ticket.Ticket;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets revocation reach playbacks whose children are fetched with playback credentials alone.
 * The segment path asks {@link #isRevoked} (a map lookup, never the repository); a timer calls
 * {@link #refresh} every check interval, which reads the tickets of the playbacks seen lately from
 * the repository and marks those revoked, expired or deleted. A revoke therefore stops a running
 * playback on every node within one check interval plus one refresh.
 */
public final class RevocationWatch {

    private static final class Watched {
        volatile Instant lastSeen;
        volatile boolean revoked;

        Watched(Instant lastSeen) {
            this.lastSeen = lastSeen;
        }
    }

    private final TicketRepository repository;
    private final Duration forgetAfter;
    private final Map<String, Watched> watched = new ConcurrentHashMap<>();

    /**
     * @param forgetAfter a ticket not seen for this long is no longer checked (the credential
     *                    lifetime: after it no credential of the ticket can be valid anyway)
     */
    public RevocationWatch(TicketRepository repository, Duration forgetAfter) {
        this.repository = repository;
        this.forgetAfter = forgetAfter;
    }

    /** Starts watching a ticket (called when a playback is granted). */
    public void watch(String ticketKey, Instant now) {
        watched.computeIfAbsent(ticketKey, k -> new Watched(now)).lastSeen = now;
    }

    /** @return true when the last refresh found the ticket revoked, expired or gone; no repository access */
    public boolean isRevoked(String ticketKey, Instant now) {
        Watched w = watched.get(ticketKey);
        if (w == null) {
            // A credential of a ticket this node never saw (granted on another node, or before a
            // restart): watch it from now on; it is checked at the next refresh.
            watch(ticketKey, now);
            return false;
        }
        w.lastSeen = now;
        return w.revoked;
    }

    /**
     * Reads the state of every watched ticket from the repository.
     *
     * @return how many tickets are watched after the refresh
     */
    public int refresh(Instant now) {
        Instant horizon = now.minus(forgetAfter);
        for (Map.Entry<String, Watched> e : watched.entrySet()) {
            Watched w = e.getValue();
            if (w.lastSeen.isBefore(horizon)) {
                watched.remove(e.getKey(), w);
                continue;
            }
            // Not sticky: a ticket made active again by an update is let through again.
            Optional<Ticket> t = repository.find(e.getKey());
            w.revoked = t.isEmpty() || !t.get().active() || t.get().isExpired(now);
        }
        return watched.size();
    }
}
