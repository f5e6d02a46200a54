package dev.usher.core.repository;

import java.time.Instant;

/**
 * Remembers which signed API requests were carried out, for as long as their timestamp is in the
 * window, so that a replayed request has no second effect on any node. A repository shared by
 * nodes implements it (the JDBC one does); without it the API remembers requests per node.
 */
public interface ReplayLedger {

    /**
     * @param requestId identifies the request (account and signature)
     * @param until     when the request's timestamp leaves the window; the entry may be forgotten then
     * @return true the first time {@code requestId} is recorded, false for a replay
     */
    boolean firstTime(String requestId, Instant until);
}
