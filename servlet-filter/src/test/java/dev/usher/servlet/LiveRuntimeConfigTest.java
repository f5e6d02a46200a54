package dev.usher.servlet;

import dev.usher.core.config.UsherConfigurationException;
import dev.usher.core.live.PasswordHasher;
import dev.usher.core.live.StreamUserRequest;
import dev.usher.core.live.jdbc.JdbcStreamUserStore;
import dev.usher.testing.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@org.junit.jupiter.api.extension.ExtendWith(PostgresExtension.class)
/** How configuration builds live publishing: the store the repository implies, and the settings it needs. */
class LiveRuntimeConfigTest {

    @TempDir
    Path dir;

    static UsherRuntime runtime(Map<String, String> keys) {
        return UsherRuntime.fromConfig(k -> Optional.ofNullable(keys.get(k)), keys.keySet());
    }

    Map<String, String> jdbcNode(String db, Path ingest) {
        Map<String, String> keys = new HashMap<>(Map.of(
                "usher.repository", "jdbc",
                "usher.jdbc.url", PostgresExtension.server().url("usher_test") + "?currentSchema=" + db,
                "usher.jdbc.user", "postgres",
                "usher.jdbc.create-schema", "true",
                "usher.credential.secrets", "k1:" + Base64.getEncoder().encodeToString(dev.usher.core.credential.PlaybackCredentials.newSecret()),
                "usher.ingest.dir", ingest.toString()));
        return keys;
    }

    @Test
    void nodesSharingAJdbcRepositoryShareStreamUsers() throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(PostgresExtension.server().url("usher_test"), "postgres", null);
             java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS liveshared");
        }
        String key = Base64.getEncoder().encodeToString(PasswordHasher.newKey());
        Map<String, String> a = jdbcNode("liveshared", dir.resolve("a"));
        a.put("usher.live.password-key", key);
        Map<String, String> b = jdbcNode("liveshared", dir.resolve("b"));
        b.put("usher.live.password-key", key);
        try (UsherRuntime one = runtime(a); UsherRuntime two = runtime(b)) {
            assertTrue(one.live().users().store() instanceof JdbcStreamUserStore);
            one.live().users().add(158, StreamUserRequest.of("live", "cam", "cam_user", "cam_password_123"));
            assertTrue(two.live().users().authenticate("live", "cam", "cam_user", "cam_password_123").granted(),
                    "a user created through one node publishes through the other");
            assertTrue(two.live().streams().isPresent());
        }
    }

    @Test
    void anIngestNodeOverASharedRepositoryNeedsThePasswordKey() {
        UsherConfigurationException e = assertThrows(UsherConfigurationException.class, () -> runtime(jdbcNode("livekey", dir)));
        assertTrue(e.getMessage().contains("usher.live.password-key"), e.getMessage());
    }

    @Test
    void badLiveSettingsStopTheStartWithEveryProblem() {
        Map<String, String> keys = Map.of("usher.live.password-key", "c2hvcnQ=", "usher.live.max-stream-users", "0",
                "usher.ingest.body-timeout", "soon");
        UsherConfigurationException e = assertThrows(UsherConfigurationException.class, () -> runtime(keys));
        assertTrue(e.getMessage().contains("usher.live.password-key") && e.getMessage().contains("usher.live.max-stream-users")
                && e.getMessage().contains("usher.ingest.body-timeout"), e.getMessage());
    }

    @Test
    void badIngestLeaseSettingsAreProblemsToo() {
        Map<String, String> keys = Map.of("usher.ingest.node-id", "../node a", "usher.ingest.lease-time", "2s");
        UsherConfigurationException e = assertThrows(UsherConfigurationException.class, () -> runtime(keys));
        assertTrue(e.getMessage().contains("usher.ingest.node-id") && e.getMessage().contains("usher.ingest.lease-time"),
                e.getMessage());
    }

    @Test
    void theNodeIdAndLeaseTimeAreRead() {
        try (UsherRuntime r = runtime(Map.of("usher.ingest.node-id", "edge-1", "usher.ingest.lease-time", "45s"))) {
            assertEquals("edge-1", r.live().node().id());
            assertEquals(java.time.Duration.ofSeconds(45), r.live().settings().leaseTime());
        }
        try (UsherRuntime r = runtime(Map.of()); UsherRuntime other = runtime(Map.of())) {
            assertTrue(r.live().node().id().matches("node-[0-9a-f]{12}"), r.live().node().id());
            assertTrue(!r.live().node().id().equals(other.live().node().id()), "random per start");
        }
    }

    @Test
    void withoutAnIngestFolderThereIsNoIngest() {
        try (UsherRuntime r = runtime(Map.of())) {
            assertTrue(r.live().streams().isEmpty());
            assertEquals(false, r.live().settings().openPublishing());
        }
    }
}
