package dev.usher.core.live.stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every IngestLeases does, run on each of them (memory, H2, PostgreSQL). */
public abstract class IngestLeasesContract {

    /** @return a store; JDBC stores of one test share their database (two nodes) */
    protected abstract IngestLeases newStore() throws Exception;

    protected void release() throws Exception {
    }

    protected IngestLeases a;
    protected IngestLeases b;
    protected static final Instant T = Instant.parse("2026-12-01T10:00:00Z");
    static final Duration LEASE = Duration.ofSeconds(30);

    @BeforeEach
    void open() throws Exception {
        a = newStore();
        b = sameDatabase();
    }

    /** The store another node sees: the same instance in memory, another one on the same database for JDBC. */
    protected IngestLeases sameDatabase() throws Exception {
        return a;
    }

    @AfterEach
    void close() throws Exception {
        release();
    }

    @Test
    void theFirstNodeGetsTheStreamAndRenewsItOnEveryUpload() {
        IngestLease l = a.acquire("live", "cam", "node-a", "s1", T, LEASE);
        assertTrue(l.heldBy("node-a"));
        assertEquals(T.plus(LEASE), l.expires());
        IngestLease renewed = a.acquire("live", "cam", "node-a", "s1", T.plusSeconds(20), LEASE);
        assertTrue(renewed.heldBy("node-a"));
        assertEquals(T.plusSeconds(50), b.current("live", "cam", T.plusSeconds(40)).orElseThrow().expires(), "renewed for every node");
    }

    @Test
    void anotherNodeIsRefusedWhileTheLeaseIsLiveAndTakesOverOnceItExpired() {
        a.acquire("live", "cam", "node-a", "s1", T, LEASE);
        IngestLease refused = b.acquire("live", "cam", "node-b", "s9", T.plusSeconds(29), LEASE);
        assertTrue(refused.heldBy("node-a"), "the holder's lease, not node-b's");
        assertEquals("s1", refused.session());
        assertEquals("node-a", b.current("live", "cam", T.plusSeconds(29)).orElseThrow().node(), "a refusal changes nothing");
        IngestLease taken = b.acquire("live", "cam", "node-b", "s9", T.plusSeconds(30), LEASE);
        assertTrue(taken.heldBy("node-b"), "expired: node-b takes over");
        assertTrue(a.acquire("live", "cam", "node-a", "s1", T.plusSeconds(31), LEASE).heldBy("node-b"), "and node-a is refused now");
        assertTrue(a.acquire("live", "other", "node-a", "s2", T.plusSeconds(31), LEASE).heldBy("node-a"), "other streams are free");
    }

    @Test
    void onlyTheHolderReleases() {
        a.acquire("live", "cam", "node-a", "s1", T, LEASE);
        b.release("live", "cam", "node-b");
        assertTrue(b.current("live", "cam", T).isPresent());
        a.release("live", "cam", "node-a");
        assertTrue(b.current("live", "cam", T).isEmpty());
        assertTrue(b.acquire("live", "cam", "node-b", "s3", T.plusSeconds(1), LEASE).heldBy("node-b"));
    }

    @Test
    void ofNodesAskingAtOnceExactlyOneGetsAFreeStream() throws Exception {
        a.acquire("live", "cam", "node-old", "s0", T, LEASE); // expired by the time they ask
        int nodes = 8;
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<IngestLease>> results = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                String node = "node-" + i;
                IngestLeases store = i % 2 == 0 ? a : b;
                Callable<IngestLease> ask = () -> {
                    go.await();
                    return store.acquire("live", "cam", node, "s-" + node, T.plusSeconds(60), LEASE);
                };
                results.add(pool.submit(ask));
            }
            go.countDown();
            List<String> holders = new ArrayList<>();
            for (Future<IngestLease> f : results) {
                holders.add(f.get().node());
            }
            assertEquals(1, holders.stream().distinct().count(), "every node sees the same holder: " + holders);
            assertEquals(holders.get(0), a.current("live", "cam", T.plusSeconds(60)).orElseThrow().node());
        } finally {
            pool.shutdownNow();
        }
    }
}
