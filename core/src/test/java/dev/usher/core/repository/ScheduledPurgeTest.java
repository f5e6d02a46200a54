package dev.usher.core.repository;

import dev.usher.core.config.ConfigReader;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;
import dev.usher.core.ticket.TicketKeys;
import dev.usher.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.usher.core.testing.Fixture.STEF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The purge runs on its own timer, not only when a ticket is issued (issue 10, item 6). */
class ScheduledPurgeTest {

    private final MutableClock clock = MutableClock.at("2021-08-20T12:00:00Z");
    private final UsherSettings settings = UsherSettings.defaults().withRetention(Duration.ofDays(1));

    @Test
    void theTimerPurgesWithoutAnyTicketBeingIssued() throws Exception {
        CountDownLatch purged = new CountDownLatch(1);
        InMemoryTicketRepository memory = new InMemoryTicketRepository(settings);
        TicketRepository counting = new ForwardingRepository(memory) {
            @Override
            public int purge(java.time.Instant now) {
                int removed = super.purge(now);
                if (removed > 0) {
                    purged.countDown();
                }
                return removed;
            }
        };
        UsherService service = new UsherService(counting, settings, clock, new TicketKeys());
        Ticket old = service.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "auto", 1, "+1 hour"));
        clock.advance(Duration.ofDays(2)); // expired longer than the retention; nothing is issued from now on
        try (ScheduledPurge purge = ScheduledPurge.start(counting, clock, Duration.ofMillis(20))) {
            assertTrue(purge.running());
            assertTrue(purged.await(30, TimeUnit.SECONDS), "the timer purged");
            assertTrue(memory.find(old.key()).isEmpty());
            purge.close();
            assertFalse(purge.running());
        }
    }

    @Test
    void aFailingPurgeIsLoggedAndTheTimerGoesOn() throws Exception {
        CountDownLatch calls = new CountDownLatch(3);
        TicketRepository failing = new ForwardingRepository(new InMemoryTicketRepository(settings)) {
            @Override
            public int purge(java.time.Instant now) {
                calls.countDown();
                throw new RepositoryException("database down", null);
            }
        };
        try (ScheduledPurge purge = ScheduledPurge.start(failing, clock, Duration.ofMillis(10))) {
            assertTrue(calls.await(30, TimeUnit.SECONDS), "purged again after a failure");
        }
    }

    @Test
    void zeroDisablesItAndTheIntervalIsConfigured() {
        try (ScheduledPurge off = ScheduledPurge.start(new InMemoryTicketRepository(settings), clock, Duration.ZERO)) {
            assertFalse(off.running());
        }
        assertEquals(ScheduledPurge.DEFAULT_INTERVAL, ScheduledPurge.interval(new ConfigReader(k -> Optional.empty())));
        Map<String, String> older = Map.of("usher.jdbc.purge-interval", "5m");
        assertEquals(Duration.ofMinutes(5), ScheduledPurge.interval(new ConfigReader(k -> Optional.ofNullable(older.get(k)))));
        Map<String, String> both = Map.of("usher.jdbc.purge-interval", "5m", "usher.purge-interval", "30s");
        assertEquals(Duration.ofSeconds(30), ScheduledPurge.interval(new ConfigReader(k -> Optional.ofNullable(both.get(k)))));
    }

    /** A repository that passes every call on. */
    private static class ForwardingRepository implements TicketRepository {
        private final TicketRepository to;

        ForwardingRepository(TicketRepository to) {
            this.to = to;
        }

        @Override
        public boolean insert(Ticket ticket) {
            return to.insert(ticket);
        }

        @Override
        public Optional<Ticket> find(String key) {
            return to.find(key);
        }

        @Override
        public Optional<Ticket> update(long cdnId, String key, TicketChange change) {
            return to.update(cdnId, key, change);
        }

        @Override
        public boolean delete(long cdnId, String key) {
            return to.delete(cdnId, key);
        }

        @Override
        public java.util.List<Ticket> search(long cdnId, TicketQuery query) {
            return to.search(cdnId, query);
        }

        @Override
        public dev.usher.core.decision.Decision decide(dev.usher.core.decision.PlaybackRequest request, java.time.Instant now) {
            return to.decide(request, now);
        }

        @Override
        public java.util.List<dev.usher.core.attempt.Attempt> attempts(String key, java.time.Instant since, int limit) {
            return to.attempts(key, since, limit);
        }

        @Override
        public int purge(java.time.Instant now) {
            return to.purge(now);
        }
    }
}
