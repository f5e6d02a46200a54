package dev.usher.servlet;

import dev.usher.core.api.Json;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Throughput of signed {@code sevu.request} calls over HTTP against one Jetty with the in-memory
 * repository: N client threads, each signing a fresh request (its own pass, so no two are
 * replays) as the seeds' PHP client does, posting it urlencoded, and checking the 2002 answer.
 * Usage: {@code ApiLoadGenerator [seconds=10] [threads=16]}; see {@code src/test/bench/api-load.sh}.
 */
public final class ApiLoadGenerator {

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.setInitParameter("usher.account.158.api-key", ApiIntegrationTest.API_KEY);
        context.setInitParameter("usher.account.158.secret", ApiIntegrationTest.SECRET);
        context.setInitParameter("usher.account.158.username", "demo");
        context.addServletContainerInitializer(new UsherInitializer());
        server.setHandler(context);
        server.start();
        URI url = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/usher/");
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(threads)).build();
        AtomicLong sequence = new AtomicLong();

        for (long end = System.nanoTime() + 3_000_000_000L; System.nanoTime() < end; ) { // warm-up
            call(http, url, sequence.incrementAndGet());
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicLong ok = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<Future<?>> workers = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            workers.add(pool.submit(() -> {
                while (System.nanoTime() < deadline) {
                    if (call(http, url, sequence.incrementAndGet())) {
                        ok.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> w : workers) {
            w.get();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        System.out.printf("signed sevu.request over HTTP: %d threads, %.1f s, %d granted, %d failed, %.0f requests/s%n",
                threads, elapsed, ok.get(), failed.get(), ok.get() / elapsed);
        pool.shutdownNow();
        server.stop();
        System.exit(failed.get() == 0 ? 0 : 1);
    }

    private static boolean call(HttpClient http, URI url, long n) throws Exception {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("command", "sevu.request");
        request.put("api_key", ApiIntegrationTest.API_KEY);
        request.put("timestamp", System.currentTimeMillis() / 1000);
        request.put("cdn", 158);
        request.put("app", "demo-vod");
        request.put("video", "movies/trailer.mp4");
        request.put("pass", "load-" + n);
        request.put("ip", "auto/24");
        request.put("uses", 5);
        request.put("expire", "+1 hour");
        String unsigned = Json.write(request).replace("/", "\\/");
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(ApiIntegrationTest.SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        request.put("signature", Base64.getEncoder().encodeToString(mac.doFinal(unsigned.getBytes(StandardCharsets.UTF_8))));
        String body = "json=" + URLEncoder.encode(Json.write(request).replace("/", "\\/"), StandardCharsets.UTF_8);
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(url)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 && response.body().startsWith("{\"code\":2002,");
    }
}
