package dev.usher.core.repository.jdbc;

import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * What the combining tests wait for and cannot be told of: a condition on other threads or
 * sessions, polled; and threads parked in the JVM behind a batch, seen by their frames.
 */
final class Waiting {

    private Waiting() {
    }

    /**
     * Polls {@code condition} a millisecond apart until it holds; an interrupt (a test's timeout)
     * ends the wait, so that a hang fails rather than holds the run.
     */
    static void awaitCondition(BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            LockSupport.parkNanos(1_000_000);
            if (Thread.interrupted()) {
                throw new InterruptedException("the test timed out");
            }
        }
    }

    /**
     * @return how many of {@code threads} wait timed with a frame of {@code front} on their stack: by
     *         the class, since a thread that opens a pooled connection waits timed too (the driver's
     *         login timeout)
     */
    static int parkedIn(Class<?> front, List<Thread> threads) {
        int n = 0;
        for (Thread t : threads) {
            if (t.getState() == Thread.State.TIMED_WAITING) {
                for (StackTraceElement frame : t.getStackTrace()) {
                    if (frame.getClassName().equals(front.getName())) {
                        n++;
                        break;
                    }
                }
            }
        }
        return n;
    }
}
