package dev.usher.core.repository.jdbc;

import dev.usher.core.repository.RepositoryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

import static dev.usher.core.repository.jdbc.Waiting.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The leader/follower queue under both of the repository's shared commits ({@link Combiner}), on
 * real threads. Every batch holds at its key's gate until the test opens it, so that followers are
 * observably queued behind a running batch before anything moves on; timeouts fire on the test's
 * own clock, when the test advances it, so no outcome depends on how fast the machine is.
 */
@Timeout(60) // a hang is a failure, not a wait
class CombinerTest {

    /** An item of a key; {@link #FAILS}, {@link #DIES} and {@link #SHORT} make its batch fail. */
    private record Item(String key, int n) {
    }

    private static final int FAILS = -1;
    private static final int DIES = -2;
    private static final int SHORT = -3;

    /** One batch run: its key and its items. */
    private record Ran(String key, List<Item> items) {
    }

    /** The batch function: records each batch, then waits at its key's gate; a result per item, {@code key:n}. */
    private static final class Batches implements Combiner.Batch<String, Item, String> {
        final List<Ran> ran = Collections.synchronizedList(new ArrayList<>());
        final Semaphore begun = new Semaphore(0);
        final Map<String, Semaphore> gates = new ConcurrentHashMap<>();

        Semaphore gate(String key) {
            return gates.computeIfAbsent(key, k -> new Semaphore(0));
        }

        /** Lets {@code batches} batches of the key end. */
        void open(String key, int batches) {
            gate(key).release(batches);
        }

        /** Waits until one more batch has begun. */
        void awaitBegun() throws InterruptedException {
            begun.acquire();
        }

        List<List<Integer>> of(String key) {
            List<List<Integer>> out = new ArrayList<>();
            synchronized (ran) {
                for (Ran r : ran) {
                    if (r.key().equals(key)) {
                        out.add(r.items().stream().map(Item::n).toList());
                    }
                }
            }
            return out;
        }

        @Override
        public List<String> run(String key, List<Item> items) {
            ran.add(new Ran(key, List.copyOf(items)));
            begun.release();
            gate(key).acquireUninterruptibly();
            List<String> results = new ArrayList<>();
            for (Item i : items) {
                switch (i.n()) {
                    case FAILS -> throw new IllegalStateException("the batch failed");
                    case DIES -> throw new Dies();
                    case SHORT -> {
                        return List.of();
                    }
                    default -> results.add(key + ":" + i.n());
                }
            }
            return results;
        }
    }

    /** An {@link Error} in the leader's batch (as an OutOfMemoryError would be). */
    private static final class Dies extends Error {
    }

    /** A submit on a thread of its own: its thread and what it returned or threw. */
    private record Outcome(Thread thread, CompletableFuture<String> future) {

        // get, not join: @Timeout interrupts the test's thread, and only an interruptible wait ends a hang.
        String result() throws InterruptedException, ExecutionException {
            return future.get();
        }

        Throwable failure() throws InterruptedException {
            try {
                fail("expected a failure, got " + future.get());
                return null;
            } catch (ExecutionException e) {
                return e.getCause();
            }
        }
    }

    private static Outcome submit(Combiner<String, Item, String> c, String key, int n) {
        CompletableFuture<String> future = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                future.complete(c.submit(key, new Item(key, n)));
            } catch (Throwable e) {
                future.completeExceptionally(e);
            }
        }, "submit-" + key + n);
        t.setDaemon(true); // one left hanging by a failed test does not hold the test JVM
        t.start();
        return new Outcome(t, future);
    }

    /** Submits {@code n} of {@code key} and waits until it is queued, so that arrival order is the test's. */
    private static Outcome queue(Combiner<String, Item, String> c, String key, int n) throws InterruptedException {
        int before = c.queued(key);
        Outcome o = submit(c, key, n);
        awaitCondition(() -> c.queued(key) == before + 1);
        return o;
    }

    /** Submits {@code n} of {@code key} and waits until its batch runs (held at its gate), so that the next of the key queue. */
    private static Outcome leading(Combiner<String, Item, String> c, Batches b, String key, int n) throws InterruptedException {
        Outcome o = submit(c, key, n);
        b.awaitBegun();
        return o;
    }

    /**
     * Runs a batch of {@code a:0} and queues the items {@code ns} of {@code a} behind it, then lets
     * both batches end: the queued ones make the next batch, which the test then judges.
     */
    private static List<Outcome> nextBatch(Combiner<String, Item, String> c, Batches b, int... ns) throws Exception {
        Outcome leader = leading(c, b, "a", 0);
        List<Outcome> out = new ArrayList<>();
        for (int n : ns) {
            out.add(queue(c, "a", n));
        }
        b.open("a", 2);
        assertEquals("a:0", leader.result(), "the batch before is not touched");
        return out;
    }

    /** Queues {@code from} to {@code to} of {@code key}, in that order. */
    private static List<Outcome> queueAll(Combiner<String, Item, String> c, String key, int from, int to) throws InterruptedException {
        List<Outcome> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(queue(c, key, i));
        }
        return out;
    }

    /** Each waiter got its own result, {@code key:n}, numbered from {@code from}. */
    private static void assertResults(String key, int from, List<Outcome> outcomes) throws Exception {
        for (int i = 0; i < outcomes.size(); i++) {
            assertEquals(key + ":" + (from + i), outcomes.get(i).result(), "each waiter its own result");
        }
    }

    /** A clock that moves only when the test moves it. */
    private static final class TestClock {
        final AtomicLong nanos = new AtomicLong();

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }
    }

    private static final Duration LONG = Duration.ofHours(1);

    private static Combiner<String, Item, String> combiner(Batches b, int max) {
        return new Combiner<>("test", "its batch", max, LONG, b);
    }

    /** Times out on the test's clock: a waiter notices the clock moved at its next wake, at most {@code timeout} later. */
    private static Combiner<String, Item, String> combiner(Batches b, Duration timeout, TestClock clock) {
        return new Combiner<>("test", "its batch", 64, timeout, b, clock.nanos::get);
    }

    @Test
    void followersQueuedBehindARunningBatchShareTheNextInArrivalOrderEachWithItsOwnResult() throws Exception {
        assertBatches(64, 5, List.of(List.of(0), List.of(1, 2, 3, 4, 5)));
    }

    @Test
    void aBatchTakesAtMostItsMaximum() throws Exception {
        assertBatches(3, 7, List.of(List.of(0), List.of(1, 2, 3), List.of(4, 5, 6), List.of(7)));
    }

    /** Items 1 to {@code followers} queue behind a running batch of item 0, at most {@code max} a batch: the batches run. */
    private static void assertBatches(int max, int followers, List<List<Integer>> batches) throws Exception {
        Batches b = new Batches();
        Combiner<String, Item, String> c = combiner(b, max);
        Outcome leader = leading(c, b, "a", 0);
        List<Outcome> queued = queueAll(c, "a", 1, followers);
        b.open("a", batches.size());

        assertEquals("a:0", leader.result());
        assertResults("a", 1, queued);
        assertEquals(batches, b.of("a"), "the queued share batches in arrival order, at most " + max + " each");
        assertEquals(0, c.lines(), "an idle key keeps no line");
    }

    @Test
    void itemsOfDifferentKeysNeverShareABatchNorWaitForEachOther() throws Exception {
        Batches b = new Batches();
        Combiner<String, Item, String> c = combiner(b, 64);
        Outcome a0 = leading(c, b, "a", 0);

        Outcome b0 = leading(c, b, "b", 0);
        b.open("b", 1);
        assertEquals("b:0", b0.result(), "b decided while a's batch still runs");
        assertFalse(a0.future().isDone());

        Outcome b3 = leading(c, b, "b", 3);
        List<Outcome> queued = List.of(queue(c, "a", 1), queue(c, "b", 4), queue(c, "a", 2), queue(c, "b", 5));
        assertEquals(2, c.queued("a"));
        assertEquals(2, c.queued("b"));
        b.open("a", 2);
        b.open("b", 2);

        assertEquals("a:0", a0.result());
        assertEquals("b:3", b3.result());
        assertEquals(List.of("a:1", "b:4", "a:2", "b:5"), List.of(queued.get(0).result(), queued.get(1).result(), queued.get(2).result(), queued.get(3).result()));
        synchronized (b.ran) {
            for (Ran r : b.ran) {
                for (Item i : r.items()) {
                    assertEquals(r.key(), i.key(), "a batch of " + r.key() + " holds only its key's items: " + r);
                }
            }
        }
        assertEquals(List.of(List.of(0), List.of(1, 2)), b.of("a"));
        assertEquals(List.of(List.of(0), List.of(3), List.of(4, 5)), b.of("b"));
        assertEquals(0, c.lines());
    }

    @Test
    void aFailedBatchFailsEveryItemInItEachWithItsOwnExceptionAndTheNextBatchRuns() throws Exception {
        Batches b = new Batches();
        Combiner<String, Item, String> c = combiner(b, 64);
        List<Outcome> failed = nextBatch(c, b, 1, FAILS, 3);
        Map<Throwable, Boolean> causes = new IdentityHashMap<>();
        Map<Throwable, Boolean> thrown = new IdentityHashMap<>();
        for (Outcome o : failed) {
            RepositoryException e = assertInstanceOf(RepositoryException.class, o.failure());
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertEquals("the batch failed", e.getMessage());
            causes.put(e.getCause(), true);
            thrown.put(e, true);
        }
        assertEquals(1, causes.size(), "one failure, the batch's");
        assertEquals(3, thrown.size(), "each waiter its own exception");

        b.open("a", 1);
        assertEquals("a:4", submit(c, "a", 4).result(), "a failed batch leaves the line working");
        assertEquals(0, c.lines());
    }

    @Test
    void aBatchWithoutAResultPerItemFailsWhole() throws Exception {
        Batches b = new Batches();
        Combiner<String, Item, String> c = combiner(b, 64);
        List<Outcome> failed = nextBatch(c, b, 1, SHORT);
        for (Outcome o : failed) {
            RepositoryException e = assertInstanceOf(RepositoryException.class, o.failure());
            assertInstanceOf(IllegalStateException.class, e.getCause());
        }
        assertEquals(0, c.lines());
    }

    @Test
    void anErrorInTheLeaderFailsItsFollowersToo() throws Exception {
        Batches b = new Batches();
        Combiner<String, Item, String> c = combiner(b, 64);
        List<Outcome> batch = nextBatch(c, b, 1, DIES);

        // Whichever of the two led gets the Error; the other is failed, not left waiting.
        int errors = 0;
        int failures = 0;
        for (Outcome o : batch) {
            Throwable t = o.failure();
            if (t instanceof Dies) {
                errors++;
            } else {
                RepositoryException e = assertInstanceOf(RepositoryException.class, t);
                assertTrue(e.getMessage().endsWith("test did not complete"), e.getMessage());
                failures++;
            }
        }
        assertEquals(1, errors, "the leader's Error propagates in the leader");
        assertEquals(1, failures);

        b.open("a", 1);
        assertEquals("a:4", submit(c, "a", 4).result(), "the next submit leads");
        assertEquals(0, c.lines());
    }

    @Test
    void aLeaderWhoseOwnItemWasBeyondItsDeadBatchTakesItOutOfTheLine() throws Exception {
        Batches b = new Batches();
        Combiner<String, Item, String> c = combiner(b, 1);
        Outcome first = leading(c, b, "a", 0);
        Outcome head = queue(c, "a", DIES); // the next batch, and it dies
        // A thread that arrives as a batch ends leads the next before the woken head can: holding the
        // combiner's lock, the test lets the first batch end and a late submit queue on the lock
        // behind its leader, so the late one leads a batch of the head alone (at most 1 a batch).
        ReentrantLock lock = lockOf(c);
        Outcome[] late = new Outcome[1];
        lock.lock();
        try {
            b.open("a", 2);
            awaitCondition(() -> lock.hasQueuedThread(first.thread()));
            late[0] = submit(c, "a", 7);
            awaitCondition(() -> lock.hasQueuedThread(late[0].thread()));
        } finally {
            lock.unlock();
        }
        assertEquals("a:0", first.result());
        assertInstanceOf(Dies.class, late[0].failure(), "the Error propagates in the thread that led");
        assertInstanceOf(RepositoryException.class, head.failure());
        assertEquals(List.of(List.of(0), List.of(DIES)), b.of("a"));
        assertEquals(0, c.queued("a"), "the late leader's own item left the line with its Error");
        assertEquals(0, c.lines());

        b.open("a", 1);
        assertEquals("a:8", submit(c, "a", 8).result());
        assertEquals(List.of(List.of(0), List.of(DIES), List.of(8)), b.of("a"), "7, whose caller failed, is never run");
    }

    private static ReentrantLock lockOf(Combiner<?, ?, ?> c) throws ReflectiveOperationException {
        java.lang.reflect.Field f = Combiner.class.getDeclaredField("lock");
        f.setAccessible(true);
        return (ReentrantLock) f.get(c);
    }

    @Test
    void aWaiterStillQueuedAtItsTimeoutLeavesTheLineAndFailsWithNothingHandedToABatch() throws Exception {
        Batches b = new Batches();
        TestClock clock = new TestClock();
        Combiner<String, Item, String> c = combiner(b, Duration.ofMillis(100), clock);
        Outcome leader = leading(c, b, "a", 0);
        Outcome late = queue(c, "a", 1);

        clock.advance(Duration.ofMillis(200));
        RepositoryException e = assertInstanceOf(RepositoryException.class, late.failure());
        assertTrue(e.getMessage().contains("timed out (query timeout 100 ms) waiting for its batch, not yet taken by a batch (nothing written)"),
                e.getMessage());
        assertEquals(0, c.queued("a"), "it left the line");

        b.open("a", 2);
        assertEquals("a:0", leader.result(), "a leader's own wait is its batch, not the timeout");
        assertEquals("a:2", submit(c, "a", 2).result());
        assertEquals(List.of(List.of(0), List.of(2)), b.of("a"), "the item that left was never handed to a batch");
        assertEquals(0, c.lines());
    }

    @Test
    void aWaiterWhoseBatchIsRunningAtItsTimeoutFailsAndItsItemMayStillBeCommitted() throws Exception {
        Batches b = new Batches();
        TestClock clock = new TestClock();
        Combiner<String, Item, String> c = combiner(b, Duration.ofMillis(100), clock);
        Outcome first = leading(c, b, "a", 0);
        List<Outcome> batch = List.of(queue(c, "a", 1), queue(c, "a", 2));
        b.open("a", 1);
        assertEquals("a:0", first.result());
        b.awaitBegun(); // one of the two leads the batch of both

        clock.advance(Duration.ofMillis(200));
        // The follower's wait ends while its batch runs: it fails; the leader waits for its batch.
        awaitCondition(() -> batch.get(0).future().isDone() || batch.get(1).future().isDone());
        Outcome follower = batch.get(0).future().isDone() ? batch.get(0) : batch.get(1);
        Outcome leader = follower == batch.get(0) ? batch.get(1) : batch.get(0);
        RepositoryException e = assertInstanceOf(RepositoryException.class, follower.failure());
        assertTrue(e.getMessage().endsWith("waiting for its batch, its batch still being committed"), e.getMessage());
        assertFalse(leader.future().isDone());

        b.open("a", 1);
        assertTrue(leader.result().startsWith("a:"));
        assertEquals(List.of(List.of(0), List.of(1, 2)), b.of("a"), "the failed waiter's item was in the batch, committed with it");
        assertEquals(0, c.lines());
    }

    @Test
    void aWaiterTimingOutAtTheHeadOfAnIdleLineHandsTheLeadToTheNext() throws Exception {
        // Waits an hour of real time unless signalled: the next in line leads only if told to.
        Batches b = new Batches();
        TestClock clock = new TestClock();
        Combiner<String, Item, String> c = combiner(b, LONG, clock);
        Outcome first = leading(c, b, "a", 0);
        Outcome head = queue(c, "a", 1);
        clock.advance(LONG.dividedBy(2));
        Outcome next = queue(c, "a", 2);
        clock.advance(LONG.dividedBy(2).plusMinutes(1)); // the head's deadline passed, not the next's

        b.open("a", 2);
        assertEquals("a:0", first.result());
        RepositoryException e = assertInstanceOf(RepositoryException.class, head.failure());
        assertTrue(e.getMessage().endsWith("not yet taken by a batch (nothing written)"), e.getMessage());
        assertEquals("a:2", next.result(), "woken by the head that left");
        assertEquals(List.of(List.of(0), List.of(2)), b.of("a"));
        assertEquals(0, c.lines());
    }

    @Test
    void anInterruptedWaiterLeavesTheLineAndFailsKeepingItsInterrupt() throws Exception {
        Batches b = new Batches();
        Combiner<String, Item, String> c = combiner(b, 64);
        Outcome first = leading(c, b, "a", 0);
        AtomicLong interruptedAfter = new AtomicLong(-1);
        CompletableFuture<String> future = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                future.complete(c.submit("a", new Item("a", 1)));
            } catch (Throwable x) {
                interruptedAfter.set(Thread.currentThread().isInterrupted() ? 1 : 0);
                future.completeExceptionally(x);
            }
        });
        t.setDaemon(true);
        t.start();
        awaitCondition(() -> c.queued("a") == 1);
        t.interrupt();
        Outcome waiter = new Outcome(t, future);

        RepositoryException e = assertInstanceOf(RepositoryException.class, waiter.failure());
        assertInstanceOf(InterruptedException.class, e.getCause());
        assertEquals(1, interruptedAfter.get(), "the interrupt is kept");
        assertEquals(0, c.queued("a"));
        b.open("a", 1);
        assertEquals("a:0", first.result());
        assertEquals(List.of(List.of(0)), b.of("a"));
        assertEquals(0, c.lines());
    }
}
