package dev.usher.servlet;

import dev.usher.core.account.AccountConfig;
import dev.usher.core.account.AccountRegistry;
import dev.usher.core.api.SevuApi;
import dev.usher.core.api.SevuTokenResource;
import dev.usher.core.config.ConfigReader;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.guard.MediaGuard;
import dev.usher.core.http.ClientAddressResolver;
import dev.usher.core.http.ManifestRewriteService;
import dev.usher.core.http.MediaAdmission;
import dev.usher.core.http.MediaLayout;
import dev.usher.core.repository.InMemoryTicketRepository;
import dev.usher.core.repository.ScheduledPurge;
import dev.usher.core.repository.jdbc.JdbcTicketRepository;
import dev.usher.core.repository.TicketRepository;
import dev.usher.core.service.RevocationWatch;
import dev.usher.core.service.UsherService;
import jakarta.servlet.ServletContext;

import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Everything the filter and the API servlets of one web application share: the service, the
 * credential signer, the revocation watch and the filter's settings. Built once per application
 * from configuration (or installed by the application, e.g. by the CDI extension, before the
 * filter starts) and kept as a context attribute.
 */
public final class UsherRuntime implements AutoCloseable {

    /** The context attribute that holds the runtime. */
    public static final String ATTRIBUTE = UsherRuntime.class.getName();

    private static final System.Logger LOG = System.getLogger("dev.usher");

    private final UsherService service;
    private final AccountRegistry accounts;
    private final SevuApi api;
    private final SevuTokenResource tokens;
    private final PlaybackCredentials credentials;
    private final RevocationWatch revocations;
    private final MediaGuard guard;
    private final ClientAddressResolver clients;
    private final ManifestRewriteService manifests;
    private final MediaAdmission admission;
    private final FilterSettings filterSettings;
    private final ScheduledExecutorService timer;
    private final LiveRuntime live;

    UsherRuntime(UsherService service, AccountRegistry accounts, Duration apiWindow, PlaybackCredentials credentials,
                 FilterSettings filterSettings, LiveRuntime live) {
        this.service = service;
        this.accounts = accounts;
        // Tenants apart: issuing keeps to each account's apps, and a ticket opens only its account's apps.
        service.enforceNamespaces(new dev.usher.core.account.AppNamespaces(accounts));
        this.live = live;
        this.api = new SevuApi(service, accounts, apiWindow, Clock.systemUTC(), live.commands());
        this.tokens = new SevuTokenResource(service);
        this.credentials = credentials;
        this.filterSettings = filterSettings;
        this.revocations = new RevocationWatch(service.repository(), filterSettings.credentialLifetime());
        this.guard = new MediaGuard(service, credentials, revocations, filterSettings.credentialLifetime());
        this.clients = new ClientAddressResolver(filterSettings.trustedProxies(), filterSettings.forwardedHeader());
        this.manifests = new ManifestRewriteService(filterSettings.maxManifestBytes(), filterSettings.maxConcurrentRewrites());
        this.admission = new MediaAdmission(guard, clients, manifests);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "usher-revocation-watch");
            t.setDaemon(true);
            return t;
        });
        long every = filterSettings.revocationInterval().toMillis();
        timer.scheduleWithFixedDelay(this::refreshRevocations, every, every, TimeUnit.MILLISECONDS);
    }

    private void refreshRevocations() {
        try {
            revocations.refresh(service.now());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "revocation check failed; will retry", e);
        }
    }

    /**
     * Builds a runtime from configuration keys.
     *
     * @throws dev.usher.core.config.UsherConfigurationException listing every problem
     */
    public static UsherRuntime fromConfig(Function<String, Optional<String>> lookup, Iterable<String> names) {
        return fromConfig(lookup, names, null);
    }

    /**
     * Builds a runtime from configuration keys, over {@code repository} when given (an
     * application's own), else the one {@code usher.repository} names.
     *
     * @throws dev.usher.core.config.UsherConfigurationException listing every problem
     */
    public static UsherRuntime fromConfig(Function<String, Optional<String>> lookup, Iterable<String> names,
                                          TicketRepository repository) {
        ConfigReader config = new ConfigReader(lookup);
        AccountRegistry accounts = AccountConfig.read(config, names);
        Duration window = config.duration("usher.api.timestamp-window", Duration.ofMinutes(5));
        UsherSettings settings = UsherSettings.from(config);
        FilterSettings filterSettings = FilterSettings.from(config);
        boolean owned = repository == null;
        if (repository == null) {
            repository = repositoryFromConfig(config, settings);
        } else {
            String kind = config.string("usher.repository", "memory");
            if (!kind.equals("memory") && !kind.equals("jdbc")) {
                config.problem("usher.repository: unknown repository '" + kind + "' (memory, jdbc)");
            }
        }
        // Only a repository of this node's own memory lets the node make up its secret.
        PlaybackCredentials credentials = credentials(config, repository instanceof InMemoryTicketRepository);
        Duration purgeEvery = ScheduledPurge.interval(config);
        UsherService service = new UsherService(repository, settings);
        LiveRuntime live = LiveRuntime.fromConfig(config, service.time(), Clock.systemUTC(), repository);
        config.failOnProblems();
        UsherRuntime runtime = new UsherRuntime(service, accounts, window, credentials, filterSettings, live);
        runtime.startPurge(purgeEvery);
        if (owned && repository instanceof AutoCloseable closeable) {
            runtime.closeWithRuntime = closeable;
        }
        return runtime;
    }

    /**
     * The repository {@code usher.repository} names: {@code memory} (default) or {@code jdbc}
     * ({@code usher.jdbc.datasource}, a JNDI name, or {@code usher.jdbc.url}). Problems are added to
     * {@code config}; a JDBC repository that can't be configured at all fails at once.
     */
    public static TicketRepository repositoryFromConfig(ConfigReader config, UsherSettings settings) {
        String kind = config.string("usher.repository", "memory");
        switch (kind) {
            case "memory":
                return new InMemoryTicketRepository(settings);
            case "jdbc":
                return JdbcTicketRepository.fromConfig(config, settings, UsherRuntime::jndi);
            default:
                config.problem("usher.repository: unknown repository '" + kind + "' (memory, jdbc)");
                return new InMemoryTicketRepository(settings);
        }
    }

    private static javax.sql.DataSource jndi(String name) {
        try {
            return (javax.sql.DataSource) new javax.naming.InitialContext().lookup(name);
        } catch (javax.naming.NamingException | ClassCastException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * Reads {@code usher.credential.secrets}: {@code id:base64secret} pairs separated by commas, the
     * first signing and all verifying (list a new secret first and keep the old one until the
     * credentials it signed have expired). Without it a single node (a repository in this node's
     * memory) generates a secret at start; a shared repository (several nodes) requires it, and the
     * start fails naming the key. A published value ({@link dev.usher.core.config.PublishedSecrets})
     * is refused: it is not a secret.
     */
    private static PlaybackCredentials credentials(ConfigReader config, boolean singleNode) {
        List<String> entries = config.list("usher.credential.secrets", List.of());
        if (entries.isEmpty()) {
            if (!singleNode) {
                config.problem("usher.credential.secrets is required when nodes share a repository "
                        + "(every node must verify the credentials the others sign)");
            }
            LOG.log(System.Logger.Level.WARNING, "usher.credential.secrets is not set: generated a random secret for this node. "
                    + "Playback credentials will not verify on other nodes or after a restart; set it when running several nodes.");
            return PlaybackCredentials.of("k0", PlaybackCredentials.newSecret());
        }
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
                if (dev.usher.core.config.PublishedSecrets.isPublished(secret)) {
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
            return null;
        }
        try {
            return new PlaybackCredentials(current, secrets);
        } catch (IllegalArgumentException e) {
            config.problem("usher.credential.secrets: " + e.getMessage());
            return null;
        }
    }

    /** @return the application's runtime, building it from configuration the first time */
    public static UsherRuntime of(ServletContext context) {
        return of(context, key -> null, List.of());
    }

    /**
     * @param filterParameters init parameters of the filter asking, read after MicroProfile Config
     * @return the application's runtime, building it from configuration the first time
     */
    public static UsherRuntime of(ServletContext context, Function<String, String> filterParameters,
                                  Iterable<String> filterParameterNames) {
        synchronized (context) {
            Object existing = context.getAttribute(ATTRIBUTE);
            if (existing instanceof UsherRuntime runtime) {
                // Built already (by the CDI extension, or by a filter before this one): this filter's
                // usher.* init parameters would be dropped, possibly a security setting. Refuse them.
                List<String> ignored = new java.util.ArrayList<>();
                for (String name : filterParameterNames) {
                    if (name.startsWith("usher.")) {
                        ignored.add("filter init parameter " + name + " is not read: Usher's runtime is already built ("
                                + "by usher-cdi-extension from MicroProfile Config, or by another filter). Set it in "
                                + "MicroProfile Config instead (META-INF/microprofile-config.properties, -D" + name
                                + " or the environment variable " + ConfigLookup.environmentName(name) + ")");
                    }
                }
                if (!ignored.isEmpty()) {
                    throw new dev.usher.core.config.UsherConfigurationException(ignored);
                }
                return runtime;
            }
            UsherRuntime runtime = fromConfig(ConfigLookup.forContext(context, filterParameters),
                    ConfigLookup.names(context, filterParameterNames));
            context.setAttribute(ATTRIBUTE, runtime);
            return runtime;
        }
    }

    /** Makes {@code runtime} the application's runtime; call before the filter starts. */
    public static void install(ServletContext context, UsherRuntime runtime) {
        synchronized (context) {
            Object existing = context.getAttribute(ATTRIBUTE);
            if (existing != null && existing != runtime) {
                LOG.log(System.Logger.Level.WARNING, "Usher was started from configuration before its CDI runtime was "
                        + "installed; the filter may use a different service than the beans");
            }
            context.setAttribute(ATTRIBUTE, runtime);
        }
    }

    /** A runtime over an existing service and no API accounts (tests, the CDI extension). */
    public static UsherRuntime of(UsherService service, PlaybackCredentials credentials,
                                  Function<String, Optional<String>> filterConfig) {
        return of(service, new AccountRegistry(List.of()), credentials, filterConfig);
    }

    /** A runtime over an existing service (tests, the CDI extension). */
    public static UsherRuntime of(UsherService service, AccountRegistry accounts, PlaybackCredentials credentials,
                                  Function<String, Optional<String>> filterConfig) {
        ConfigReader config = new ConfigReader(filterConfig);
        FilterSettings settings = FilterSettings.from(config);
        Duration window = config.duration("usher.api.timestamp-window", Duration.ofMinutes(5));
        Duration purgeEvery = ScheduledPurge.interval(config);
        LiveRuntime live = LiveRuntime.fromConfig(config, service.time(), Clock.systemUTC(), service.repository());
        config.failOnProblems();
        UsherRuntime runtime = new UsherRuntime(service, accounts, window, credentials, settings, live);
        runtime.startPurge(purgeEvery);
        return runtime;
    }

    /** A runtime over an existing service and live part (tests that move live time by hand). */
    public static UsherRuntime of(UsherService service, AccountRegistry accounts, PlaybackCredentials credentials,
                                  Function<String, Optional<String>> filterConfig, LiveRuntime live) {
        ConfigReader config = new ConfigReader(filterConfig);
        FilterSettings settings = FilterSettings.from(config);
        Duration window = config.duration("usher.api.timestamp-window", Duration.ofMinutes(5));
        Duration purgeEvery = ScheduledPurge.interval(config);
        config.failOnProblems();
        UsherRuntime runtime = new UsherRuntime(service, accounts, window, credentials, settings, live);
        runtime.startPurge(purgeEvery);
        return runtime;
    }

    /** The timer that purges the repository ({@code usher.purge-interval}), stopped by {@link #close}. */
    private volatile ScheduledPurge purge;

    private void startPurge(Duration every) {
        purge = ScheduledPurge.start(service.repository(), Clock.systemUTC(), every);
    }

    /** @return whether this runtime purges its repository on a timer */
    public boolean purging() {
        ScheduledPurge p = purge;
        return p != null && p.running();
    }

    public UsherService service() {
        return service;
    }

    public AccountRegistry accounts() {
        return accounts;
    }

    public SevuApi api() {
        return api;
    }

    /** @return live publishing: stream users, publisher log, live streams */
    public LiveRuntime live() {
        return live;
    }

    public SevuTokenResource tokens() {
        return tokens;
    }

    public PlaybackCredentials credentials() {
        return credentials;
    }

    /** @return the guard that decides media requests (used by the filter and by JAX-RS {@code @ProtectedMedia}) */
    public MediaGuard guard() {
        return guard;
    }

    /** @return the rewriting of granted manifests (their slots, bounds and answer) */
    public ManifestRewriteService manifests() {
        return manifests;
    }

    /** @return the HTTP policy of media requests every transport asks (the filter, JAX-RS {@code @ProtectedMedia}) */
    public MediaAdmission admission() {
        return admission;
    }

    /** @return the layout of playback URLs: where they point, and how they are printed and parsed */
    public MediaLayout mediaLayout() {
        return filterSettings.layout();
    }

    /** @return the protected path prefixes, each ending in {@code /} (the first is where playback URLs point) */
    public List<String> protectedPaths() {
        return filterSettings.protectedPaths();
    }

    /** @return the application every protected path belongs to, when configured ({@code usher.filter.app}) */
    public Optional<String> fixedApp() {
        return Optional.ofNullable(filterSettings.fixedApp());
    }

    /**
     * @param headers the values of a request header by name (all of them, in order)
     * @return the client's address, through trusted proxies as configured
     */
    public dev.usher.core.net.IpAddress clientAddress(String remoteAddr, Function<String, List<String>> headers) {
        return clients.resolve(remoteAddr, headers);
    }

    public RevocationWatch revocations() {
        return revocations;
    }

    FilterSettings filterSettings() {
        return filterSettings;
    }

    /** A repository this runtime made from configuration, closed with it (a JDBC pool). */
    private AutoCloseable closeWithRuntime;

    @Override
    public void close() {
        ScheduledPurge p = purge;
        if (p != null) {
            p.close(); // before the pool it uses closes
        }
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS); // a refresh in flight finishes before its pool closes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (closeWithRuntime != null) {
            try {
                closeWithRuntime.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "closing the repository failed", e);
            }
        }
    }
}
