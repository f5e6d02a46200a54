package dev.usher.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * WildFly (the {@code wildfly-dist} tar.gz, unpacked by the pom to {@code target/servers/}): a copy
 * of {@code standalone/} as the server's base directory, the one command the README gives for
 * WildFly applied to it with the offline CLI, then {@code standalone.sh} bound to loopback with the
 * WAR in {@code deployments/} (the deployment scanner writes {@code usher.war.failed} on failure).
 */
final class WildFlyServer implements JakartaServer {

    /**
     * The README's one command: WildFly's Jakarta Security integration otherwise asks its own
     * ApplicationRealm about the sample's callers and answers the sign-in with 500 (ELY01177).
     */
    static final String COMMAND = "/subsystem=undertow/application-security-domain=other"
            + ":write-attribute(name=integrated-jaspi,value=false)";

    /** The ports standalone.xml opens besides HTTP (HTTPS, management, transactions), before the offset. */
    private static final int[] OTHER_PORTS = {8443, 9990, 9993, 4712, 4713};

    @Override
    public String name() {
        return "WildFly " + System.getProperty("usher.sample.wildfly.version", "37");
    }

    @Override
    public String skipProperty() {
        return "usher.sample.skipWildFly";
    }

    @Override
    public RunningProcess start(Path war, String context, int port, Path work) throws Exception {
        Path home = Path.of(System.getProperty("usher.sample.wildfly.home", ""));
        if (!Files.isRegularFile(home.resolve("jboss-modules.jar"))) {
            throw new AssertionError(home + " is not a WildFly: run `mvn -B verify -Pservers` (pre-integration-test unpacks it)");
        }
        Path base = work.resolve("standalone");
        GlassFishServer.copyTree(home.resolve("standalone"), base);
        String javaHome = System.getProperty("java.home");
        Map<String, String> env = Map.of("JAVA_HOME", javaHome, "JAVA_OPTS", "-Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        try (RunningProcess cli = RunningProcess.start("wildfly-cli", work, List.of("sh", home.resolve("bin/jboss-cli.sh").toString(),
                "-Djboss.server.base.dir=" + base, "--commands=embed-server --std-out=discard," + COMMAND + ",stop-embedded-server"), env)) {
            cli.await(l -> l.contains("\"outcome\" => \"success\""), l -> l.contains("\"outcome\" => \"failed\""), java.time.Duration.ofSeconds(120));
            cli.waitFor(60, TimeUnit.SECONDS);
        }
        Files.copy(war, base.resolve("deployments/" + context + ".war"));
        int offset = offset(port);
        return RunningProcess.start("wildfly", work, List.of("sh", home.resolve("bin/standalone.sh").toString(),
                "-b", "127.0.0.1", "-bmanagement", "127.0.0.1", "-Djboss.server.base.dir=" + base,
                "-Djboss.socket.binding.port-offset=" + offset, "-Djboss.http.port=" + (port - offset)), env);
    }

    /** An offset that moves every other port of standalone.xml to a free one (the HTTP port is set apart). */
    private static int offset(int port) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int offset = ThreadLocalRandom.current().nextInt(1000, Math.min(20000, port));
            int[] ports = new int[OTHER_PORTS.length];
            for (int i = 0; i < ports.length; i++) {
                ports[i] = OTHER_PORTS[i] + offset;
            }
            if (JakartaServer.free(ports)) {
                return offset;
            }
        }
        throw new AssertionError("no free ports for WildFly");
    }

    @Override
    public Optional<String> deploymentFailure(RunningProcess server, Path work) {
        if (Files.exists(work.resolve("standalone/deployments/" + ServerMatrix.CONTEXT + ".war.failed"))) {
            return Optional.of("the deployment scanner wrote " + ServerMatrix.CONTEXT + ".war.failed");
        }
        return Optional.empty();
    }
}
