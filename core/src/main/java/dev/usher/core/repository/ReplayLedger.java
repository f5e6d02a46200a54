package dev.usher.core.repository;

import java.time.Instant;
import java.util.Optional;

/**
 * Remembers the signed API requests carried out, with their answers, for as long as their
 * timestamp is in the window, so that a retried request (byte-identical, so the same signature)
 * gets the first answer again on any node and never has a second effect. A repository shared by
 * nodes implements it (the JDBC one does); without it the API remembers requests per node.
 *
 * <p>The protocol: {@link #claim} before the effect; exactly one caller, on any node, gets
 * {@link Claim#FIRST} for a request id and carries the request out, then {@link #answer}s it. Every
 * other caller gets {@link Claim#SEEN} and reads the answer with {@link #answerOf} (empty while the
 * first caller is still at work, or when it never finished: then the request is not carried out
 * again, the caller is told to retry).
 */
public interface ReplayLedger {

    /** Longest answer stored, in characters; a longer one is remembered as {@link #TOO_LONG}. */
    int MAX_ANSWER = 16_384;
    /** Stored in place of an answer longer than {@link #MAX_ANSWER}. */
    String TOO_LONG = "";

    /** The outcome of a claim. */
    enum Claim {
        /** This caller recorded the request first: it carries it out. */
        FIRST,
        /** The request was recorded before, on some node: its answer is, or will be, stored. */
        SEEN,
        /** The ledger cannot remember more requests now (a bounded one): the request is refused, not carried out. */
        FULL
    }

    /**
     * Records the request atomically (on every node sharing the ledger, one claim wins).
     *
     * @param requestId identifies the request (account and signature)
     * @param until     when the request's timestamp leaves the window; the entry may be forgotten then
     */
    Claim claim(String requestId, Instant until);

    /** Stores the first answer of a request this caller claimed ({@link #TOO_LONG} when longer than {@link #MAX_ANSWER}). */
    void answer(String requestId, String answer);

    /** @return the stored answer of a claimed request; empty while it is being carried out */
    Optional<String> answerOf(String requestId);
}
