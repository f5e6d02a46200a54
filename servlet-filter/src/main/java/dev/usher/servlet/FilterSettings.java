package dev.usher.servlet;

import dev.usher.core.config.ConfigReader;
import dev.usher.core.http.MediaLayout;
import dev.usher.core.net.IpNetwork;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The settings of the guarding filter, immutable.
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

    static FilterSettings from(ConfigReader config) {
        List<String> paths = new ArrayList<>();
        for (String p : config.list("usher.filter.paths", List.of("/media/"))) {
            String prefix = p.endsWith("/*") ? p.substring(0, p.length() - 1) : p.endsWith("/") ? p : p + "/";
            if (!prefix.startsWith("/") || prefix.contains("*") || prefix.contains("..") || prefix.contains(";")
                    || prefix.contains("//") || prefix.equals("/")) {
                config.problem("usher.filter.paths: '" + p + "' is not a path prefix like /media/ (the whole site can't be protected)");
            } else {
                paths.add(prefix);
            }
        }
        String app = config.raw("usher.filter.app").orElse(null);
        if (app != null && (app.contains("/") || app.contains("*") || app.contains("|"))) {
            config.problem("usher.filter.app: '" + app + "' must be a plain application name");
        }
        List<IpNetwork> proxies = new ArrayList<>();
        for (String cidr : config.list("usher.trusted-proxies", List.of())) {
            try {
                proxies.add(IpNetwork.parse(cidr));
            } catch (IllegalArgumentException e) {
                config.problem("usher.trusted-proxies: '" + cidr + "' is not an address or CIDR block");
            }
        }
        String header = config.string("usher.trusted-proxies.header", "X-Forwarded-For");
        boolean forwardedHeader = header.equalsIgnoreCase("Forwarded");
        if (!forwardedHeader && !header.equalsIgnoreCase("X-Forwarded-For")) {
            config.problem("usher.trusted-proxies.header: '" + header + "' is neither X-Forwarded-For nor Forwarded");
        }
        Duration lifetime = config.duration("usher.credential.lifetime", Duration.ofHours(6));
        Duration interval = config.duration("usher.revocation.check-interval", Duration.ofSeconds(10));
        if (lifetime.compareTo(Duration.ofSeconds(10)) < 0) {
            config.problem("usher.credential.lifetime must be at least 10s");
        }
        if (interval.isZero() || interval.compareTo(Duration.ofMinutes(5)) > 0) {
            config.problem("usher.revocation.check-interval must lie between 1ms and 5m");
        }
        int maxManifest = config.integer("usher.filter.max-manifest-bytes", 4 << 20, 1024, 64 << 20);
        int maxRewrites = config.integer("usher.filter.max-concurrent-rewrites", 8, 1, 1024);
        return new FilterSettings(List.copyOf(paths), app, List.copyOf(proxies), forwardedHeader, lifetime, interval,
                maxManifest, maxRewrites);
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

    /** @return the layout of playback URLs below these prefixes (what parses and prints them) */
    MediaLayout layout() {
        return new MediaLayout(protectedPaths, fixedApp);
    }
}
