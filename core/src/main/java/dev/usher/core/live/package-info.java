/**
 * Live publishing's accounts: stream users created by {@code sevu.addstreamuser} (per stream, or
 * {@code *} for every stream of an app) with their record and DVR settings, the rules that
 * validate them, passwords kept only as a keyed, salted hash, the {@code StreamUserStore} SPI and
 * its in-memory implementation, and the decision whether an encoder may publish.
 *
 * <p>May use: the JDK, configuration ({@code dev.usher.core.config}) and crontab schedules
 * ({@code dev.usher.core.time}); never a container API, never the SEVU API package.
 */
package dev.usher.core.live;
