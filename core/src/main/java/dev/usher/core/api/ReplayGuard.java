package dev.usher.core.api;

import dev.usher.core.repository.ReplayLedger;
import dev.usher.core.repository.TicketRepository;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The replay ledger of one node, for repositories that do not share one: remembers the mutating
 * commands carried out while their timestamp is inside the window, with their first answer, so
 * that a retried request gets that answer again and has no second effect. Outside the window the
 * timestamp check refuses a request anyway, so entries are forgotten then. Bounded twice: at most
 * {@code capacity} live entries (beyond, new mutating commands are refused with {@link Claim#FULL}
 * rather than remembered loosely) and at most {@code maxChars} characters of stored answers (beyond,
 * an answer is remembered as {@link #TOO_LONG}: its retries are told to sign again).
 */
public final class ReplayGuard implements ReplayLedger {

    /** Live entries kept by {@link #forOneNode}. */
    static final int CAPACITY = 200_000;
    /** Characters of stored answers kept by {@link #forOneNode}. */
    static final long MAX_CHARS = 64L * 1024 * 1024;

    /** @return a ledger of this node alone, for a repository that shares none */
    public static ReplayGuard forOneNode(Clock clock) {
        return new ReplayGuard(CAPACITY, MAX_CHARS, clock);
    }

    /**
     * The ledger a deployment uses: the repository's own when it keeps one for every node (the JDBC
     * store does), else one of this node. Decided once, where the API is assembled, never per request.
     */
    public static ReplayLedger sharedOrOwn(TicketRepository repository, Clock clock) {
        return repository.sharedReplayLedger().orElseGet(() -> forOneNode(clock));
    }

    private static final class Entry {
        final Instant until;
        volatile String answer;

        Entry(Instant until) {
            this.until = until;
        }
    }

    private final Map<String, Entry> seen = new ConcurrentHashMap<>();
    private final int capacity;
    private final long maxChars;
    private final AtomicLong chars = new AtomicLong();
    private final Clock clock;

    ReplayGuard(int capacity, long maxChars, Clock clock) {
        this.capacity = capacity;
        this.maxChars = maxChars;
        this.clock = clock;
    }

    @Override
    public Claim claim(String requestId, Instant until) {
        if (seen.size() >= capacity) {
            Instant now = clock.instant();
            seen.entrySet().removeIf(e -> {
                if (e.getValue().until.isBefore(now)) {
                    String a = e.getValue().answer;
                    chars.addAndGet(a == null ? 0 : -a.length());
                    return true;
                }
                return false;
            });
            if (seen.size() >= capacity) {
                return Claim.FULL;
            }
        }
        return seen.putIfAbsent(requestId, new Entry(until)) == null ? Claim.FIRST : Claim.SEEN;
    }

    @Override
    public void answer(String requestId, String answer) {
        Entry e = seen.get(requestId);
        if (e == null || e.answer != null) {
            return;
        }
        String stored;
        if (answer == null || answer.length() > MAX_ANSWER) {
            stored = TOO_LONG;
        } else if (chars.addAndGet(answer.length()) > maxChars) {
            chars.addAndGet(-answer.length()); // over the budget: not kept
            stored = TOO_LONG;
        } else {
            stored = answer;
        }
        e.answer = stored;
    }

    @Override
    public Optional<String> answerOf(String requestId) {
        Entry e = seen.get(requestId);
        return e == null ? Optional.empty() : Optional.ofNullable(e.answer);
    }
}
