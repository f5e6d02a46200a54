package dev.usher.core.manifest;

/**
 * A manifest that cannot be rewritten: not a playlist or MPD, not well-formed, carrying a DOCTYPE,
 * or too large. The message describes the problem without quoting the manifest.
 */
public class ManifestException extends RuntimeException {

    public ManifestException(String message) {
        super(message);
    }

    public ManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
