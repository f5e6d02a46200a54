package dev.usher.core.manifest;

import dev.usher.core.media.MediaPath;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.Optional;

/**
 * Rewrites a manifest so that every child URI of the manifest's own origin carries a query
 * parameter (the playback credential). Implementations are immutable and thread-safe.
 *
 * <p>Work is bounded by {@link #limits()}: input and output size (inserting a credential can
 * multiply a playlist's size), and for DASH the element count, nesting depth and time. The output's
 * exact length is known before it is written, so the caller sets {@code Content-Length} and a
 * refused rewrite never leaves a partial body behind.
 */
public interface ManifestRewriter {

    /** The default size limit: 4 MiB, far above any real playlist or MPD. */
    int DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

    /**
     * @param manifest    the manifest as served (not modified, and not to be modified while the
     *                    result is in use: HLS output is produced from it as it is written)
     * @param manifestUrl the URL the manifest was requested with (its origin decides which absolute
     *                    URIs are ours, see {@link ChildUris}); null to treat only relative URIs as ours
     * @param query       the parameter to add
     * @return the rewritten manifest, of known length within {@link ManifestLimits#maxOutputBytes()}
     * @throws ManifestTooLargeException when the input or the output would be over its limit
     * @throws ManifestException         when it cannot be parsed, or exceeds another limit
     */
    Rewritten prepare(byte[] manifest, URI manifestUrl, ChildQuery query);

    /** As {@link #prepare}, into an array. */
    default byte[] rewrite(byte[] manifest, URI manifestUrl, ChildQuery query) {
        return prepare(manifest, manifestUrl, query).toByteArray();
    }

    /** @return the bounds of one rewrite */
    ManifestLimits limits();

    /** @return the largest manifest accepted, in bytes */
    default int maxBytes() {
        return limits().maxInputBytes();
    }

    /** Reads at most {@link #maxBytes()} bytes of {@code in} (refusing more), then rewrites them. */
    default byte[] rewrite(InputStream in, URI manifestUrl, ChildQuery query) throws IOException {
        return rewrite(readBounded(in, maxBytes()), manifestUrl, query);
    }

    /**
     * @return all of {@code in}, which must hold at most {@code max} bytes
     * @throws ManifestTooLargeException as soon as more than {@code max} bytes arrive
     */
    static byte[] readBounded(InputStream in, int max) throws IOException {
        byte[] buffer = new byte[Math.min(max + 1, 64 * 1024)];
        int length = 0;
        while (true) {
            if (length == buffer.length) {
                if (length > max) {
                    throw new ManifestTooLargeException(max);
                }
                buffer = Arrays.copyOf(buffer, (int) Math.min((long) max + 1, 2L * buffer.length));
            }
            int n = in.read(buffer, length, buffer.length - length);
            if (n < 0) {
                break;
            }
            length += n;
        }
        if (length > max) {
            throw new ManifestTooLargeException(max);
        }
        return Arrays.copyOf(buffer, length);
    }

    /**
     * @return the rewriter with the default limits for a manifest by its file name, as
     *         {@link MediaPath.Kind#of} tells its kind; empty for anything else
     */
    static Optional<ManifestRewriter> forPath(String path) {
        return forKind(MediaPath.Kind.of(path), ManifestLimits.DEFAULT);
    }

    /**
     * @return the rewriter of a kind of manifest within {@code limits} (the shared default instance
     *         for the default limits), empty for a file
     */
    static Optional<ManifestRewriter> forKind(MediaPath.Kind kind, ManifestLimits limits) {
        boolean defaults = limits.equals(ManifestLimits.DEFAULT);
        return switch (kind) {
            case HLS_MANIFEST -> Optional.of(defaults ? HlsPlaylistRewriter.DEFAULT : new HlsPlaylistRewriter(limits));
            case DASH_MANIFEST -> Optional.of(defaults ? DashManifestRewriter.DEFAULT : new DashManifestRewriter(limits));
            case FILE -> Optional.empty();
        };
    }
}
