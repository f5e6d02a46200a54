package dev.usher.core.repository;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.attempt.AttemptLog;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.decision.Reason;
import dev.usher.core.net.IpAddress;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;

/**
 * One ticket's attempt log as {@link InMemoryTicketRepository} keeps it: the same entries, in the
 * same order, under the same rules ({@link AttemptLog}) as a list of {@link Attempt}s, in about a
 * tenth of the heap, so that a million tickets with their logs fit.
 *
 * <p>Where the bytes went, and where they go now:
 * <ul>
 * <li>An {@link Attempt} holds thirteen references, an {@link Instant} and its own copies of the
 *     request's strings (address, video, app, page, referrer, pass fingerprint): some 370 bytes.
 *     Here an entry is its time, reason, count and status as three longs in one array, and a
 *     reference to an {@link Origin} in another: what asked (the strings; the client's address as
 *     its numbers when the entry came from a request). The requests of one playback all come from the same
 *     origin, so consecutive entries share one; a new origin takes each string from the previous
 *     origin when equal, so only what changed is kept twice.</li>
 * <li>The fingerprint of the ticket's own pass is the same on every request that got past the pass
 *     check: the origin refers to the one copy the caller keeps. Another fingerprint (a wrong pass)
 *     is kept as its 128 bits.</li>
 * <li>The strings of a new origin come from {@link SharedStrings}, so the page, referrer, app and
 *     video that many tickets' viewers send are kept once for all of them.</li>
 * <li>Evicting the oldest entries (the cap holds on every insert) moves only the entries before the
 *     ones removed, and the log counts its grants, so a log at its cap costs no scan per insert.</li>
 * </ul>
 * Not thread-safe: the repository calls it under the ticket's lock.
 */
final class PackedAttemptLog {

    /**
     * Who asked, as an {@link Attempt} names it.
     *
     * @param ipText          the client's address as text, or null when it is kept as the numbers
     *                        {@code ipHigh} and {@code ipLow} (an origin made from a request: its text is
     *                        made only when the log is read, not on every decision)
     * @param fingerprintText the pass fingerprint, or null when it is kept as {@code fpHigh} and {@code fpLow}
     */
    record Origin(String ipText, long ipHigh, long ipLow, String video, String app, String appinst, String pageurl,
                  String refurl, String server, String fingerprintText, long fpHigh, long fpLow) {

        String ip() {
            return ipText != null ? ipText : new IpAddress(ipHigh, ipLow).toString();
        }

        boolean hasIp(IpAddress client) {
            return ipText == null ? ipHigh == client.high() && ipLow == client.low() : ipText.equals(client.toString());
        }

        boolean sameAs(Attempt a, String fingerprintOf) {
            return a.ip().equals(ip()) && a.video().equals(video) && a.app().equals(app) && a.appinst().equals(appinst)
                    && a.pageurl().equals(pageurl) && a.refurl().equals(refurl) && a.server().equals(server)
                    && hasFingerprint(fingerprintOf);
        }

        boolean sameAs(PlaybackRequest r, String serverOf, String fingerprintOf) {
            return hasIp(r.client()) && r.video().equals(video) && r.app().equals(app) && r.appInstance().equals(appinst)
                    && r.pageUrl().equals(pageurl) && r.referrer().equals(refurl) && serverOf.equals(server)
                    && hasFingerprint(fingerprintOf);
        }

        /**
         * @return {@code fingerprint().equals(fp)}, without making the text of a packed one: a ticket
         *         whose newest entry is a wrong pass's encoded it on its next decision (a base64
         *         encoding and two allocations, 15 % of a continuing decision's samples)
         */
        boolean hasFingerprint(String fp) {
            if (fingerprintText != null) {
                return fp.equals(fingerprintText);
            }
            if (fp.length() != FINGERPRINT_CHARS) {
                return false;
            }
            for (int k = 0; k < FINGERPRINT_CHARS; k++) {
                if (fp.charAt(k) != BASE64URL.charAt(sextet(fpHigh, fpLow, k))) {
                    return false;
                }
            }
            return true;
        }

        String fingerprint() {
            return fingerprintText != null ? fingerprintText : packedText(fpHigh, fpLow);
        }
    }

    private static final Reason[] REASONS = Reason.values();
    /** Longs per entry in {@link #data}: its second; its nano and reason; its count and status. */
    private static final int STRIDE = 3;

    /**
     * Strings seen lately in attempts, by their text, shared by every ticket's log of one repository:
     * an origin refers to the copy kept here when equal rather than to the request's own. Lossy and
     * bounded ({@value #SLOTS} slots, each holding the last string of at most {@value #LONGEST}
     * characters that fell in it), so a flood of distinct texts only costs the copies it would have
     * cost anyway. Strings are immutable: the slots need no lock.
     */
    static final class SharedStrings {
        static final int SLOTS = 4096;
        static final int LONGEST = 512;
        private final String[] slots = new String[SLOTS];

        String share(String s) {
            if (s.length() > LONGEST) {
                return s;
            }
            int h = s.hashCode();
            int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
            String kept = slots[slot];
            if (s.equals(kept)) {
                return kept;
            }
            slots[slot] = s;
            return s;
        }
    }

    private static final int FINGERPRINT_CHARS = 22; // 128 bits in unpadded base64url
    private static final String BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /**
     * @return the value of character {@code k} of the unpadded base64url text of the 128 bits
     *         {@code high}, {@code low}: bits {@code 6k..6k+5} from the top, the last character's
     *         two bits followed by four zero bits
     */
    static int sextet(long high, long low, int k) {
        int bit = 6 * k; // the first of the six bits, counted from the top
        long bits;
        if (bit + 6 <= 64) {
            bits = high >>> (58 - bit);
        } else if (bit < 64) {
            bits = (high << (bit + 6 - 64)) | (low >>> (128 - bit - 6));
        } else if (bit + 6 <= 128) {
            bits = low >>> (122 - bit);
        } else {
            bits = low << (bit + 6 - 128); // the last character: two bits, then zeros
        }
        return (int) (bits & 0x3f);
    }

    /**
     * The entries, oldest first, in slots {@code start..end)}: slot i's origin in {@code origins[i]}, its
     * numbers in {@code data[STRIDE * i ..]} (epoch second; nanosecond and reason ordinal; count and
     * failed status). Numbers in a long array rather than an object per entry: an append allocates
     * nothing until the arrays grow, and gives the collector no new object held by an old ticket.
     */
    private Origin[] origins = new Origin[2];
    private long[] data = new long[2 * STRIDE];
    private int start;
    private int end;
    private int grants;
    /**
     * The newest entry's origin, or null when empty: what the next attempt is compared with, kept
     * here so that a decision on a ticket not decided lately reads this object rather than also the
     * array's last slot and that entry (two cache misses). Set wherever the newest entry changes.
     */
    private Origin newest;

    int size() {
        return end - start;
    }

    private long seconds(int i) {
        return data[STRIDE * i];
    }

    private int nanos(int i) {
        return (int) data[STRIDE * i + 1];
    }

    private Reason reason(int i) {
        return REASONS[(int) (data[STRIDE * i + 1] >>> 32)];
    }

    private boolean success(int i) {
        return reason(i).granted();
    }

    private int count(int i) {
        return (int) (data[STRIDE * i + 2] >>> 32);
    }

    private int failedStatus(int i) {
        return (int) data[STRIDE * i + 2];
    }

    private void setCountAndStatus(int i, int count, int failedStatus) {
        data[STRIDE * i + 2] = ((long) count << 32) | (failedStatus & 0xffff_ffffL);
    }

    private boolean isAfter(int i, Instant t) {
        long s = seconds(i);
        return s > t.getEpochSecond() || (s == t.getEpochSecond() && nanos(i) > t.getNano());
    }

    private boolean isBefore(int i, Instant t) {
        long s = seconds(i);
        return s < t.getEpochSecond() || (s == t.getEpochSecond() && nanos(i) < t.getNano());
    }

    private Attempt toAttempt(int i, String key) {
        Origin o = origins[i];
        return new Attempt(key, Instant.ofEpochSecond(seconds(i), nanos(i)), o.ip(), o.video, o.app, o.appinst, o.pageurl,
                o.refurl, reason(i), o.server, count(i), failedStatus(i), o.fingerprint());
    }

    /**
     * Appends {@code attempt} by the rules of {@link AttemptLog}: a refusal the log absorbs is counted
     * into the stored one; then the oldest entries go as {@link AttemptLog#evict} says, so at most
     * {@code cap} stay.
     *
     * @param ownFingerprint the fingerprint of the ticket's own pass (the text an origin refers to
     *                       rather than keeping its own copy), or null
     */
    void append(Attempt attempt, String ownFingerprint, SharedStrings strings, int cap) {
        if (!attempt.success() && absorbed(attempt)) {
            return;
        }
        add(attempt.datetime(), attempt.reason(), originOf(attempt, ownFingerprint, strings), attempt.count(),
                attempt.failedStatus());
        evictOverCap(attempt.success(), cap);
    }

    /** Removes the oldest entries as {@link AttemptLog#evict} says, so at most {@code cap} stay. */
    private void evictOverCap(boolean addedWasGrant, int cap) {
        if (size() > cap) {
            AttemptLog.Eviction eviction = AttemptLog.evict(size() - grants, grants, addedWasGrant, cap);
            if (!eviction.none()) {
                removeOldest(eviction.refusals(), eviction.grants());
            }
        }
    }

    private boolean absorbed(Attempt attempt) {
        Instant windowStart = AttemptLog.windowStart(attempt.datetime());
        for (int i = end - 1; i >= start && isAfter(i, windowStart); i--) {
            // Only a refusal of the same reason can absorb: skip the others without building their Attempt.
            if (!success(i) && reason(i) == attempt.reason() && AttemptLog.absorbs(toAttempt(i, attempt.key()), attempt)) {
                countRepeat(i);
                return true;
            }
        }
        return false;
    }

    /**
     * Appends the attempt that records {@code reason} for {@code request} at {@code now} by this node,
     * the same entry as {@link #append(Attempt, String, SharedStrings, int)} of the {@link Attempt}
     * {@link RepositoryRules} makes of them, without making that attempt: its text of the client's
     * address is made only when the log is read (on the hot path it was an allocation and some
     * formatting per decision).
     *
     * @param fingerprint the fingerprint of the pass the request carried
     */
    void append(PlaybackRequest request, Instant now, Reason reason, String server, String fingerprint,
                String ownFingerprint, SharedStrings strings, int cap) {
        boolean success = reason.granted();
        if (!success && absorbed(request.client(), reason, now)) {
            return;
        }
        Origin last = newest;
        Origin origin = last != null && last.sameAs(request, server, fingerprint) ? last
                : newOrigin(last, null, request.client(), request.video(), request.app(), request.appInstance(),
                request.pageUrl(), request.referrer(), server, fingerprint, ownFingerprint, strings);
        add(now, reason, origin, 1, 0);
        evictOverCap(success, cap);
    }

    /** {@link #absorbed(Attempt)} for a refusal of {@code client} for {@code reason} at {@code now} */
    private boolean absorbed(IpAddress client, Reason reason, Instant now) {
        Instant windowStart = AttemptLog.windowStart(now);
        for (int i = end - 1; i >= start && isAfter(i, windowStart); i--) {
            // AttemptLog.absorbs, on the entry's own fields
            if (!success(i) && reason(i) == reason && failedStatus(i) == 0 && origins[i].hasIp(client)) {
                countRepeat(i);
                return true;
            }
        }
        return false;
    }

    /** @return the origin of {@code a}: the newest entry's when the same, else a new one sharing what it can */
    private Origin originOf(Attempt a, String ownFingerprint, SharedStrings strings) {
        String fp = a.passFingerprint();
        Origin last = newest;
        if (last != null && last.sameAs(a, fp)) {
            return last;
        }
        return newOrigin(last, a.ip(), null, a.video(), a.app(), a.appinst(), a.pageurl(), a.refurl(), a.server(), fp,
                ownFingerprint, strings);
    }

    /**
     * @param ipText the client's address as text, or null to keep {@code client}'s numbers
     */
    private static Origin newOrigin(Origin last, String ipText, IpAddress client, String video, String app,
                                    String appinst, String pageurl, String refurl, String server, String fp,
                                    String ownFingerprint, SharedStrings strings) {
        String fingerprint;
        long high = 0;
        long low = 0;
        if (ownFingerprint != null && fp.equals(ownFingerprint)) {
            fingerprint = ownFingerprint;
        } else if (last != null && fp.equals(last.fingerprintText)) {
            fingerprint = last.fingerprintText;
        } else {
            long[] packed = packed(fp);
            fingerprint = packed == null ? fp : null;
            if (packed != null) {
                high = packed[0];
                low = packed[1];
            }
        }
        return new Origin(ipText == null ? null : reuse(last == null ? null : last.ipText, ipText, strings),
                client == null ? 0 : client.high(), client == null ? 0 : client.low(),
                reuse(last == null ? null : last.video, video, strings),
                reuse(last == null ? null : last.app, app, strings),
                reuse(last == null ? null : last.appinst, appinst, strings),
                reuse(last == null ? null : last.pageurl, pageurl, strings),
                reuse(last == null ? null : last.refurl, refurl, strings),
                reuse(last == null ? null : last.server, server, strings), fingerprint, high, low);
    }

    /** @return {@code kept} (the previous origin's) when equal to {@code s}, else the shared copy of {@code s} */
    private static String reuse(String kept, String s, SharedStrings strings) {
        return s.equals(kept) ? kept : strings.share(s);
    }

    /** @return the 128 bits of a fingerprint in its usual form, or null when it is not in that form */
    private static long[] packed(String fp) {
        if (fp.length() != FINGERPRINT_CHARS) {
            return null;
        }
        byte[] bits;
        try {
            bits = Base64.getUrlDecoder().decode(fp);
        } catch (IllegalArgumentException e) {
            return null;
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (bits[i] & 0xff);
            low = (low << 8) | (bits[i + 8] & 0xff);
        }
        // Only a text that comes back exactly (no stray low bits in the last character) is packed.
        return packedText(high, low).equals(fp) ? new long[]{high, low} : null;
    }

    private static String packedText(long high, long low) {
        byte[] bits = new byte[16];
        for (int i = 7; i >= 0; i--) {
            bits[i] = (byte) high;
            bits[i + 8] = (byte) low;
            high >>>= 8;
            low >>>= 8;
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    }

    private void countRepeat(int i) {
        int count = count(i);
        if (count != Integer.MAX_VALUE) {
            setCountAndStatus(i, count + 1, failedStatus(i));
        }
    }

    private void add(Instant datetime, Reason reason, Origin origin, int count, int failedStatus) {
        if (end == origins.length) {
            int size = size();
            if (size <= origins.length * 3 / 4 && start > 0) {
                // At least a quarter free at the front: move down (amortized a few copies per insert).
                System.arraycopy(origins, start, origins, 0, size);
                System.arraycopy(data, STRIDE * start, data, 0, STRIDE * size);
                Arrays.fill(origins, size, end, null);
            } else {
                int capacity = origins.length + (origins.length >> 1) + 1;
                Origin[] grown = new Origin[capacity];
                long[] grownData = new long[STRIDE * capacity];
                System.arraycopy(origins, start, grown, 0, size);
                System.arraycopy(data, STRIDE * start, grownData, 0, STRIDE * size);
                origins = grown;
                data = grownData;
            }
            start = 0;
            end = size;
        }
        int i = end++;
        origins[i] = origin;
        data[STRIDE * i] = datetime.getEpochSecond();
        data[STRIDE * i + 1] = (datetime.getNano() & 0xffff_ffffL) | ((long) reason.ordinal() << 32);
        setCountAndStatus(i, count, failedStatus);
        newest = origin;
        if (reason.granted()) {
            grants++;
        }
    }

    /** Removes the oldest {@code refusals} refusals and the oldest {@code grantsToRemove} grants. */
    private void removeOldest(int refusals, int grantsToRemove) {
        int r = refusals;
        int g = grantsToRemove;
        int last = -1;
        for (int i = start; i < end && (r > 0 || g > 0); i++) {
            boolean success = success(i);
            if (success ? g > 0 : r > 0) {
                if (success) {
                    g--;
                    grants--;
                } else {
                    r--;
                }
                origins[i] = null; // marks the slot removed: a kept entry always has an origin
                last = i;
            }
        }
        if (last < 0) {
            return;
        }
        // Close the gaps by moving the entries kept before the last removed one up towards it.
        int w = last;
        for (int i = last; i >= start; i--) {
            if (origins[i] != null) {
                move(i, w--);
            }
        }
        for (int i = start; i <= w; i++) {
            origins[i] = null;
        }
        start = w + 1;
        newest = end > start ? origins[end - 1] : null;
    }

    private void move(int from, int to) {
        if (from != to) {
            origins[to] = origins[from];
            System.arraycopy(data, STRIDE * from, data, STRIDE * to, STRIDE);
        }
    }

    /**
     * Marks the newest entry that {@code grant} appended as not served, with {@code status}.
     *
     * @return whether such an entry was found
     */
    boolean markNotServed(String key, Decision grant, int status) {
        for (int i = end - 1; i >= start; i--) {
            if (success(i) && RepositoryRules.isAttemptOf(grant, toAttempt(i, key))) {
                setCountAndStatus(i, count(i), status);
                return true;
            }
        }
        return false;
    }

    /** @return the newest {@code limit} entries at or after {@code since} (any time when null), oldest first */
    List<Attempt> since(String key, Instant since, int limit) {
        List<Attempt> found = new ArrayList<>(Math.max(0, Math.min(limit, size())));
        for (int i = end - 1; i >= start && found.size() < limit; i--) {
            if (since == null || !isBefore(i, since)) {
                found.add(toAttempt(i, key));
            }
        }
        Collections.reverse(found);
        return found;
    }

    /** Forgets the entries older than {@code horizon}. */
    void removeBefore(Instant horizon) {
        int w = start;
        for (int i = start; i < end; i++) {
            if (isBefore(i, horizon)) {
                if (success(i)) {
                    grants--;
                }
            } else {
                move(i, w++);
            }
        }
        Arrays.fill(origins, w, end, null);
        end = w;
        newest = end > start ? origins[end - 1] : null;
    }
}
