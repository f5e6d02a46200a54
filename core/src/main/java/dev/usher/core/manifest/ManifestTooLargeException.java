package dev.usher.core.manifest;

/**
 * A manifest over the rewriter's size limit: refused before it is parsed (input), or before any
 * byte of the rewritten manifest is produced (output).
 */
public class ManifestTooLargeException extends ManifestException {

    private final long limit;

    public ManifestTooLargeException(long limit) {
        this(limit, false);
    }

    /** @param output true when the rewritten manifest, not the input, would exceed the limit */
    public ManifestTooLargeException(long limit, boolean output) {
        super((output ? "rewritten manifest would be larger than the limit of " : "manifest larger than the limit of ")
                + limit + " bytes");
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
