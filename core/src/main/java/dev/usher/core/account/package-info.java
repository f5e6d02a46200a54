/**
 * API accounts: who may call the SEVU API (cdn id, API key, secret, username), read from the
 * {@code usher.account.<cdn>.*} keys.
 *
 * <p>May use: the configuration reader and the app patterns of {@code rule}.
 */
package dev.usher.core.account;
