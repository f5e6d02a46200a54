package dev.usher.cdi;

import dev.usher.core.account.Account;
import dev.usher.core.UsherAssembly;
import dev.usher.core.UsherConfiguration;
import dev.usher.core.config.ConfigReader;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.repository.TicketRepository;
import dev.usher.core.service.UsherListener;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;
import dev.usher.servlet.UsherRuntime;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.spi.BeanManager;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import jakarta.servlet.ServletContext;
import org.eclipse.microprofile.config.Config;

import java.util.Set;
import java.util.TreeSet;

/**
 * Produces Usher's parts from MicroProfile Config, read once as one {@link UsherConfiguration}: the repository ({@code usher.repository}), the
 * runtime the servlet filter and API share, the service, and the issuing defaults. An application
 * replaces the repository with its own {@code TicketRepository} bean declared
 * {@code @Alternative @Priority(…)}, nothing else changed.
 *
 * <p>The runtime is built when the application starts, so a bad setting fails the deployment with
 * every problem listed; in a web application it is installed in the servlet context, so the
 * filter and the API use the very same service as the beans.
 */
@ApplicationScoped
public class UsherProducers {

    @Inject
    Config config;

    @Inject
    Event<TicketIssued> issued;

    @Inject
    Event<PlaybackDecided> decided;

    @Inject
    Event<RecordingEvent> recordings;

    @Inject
    Event<DiskLow> diskLow;

    /** The one reader of every key; the store's factory and the runtime add their problems to it. */
    private ConfigReader reader;

    private UsherConfiguration configuration;

    /** Reads the whole configuration once, the first time a part needs it. */
    private synchronized ConfigReader reader() {
        if (reader == null) {
            ConfigReader read = new ConfigReader(key -> config.getOptionalValue(key, String.class));
            configuration = UsherConfiguration.read(read, names());
            reader = read;
        }
        return reader;
    }

    /**
     * Every configured name: MicroProfile Config's, and the environment's as they are named
     * ({@code USHER_ACCOUNT_158_API_KEY}): not every Config lists the variables it reads, and an
     * account given only by the environment must still be found, as the filter alone finds it.
     */
    private Set<String> names() {
        Set<String> names = new TreeSet<>();
        config.getPropertyNames().forEach(names::add);
        names.addAll(System.getenv().keySet());
        return names;
    }

    /** Not proxied ({@code @Singleton}), so the runtime can tell a node-local repository from a shared one. */
    @Produces
    @Singleton
    TicketRepository repository() {
        // Problems (a bad setting, an unknown usher.repository) are reported all together when the
        // runtime is built from the same reader, right after this.
        ConfigReader read = reader();
        return UsherAssembly.store(read, configuration, UsherAssembly::jndi);
    }

    void closeRepository(@Disposes TicketRepository repository) throws Exception {
        if (repository instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    @Produces
    @Singleton
    UsherRuntime runtime(TicketRepository repository) {
        ConfigReader read = reader();
        UsherRuntime runtime = UsherRuntime.start(read, configuration, repository);
        runtime.service().addListener(new UsherListener() {
            @Override
            public void issued(Account account, Ticket ticket) {
                issued.fire(new TicketIssued(account.cdnId(), ticket));
            }

            @Override
            public void decided(PlaybackRequest request, Decision decision) {
                decided.fire(new PlaybackDecided(request, decision));
            }
        });
        runtime.live().recordingListeners().add(new dev.usher.core.live.record.RecordingListener() {
            @Override
            public void started(dev.usher.core.live.record.Recording r) {
                recordings.fire(new RecordingEvent(RecordingEvent.Kind.STARTED, r));
            }

            @Override
            public void finished(dev.usher.core.live.record.Recording r) {
                recordings.fire(new RecordingEvent(RecordingEvent.Kind.FINISHED, r));
            }

            @Override
            public void diskLow(String app, String stream, long free, long floor) {
                diskLow.fire(new DiskLow(app, stream, free, floor));
            }
        });
        return runtime;
    }

    void close(@Disposes UsherRuntime runtime) {
        runtime.close();
    }

    @Produces
    @Singleton
    UsherService service(UsherRuntime runtime) {
        return runtime.service();
    }

    @Produces
    @Singleton
    IssueDefaults issueDefaults(UsherRuntime runtime) {
        return IssueDefaults.of(runtime.configuration().issue());
    }

    /**
     * Builds everything at start-up (failing the deployment on a bad setting) and, in a web
     * application, hands the runtime to the filter and the API through the servlet context.
     *
     * <p>Static, and in a servlet container acting only on the web application's own event: GlassFish
     * also fires this event for a library jar's beans while it deploys, outside any component, and
     * logs SEVERE "No valid EE environment for injection" for each bean created then. There the
     * runtime is built when the application starts, by {@link UsherCdiListener} or by this event
     * with the {@code ServletContext}, whichever comes first.
     */
    static void start(@Observes @Initialized(ApplicationScoped.class) Object event, BeanManager beans) {
        boolean web = isServletContext(event);
        if (!web && inServletContainer(beans)) {
            return;
        }
        if (web) {
            ContextParameterCheck.refuseUsherParameters((ServletContext) event);
        }
        UsherRuntime runtime = started(beans.createInstance());
        if (web) {
            UsherRuntime.install((ServletContext) event, runtime);
        }
    }

    /** The runtime, built with every check a start makes: what the observer and {@link UsherCdiListener} install. */
    static UsherRuntime started(Instance<Object> beans) {
        UsherRuntime runtime = beans.select(UsherRuntime.class).get();
        beans.select(IssueDefaults.class).get();
        return runtime;
    }

    private static boolean inServletContainer(BeanManager beans) {
        try {
            return !beans.getBeans(ServletContext.class).isEmpty();
        } catch (LinkageError e) {
            return false; // no Servlet API
        }
    }

    private static boolean isServletContext(Object event) {
        try {
            return event instanceof ServletContext;
        } catch (LinkageError e) {
            return false; // no Servlet API: not a web application
        }
    }
}
