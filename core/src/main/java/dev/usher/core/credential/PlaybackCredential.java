package dev.usher.core.credential;

import dev.usher.core.net.IpAddress;
import dev.usher.core.net.IpNetwork;
import dev.usher.core.viewer.Format;

import java.time.Instant;
import java.util.Objects;

/**
 * What a granted playback lets its player fetch without key and pass: the child URIs (variant
 * playlists, segments, init segments, keys) of one video of one app, from one client network, until
 * an expiry. {@link PlaybackCredentials} signs it into the {@code uc} query parameter that manifest
 * rewriting puts on every child URI, and checks it on the child requests without touching the
 * repository.
 *
 * @param app       the application the playback was granted for
 * @param video     the video the playback was granted for (for an HLS or DASH package, the folder of
 *                  its manifest, e.g. {@code mystream})
 * @param client    the network the children may be fetched from: the client's own address
 *                  ({@code /32}, {@code /128}) or the block its ticket allows
 * @param expires   children are refused from this instant on; whole epoch seconds (finer parts are
 *                  dropped, as the wire form carries seconds)
 * @param keyId     the id of the server secret that signs (or signed) this credential
 * @param ticketKey the key of the ticket that granted the playback, so that a periodic revocation
 *                  check can find the ticket; never the pass
 * @param format    how the playback plays (the kind of its entry manifest); {@link Format#OTHER} for a
 *                  credential of wire version 1, which did not say
 * @param playerId  the player instance the playback's entry named (1..{@value #MAX_PLAYER_ID} URL-safe
 *                  characters: letters, digits, {@code -}, {@code _}), so every child request counts
 *                  for that one viewer; null for a credential of wire version 1
 */
public record PlaybackCredential(String app, String video, IpNetwork client, Instant expires, String keyId,
                                 String ticketKey, Format format, String playerId) {

    /** The longest player id a credential carries. */
    public static final int MAX_PLAYER_ID = 32;

    /** A credential of wire version 1: no player id, format {@link Format#OTHER}. */
    public PlaybackCredential(String app, String video, IpNetwork client, Instant expires, String keyId, String ticketKey) {
        this(app, video, client, expires, keyId, ticketKey, Format.OTHER, null);
    }

    public PlaybackCredential {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(video, "video");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(expires, "expires");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(ticketKey, "ticketKey");
        Objects.requireNonNull(format, "format");
        if (playerId != null && !isPlayerId(playerId)) {
            throw new IllegalArgumentException("a player id is 1.." + MAX_PLAYER_ID + " letters, digits, '-' or '_'");
        }
        if (playerId == null && format != Format.OTHER) {
            throw new IllegalArgumentException("a credential without a player id (version 1) has no format");
        }
        expires = Instant.ofEpochSecond(expires.getEpochSecond());
    }

    /** @return the wire version this credential is encoded in: 2 with a player id, else 1 */
    public int version() {
        return playerId == null ? 1 : 2;
    }

    /** @return whether {@code id} can be a player id: 1..{@value #MAX_PLAYER_ID} base64url characters */
    public static boolean isPlayerId(String id) {
        return urlSafe(id, MAX_PLAYER_ID);
    }

    /** @return whether {@code id} is 1..{@code max} characters of the base64url alphabet */
    static boolean urlSafe(String id, int max) {
        if (id == null || id.isEmpty() || id.length() > max) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** @return true from the expiry on (the expiry instant itself is expired, as for tickets) */
    public boolean isExpired(Instant now) {
        return !now.isBefore(expires);
    }

    /**
     * A child is in scope when its app is this credential's app and its video (or path under the app)
     * is this credential's video or lies below it: {@code mystream} covers {@code mystream} and
     * {@code mystream/v0/seg_001.ts}, not {@code mystream2}. An empty video (a package at the app's
     * root) covers the whole app. Paths must be normalized by the caller (no {@code ..}).
     */
    public boolean covers(String childApp, String childVideo) {
        if (childApp == null || childVideo == null || !app.equals(childApp)) {
            return false;
        }
        if (video.isEmpty() || childVideo.equals(video)) {
            return true;
        }
        return childVideo.length() > video.length() && childVideo.startsWith(video)
                && (video.endsWith("/") || childVideo.charAt(video.length()) == '/');
    }

    /** @return true when {@code address} lies in {@link #client()}; false for null */
    public boolean allows(IpAddress address) {
        return address != null && client.contains(address);
    }
}
