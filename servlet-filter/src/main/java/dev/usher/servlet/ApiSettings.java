package dev.usher.servlet;

import dev.usher.core.UsherConfiguration;
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

    /** The API's part of the one configuration ({@link UsherConfiguration#api()}), as the servlet reads bodies. */
    static ApiSettings of(UsherConfiguration.Api api) {
        Duration timeout = api.bodyTimeout();
        Duration grace = BodyLimits.DEFAULT_GRACE.compareTo(timeout) < 0 ? BodyLimits.DEFAULT_GRACE : Duration.ZERO;
        return new ApiSettings(new BodyLimits(UsherApiServlet.MAX_BODY, timeout, api.minBodyRate(), grace), api.maxConcurrent());
    }

    /** Reads the API's keys alone (problems are added to {@code config}). */
    static ApiSettings from(ConfigReader config) {
        return of(UsherConfiguration.Api.read(config, false));
    }
}
