/**
 * The SEVU JSON API as a transport-free protocol: the signed commands ({@code SevuApi}: a
 * {@code CommandVerifier} checks each into a {@code SignedCommand}, {@code OncePerSignature} carries a
 * mutating one out once in the {@code ReplayLedger} it is given, and {@code CommandGroup}s such as
 * {@code TicketCommands} and {@code LiveCommands} carry commands out), the v2 {@code sevu_token}
 * resource (routed once, then answered), result codes, the strict JSON reader and writer that keep
 * what the client signed.
 *
 * <p>May use: the service, accounts, repositories' replay ledger, tickets, attempts and times, live
 * stream users and the publisher log ({@code dev.usher.core.live}), the recorder's list of recordings
 * ({@code dev.usher.core.live.record});
 * never a container API.
 */
package dev.usher.core.api;
