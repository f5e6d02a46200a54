/**
 * Playback credentials ({@code uc=}): the HMAC-signed scope, network and expiry a granted manifest
 * hands to its children, with key ids for rotation.
 *
 * <p>May use: addresses and networks of {@code net}.
 */
package dev.usher.core.credential;
