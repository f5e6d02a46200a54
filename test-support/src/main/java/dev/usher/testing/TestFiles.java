package dev.usher.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Files the tests make and throw away. */
public final class TestFiles {

    private TestFiles() {
    }

    /**
     * Deletes {@code dir} and everything below it, deepest first; nothing when it does not exist.
     * A file already gone (a server still shutting down) is no error.
     */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
