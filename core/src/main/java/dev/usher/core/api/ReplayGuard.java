package dev.usher.core.api;

import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers the signatures of the mutating commands carried out while their timestamp is inside
 * the window, so a captured request replayed within it has no second effect. Outside the window
 * the timestamp check refuses it anyway, so entries are forgotten then. Bounded: beyond
 * {@code capacity} live entries new mutating commands are refused rather than remembered loosely.
 */
final class ReplayGuard {

    private final Map<String, Instant> seen = new ConcurrentHashMap<>();
    private final int capacity;

    ReplayGuard(int capacity) {
        this.capacity = capacity;
    }

    /**
     * @param signature the request's signature bytes
     * @param until     when the request's timestamp leaves the window
     * @return true the first time, false for a replay or when full
     */
    boolean firstTime(long cdnId, byte[] signature, Instant until, Instant now) {
        if (seen.size() >= capacity) {
            seen.values().removeIf(t -> t.isBefore(now));
            if (seen.size() >= capacity) {
                return false;
            }
        }
        String id = cdnId + ":" + Base64.getEncoder().encodeToString(signature);
        return seen.putIfAbsent(id, until) == null;
    }
}
