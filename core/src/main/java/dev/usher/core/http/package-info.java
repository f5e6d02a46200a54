/**
 * The HTTP policy of protected media, free of any transport: the ticket parameters of a raw query,
 * the client's address behind trusted proxies, the manifest rewrite slots and what is sent for a
 * granted manifest, refusals (status, text and headers), the header rules of manifests, and the
 * playback URL layout (printed and parsed here only). The servlet filter and the JAX-RS binding
 * translate their requests into a {@link dev.usher.core.http.MediaRequestView} and an
 * {@link dev.usher.core.http.Admission} back into their responses.
 *
 * <p>May use: the guard, credentials, decisions, media paths, manifest rewriters and addresses;
 * never a container API (no jakarta.servlet, no jakarta.ws.rs).
 */
package dev.usher.core.http;
