package dev.usher.cdi.ops;

import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.media.MediaPath;
import dev.usher.core.net.IpAddress;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;
import dev.usher.servlet.UsherRuntime;
import dev.usher.testing.DemoAccount;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.smallrye.health.SmallRyeHealth;
import io.smallrye.health.SmallRyeHealthReporter;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.json.JsonObject;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OperationsTest {

    static final String API_KEY = DemoAccount.DEMO.apiKey();
    static final String SECRET = UUID.randomUUID().toString(); // never a committed (published) secret

    static Map<String, String> config(Map<String, String> more) {
        Map<String, String> keys = new HashMap<>(Map.of(
                "usher.account.158.api-key", API_KEY,
                "usher.account.158.secret", SECRET,
                "usher.account.158.username", "demo",
                "usher.credential.secrets", "t1:" + Base64.getEncoder().encodeToString(PlaybackCredentials.newSecret())));
        keys.putAll(more);
        return keys;
    }

    private static JsonObject usherCheck(SmallRyeHealth health) {
        return health.getPayload().getJsonArray("checks").stream().map(JsonObject.class::cast)
                .filter(c -> c.getString("name").equals("usher")).findFirst()
                .orElseThrow(() -> new AssertionError("no usher check: " + health.getPayload()));
    }

    @Test
    void readinessIsUpWithARepositoryThatAnswersAndDownOnceItStops(@TempDir Path data) throws Exception {
        Server h2 = Server.createTcpServer("-tcpPort", "0", "-ifNotExists", "-baseDir", data.toString()).start();
        try {
            Map<String, String> keys = config(Map.of("usher.repository", "jdbc",
                    "usher.jdbc.url", "jdbc:h2:tcp://localhost:" + h2.getPort() + "/./usher", "usher.jdbc.user", "sa",
                    "usher.jdbc.password", "", "usher.jdbc.query-timeout", "5s", "usher.jdbc.create-schema", "true"));
            try (OperationsContainer c = new OperationsContainer(keys, new OperationsExtension(), SmallRyeHealthReporter.class,
                    io.smallrye.health.AsyncHealthCheckFactory.class)) {
                SmallRyeHealthReporter reporter = c.health();
                SmallRyeHealth up = reporter.getReadiness();
                JsonObject check = usherCheck(up);
                assertEquals("UP", check.getString("status"), up.getPayload()::toString);
                assertEquals("reachable", check.getJsonObject("data").getString("repository"));
                assertEquals("loaded", check.getJsonObject("data").getString("secrets"));
                assertFalse(up.isDown());

                h2.stop(); // the database goes away under the running application
                SmallRyeHealth down = reporter.getReadiness();
                check = usherCheck(down);
                assertEquals("DOWN", check.getString("status"), down.getPayload()::toString);
                assertTrue(check.getJsonObject("data").getString("repository").startsWith("unreachable"), check::toString);
                assertTrue(down.isDown());
                String shown = down.getPayload().toString();
                assertFalse(shown.contains("jdbc") || shown.contains("localhost") || shown.contains(SECRET), shown);
            }
        } finally {
            h2.stop();
        }
    }

    @Test
    void countersMoveWithDecisionsCredentialsAndApiCalls() {
        try (OperationsContainer c = new OperationsContainer(config(Map.of()), new OperationsExtension())) {
            UsherRuntime runtime = c.get(UsherRuntime.class);
            UsherService service = c.get(UsherService.class);
            Ticket t = service.issue(runtime.accounts().byCdnId(158).orElseThrow(),
                    IssueRequest.of("demo-vod", "trailer.mp4", "p-123456", "auto", 1, null));
            IpAddress client = IpAddress.parse("198.51.100.4");
            assertTrue(service.authorize(PlaybackRequest.of(t.key(), "p-123456", client, "demo-vod", "trailer.mp4")).granted());
            assertFalse(service.authorize(PlaybackRequest.of(t.key(), "wrong", client, "demo-vod", "trailer.mp4")).granted());
            assertFalse(service.authorize(PlaybackRequest.of(t.key(), "wrong", client, "demo-vod", "trailer.mp4")).granted());

            // A manifest's child with a forged credential: checked, and counted by its status.
            MediaPath child = MediaPath.parse("demo-vod/hls/seg1.ts", null);
            assertFalse(runtime.guard().decide(child, null, null, "forged", client, null, null).granted());

            runtime.api().handle("{\"command\":\"sevu.search\"}"); // unsigned: refused before any command runs
            runtime.api().handle(signed("sevu.search"));

            assertEquals(1, count(c, "usher.decisions", Map.of("outcome", "granted", "reason", "success")));
            assertEquals(2, count(c, "usher.decisions", Map.of("outcome", "refused", "reason", "invalid_auth_token")));
            assertEquals(3, count(c, "usher.decision.duration", Map.of()));
            assertEquals(1, count(c, "usher.credentials.checked", Map.of("status", "malformed")));
            assertEquals(1, count(c, "usher.api.calls", Map.of("command", "unknown", "code", "0001")));
            assertEquals(1, count(c, "usher.api.calls", Map.of("command", "sevu.search", "code", "2006")));
            MetricData duration = metric(c, "usher.decision.duration");
            assertEquals("s", duration.getUnit());
        }
    }

    @Test
    void withoutTheApisNothingIsAddedAndTheApplicationStarts() {
        ClassLoader parent = OperationsExtension.class.getClassLoader();
        OperationsExtension hidden = new OperationsExtension();
        hidden.loader = new ClassLoader(parent) {
            @Override
            protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
                if (name.startsWith("org.eclipse.microprofile.health.") || name.startsWith("io.opentelemetry.")) {
                    throw new ClassNotFoundException(name);
                }
                return super.loadClass(name, resolve);
            }
        };
        try (OperationsContainer c = new OperationsContainer(config(Map.of()), hidden)) {
            assertTrue(hidden.added.isEmpty(), hidden.added::toString);
            Set<Bean<?>> beans = c.container.getBeanManager().getBeans(Object.class);
            assertTrue(beans.stream().noneMatch(b -> b.getBeanClass() == UsherReadiness.class || b.getBeanClass() == UsherTelemetry.class), beans::toString);
            // Usher itself still works: a decision is made (and counted by no one).
            assertFalse(c.get(UsherService.class).authorize(PlaybackRequest.of("nokey", "p", IpAddress.parse("198.51.100.4"),
                    "demo-vod", "a.mp4")).granted());
        }
    }

    /** A command signed as the seeds' PHP client signs it (no character that json_encode escapes). */
    private static String signed(String command) {
        String body = "{\"command\":\"" + command + "\",\"cdn\":158,\"api_key\":\"" + API_KEY + "\",\"timestamp\":"
                + (System.currentTimeMillis() / 1000) + "}";
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            String signature = Base64.getEncoder().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
            return body.substring(0, body.length() - 1) + ",\"signature\":\"" + signature.replace("/", "\\/") + "\"}";
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MetricData metric(OperationsContainer c, String name) {
        return c.metrics().stream().filter(m -> m.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name + " in " + c.metrics()));
    }

    /** The sum of a counter, or the count of a histogram, over the points carrying these attributes. */
    private static long count(OperationsContainer c, String name, Map<String, String> attributes) {
        MetricData m = metric(c, name);
        long total = 0;
        for (PointData p : m.getData().getPoints()) {
            boolean matches = attributes.entrySet().stream()
                    .allMatch(e -> e.getValue().equals(p.getAttributes().get(AttributeKey.stringKey(e.getKey()))));
            if (!matches) {
                continue;
            }
            if (p instanceof io.opentelemetry.sdk.metrics.data.LongPointData l) {
                total += l.getValue();
            } else if (p instanceof io.opentelemetry.sdk.metrics.data.HistogramPointData h) {
                total += h.getCount();
            }
        }
        return total;
    }
}
