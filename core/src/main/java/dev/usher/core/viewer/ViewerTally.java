package dev.usher.core.viewer;

/**
 * The number of active viewers of one stream or video in one format and address family.
 *
 * @param app    the application
 * @param video  the stream or video name (as in {@link Sighting#video()})
 * @param format how they play
 * @param ipv6   whether their networks are IPv6 (else IPv4)
 * @param count  how many, at least 1
 */
public record ViewerTally(String app, String video, Format format, boolean ipv6, int count) {
}
