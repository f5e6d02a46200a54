/**
 * The {@code TicketRepository} SPI that stores tickets, playbacks and attempts and decides
 * atomically, {@code RepositoryRules} (what every store does alike, for third-party stores too),
 * its in-memory implementation, the purge timer, and the replay ledger of the API.
 *
 * <p>May use: tickets, decisions, attempts and settings.
 */
package dev.usher.core.repository;
