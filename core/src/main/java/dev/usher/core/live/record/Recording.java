package dev.usher.core.live.record;

import java.time.Duration;
import java.time.Instant;

/**
 * One recording as operators see it.
 *
 * @param name     the recording's folder name ({@code cam-2024-05-01_12-30}, {@code cam-2024-05-01_12-00-pt2})
 * @param folder   its folder below the app's media folder ({@code recordings/2024-05-01/cam-…}); play
 *                 {@code /media/{app}/{folder}/playlist.m3u8} with a ticket for {@code {save_folder}/*}
 * @param start    the program date-time of its first segment
 * @param end      the end of its last segment
 * @param duration the sum of its segments' durations (less than end − start when the encoder paused)
 * @param bytes    the size of its segments (the fMP4 file, when there is one, is as large again)
 * @param finished whether it was finished ({@code VOD}, {@code EXT-X-ENDLIST}); false while it is being written
 * @param mp4      whether a single fragmented MP4 ({@code recording.mp4}) is there too
 */
public record Recording(String app, String stream, String name, String folder, Instant start, Instant end,
                        Duration duration, long bytes, int segments, boolean finished, boolean mp4) {
}
