package dev.usher.core.credential;

import dev.usher.core.net.IpAddress;
import dev.usher.core.net.IpNetwork;

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
 */
public record PlaybackCredential(String app, String video, IpNetwork client, Instant expires, String keyId,
                                 String ticketKey) {

    public PlaybackCredential {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(video, "video");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(expires, "expires");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(ticketKey, "ticketKey");
        expires = Instant.ofEpochSecond(expires.getEpochSecond());
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
