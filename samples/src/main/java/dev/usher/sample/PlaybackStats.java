package dev.usher.sample;

import dev.usher.cdi.PlaybackDecided;
import dev.usher.cdi.TicketIssued;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Observes Usher's CDI events — every ticket issued and every playback decision — the way an
 * application would feed analytics or abuse tracking, without touching Usher. Shown on the
 * catalog page ({@code /api/stats}).
 *
 * <p>The page is public, and a viewer's address is personal data: a recent decision shows its
 * client address only to the user whose ticket it was (the {@code user|} the {@code usher} bean puts
 * at the start of each pass) or to an operator; everyone else sees counts, videos and reasons.
 */
@ApplicationScoped
public class PlaybackStats {

    private static final int RECENT = 20;

    private final AtomicLong issued = new AtomicLong();
    private final AtomicLong granted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Deque<Seen> recent = new ArrayDeque<>();

    /**
     * One recent decision as a visitor sees it; never the pass.
     *
     * @param client the client's address, or null when it is not the visitor's to see
     * @param mine   true when the decision was about the visitor's own ticket
     */
    public record Decision(Instant at, String app, String video, String client, String reason, boolean mine) {
    }

    /** A decision as observed, with the user its ticket was issued to (null when unknown). */
    private record Seen(Instant at, String app, String video, String client, String reason, String user) {

        Decision shownTo(String viewer, boolean operator) {
            boolean mine = viewer != null && viewer.equals(user);
            return new Decision(at, app, video, mine || operator ? client : null, reason, mine);
        }
    }

    public record Snapshot(long issued, long granted, long refused, List<Decision> recent) {
    }

    void onIssued(@Observes TicketIssued event) {
        issued.incrementAndGet();
    }

    void onDecided(@Observes PlaybackDecided event) {
        (event.granted() ? granted : refused).incrementAndGet();
        Seen d = new Seen(Instant.now(), event.request().app(), event.request().video(),
                String.valueOf(event.request().client()), event.decision().reason().text(), userOf(event));
        synchronized (recent) {
            recent.addFirst(d);
            while (recent.size() > RECENT) {
                recent.removeLast();
            }
        }
    }

    /** @return the user the decided ticket was issued to, from its pass ({@code user|random}); null for an unknown key */
    private static String userOf(PlaybackDecided event) {
        if (event.decision().ticket() == null) {
            return null;
        }
        String pass = event.decision().ticket().pass();
        int bar = pass.indexOf('|');
        return bar > 0 ? pass.substring(0, bar) : null;
    }

    /**
     * @param viewer   the signed-in user asking, or null for an anonymous visitor
     * @param operator true for an operator, who sees every address
     */
    public Snapshot snapshot(String viewer, boolean operator) {
        List<Seen> copy;
        synchronized (recent) {
            copy = List.copyOf(recent);
        }
        return new Snapshot(issued.get(), granted.get(), refused.get(),
                copy.stream().map(s -> s.shownTo(viewer, operator)).toList());
    }
}
