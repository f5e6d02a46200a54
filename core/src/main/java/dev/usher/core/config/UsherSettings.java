package dev.usher.core.config;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;

/**
 * The settings of the core, immutable. Adapters build one from MicroProfile Config keys under
 * {@code usher.}; the defaults below are those of {@link #defaults()}.
 *
 * @param playbackWindow       how long after its latest request a playback stays open, so that
 *                             further requests of it consume no use. Default 10 minutes: longer than
 *                             any pause between the Range requests of a progressive MP4 or the
 *                             reloads of a live playlist, short enough that a viewer who comes
 *                             back later starts (and pays for) a new playback.
 * @param timeZone             the zone of dates read and written by the API. Default UTC.
 * @param retention            how long attempts are kept, and expired tickets after their expiry.
 *                             Default 30 days.
 * @param maxAttemptsPerTicket the attempt log of one ticket keeps at most this many (the newest).
 *                             Default 1000.
 * @param serverName           reported as {@code server} in attempts. Default: the {@code HOSTNAME}
 *                             environment variable, else {@code usher}.
 * @param defaultExpiry        the expiry of a ticket issued without one. Default {@code +1 week}.
 */
public record UsherSettings(Duration playbackWindow, ZoneId timeZone, Duration retention, int maxAttemptsPerTicket,
                            String serverName, String defaultExpiry) {

    public UsherSettings {
        Objects.requireNonNull(playbackWindow, "playbackWindow");
        Objects.requireNonNull(timeZone, "timeZone");
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(defaultExpiry, "defaultExpiry");
        if (playbackWindow.isNegative() || playbackWindow.isZero()) {
            throw new IllegalArgumentException("usher.playback-window must be positive");
        }
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("usher.attempt-log.retention must be positive");
        }
        if (maxAttemptsPerTicket < 1) {
            throw new IllegalArgumentException("usher.attempt-log.max-per-ticket must be at least 1");
        }
    }

    public static UsherSettings defaults() {
        String host = System.getenv("HOSTNAME");
        return new UsherSettings(Duration.ofMinutes(10), ZoneId.of("UTC"), Duration.ofDays(30), 1000,
                host == null || host.isBlank() ? "usher" : host, "+1 week");
    }

    /**
     * Reads the settings from configuration keys, each defaulting as {@link #defaults()}:
     * {@code usher.playback-window}, {@code usher.time-zone}, {@code usher.attempt-log.retention},
     * {@code usher.attempt-log.max-per-ticket}, {@code usher.server-name}, {@code usher.default-expiry}.
     * Problems are added to the reader; the caller decides when to fail.
     */
    public static UsherSettings from(ConfigReader config) {
        UsherSettings d = defaults();
        Duration window = config.duration("usher.playback-window", d.playbackWindow());
        if (window.isZero()) {
            config.problem("usher.playback-window must be positive");
            window = d.playbackWindow();
        }
        Duration retention = config.duration("usher.attempt-log.retention", d.retention());
        if (retention.isZero()) {
            config.problem("usher.attempt-log.retention must be positive");
            retention = d.retention();
        }
        ZoneId zone = config.zone("usher.time-zone", d.timeZone());
        String expiry = config.string("usher.default-expiry", d.defaultExpiry());
        try {
            java.time.Instant now = java.time.Instant.now();
            if (!new dev.usher.core.time.SevuTime(zone).parseExpiry(expiry, now).isAfter(now)) {
                config.problem("usher.default-expiry: '" + expiry + "' is not in the future");
                expiry = d.defaultExpiry();
            }
        } catch (IllegalArgumentException e) {
            config.problem("usher.default-expiry: " + e.getMessage());
            expiry = d.defaultExpiry();
        }
        return new UsherSettings(window, zone, retention,
                config.integer("usher.attempt-log.max-per-ticket", d.maxAttemptsPerTicket(), 1, 1_000_000),
                config.string("usher.server-name", d.serverName()), expiry);
    }

    public UsherSettings withPlaybackWindow(Duration value) {
        return new UsherSettings(value, timeZone, retention, maxAttemptsPerTicket, serverName, defaultExpiry);
    }

    public UsherSettings withTimeZone(ZoneId value) {
        return new UsherSettings(playbackWindow, value, retention, maxAttemptsPerTicket, serverName, defaultExpiry);
    }

    public UsherSettings withRetention(Duration value) {
        return new UsherSettings(playbackWindow, timeZone, value, maxAttemptsPerTicket, serverName, defaultExpiry);
    }

    public UsherSettings withMaxAttemptsPerTicket(int value) {
        return new UsherSettings(playbackWindow, timeZone, retention, value, serverName, defaultExpiry);
    }

    public UsherSettings withServerName(String value) {
        return new UsherSettings(playbackWindow, timeZone, retention, maxAttemptsPerTicket, value, defaultExpiry);
    }

    public UsherSettings withDefaultExpiry(String value) {
        return new UsherSettings(playbackWindow, timeZone, retention, maxAttemptsPerTicket, serverName, value);
    }
}
