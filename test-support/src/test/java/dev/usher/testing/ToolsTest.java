package dev.usher.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * The one rule every test finds its tools by, on made-up folders: {@code USHER_<NAME>}, then
 * {@code PATH}, then Debian's folder; PostgreSQL's binaries {@code USHER_PG_BIN}, then {@code initdb}
 * on {@code PATH}, then Debian's newest version.
 */
class ToolsTest {

    @TempDir
    Path tmp;

    @Test
    void theVariableWinsOverPathAndDebian() throws IOException {
        Path onPath = executable(tmp.resolve("path/ffmpeg"));
        Path chosen = executable(tmp.resolve("elsewhere/my-ffmpeg"));
        executable(tmp.resolve("debian/ffmpeg"));
        Map<String, String> env = Map.of("PATH", onPath.getParent().toString(), "USHER_FFMPEG", chosen.toString());
        assertEquals(chosen.toString(), Tools.tool("ffmpeg", env, tmp.resolve("debian")));
    }

    @Test
    void aVariableNamingNoExecutableFailsRatherThanFallingBack() throws IOException {
        Path notExecutable = Files.createFile(tmp.resolve("chromium"));
        executable(tmp.resolve("debian/chromium"));
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Tools.tool("chromium", Map.of("USHER_CHROMIUM", notExecutable.toString()), tmp.resolve("debian")));
        assertTrue(e.getMessage().contains("USHER_CHROMIUM"), e.getMessage());
    }

    @Test
    void theFirstPathFolderHoldingAnExecutableWins() throws IOException {
        Files.createDirectories(tmp.resolve("a"));
        Files.createFile(tmp.resolve("a/node")); // not executable: passed over
        Path second = executable(tmp.resolve("b/node"));
        executable(tmp.resolve("c/node"));
        String path = String.join(File.pathSeparator, "", tmp.resolve("a").toString(), tmp.resolve("b").toString(),
                tmp.resolve("c").toString());
        assertEquals(second.toString(), Tools.tool("node", Map.of("PATH", path), tmp.resolve("debian")));
    }

    @Test
    void debiansFolderIsTheLastResortEvenWithoutPath() throws IOException {
        Path debian = executable(tmp.resolve("debian/php"));
        assertEquals(debian.toString(), Tools.tool("php", Map.of(), tmp.resolve("debian")));
        assertEquals(debian.toString(), Tools.tool("php", Map.of("PATH", tmp.resolve("empty").toString()), tmp.resolve("debian")));
    }

    @Test
    void aToolNowhereFailsTheTestNamingTheInstallScript() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> Tools.tool("ffprobe", Map.of("PATH", tmp.toString()), tmp.resolve("debian")));
        assertTrue(e.getMessage().contains("ffprobe") && e.getMessage().contains(".ci/install-test-tools"), e.getMessage());
    }

    @Test
    void postgresBinariesComeFromTheVariableThenPathThenDebiansNewestVersion() throws IOException {
        Path debian = tmp.resolve("lib/postgresql");
        for (String version : List.of("9", "15", "13")) {
            postgresBin(debian.resolve(version).resolve("bin"));
        }
        Files.createDirectories(debian.resolve("16/bin")); // no binaries: not a candidate
        assertEquals(debian.resolve("15/bin"), Tools.postgresBin(Map.of(), debian), "newest by number, not by name");

        // initdb linked onto PATH (as /usr/local/bin is on the development machine): its real folder.
        Path linked = Files.createDirectories(tmp.resolve("local/bin"));
        Files.createSymbolicLink(linked.resolve("initdb"), debian.resolve("13/bin/initdb"));
        assertEquals(debian.resolve("13/bin").toRealPath(), Tools.postgresBin(Map.of("PATH", linked.toString()), debian));

        Path own = postgresBin(tmp.resolve("own/bin"));
        assertEquals(own, Tools.postgresBin(Map.of("USHER_PG_BIN", own.toString(), "PATH", linked.toString()), debian));
    }

    @Test
    void noPostgresBinariesAnywhereIsAnErrorNamingTheInstallScript() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Tools.postgresBin(Map.of("PATH", tmp.toString()), tmp.resolve("none")));
        assertTrue(e.getMessage().contains(".ci/install-test-tools"), e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> Tools.postgresBin(Map.of("USHER_PG_BIN", tmp.toString()), tmp.resolve("none")));
    }

    private static Path postgresBin(Path bin) throws IOException {
        executable(bin.resolve("initdb"));
        executable(bin.resolve("pg_ctl"));
        return bin;
    }

    private static Path executable(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/sh\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }
}
