package dev.usher.core.repository.jdbc;

import dev.usher.core.repository.RepositoryException;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The leader/follower queue that both of the repository's shared commits run on
 * ({@link AttemptGroupCommit}: the attempts of continuing grants; {@link DecisionCombiner}: the
 * locked decisions of one ticket), written once so that its guarantees are written and tested once.
 * When one durable commit (or one row lock) per item is the cost, the items of one key line up
 * here, in the JVM, no connection held while they wait: the first thread to find no batch of its
 * key being written becomes the leader, takes the line's head (at most {@code maxBatch} items, in
 * arrival order), runs the {@link Batch} on them (one transaction), then hands each waiter its
 * result; the next in line leads the next batch. Each key has a line of its own, so items of
 * different keys never share a batch, and never wait for each other's: the guard is held only to
 * queue and dequeue, never while a batch runs. A line exists only while items of its key are
 * queued or written, so the keys of the past cost nothing.
 *
 * <p>Guarantees: {@link #submit} returns only once the batch that took its item returned, with
 * that batch's result for the item. A failed batch (it throws, returns the wrong number of
 * results, or the leader dies of an {@link Error}) fails every item in it with a
 * {@link RepositoryException} of its own naming the batch's failure. A thread waits at most the
 * timeout (the query timeout): one still queued then leaves its line (nothing of it is handed to
 * a batch) and fails; one whose batch is being run when its wait ends fails too, and its item may
 * still be committed by the leader, as an item whose own commit fails in flight may be. An
 * interrupted waiter fails alike. A leader's own wait is its batch's run, bounded by the batch's
 * own statements' timeouts, not by this one.
 *
 * @param <K> what a line is keyed by (a ticket's key; one constant for a single line)
 * @param <T> an item waiting for its batch
 * @param <R> an item's result (for items that have none, {@link Void} and nulls)
 */
final class Combiner<K, T, R> {

    /** Runs one batch of one key (in one transaction): a result per item, in order; throwing fails the whole batch. */
    @FunctionalInterface
    interface Batch<K, T, R> {
        List<R> run(K key, List<T> items);
    }

    /** The operation, named in every failure: "decide", "append an attempt". */
    private final String operation;
    /** What a waiter waits for, named in its timeout: "its ticket's batch", "its commit". */
    private final String awaited;
    private final int maxBatch;
    private final long timeoutNanos;
    /** {@link System#nanoTime}; a test's own clock, so that a timeout fires when the test says, not when the machine is slow. */
    private final LongSupplier nanoTime;
    private final Batch<K, T, R> batch;
    private final ReentrantLock lock = new ReentrantLock();
    /** Per key with items queued or a batch being run, its line; guarded by {@link #lock}. */
    private final Map<K, Line> lines = new HashMap<>();

    Combiner(String operation, String awaited, int maxBatch, Duration timeout, Batch<K, T, R> batch) {
        this(operation, awaited, maxBatch, timeout, batch, System::nanoTime);
    }

    Combiner(String operation, String awaited, int maxBatch, Duration timeout, Batch<K, T, R> batch, LongSupplier nanoTime) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("a batch takes at least one item: " + maxBatch);
        }
        this.operation = operation;
        this.awaited = awaited;
        this.maxBatch = maxBatch;
        this.timeoutNanos = timeout.toNanos();
        this.batch = batch;
        this.nanoTime = nanoTime;
    }

    private final class Line {
        final ArrayDeque<Waiter> queue = new ArrayDeque<>();
        /** Whether a leader runs a batch of this key: one at a time, so that the others gather into the next. */
        boolean writing;
    }

    /**
     * An item waiting for its batch's end; guarded by {@link #lock}. Each has its own condition, so
     * that a batch's end wakes only its own waiters and the next leader (the line's head), not every
     * thread queued (each woken thread costs a context switch, and most would only wait again).
     */
    private final class Waiter {
        final T item;
        final Condition woken = lock.newCondition();
        /** Taken by a leader into the batch being run. */
        boolean taken;
        boolean done;
        R result;
        RuntimeException failure;

        Waiter(T item) {
            this.item = item;
        }
    }

    /**
     * @return {@code item}'s result, once the batch that took it returned
     * @throws RepositoryException when its batch failed, or the wait outlasted the timeout
     */
    R submit(K key, T item) {
        Waiter mine = new Waiter(item);
        long deadline = nanoTime.getAsLong() + timeoutNanos;
        lock.lock();
        try {
            Line line = lines.get(key);
            if (line == null) {
                line = new Line();
                lines.put(key, line);
            }
            line.queue.add(mine);
            while (!mine.done) {
                long left = deadline - nanoTime.getAsLong();
                if (left <= 0) {
                    throw timedOut(key, line, mine);
                }
                if (!line.writing) {
                    // Releases the lock while the batch runs; mine is in it unless the line was longer.
                    try {
                        lead(key, line);
                    } catch (Error e) {
                        // The batch died in this thread, and the Error ends its submit: an item of mine
                        // that the batch did not take must not stay queued for no one (a later leader
                        // would commit it, and the wake-up meant for the line's next head would be mine).
                        if (!mine.taken) {
                            leave(key, line, mine);
                        }
                        throw e;
                    }
                    continue;
                }
                try {
                    mine.woken.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    if (mine.done) {
                        break; // its batch ended meanwhile: its outcome stands
                    }
                    if (!mine.taken) {
                        leave(key, line, mine);
                    }
                    throw new RepositoryException("JDBC ticket repository: " + operation
                            + " interrupted while waiting for " + awaited, e);
                }
            }
        } finally {
            lock.unlock();
        }
        if (mine.failure != null) {
            // Each waiter its own exception (its own stack), naming the batch's failure.
            throw new RepositoryException(mine.failure.getMessage(), mine.failure);
        }
        return mine.result;
    }

    /** @return how many items of {@code key} are queued, not yet taken by a batch (for tests, which cannot be told otherwise) */
    int queued(K key) {
        lock.lock();
        try {
            Line line = lines.get(key);
            return line == null ? 0 : line.queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** @return how many keys have a line (items queued or a batch being run) */
    int lines() {
        lock.lock();
        try {
            return lines.size();
        } finally {
            lock.unlock();
        }
    }

    private RepositoryException timedOut(K key, Line line, Waiter mine) {
        String what = mine.taken ? "its batch still being committed" : "not yet taken by a batch (nothing written)";
        if (!mine.taken) {
            leave(key, line, mine);
        }
        return new RepositoryException("JDBC ticket repository: " + operation + " timed out (query timeout "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms) waiting for " + awaited + ", " + what);
    }

    /** Takes a waiter out of its line; should it have been woken to lead, the next in line is; an empty line goes. */
    private void leave(K key, Line line, Waiter mine) {
        line.queue.remove(mine);
        if (!line.writing) {
            Waiter next = line.queue.peek();
            if (next != null) {
                next.woken.signal();
            } else {
                lines.remove(key);
            }
        }
    }

    /** Called holding the lock with no batch of the key being run: runs the line's head as the next batch. */
    private void lead(K key, Line line) {
        line.writing = true;
        List<Waiter> taken = new ArrayList<>(Math.min(line.queue.size(), maxBatch));
        while (!line.queue.isEmpty() && taken.size() < maxBatch) {
            Waiter w = line.queue.poll();
            w.taken = true;
            taken.add(w);
        }
        List<T> items = new ArrayList<>(taken.size());
        for (Waiter w : taken) {
            items.add(w.item);
        }
        List<R> results = null;
        RuntimeException failure = null;
        boolean returned = false;
        lock.unlock();
        try {
            results = batch.run(key, items);
            if (results.size() != taken.size()) {
                throw new IllegalStateException(results.size() + " results for a batch of " + taken.size());
            }
            returned = true;
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            lock.lock();
            if (!returned && failure == null) {
                // An Error in the leader: it propagates in the leader, and fails its followers too.
                failure = new RepositoryException("JDBC ticket repository: " + operation + " did not complete");
            }
            for (int i = 0; i < taken.size(); i++) {
                Waiter w = taken.get(i);
                w.done = true;
                w.failure = failure;
                w.result = failure == null ? results.get(i) : null;
                w.woken.signal();
            }
            line.writing = false;
            Waiter next = line.queue.peek();
            if (next != null) {
                next.woken.signal(); // it leads the next batch
            } else {
                lines.remove(key);
            }
        }
    }
}
