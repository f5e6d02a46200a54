/**
 * The {@code TicketRepository} SPI that stores tickets, playbacks and attempts and decides
 * atomically, its in-memory implementation, and the replay ledger of the API.
 *
 * <p>May use: tickets, decisions, attempts and settings.
 */
package dev.usher.core.repository;
