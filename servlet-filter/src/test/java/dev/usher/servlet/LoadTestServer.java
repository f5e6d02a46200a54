package dev.usher.servlet;

import dev.usher.core.UsherConfiguration;
import dev.usher.core.ticket.Ticket;
import org.eclipse.jetty.ee10.servlet.ResourceServlet;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;

/**
 * The server of the load test ({@code src/test/bench/load-test.sh}): one Jetty serving the same
 * segment twice, guarded under {@code /media/} and unguarded under {@code /open/}, so wrk can
 * compare the two in one run. Prints the two URLs, then serves until killed.
 *
 * <p>Arguments: the segment's size in bytes, then any number of {@code key=value} settings handed
 * to the filter's configuration as they are (the script's {@code USHER_BENCH_PROPS}, e.g.
 * {@code usher.viewers.enabled=false}), so a run can compare a feature on and off without this
 * class knowing the keys. A key not in {@link UsherConfiguration#KEYS} stops the server (a misspelt
 * one would silently measure the defaults).
 */
public final class LoadTestServer {

    /**
     * The load test's server, started: one Jetty with the guarded and the open copy of the segment.
     *
     * @param server        the server (close it when done)
     * @param protectedPath the segment's guarded path with its child credential, e.g. {@code /media/live/show/seg_000.ts?uc=…}
     * @param openPath      the same segment's unguarded path, {@code /open/live/show/seg_000.ts}
     */
    record Started(GuardedServer server, String protectedPath, String openPath) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            server.close();
        }
    }

    public static void main(String[] args) throws Exception {
        int segmentBytes = args.length > 0 ? Integer.parseInt(args[0]) : 188 * 1000;
        Map<String, String> settings = settings(args, 1);
        Started started = start(segmentBytes, settings, false);
        System.out.println("protected " + started.server().baseUrl() + started.protectedPath());
        System.out.println("settings " + new java.util.TreeMap<>(settings));
        System.out.println("open " + started.server().baseUrl() + started.openPath());
        System.out.flush();
        new CountDownLatch(1).await();
    }

    /** @return the {@code key=value} settings in {@code args} from index {@code from} on, each a key of Usher's */
    static Map<String, String> settings(String[] args, int from) {
        Map<String, String> settings = new HashMap<>();
        for (int i = from; i < args.length; i++) {
            int eq = args[i].indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("a setting is key=value, not " + args[i]);
            }
            String key = args[i].substring(0, eq);
            // the configuration asks only for the keys it knows: a misspelt one would change nothing
            if (UsherConfiguration.KEYS.stream().noneMatch(k -> k.name().equals(key))) {
                throw new IllegalArgumentException("not a configuration key of Usher: " + key);
            }
            settings.put(key, args[i].substring(eq + 1));
        }
        return settings;
    }

    /**
     * Starts the server: a segment of {@code segmentBytes} random bytes and its playlist in a new
     * folder, a ticket for any address, and the playlist fetched once with it, so the segment's
     * child URI (with the credential the rewritten playlist gives it) is the protected path.
     *
     * @param local fetch the playlist through the {@link GuardedServer#local} connector, so the
     *              credential is bound to that connector's client address; else over loopback TCP
     */
    static Started start(int segmentBytes, Map<String, String> settings, boolean local) throws Exception {
        Path root = Files.createTempDirectory("usher-load");
        Files.createDirectories(root.resolve("live/show"));
        byte[] segment = new byte[segmentBytes];
        new Random(1).nextBytes(segment);
        Files.write(root.resolve("live/show/seg_000.ts"), segment);
        Files.writeString(root.resolve("live/show/index.m3u8"), "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg_000.ts\n#EXT-X-ENDLIST\n");

        GuardedServer server = new GuardedServer(root, settings, Map.of(), context -> {
            ServletHolder open = new ServletHolder("open", ResourceServlet.class);
            open.setInitParameter("baseResource", root.toUri().toString());
            open.setInitParameter("pathInfoOnly", "true");
            open.setInitParameter("dirAllowed", "false");
            context.addServlet(open, "/open/*");
        });

        Ticket ticket = server.issue("live", "show", "0.0.0.0/0", 1);
        String entry = "/media/live/show/index.m3u8?key=" + ticket.key() + "&pass=" + ticket.pass();
        String manifest = local
                ? server.raw("GET " + entry + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                : HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl() + entry)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
        String child = manifest.lines().filter(l -> l.startsWith("seg_000.ts")).findFirst().orElseThrow();
        return new Started(server, "/media/live/show/" + child, "/open/live/show/seg_000.ts");
    }
}
