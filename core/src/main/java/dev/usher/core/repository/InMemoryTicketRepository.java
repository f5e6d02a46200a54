package dev.usher.core.repository;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.attempt.AttemptLog;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.AdmissionRules;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.Playback;
import dev.usher.core.decision.PlaybackRequest;
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
 */
public final class InMemoryTicketRepository implements TicketRepository {

    /** A ticket with its mutable state; every field is read and written under the entry's lock. */
    private static final class Entry {
        Ticket ticket;
        List<Playback> playbacks = List.of();
        ArrayList<Attempt> attempts;
        boolean removed;

        Entry(Ticket ticket) {
            this.ticket = ticket;
        }
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong ids = new java.util.concurrent.atomic.AtomicLong();
    private final RepositoryRules rules;
    private final int maxAttempts;

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
            RepositoryRules.Decided decided = rules.decide(e.ticket, e.playbacks, request, now);
            e.ticket = decided.ticket();
            e.playbacks = decided.playbacks();
            append(e, decided.attempt());
            return decided.decision();
        }
    }

    private void append(Entry e, Attempt attempt) {
        if (e.attempts == null) {
            e.attempts = new ArrayList<>(4);
        }
        ArrayList<Attempt> log = e.attempts;
        if (!attempt.success()) {
            Instant windowStart = AttemptLog.windowStart(attempt.datetime());
            for (int i = log.size() - 1; i >= 0 && log.get(i).datetime().isAfter(windowStart); i--) {
                if (AttemptLog.absorbs(log.get(i), attempt)) {
                    log.set(i, log.get(i).repeated());
                    return;
                }
            }
        }
        log.add(attempt);
        if (log.size() <= maxAttempts) {
            return;
        }
        int grants = 0;
        for (Attempt a : log) {
            if (a.success()) {
                grants++;
            }
        }
        AttemptLog.Eviction eviction = AttemptLog.evict(log.size() - grants, grants, attempt.success(), maxAttempts);
        int refusals = eviction.refusals();
        int successes = eviction.grants();
        for (Iterator<Attempt> it = log.iterator(); it.hasNext() && (refusals > 0 || successes > 0); ) {
            Attempt a = it.next();
            if (a.success() ? successes-- > 0 : refusals-- > 0) {
                it.remove();
            }
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
                for (int i = e.attempts.size() - 1; i >= 0; i--) {
                    Attempt a = e.attempts.get(i);
                    if (RepositoryRules.isAttemptOf(grant, a)) {
                        e.attempts.set(i, a.notServed(status));
                        break;
                    }
                }
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
        List<Attempt> found = new ArrayList<>();
        synchronized (e) {
            if (e.removed || e.attempts == null) {
                return List.of();
            }
            for (Attempt a : e.attempts) {
                if (since == null || !a.datetime().isBefore(since)) {
                    found.add(a);
                }
            }
        }
        return found.size() > limit ? List.copyOf(found.subList(found.size() - limit, found.size())) : found;
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
                    e.attempts.removeIf(a -> a.datetime().isBefore(horizon));
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
