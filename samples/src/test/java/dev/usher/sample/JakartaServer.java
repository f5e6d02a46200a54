package dev.usher.sample;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One Jakarta EE 10 server of the matrix ({@link ServerMatrix}): how to start it with the sample
 * WAR deployed, loopback only, and how to tell that the deployment failed. Stopping is the same
 * for all: {@link RunningProcess#close()} ends the server and every process it started. The
 * server itself comes from Maven Central, unpacked by the samples pom into {@code target/servers/}.
 */
interface JakartaServer {

    /** @return the server and its version, e.g. {@code GlassFish 7.0.21}: a row of the README's matrix */
    String name();

    /** @return the system property (set by the pom) that is true when this server is not to be run */
    String skipProperty();

    /**
     * Starts the server with {@code war} deployed at {@code /context}, its HTTP listener on
     * {@code 127.0.0.1:port} and every other port it opens on loopback too.
     *
     * @param work an empty directory of this run: the server's configuration and logs go there
     */
    RunningProcess start(Path war, String context, int port, Path work) throws Exception;

    /**
     * @return what shows that the deployment failed (a log line, a marker file), empty while
     *         nothing does: the wait for the application stops at once on it
     */
    Optional<String> deploymentFailure(RunningProcess server, Path work);

    /**
     * @return whether the container's own file serving (behind Usher's filter) answers a Range
     *         request with 206; Open Liberty's answers every one with 200 and the whole file
     */
    default boolean containerServesRanges() {
        return true;
    }

    /** @return a port free on loopback now */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** @return whether every port is free on loopback now */
    static boolean free(int... ports) {
        for (int port : ports) {
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                s.getLocalPort();
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** @return the first line of the output containing one of {@code markers} */
    static Optional<String> line(RunningProcess server, String... markers) {
        for (String l : server.lines()) {
            for (String m : markers) {
                if (l.contains(m)) {
                    return Optional.of(l);
                }
            }
        }
        return Optional.empty();
    }
}
