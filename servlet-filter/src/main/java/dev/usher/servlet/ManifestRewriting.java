package dev.usher.servlet;

import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.manifest.ChildQuery;
import dev.usher.core.manifest.DashManifestRewriter;
import dev.usher.core.manifest.HlsPlaylistRewriter;
import dev.usher.core.manifest.ManifestException;
import dev.usher.core.manifest.ManifestLimits;
import dev.usher.core.manifest.Rewritten;
import dev.usher.core.media.MediaPath;

import java.io.OutputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Chooses the core's HLS or DASH rewriter for a manifest and puts the credential on its children,
 * within {@code usher.filter.max-manifest-bytes} (input and output) and the core's element, depth
 * and time bounds, with at most {@code usher.filter.max-concurrent-rewrites} manifests held at
 * once. One per runtime, shared by the filter and the JAX-RS {@code @ProtectedMedia} binding.
 */
public final class ManifestRewriting {

    private static final System.Logger LOG = System.getLogger("dev.usher.filter");

    /** The longest refusal reason sent to the client. */
    private static final int MAX_REASON = 200;

    /** A manifest that can't be rewritten; it is not served. */
    public static final class RewriteException extends Exception {
        private static final long serialVersionUID = 1L;

        RewriteException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * One of the concurrent rewrite slots, held from before the manifest is read until its answer
     * is written: what it bounds is the memory of manifests in flight. Closing it (once) frees it.
     */
    public static final class Permit implements AutoCloseable {
        private final Semaphore slots;
        private final AtomicBoolean open = new AtomicBoolean(true);

        private Permit(Semaphore slots) {
            this.slots = slots;
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                slots.release();
            }
        }
    }

    /** Where the server's manifest is captured: holds at most the limit, and remembers an overflow. */
    public static final class BoundedBuffer extends OutputStream {
        private final int limit;
        private byte[] bytes = new byte[8192];
        private int count;
        private boolean overflow;

        public BoundedBuffer(int limit) {
            this.limit = limit;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (overflow || len > limit - count) {
                overflow = true; // the rest is dropped: the manifest is refused, not read on
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

        public void reset() {
            count = 0;
            overflow = false;
        }
    }

    private final HlsPlaylistRewriter hls;
    private final DashManifestRewriter dash;
    private final int maxBytes;
    private final Semaphore slots;

    ManifestRewriting(int maxBytes, int maxConcurrent) {
        ManifestLimits limits = ManifestLimits.ofBytes(maxBytes);
        this.hls = new HlsPlaylistRewriter(limits);
        this.dash = new DashManifestRewriter(limits);
        this.maxBytes = maxBytes;
        this.slots = new Semaphore(maxConcurrent);
    }

    /** @return the largest manifest read, and the largest rewritten manifest sent */
    public int maxBytes() {
        return maxBytes;
    }

    /** @return a slot for one manifest, or null when all are in use (answer 503 with Retry-After) */
    public Permit tryAcquire() {
        return slots.tryAcquire() ? new Permit(slots) : null;
    }

    /**
     * @return the manifest with {@code uc=credential} on every child URI on its own origin, of known
     *         length within {@link #maxBytes()}
     * @throws RewriteException when it is not a manifest, or exceeds a bound; nothing may be sent then
     */
    public Rewritten rewrite(MediaPath.Kind kind, byte[] manifest, String manifestUrl, String credential)
            throws RewriteException {
        ChildQuery query = new ChildQuery(PlaybackCredentials.PARAMETER, credential);
        try {
            URI url = URI.create(manifestUrl);
            return switch (kind) {
                case HLS_MANIFEST -> hls.prepare(manifest, url, query);
                case DASH_MANIFEST -> dash.prepare(manifest, url, query);
                case FILE -> Rewritten.of(manifest);
            };
        } catch (ManifestException | IllegalArgumentException e) {
            throw new RewriteException(reason(e.getMessage()));
        } catch (RuntimeException e) {
            // A fault of ours must not become a container error page (or a partial 200).
            LOG.log(System.Logger.Level.ERROR, "manifest rewrite failed", e);
            throw new RewriteException("internal error");
        }
    }

    /** @return the message, short and printable, for a refusal's body */
    static String reason(String message) {
        String m = message == null ? "" : message;
        StringBuilder out = new StringBuilder(Math.min(m.length(), MAX_REASON));
        for (int i = 0; i < m.length() && out.length() < MAX_REASON; i++) {
            char c = m.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        return out.toString();
    }
}
