/**
 * Settings: the core's immutable {@code UsherSettings}, the {@code ConfigReader} that reads {@code
 * usher.*} keys from any source and lists every problem at once, and {@code UsherKey}, one
 * documented key ({@code dev.usher.core.UsherConfiguration} lists them all and reads them).
 *
 * <p>May use: the JDK only.
 */
package dev.usher.core.config;
