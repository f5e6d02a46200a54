package dev.usher.core.api;

import dev.usher.core.account.Account;

import java.time.Instant;

/**
 * A command whose account, timestamp, signature, name and field names {@link CommandVerifier} has
 * checked: what a {@link CommandGroup} carries out.
 *
 * @param name      the command ({@code sevu.request}, …), one the account may run
 * @param account   the account that signed it
 * @param fields    its members, every one a field of the command
 * @param requestId identifies this signed request (account and signature), for the replay ledger
 * @param until     when the request's timestamp leaves the window (the ledger may forget it then)
 */
public record SignedCommand(String name, Account account, CommandFields fields, String requestId, Instant until) {
}
