/**
 * Bounds on reading what clients send: {@code BodyLimits}, the size, total deadline and minimum
 * average rate every request body Usher reads is held to (the API's now, the live ingest's later).
 *
 * <p>May use: the JDK only.
 */
package dev.usher.core.io;
