package dev.usher.core.live.stream;

import java.time.Instant;

/**
 * The right of one node to ingest one stream until {@code expires}, renewed by every upload of
 * the stream on that node; while it is live, every other node refuses that stream's uploads (409).
 *
 * @param node    the id of the node holding it ({@code usher.ingest.node-id})
 * @param session the publishing session on that node (for operators; not part of the decision)
 */
public record IngestLease(String app, String stream, String node, String session, Instant expires) {

    public boolean heldBy(String nodeId) {
        return node.equals(nodeId);
    }
}
