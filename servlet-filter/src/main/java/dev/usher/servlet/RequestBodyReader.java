package dev.usher.servlet;

import dev.usher.core.io.BodyLimits;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads a request body into a sink under {@link Bounds}: bounded in size, in total time and, where
 * asked, in rate. Every body Usher reads goes through this: the API's commands and v2 resources
 * (into memory, {@link Bounds#draining}) and the live ingest's uploads (into a temporary file or a
 * playlist buffer, {@link Bounds#strict}).
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
 * completes or fails, or on the timer when the deadline passes first. A refused body may have left
 * part of itself in the sink: the caller discards it.
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
        /** The read failed: the client went away, the body ended early, or the container timed the connection out. */
        BROKEN
    }

    /** What becomes of the body. */
    interface Outcome {
        /** The whole body arrived within bounds: it is all in the sink. */
        void complete() throws IOException;

        /** @param cause the failure of a {@link Refusal#BROKEN} read, when there is one (else null) */
        void refused(Refusal why, Throwable cause) throws IOException;
    }

    /**
     * How one body is bounded.
     *
     * @param keep         bytes written to the sink at most; a longer body is {@link Refusal#TOO_LARGE}
     * @param drain        bytes read at most (at least {@code keep}): past {@code keep} the rest of a
     *                     body is read and thrown away up to this, under the same deadline and rate,
     *                     before it is refused, so that a client still sending reads the refusal
     *                     rather than meeting a closed connection; beyond it the refusal is at once
     * @param timeoutNanos the whole body must have arrived within this, from the request's start
     * @param pace         the minimum rate, judged on the bytes kept (null: none)
     */
    record Bounds(long keep, long drain, long timeoutNanos, BodyLimits pace) {
        Bounds {
            if (keep < 0 || drain < keep || timeoutNanos <= 0) {
                throw new IllegalArgumentException("0 ≤ keep ≤ drain and a positive timeout");
            }
        }

        /** The API's: {@code limits}' size, deadline and rate, and an oversize body drained up to 4 × its size (1 MiB at least). */
        static Bounds draining(BodyLimits limits) {
            return new Bounds(limits.maxBytes(), Math.max(1 << 20, 4L * limits.maxBytes()), limits.timeoutNanos(), limits);
        }

        /** The ingest's: at most {@code max} bytes, refused as soon as there are more, within {@code timeout}; no rate. */
        static Bounds strict(long max, Duration timeout) {
            long nanos;
            try {
                nanos = Math.max(1, timeout.toNanos());
            } catch (ArithmeticException e) {
                nanos = Long.MAX_VALUE; // longer than 292 years: no deadline worth the name, but a bound
            }
            return new Bounds(max, max, nanos, null);
        }
    }

    private final ScheduledExecutorService timer;

    /** @param timer runs the deadlines of async reads; each task only answers the request */
    RequestBodyReader(ScheduledExecutorService timer) {
        this.timer = timer;
    }

    /**
     * Reads the body of {@code request} into {@code sink}, then calls {@code outcome} and
     * {@code done}, each once. May return before the body has arrived (async); {@code done} marks
     * the end of the request.
     *
     * @param started {@link System#nanoTime()} when the request reached Usher; the deadline counts from it
     */
    void read(HttpServletRequest request, long started, Bounds bounds, OutputStream sink, Outcome outcome, Runnable done) {
        if (request.getContentLengthLong() > bounds.drain()) {
            finishNow(() -> outcome.refused(Refusal.TOO_LARGE, null), done);
            return;
        }
        Body body = new Body(bounds, started, sink);
        if (request.isAsyncSupported()) {
            readAsync(request, body, outcome, done);
        } else {
            readBlocking(request, body, outcome, done);
        }
    }

    private void readBlocking(HttpServletRequest request, Body body, Outcome outcome, Runnable done) {
        byte[] buffer = new byte[64 * 1024];
        Refusal refusal = null;
        Throwable cause = null;
        try {
            InputStream in = request.getInputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                refusal = body.add(buffer, n);
                if (refusal != null) {
                    break;
                }
            }
            if (refusal == null) {
                refusal = body.end();
            }
        } catch (IOException | RuntimeException e) {
            refusal = body.expired() ? Refusal.EXPIRED : Refusal.BROKEN;
            cause = e;
        }
        Refusal why = refusal;
        Throwable failure = why == Refusal.BROKEN ? cause : null;
        finishNow(why == null ? outcome::complete : () -> outcome.refused(why, failure), done);
    }

    private void readAsync(HttpServletRequest request, Body body, Outcome outcome, Runnable done) {
        AsyncContext async = request.startAsync();
        async.setTimeout(0); // the deadline is this reader's own; a container timeout would answer with its error page
        Exchange x = new Exchange(async, done);
        long remaining = Math.max(0, body.bounds.timeoutNanos() - (System.nanoTime() - body.started));
        // Under the body's lock, so no read is writing to the sink while the refusal discards it.
        x.deadline = timer.schedule(() -> {
            synchronized (body) {
                x.finish(() -> outcome.refused(Refusal.EXPIRED, null));
            }
        }, remaining, TimeUnit.NANOSECONDS);
        ServletInputStream in;
        try {
            in = request.getInputStream();
        } catch (IOException | RuntimeException e) {
            x.finish(() -> outcome.refused(Refusal.BROKEN, e));
            return;
        }
        in.setReadListener(new ReadListener() {
            private final byte[] buffer = new byte[64 * 1024];

            @Override
            public void onDataAvailable() throws IOException {
                while (!x.finished.get() && in.isReady()) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        return; // onAllDataRead follows
                    }
                    Refusal r;
                    synchronized (body) {
                        if (x.finished.get()) {
                            return; // the deadline answered meanwhile
                        }
                        r = body.add(buffer, n);
                    }
                    if (r != null) {
                        x.finish(() -> outcome.refused(r, null));
                        return;
                    }
                }
            }

            @Override
            public void onAllDataRead() {
                Refusal r;
                synchronized (body) {
                    r = body.end();
                }
                x.finish(r == null ? outcome::complete : () -> outcome.refused(r, null));
            }

            @Override
            public void onError(Throwable t) {
                x.finish(() -> outcome.refused(Refusal.BROKEN, t));
            }
        });
    }

    /** The bytes of one body so far: what is kept goes to the sink, the rest is only counted. */
    private static final class Body {
        final Bounds bounds;
        final long started;
        final OutputStream sink;
        /** Bytes read so far, kept or drained. */
        long count;

        Body(Bounds bounds, long started, OutputStream sink) {
            this.bounds = bounds;
            this.started = started;
            this.sink = sink;
        }

        /** Takes {@code n} bytes read; @return why the body is refused now, or null to read on */
        Refusal add(byte[] buffer, int n) throws IOException {
            count += n;
            if (count > bounds.drain()) {
                return Refusal.TOO_LARGE;
            }
            if (count <= bounds.keep()) {
                sink.write(buffer, 0, n);
            }
            long elapsed = System.nanoTime() - started;
            if (bounds.pace() == null) {
                return elapsed >= bounds.timeoutNanos() ? Refusal.EXPIRED : null;
            }
            // Past the size bound only the drain limit refuses at once; the rest waits for the end of the body.
            return switch (bounds.pace().check(Math.min(count, bounds.keep()), elapsed)) {
                case OK -> null;
                case TOO_LARGE -> Refusal.TOO_LARGE;
                case EXPIRED -> Refusal.EXPIRED;
                case TOO_SLOW -> Refusal.TOO_SLOW;
            };
        }

        /** @return why the complete body is refused (over the size bound), or null */
        Refusal end() {
            return count > bounds.keep() ? Refusal.TOO_LARGE : null;
        }

        boolean expired() {
            return System.nanoTime() - started >= bounds.timeoutNanos();
        }
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
                LOG.log(System.Logger.Level.ERROR, "answering a request after its body failed", e);
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
