package dev.usher.core.decision;

import dev.usher.core.net.IpNetwork;

import java.time.Instant;

/**
 * An open playback of a ticket: one granted start, and the requests that continue it. Requests for
 * the same video from the same client network, each within the playback window of the previous
 * one, belong to it and consume no use.
 *
 * @param video    the video played
 * @param client   the client's address, or the network its {@code auto} slot bound
 * @param started  the granted start
 * @param lastSeen the latest request of this playback
 */
public record Playback(String video, IpNetwork client, Instant started, Instant lastSeen) {

    public boolean isOpen(Instant now, java.time.Duration window) {
        return now.isBefore(lastSeen.plus(window));
    }

    public Playback seenAt(Instant now) {
        return new Playback(video, client, started, now);
    }
}
