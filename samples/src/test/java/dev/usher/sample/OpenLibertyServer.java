package dev.usher.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Open Liberty (the {@code openliberty-runtime} zip, unpacked by the pom to
 * {@code target/servers/wlp}): a user directory in the work directory with one server whose
 * {@code server.xml} enables the given features, listens on loopback HTTP only and deploys the
 * WAR; started in the foreground by {@code server run}.
 */
final class OpenLibertyServer implements JakartaServer {

    /** What the README asks for: the web profile and MicroProfile Config. */
    static final List<String> FEATURES = List.of("webProfile-10.0", "mpConfig-3.1");

    /** An application failed to start, a feature is unknown or its server.xml is wrong. */
    static final String[] FAILURES = {"CWWKZ0002E", "CWWKZ0004E", "CWWKZ0005E", "CWWKZ0013E", "CWWKF0001E", "CWWKF0042E", "CWWKG0014E"};

    private final List<String> features;

    OpenLibertyServer(List<String> features) {
        this.features = List.copyOf(features);
    }

    @Override
    public String name() {
        return "Open Liberty " + System.getProperty("usher.sample.liberty.version", "26");
    }

    @Override
    public String skipProperty() {
        return "usher.sample.skipLiberty";
    }

    @Override
    public RunningProcess start(Path war, String context, int port, Path work) throws Exception {
        Path home = Path.of(System.getProperty("usher.sample.liberty.home", ""));
        if (!Files.isRegularFile(home.resolve("bin/server"))) {
            throw new AssertionError(home + " is not an Open Liberty: run `mvn -B verify -Pservers` (pre-integration-test unpacks it)");
        }
        Path user = work.resolve("wlp-usr");
        Path server = user.resolve("servers/usher");
        Files.createDirectories(server.resolve("apps"));
        Files.copy(war, server.resolve("apps/" + context + ".war"));
        Files.writeString(server.resolve("server.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <server description="Usher sample">
                  <featureManager>
                %s
                  </featureManager>
                  <httpEndpoint id="defaultHttpEndpoint" host="127.0.0.1" httpPort="%d" httpsPort="-1"/>
                  <webApplication location="%s.war" contextRoot="/%s"/>
                </server>
                """.formatted(features.stream().map(f -> "    <feature>" + f + "</feature>").collect(Collectors.joining("\n")),
                port, context, context));
        String javaHome = System.getProperty("java.home");
        return RunningProcess.start("open-liberty", work, List.of("sh", home.resolve("bin/server").toString(), "run", "usher"),
                Map.of("WLP_USER_DIR", user.toString(), "JAVA_HOME", javaHome,
                        "JVM_ARGS", "-Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC"));
    }

    /** Its file serving has no byte ranges at all (no Accept-Ranges, 200 for every Range). */
    @Override
    public boolean containerServesRanges() {
        return false;
    }

    @Override
    public Optional<String> deploymentFailure(RunningProcess server, Path work) {
        return JakartaServer.line(server, FAILURES);
    }
}
