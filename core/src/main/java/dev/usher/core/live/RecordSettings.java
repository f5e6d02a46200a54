package dev.usher.core.live;

/**
 * What {@code sevu.addstreamuser} says about recording a stream: stored and validated here, acted
 * on by the recorder.
 *
 * @param record       record automatically when the stream is published
 * @param recordType   {@code stream} or {@code event}
 * @param segmentType  {@code disabled}, {@code duration}, {@code size} or {@code schedule}
 * @param segmentValue minutes, megabytes, or a crontab expression; null when disabled
 * @param saveFolder   the destination folder (letters, digits, dashes, underscores), or null
 */
public record RecordSettings(boolean record, String recordType, String segmentType, String segmentValue, String saveFolder) {

    public static final RecordSettings NONE = new RecordSettings(false, "stream", "disabled", null, null);
}
