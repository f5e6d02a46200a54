/**
 * A protected request path in SEVU terms: the app, the video a ticket must allow, and whether it
 * is a manifest or a file.
 *
 * <p>May use: the JDK only.
 */
package dev.usher.core.media;
