package dev.usher.cdi;

import dev.usher.core.live.record.Recording;

/**
 * CDI event: a recording of a live stream started (its first segment is written and it is
 * playable) or was finished ({@code EXT-X-ENDLIST}, its final name). Observe it with
 * {@code void onRecording(@Observes RecordingEvent e)}. Recordings finished at start-up, after a
 * crash, are finished before the beans exist and are not told here (they are in the log and in
 * {@code sevu.listrecordings}).
 */
public record RecordingEvent(Kind kind, Recording recording) {

    public enum Kind { STARTED, FINISHED }
}
