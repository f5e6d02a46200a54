package dev.usher.core.credential;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
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
 * texts held: the slot is chosen by a seeded hash of the presented tag part (the text after the
 * {@code '.'}, which the client sent; of a held text it is its MAC, evenly spread), and the presented
 * text's bytes are compared with both slots' bytes over their whole length whatever they hold,
 * never stopping at the first difference. What a hit tells a
 * client is that its exact text is authentic, which the answer tells it anyway.
 *
 * <p>On the segment path this lookup is most of what the guard does for a child, so it works on
 * bytes: a held text keeps its ASCII bytes, the presented one is copied to bytes once (an intrinsic
 * copy for a Latin-1 string), and the tag alone is hashed (22 characters rather than the payload's
 * hundred and more): comparing and hashing {@code String}s character by character was about a quarter
 * of the guard's CPU per child request.
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

    /** @param bytes the text's ASCII bytes (a held text is authentic: base64url and one {@code '.'}, nothing else) */
    private record Entry(byte[] bytes, CredentialCheck check) {
    }

    private static final byte[] NONE = new byte[0];

    private final Entry[] slots = new Entry[SLOTS];
    /** So that no one can choose texts that land in one pair and evict a known viewer's entry on purpose. */
    private final int seed = new SecureRandom().nextInt();

    /**
     * @param text the presented text, already bounded by {@link PlaybackCredentials#MAX_LENGTH}
     * @param dot  the index of its one {@code '.'}, where the tag part begins
     * @return where that text is held if it is: the first slot of its pair, for {@link #find} and {@link #put}
     */
    int pairOf(String text, int dot) {
        int h = seed;
        for (int i = dot + 1, n = text.length(); i < n; i++) {
            h = 31 * h + text.charAt(i);
        }
        h ^= h >>> 16;
        h *= 0x45d9f3b;
        h ^= h >>> 16;
        return (h & MASK) & ~1;
    }

    /**
     * @return the bytes {@link #find} compares for {@code text}: its UTF-8 bytes. They equal a held
     *         text's bytes exactly when the texts are equal: a held text is ASCII without {@code '?'},
     *         and a character that is not ASCII becomes two or more bytes, or {@code '?'} (an unpaired
     *         surrogate), so it can't match
     */
    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** @return the check of the text with these {@link #bytes} when it is held in its pair ({@link #pairOf}), else null */
    CredentialCheck find(byte[] text, int pair) {
        // both slots of the pair are compared in full, so the time does not depend on which one holds it
        CredentialCheck a = same(slots[pair], text);
        CredentialCheck b = same(slots[pair + 1], text);
        return a != null ? a : b;
    }

    /** Holds a text that passed the full check, with that check ({@code VALID}), in its pair ({@link #pairOf}). */
    void put(byte[] text, int pair, CredentialCheck check) {
        // the free slot of the pair, else the one the text's last character picks (no shared counter to contend on)
        int slot = slots[pair] == null ? pair : slots[pair + 1] == null ? pair + 1
                : pair + (text[text.length - 1] & 1);
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
     * @return the entry's check when its bytes equal {@code text}, compared over the whole of
     *         {@code text} without stopping at a difference, eight bytes at a time; else null
     */
    private static CredentialCheck same(Entry entry, byte[] text) {
        byte[] held = entry == null ? NONE : entry.bytes;
        int n = text.length;
        long diff = n ^ held.length;
        // a text of another length (or an empty slot) is compared with itself: the same work, and the lengths already differ
        byte[] other = diff == 0 ? held : text;
        int i = 0;
        for (; i + Long.BYTES <= n; i += Long.BYTES) {
            diff |= (long) LONGS.get(text, i) ^ (long) LONGS.get(other, i);
        }
        for (; i < n; i++) {
            diff |= text[i] ^ other[i];
        }
        return diff == 0 && entry != null ? entry.check : null;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
}
