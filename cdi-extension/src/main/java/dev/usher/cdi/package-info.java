/**
 * CDI integration: beans that issue tickets to the logged-in user, producers built from
 * MicroProfile Config, and the JAX-RS {@code @ProtectedMedia} binding.
 */
package dev.usher.cdi;
