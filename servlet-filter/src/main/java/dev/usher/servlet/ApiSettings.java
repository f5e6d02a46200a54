package dev.usher.servlet;

import dev.usher.core.config.ConfigReader;
import dev.usher.core.io.BodyLimits;

import java.time.Duration;

/**
 * The API servlet's bounds on its callers, from configuration.
 *
 * @param body          how a request body is read: at most {@link UsherApiServlet#MAX_BODY} bytes,
 *                      within {@code usher.api.body-timeout} (default 10 s) of the request's start,
 *                      at least {@code usher.api.min-body-rate} bytes/s on average after the first
 *                      second (default 1024; 0 turns the rate bound off)
 * @param maxConcurrent API requests in progress at once, reading their body included
 *                      ({@code usher.api.max-concurrent}, default 64); beyond it a request is answered
 *                      503 with the JSON error at once, so slow clients hold no more than this many
 *                      requests' worth of buffers (and, on a container without async reads, threads)
 */
record ApiSettings(BodyLimits body, int maxConcurrent) {

    static ApiSettings from(ConfigReader config) {
        Duration timeout = config.duration("usher.api.body-timeout", Duration.ofSeconds(10));
        if (timeout.compareTo(Duration.ofMillis(100)) < 0 || timeout.compareTo(BodyLimits.MAX_TIMEOUT) > 0) {
            config.problem("usher.api.body-timeout must lie between 100ms and " + BodyLimits.MAX_TIMEOUT.toMinutes() + "m");
            timeout = Duration.ofSeconds(10);
        }
        int rate = config.integer("usher.api.min-body-rate", 1024, 0, 1 << 30);
        int concurrent = config.integer("usher.api.max-concurrent", 64, 1, 100_000);
        Duration grace = BodyLimits.DEFAULT_GRACE.compareTo(timeout) < 0 ? BodyLimits.DEFAULT_GRACE : Duration.ZERO;
        return new ApiSettings(new BodyLimits(UsherApiServlet.MAX_BODY, timeout, rate, grace), concurrent);
    }
}
