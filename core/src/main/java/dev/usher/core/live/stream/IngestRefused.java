package dev.usher.core.live.stream;

/** An upload refused, with the HTTP status that tells why (400, 409, 413, 507…). */
public final class IngestRefused extends Exception {

    private final int status;

    public IngestRefused(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
