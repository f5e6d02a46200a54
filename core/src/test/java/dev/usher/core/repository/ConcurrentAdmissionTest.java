package dev.usher.core.repository;

import dev.usher.core.decision.Decision;
import dev.usher.core.decision.Reason;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

import static dev.usher.core.testing.Fixture.STEF;
import static dev.usher.core.testing.Fixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Many threads racing for one ticket never get more than it allows. */
class ConcurrentAdmissionTest {

    private static ExecutorService pool;

    @BeforeAll
    static void startPool() {
        pool = Executors.newFixedThreadPool(64);
    }

    @AfterAll
    static void stopPool() {
        pool.shutdownNow();
    }

    /** Runs one request per client on its own thread, all released at once. */
    private static List<Decision> race(Fixture f, Ticket t, int clients, IntFunction<String> address) throws Exception {
        CountDownLatch ready = new CountDownLatch(clients);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Decision>> futures = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            String client = address.apply(i);
            futures.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                return f.service.authorize(request(t.key(), t.pass(), client, "stef-live", "mystream"));
            }));
        }
        ready.await();
        go.countDown();
        List<Decision> out = new ArrayList<>();
        for (Future<Decision> future : futures) {
            out.add(future.get());
        }
        return out;
    }

    @RepeatedTest(50)
    void fiveUsesGrantExactlyFivePlaybacksToSixtyFourRacingClients() throws Exception {
        Fixture f = new Fixture();
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-live", "mystream", "passpasspass", "0.0.0.0/0", 5, "+1 hour"));
        List<Decision> decisions = race(f, t, 64, i -> "10.0." + i + ".1");
        assertEquals(5, decisions.stream().filter(Decision::granted).count());
        assertEquals(59, decisions.stream().filter(d -> d.reason() == Reason.EXCEEDED_MAX_VIEWS).count());
        assertEquals(0, f.service.status(STEF, t.key()).orElseThrow().uses());
        assertEquals(64, f.service.errorlog(STEF, t.key(), null).orElseThrow().size());
    }

    @RepeatedTest(50)
    void twoAutoSlotsBindExactlyTwoOfFiftyRacingSubnets() throws Exception {
        Fixture f = new Fixture();
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-live", "mystream", "passpasspass", "auto/24|auto/24", 1000, "+1 hour"));
        List<Decision> decisions = race(f, t, 50, i -> "172.16." + i + ".9");
        assertEquals(2, decisions.stream().filter(Decision::granted).count());
        assertEquals(48, decisions.stream().filter(d -> d.reason() == Reason.INVALID_IP_ADDRESS).count());
        Ticket after = f.service.status(STEF, t.key()).orElseThrow();
        assertEquals(2, after.ip().boundCount());
        assertEquals(998, after.uses());
    }
}
