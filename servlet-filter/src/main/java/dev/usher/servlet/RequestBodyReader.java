package dev.usher.servlet;

import dev.usher.core.io.BodyLimits;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads a request body under {@link BodyLimits}: bounded in size, in total time and in rate. The
 * API servlet reads every body through this, and so will the live ingest.
 *
 * <p>Where the request allows async processing (every filter and the servlet on its way declare
 * {@code async-supported}, as Usher's own registrations do), the body is read with a
 * {@link ReadListener}: no container thread waits for a slow client, and a timer enforces the total
 * deadline even when no byte arrives at all. Elsewhere the body is read with blocking reads, the
 * limits are judged after every read, and a client that sends nothing is bounded by the container's
 * idle timeout; the caller's bound on concurrent requests then bounds the threads a slow client can
 * hold.
 *
 * <p>The outcome is called exactly once, then {@code done}: on a container thread when the body
 * completes, or on the timer when the deadline passes first.
 */
final class RequestBodyReader {

    private static final System.Logger LOG = System.getLogger("dev.usher.api");

    /** Why a body was not read. */
    enum Refusal {
        /** Longer than the limit (by its Content-Length or by what arrived). */
        TOO_LARGE,
        /** Not complete within the deadline. */
        EXPIRED,
        /** Slower on average than the minimum rate. */
        TOO_SLOW,
        /** The read failed: the client went away or the container timed the connection out. */
        BROKEN
    }

    /** What becomes of the body. */
    interface Outcome {
        void body(byte[] body) throws IOException;

        void refused(Refusal why) throws IOException;
    }

    private final BodyLimits limits;
    private final ScheduledExecutorService timer;

    RequestBodyReader(BodyLimits limits, ScheduledExecutorService timer) {
        this.limits = limits;
        this.timer = timer;
    }

    BodyLimits limits() {
        return limits;
    }

    /**
     * A body over the size bound is still read, and thrown away, up to this many bytes (under the
     * same deadline and rate) before it is refused: a client still sending would otherwise meet a
     * closed connection and never read the refusal. Beyond it the refusal is sent at once.
     */
    long drainLimit() {
        return Math.max(1 << 20, 4 * limits.maxBytes());
    }

    /** Whether {@code count} bytes so far are past what is kept: from then on the body is only drained. */
    private boolean draining(long count) {
        return count > limits.maxBytes();
    }

    /**
     * Reads the body of {@code request}, then calls {@code outcome} and {@code done}, each once. May
     * return before the body has arrived (async); {@code done} marks the end of the request.
     *
     * @param started {@link System#nanoTime()} when the request reached Usher; the deadline counts from it
     */
    void read(HttpServletRequest request, long started, Outcome outcome, Runnable done) {
        long declared = request.getContentLengthLong();
        if (declared > drainLimit()) {
            finishNow(() -> outcome.refused(Refusal.TOO_LARGE), done);
            return;
        }
        if (request.isAsyncSupported()) {
            readAsync(request, started, outcome, done);
        } else {
            readBlocking(request, started, outcome, done);
        }
    }

    private void readBlocking(HttpServletRequest request, long started, Outcome outcome, Runnable done) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        Refusal refusal = null;
        long count = 0;
        try {
            InputStream in = request.getInputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                count += n;
                if (!draining(count)) {
                    body.write(buffer, 0, n);
                }
                Refusal r = judge(count, started);
                if (r != null) {
                    refusal = r;
                    break;
                }
            }
            if (refusal == null && draining(count)) {
                refusal = Refusal.TOO_LARGE;
            }
        } catch (IOException | RuntimeException e) {
            refusal = System.nanoTime() - started >= limits.timeoutNanos() ? Refusal.EXPIRED : Refusal.BROKEN;
        }
        Refusal why = refusal;
        finishNow(why == null ? () -> outcome.body(body.toByteArray()) : () -> outcome.refused(why), done);
    }

    private void readAsync(HttpServletRequest request, long started, Outcome outcome, Runnable done) {
        AsyncContext async = request.startAsync();
        async.setTimeout(0); // the deadline is this reader's own; a container timeout would answer with its error page
        Exchange x = new Exchange(async, done);
        long remaining = Math.max(0, limits.timeoutNanos() - (System.nanoTime() - started));
        x.deadline = timer.schedule(() -> x.finish(() -> outcome.refused(Refusal.EXPIRED)), remaining, TimeUnit.NANOSECONDS);
        ServletInputStream in;
        try {
            in = request.getInputStream();
        } catch (IOException | RuntimeException e) {
            x.finish(() -> outcome.refused(Refusal.BROKEN));
            return;
        }
        in.setReadListener(new ReadListener() {
            private final byte[] buffer = new byte[8192];

            @Override
            public void onDataAvailable() throws IOException {
                while (!x.finished.get() && in.isReady()) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        return; // onAllDataRead follows
                    }
                    Refusal r;
                    synchronized (x.body) {
                        x.count += n;
                        if (!draining(x.count)) {
                            x.body.write(buffer, 0, n);
                        }
                        r = judge(x.count, started);
                    }
                    if (r != null) {
                        x.finish(() -> outcome.refused(r));
                        return;
                    }
                }
            }

            @Override
            public void onAllDataRead() {
                byte[] bytes;
                synchronized (x.body) {
                    if (draining(x.count)) {
                        x.finish(() -> outcome.refused(Refusal.TOO_LARGE));
                        return;
                    }
                    bytes = x.body.toByteArray();
                }
                x.finish(() -> outcome.body(bytes));
            }

            @Override
            public void onError(Throwable t) {
                x.finish(() -> outcome.refused(Refusal.BROKEN));
            }
        });
    }

    /** Past the size bound only the drain limit refuses at once; the rest waits for the end of the body. */
    private Refusal judge(long bytes, long started) {
        if (bytes > drainLimit()) {
            return Refusal.TOO_LARGE;
        }
        return switch (limits.check(Math.min(bytes, limits.maxBytes()), System.nanoTime() - started)) {
            case OK -> null;
            case TOO_LARGE -> Refusal.TOO_LARGE;
            case EXPIRED -> Refusal.EXPIRED;
            case TOO_SLOW -> Refusal.TOO_SLOW;
        };
    }

    private interface Action {
        void run() throws IOException;
    }

    private static void finishNow(Action action, Runnable done) {
        try {
            action.run();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "the client went away before its answer was written");
        } finally {
            done.run();
        }
    }

    /** One async read: whichever of body, refusal, error and deadline comes first answers. */
    private static final class Exchange {
        final AsyncContext async;
        final Runnable done;
        final AtomicBoolean finished = new AtomicBoolean();
        final ByteArrayOutputStream body = new ByteArrayOutputStream();
        /** Bytes read so far, kept or drained; guarded by {@code body}. */
        long count;
        volatile ScheduledFuture<?> deadline;

        Exchange(AsyncContext async, Runnable done) {
            this.async = async;
            this.done = done;
        }

        void finish(Action action) {
            if (!finished.compareAndSet(false, true)) {
                return;
            }
            ScheduledFuture<?> d = deadline;
            if (d != null) {
                d.cancel(false);
            }
            try {
                action.run();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "the client went away before its answer was written");
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "answering an API request failed", e);
            } finally {
                try {
                    async.complete();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, "the request was already complete");
                }
                done.run();
            }
        }
    }
}
