package dev.usher.core.repository.jdbc;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.repository.RepositoryException;

import java.time.Duration;
import java.util.Collections;
import java.util.List;

/**
 * Group commit of the attempts of decisions that change nothing but their attempt (on PostgreSQL:
 * a continuing grant whose playback needs no refresh, see
 * {@link JdbcTicketRepository#decide}). Such a decision needs no row lock, only its attempt made
 * durable before it is answered; one durable commit per attempt would make the log, not the
 * decision, the cost of a running playback. So a deciding thread, its decide connection already
 * given back, hands its attempt here and waits in one line for every attempt ({@link Combiner}):
 * the first thread to find no batch being written becomes the leader: it takes every queued
 * attempt (at most {@link #MAX_BATCH}) and writes them in one transaction on a pooled connection
 * of its own ({@link JdbcAttemptLog#appendGrants}: the log's turn of every key, sorted; per key one
 * insert and the trim to the cap; the commit), then wakes the waiters. The others wait for a
 * leader's commit of their attempt.
 *
 * <p>Guarantees (the {@link Combiner}'s): {@link #append} returns only once its attempt is
 * committed, so an answered decision's attempt is durable as before, N decisions sharing one
 * commit. A failed batch fails every decision in it with the {@link RepositoryException} (no
 * decision is given: the adapter refuses the request). A thread waits at most the query timeout
 * for its batch to be taken: a thread still queued then leaves the queue (nothing of it is
 * written) and fails; one whose batch is being written when its wait ends fails too, and its
 * attempt may still be committed by the leader, as a decision whose own commit fails in flight may
 * be committed.
 */
final class AttemptGroupCommit {

    /** The most attempts one batch writes: 11 parameters each, far below the protocol's limit. */
    static final int MAX_BATCH = 256;

    /** Every attempt waits in the one line: attempts of any tickets can share a commit. */
    private static final String LINE = "attempts";

    /** Writes one batch in one transaction; a failure fails the whole batch. */
    @FunctionalInterface
    interface BatchWriter {
        void write(List<Attempt> batch);
    }

    private final Combiner<String, Attempt, Void> combiner;

    AttemptGroupCommit(BatchWriter writer, Duration timeout) {
        this.combiner = new Combiner<>("append an attempt", "its commit", MAX_BATCH, timeout, (line, batch) -> {
            writer.write(batch);
            return Collections.nCopies(batch.size(), null); // an attempt has no result but its commit
        });
    }

    /**
     * Returns once {@code attempt} is committed with the batch that took it.
     *
     * @throws RepositoryException when its batch failed, or the wait outlasted the query timeout
     */
    void append(Attempt attempt) {
        combiner.submit(LINE, attempt);
    }
}
