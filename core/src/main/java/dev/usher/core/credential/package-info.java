/**
 * Playback credentials ({@code uc=}): the HMAC-signed scope, network, expiry and player (wire
 * version 2) a granted manifest hands to its children, with key ids for rotation.
 *
 * <p>May use: addresses and networks of {@code net}; the viewer {@code Format} of {@code viewer}.
 */
package dev.usher.core.credential;
