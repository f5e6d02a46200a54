/**
 * What a guard in front of media decides for one request, whatever the transport: an entry with
 * key and pass goes to the service, a child is checked from its credential and the revocation
 * watch.
 *
 * <p>May use: the service, credentials, decisions, media paths, addresses and the viewer store; never a container
 * API.
 */
package dev.usher.core.guard;
