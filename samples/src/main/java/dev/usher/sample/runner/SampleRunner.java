package dev.usher.sample.runner;

import dev.usher.cdi.UsherCdiListener;

import dev.usher.sample.DemoUsers;
import dev.usher.sample.LogoutServlet;
import dev.usher.sample.SampleApplication;
import dev.usher.sample.SigninServlet;
import dev.usher.servlet.UsherFilter;
import dev.usher.servlet.UsherInitializer;
import jakarta.servlet.DispatcherType;
import org.eclipse.jetty.ee10.servlet.DecoratingListener;
import org.eclipse.jetty.ee10.servlet.DefaultServlet;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.ResourceServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.servlet.security.ConstraintMapping;
import org.eclipse.jetty.ee10.servlet.security.ConstraintSecurityHandler;
import org.eclipse.jetty.security.Constraint;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.security.authentication.FormAuthenticator;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.Resource;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.security.Password;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.resteasy.plugins.server.servlet.HttpServletDispatcher;
import org.jboss.weld.environment.servlet.Listener;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;

/**
 * The sample site in one command: {@code java -jar samples/target/usher-sample.jar}.
 *
 * <p>Embedded Jetty 12 (ee10) with Weld, RESTEasy and SmallRye Config deploys the same classes,
 * pages and settings as the WAR, wired by hand the way the WAR's descriptors and the server wire
 * them there: Usher's filter on {@code /*} (its web-fragment.xml), its API servlet (its
 * ServletContainerInitializer), the JAX-RS application at {@code /api}, static files, the
 * protected media at {@code /media/}, and form login over {@link DemoUsers} with the same
 * {@code login.html} (Jakarta Security does it in the WAR).
 *
 * <p>Settings (MicroProfile Config: {@code -Dkey=value} or the environment variable, e.g.
 * {@code USHER_SAMPLE_PORT}):
 * <ul>
 * <li>{@code usher.sample.port} — default 8080; 0 picks a free port</li>
 * <li>{@code usher.sample.host} — the address to listen on, default {@code 127.0.0.1} (this machine only);
 *     {@code 0.0.0.0} for every interface</li>
 * <li>{@code usher.sample.media-dir} — the folder served under {@code /media/{app}/{path}}; default the
 *     bundled demo media (app {@code demo-vod})</li>
 * <li>{@code usher.sample.data-dir} — where tickets (H2) and this node's secrets ({@link SampleSecrets})
 *     are kept; default {@code ./usher-sample-data}</li>
 * <li>every {@code usher.*} key of the README's table, e.g. {@code usher.trusted-proxies}</li>
 * </ul>
 * When ready it prints exactly one line to standard output:
 * {@code Usher sample listening on http://HOST:PORT/}.
 */
public final class SampleRunner {

    private SampleRunner() {
    }

    public static void main(String[] args) throws Exception {
        // Weld, RESTEasy and SmallRye log through jboss-logging: send it to Jetty's SLF4J logger
        // (levels in jetty-logging.properties) so that the ready line stands out.
        System.setProperty("org.jboss.logging.provider", System.getProperty("org.jboss.logging.provider", "slf4j"));
        Path data = dataDir();
        keepTicketsInH2File(data);
        liveIngestInDataFolder(data);
        Path secrets;
        try {
            secrets = SampleSecrets.install(data);
        } catch (IllegalArgumentException e) {
            System.err.println("usher-sample: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (secrets != null) {
            // The path, never the secret: logs are read by more people than the data folder.
            System.err.println("usher-sample: this node's secrets (owner-only) are in " + secrets + "; the demo API account "
                    + SampleSecrets.DEMO_CDN + " signs with its " + SampleSecrets.ACCOUNT_SECRET_KEY);
        }
        Config config = ConfigProvider.getConfig(SampleRunner.class.getClassLoader());
        Server server;
        try {
            server = start(config);
        } catch (IllegalArgumentException | dev.usher.core.config.UsherConfigurationException e) {
            // A bad setting: its message lists every problem (never a secret); no stack trace.
            System.err.println("usher-sample: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println("Usher sample listening on " + url(server, config));
        System.out.flush();
        server.join();
    }

    /** @return {@code usher.sample.data-dir} (system property or {@code USHER_SAMPLE_DATA_DIR}), default {@code ./usher-sample-data} */
    static Path dataDir() {
        String dir = System.getProperty("usher.sample.data-dir", System.getenv("USHER_SAMPLE_DATA_DIR"));
        return Path.of(dir == null || dir.isBlank() ? "usher-sample-data" : dir).toAbsolutePath().normalize();
    }

    /**
     * The runner keeps tickets in an H2 database in its data folder ({@code ./usher-sample-data/}), so
     * they survive a restart; the WAR keeps them in memory unless configured otherwise. Set
     * {@code usher.repository} (or {@code USHER_REPOSITORY}) to choose for yourself.
     */
    static void keepTicketsInH2File(Path data) {
        if (System.getProperty("usher.repository") == null && System.getenv("USHER_REPOSITORY") == null) {
            System.setProperty("usher.repository", "jdbc");
            if (!SampleSecrets.isSet("usher.jdbc.url")) {
                System.setProperty("usher.jdbc.url", "jdbc:h2:file:" + data.resolve("tickets"));
            }
            System.setProperty("usher.jdbc.create-schema", "true");
        }
    }

    /**
     * The runner accepts live ingest out of the box: encoders publish to
     * {@code /usher/ingest/demo-live/{stream}/playlist.m3u8} and Usher keeps the streams in
     * {@code ./usher-sample-data/live/} (unless {@code usher.ingest.dir} is set); viewers play
     * {@code /media/demo-live/{stream}/playlist.m3u8}. The WAR ingests only where configured.
     */
    static void liveIngestInDataFolder(Path data) {
        if (System.getProperty("usher.ingest.dir") == null && System.getenv("USHER_INGEST_DIR") == null) {
            System.setProperty("usher.ingest.dir", data.resolve("live").toString());
        }
    }

    /** Starts the site on the configured host and port. */
    public static Server start(Config config) throws Exception {
        int port = config.getOptionalValue("usher.sample.port", Integer.class).orElse(8080);
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("usher.sample.port: " + port + " is not a port (0 picks a free one)");
        }
        String host = config.getOptionalValue("usher.sample.host", String.class).orElse("127.0.0.1");
        String mediaDir = config.getOptionalValue("usher.sample.media-dir", String.class).orElse(null);

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(site(server, mediaDir, config.getOptionalValue("usher.ingest.dir", String.class).orElse(null)));
        server.setStopAtShutdown(true);
        server.start();
        if (!server.isStarted() || server.getHandler() == null || !server.getHandler().isStarted()) {
            server.stop();
            throw new IllegalStateException("the site did not start: see the log above");
        }
        return server;
    }

    /** @return {@code http://HOST:PORT/} of a started server */
    public static String url(Server server, Config config) {
        String host = config.getOptionalValue("usher.sample.host", String.class).orElse("127.0.0.1");
        if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
            host = "localhost";
        } else if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + "/";
    }

    private static ServletContextHandler site(Server server, String mediaDir, String liveDir) throws java.io.IOException {
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS | ServletContextHandler.SECURITY);
        context.setContextPath("/");
        context.setDisplayName("Usher sample");
        context.setClassLoader(SampleRunner.class.getClassLoader());
        ResourceFactory resources = ResourceFactory.of(context);
        Resource webroot = bundled(resources, "webroot/");
        context.setBaseResource(webroot);
        Resource media = media(resources, mediaDir);
        context.setInitParameter("org.jboss.weld.discovery.disableJandexDiscovery", "true");
        context.getMimeTypes().addMimeMapping("m3u8", "application/vnd.apple.mpegurl");
        context.getMimeTypes().addMimeMapping("mpd", "application/dash+xml");
        context.getMimeTypes().addMimeMapping("m4s", "video/iso.segment");
        context.getMimeTypes().addMimeMapping("ts", "video/mp2t");

        // CDI: Jetty's decorating listener lets Weld inject into filters and servlets.
        context.setAttribute("org.eclipse.jetty.cdi", "CdiDecoratingListener");
        context.addEventListener(new DecoratingListener(context, "org.eclipse.jetty.cdi.decorator"));
        context.addEventListener(new Listener());
        context.addEventListener(new UsherCdiListener()); // what usher-cdi-extension's web-fragment.xml does in a WAR

        // What usher-servlet-filter's web-fragment.xml and ServletContainerInitializer do in a WAR.
        context.addServletContainerInitializer(new UsherInitializer());
        context.addFilter(UsherFilter.class, "/*", EnumSet.allOf(DispatcherType.class)).setAsyncSupported(true);

        // The JAX-RS application (@ApplicationPath("api") in the WAR).
        ServletHolder api = context.addServlet(HttpServletDispatcher.class, "/api/*");
        api.setInitParameter("jakarta.ws.rs.Application", SampleApplication.class.getName());
        api.setInitParameter("resteasy.servlet.mapping.prefix", "/api");
        api.setInitParameter("resteasy.injector.factory", "org.jboss.resteasy.cdi.CdiInjectorFactory");
        api.setInitOrder(2);

        // Jakarta Faces for the Facelets page watch.xhtml (the WAR's web.xml maps the server's own).
        context.setInitParameter("jakarta.faces.PROJECT_STAGE", "Production");
        // No FacesInitializer runs here (no annotation scan), so Mojarra is told to configure itself.
        context.setInitParameter("com.sun.faces.forceLoadConfiguration", "true");
        context.setInitParameter("jakarta.faces.FACELETS_SKIP_COMMENTS", "true");
        // The pages have no forms: no view state, so a visitor gets no session from a page view.
        context.setInitParameter("jakarta.faces.STATE_SAVING_METHOD", "client");
        context.addEventListener(new com.sun.faces.config.ConfigureListener());
        ServletHolder faces = new ServletHolder("faces", jakarta.faces.webapp.FacesServlet.class);
        faces.setInitOrder(1);
        context.addServlet(faces, "*.xhtml");

        context.addServlet(SigninServlet.class, "/signin");
        context.addServlet(LogoutServlet.class, "/logout");

        // The protected media, /media/{app}/{path}: Range requests answered 206.
        ServletHolder files = new ServletHolder("media", ResourceServlet.class);
        files.setInitParameter("baseResource", media.getURI().toASCIIString());
        files.setInitParameter("pathInfoOnly", "true");
        files.setInitParameter("dirAllowed", "false");
        context.addServlet(files, "/media/*");
        if (liveDir != null) {
            // Live streams of the app demo-live: the playlists Usher generates from encoders' uploads, no cache.
            Path live = Files.createDirectories(Path.of(liveDir).toAbsolutePath().normalize().resolve("demo-live"));
            ServletHolder liveFiles = new ServletHolder("live-media", ResourceServlet.class);
            liveFiles.setInitParameter("baseResource", live.toUri().toASCIIString());
            liveFiles.setInitParameter("pathInfoOnly", "true");
            liveFiles.setInitParameter("dirAllowed", "false");
            liveFiles.setInitParameter("maxCacheSize", "0");
            context.addServlet(liveFiles, "/media/demo-live/*");
        }

        ServletHolder pages = new ServletHolder("default", DefaultServlet.class);
        pages.setInitParameter("dirAllowed", "false");
        context.addServlet(pages, "/");
        context.setWelcomeFiles(new String[] {"index.html"});

        context.setSecurityHandler(security());

        // The site's own error pages, as the WAR's web.xml names them.
        ErrorPageErrorHandler errors = new ErrorPageErrorHandler();
        errors.addErrorPage(404, "/not-found.xhtml");
        errors.addErrorPage(ErrorPageErrorHandler.GLOBAL_ERROR_PAGE, "/error.xhtml");
        context.setErrorHandler(errors);
        return context;
    }

    private static Resource media(ResourceFactory resources, String mediaDir) {
        if (mediaDir == null || mediaDir.isBlank()) {
            return bundled(resources, "webroot/media/");
        }
        Path dir = Path.of(mediaDir).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("usher.sample.media-dir: " + dir + " is not a folder");
        }
        return resources.newResource(dir);
    }

    /** @return a folder packaged in the runner's jar (or in target/classes when run from the build) */
    private static Resource bundled(ResourceFactory resources, String name) {
        java.net.URL url = SampleRunner.class.getClassLoader().getResource(name);
        if (url == null) {
            throw new IllegalStateException(name + " is not on the class path: run the jar built by mvn package");
        }
        try {
            return resources.newResource(url.toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Form login over the demo users; /signin and the tickets page need a signed-in user, the console an operator. */
    private static ConstraintSecurityHandler security() {
        UserStore users = new UserStore();
        DemoUsers.USERS.forEach((name, password) -> users.addUser(name, new Password(password),
                DemoUsers.rolesOf(name).toArray(String[]::new)));
        HashLoginService login = new HashLoginService("usher-sample");
        login.setUserStore(users);

        ConstraintSecurityHandler security = new ConstraintSecurityHandler();
        security.setLoginService(login);
        security.setAuthenticator(new FormAuthenticator("/login.html", "/login.html?error=1", false));
        for (String path : List.of("/signin", "/tickets.html")) {
            ConstraintMapping mapping = new ConstraintMapping();
            mapping.setPathSpec(path);
            mapping.setConstraint(Constraint.ANY_USER);
            security.addConstraintMapping(mapping);
        }
        // The operator console's page: signed out, the login form; signed in without the role, 403.
        // Its API (/api/operator/) checks the role itself and answers JSON (OperatorResource).
        ConstraintMapping console = new ConstraintMapping();
        console.setPathSpec("/operator.html");
        console.setConstraint(Constraint.from(DemoUsers.OPERATOR_ROLE));
        security.addConstraintMapping(console);
        return security;
    }
}
