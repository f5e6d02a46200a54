package dev.usher.core;

import dev.usher.core.account.AccountRegistry;
import dev.usher.core.account.AppNamespaces;
import dev.usher.core.api.SevuApi;
import dev.usher.core.api.SevuTokenResource;
import dev.usher.core.api.ViewerCommands;
import dev.usher.core.config.ConfigReader;
import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.guard.MediaGuard;
import dev.usher.core.http.ClientAddressResolver;
import dev.usher.core.http.ManifestRewriteService;
import dev.usher.core.http.MediaAdmission;
import dev.usher.core.http.MediaLayout;
import dev.usher.core.repository.InMemoryTicketRepository;
import dev.usher.core.repository.TicketRepository;
import dev.usher.core.repository.jdbc.JdbcTicketRepository;
import dev.usher.core.service.RevocationWatch;
import dev.usher.core.service.UsherService;
import dev.usher.core.viewer.InMemoryViewerStore;
import dev.usher.core.viewer.NoViewers;
import dev.usher.core.viewer.ViewerStore;

import javax.sql.DataSource;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;

/**
 * Usher's parts, built from one {@link UsherConfiguration}: the ticket store, the service, the
 * credential signer, the revocation watch, the viewer store, the guard and the API's front ends. Every adapter (the
 * servlet runtime, the CDI producers) builds them here, so they are wired alike everywhere; the
 * adapters add only what their container needs (timers, context attributes, events).
 */
public final class UsherAssembly {

    private static final System.Logger LOG = System.getLogger("dev.usher");

    private final UsherConfiguration configuration;
    private final UsherService service;
    private final PlaybackCredentials credentials;
    private final RevocationWatch revocations;
    private final MediaGuard guard;
    private final SevuTokenResource tokens;
    private final ClientAddressResolver clients;
    private final ManifestRewriteService manifests;
    private final MediaAdmission admission;
    private final MediaLayout layout;
    private final ViewerStore viewers;
    private final AutoCloseable owned;

    private UsherAssembly(UsherConfiguration configuration, UsherService service, PlaybackCredentials credentials,
                          AutoCloseable owned) {
        this.configuration = configuration;
        this.service = service;
        this.credentials = credentials;
        this.owned = owned;
        // Tenants apart: issuing keeps to each account's apps, and a ticket opens only its account's apps.
        service.enforceNamespaces(new AppNamespaces(configuration.accounts()));
        this.revocations = new RevocationWatch(service.repository(), configuration.guard().credentialLifetime());
        this.viewers = viewerStore(configuration, service.repository(), service.clock());
        this.guard = new MediaGuard(service, credentials, revocations, configuration.guard().credentialLifetime(), viewers);
        this.tokens = new SevuTokenResource(service);
        UsherConfiguration.Guard g = configuration.guard();
        this.clients = new ClientAddressResolver(g.trustedProxies(), g.forwardedHeader());
        this.manifests = new ManifestRewriteService(g.maxManifestBytes(), g.maxConcurrentRewrites());
        this.admission = new MediaAdmission(guard, clients, manifests);
        this.layout = new MediaLayout(g.protectedPaths(), g.fixedApp());
    }

    /** @return who the client of a request is (trusted proxies walked right to left) */
    public ClientAddressResolver clients() {
        return clients;
    }

    /** @return the rewriting of granted manifests (their slots, bounds and answer) */
    public ManifestRewriteService manifests() {
        return manifests;
    }

    /** @return the HTTP policy of media that every transport (filter, JAX-RS) translates */
    public MediaAdmission admission() {
        return admission;
    }

    /** @return the layout of playback URLs (what parses and prints them) */
    public MediaLayout layout() {
        return layout;
    }

    /**
     * Builds the parts over {@code repository} when given (an application's own), else over the
     * store {@code usher.repository} names. Problems are added to {@code config}; the caller fails
     * once every part has been built.
     *
     * @param jndi finds a data source by JNDI name for {@code usher.jdbc.datasource}
     */
    public static UsherAssembly assemble(ConfigReader config, UsherConfiguration configuration, TicketRepository repository,
                                         Function<String, DataSource> jndi) {
        TicketRepository store = repository != null ? repository : store(config, configuration, jndi);
        AutoCloseable owned = repository == null && store instanceof AutoCloseable c ? c : null;
        // Only a store in this node's own memory lets the node make up its secret.
        PlaybackCredentials credentials = configuration.credentials()
                .orElseGet(() -> generated(config, store instanceof InMemoryTicketRepository));
        return new UsherAssembly(configuration, new UsherService(store, configuration.settings()), credentials, owned);
    }

    /**
     * Builds the parts over an existing service and signer (tests, an application that makes its
     * own), the rest from {@code configuration}.
     */
    public static UsherAssembly over(UsherService service, AccountRegistry accounts, PlaybackCredentials credentials,
                                     UsherConfiguration configuration) {
        UsherConfiguration c = new UsherConfiguration(configuration.settings(), accounts, configuration.api(),
                configuration.guard(), configuration.issue(), configuration.live(), configuration.recordings(), configuration.store(),
                configuration.viewers(), Optional.of(credentials));
        return new UsherAssembly(c, service, credentials, null);
    }

    /**
     * The store {@code usher.repository} names: {@code memory} or {@code jdbc} (built by
     * {@link JdbcTicketRepository#fromConfig}, which reads its own {@code usher.jdbc.*} keys from
     * the same reader; a JDBC store that can't be configured at all fails at once, listing every
     * problem so far).
     */
    public static TicketRepository store(ConfigReader config, UsherConfiguration configuration,
                                         Function<String, DataSource> jndi) {
        if (configuration.store().kind().equals("jdbc")) {
            return JdbcTicketRepository.fromConfig(config, configuration.settings(), jndi);
        }
        return new InMemoryTicketRepository(configuration.settings());
    }

    /**
     * The viewer store {@code usher.viewers.*} asks for: none when counting is off; with a JDBC
     * ticket repository, its database's {@code usher_viewers} table, shared by every node; else this
     * node's memory.
     */
    static ViewerStore viewerStore(UsherConfiguration configuration, TicketRepository repository, Clock clock) {
        UsherConfiguration.Viewers settings = configuration.viewers();
        if (!settings.enabled()) {
            return new NoViewers(settings.window());
        }
        if (repository instanceof JdbcTicketRepository jdbc) {
            // Shared through the ticket repository's database: every node counts alike.
            return dev.usher.core.viewer.jdbc.JdbcViewerStore.start(jdbc.dataSource(),
                    new dev.usher.core.viewer.jdbc.JdbcViewerStore.Options(configuration.store().createSchema(),
                            jdbc.queryTimeout(), settings.window(),
                            settings.flushInterval(), settings.retention(), dev.usher.core.viewer.jdbc.JdbcViewerStore.DEFAULT_MAX_VIEWERS),
                    clock);
        }
        return new InMemoryViewerStore(settings.window(), settings.retention(), InMemoryViewerStore.DEFAULT_MAX_VIEWERS,
                InMemoryViewerStore.DEFAULT_MAX_TICKETS);
    }

    /** Finds a container-managed data source by its JNDI name ({@code usher.jdbc.datasource}). */
    public static DataSource jndi(String name) {
        try {
            return (DataSource) new javax.naming.InitialContext().lookup(name);
        } catch (javax.naming.NamingException | ClassCastException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static PlaybackCredentials generated(ConfigReader config, boolean singleNode) {
        if (!singleNode) {
            config.problem("usher.credential.secrets is required when nodes share a repository "
                    + "(every node must verify the credentials the others sign)");
        }
        LOG.log(System.Logger.Level.WARNING, "usher.credential.secrets is not set: generated a random secret for this node. "
                + "Playback credentials will not verify on other nodes or after a restart; set it when running several nodes.");
        return PlaybackCredentials.of("k0", PlaybackCredentials.newSecret());
    }

    /**
     * @param groups the command groups served besides the ticket commands (the live and recording
     *               commands); a command of no group is answered 0000
     * @return the JSON API over these parts, with the store's shared replay ledger or one of this node
     */
    public SevuApi api(java.util.List<? extends dev.usher.core.api.CommandGroup> groups, Clock clock) {
        java.util.List<dev.usher.core.api.CommandGroup> all = new java.util.ArrayList<>(groups);
        all.add(new ViewerCommands(service, viewers));
        return new SevuApi(service, configuration.accounts(), configuration.api().timestampWindow(), clock,
                dev.usher.core.api.ReplayGuard.sharedOrOwn(service.repository(), clock), all);
    }

    public UsherConfiguration configuration() {
        return configuration;
    }

    public UsherService service() {
        return service;
    }

    public AccountRegistry accounts() {
        return configuration.accounts();
    }

    public PlaybackCredentials credentials() {
        return credentials;
    }

    public RevocationWatch revocations() {
        return revocations;
    }

    public MediaGuard guard() {
        return guard;
    }

    /** @return where the guard tells its sightings and the viewer commands read ({@code usher.viewers.*}) */
    public ViewerStore viewers() {
        return viewers;
    }

    /** @return the v2 token resource */
    public SevuTokenResource tokens() {
        return tokens;
    }

    /** @return the store built from configuration, which its owner closes; empty for one given */
    public Optional<AutoCloseable> ownedStore() {
        return Optional.ofNullable(owned);
    }
}
