package dev.usher.core.live.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Leases in this node's memory: for a single node (or nodes that each own distinct streams). */
public final class InMemoryIngestLeases implements IngestLeases {

    private final Map<String, IngestLease> leases = new HashMap<>();

    @Override
    public synchronized IngestLease acquire(String app, String stream, String node, String session, Instant now, Duration duration) {
        String key = app + "/" + stream;
        IngestLease held = leases.get(key);
        if (held != null && !held.heldBy(node) && held.expires().isAfter(now)) {
            return held;
        }
        IngestLease mine = new IngestLease(app, stream, node, session, now.plus(duration));
        leases.put(key, mine);
        if (leases.size() > 100_000) {
            leases.values().removeIf(l -> !l.expires().isAfter(now)); // expired ones are only history
        }
        return mine;
    }

    @Override
    public synchronized void release(String app, String stream, String node) {
        leases.computeIfPresent(app + "/" + stream, (k, l) -> l.heldBy(node) ? null : l);
    }

    @Override
    public synchronized Optional<IngestLease> current(String app, String stream, Instant now) {
        return Optional.ofNullable(leases.get(app + "/" + stream)).filter(l -> l.expires().isAfter(now));
    }
}
