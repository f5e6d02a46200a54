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

    public static void main(String[] args) throws Exception {
        int segmentBytes = args.length > 0 ? Integer.parseInt(args[0]) : 188 * 1000;
        Map<String, String> settings = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
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
        String manifest = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.baseUrl()
                + "/media/live/show/index.m3u8?key=" + ticket.key() + "&pass=" + ticket.pass())).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        String child = manifest.lines().filter(l -> l.startsWith("seg_000.ts")).findFirst().orElseThrow();
        System.out.println("protected " + server.baseUrl() + "/media/live/show/" + child);
        System.out.println("settings " + new java.util.TreeMap<>(settings));
        System.out.println("open " + server.baseUrl() + "/open/live/show/seg_000.ts");
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
