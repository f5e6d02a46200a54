package dev.usher.core.repository.jdbc;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.repository.RepositoryException;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit of the attempts of decisions that change nothing but their attempt (on PostgreSQL:
 * a continuing grant whose playback needs no refresh, see
 * {@link JdbcTicketRepository#decide}). Such a decision needs no row lock, only its attempt made
 * durable before it is answered; one durable commit per attempt would make the log, not the
 * decision, the cost of a running playback. So a deciding thread, its decide connection already
 * given back, hands its attempt here and waits; the first thread to find no batch being written
 * becomes the leader: it takes every queued attempt (at most {@link #MAX_BATCH}) and writes them
 * in one transaction on a pooled connection of its own ({@link JdbcAttemptLog#appendGrants}: the
 * log's turn of every key, sorted; per key one insert and the trim to the cap; the commit), then
 * wakes the waiters. The others wait for a leader's commit of their attempt.
 *
 * <p>Guarantees: {@link #append} returns only once its attempt is committed, so an answered
 * decision's attempt is durable as before, N decisions sharing one commit. A failed batch fails
 * every decision in it with the {@link RepositoryException} (no decision is given: the adapter
 * refuses the request). A thread waits at most the query timeout for its batch to be taken: a
 * thread still queued then leaves the queue (nothing of it is written) and fails; one whose batch
 * is being written when its wait ends fails too, and its attempt may still be committed by the
 * leader, as a decision whose own commit fails in flight may be committed.
 */
final class AttemptGroupCommit {

    /** The most attempts one batch writes: 11 parameters each, far below the protocol's limit. */
    static final int MAX_BATCH = 256;

    /** Writes one batch in one transaction; a failure fails the whole batch. */
    @FunctionalInterface
    interface BatchWriter {
        void write(List<Attempt> batch);
    }

    private final BatchWriter writer;
    private final long timeoutNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    /** Whether a leader is writing a batch: at most one at a time, so that the others gather into the next. */
    private boolean writing;

    AttemptGroupCommit(BatchWriter writer, Duration timeout) {
        this.writer = writer;
        this.timeoutNanos = timeout.toNanos();
    }

    /**
     * An attempt waiting for its batch's end; guarded by {@link #lock}. Each has its own condition,
     * so that a batch's end wakes only its own waiters and the next leader (the queue's head), not
     * every thread queued (each woken thread costs a context switch, and most would only wait again).
     */
    private final class Pending {
        final Attempt attempt;
        final Condition woken = lock.newCondition();
        /** Taken by a leader into the batch being written. */
        boolean taken;
        boolean done;
        RuntimeException failure;

        Pending(Attempt attempt) {
            this.attempt = attempt;
        }
    }

    /**
     * Returns once {@code attempt} is committed with the batch that took it.
     *
     * @throws RepositoryException when its batch failed, or the wait outlasted the query timeout
     */
    void append(Attempt attempt) {
        Pending mine = new Pending(attempt);
        long deadline = System.nanoTime() + timeoutNanos;
        lock.lock();
        try {
            queue.add(mine);
            while (!mine.done) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw timedOut(mine);
                }
                if (!writing) {
                    lead(); // releases the lock while it writes; mine is in the batch unless the queue was longer
                    continue;
                }
                try {
                    mine.woken.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    RepositoryException failure = new RepositoryException(
                            "JDBC ticket repository: append an attempt interrupted while waiting for its commit", e);
                    if (!mine.taken) {
                        leave(mine);
                    }
                    throw failure;
                }
            }
        } finally {
            lock.unlock();
        }
        if (mine.failure != null) {
            // Each waiter its own exception (its own stack), naming the batch's failure.
            throw new RepositoryException(mine.failure.getMessage(), mine.failure);
        }
    }

    private RepositoryException timedOut(Pending mine) {
        String what = mine.taken ? "its batch still being committed" : "not yet taken by a batch (nothing written)";
        if (!mine.taken) {
            leave(mine);
        }
        return new RepositoryException("JDBC ticket repository: append an attempt timed out (query timeout "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms), " + what);
    }

    /** Takes a waiter out of the queue; should it have been woken to lead, the next in line is. */
    private void leave(Pending mine) {
        queue.remove(mine);
        Pending next = queue.peek();
        if (!writing && next != null) {
            next.woken.signal();
        }
    }

    /** Called holding the lock with no batch being written: writes the queue's head as the next batch. */
    private void lead() {
        writing = true;
        List<Pending> batch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
        while (!queue.isEmpty() && batch.size() < MAX_BATCH) {
            Pending p = queue.poll();
            p.taken = true;
            batch.add(p);
        }
        List<Attempt> attempts = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            attempts.add(p.attempt);
        }
        // Failed unless the write returns: an Error in the leader fails its followers too.
        RuntimeException failure = new RepositoryException("JDBC ticket repository: append attempts did not complete");
        lock.unlock();
        try {
            writer.write(attempts);
            failure = null;
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            lock.lock();
            for (Pending p : batch) {
                p.done = true;
                p.failure = failure;
            }
            writing = false;
            for (Pending p : batch) {
                p.woken.signal();
            }
            Pending next = queue.peek();
            if (next != null) {
                next.woken.signal(); // it leads the next batch
            }
        }
    }
}
