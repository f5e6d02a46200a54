/**
 * The SEVU ticket as an immutable record, and key generation from {@code SecureRandom}.
 *
 * <p>May use: the rules of {@code rule}.
 */
package dev.usher.core.ticket;
