package dev.usher.sample;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Payara Micro 6 (one jar, copied by the pom to {@code target/payara/}): the WAR given on its
 * command line, no Hazelcast (it would listen on every interface), the HTTP listener bound to
 * loopback by a preboot command. Nothing else to set up.
 */
final class PayaraMicroServer implements JakartaServer {

    @Override
    public String name() {
        return "Payara Micro " + System.getProperty("usher.sample.payara.version", "6");
    }

    @Override
    public String skipProperty() {
        return "usher.sample.skipPayara";
    }

    @Override
    public RunningProcess start(Path war, String context, int port, Path work) throws Exception {
        Path jar = TestTools.artifact("usher.sample.payara");
        Path preboot = work.resolve("preboot.asadmin");
        Files.writeString(preboot, "set configs.config.server-config.network-config.network-listeners"
                + ".network-listener.http-listener.address=127.0.0.1\n");
        return RunningProcess.start("payara-micro", work, List.of(TestTools.java(),
                "-Xmx512m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar.toString(),
                "--deploy", war.toString(), "--contextroot", context, "--port", String.valueOf(port),
                "--nohazelcast", "--disablephonehome", "--unpackdir", work.resolve("unpacked").toString(),
                "--prebootcommandfile", preboot.toString()));
    }

    @Override
    public Optional<String> deploymentFailure(RunningProcess server, Path work) {
        // A failed deployment does not stop Payara Micro: it says so in its log.
        return JakartaServer.line(server, "Exception while loading the app", "Exception during lifecycle processing");
    }
}
