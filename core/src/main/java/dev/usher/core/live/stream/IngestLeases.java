package dev.usher.core.live.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Who ingests which stream, agreed by every node: one node per stream at a time. A shared
 * implementation (JDBC) lets nodes behind a load balancer refuse a stream another node is
 * being fed; the in-memory one serves a single node. Implementations are safe for concurrent use
 * and decide atomically: of several nodes asking at once for a free stream, exactly one gets it.
 */
public interface IngestLeases {

    /**
     * Takes the lease of a stream for {@code node}, or renews it, until {@code now + duration},
     * unless another node holds a lease that has not expired at {@code now}.
     *
     * @return the lease in force afterwards: {@code node}'s (granted) or the other node's (refused)
     */
    IngestLease acquire(String app, String stream, String node, String session, Instant now, Duration duration);

    /** Gives up {@code node}'s lease of the stream (the stream ended there); another node's is untouched. */
    void release(String app, String stream, String node);

    /** @return the lease of the stream not expired at {@code now} */
    Optional<IngestLease> current(String app, String stream, Instant now);
}
