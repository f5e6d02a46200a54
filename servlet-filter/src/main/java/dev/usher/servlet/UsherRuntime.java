package dev.usher.servlet;

import dev.usher.core.UsherAssembly;
import dev.usher.core.UsherConfiguration;
import dev.usher.core.account.AccountRegistry;
import dev.usher.core.api.SevuApi;
import dev.usher.core.api.SevuTokenResource;
import dev.usher.core.config.ConfigReader;
import dev.usher.core.config.UsherConfigurationException;
import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.guard.MediaGuard;
import dev.usher.core.http.ManifestRewriteService;
import dev.usher.core.http.MediaAdmission;
import dev.usher.core.http.MediaLayout;
import dev.usher.core.repository.ScheduledPurge;
import dev.usher.core.repository.TicketRepository;
import dev.usher.core.service.RevocationWatch;
import dev.usher.core.service.UsherService;
import jakarta.servlet.ServletContext;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What the filter and the API servlets of one web application share, and what only a servlet
 * container needs of it: the parts {@link UsherAssembly} built from the one
 * {@link UsherConfiguration}, kept as a context attribute, with the timers of the revocation watch
 * and the purge, closed with the application. Built once per application from configuration (or
 * installed by the application, e.g. by the CDI extension, before the filter starts).
 */
public final class UsherRuntime implements AutoCloseable {

    /** The context attribute that holds the runtime. */
    public static final String ATTRIBUTE = UsherRuntime.class.getName();

    private static final System.Logger LOG = System.getLogger("dev.usher");

    private final UsherAssembly parts;
    private final SevuApi api;
    private final ApiSettings apiSettings;
    private final ScheduledExecutorService timer;
    private final LiveRuntime live;

    /** @return the viewer store counting this node's viewers (shared through the database with a JDBC repository) */
    public dev.usher.core.viewer.ViewerStore viewers() {
        return parts.viewers();
    }

    private UsherRuntime(UsherAssembly parts, LiveRuntime live) {
        this.parts = parts;
        this.live = live;
        this.api = parts.api(live.commands(), Clock.systemUTC());
        this.apiSettings = ApiSettings.of(parts.configuration().api());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "usher-revocation-watch");
            t.setDaemon(true);
            return t;
        });
        long every = parts.configuration().guard().revocationInterval().toMillis();
        timer.scheduleWithFixedDelay(this::refreshRevocations, every, every, TimeUnit.MILLISECONDS);
        this.purge = ScheduledPurge.start(parts.service().repository(), Clock.systemUTC(),
                parts.configuration().store().purgeInterval());
        this.closeWithRuntime = parts.ownedStore().orElse(null);
    }

    private void refreshRevocations() {
        try {
            parts.revocations().refresh(parts.service().now());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "revocation check failed; will retry", e);
        }
    }

    /**
     * Builds a runtime from configuration keys.
     *
     * @throws UsherConfigurationException listing every problem
     */
    public static UsherRuntime fromConfig(Function<String, Optional<String>> lookup, Iterable<String> names) {
        return fromConfig(lookup, names, null);
    }

    /**
     * Builds a runtime from configuration keys, over {@code repository} when given (an
     * application's own), else the one {@code usher.repository} names.
     *
     * @throws UsherConfigurationException listing every problem
     */
    public static UsherRuntime fromConfig(Function<String, Optional<String>> lookup, Iterable<String> names,
                                          TicketRepository repository) {
        ConfigReader config = new ConfigReader(lookup);
        return start(config, UsherConfiguration.read(config, names), repository);
    }

    /**
     * Builds a runtime from a configuration read through {@code config}, over {@code repository}
     * when given, failing with every problem {@code config} holds by then (the reading's, the
     * store's, the live folder's).
     *
     * @throws UsherConfigurationException listing every problem
     */
    public static UsherRuntime start(ConfigReader config, UsherConfiguration configuration, TicketRepository repository) {
        UsherAssembly parts = UsherAssembly.assemble(config, configuration, repository, UsherAssembly::jndi);
        LiveRuntime live = LiveRuntime.fromConfig(config, configuration, parts.service().time(), Clock.systemUTC(),
                parts.service().repository());
        try {
            config.failOnProblems();
        } catch (UsherConfigurationException e) {
            parts.ownedStore().ifPresent(UsherRuntime::closeQuietly);
            throw e;
        }
        return new UsherRuntime(parts, live);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "closing the repository failed", e);
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
                    throw new UsherConfigurationException(ignored);
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
        UsherConfiguration configuration = UsherConfiguration.read(config, List.of());
        LiveRuntime live = LiveRuntime.fromConfig(config, configuration, service.time(), Clock.systemUTC(), service.repository());
        config.failOnProblems();
        return new UsherRuntime(UsherAssembly.over(service, accounts, credentials, configuration), live);
    }

    /** A runtime over an existing service and live part (tests that move live time by hand). */
    public static UsherRuntime of(UsherService service, AccountRegistry accounts, PlaybackCredentials credentials,
                                  Function<String, Optional<String>> filterConfig, LiveRuntime live) {
        return new UsherRuntime(UsherAssembly.over(service, accounts, credentials, UsherConfiguration.of(filterConfig, List.of())),
                live);
    }

    /** The timer that purges the repository ({@code usher.purge-interval}), stopped by {@link #close}. */
    private final ScheduledPurge purge;

    /** @return whether this runtime purges its repository on a timer */
    public boolean purging() {
        ScheduledPurge p = purge;
        return p != null && p.running();
    }

    /** @return the configuration this runtime was built from */
    public UsherConfiguration configuration() {
        return parts.configuration();
    }

    public UsherService service() {
        return parts.service();
    }

    public AccountRegistry accounts() {
        return parts.accounts();
    }

    public SevuApi api() {
        return api;
    }

    /** @return live publishing: stream users, publisher log, live streams */
    public LiveRuntime live() {
        return live;
    }

    public SevuTokenResource tokens() {
        return parts.tokens();
    }

    public PlaybackCredentials credentials() {
        return parts.credentials();
    }

    /** @return the guard that decides media requests (used by the filter and by JAX-RS {@code @ProtectedMedia}) */
    public MediaGuard guard() {
        return parts.guard();
    }

    /** @return the rewriting of granted manifests (their slots, bounds and answer) */
    public ManifestRewriteService manifests() {
        return parts.manifests();
    }

    /** @return the HTTP policy of media requests every transport asks (the filter, JAX-RS {@code @ProtectedMedia}) */
    public MediaAdmission admission() {
        return parts.admission();
    }

    /** @return the layout of playback URLs: where they point, and how they are printed and parsed */
    public MediaLayout mediaLayout() {
        return parts.layout();
    }

    /** @return the protected path prefixes, each ending in {@code /} (the first is where playback URLs point) */
    public List<String> protectedPaths() {
        return parts.layout().prefixes();
    }

    /** @return the application every protected path belongs to, when configured ({@code usher.filter.app}) */
    public Optional<String> fixedApp() {
        return Optional.ofNullable(parts.layout().fixedApp());
    }

    /**
     * @param headers the values of a request header by name (all of them, in order)
     * @return the client's address, through trusted proxies as configured
     */
    public dev.usher.core.net.IpAddress clientAddress(String remoteAddr, Function<String, List<String>> headers) {
        return parts.clients().resolve(remoteAddr, headers);
    }

    public RevocationWatch revocations() {
        return parts.revocations();
    }

    ApiSettings apiSettings() {
        return apiSettings;
    }

    /** A repository this runtime made from configuration, closed with it (a JDBC pool). */
    private final AutoCloseable closeWithRuntime;

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
        closeQuietly(parts.viewers()); // its last flush, before the pool it writes through closes
        if (closeWithRuntime != null) {
            closeQuietly(closeWithRuntime);
        }
    }
}
