package dev.usher.servlet;

import dev.usher.core.api.Json;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
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
 * The limit in the same run is the container's own floor: the same client (signing included)
 * posting the same bodies to a servlet of the same Jetty that reads the form parameter and answers
 * a fixed JSON of the same size, with no verification, no ticket and no JSON parsing. Rounds
 * alternate the two (which goes first alternates too) and print Usher ÷ floor per round, then
 * its median and spread: client and server share the JVM and the cores, so only the ratio means much.
 * Usage: {@code ApiLoadGenerator [seconds=10] [threads=16] [rounds=4]}; see {@code src/test/bench/api-load.sh}.
 */
public final class ApiLoadGenerator {

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 16;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        context.setInitParameter("usher.account.158.api-key", ApiIntegrationTest.API_KEY);
        context.setInitParameter("usher.account.158.secret", ApiIntegrationTest.SECRET);
        context.setInitParameter("usher.account.158.username", "demo");
        context.addServletContainerInitializer(new UsherInitializer());
        context.addServlet(new ServletHolder("floor", FloorServlet.class), "/floor/");
        server.setHandler(context);
        server.start();
        URI url = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/usher/");
        URI floor = URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/floor/");
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(threads)).build();
        AtomicLong sequence = new AtomicLong();

        for (long end = System.nanoTime() + 15_000_000_000L; System.nanoTime() < end; ) { // warm-up of both (3 s left the JIT at work: rates doubled over the rounds)
            call(http, url, sequence.incrementAndGet());
            call(http, floor, sequence.incrementAndGet());
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        double[] ratios = new double[rounds];
        boolean failures = false;
        System.out.printf("signed sevu.request over HTTP against the container's floor: %d threads, %d s per side, %d rounds%n",
                threads, seconds, rounds);
        for (int r = 0; r < rounds; r++) {
            double usher;
            double open;
            if (r % 2 == 0) {
                usher = run(pool, http, url, sequence, threads, seconds);
                open = run(pool, http, floor, sequence, threads, seconds);
            } else {
                open = run(pool, http, floor, sequence, threads, seconds);
                usher = run(pool, http, url, sequence, threads, seconds);
            }
            failures |= usher < 0 || open < 0;
            ratios[r] = Math.abs(usher) / Math.abs(open);
            System.out.printf("round %d: Usher %.0f granted tickets/s, floor %.0f answers/s, ratio %.3f%n",
                    r + 1, Math.abs(usher), Math.abs(open), ratios[r]);
        }
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        double median = rounds % 2 == 1 ? sorted[rounds / 2] : (sorted[rounds / 2 - 1] + sorted[rounds / 2]) / 2;
        System.out.printf("Usher / floor: median %.3f (min %.3f, max %.3f, %d rounds)%s%n", median, sorted[0],
                sorted[rounds - 1], rounds, failures ? "; SOME CALLS FAILED" : "");
        pool.shutdownNow();
        server.stop();
        System.exit(failures ? 1 : 0);
    }

    /** @return calls answered as expected per second, negated when any failed */
    private static double run(ExecutorService pool, HttpClient http, URI url, AtomicLong sequence, int threads, int seconds)
            throws Exception {
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
        double rate = ok.get() / ((System.nanoTime() - start) / 1e9);
        return failed.get() == 0 ? rate : -rate;
    }

    /**
     * The floor: reads the form's {@code json} parameter as the API servlet does and answers a
     * fixed 2002-shaped JSON of about the size of a real answer.
     */
    public static final class FloorServlet extends HttpServlet {
        private static final byte[] ANSWER = ("{\"code\":2002,\"message\":\"floor\",\"data\":{\"key\":\"demo.0000000000000000.00000000\","
                + "\"pass\":\"load-0\",\"video\":\"movies\\/trailer.mp4\",\"app\":\"demo-vod\",\"ip\":\"auto\\/24\","
                + "\"uses\":5,\"active\":1,\"created\":\"2026-12-01 00:00:00\",\"expires\":\"2026-12-01 01:00:00\"}}")
                .getBytes(StandardCharsets.UTF_8);

        @Override
        protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            if (req.getParameter("json") == null) {
                resp.sendError(400);
                return;
            }
            resp.setContentType("application/json");
            resp.setContentLength(ANSWER.length);
            resp.getOutputStream().write(ANSWER);
        }
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
