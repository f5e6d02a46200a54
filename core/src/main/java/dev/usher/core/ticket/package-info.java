/**
 * The SEVU ticket as an immutable record, key generation from {@code SecureRandom}, and
 * {@code TicketView}, the one place that shapes a ticket for the wire (the JSON commands and v2).
 *
 * <p>May use: the rules of {@code rule}, the dates of {@code time}.
 */
package dev.usher.core.ticket;
