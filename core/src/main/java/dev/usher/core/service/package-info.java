/**
 * {@code UsherService}, what applications and transports call: issue, status, revoke, update,
 * delete, errorlog, search and authorize; the revocation watch and the listener of what the
 * service did.
 *
 * <p>May use: accounts, repositories, decisions, rules, tickets, attempts, times and settings.
 */
package dev.usher.core.service;
