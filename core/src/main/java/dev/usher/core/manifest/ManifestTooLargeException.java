package dev.usher.core.manifest;

/** A manifest over the rewriter's size limit, refused before it is parsed. */
public class ManifestTooLargeException extends ManifestException {

    private final long limit;

    public ManifestTooLargeException(long limit) {
        super("manifest larger than the limit of " + limit + " bytes");
        this.limit = limit;
    }

    public long limit() {
        return limit;
    }
}
