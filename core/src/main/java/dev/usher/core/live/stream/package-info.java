/**
 * Live streams as Usher serves them: what an encoder's playlist says (parsed, never served as it
 * came), the publishing session of each stream with its renditions, segments kept under Usher's
 * own names, the generated HLS playlists (DVR window, a media sequence that only grows,
 * discontinuities at reconnects, program date-time, EXT-X-MAP, a master for a ladder), the end of
 * a stream on a clock, the {@code SegmentStore} SPI with its filesystem default, and the
 * {@code SegmentListener} hook a recorder is fed by.
 *
 * <p>May use: the JDK, and the stream users and names of {@code dev.usher.core.live}; never a
 * container API.
 */
package dev.usher.core.live.stream;
