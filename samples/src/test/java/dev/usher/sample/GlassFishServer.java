package dev.usher.sample;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * GlassFish 7 (the {@code glassfish} zip, unpacked by the pom to {@code target/servers/glassfish7}):
 * a copy of {@code domain1} in the work directory, started in the foreground by
 * {@code asadmin start-domain --verbose}, the WAR dropped into its {@code autodeploy} directory.
 * The copy's {@code domain.xml} puts every listener (HTTP, HTTPS, admin, IIOP, JMX) on loopback
 * and free ports and turns the embedded JMS broker off (it would listen on every interface): test
 * isolation, not something the sample needs.
 */
final class GlassFishServer implements JakartaServer {

    @Override
    public String name() {
        return "GlassFish " + System.getProperty("usher.sample.glassfish.version", "7");
    }

    @Override
    public String skipProperty() {
        return "usher.sample.skipGlassFish";
    }

    @Override
    public RunningProcess start(Path war, String context, int port, Path work) throws Exception {
        Path home = Path.of(System.getProperty("usher.sample.glassfish.home", "")).resolve("glassfish");
        Path cli = home.resolve("lib/client/appserver-cli.jar");
        if (!Files.isRegularFile(cli)) {
            throw new AssertionError(cli + " does not exist: run `mvn -B verify` (pre-integration-test unpacks GlassFish)");
        }
        Path domains = work.resolve("domains");
        copyTree(home.resolve("domains/domain1"), domains.resolve("domain1"));
        Path config = domains.resolve("domain1/config/domain.xml");
        Files.writeString(config, loopbackOnly(Files.readString(config, StandardCharsets.UTF_8), port), StandardCharsets.UTF_8);
        Files.copy(war, domains.resolve("domain1/autodeploy/" + context + ".war"));
        String javaHome = System.getProperty("java.home");
        return RunningProcess.start("glassfish", work, List.of(TestTools.java(), "-jar", cli.toString(),
                "start-domain", "--verbose", "--domaindir", domains.toString(), "domain1"),
                Map.of("AS_JAVA", javaHome, "JAVA_HOME", javaHome));
    }

    /** The server's own configuration (the part before {@code default-config}) on loopback and free ports. */
    static String loopbackOnly(String xml, int http) throws Exception {
        int split = xml.indexOf("<config name=\"default-config\"");
        String server = split < 0 ? xml : xml.substring(0, split);
        String rest = split < 0 ? "" : xml.substring(split);
        server = server.replace("address=\"0.0.0.0\"", "address=\"127.0.0.1\"");
        // domain1 as shipped has no jms-service in server-config: GlassFish adds an EMBEDDED one,
        // whose broker listens on every interface (7676), at the first start.
        if (server.contains("<jms-service")) {
            throw new AssertionError("domain.xml already names a jms-service: not the domain1 this test knows");
        }
        server = server.replace("</iiop-service>", "</iiop-service>\n      <jms-service default-jms-host=\"default_JMS_host\" type=\"DISABLED\">"
                + "<jms-host port=\"${JMS_PROVIDER_PORT}\" name=\"default_JMS_host\" host=\"localhost\"/></jms-service>");
        server = listener(server, "http-listener-1", http);
        server = listener(server, "http-listener-2", JakartaServer.freePort());
        server = listener(server, "admin-listener", JakartaServer.freePort());
        for (String fixed : new String[] {"3700", "3820", "3920", "8686"}) {
            server = server.replace("port=\"" + fixed + "\"", "port=\"" + JakartaServer.freePort() + "\"");
        }
        return server + rest;
    }

    private static String listener(String xml, String name, int port) {
        String re = "<network-listener port=\"\\d+\" protocol=\"" + name + "\"";
        String to = "<network-listener address=\"127.0.0.1\" port=\"" + port + "\" protocol=\"" + name + "\"";
        String out = xml.replaceFirst(re, to);
        if (out.equals(xml)) {
            throw new AssertionError("domain.xml has no network-listener " + name);
        }
        return out;
    }

    @Override
    public Optional<String> deploymentFailure(RunningProcess server, Path work) {
        Path autodeploy = work.resolve("domains/domain1/autodeploy");
        if (Files.exists(autodeploy.resolve(ServerMatrix.CONTEXT + ".war_deployFailed"))) {
            return Optional.of("autodeploy wrote " + ServerMatrix.CONTEXT + ".war_deployFailed");
        }
        return JakartaServer.line(server, "Exception while loading the app", "Exception during lifecycle processing");
    }

    static void copyTree(Path from, Path to) throws Exception {
        try (var paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
