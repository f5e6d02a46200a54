package dev.usher.core.live;

import java.time.Duration;

/**
 * The live window of a stream.
 *
 * @param playlistCount   segments per rendition in the playlist (≥ 4)
 * @param playlistTimeout how long the playlist stays live after the encoder stops, so it can resume
 * @param enabled         without DVR the playlist ends as soon as the encoder stops
 */
public record DvrSettings(int playlistCount, Duration playlistTimeout, boolean enabled) {

    public static final int MIN_COUNT = 4;
    /** The document gives no upper bound; a window larger than this is a recording, not a live playlist. */
    public static final int MAX_COUNT = 1000;
    public static final int MIN_TIMEOUT_SECONDS = 60;
    public static final int MAX_TIMEOUT_SECONDS = 1200;

    public static final DvrSettings DEFAULTS = new DvrSettings(4, Duration.ofSeconds(600), true);
}
