package dev.usher.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Reads an upload's body into an output with a size bound and a deadline for the whole body,
 * without holding a thread while a slow encoder (or an attacker) trickles it: non-blocking reads
 * under an async context whose timeout is the deadline. Exactly one of the callbacks runs.
 * Minimal and self-contained on purpose (the API's body reader may replace it).
 */
final class IngestBodyReader {

    /** What became of the body. */
    interface Outcome {
        /** The whole body arrived within bounds. */
        void complete(AsyncContext async);

        /** Over {@code max} bytes. */
        void tooLarge(AsyncContext async);

        /** Not complete within the deadline. */
        void timedOut(AsyncContext async);

        /** The connection failed or the body ended early (an encoder killed mid-upload: "Early EOF"). */
        void failed(AsyncContext async, Throwable cause);
    }

    private IngestBodyReader() {
    }

    static void read(HttpServletRequest request, OutputStream out, long max, Duration deadline, Outcome outcome)
            throws IOException {
        AsyncContext async = request.startAsync();
        async.setTimeout(Math.max(1, deadline.toMillis()));
        AtomicBoolean done = new AtomicBoolean();
        ServletInputStream in = request.getInputStream();
        async.addListener(new AsyncListener() {
            @Override
            public void onTimeout(AsyncEvent event) {
                if (done.compareAndSet(false, true)) {
                    outcome.timedOut(async);
                }
            }

            @Override
            public void onError(AsyncEvent event) {
                if (done.compareAndSet(false, true)) {
                    outcome.failed(async, event.getThrowable());
                }
            }

            @Override
            public void onComplete(AsyncEvent event) {
            }

            @Override
            public void onStartAsync(AsyncEvent event) {
            }
        });
        in.setReadListener(new ReadListener() {
            final byte[] buffer = new byte[64 * 1024];
            long total;

            @Override
            public void onDataAvailable() throws IOException {
                while (!done.get() && in.isReady()) {
                    int n = in.read(buffer);
                    if (n < 0) {
                        return;
                    }
                    total += n;
                    if (total > max) {
                        if (done.compareAndSet(false, true)) {
                            outcome.tooLarge(async);
                        }
                        return;
                    }
                    out.write(buffer, 0, n);
                }
            }

            @Override
            public void onAllDataRead() {
                if (done.compareAndSet(false, true)) {
                    outcome.complete(async);
                }
            }

            @Override
            public void onError(Throwable t) {
                if (done.compareAndSet(false, true)) {
                    outcome.failed(async, t);
                }
            }
        });
    }
}
