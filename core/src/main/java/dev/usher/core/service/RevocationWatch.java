package dev.usher.core.service;

import dev.usher.core.repository.TicketRepository;
import dev.usher.core.ticket.Ticket;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets revocation reach playbacks whose children are fetched with playback credentials alone.
 * The segment path asks {@link #isRevoked} (a map lookup); a timer calls {@link #refresh} every
 * check interval, which reads the tickets of the playbacks seen lately from the repository and marks
 * those revoked, expired or deleted. A revoke therefore stops a running playback on every node
 * within one check interval plus one refresh.
 *
 * <p>A ticket this node has not seen (granted on another node, or before a restart) is confirmed by
 * one repository read before its first credential is served: it must exist, be active and not be
 * expired. A validly signed credential is not proof that its ticket exists — a leaked or published
 * secret signs credentials for tickets that never were.
 */
public final class RevocationWatch {

    private static final class Watched {
        volatile Instant lastSeen;
        volatile boolean revoked;
        /** The repository has answered for this ticket (a grant here, a read, or a refresh). */
        volatile boolean confirmed;

        Watched(Instant lastSeen, boolean confirmed) {
            this.lastSeen = lastSeen;
            this.confirmed = confirmed;
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

    /** Starts watching a ticket (called when a playback is granted: the repository has just vouched for it). */
    public void watch(String ticketKey, Instant now) {
        Watched w = watched.computeIfAbsent(ticketKey, k -> new Watched(now, true));
        w.lastSeen = now;
        if (!w.confirmed) {
            w.revoked = false;
            w.confirmed = true;
        }
    }

    /**
     * @return true when the ticket is revoked, expired or gone as last read; for a ticket this node has
     *         not seen, after one repository read (concurrent first requests share it)
     * @throws dev.usher.core.repository.RepositoryException when that read fails: nothing is served,
     *         and the next request reads again
     */
    public boolean isRevoked(String ticketKey, Instant now) {
        Watched w = watched.get(ticketKey);
        if (w == null) {
            w = watched.computeIfAbsent(ticketKey, k -> new Watched(now, false));
        }
        // Read only against a horizon of forgetAfter, so moved on once a second, not on every segment:
        // the segments of all of a ticket's players would otherwise all write one shared field
        if (now.getEpochSecond() > w.lastSeen.getEpochSecond()) {
            w.lastSeen = now;
        }
        if (!w.confirmed) {
            synchronized (w) {
                if (!w.confirmed) {
                    w.revoked = !usable(repository.find(ticketKey), now);
                    w.confirmed = true;
                }
            }
        }
        return w.revoked;
    }

    private static boolean usable(Optional<Ticket> t, Instant now) {
        return t.isPresent() && t.get().active() && !t.get().isExpired(now);
    }

    /**
     * Reads the state of every watched ticket from the repository, in batches
     * ({@link TicketRepository#findAll}): with Usher's JDBC store one query per
     * {@value TicketRepository#FIND_BATCH} tickets, not one per ticket.
     *
     * @return how many tickets are watched after the refresh
     */
    public int refresh(Instant now) {
        Instant horizon = now.minus(forgetAfter);
        List<Map.Entry<String, Watched>> live = new ArrayList<>();
        for (Map.Entry<String, Watched> e : watched.entrySet()) {
            Watched w = e.getValue();
            if (w.lastSeen.isBefore(horizon)) {
                watched.remove(e.getKey(), w);
            } else {
                live.add(e);
            }
        }
        for (int from = 0; from < live.size(); from += TicketRepository.FIND_BATCH) {
            List<Map.Entry<String, Watched>> batch = live.subList(from, Math.min(live.size(), from + TicketRepository.FIND_BATCH));
            List<String> keys = new ArrayList<>(batch.size());
            for (Map.Entry<String, Watched> e : batch) {
                keys.add(e.getKey());
            }
            Map<String, Ticket> found = repository.findAll(keys);
            for (Map.Entry<String, Watched> e : batch) {
                // Not sticky: a ticket made active again by an update is let through again.
                e.getValue().revoked = !usable(Optional.ofNullable(found.get(e.getKey())), now);
                e.getValue().confirmed = true;
            }
        }
        return watched.size();
    }
}
