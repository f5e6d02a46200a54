package dev.usher.servlet;

import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.manifest.ChildQuery;
import dev.usher.core.manifest.DashManifestRewriter;
import dev.usher.core.manifest.HlsPlaylistRewriter;
import dev.usher.core.manifest.ManifestException;
import dev.usher.core.media.MediaPath;

import java.net.URI;

/**
 * Chooses the core's HLS or DASH rewriter for a manifest and puts the credential on its children,
 * within {@code usher.filter.max-manifest-bytes}. One per runtime, shared by the filter and the
 * JAX-RS {@code @ProtectedMedia} binding.
 */
public final class ManifestRewriting {

    /** A manifest that can't be rewritten; it is not served. */
    public static final class RewriteException extends Exception {
        private static final long serialVersionUID = 1L;

        RewriteException(String message) {
            super(message, null, false, false);
        }
    }

    private final HlsPlaylistRewriter hls;
    private final DashManifestRewriter dash;

    ManifestRewriting(int maxBytes) {
        hls = new HlsPlaylistRewriter(maxBytes);
        dash = new DashManifestRewriter(maxBytes);
    }

    /** @return the manifest with {@code uc=credential} on every child URI on its own origin */
    public byte[] rewrite(MediaPath.Kind kind, byte[] manifest, String manifestUrl, String credential) throws RewriteException {
        ChildQuery query = new ChildQuery(PlaybackCredentials.PARAMETER, credential);
        try {
            URI url = URI.create(manifestUrl);
            return switch (kind) {
                case HLS_MANIFEST -> hls.rewrite(manifest, url, query);
                case DASH_MANIFEST -> dash.rewrite(manifest, url, query);
                case FILE -> manifest;
            };
        } catch (ManifestException | IllegalArgumentException e) {
            throw new RewriteException(e.getMessage());
        }
    }
}
