package dev.usher.core.http;

import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.manifest.ChildQuery;
import dev.usher.core.manifest.ManifestException;
import dev.usher.core.manifest.ManifestLimits;
import dev.usher.core.manifest.ManifestRewriter;
import dev.usher.core.manifest.Rewritten;
import dev.usher.core.media.MediaPath;

import java.net.URI;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The rewriting of granted manifests for one runtime, whatever the transport: takes one of at most
 * {@code usher.filter.max-concurrent-rewrites} slots per manifest in flight, decides what is sent
 * for what the server wrote ({@link #answer}), and has the core's HLS or DASH rewriter (chosen by
 * the path's kind) put the credential on its children within {@code usher.filter.max-manifest-bytes}
 * (input and output) and the core's element, depth and time bounds. Shared by the servlet filter and
 * the JAX-RS {@code @ProtectedMedia} binding. (A {@link ManifestRewriter} rewrites one format; this
 * is the service that runs them.)
 */
public final class ManifestRewriteService {

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
     * One of the concurrent rewrite slots, held from before the request is decided until its answer
     * is written: what it bounds is the memory of manifests in flight, and taken before the decision
     * a request turned away for want of one spends no use. Closing it (once) frees it.
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

    /** What is sent for a granted manifest the server wrote. */
    public sealed interface Answer {
    }

    /** The server's own answer, as it was (an error status, or HEAD): nothing to rewrite. */
    public record Passed(byte[] body) implements Answer {
    }

    /** The rewritten manifest: send 200 with its exact length. */
    public record Rewrote(Rewritten manifest) implements Answer {
    }

    /** Usher can't serve it (502): none of it is sent. */
    public record Refused(Refusal refusal) implements Answer {
    }

    private final ManifestLimits limits;
    private final Semaphore slots;

    public ManifestRewriteService(int maxBytes, int maxConcurrent) {
        this.limits = ManifestLimits.ofBytes(maxBytes);
        this.slots = new Semaphore(maxConcurrent);
    }

    /** @return the largest manifest read, and the largest rewritten manifest sent */
    public int maxBytes() {
        return limits.maxInputBytes();
    }

    /** @return a slot for one manifest, or null when all are in use (answer {@link Refusal#busy()}) */
    public Permit tryAcquire() {
        return slots.tryAcquire() ? new Permit(slots) : null;
    }

    /** @return a buffer to capture the server's manifest in, bounded by {@link #maxBytes()} */
    public ManifestBuffer buffer() {
        return new ManifestBuffer(maxBytes());
    }

    /**
     * The one place where what goes out for a granted manifest is decided.
     *
     * @param status      the status the server set
     * @param head        whether the request is HEAD (no body is sent)
     * @param captured    what the server wrote
     * @param manifestUrl the URL the manifest was requested with
     * @param credential  the credential its children get
     */
    public Answer answer(int status, boolean head, ManifestBuffer captured, MediaPath.Kind kind, String manifestUrl,
                         String credential) {
        if (captured.overflowed()) {
            return new Refused(Refusal.badGateway("Manifest larger than usher.filter.max-manifest-bytes (" + maxBytes() + ")"));
        }
        byte[] body = captured.take();
        if (status != 200 || head) {
            return new Passed(body);
        }
        try {
            return new Rewrote(rewrite(kind, body, manifestUrl, credential));
        } catch (RewriteException e) {
            return new Refused(Refusal.badGateway("Manifest not rewritable: " + e.getMessage()));
        }
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
            return ManifestRewriter.forKind(kind, limits).map(r -> r.prepare(manifest, url, query))
                    .orElseGet(() -> Rewritten.of(manifest));
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
