package dev.usher.core.attempt;

import java.time.Duration;
import java.time.Instant;

/**
 * The rules that keep a ticket's attempt log bounded and truthful when someone who knows a key
 * floods it, the same for every repository:
 * <ul>
 * <li><b>Refusals are stored at a bounded rate.</b> A refusal is folded into the stored refusal
 *     of the same client and reason when that one is younger than {@link #REFUSAL_WINDOW}: its
 *     {@link Attempt#count()} goes up instead of a row being added. So one client adds at most one
 *     row per reason and window, however fast it asks.</li>
 * <li><b>The cap holds on every insert</b> ({@code usher.attempt-log.max-per-ticket}), and the
 *     oldest refusals go first. Refusals never push out a grant: when the log is full of grants a
 *     new refusal is not stored. A grant pushes out the oldest refusal while refusals hold more
 *     than half of the cap, else the oldest grant: grants always keep at least half the cap.</li>
 * </ul>
 * Grants are never folded: each is a request that was served.
 */
public final class AttemptLog {

    /** How long a stored refusal absorbs the same client's same refusals. */
    public static final Duration REFUSAL_WINDOW = Duration.ofMinutes(1);

    private AttemptLog() {
    }

    /** @return whether {@code incoming} is a repeat that {@code stored} absorbs rather than a new entry */
    public static boolean absorbs(Attempt stored, Attempt incoming) {
        return !incoming.success() && !stored.success() && stored.failedStatus() == 0
                && stored.reason() == incoming.reason() && stored.ip().equals(incoming.ip())
                && stored.datetime().isAfter(windowStart(incoming.datetime()));
    }

    /** @return the instant after which a stored refusal still absorbs repeats of one decided at {@code now} */
    public static Instant windowStart(Instant now) {
        return now.minus(REFUSAL_WINDOW);
    }

    /**
     * How many of the oldest entries of each kind to remove so that the log fits the cap after an
     * insert.
     *
     * @param refusals the oldest refusals to remove
     * @param grants   the oldest grants to remove
     */
    public record Eviction(int refusals, int grants) {
        public boolean none() {
            return refusals == 0 && grants == 0;
        }
    }

    /**
     * @param refusals        refusals in the log, the one just added included
     * @param grants          grants in the log, the one just added included
     * @param addedWasGrant   whether the entry just added is a grant
     * @param cap             {@code usher.attempt-log.max-per-ticket}
     * @return what to remove, the oldest of each kind first (a refusal added to a log full of grants
     *         is itself the refusal removed: it is not stored)
     */
    public static Eviction evict(int refusals, int grants, boolean addedWasGrant, int cap) {
        int r = refusals;
        int g = grants;
        int evictR = 0;
        int evictG = 0;
        while (r + g > cap) {
            if (!addedWasGrant || r > cap / 2) {
                if (r == 0) {
                    break; // cannot happen: an added refusal is itself among them
                }
                r--;
                evictR++;
            } else {
                g--;
                evictG++;
            }
        }
        return new Eviction(evictR, evictG);
    }
}
