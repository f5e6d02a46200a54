package dev.usher.core.repository.jdbc;

import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.repository.RepositoryException;
import dev.usher.core.repository.RepositoryRules;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Combining of the locked decisions of one ticket within a node (flat combining): on PostgreSQL
 * every decision that opens or refreshes a playback, binds a slot or is refused by the locked
 * rules takes the ticket's row lock, one transaction and one durable commit; on a hot ticket those
 * serial lock+commit turns, not the work, are the ceiling, and the backends queued on the one row
 * cost more than the decisions. So the decisions of one key line up here, in the JVM, no
 * connection held while they wait: the first to find no batch of its key being written becomes
 * the leader, takes the line's head (at most {@link #MAX_BATCH}, in arrival order) and has the
 * {@link BatchDecider} decide them all in one transaction (one lock, one commit), then hands each
 * waiter its decision; the next in line leads the next batch. Other keys have lines of their own,
 * so they never wait for this key's batch (the guard below is held only to queue and dequeue).
 *
 * <p>Guarantees: a decision returns only once its batch committed. A failed batch fails every
 * decision in it with the {@link RepositoryException} (one transaction: nothing of it is stored, no
 * decision is given). A thread waits at most the query timeout: one still queued then leaves its
 * line (nothing of it is written) and fails; one whose batch is being written when its wait ends
 * fails too, and its decision may still be committed, as a decision whose own commit fails in flight
 * may be.
 */
final class DecisionCombiner {

    /** The most decisions one batch combines: it bounds a leader's work and its statement list. */
    static final int MAX_BATCH = 64;

    /**
     * One decision waiting for its batch: its request and instant, what its caller read before
     * (for the decider), and the rules' decision on that read, or null: it stands when the batch
     * finds the row of that read's version and the decision is the batch's first.
     */
    record Queued(PlaybackRequest request, Instant now, Object read, RepositoryRules.Decided decidedOnRead) {
    }

    /** Decides a batch of one key in one transaction: per queued decision, in order, its decision. */
    @FunctionalInterface
    interface BatchDecider {
        List<Decision> decide(String key, List<Queued> batch);
    }

    private final BatchDecider decider;
    private final long timeoutNanos;
    private final ReentrantLock lock = new ReentrantLock();
    /** Per key with decisions queued or a batch being written, its line; guarded by {@link #lock}. */
    private final Map<String, Line> lines = new HashMap<>();

    DecisionCombiner(BatchDecider decider, Duration timeout) {
        this.decider = decider;
        this.timeoutNanos = timeout.toNanos();
    }

    private static final class Line {
        final ArrayDeque<Pending> queue = new ArrayDeque<>();
        /** Whether a leader writes a batch of this key: one at a time, so that the others gather into the next. */
        boolean writing;
    }

    /** A decision waiting; each has its own condition, so that a batch's end wakes its own waiters and the next leader only. */
    private final class Pending {
        final Queued queued;
        final Condition woken = lock.newCondition();
        boolean taken;
        boolean done;
        Decision decision;
        RuntimeException failure;

        Pending(Queued queued) {
            this.queued = queued;
        }
    }

    /**
     * @param read what the caller read before (handed to the decider with the request), or null
     * @param decidedOnRead the rules' decision on {@code read}, or null
     * @return the decision of {@code request}, once committed with its batch
     * @throws RepositoryException when its batch failed, or the wait outlasted the query timeout
     */
    Decision decide(PlaybackRequest request, Instant now, Object read, RepositoryRules.Decided decidedOnRead) {
        String key = request.key();
        Pending mine = new Pending(new Queued(request, now, read, decidedOnRead));
        long deadline = System.nanoTime() + timeoutNanos;
        lock.lock();
        try {
            Line line = lines.computeIfAbsent(key, k -> new Line());
            line.queue.add(mine);
            while (!mine.done) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw timedOut(key, line, mine);
                }
                if (!line.writing) {
                    lead(key, line); // releases the lock while it writes
                    continue;
                }
                try {
                    mine.woken.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    if (!mine.taken) {
                        leave(key, line, mine);
                    }
                    throw new RepositoryException(
                            "JDBC ticket repository: decide interrupted while waiting for its ticket's batch", e);
                }
            }
        } finally {
            lock.unlock();
        }
        if (mine.failure != null) {
            // Each waiter its own exception (its own stack), naming the batch's failure.
            throw new RepositoryException(mine.failure.getMessage(), mine.failure);
        }
        return mine.decision;
    }

    private RepositoryException timedOut(String key, Line line, Pending mine) {
        String what = mine.taken ? "its batch still being committed" : "not yet taken by a batch (nothing written)";
        if (!mine.taken) {
            leave(key, line, mine);
        }
        return new RepositoryException("JDBC ticket repository: decide timed out (query timeout "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms) waiting for its ticket's batch, " + what);
    }

    /** Takes a waiter out of its line; should it have been woken to lead, the next in line is. */
    private void leave(String key, Line line, Pending mine) {
        line.queue.remove(mine);
        Pending next = line.queue.peek();
        if (!line.writing) {
            if (next != null) {
                next.woken.signal();
            } else {
                lines.remove(key);
            }
        }
    }

    /** Called holding the lock with no batch of the key being written: decides the line's head as the next batch. */
    private void lead(String key, Line line) {
        line.writing = true;
        List<Pending> batch = new ArrayList<>(Math.min(line.queue.size(), MAX_BATCH));
        while (!line.queue.isEmpty() && batch.size() < MAX_BATCH) {
            Pending p = line.queue.poll();
            p.taken = true;
            batch.add(p);
        }
        List<Queued> queued = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            queued.add(p.queued);
        }
        // Failed unless the decider returns: an Error in the leader fails its followers too.
        RuntimeException failure = new RepositoryException("JDBC ticket repository: decide did not complete");
        List<Decision> decisions = null;
        lock.unlock();
        try {
            decisions = decider.decide(key, queued);
            if (decisions.size() != batch.size()) {
                throw new IllegalStateException(decisions.size() + " decisions for a batch of " + batch.size());
            }
            failure = null;
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            lock.lock();
            for (int i = 0; i < batch.size(); i++) {
                Pending p = batch.get(i);
                p.done = true;
                p.failure = failure;
                p.decision = failure == null ? decisions.get(i) : null;
                p.woken.signal();
            }
            line.writing = false;
            Pending next = line.queue.peek();
            if (next != null) {
                next.woken.signal(); // it leads the next batch
            } else {
                lines.remove(key);
            }
        }
    }
}
