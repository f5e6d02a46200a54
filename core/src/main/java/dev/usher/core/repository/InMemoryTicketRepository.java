package dev.usher.core.repository;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.attempt.AttemptLog;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.AdmissionRules;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.Playback;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.decision.Reason;
import dev.usher.core.ticket.Ticket;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A thread-safe {@link TicketRepository} in the heap, for one node. Each ticket's decisions are
 * serialized on the ticket alone, so different tickets never wait for each other.
 *
 * <p>Memory stays bounded: each ticket's attempt log holds at most {@code maxAttemptsPerTicket}
 * entries on every insert, by the rules of {@link AttemptLog} (repeated refusals counted, not
 * stored; refusals go first; grants keep their share); {@link #purge}, run on a timer by
 * {@link ScheduledPurge}, removes tickets expired longer than the retention and older attempts.
 * And it stays small: the log is packed ({@link PackedAttemptLog}), and the fingerprint of a
 * ticket's own pass is computed once, on its first decision with that pass, and kept: every
 * granted request carries it, and it costs an HMAC.
 */
public final class InMemoryTicketRepository implements TicketRepository {

    /** A ticket with its mutable state; every field is read and written under the entry's lock. */
    private static final class Entry {
        Ticket ticket;
        List<Playback> playbacks = List.of();
        PackedAttemptLog attempts;
        /** {@code PassFingerprint.of(pass, key, pass)} once a request carried the right pass, else null. */
        String ownPassFingerprint;
        boolean removed;

        Entry(Ticket ticket) {
            this.ticket = ticket;
        }
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();
    private final RepositoryRules rules;
    private final int maxAttempts;
    private final PackedAttemptLog.SharedStrings strings = new PackedAttemptLog.SharedStrings();

    public InMemoryTicketRepository(UsherSettings settings) {
        this.rules = new RepositoryRules(settings);
        this.maxAttempts = rules.maxAttemptsPerTicket();
    }

    @Override
    public boolean insert(Ticket ticket) {
        return add(ticket).isPresent();
    }

    /** Numbers the ticket from a counter: a number lost to a taken key is never given again. */
    @Override
    public Optional<Ticket> add(Ticket ticket) {
        Ticket numbered = ticket.withId(ids.incrementAndGet());
        return entries.putIfAbsent(numbered.key(), new Entry(numbered)) == null ? Optional.of(numbered) : Optional.empty();
    }

    @Override
    public Optional<Ticket> find(String key) {
        Entry e = key == null ? null : entries.get(key);
        if (e == null) {
            return Optional.empty();
        }
        synchronized (e) {
            return e.removed ? Optional.empty() : Optional.of(e.ticket);
        }
    }

    @Override
    public Optional<Ticket> update(long cdnId, String key, TicketChange change) {
        Entry e = entryOf(cdnId, key);
        if (e == null) {
            return Optional.empty();
        }
        synchronized (e) {
            if (e.removed) {
                return Optional.empty();
            }
            e.ticket = change.applyTo(e.ticket);
            return Optional.of(e.ticket);
        }
    }

    @Override
    public boolean delete(long cdnId, String key) {
        Entry e = entryOf(cdnId, key);
        if (e == null) {
            return false;
        }
        synchronized (e) {
            if (e.removed) {
                return false;
            }
            e.removed = true;
            entries.remove(key, e);
            return true;
        }
    }

    private Entry entryOf(long cdnId, String key) {
        Entry e = key == null ? null : entries.get(key);
        if (e == null) {
            return null;
        }
        synchronized (e) {
            return e.ticket.cdnId() == cdnId ? e : null;
        }
    }

    @Override
    public List<Ticket> search(long cdnId, TicketQuery query) {
        List<Ticket> found = new ArrayList<>();
        for (Entry e : entries.values()) {
            Ticket t;
            synchronized (e) {
                t = e.removed ? null : e.ticket;
            }
            if (t != null && t.cdnId() == cdnId && query.accepts(t)) {
                found.add(t);
            }
        }
        found.sort(Comparator.comparing(Ticket::created).reversed().thenComparing(Ticket::key));
        return found.size() > query.limit() ? List.copyOf(found.subList(0, query.limit())) : found;
    }

    @Override
    public Decision decide(PlaybackRequest request, Instant now) {
        Entry e = entries.get(request.key());
        if (e == null) {
            return rules.unknownKey(request, now);
        }
        synchronized (e) {
            if (e.removed) {
                return rules.unknownKey(request, now);
            }
            // RepositoryRules.decide, with the attempt appended from the request itself rather than
            // made as an Attempt first (its fields copied, the client's address formatted as text):
            // the same entry, a few allocations and a string formatting fewer per decision.
            Ticket ticket = e.ticket;
            AdmissionRules.Outcome outcome = rules.admission().evaluate(ticket, e.playbacks, request, now);
            Decision decision = outcome.decision();
            String fingerprint = rules.passFingerprint(ticket, request, decision, e.ownPassFingerprint);
            e.ticket = outcome.ticket();
            e.playbacks = outcome.playbacks();
            if (e.ownPassFingerprint == null && decision.reason() != Reason.INVALID_AUTH_TOKEN) {
                e.ownPassFingerprint = fingerprint; // the pass was right: it is the ticket's own
            }
            if (e.attempts == null) {
                e.attempts = new PackedAttemptLog();
            }
            e.attempts.append(request, now, decision.reason(), rules.serverName(), fingerprint, e.ownPassFingerprint,
                    strings, maxAttempts);
            return decision;
        }
    }

    @Override
    public boolean release(Decision grant, int status, Instant now) {
        if (grant == null || grant.opened() == null || grant.ticket() == null) {
            return false;
        }
        Entry e = entries.get(grant.ticket().key());
        if (e == null) {
            return false;
        }
        synchronized (e) {
            if (e.removed) {
                return false;
            }
            AdmissionRules.Outcome undone = rules.admission().release(e.ticket, e.playbacks, grant);
            if (undone == null) {
                return false;
            }
            e.ticket = undone.ticket();
            e.playbacks = undone.playbacks();
            if (e.attempts != null) {
                e.attempts.markNotServed(e.ticket.key(), grant, status);
            }
            return true;
        }
    }

    @Override
    public List<Attempt> attempts(String key, Instant since, int limit) {
        Entry e = key == null ? null : entries.get(key);
        if (e == null) {
            return List.of();
        }
        synchronized (e) {
            if (e.removed || e.attempts == null) {
                return List.of();
            }
            return e.attempts.since(e.ticket.key(), since, limit);
        }
    }

    @Override
    public int purge(Instant now) {
        Instant horizon = rules.purgeHorizon(now);
        int removed = 0;
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry e = it.next();
            synchronized (e) {
                if (e.removed) {
                    continue;
                }
                if (e.ticket.expires().isBefore(horizon)) {
                    e.removed = true;
                    it.remove();
                    removed++;
                    continue;
                }
                if (e.attempts != null) {
                    e.attempts.removeBefore(horizon);
                }
                if (!e.playbacks.isEmpty()) {
                    List<Playback> open = e.playbacks.stream().filter(p -> rules.isOpen(p, now)).toList();
                    if (open.size() != e.playbacks.size()) {
                        e.playbacks = open;
                    }
                }
            }
        }
        return removed;
    }

    /** @return how many tickets are held (for tests and measurements) */
    public int size() {
        return entries.size();
    }

}
