package dev.usher.core.http;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * Where the server's manifest is captured before it is rewritten: holds at most the limit, and
 * remembers an overflow (the rest is dropped: the manifest is refused, not read on).
 */
public final class ManifestBuffer extends OutputStream {
    private final int limit;
    private byte[] bytes = new byte[8192];
    private int count;
    private boolean overflow;

    public ManifestBuffer(int limit) {
        this.limit = limit;
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (overflow || len > limit - count) {
            overflow = true;
            return;
        }
        if (count + len > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(limit, Math.max(2L * bytes.length, count + len)));
        }
        System.arraycopy(b, off, bytes, count, len);
        count += len;
    }

    /** @return true when more than the limit was written */
    public boolean overflowed() {
        return overflow;
    }

    /** @return what was written (when it did not overflow); the buffer lets go of its copy */
    public byte[] take() {
        byte[] out = count == bytes.length ? bytes : Arrays.copyOf(bytes, count);
        bytes = new byte[0];
        count = 0;
        return out;
    }

    /** Forgets what was written (the server reset its response). */
    public void reset() {
        count = 0;
        overflow = false;
    }
}
