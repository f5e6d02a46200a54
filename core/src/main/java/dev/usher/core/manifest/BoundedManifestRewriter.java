package dev.usher.core.manifest;

import java.net.URI;
import java.util.Objects;

/**
 * The limit handling both formats share, written once: each rewriter holds its
 * {@link ManifestLimits}, refuses an input over {@link ManifestLimits#maxInputBytes()} before it
 * looks at a byte, and bounds its output with {@link ManifestLimits#checkOutput(long)}; a format
 * only says how it rewrites a manifest within them.
 */
public abstract sealed class BoundedManifestRewriter implements ManifestRewriter
        permits HlsPlaylistRewriter, DashManifestRewriter {

    private final ManifestLimits limits;

    BoundedManifestRewriter(ManifestLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    @Override
    public final ManifestLimits limits() {
        return limits;
    }

    @Override
    public final Rewritten prepare(byte[] manifest, URI manifestUrl, ChildQuery query) {
        limits.checkInput(manifest.length);
        return prepareWithin(manifest, manifestUrl, query);
    }

    /** As {@link #prepare}, for an input already known to be within {@link #limits()}. */
    abstract Rewritten prepareWithin(byte[] manifest, URI manifestUrl, ChildQuery query);
}
