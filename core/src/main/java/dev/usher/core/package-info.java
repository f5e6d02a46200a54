/**
 * The composition root: {@code UsherConfiguration} reads every {@code usher.*} key through one
 * {@code ConfigReader} (and lists them, with their defaults, for the README's table), and
 * {@code UsherAssembly} builds the parts from it (store, service, credentials, revocation watch,
 * guard, API front ends), so that every adapter wires them alike and only adds its container's part.
 *
 * <p>May use: every core package; nothing outside the core (no servlet, no CDI).
 */
package dev.usher.core;
