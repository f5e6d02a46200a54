/**
 * HLS and DASH manifest rewriting: every child URI of a granted manifest gets its playback
 * credential, within bounds on input, output and work.
 *
 * <p>May use: the JDK only (StAX for DASH, with DTDs and external entities off).
 */
package dev.usher.core.manifest;
