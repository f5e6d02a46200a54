package dev.usher.core.manifest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * A rewritten manifest, ready to send: its exact length is known (and within the limits) before a
 * byte is written, so a caller can set {@code Content-Length} and can never send part of a body
 * and then fail.
 */
public interface Rewritten {

    /** @return the exact number of bytes {@link #writeTo} writes */
    long length();

    /** Writes the rewritten manifest. May be called more than once; writes the same bytes each time. */
    void writeTo(OutputStream out) throws IOException;

    /** @return the rewritten manifest as an array (for tests and small callers) */
    default byte[] toByteArray() {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(length(), Integer.MAX_VALUE - 8));
        try {
            writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** @return bytes already in memory, sent as they are (not copied: the caller must not change them) */
    static Rewritten of(byte[] bytes) {
        return new Rewritten() {
            @Override
            public long length() {
                return bytes.length;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                out.write(bytes);
            }

            @Override
            public byte[] toByteArray() {
                return bytes.clone();
            }
        };
    }
}
