package dev.usher.core.viewer;

import dev.usher.core.net.IpNetwork;

import java.util.Objects;

/**
 * What one authorized request tells about its viewer: everything needed to create the viewer's
 * record on any node, so a child request served by a node that never saw the entry still counts.
 *
 * @param playerId  the player instance (at most 32 URL-safe characters; random for HLS and DASH)
 * @param ticketKey the ticket that granted the playback (never the pass)
 * @param app       the application
 * @param video     the stream or video name: a package's folder ({@code mystream}), an MP4's path
 * @param format    how it plays
 * @param network   the network the playback is bound to (the client's address, or its ticket's block)
 */
public record Sighting(String playerId, String ticketKey, String app, String video, Format format, IpNetwork network) {
    public Sighting {
        Objects.requireNonNull(playerId, "playerId");
        Objects.requireNonNull(ticketKey, "ticketKey");
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(video, "video");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(network, "network");
    }
}
