package dev.usher.core.repository;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.ticket.Ticket;

import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where tickets, their open playbacks and their attempt logs are kept: the one SPI an
 * implementation provides (in memory, JDBC, or an application's own).
 *
 * <p>{@link #decide} is the heart: checking a request against the
 * {@link dev.usher.core.decision.AdmissionRules} and storing what they return (a use consumed, a
 * slot bound, a playback opened or continued, the attempt) is one atomic step, so that many
 * threads, or many nodes sharing one database, never grant more than the ticket allows.
 *
 * <p>Operations that name an account ({@code cdnId}) see only that account's tickets; a key of
 * another account is treated as unknown.
 *
 * <p>Failures: when its store fails (a database down, a query timeout, a missing schema) an
 * implementation throws the unchecked {@link RepositoryException} from any method, never a
 * made-up answer. From {@link #decide} that means no decision: the caller must refuse the request
 * (the servlet filter answers with an error and lets nothing through), never grant it.
 *
 * <p>Writing one: what every store does alike (the unknown-key refusal, the decision with the
 * attempt it records, applying a {@link TicketChange}, what a purge forgets) is in
 * {@link RepositoryRules}; only storing it atomically is the store's own. {@link ScheduledPurge}
 * runs its {@link #purge} on a timer.
 */
public interface TicketRepository {

    /**
     * The ledger of signed API requests this store shares between the nodes that use it, so that a
     * request replayed to another node is still refused; empty (the default) for a store of one
     * node, whose API then keeps its own in memory ({@link dev.usher.core.api.ReplayGuard}).
     */
    default java.util.Optional<ReplayLedger> sharedReplayLedger() {
        return java.util.Optional.empty();
    }

    /**
     * Stores a new ticket, giving it its {@link Ticket#id() id}: a number from 1, never given to
     * another ticket of this repository (nor, for a shared store, of any node).
     *
     * @return false, storing nothing, when a ticket with its key exists
     */
    boolean insert(Ticket ticket);

    /**
     * Stores a new ticket like {@link #insert} and answers it as stored, with its id. The default
     * reads it back; the stores of Usher override it to answer without a second read.
     *
     * @return the stored ticket, or empty, storing nothing, when a ticket with its key exists
     */
    default Optional<Ticket> add(Ticket ticket) {
        return insert(ticket) ? Optional.of(find(ticket.key()).orElse(ticket)) : Optional.empty();
    }

    /** @return the ticket with {@code key}, whatever its account */
    Optional<Ticket> find(String key);

    /**
     * Finds many tickets at once, whatever their accounts: what {@link dev.usher.core.service.RevocationWatch}
     * reads every check interval for the tickets of the playbacks running on this node. The default
     * calls {@link #find} per key, so a store written before this method keeps working; Usher's
     * JDBC store reads them in batches of {@value #FIND_BATCH} keys per query.
     *
     * @return the tickets found, by key; a key with no ticket is absent
     */
    default Map<String, Ticket> findAll(Collection<String> keys) {
        Map<String, Ticket> out = new HashMap<>();
        for (String key : keys) {
            find(key).ifPresent(t -> out.put(key, t));
        }
        return out;
    }

    /** The most keys a store's batch of {@link #findAll} should carry per query. */
    int FIND_BATCH = 1000;

    /** @return the account's ticket with {@code key} after the change, or empty when it has none */
    Optional<Ticket> update(long cdnId, String key, TicketChange change);

    /** Deletes the account's ticket with its playbacks and attempt log. @return false when it has none */
    boolean delete(long cdnId, String key);

    /** @return the account's tickets that {@code query} accepts, newest first */
    List<Ticket> search(long cdnId, TicketQuery query);

    /**
     * Decides a playback request and records it, atomically. An attempt is appended to the ticket's
     * log for every decision on a known key; requests with an unknown key are decided (Invalid Auth
     * Token) but not stored, so random keys can't fill the store.
     *
     * @throws RepositoryException when the store fails or times out: nothing was decided or stored
     */
    Decision decide(PlaybackRequest request, Instant now);

    /**
     * Undoes the playback that {@code grant} opened, atomically, for a request that was granted but
     * that Usher could not serve (its response failed with {@code status}, 400 or more): the use is
     * given back, an {@code auto} slot the grant bound is freed (unless another open playback stands
     * on it), and the grant's attempt stays in the log marked with {@code status} (see
     * {@link Attempt#failedStatus()}). The rules are {@link dev.usher.core.decision.AdmissionRules#release}.
     *
     * <p>A grant is undone at most once, however many threads or nodes call this: only the call
     * that finds the grant's playback still stored gives anything back. A grant that opened no
     * playback (one that continued a playback) has nothing to undo.
     *
     * <p>The default undoes nothing, so a repository written before this method keeps working and
     * simply charges failed responses as before.
     *
     * @return true when a use was given back by this call
     * @throws RepositoryException when the store fails: nothing was changed
     */
    default boolean release(Decision grant, int status, Instant now) {
        return false;
    }

    /** @return the attempts of {@code key} at or after {@code since} (all when null), oldest first, at most {@code limit} newest */
    List<Attempt> attempts(String key, Instant since, int limit);

    /**
     * Forgets attempts older than the retention and tickets expired for longer than it. Called on a
     * timer ({@link ScheduledPurge}); each call does it at once.
     *
     * @return how many tickets were removed
     */
    int purge(Instant now);
}
