package dev.usher.servlet;

import dev.usher.core.account.Account;
import dev.usher.core.account.AccountRegistry;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.live.LiveSettings;
import dev.usher.core.live.StreamUserRequest;
import dev.usher.core.repository.InMemoryTicketRepository;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;
import dev.usher.testing.MutableClock;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.MultipartConfigElement;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ResourceServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Jetty 12 server as a live deployment runs: the ingest folder is the media folder
 * ({@code /media/{app}/{stream}/playlist.m3u8} served by the container's static files under the
 * Usher filter), the API at {@code /usher/}, ingest at {@code /usher/ingest/*}; live time on a
 * clock the test moves.
 */
final class LiveServer implements AutoCloseable {

    /** GuardedServer's account, owning the app "live" its streams are published to (usher.account.158.apps). */
    static final Account ACCOUNT = new Account(GuardedServer.ACCOUNT.cdnId(), GuardedServer.ACCOUNT.apiKey(),
            GuardedServer.ACCOUNT.secret(), GuardedServer.ACCOUNT.username(),
            dev.usher.core.rule.PatternList.parse("usher.account.158.apps", "live|demo-*"));

    final Server server;
    final ServerConnector network;
    final UsherService service;
    final LiveRuntime live;
    final MutableClock clock = new MutableClock(Instant.now());
    final Path root;

    LiveServer(Path root, LiveSettings settings) throws Exception {
        this(root, settings, true, null, new dev.usher.core.live.InMemoryStreamUserStore(),
                new dev.usher.core.live.stream.InMemoryIngestLeases());
    }

    /** @param asyncIngest whether the ingest servlet is registered async-supported (else its bodies are read blocking) */
    LiveServer(Path root, LiveSettings settings, boolean asyncIngest) throws Exception {
        this(root, settings, asyncIngest, null, new dev.usher.core.live.InMemoryStreamUserStore(),
                new dev.usher.core.live.stream.InMemoryIngestLeases());
    }

    /** @param recordings how it records (null: the defaults of the ingest folder) */
    LiveServer(Path root, LiveSettings settings, dev.usher.core.live.record.RecordingSettings recordings) throws Exception {
        this(root, settings, true, recordings, new dev.usher.core.live.InMemoryStreamUserStore(),
                new dev.usher.core.live.stream.InMemoryIngestLeases());
    }

    /** A node whose stream users and ingest leases are in {@code users} and {@code leases} (shared by several nodes). */
    LiveServer(Path root, LiveSettings settings, dev.usher.core.live.StreamUserStore users,
               dev.usher.core.live.stream.IngestLeases leases) throws Exception {
        this(root, settings, true, null, users, leases);
    }

    private LiveServer(Path root, LiveSettings settings, boolean asyncIngest,
                       dev.usher.core.live.record.RecordingSettings recordings, dev.usher.core.live.StreamUserStore users,
                       dev.usher.core.live.stream.IngestLeases leases) throws Exception {
        this.root = root;
        server = new Server();
        network = new ServerConnector(server);
        network.setHost("127.0.0.1");
        server.addConnector(network);
        ServletContextHandler context = new ServletContextHandler("/");
        service = new UsherService(new InMemoryTicketRepository(UsherSettings.defaults().withServerName("live-test")),
                UsherSettings.defaults());
        live = recordings == null ? LiveRuntime.create(settings.withIngestDir(root), service.time(), clock, users, leases)
                : LiveRuntime.create(settings.withIngestDir(root), recordings, service.time(), clock, users, leases);
        UsherRuntime runtime = UsherRuntime.of(service, new AccountRegistry(List.of(ACCOUNT)),
                PlaybackCredentials.of("t1", PlaybackCredentials.newSecret()), k -> Optional.empty(), live);
        UsherRuntime.install(context.getServletContext(), runtime);

        FilterHolder filter = new FilterHolder(UsherFilter.class);
        filter.setAsyncSupported(true);
        context.addFilter(filter, "/*", EnumSet.allOf(DispatcherType.class));
        ServletHolder media = new ServletHolder("media", ResourceServlet.class);
        media.setInitParameter("baseResource", root.toUri().toString());
        media.setInitParameter("pathInfoOnly", "true");
        media.setInitParameter("dirAllowed", "false");
        media.setAsyncSupported(true);
        context.addServlet(media, "/media/*");
        ServletHolder api = new ServletHolder("usher-api", UsherApiServlet.class);
        api.getRegistration().setMultipartConfig(new MultipartConfigElement(null, UsherApiServlet.MAX_BODY, UsherApiServlet.MAX_BODY, 0));
        context.addServlet(api, "/usher/*");
        ServletHolder ingest = new ServletHolder("usher-ingest", UsherIngestServlet.class);
        ingest.setAsyncSupported(asyncIngest);
        context.addServlet(ingest, "/usher/ingest/*");
        ServletHolder player = new ServletHolder("player", ResourceServlet.class);
        player.setInitParameter("baseResource", dev.usher.servlet.testing.MediaServer.playerFolder().toUri().toString());
        player.setInitParameter("pathInfoOnly", "true");
        context.addServlet(player, "/player/*");
        server.setHandler(context);
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + network.getLocalPort();
    }

    int port() {
        return network.getLocalPort();
    }

    void addStreamUser(String app, String stream, String user, String pass) throws Exception {
        live.users().add(ACCOUNT.cdnId(), StreamUserRequest.of(app, stream, user, pass));
    }

    Ticket ticket(String app, String video) {
        return service.issue(ACCOUNT, IssueRequest.of(app, video, "pass-" + System.nanoTime(), "127.0.0.1", 5, "+1 hour"));
    }

    String playbackUrl(Ticket t, String app, String path) {
        return base() + "/media/" + app + "/" + path + "?key=" + t.key() + "&pass=" + t.pass();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    static Map<String, String> none() {
        return Map.of();
    }
}
