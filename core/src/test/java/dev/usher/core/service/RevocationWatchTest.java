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
        f.service.update(STEF, t.key(), new TicketUpdate(true, null, null));
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
}
