package dev.usher.core.live.stream;

import java.time.Instant;

/**
 * Told by {@link LiveStreams} of what its sessions do, for a recorder. Called inside the live
 * streams' lock, on the thread that did the work: it must be quick and must not throw.
 */
public interface SegmentListener {

    SegmentListener NONE = new SegmentListener() {
    };

    /**
     * A complete segment was placed in the stream's folder under Usher's name.
     *
     * @param session   the publishing session (the prefix of Usher's names)
     * @param rendition the rendition (the encoder's media playlist)
     */
    default void segment(String app, String stream, String session, String rendition, Segment segment) {
    }

    /** The publishing session ended (its playlist got {@code EXT-X-ENDLIST}, or it was dropped). */
    default void sessionEnded(String app, String stream, String session) {
    }

    /** Time moved on (called from {@link LiveStreams#tick}). */
    default void tick(Instant now) {
    }

    /**
     * @param name          the segment's file in the stream's folder
     * @param map           the init segment's file (fMP4), or null (TS)
     * @param pdt           its program date-time
     * @param discontinuity whether it follows a reconnect or restart of the encoder
     * @param bytes         its size
     */
    record Segment(String name, String map, double duration, Instant pdt, boolean discontinuity, long bytes) {
    }
}
