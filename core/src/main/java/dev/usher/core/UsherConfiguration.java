package dev.usher.core;

import dev.usher.core.account.Account;
import dev.usher.core.account.AccountConfig;
import dev.usher.core.account.AccountRegistry;
import dev.usher.core.config.ConfigReader;
import dev.usher.core.config.PublishedSecrets;
import dev.usher.core.config.UsherConfigurationException;
import dev.usher.core.config.UsherKey;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.io.BodyLimits;
import dev.usher.core.live.LiveSettings;
import dev.usher.core.net.IpNetwork;
import dev.usher.core.repository.ScheduledPurge;
import dev.usher.core.rule.IpRestriction;
import dev.usher.core.time.SevuTime;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every {@code usher.*} setting, read once, through one {@link ConfigReader}, by every way of
 * deploying Usher (the filter alone, the CDI extension): the one place that knows the keys, as
 * SmallRye JWT's single provider knows its own. {@link #KEYS} lists them with their defaults (the
 * README's configuration table is checked against it); {@link #read} reads them all and adds
 * every problem to the reader, so that a start fails once, listing all of them.
 *
 * <p>The keys of a JDBC store ({@code usher.jdbc.*} but {@code create-schema}) are read by the
 * store's own factory, from the same reader, when {@link UsherAssembly} builds it: they describe a
 * connection, not a setting, and are only meaningful with {@code usher.repository=jdbc}.
 *
 * @param settings    the core's settings
 * @param accounts    the API accounts ({@code usher.account.<cdn>.*})
 * @param api         the API's path and bounds
 * @param guard       what the guard protects and how it trusts proxies and credentials
 * @param issue       how the {@code usher} bean issues tickets
 * @param live        live publishing and ingest
 * @param recordings  how live streams are recorded ({@code usher.live.record.*})
 * @param store       which ticket store, and its timer
 * @param viewers     viewer counting ({@code usher.viewers.*})
 * @param credentials the configured credential signer ({@code usher.credential.secrets}), empty when
 *                    not configured (a node-local store then makes its own)
 */
public record UsherConfiguration(UsherSettings settings, AccountRegistry accounts, Api api, Guard guard, Issue issue,
                                 LiveSettings live, dev.usher.core.live.record.RecordingSettings recordings, Store store,
                                 Viewers viewers, Optional<PlaybackCredentials> credentials) {

    /** Every key, its default as the README writes it, and what it does; the README's table lists exactly these. */
    public static final List<UsherKey> KEYS = List.of(
            key("usher.filter.paths", "`/media/`", "path prefixes whose files are protected"),
            key("usher.filter.app", "*(none)*", "the application of every protected path"),
            key("usher.trusted-proxies", "*(none)*", "reverse proxies whose forwarding header is believed"),
            key("usher.trusted-proxies.header", "`X-Forwarded-For`", "the one header those proxies write"),
            key("usher.credential.secrets", "generated per node", "id:base64secret pairs signing playback credentials"),
            key("usher.credential.lifetime", "`6h`", "longest life of a playback credential"),
            key("usher.revocation.check-interval", "`10s`", "how often running playbacks' tickets are re-read"),
            key("usher.filter.max-manifest-bytes", "`4194304`", "largest manifest read or sent"),
            key("usher.filter.max-concurrent-rewrites", "`8`", "manifests rewritten at once"),
            key("usher.repository", "`memory`", "where tickets live: memory or jdbc"),
            key("usher.jdbc.datasource", "*(none)*", "JNDI name of a container-managed DataSource"),
            key("usher.jdbc.url", "*(none)*", "JDBC URL of Usher's own pool"),
            key("usher.jdbc.user", "*(none)*", "user for usher.jdbc.url"),
            key("usher.jdbc.password", "*(none)*", "password for usher.jdbc.url"),
            key("usher.jdbc.pool-size", "`16`", "connections of Usher's own pool"),
            key("usher.jdbc.create-schema", "`false`", "create the tables on first use"),
            key("usher.jdbc.query-timeout", "`5s`", "timeout of every statement"),
            key("usher.purge-interval", "`10m`", "how often old attempts and tickets are purged; 0 disables it"),
            key("usher.jdbc.purge-interval", "`10m`", "the older name of usher.purge-interval"),
            key("usher.account.<cdn>.api-key", "*(none)*", "API key of an account"),
            key("usher.account.<cdn>.secret", "*(none)*", "its shared secret"),
            key("usher.account.<cdn>.username", "*(none)*", "its name"),
            key("usher.account.<cdn>.apps", "`username-*`", "its application namespace"),
            key("usher.account.<cdn>.commands", "all", "the JSON API commands it may run"),
            key("usher.api.enabled", "`true` when an account is configured", "registers the API servlet"),
            key("usher.api.path", "`/usher`", "where the API is served"),
            key("usher.api.timestamp-window", "`5m`", "how far a command's timestamp may be from the clock"),
            key("usher.api.body-timeout", "`10s`", "a request body must arrive within this"),
            key("usher.api.min-body-rate", "`1024`", "bytes per second a body must average"),
            key("usher.api.max-concurrent", "`64`", "API requests in progress at once"),
            key("usher.playback-window", "`10m`", "a playback stays open this long after its latest request"),
            key("usher.time-zone", "`UTC`", "zone of the API's dates"),
            key("usher.default-expiry", "`+1 week`", "expiry of a ticket issued without one"),
            key("usher.attempt-log.retention", "`30d`", "how long attempts and expired tickets are kept"),
            key("usher.attempt-log.max-per-ticket", "`1000`", "attempts kept per ticket"),
            key("usher.issue.uses", "`3`", "playback starts per ticket of the usher bean"),
            key("usher.issue.expire", "`+4 hours`", "expiry of those tickets"),
            key("usher.issue.ip", "`auto/24`", "their IP rule"),
            key("usher.issue.allow-anonymous", "`false`", "issue to requests without a signed-in user"),
            key("usher.issue.account", "first configured account, else `0`", "the account those tickets belong to"),
            key("usher.server-name", "`$HOSTNAME`, else `usher`", "reported as server in attempts"),
            key("usher.ingest.dir", "*(none: no ingest)*", "folder of live streams; registers the ingest servlet"),
            key("usher.ingest.max-object-mb", "`64`", "largest segment accepted"),
            key("usher.ingest.max-playlist-kb", "`256`", "largest encoder playlist accepted"),
            key("usher.ingest.min-free-mb", "`256`", "free space below which uploads are refused"),
            key("usher.ingest.body-timeout", "`30s`", "the whole time an upload may take"),
            key("usher.ingest.node-id", "random per start", "this node's name in the ingest leases"),
            key("usher.ingest.lease-time", "`30s`", "how long a node's claim on a stream lasts"),
            key("usher.live.open-publishing", "`false`", "whether a stream may be opened to anyone"),
            key("usher.live.max-stream-users", "`100`", "stream users per API account"),
            key("usher.live.password-key", "random per node", "key of the stream passwords' HMAC"),
            key("usher.live.ended-grace", "`30s`", "how long an ended live playlist stays readable"),
            key("usher.live.min-playlist-timeout", "`60`", "smallest playlist_timeout accepted, in seconds"),
            key("usher.live.record.dir", "as `usher.ingest.dir`", "media folder recordings are written under"),
            key("usher.live.record.default-folder", "`recordings`", "folder of recordings without a save_folder"),
            key("usher.live.record.time-zone", "as `usher.time-zone`", "zone of recordings' names and schedules"),
            key("usher.live.record.duration-unit", "`1m`", "one unit of a duration segment_value"),
            key("usher.live.record.size-unit-kb", "`1024`", "KB in one unit of a size segment_value"),
            key("usher.live.record.retention", "*(none: keep)*", "age after which finished recordings are deleted"),
            key("usher.viewers.enabled", "`true`", "whether viewers are counted"),
            key("usher.viewers.window", "`30s`", "a viewer is active this long after its latest request"),
            key("usher.viewers.flush-interval", "`5s`", "at most one shared-store write per viewer per interval"),
            key("usher.viewers.retention", "`30d`", "how long a ticket's viewer figures are kept"));

    private static UsherKey key(String name, String defaultValue, String description) {
        return new UsherKey(name, defaultValue, description);
    }

    /**
     * The API's path and bounds.
     *
     * @param enabled          {@code usher.api.enabled}, default: whether an account is configured
     * @param path             {@code usher.api.path}, default {@code /usher}
     * @param timestampWindow  {@code usher.api.timestamp-window}, default 5 minutes
     * @param bodyTimeout      {@code usher.api.body-timeout}, default 10 s, 100 ms to {@link BodyLimits#MAX_TIMEOUT}
     * @param minBodyRate      {@code usher.api.min-body-rate}, default 1024 bytes/s; 0 turns the bound off
     * @param maxConcurrent    {@code usher.api.max-concurrent}, default 64
     */
    public record Api(boolean enabled, String path, Duration timestampWindow, Duration bodyTimeout, int minBodyRate,
                      int maxConcurrent) {

        public static Api read(ConfigReader config, boolean accounts) {
            boolean enabled = config.bool("usher.api.enabled", accounts);
            String path = config.string("usher.api.path", "/usher");
            if (!path.startsWith("/") || path.endsWith("/") || path.contains("*") || path.contains("..")) {
                config.problem("usher.api.path: '" + path + "' must be a path like /usher");
                path = "/usher";
            }
            Duration window = config.duration("usher.api.timestamp-window", Duration.ofMinutes(5));
            Duration timeout = config.duration("usher.api.body-timeout", Duration.ofSeconds(10));
            if (timeout.compareTo(Duration.ofMillis(100)) < 0 || timeout.compareTo(BodyLimits.MAX_TIMEOUT) > 0) {
                config.problem("usher.api.body-timeout must lie between 100ms and " + BodyLimits.MAX_TIMEOUT.toMinutes() + "m");
                timeout = Duration.ofSeconds(10);
            }
            int rate = config.integer("usher.api.min-body-rate", 1024, 0, 1 << 30);
            int concurrent = config.integer("usher.api.max-concurrent", 64, 1, 100_000);
            return new Api(enabled, path, window, timeout, rate, concurrent);
        }
    }

    /**
     * What the guard protects, whom it believes and how long its credentials live.
     *
     * @param protectedPaths        {@code usher.filter.paths}: prefixes below the context path, each ending in {@code /}
     * @param fixedApp              {@code usher.filter.app}: the application of every protected path, or null
     * @param trustedProxies        {@code usher.trusted-proxies}
     * @param forwardedHeader       {@code usher.trusted-proxies.header} is {@code Forwarded} (else {@code X-Forwarded-For})
     * @param credentialLifetime    {@code usher.credential.lifetime}, at least 10 s
     * @param revocationInterval    {@code usher.revocation.check-interval}, 1 ms to 5 min
     * @param maxManifestBytes      {@code usher.filter.max-manifest-bytes}
     * @param maxConcurrentRewrites {@code usher.filter.max-concurrent-rewrites}
     */
    public record Guard(List<String> protectedPaths, String fixedApp, List<IpNetwork> trustedProxies,
                        boolean forwardedHeader, Duration credentialLifetime, Duration revocationInterval,
                        int maxManifestBytes, int maxConcurrentRewrites) {

        public Guard {
            protectedPaths = List.copyOf(protectedPaths);
            trustedProxies = List.copyOf(trustedProxies);
        }

        public static Guard read(ConfigReader config) {
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
                lifetime = Duration.ofHours(6);
            }
            if (interval.isZero() || interval.compareTo(Duration.ofMinutes(5)) > 0) {
                config.problem("usher.revocation.check-interval must lie between 1ms and 5m");
                interval = Duration.ofSeconds(10);
            }
            int maxManifest = config.integer("usher.filter.max-manifest-bytes", 4 << 20, 1024, 64 << 20);
            int maxRewrites = config.integer("usher.filter.max-concurrent-rewrites", 8, 1, 1024);
            return new Guard(paths, app, proxies, forwardedHeader, lifetime, interval, maxManifest, maxRewrites);
        }
    }

    /**
     * How the {@code usher} bean issues tickets when its caller says nothing else. Checked here, at
     * start, as the API would check the same values in a request: a bad rule or expiry must stop
     * the start, not fail the first issue.
     *
     * @param uses           {@code usher.issue.uses}, default 3
     * @param expire         {@code usher.issue.expire}, default {@code +4 hours}
     * @param ip             {@code usher.issue.ip}, default {@code auto/24}
     * @param allowAnonymous {@code usher.issue.allow-anonymous}, default false
     * @param cdnId          {@code usher.issue.account}: default the first configured account, else 0
     */
    public record Issue(int uses, String expire, String ip, boolean allowAnonymous, long cdnId) {

        public static Issue read(ConfigReader config, AccountRegistry accounts, SevuTime time) {
            int uses = config.integer("usher.issue.uses", 3, 1, 1_000_000);
            String expire = config.string("usher.issue.expire", "+4 hours");
            try {
                Instant now = Instant.now();
                if (!time.parseExpiry(expire, now).isAfter(now)) {
                    config.problem("usher.issue.expire: '" + expire + "' is not in the future");
                }
            } catch (RuntimeException e) {
                config.problem("usher.issue.expire: " + e.getMessage());
            }
            String ip = config.string("usher.issue.ip", "auto/24");
            try {
                IpRestriction.parse(ip);
            } catch (RuntimeException e) {
                config.problem("usher.issue.ip: " + e.getMessage());
            }
            boolean anonymous = config.bool("usher.issue.allow-anonymous", false);
            long cdn = accounts.all().stream().map(Account::cdnId).findFirst().orElse(0L);
            Optional<String> configured = config.raw("usher.issue.account");
            if (configured.isPresent()) {
                try {
                    cdn = Long.parseLong(configured.get());
                    if (cdn != 0 && accounts.byCdnId(cdn).isEmpty()) {
                        config.problem("usher.issue.account: no account " + cdn + " is configured");
                    }
                } catch (NumberFormatException e) {
                    config.problem("usher.issue.account: '" + configured.get() + "' is not a cdn id");
                }
            }
            return new Issue(uses, expire, ip, anonymous, cdn);
        }
    }

    /**
     * Which ticket store, and the settings the runtime needs of it beyond the store's own factory.
     *
     * @param kind          {@code usher.repository}: {@code memory} (default) or {@code jdbc}
     * @param createSchema  {@code usher.jdbc.create-schema}: also for the live stream users' table
     * @param purgeInterval {@code usher.purge-interval} (or its older name), 0: no purging
     */
    public record Store(String kind, boolean createSchema, Duration purgeInterval) {

        public static Store read(ConfigReader config) {
            String kind = config.string("usher.repository", "memory");
            if (!kind.equals("memory") && !kind.equals("jdbc")) {
                config.problem("usher.repository: unknown repository '" + kind + "' (memory, jdbc)");
                kind = "memory";
            }
            return new Store(kind, config.bool("usher.jdbc.create-schema", false), ScheduledPurge.interval(config));
        }
    }

    /**
     * Viewer counting (issue 16): who is watching, from the requests the guard authorized.
     *
     * @param enabled       {@code usher.viewers.enabled}, default true; false: no sighting is recorded,
     *                      every count is 0 and the concurrent-playback rule sees no other viewer
     * @param window        {@code usher.viewers.window}, default 30 s (1 s to 1 h): a viewer is active
     *                      while its latest authorized request is younger
     * @param flushInterval {@code usher.viewers.flush-interval}, default 5 s (100 ms up to the window):
     *                      a shared (JDBC) store writes a viewer's row at most once per interval
     * @param retention     {@code usher.viewers.retention}, default 30 days (at least the window): how
     *                      long a ticket's figures (playbacks, viewer-minutes) outlive its last viewer
     */
    public record Viewers(boolean enabled, Duration window, Duration flushInterval, Duration retention) {

        public static Viewers read(ConfigReader config) {
            boolean enabled = config.bool("usher.viewers.enabled", true);
            Duration window = config.duration("usher.viewers.window", Duration.ofSeconds(30));
            if (window.compareTo(Duration.ofSeconds(1)) < 0 || window.compareTo(Duration.ofHours(1)) > 0) {
                config.problem("usher.viewers.window must lie between 1s and 1h");
                window = Duration.ofSeconds(30);
            }
            Duration flush = config.duration("usher.viewers.flush-interval", Duration.ofSeconds(5));
            if (flush.compareTo(Duration.ofMillis(100)) < 0 || flush.compareTo(window) > 0) {
                // A row written less often than the window would let other nodes see an active viewer as gone.
                config.problem("usher.viewers.flush-interval must lie between 100ms and usher.viewers.window (" + window + ")");
                flush = Duration.ofSeconds(5).compareTo(window) <= 0 ? Duration.ofSeconds(5) : window;
            }
            Duration retention = config.duration("usher.viewers.retention", Duration.ofDays(30));
            if (retention.compareTo(window) < 0) {
                config.problem("usher.viewers.retention must be at least usher.viewers.window (" + window + ")");
                retention = Duration.ofDays(30);
            }
            return new Viewers(enabled, window, flush, retention);
        }
    }

    /**
     * Reads every key through {@code config}, adding each problem to it; the caller fails once all
     * parts (a store, the live folder) have added theirs.
     *
     * @param names every configured property name (an account is found by its keys' names)
     */
    public static UsherConfiguration read(ConfigReader config, Iterable<String> names) {
        UsherSettings settings = UsherSettings.from(config);
        AccountRegistry accounts = AccountConfig.read(config, names);
        LiveSettings live = LiveSettings.from(config);
        return new UsherConfiguration(settings, accounts, Api.read(config, !accounts.all().isEmpty()), Guard.read(config),
                Issue.read(config, accounts, new SevuTime(settings.timeZone())), live,
                dev.usher.core.live.record.RecordingSettings.from(config, live), Store.read(config), Viewers.read(config),
                credentials(config));
    }

    /**
     * Reads every key from {@code lookup}.
     *
     * @throws UsherConfigurationException listing every problem
     */
    public static UsherConfiguration of(Function<String, Optional<String>> lookup, Iterable<String> names) {
        ConfigReader config = new ConfigReader(lookup);
        UsherConfiguration read = read(config, names);
        config.failOnProblems();
        return read;
    }

    /**
     * Reads {@code usher.credential.secrets}: {@code id:base64secret} pairs separated by commas, the
     * first signing and all verifying (list a new secret first and keep the old one until the
     * credentials it signed have expired). Whether its absence is a problem depends on the store
     * ({@link UsherAssembly}). A published value ({@link PublishedSecrets}) is refused: it is not a
     * secret.
     */
    private static Optional<PlaybackCredentials> credentials(ConfigReader config) {
        List<String> entries = config.list("usher.credential.secrets", List.of());
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        String current = null;
        for (String entry : entries) {
            int colon = entry.indexOf(':');
            String id = colon > 0 ? entry.substring(0, colon).trim() : "";
            if (id.isEmpty()) {
                config.problem("usher.credential.secrets: an entry is not of the form id:base64secret");
                continue;
            }
            try {
                byte[] secret = PlaybackCredentials.secretFromBase64(entry.substring(colon + 1).trim());
                if (PublishedSecrets.isPublished(secret)) {
                    // Anyone who read Usher's repository could sign credentials with it.
                    config.problem("usher.credential.secrets: the secret of key id '" + id + "' is a published value "
                            + "(it appears in Usher's own files): generate your own, e.g. openssl rand -base64 32");
                    continue;
                }
                if (secrets.putIfAbsent(id, secret) != null) {
                    config.problem("usher.credential.secrets: key id '" + id + "' appears twice");
                }
                if (current == null) {
                    current = id;
                }
            } catch (IllegalArgumentException e) {
                // The message names the problem, never the secret.
                config.problem("usher.credential.secrets: the secret of key id '" + id + "' is unusable: " + e.getMessage());
            }
        }
        if (current == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(new PlaybackCredentials(current, secrets));
        } catch (IllegalArgumentException e) {
            config.problem("usher.credential.secrets: " + e.getMessage());
            return Optional.empty();
        }
    }
}
