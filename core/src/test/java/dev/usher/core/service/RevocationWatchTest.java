package dev.usher.core.service;

import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.usher.core.testing.Fixture.STEF;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RevocationWatchTest {

    private final Fixture f = new Fixture();
    private final RevocationWatch watch = new RevocationWatch(f.repository, Duration.ofHours(1));

    @Test
    void aRevokeIsSeenAtTheNextRefreshAndUndoneByReactivation() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "auto", 1, "+1 day"));
        watch.watch(t.key(), f.clock.instant());
        f.service.revoke(STEF, t.key());
        assertFalse(watch.isRevoked(t.key(), f.clock.instant()), "no repository access between refreshes");
        watch.refresh(f.clock.instant());
        assertTrue(watch.isRevoked(t.key(), f.clock.instant()));
        f.service.update(STEF, t.key(), new TicketUpdateRequest(true, null, null));
        watch.refresh(f.clock.instant());
        assertFalse(watch.isRevoked(t.key(), f.clock.instant()));
    }

    @Test
    void expiredAndDeletedTicketsCountAsRevoked() {
        Ticket expiring = f.service.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "auto", 1, "+1 minute"));
        Ticket deleted = f.service.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "auto", 1, "+1 day"));
        assertFalse(watch.isRevoked(expiring.key(), f.clock.instant()), "an unknown key is watched from now on");
        watch.watch(deleted.key(), f.clock.instant());
        f.service.delete(STEF, deleted.key());
        f.clock.advance(Duration.ofMinutes(2));
        watch.refresh(f.clock.instant());
        assertTrue(watch.isRevoked(expiring.key(), f.clock.instant()));
        assertTrue(watch.isRevoked(deleted.key(), f.clock.instant()));
    }

    @Test
    void ticketsNotSeenForTheLifetimeAreForgotten() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "auto", 1, "+1 day"));
        watch.watch(t.key(), f.clock.instant());
        assertEquals(1, watch.refresh(f.clock.instant()));
        f.clock.advance(Duration.ofHours(2));
        assertEquals(0, watch.refresh(f.clock.instant()));
    }

    @Test
    void aTicketThisNodeNeverSawIsConfirmedByOneReadBeforeItsCredentialsAreServed() {
        // A credential can be validly signed for a ticket that does not exist (a leaked secret).
        assertTrue(watch.isRevoked("nosuch.0123456789abcd.00000000", f.clock.instant()), "an unknown ticket is refused");
        Ticket revoked = f.service.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "auto", 1, "+1 day"));
        f.service.revoke(STEF, revoked.key());
        assertTrue(watch.isRevoked(revoked.key(), f.clock.instant()), "a revoked ticket is refused at once, not after a refresh");
        Ticket expired = f.service.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "auto", 1, "+1 minute"));
        f.clock.advance(Duration.ofMinutes(2));
        assertTrue(watch.isRevoked(expired.key(), f.clock.instant()), "an expired ticket is refused");

        Ticket elsewhere = f.service.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "auto", 1, "+1 day"));
        assertFalse(watch.isRevoked(elsewhere.key(), f.clock.instant()), "a ticket granted on another node plays");
        // One read per ticket: deleting it now is seen at the next refresh, not on the next request.
        f.service.delete(STEF, elsewhere.key());
        assertFalse(watch.isRevoked(elsewhere.key(), f.clock.instant()), "no second read between refreshes");
        watch.refresh(f.clock.instant());
        assertTrue(watch.isRevoked(elsewhere.key(), f.clock.instant()));
    }

    @Test
    void aRefreshReadsTheWatchedTicketsInBatchesNotOneByOne() {
        java.util.Map<String, Integer> calls = new java.util.concurrent.ConcurrentHashMap<>();
        dev.usher.core.repository.TicketRepository counting = (dev.usher.core.repository.TicketRepository)
                java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                        new Class<?>[]{dev.usher.core.repository.TicketRepository.class}, (proxy, method, args) -> {
                            calls.merge(method.getName(), 1, Integer::sum);
                            try {
                                return method.invoke(f.repository, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
        RevocationWatch batched = new RevocationWatch(counting, Duration.ofHours(1));
        Ticket revoked = f.service.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "auto", 1, "+1 day"));
        batched.watch(revoked.key(), f.clock.instant());
        for (int i = 0; i < 2_499; i++) {
            batched.watch("k" + i, f.clock.instant());
        }
        f.service.revoke(STEF, revoked.key());
        assertEquals(2_500, batched.refresh(f.clock.instant()));
        assertEquals(java.util.Map.of("findAll", 3), calls, "batches of 1,000, no read per ticket");
        assertTrue(batched.isRevoked(revoked.key(), f.clock.instant()));
        assertTrue(batched.isRevoked("k7", f.clock.instant()), "a key with no ticket counts as revoked");
    }

    @Test
    void aFailedConfirmationServesNothingAndIsRetried() throws Exception {
        org.h2.jdbcx.JdbcDataSource ds = new org.h2.jdbcx.JdbcDataSource();
        ds.setURL("jdbc:h2:mem:watch-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        dev.usher.core.repository.jdbc.JdbcTicketRepository jdbc = new dev.usher.core.repository.jdbc.JdbcTicketRepository(ds,
                f.settings, dev.usher.core.repository.jdbc.JdbcOptions.defaults().withCreateSchema(true));
        UsherService service = new UsherService(jdbc, f.settings, f.clock, new dev.usher.core.ticket.TicketKeys());
        Ticket t = service.issue(STEF, IssueRequest.of("a", "v", "passpasspass", "auto", 1, "+1 day"));
        RevocationWatch onJdbc = new RevocationWatch(jdbc, Duration.ofHours(1));
        try (java.sql.Connection c = ds.getConnection(); java.sql.Statement s = c.createStatement()) {
            s.execute("ALTER TABLE usher_tickets RENAME TO usher_tickets_away");
            org.junit.jupiter.api.Assertions.assertThrows(dev.usher.core.repository.RepositoryException.class,
                    () -> onJdbc.isRevoked(t.key(), f.clock.instant()), "a failed read decides nothing");
            s.execute("ALTER TABLE usher_tickets_away RENAME TO usher_tickets");
        }
        assertFalse(onJdbc.isRevoked(t.key(), f.clock.instant()), "read again once the store is back");
    }
}
