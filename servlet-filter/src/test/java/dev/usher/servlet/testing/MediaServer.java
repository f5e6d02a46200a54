package dev.usher.servlet.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.usher.testing.Tools;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.Servlet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.EventListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ResourceServlet;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An embedded Jetty 12 (ee10) on 127.0.0.1, random port, serving:
 * <ul>
 *   <li>{@code /media/*}: a media folder (by default {@link TestMedia#root()}, so
 *       {@code /media/vod/hls-ts/master.m3u8} …) through Jetty's {@link ResourceServlet}
 *       ({@code pathInfoOnly=true}, {@code dirAllowed=false}): Range → 206, bad range → 416;</li>
 *   <li>{@code /player/*}: the player pages {@code hls.html}, {@code dash.html}, {@code mp4.html}
 *       (each takes {@code ?src=MEDIA_URL}, optionally {@code &append=QUERY}) with {@code hls.min.js}
 *       and {@code dash.all.min.js} from the repository's node_modules.</li>
 * </ul>
 * Filters under test are added with {@link Builder#filter}; the context path is {@code /}.
 *
 * <pre>{@code
 * try (MediaServer server = MediaServer.builder()
 *         .filter(UsherFilter.class, "/media/*", Map.of("app", "vod"))
 *         .start()) {
 *     Ffprobe.probe(server.mediaUrl(TestMedia.HLS_TS));
 * }
 * }</pre>
 */
public final class MediaServer implements AutoCloseable {

    static {
        // Keep Jetty's INFO lines out of the build output (jetty-slf4j-impl reads system properties).
        if (System.getProperty("org.eclipse.jetty.LEVEL") == null) {
            System.setProperty("org.eclipse.jetty.LEVEL", "WARN");
        }
    }

    /** One request as the server answered it (recorded by Jetty's request log after the response completed). */
    public record ServedRequest(String method, String uri, String range, int status) {
    }

    private final Server server;
    private final ServletContextHandler context;
    private final String baseUrl;
    private final List<ServedRequest> served;

    private MediaServer(Server server, ServletContextHandler context, String baseUrl, List<ServedRequest> served) {
        this.server = server;
        this.context = context;
        this.baseUrl = baseUrl;
        this.served = served;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** An unprotected server over the test media. */
    public static MediaServer start() {
        return builder().start();
    }

    /** {@code http://127.0.0.1:PORT}, no trailing slash. */
    public String baseUrl() {
        return baseUrl;
    }

    public int port() {
        return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    }

    /** URL of a media file by its path under the media root, e.g. {@code mediaUrl(TestMedia.MP4)}. */
    public String mediaUrl(String relativePath) {
        return baseUrl + "/media/" + stripSlash(relativePath);
    }

    /** URL of a file under {@code /player/}. */
    public String playerUrl(String page) {
        return baseUrl + "/player/" + stripSlash(page);
    }

    /** URL of a player page playing {@code mediaUrl}; {@code appendQuery} (may be null) is added by the player to every request. */
    public String playerPageUrl(BrowserPlayer.Kind kind, String mediaUrl, String appendQuery) {
        StringBuilder url = new StringBuilder(playerUrl(kind.page())).append('?');
        if (!kind.pageQuery().isEmpty()) {
            url.append(kind.pageQuery()).append('&');
        }
        url.append("src=").append(encode(mediaUrl));
        if (appendQuery != null && !appendQuery.isEmpty()) {
            url.append("&append=").append(encode(appendQuery));
        }
        return url.toString();
    }

    /** The servlet context, for tests that need more than the builder offers. */
    public ServletContextHandler context() {
        return context;
    }

    /**
     * Requests answered so far, in completion order. Jetty logs a request once its response is
     * complete, which can be just after the client has read it.
     */
    public List<ServedRequest> served() {
        return List.copyOf(served);
    }

    public void clearServed() {
        served.clear();
    }

    /**
     * Waits (at most {@code timeout}) until a request matching {@code which} has been answered, and
     * returns it; fails the test if none is. Use after a client has read a response, since the server
     * records a request only once the response is complete.
     */
    public ServedRequest awaitServed(Predicate<ServedRequest> which, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (served) {
            while (true) {
                for (ServedRequest r : served) {
                    if (which.test(r)) {
                        return r;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return fail("no matching request answered within " + timeout + "; answered: " + served);
                }
                try {
                    served.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return fail("interrupted", e);
                }
            }
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop Jetty", e);
        }
    }

    private static String stripSlash(String s) {
        return s.startsWith("/") ? s.substring(1) : s;
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- builder

    public static final class Builder {
        private static final EnumSet<DispatcherType> REQUEST = EnumSet.of(DispatcherType.REQUEST);

        private Path mediaRoot;
        private boolean players = true;
        private final List<Consumer<ServletContextHandler>> steps = new ArrayList<>();

        private Builder() {
        }

        /** The folder served at {@code /media/*}; default {@link TestMedia#root()}. */
        public Builder mediaRoot(Path folder) {
            this.mediaRoot = folder;
            return this;
        }

        /** Whether to serve {@code /player/*} (default true; needs node_modules). */
        public Builder players(boolean serve) {
            this.players = serve;
            return this;
        }

        /** Adds a filter by class (Jetty instantiates it), for REQUEST dispatches. */
        public Builder filter(Class<? extends Filter> type, String pathSpec, Map<String, String> initParams) {
            return filter(type, pathSpec, initParams, REQUEST);
        }

        public Builder filter(Class<? extends Filter> type, String pathSpec, Map<String, String> initParams,
                              EnumSet<DispatcherType> dispatches) {
            return filterHolder(new FilterHolder(type), pathSpec, initParams, dispatches);
        }

        /** Adds a filter instance (Jetty still calls its {@code init} with the parameters), for REQUEST dispatches. */
        public Builder filter(Filter instance, String pathSpec, Map<String, String> initParams) {
            return filter(instance, pathSpec, initParams, REQUEST);
        }

        public Builder filter(Filter instance, String pathSpec, Map<String, String> initParams,
                              EnumSet<DispatcherType> dispatches) {
            return filterHolder(new FilterHolder(instance), pathSpec, initParams, dispatches);
        }

        private Builder filterHolder(FilterHolder holder, String pathSpec, Map<String, String> initParams,
                                     EnumSet<DispatcherType> dispatches) {
            holder.setInitParameters(new LinkedHashMap<>(initParams));
            steps.add(ctx -> ctx.addFilter(holder, pathSpec, dispatches));
            return this;
        }

        /** Adds a servlet by class (e.g. an API endpoint next to the media). */
        public Builder servlet(Class<? extends Servlet> type, String pathSpec, Map<String, String> initParams) {
            ServletHolder holder = new ServletHolder(type);
            holder.setInitParameters(new LinkedHashMap<>(initParams));
            steps.add(ctx -> ctx.addServlet(holder, pathSpec));
            return this;
        }

        /** Adds a servlet instance. */
        public Builder servlet(Servlet instance, String pathSpec, Map<String, String> initParams) {
            ServletHolder holder = new ServletHolder(instance);
            holder.setInitParameters(new LinkedHashMap<>(initParams));
            steps.add(ctx -> ctx.addServlet(holder, pathSpec));
            return this;
        }

        /** Adds a listener (ServletContextListener, ServletRequestListener, …). */
        public Builder listener(EventListener listener) {
            steps.add(ctx -> ctx.addEventListener(listener));
            return this;
        }

        /** Sets a context init parameter. */
        public Builder initParameter(String name, String value) {
            steps.add(ctx -> ctx.setInitParameter(name, value));
            return this;
        }

        /** Sets a servlet context attribute. */
        public Builder attribute(String name, Object value) {
            steps.add(ctx -> ctx.setAttribute(name, value));
            return this;
        }

        /** Anything else, applied to the context before it starts, in order with the other steps. */
        public Builder configure(Consumer<ServletContextHandler> step) {
            steps.add(step);
            return this;
        }

        public MediaServer start() {
            Path media = mediaRoot != null ? mediaRoot : TestMedia.root();
            if (!Files.isDirectory(media)) {
                fail("media root " + media + " is not a folder");
            }
            Server server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            connector.setPort(0);
            server.addConnector(connector);
            List<ServedRequest> served = new CopyOnWriteArrayList<>();
            server.setRequestLog((request, response) -> {
                ServedRequest r = new ServedRequest(request.getMethod(), request.getHttpURI().getPathQuery(),
                        request.getHeaders().get("Range"), response.getStatus());
                synchronized (served) {
                    served.add(r);
                    served.notifyAll();
                }
            });

            ServletContextHandler ctx = new ServletContextHandler("/");
            ctx.addServlet(resourceServlet("media", media), "/media/*");
            if (players) {
                ctx.addServlet(resourceServlet("player", PlayerFiles.folder()), "/player/*");
            }
            steps.forEach(step -> step.accept(ctx));
            server.setHandler(ctx);
            try {
                server.start();
            } catch (Exception e) {
                try {
                    server.stop();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
                return fail("cannot start Jetty: " + e, e);
            }
            return new MediaServer(server, ctx, "http://127.0.0.1:" + connector.getLocalPort(), served);
        }

        private static ServletHolder resourceServlet(String name, Path folder) {
            ServletHolder holder = new ServletHolder(name, ResourceServlet.class);
            holder.setInitParameter("baseResource", folder.toUri().toString());
            holder.setInitParameter("pathInfoOnly", "true");
            holder.setInitParameter("dirAllowed", "false");
            return holder;
        }
    }

    // ---------------------------------------------------------------- player files

    /** The player pages (test resources {@code player/}) and the player builds, copied once into target/test-player. */
    private static final class PlayerFiles {
        private static Path folder;

        static synchronized Path folder() {
            if (folder != null) {
                return folder;
            }
            Tools.requireBrowser();
            Path dest = TestMedia.targetDir().resolve("test-player");
            try {
                Files.createDirectories(dest);
                Path pages = pagesFolder();
                try (Stream<Path> s = Files.list(pages)) {
                    for (Path p : s.filter(Files::isRegularFile).toList()) {
                        Files.copy(p, dest.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                Files.copy(Tools.hlsJs(), dest.resolve("hls.min.js"), StandardCopyOption.REPLACE_EXISTING);
                Files.copy(Tools.dashJs(), dest.resolve("dash.all.min.js"), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            folder = dest;
            return dest;
        }

        /** The {@code player/} folder of the test resources, as copied to test-classes. */
        static Path pagesFolder() {
            URL page = MediaServer.class.getResource("/player/hls.html");
            if (page == null) {
                return fail("test resource player/hls.html not on the class path");
            }
            try {
                return Path.of(page.toURI()).getParent();
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** The folder of the player pages with hls.js and dash.js beside them, for other test servers to serve. */
    public static Path playerFolder() {
        return PlayerFiles.folder();
    }

    static Path playScript() {
        return PlayerFiles.pagesFolder().resolve("play.mjs");
    }
}
