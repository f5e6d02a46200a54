package dev.usher.core.repository.jdbc;

import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.repository.RepositoryException;
import dev.usher.core.repository.RepositoryRules;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Combining of the locked decisions of one ticket within a node (flat combining): on PostgreSQL
 * every decision that opens or refreshes a playback, binds a slot or is refused by the locked
 * rules takes the ticket's row lock, one transaction and one durable commit; on a hot ticket those
 * serial lock+commit turns, not the work, are the ceiling, and the backends queued on the one row
 * cost more than the decisions. So the decisions of one key line up here, in the JVM, no
 * connection held while they wait, in a line per ticket key ({@link Combiner}): the first to find
 * no batch of its key being written becomes the leader, takes the line's head (at most
 * {@link #MAX_BATCH}, in arrival order) and has the {@link BatchDecider} decide them all in one
 * transaction (one lock, one commit), then hands each waiter its decision; the next in line leads
 * the next batch. Other keys have lines of their own, so they never wait for this key's batch (the
 * guard is held only to queue and dequeue).
 *
 * <p>Guarantees (the {@link Combiner}'s): a decision returns only once its batch committed. A
 * failed batch fails every decision in it with the {@link RepositoryException} (one transaction:
 * nothing of it is stored, no decision is given). A thread waits at most the query timeout: one
 * still queued then leaves its line (nothing of it is written) and fails; one whose batch is being
 * written when its wait ends fails too, and its decision may still be committed, as a decision
 * whose own commit fails in flight may be.
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

    private final Combiner<String, Queued, Decision> combiner;

    DecisionCombiner(BatchDecider decider, Duration timeout) {
        this.combiner = new Combiner<>("decide", "its ticket's batch", MAX_BATCH, timeout, decider::decide);
    }

    /**
     * @param read what the caller read before (handed to the decider with the request), or null
     * @param decidedOnRead the rules' decision on {@code read}, or null
     * @return the decision of {@code request}, once committed with its batch
     * @throws RepositoryException when its batch failed, or the wait outlasted the query timeout
     */
    Decision decide(PlaybackRequest request, Instant now, Object read, RepositoryRules.Decided decidedOnRead) {
        return combiner.submit(request.key(), new Queued(request, now, read, decidedOnRead));
    }
}
