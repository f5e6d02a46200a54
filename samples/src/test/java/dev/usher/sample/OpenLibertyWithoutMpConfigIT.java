package dev.usher.sample;

import dev.usher.testing.TestFiles;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Open Liberty with the web profile but without {@code mpConfig} (profile {@code -Pservers}): the
 * deployment must fail with a message that names MicroProfile Config, not with an unsatisfied
 * injection that leaves the reader guessing.
 */
class OpenLibertyWithoutMpConfigIT {

    @Test
    void theDeploymentFailsNamingMicroProfileConfig() throws Exception {
        OpenLibertyServer liberty = new OpenLibertyServer(java.util.List.of("webProfile-10.0"));
        Assumptions.assumeFalse(Boolean.getBoolean(liberty.skipProperty()), "-D" + liberty.skipProperty());
        Path war = TestTools.artifact("usher.sample.war");
        Path work = war.getParent().resolve("server-runs").resolve(getClass().getSimpleName());
        TestFiles.deleteTree(work);
        Files.createDirectories(work);
        try (RunningProcess server = liberty.start(war, ServerMatrix.CONTEXT, JakartaServer.freePort(), work)) {
            String failed = server.await(l -> l.contains("CWWKZ0002E") || l.contains("CWWKZ0004E"),
                    l -> l.contains("CWWKZ0001I"), Duration.ofSeconds(240));
            String log = server.log();
            assertTrue(log.contains("MicroProfile Config is not available"), failed + "\n" + log);
        }
    }
}
