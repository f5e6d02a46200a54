package dev.usher.sample;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
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

    /**
     * Every library jar is publishable as built by {@code mvn package}: a stable module name, its
     * sources and javadoc jars beside it, license metadata in its pom, and the BOM naming each one.
     */
    @Test
    void theLibraryArtifactsArePublishable() throws Exception {
        Path root = Path.of(System.getProperty("usher.repo.root")).toRealPath();
        String version = System.getProperty("usher.version");
        assertNotNull(version, "usher.version is set by the pom");
        Map<String, String> modules = Map.of(
                "core", "dev.usher.core",
                "servlet-filter", "dev.usher.servlet",
                "cdi-extension", "dev.usher.cdi");
        String bom = Files.readString(root.resolve("bom/pom.xml"));
        for (Map.Entry<String, String> m : modules.entrySet()) {
            String artifact = "usher-" + m.getKey();
            Path target = root.resolve(m.getKey()).resolve("target");
            Path jar = target.resolve(artifact + "-" + version + ".jar");
            try (JarFile j = new JarFile(jar.toFile())) {
                assertEquals(m.getValue(), j.getManifest().getMainAttributes().getValue("Automatic-Module-Name"), jar.toString());
            }
            try (JarFile sources = new JarFile(target.resolve(artifact + "-" + version + "-sources.jar").toFile())) {
                assertTrue(sources.stream().anyMatch(e -> e.getName().endsWith(".java")), artifact + " sources");
            }
            try (JarFile javadoc = new JarFile(target.resolve(artifact + "-" + version + "-javadoc.jar").toFile())) {
                assertNotNull(javadoc.getEntry("index.html"), artifact + " javadoc");
            }
            assertTrue(bom.contains("<artifactId>" + artifact + "</artifactId>"), "the BOM names " + artifact);
        }
        // The tests' shared support is a test-scope library of this build only: never deployed, never imported.
        assertFalse(bom.contains("usher-test-support"), "the BOM leaves out usher-test-support");
        assertTrue(Files.readString(root.resolve("test-support/pom.xml")).contains("<maven.deploy.skip>true</maven.deploy.skip>"),
                "usher-test-support is not deployed");
        String parent = Files.readString(root.resolve("pom.xml"));
        for (String element : List.of("<licenses>", "<name>Apache-2.0</name>", "<url>", "<scm>", "<developers>")) {
            assertTrue(parent.contains(element), "the parent pom has " + element);
            assertTrue(bom.contains(element), "the BOM has " + element);
        }
        assertTrue(Files.readString(root.resolve("LICENSE")).contains("Apache License"), "LICENSE");
        String notice = Files.readString(root.resolve("NOTICE"));
        assertTrue(notice.contains("hls.js") && notice.contains("dash.js"), "NOTICE names the bundled players");
    }

    /** CI runs the README's test command itself, so a command that fails on a fresh machine fails CI. */
    @Test
    void ciRunsExactlyTheReadmesTestCommand() throws Exception {
        Path root = Path.of(System.getProperty("usher.repo.root")).toRealPath();
        String readme = Files.readString(root.resolve("README.md"));
        int section = readme.indexOf("## Run the tests");
        assertTrue(section >= 0, "README has a 'Run the tests' section");
        int start = readme.indexOf("```sh\n", section) + "```sh\n".length();
        String command = readme.substring(start, readme.indexOf("\n```", start)).strip();
        assertFalse(command.contains("\n"), "the test command is one line: " + command);
        List<String> ciLines = Files.readAllLines(root.resolve(".ci/run")).stream().map(String::strip).toList();
        assertTrue(ciLines.contains(command), ".ci/run runs `" + command + "`");
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
