/**
 * Text from requests made safe for a log line (bounded, control characters escaped).
 *
 * <p>May use: the JDK only.
 */
package dev.usher.core.log;
