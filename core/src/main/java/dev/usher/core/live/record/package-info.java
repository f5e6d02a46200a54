/**
 * Recordings of live streams: the stored segments themselves, hard-linked (or copied) into a
 * recording folder as they are completed — no transcoding, so cuts fall on segment boundaries and
 * no frame is lost or doubled between parts. Each recording is an HLS package (an {@code EVENT}
 * playlist rewritten atomically after every segment, {@code VOD} with {@code EXT-X-ENDLIST} when
 * finished, its target duration fixed for the part) and, for fMP4 ingest (HLS fMP4 and DASH), one
 * fragmented MP4 made by appending init and segments; every rendition of a session, under a master
 * playlist when there are several (the first with video decides the parts). The cut
 * rules of {@code sevu.addstreamuser} ({@code duration}, {@code size}, {@code schedule},
 * {@code disabled}), the names ({@code stream}, {@code event}), recovery of recordings a stopped
 * server left unfinished, retention, and the listing of an app's recordings.
 *
 * <p>May use: the JDK, the live package ({@code dev.usher.core.live}: settings, names), the live
 * streams' listener SPI ({@code dev.usher.core.live.stream}) and crontab schedules
 * ({@code dev.usher.core.time}), configuration ({@code dev.usher.core.config}); never a container API, never the SEVU API package.
 */
package dev.usher.core.live.record;
