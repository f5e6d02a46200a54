package dev.usher.core.live.stream;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's claim on the streams it ingests, through the {@link IngestLeases} every node shares:
 * an upload is admitted only while this node holds (or can take) the stream's lease, renewed by
 * each upload and, for as long as this node keeps any session of the stream (live, waiting for its
 * encoder, or ended and still readable), by the timer; so no other node writes into a stream's
 * folder while this node's timers may still end or remove it.
 */
public final class IngestNode {

    private final String id;
    private final IngestLeases leases;
    private final Duration leaseTime;
    private final Clock clock;
    /** When each lease was last renewed here: the timer renews one only after a third of the lease time. */
    private final Map<String, Instant> renewed = new ConcurrentHashMap<>();

    public IngestNode(String id, IngestLeases leases, Duration leaseTime, Clock clock) {
        this.id = id;
        this.leases = leases;
        this.leaseTime = leaseTime;
        this.clock = clock;
    }

    public String id() {
        return id;
    }

    public IngestLeases leases() {
        return leases;
    }

    /** Takes or renews the stream's lease for an upload; refuses (409) while another node holds it. */
    public void admit(String app, String stream, Optional<String> session) throws IngestRefused {
        Instant now = clock.instant();
        IngestLease lease = leases.acquire(app, stream, id, session.orElse("new"), now, leaseTime);
        if (!lease.heldBy(id)) {
            renewed.remove(app + "/" + stream);
            throw new IngestRefused(409, "node " + lease.node() + " ingests this stream (its lease runs "
                    + Math.max(1, Duration.between(now, lease.expires()).toSeconds()) + " s more)");
        }
        renewed.put(app + "/" + stream, now);
    }

    /** Renews the lease of every stream this node has a session of (called by the timer). */
    public void renew(LiveStreams streams) {
        Instant now = clock.instant();
        Set<String> kept = new HashSet<>();
        for (String[] s : streams.sessions()) {
            String key = s[0] + "/" + s[1];
            kept.add(key);
            Instant last = renewed.get(key);
            if (last != null && Duration.between(last, now).compareTo(leaseTime.dividedBy(3)) < 0) {
                continue;
            }
            renewed.put(key, now);
            try {
                IngestLease lease = leases.acquire(s[0], s[1], id, s[2], now, leaseTime);
                if (!lease.heldBy(id)) {
                    System.getLogger("dev.usher.live").log(System.Logger.Level.WARNING, "live stream " + s[0] + "/" + s[1]
                            + " is held by node " + lease.node() + " while this node (" + id + ") has a session of it");
                }
            } catch (RuntimeException e) {
                System.getLogger("dev.usher.live").log(System.Logger.Level.WARNING, "renewing the ingest lease of " + s[0] + "/" + s[1], e);
            }
        }
        renewed.keySet().retainAll(kept);
    }
}
