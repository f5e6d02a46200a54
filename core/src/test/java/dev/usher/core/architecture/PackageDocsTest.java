package dev.usher.core.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every package of core says what lives in it and what it may use, so a newcomer finds a rule by its package. */
class PackageDocsTest {

    private static final Path SOURCES = Path.of("src/main/java/dev/usher/core");

    @Test
    void everyCorePackageHasAPackageInfoSayingWhatItMayUse() throws IOException {
        assertTrue(Files.isDirectory(SOURCES), "run from the core module: " + SOURCES.toAbsolutePath());
        List<Path> missing;
        try (Stream<Path> dirs = Files.walk(SOURCES)) {
            missing = dirs.filter(Files::isDirectory)
                    .filter(PackageDocsTest::holdsClasses)
                    .filter(d -> !hasPackageInfo(d))
                    .toList();
        }
        assertEquals(List.of(), missing, "packages without a package-info.java (one paragraph: what lives here; <p>May use: …)");
    }

    private static boolean holdsClasses(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(f -> f.toString().endsWith(".java") && !f.getFileName().toString().equals("package-info.java"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean hasPackageInfo(Path dir) {
        Path info = dir.resolve("package-info.java");
        try {
            return Files.isRegularFile(info) && Files.readString(info).contains("May use:");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
