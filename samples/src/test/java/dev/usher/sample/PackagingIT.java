package dev.usher.sample;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What {@code mvn package} built: a WAR that carries only Usher and Yasson, and a runnable thin jar. */
class PackagingIT {

    @Test
    void theWarCarriesOnlyUshersJarsAndYasson() throws Exception {
        try (JarFile war = new JarFile(TestTools.artifact("usher.sample.war").toFile())) {
            List<String> libs = war.stream().map(ZipEntry::getName)
                    .filter(n -> n.startsWith("WEB-INF/lib/") && n.endsWith(".jar"))
                    .map(n -> n.substring("WEB-INF/lib/".length()).replaceAll("-[0-9][^-]*(-SNAPSHOT)?\\.jar$", ""))
                    .sorted().toList();
            assertEquals(List.of("usher-cdi-extension", "usher-core", "usher-servlet-filter", "yasson"), libs);
            assertNotNull(war.getEntry("WEB-INF/classes/META-INF/microprofile-config.properties"));
            assertNotNull(war.getEntry("WEB-INF/web.xml"));
            assertNotNull(war.getEntry("media/demo-vod/hls-ts/master.m3u8"));
            assertNotNull(war.getEntry("js/hls.min.js"));
            assertNotNull(war.getEntry("js/dash.all.min.js"));
            assertTrue(war.stream().noneMatch(e -> e.getName().contains("/runner/") || e.getName().contains("webroot/")),
                    "the runner stays out of the WAR");
        }
    }

    @Test
    void theRunnerJarNamesEveryJarOfLib() throws Exception {
        Path jar = TestTools.artifact("usher.sample.jar");
        try (JarFile runner = new JarFile(jar.toFile())) {
            assertEquals("dev.usher.sample.runner.SampleRunner", runner.getManifest().getMainAttributes().getValue("Main-Class"));
            String classPath = runner.getManifest().getMainAttributes().getValue("Class-Path");
            List<String> entries = Arrays.asList(classPath.trim().split(" +"));
            assertFalse(entries.isEmpty());
            for (String entry : entries) {
                assertTrue(Files.isRegularFile(jar.getParent().resolve(entry)), entry + " is missing beside the jar");
            }
            assertNotNull(runner.getEntry("webroot/media/demo-vod/mp4/demo.mp4"));
            assertNotNull(runner.getEntry("webroot/player.html"));
        }
    }
}
