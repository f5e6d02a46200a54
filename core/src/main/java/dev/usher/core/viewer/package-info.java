/**
 * Viewers: who is watching now, counted exactly from the requests Usher authorized. A viewer is one
 * playback of one player instance, named by the player id its playback credential carries (HLS and
 * DASH) or by its ticket, file and network (an MP4, whose player repeats the entry URL). A
 * {@link dev.usher.core.viewer.ViewerStore} keeps when each was last seen; counting, the per-ticket
 * figures and the concurrent-playback rule all read it. No cookies, no address or user-agent
 * guessing, no repository write per segment request.
 *
 * <p>May use: addresses and networks of {@code net}, wildcard patterns of {@code rule}; its JDBC
 * store, the repository's JDBC helpers.
 */
package dev.usher.core.viewer;
