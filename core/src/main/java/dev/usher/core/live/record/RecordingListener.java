package dev.usher.core.live.record;

/**
 * Told when recordings start and finish, and when the disk is too full to record (the CDI
 * extension can turn these into CDI events). Called on the ingest's thread; must be quick and
 * must not throw — an exception is logged and ignored.
 */
public interface RecordingListener {

    /** A recording's first segment was written; it is playable from now on. */
    default void started(Recording recording) {
    }

    /** A recording was finished ({@code EXT-X-ENDLIST}, its final name), also one finished after a restart. */
    default void finished(Recording recording) {
    }

    /**
     * Free space fell below the floor: the segment was not recorded (and ingest refuses uploads, 507).
     *
     * @param freeBytes  the free space measured
     * @param floorBytes the floor ({@code usher.ingest.min-free-mb})
     */
    default void diskLow(String app, String stream, long freeBytes, long floorBytes) {
    }
}
