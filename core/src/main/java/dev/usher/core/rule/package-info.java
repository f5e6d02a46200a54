/**
 * A ticket's rules as values: the {@code ip} field with its {@code auto} slots, and the {@code
 * app} and {@code video} wildcard patterns (linear matching, never a regular expression).
 *
 * <p>May use: addresses and networks of {@code net}.
 */
package dev.usher.core.rule;
