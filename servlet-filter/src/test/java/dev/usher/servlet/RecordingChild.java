package dev.usher.servlet;

import dev.usher.core.live.LiveSettings;
import dev.usher.core.live.StreamUserRequest;
import dev.usher.core.live.record.RecordingSettings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;

/**
 * A live server in its own JVM, for {@link LiveRecordingTest}'s kill -9: records stream
 * {@code live/crash} (stream names, no cuts, folder {@code shows}) into the folder given as the
 * first argument and writes its port to the file given as the second.
 */
public final class RecordingChild {

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        LiveServer server = new LiveServer(root, LiveSettings.defaults(), settings(root));
        server.live.users().add(LiveServer.ACCOUNT.cdnId(), new StreamUserRequest("live", "crash", "crash_user",
                LiveRecordingTest.PASS, true, "stream", "disabled", null, "shows", 4, 60, true, null));
        Path port = Path.of(args[1]);
        Files.writeString(port.resolveSibling(port.getFileName() + ".tmp"), Integer.toString(server.port()));
        Files.move(port.resolveSibling(port.getFileName() + ".tmp"), port);
        Thread.currentThread().join(); // until killed
    }

    static RecordingSettings settings(Path root) {
        return RecordingSettings.defaults(root, ZoneId.of("UTC")).withUnits(Duration.ofSeconds(1), 1024).withMinFreeBytes(0);
    }
}
