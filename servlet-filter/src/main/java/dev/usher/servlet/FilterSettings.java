package dev.usher.servlet;

import dev.usher.core.UsherConfiguration;
import dev.usher.core.net.IpNetwork;

import java.time.Duration;
import java.util.List;

/**
 * The settings of the guarding filter, immutable: read by {@link UsherConfiguration.Guard}, which
 * documents the keys and checks them.
 *
 * @param protectedPaths       path prefixes (below the context path, each ending in {@code /}) whose
 *                             files are protected. Key {@code usher.filter.paths}, default {@code /media/}.
 * @param fixedApp             when set, the application of every protected path, and the whole
 *                             path under the prefix is the video. Key {@code usher.filter.app}; by
 *                             default the first folder under the prefix is the app.
 * @param trustedProxies       peers whose {@code Forwarded}/{@code X-Forwarded-For} headers are believed.
 *                             Key {@code usher.trusted-proxies} (CIDRs, comma-separated), default none.
 * @param forwardedHeader      read RFC 7239 {@code Forwarded} rather than {@code X-Forwarded-For} from
 *                             trusted proxies. Key {@code usher.trusted-proxies.header}, default
 *                             {@code X-Forwarded-For}: name the one header your proxy writes.
 * @param credentialLifetime   the longest a playback credential lives (never past its ticket's expiry).
 *                             Key {@code usher.credential.lifetime}, default 6 hours.
 * @param revocationInterval   how often tickets of running playbacks are re-read, bounding how long a
 *                             revoked ticket's playback continues. Key {@code usher.revocation.check-interval},
 *                             default 10 seconds.
 * @param maxManifestBytes     manifests larger than this, or whose rewritten form would be larger, are
 *                             refused (502). Key {@code usher.filter.max-manifest-bytes}, default 4 MiB.
 * @param maxConcurrentRewrites the most manifests read and rewritten at once (each holds up to
 *                             {@code maxManifestBytes} of memory); more are answered 503 with
 *                             {@code Retry-After}. Key {@code usher.filter.max-concurrent-rewrites},
 *                             default 8.
 */
record FilterSettings(List<String> protectedPaths, String fixedApp, List<IpNetwork> trustedProxies,
                      boolean forwardedHeader, Duration credentialLifetime, Duration revocationInterval,
                      int maxManifestBytes, int maxConcurrentRewrites) {

    /** The guard's part of the one configuration ({@link UsherConfiguration#guard()}), in the filter's terms. */
    static FilterSettings of(UsherConfiguration.Guard guard) {
        return new FilterSettings(guard.protectedPaths(), guard.fixedApp(), guard.trustedProxies(), guard.forwardedHeader(),
                guard.credentialLifetime(), guard.revocationInterval(), guard.maxManifestBytes(), guard.maxConcurrentRewrites());
    }

    /** The outcome of matching a request path against the protected prefixes. */
    enum Match { UNPROTECTED, PROTECTED, AMBIGUOUS }

    /**
     * @return PROTECTED under a prefix, AMBIGUOUS when the path equals a prefix only when case is
     *         ignored (a case-insensitive file system could serve it), else UNPROTECTED
     */
    Match match(String path) {
        for (String prefix : protectedPaths) {
            if (path.startsWith(prefix) || (path.length() == prefix.length() - 1 && prefix.startsWith(path))) {
                return Match.PROTECTED;
            }
        }
        for (String prefix : protectedPaths) {
            if (path.regionMatches(true, 0, prefix, 0, prefix.length())) {
                return Match.AMBIGUOUS;
            }
        }
        return Match.UNPROTECTED;
    }
}
