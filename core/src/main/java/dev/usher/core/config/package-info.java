/**
 * Settings: the one immutable {@code UsherSettings} and the {@code ConfigReader} that reads {@code
 * usher.*} keys from any source and lists every problem at once.
 *
 * <p>May use: the JDK only.
 */
package dev.usher.core.config;
