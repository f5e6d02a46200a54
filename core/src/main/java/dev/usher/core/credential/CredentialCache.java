package dev.usher.core.credential;

import java.security.SecureRandom;

/**
 * The credential texts one {@link PlaybackCredentials} has already authenticated, so that the
 * segments of a playback (every one carries the same text) are not decoded, parsed, re-encoded and
 * MAC'd again on every request. On the segment path that work ran cold (each 188 kB segment sent
 * before it evicts the caches it used) and cost several microseconds a request, against 0.8 µs in a
 * hot JMH loop.
 *
 * <p>Only texts that passed the full check are put here, as the immutable {@link CredentialCheck}
 * it returned; anything else (a new, tampered, truncated or non-canonical text) misses and takes the
 * full check, so every refusal keeps its status. A lookup reveals nothing by its timing about the
 * texts held: the slot is chosen by a seeded hash of the payload part only (which the client sent
 * and can read: not a secret), and the presented text is compared with the slot's text over its
 * whole length whatever they hold, never stopping at the first difference. What a hit tells a
 * client is that its exact text is authentic, which the answer tells it anyway.
 *
 * <p>Bounded: a fixed table of {@value #SLOTS} slots in pairs (two-way set-associative); a new text
 * replaces one of its pair. Its size is at most {@value #SLOTS} credentials (each text at most
 * {@value PlaybackCredentials#MAX_LENGTH} characters), whatever is presented. Thread-safe without
 * locks: slots hold immutable entries whose fields are final, so a racing reader sees either a whole
 * entry or another one, and a lost write only costs a later full check.
 */
final class CredentialCache {

    /** Slots, a power of two: at most this many credentials are held (a few MB at the longest). */
    static final int SLOTS = 8192;
    private static final int MASK = SLOTS - 1;

    private record Entry(String text, CredentialCheck check) {
    }

    private final Entry[] slots = new Entry[SLOTS];
    /** So that no one can choose texts that land in one pair and evict a known viewer's entry on purpose. */
    private final int seed = new SecureRandom().nextInt();

    /**
     * @param text the presented text, already bounded by {@link PlaybackCredentials#MAX_LENGTH}
     * @param dot  the index of its one {@code '.'}, where the payload part ends
     * @return where that text is held if it is: the first slot of its pair, for {@link #find} and {@link #put}
     */
    int pairOf(String text, int dot) {
        int h = seed;
        for (int i = 0; i < dot; i++) {
            h = 31 * h + text.charAt(i);
        }
        h ^= h >>> 16;
        h *= 0x45d9f3b;
        h ^= h >>> 16;
        return (h & MASK) & ~1;
    }

    /** @return the check of this exact text when it is held in its pair ({@link #pairOf}), else null */
    CredentialCheck find(String text, int pair) {
        // both slots of the pair are compared in full, so the time does not depend on which one holds it
        CredentialCheck a = same(slots[pair], text);
        CredentialCheck b = same(slots[pair + 1], text);
        return a != null ? a : b;
    }

    /** Holds a text that passed the full check, with that check ({@code VALID}), in its pair ({@link #pairOf}). */
    void put(String text, int pair, CredentialCheck check) {
        // the free slot of the pair, else the one the text's last character picks (no shared counter to contend on)
        int slot = slots[pair] == null ? pair : slots[pair + 1] == null ? pair + 1
                : pair + (text.charAt(text.length() - 1) & 1);
        slots[slot] = new Entry(text, check);
    }

    /** @return how many credentials are held (for tests: the bound) */
    int size() {
        int n = 0;
        for (Entry e : slots) {
            if (e != null) {
                n++;
            }
        }
        return n;
    }

    /**
     * @return the entry's check when its text equals {@code text}, compared over the whole of
     *         {@code text} without stopping at a difference; else null
     */
    private static CredentialCheck same(Entry entry, String text) {
        String held = entry == null ? "" : entry.text;
        int n = text.length();
        int diff = n ^ held.length();
        // a text of another length is compared with itself: the same work, and the lengths already differ
        String other = diff == 0 ? held : text;
        for (int i = 0; i < n; i++) {
            diff |= text.charAt(i) ^ other.charAt(i);
        }
        return diff == 0 && entry != null ? entry.check : null;
    }
}
