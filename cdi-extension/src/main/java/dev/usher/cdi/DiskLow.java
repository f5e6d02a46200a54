package dev.usher.cdi;

/**
 * CDI event: free space fell below {@code usher.ingest.min-free-mb}, so ingest of this stream is
 * refused (507, in the publisher log) and nothing is recorded. Told at most once a minute per stream.
 */
public record DiskLow(String app, String stream, long freeBytes, long floorBytes) {
}
