/**
 * IP addresses and networks parsed from their literal text only (never DNS), with IPv4 and IPv6
 * kept apart.
 *
 * <p>May use: the JDK only.
 */
package dev.usher.core.net;
