package dev.usher.core.http;

import java.util.Locale;
import java.util.Set;

/**
 * The header rules of protected media, the same for every transport. A granted manifest is read
 * whole and rewritten, so the request headers that could make the server answer with less than the
 * whole file (a range, a 304, a compressed body) are hidden from it, and the rewritten answer drops
 * the server's length and validators (it has its own length, and no validator would describe it).
 */
public final class MediaHeaders {

    /** Cache-Control of a refusal. */
    public static final String NO_STORE = "no-store";

    /**
     * Cache-Control of an answer that depends on the ticket (an entry with {@code key}, a rewritten
     * manifest carrying a credential): no shared cache may keep it.
     */
    public static final String PRIVATE_NO_STORE = "private, no-store";

    private static final Set<String> HIDDEN_FROM_MANIFEST = Set.of("range", "if-range", "if-none-match",
            "if-modified-since", "if-match", "if-unmodified-since", "accept-encoding");

    private static final Set<String> DROPPED_FROM_REWRITTEN = Set.of("content-length", "etag", "last-modified",
            "accept-ranges");

    private MediaHeaders() {
    }

    /** @return the request headers hidden from whatever serves a granted manifest, lower case */
    public static Set<String> hiddenFromManifestRequest() {
        return HIDDEN_FROM_MANIFEST;
    }

    /** @return whether a request header is hidden from whatever serves a granted manifest */
    public static boolean isHiddenFromManifestRequest(String name) {
        return name != null && HIDDEN_FROM_MANIFEST.contains(name.toLowerCase(Locale.ROOT));
    }

    /** @return whether a response header of the server's manifest is dropped from the rewritten answer */
    public static boolean isDroppedFromRewritten(String name) {
        return name != null && DROPPED_FROM_REWRITTEN.contains(name.toLowerCase(Locale.ROOT));
    }

    /** @return the response headers dropped from a rewritten manifest, lower case */
    public static Set<String> droppedFromRewritten() {
        return DROPPED_FROM_REWRITTEN;
    }
}
