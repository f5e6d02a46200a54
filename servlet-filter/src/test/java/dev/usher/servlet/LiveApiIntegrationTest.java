package dev.usher.servlet;

import dev.usher.core.api.Json;
import dev.usher.testing.Tools;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Seed 004's own PHP example, run by php-cli against the API on a running Jetty. */
class LiveApiIntegrationTest {

    @BeforeAll
    static void start() throws Exception {
        ApiIntegrationTest.start();
    }

    @AfterAll
    static void stop() throws Exception {
        ApiIntegrationTest.stop();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> seedExample(String... appStreamUser) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(Tools.php(),
                Path.of("src/test/resources/php/addstreamuser.php").toAbsolutePath().toString(), ApiIntegrationTest.base + "/usher/"));
        cmd.addAll(List.of(appStreamUser));
        Tools.Run run = Tools.run(cmd, Duration.ofSeconds(30), Map.of("USHER_API_SECRET", ApiIntegrationTest.SECRET));
        assertEquals(0, run.exitCode(), run::describe);
        return (Map<String, Object>) Json.parse(run.stdout());
    }

    @Test
    void theDocumentsPhpExampleAddsTheStreamUserAndUshersCommandsListAndRemoveIt() throws Exception {
        Map<String, Object> added = seedExample();
        assertEquals(2071, ApiIntegrationTest.code(added), added::toString);
        assertEquals("Stream User Added", added.get("message"));
        assertEquals("success", added.get("status"));

        Map<String, Object> listed = ApiIntegrationTest.php("/usher/", "sevu.liststreamusers", "{\"app\":\"demo-origin\"}");
        assertEquals(2073, ApiIntegrationTest.code(listed), listed::toString);
        Map<?, ?> row = (Map<?, ?>) ((List<?>) listed.get("stream_users")).get(0);
        assertEquals("username_1", row.get("user"));
        assertEquals("stream_folder", row.get("save_folder"));
        assertTrue(!listed.toString().contains("unique_random_string_per_request"));

        Map<String, Object> removed = ApiIntegrationTest.php("/usher/", "sevu.removestreamuser",
                "{\"app\":\"demo-origin\",\"stream\":\"mystream\"}");
        assertEquals(2074, ApiIntegrationTest.code(removed), removed::toString);
        // The same text again within the second would be a replay (0013): the members are sent in another order.
        assertEquals(2075, ApiIntegrationTest.code(ApiIntegrationTest.php("/usher/", "sevu.removestreamuser",
                "{\"stream\":\"mystream\",\"app\":\"demo-origin\"}")));
        Map<String, Object> log = ApiIntegrationTest.php("/usher/", "sevu.publishlog", null);
        assertEquals(2076, ApiIntegrationTest.code(log), log::toString);
    }
}
