/**
 * HLS and DASH manifest rewriting: every child URI of a granted manifest gets its playback
 * credential, within bounds on input, output and work.
 *
 * <p>May use: the JDK (StAX for DASH, with DTDs and external entities off, behind a strict scanner
 * of the common MPD that leaves everything it does not know to StAX), and the media path's kind,
 * the one decider of which format a name is.
 */
package dev.usher.core.manifest;
