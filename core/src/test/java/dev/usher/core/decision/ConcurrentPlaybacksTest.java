package dev.usher.core.decision;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.repository.RepositoryRules;
import dev.usher.core.service.FieldProblem;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.TicketRequestException;
import dev.usher.core.testing.Fixture;
import dev.usher.core.ticket.Ticket;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

import static dev.usher.core.testing.Fixture.STEF;
import static dev.usher.core.testing.Fixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A ticket's {@code concurrent} rule (issue 16): with a limit k, a request is refused with Too many
 * concurrent playbacks while k other viewers of the ticket are active, before anything is consumed,
 * and the viewer count is asked only of a request on a ticket with the rule.
 */
class ConcurrentPlaybacksTest {

    private final Fixture f = new Fixture();
    /** The other active viewers the viewer store would report. */
    private final AtomicInteger others = new AtomicInteger();

    private static final IntSupplier NEVER = () -> {
        throw new AssertionError("the viewer count was asked for a decision that does not need it");
    };

    private Ticket ticket(int concurrent) {
        return f.service.issue(STEF, IssueRequest.of("stef-app", "movie.mp4", "passpasspass", "0.0.0.0/0", 5, "+1 hour")
                .withConcurrent(concurrent));
    }

    private Decision play(Ticket t, String client, IntSupplier count) {
        return f.service.authorize(request(t.key(), t.pass(), client, "stef-app", "movie.mp4").withOtherViewers(count));
    }

    @Test
    void theThirdOfTwoIsRefusedWithItsReasonConsumesNothingAndIsLogged() {
        Ticket t = ticket(2);
        assertEquals(2, t.concurrent());
        others.set(0);
        assertEquals(Reason.SUCCESS, play(t, "198.51.100.1", others::get).reason());
        others.set(1);
        assertEquals(Reason.SUCCESS, play(t, "198.51.100.2", others::get).reason());
        Ticket before = f.service.status(STEF, t.key()).orElseThrow();
        assertEquals(3, before.uses());

        others.set(2);
        f.clock.advance(Duration.ofSeconds(1));
        Decision third = play(t, "198.51.100.3", others::get);
        assertEquals(Reason.TOO_MANY_PLAYBACKS, third.reason());
        assertFalse(third.granted());
        assertFalse(third.newPlayback());
        assertEquals(before, f.service.status(STEF, t.key()).orElseThrow(), "no use consumed, no date moved");
        List<Attempt> log = f.service.errorlog(STEF, t.key(), null).orElseThrow();
        Attempt refused = log.get(log.size() - 1);
        assertFalse(refused.success());
        assertEquals("Too many concurrent playbacks", refused.reason().text());
        assertEquals("198.51.100.3", refused.ip());

        others.set(1); // one of the two stopped
        f.clock.advance(Duration.ofSeconds(1));
        Decision admitted = play(t, "198.51.100.3", others::get);
        assertEquals(Reason.SUCCESS, admitted.reason());
        assertTrue(admitted.newPlayback());
        assertEquals(2, f.service.status(STEF, t.key()).orElseThrow().uses());
    }

    @Test
    void aRefusalReturnsTheTicketAndPlaybacksItWasGiven() {
        AdmissionRules rules = new AdmissionRules(Duration.ofSeconds(30));
        Ticket t = ticket(1);
        Instant now = f.clock.instant();
        List<Playback> open = List.of(new Playback("movie.mp4", dev.usher.core.net.IpNetwork.parse("198.51.100.1/32"), now, now));
        AdmissionRules.Outcome o = rules.evaluate(t, open,
                request(t.key(), t.pass(), "198.51.100.9", "stef-app", "movie.mp4").withOtherViewers(() -> 1), now);
        assertEquals(Reason.TOO_MANY_PLAYBACKS, o.decision().reason());
        assertSame(t, o.ticket(), "a refusal changes no state");
        assertSame(open, o.playbacks());
        assertEquals(Reason.SUCCESS, rules.evaluate(t, open,
                request(t.key(), t.pass(), "198.51.100.9", "stef-app", "movie.mp4").withOtherViewers(() -> 0), now)
                .decision().reason());
    }

    @Test
    void aSecondPlayerContinuingTheFirstsPlaybackIsHeldToTheRuleToo() {
        Ticket t = ticket(1);
        assertEquals(Reason.SUCCESS, play(t, "198.51.100.1", () -> 0).reason());
        // Same client, same file, inside the window: it continues the playback, but it is another player.
        assertEquals(Reason.TOO_MANY_PLAYBACKS, play(t, "198.51.100.1", () -> 1).reason());
        // The first player's own requests (the count leaves it out) go on, consuming nothing.
        Decision range = play(t, "198.51.100.1", () -> 0);
        assertEquals(Reason.SUCCESS, range.reason());
        assertFalse(range.newPlayback());
        assertEquals(4, f.service.status(STEF, t.key()).orElseThrow().uses());
    }

    @Test
    void aTicketWithoutTheRuleNeverAsksTheCount() {
        Ticket t = ticket(0);
        assertEquals(0, t.concurrent());
        for (int i = 0; i < 5; i++) {
            assertEquals(Reason.SUCCESS, play(t, "198.51.100." + (i + 1), NEVER).reason());
        }
        assertEquals(Reason.SUCCESS, play(t, "198.51.100.1", NEVER).reason(), "a continuing request");
        assertEquals(Reason.EXCEEDED_MAX_VIEWS, play(t, "198.51.100.9", NEVER).reason());
        Ticket plain = f.service.issue(STEF, IssueRequest.of("stef-app", "movie.mp4", "passpasspass", "0.0.0.0/0", 5, "+1 hour"));
        assertEquals(0, plain.concurrent(), "no field, no limit");
        assertEquals(Reason.SUCCESS, play(plain, "198.51.100.1", NEVER).reason());
    }

    @Test
    void theRuleComesAfterEverySeedRuleAndTheirRefusalsNeverAskTheCount() {
        Ticket t = f.service.issue(STEF, IssueRequest.of("stef-app", "movie.mp4", "passpasspass", "198.51.100.0/24", 1, "+1 hour")
                .withConcurrent(1));
        assertEquals(Reason.INVALID_AUTH_TOKEN, f.service.authorize(request(t.key(), "wrong", "198.51.100.1", "stef-app",
                "movie.mp4").withOtherViewers(NEVER)).reason());
        assertEquals(Reason.WRONG_APPLICATION, f.service.authorize(request(t.key(), t.pass(), "198.51.100.1", "stef-other",
                "movie.mp4").withOtherViewers(NEVER)).reason());
        assertEquals(Reason.INVALID_IP_ADDRESS, play(t, "203.0.113.1", NEVER).reason());
        assertEquals(Reason.VIDEO_NOT_AUTHORIZED, f.service.authorize(request(t.key(), t.pass(), "198.51.100.1", "stef-app",
                "other.mp4").withOtherViewers(NEVER)).reason());
        assertEquals(Reason.SUCCESS, play(t, "198.51.100.1", () -> 0).reason());
        assertEquals(Reason.EXCEEDED_MAX_VIEWS, play(t, "198.51.100.2", NEVER).reason());
        f.service.revoke(STEF, t.key());
        assertEquals(Reason.TOKEN_REVOKED, play(t, "198.51.100.1", NEVER).reason());
    }

    @Test
    void theLockFreePreCheckNeverAsksTheCount() {
        RepositoryRules rules = new RepositoryRules(UsherSettings.defaults());
        Ticket t = ticket(1);
        assertNull(rules.refusalBeforeLock(t, request(t.key(), t.pass(), "198.51.100.1", "stef-app", "movie.mp4")
                .withOtherViewers(NEVER), f.clock.instant()), "a right pass needs the locked step");
        assertEquals(Reason.INVALID_AUTH_TOKEN, rules.refusalBeforeLock(t, request(t.key(), "wrong", "198.51.100.1",
                "stef-app", "movie.mp4").withOtherViewers(NEVER), f.clock.instant()).decision().reason());
    }

    @Test
    void aNegativeLimitIsRefusedAtIssue() {
        TicketRequestException e = assertThrows(TicketRequestException.class, () -> ticket(-1));
        assertEquals("concurrent", e.first().field());
        assertEquals(FieldProblem.Kind.INVALID_VALUE, e.first().kind());
        assertTrue(f.service.search(STEF, new dev.usher.core.repository.TicketQuery(null, null, 10)).isEmpty(), "nothing stored");
    }
}
