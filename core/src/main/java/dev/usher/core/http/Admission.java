package dev.usher.core.http;

import dev.usher.core.guard.MediaGuard;
import dev.usher.core.media.MediaPath;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** What {@link MediaAdmission} decided for one media request: refuse it, or serve it. */
public sealed interface Admission {

    /** Answer the refusal; nothing was spent (or what was, was given back). */
    record Refused(Refusal refusal) implements Admission {
    }

    /**
     * Serve the request. For a manifest it holds a rewrite slot until {@link #close()}d; for an
     * entry that opened a playback, {@link #failed(int)} gives the use back when the answer fails.
     * A transport closes it once the answer is written, whatever happened.
     */
    final class Granted implements Admission, AutoCloseable {
        private static final System.Logger LOG = System.getLogger("dev.usher.filter");

        private final MediaPath media;
        private final TicketParameters parameters;
        private final MediaGuard.Verdict verdict;
        private final MediaGuard guard;
        private final ManifestRewriteService.Permit permit;
        /** Set once the use is given back; a field of its own, not an AtomicBoolean made for every segment. */
        private volatile boolean gaveBack;
        private static final VarHandle GAVE_BACK;

        static {
            try {
                GAVE_BACK = MethodHandles.lookup().findVarHandle(Granted.class, "gaveBack", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        Granted(MediaPath media, TicketParameters parameters, MediaGuard.Verdict verdict, MediaGuard guard,
                ManifestRewriteService.Permit permit) {
            this.media = media;
            this.parameters = parameters;
            this.verdict = verdict;
            this.guard = guard;
            this.permit = permit;
        }

        public MediaPath media() {
            return media;
        }

        public MediaGuard.Verdict verdict() {
            return verdict;
        }

        /** @return whether the answer is rewritten: a manifest, whose children get {@link #credential()} */
        public boolean isManifest() {
            return media.kind().isManifest();
        }

        /** @return the credential a granted manifest's children get, or null */
        public String credential() {
            return verdict.credential();
        }

        /**
         * @return whether the answer depends on the ticket in the URL (an entry with {@code key}), so
         *         that it gets {@link MediaHeaders#PRIVATE_NO_STORE}
         */
        public boolean isEntry() {
            return parameters.key() != null;
        }

        /** @return whether this request spent a use that a failed answer gives back */
        public boolean openedPlayback() {
            return verdict.openedPlayback();
        }

        /**
         * The answer failed with {@code status}: at 400 or more, the use (and {@code auto} slot) this
         * request took is given back, at most once. Called as soon as the failing status is known,
         * before it reaches the client, so a client reading its ticket then sees the use back.
         */
        public void failed(int status) {
            if (status < 400 || !verdict.openedPlayback() || !GAVE_BACK.compareAndSet(this, false, true)) {
                return;
            }
            try {
                guard.release(verdict, status);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "could not give back the use of a request that was not served", e);
            }
        }

        /** Frees the manifest's rewrite slot, if it holds one. */
        @Override
        public void close() {
            if (permit != null) {
                permit.close();
            }
        }
    }
}
