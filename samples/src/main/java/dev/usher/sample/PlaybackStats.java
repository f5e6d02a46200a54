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
 */
@ApplicationScoped
public class PlaybackStats {

    private static final int RECENT = 20;

    private final AtomicLong issued = new AtomicLong();
    private final AtomicLong granted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Deque<Decision> recent = new ArrayDeque<>();

    /** One recent decision; never the pass. */
    public record Decision(Instant at, String app, String video, String client, String reason) {
    }

    public record Snapshot(long issued, long granted, long refused, List<Decision> recent) {
    }

    void onIssued(@Observes TicketIssued event) {
        issued.incrementAndGet();
    }

    void onDecided(@Observes PlaybackDecided event) {
        (event.granted() ? granted : refused).incrementAndGet();
        Decision d = new Decision(Instant.now(), event.request().app(), event.request().video(),
                String.valueOf(event.request().client()), event.decision().reason().text());
        synchronized (recent) {
            recent.addFirst(d);
            while (recent.size() > RECENT) {
                recent.removeLast();
            }
        }
    }

    public Snapshot snapshot() {
        synchronized (recent) {
            return new Snapshot(issued.get(), granted.get(), refused.get(), List.copyOf(recent));
        }
    }
}
