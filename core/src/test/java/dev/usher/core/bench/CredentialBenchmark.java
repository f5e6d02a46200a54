package dev.usher.core.bench;

import dev.usher.core.credential.CredentialCheck;
import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.net.IpAddress;
import dev.usher.core.net.IpNetwork;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Signing and verifying playback credentials: throughput per thread, and with four threads sharing
 * one {@link PlaybackCredentials} as a filter does. {@code verify} checks one text again and again,
 * as the segments of one playback do (after the first, a remembered text: a lookup and a compare);
 * {@code verifyFirstSight} goes round more texts than are remembered, so each is checked in full
 * (decoding, parsing, the HMAC).
 * Run: {@code mvn -B -ntp -pl core -Pbench test-compile exec:exec -Dbench=CredentialBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class CredentialBenchmark {

    private static final String TICKET = "mystream.53ffc996dd39d5.39102367";
    private static final IpAddress CLIENT = IpAddress.parse("203.0.113.7");

    private PlaybackCredentials credentials;
    private IpNetwork network;
    private Instant expires;
    private Instant now;
    private String token;
    private String[] tokens;
    private int next;

    @Setup
    public void setUp() {
        credentials = new PlaybackCredentials("k2",
                Map.of("k1", PlaybackCredentials.newSecret(), "k2", PlaybackCredentials.newSecret()));
        network = IpNetwork.host(CLIENT);
        now = Instant.now();
        expires = now.plusSeconds(3600);
        token = credentials.sign(TICKET, "live", "mystream", network, expires);
        // more texts than the 8,192 remembered, visited in turn: every one is evicted before it comes back
        tokens = new String[4 * 8192];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = credentials.sign(TICKET, "live", "mystream", network, expires.plusSeconds(i));
        }
    }

    @Benchmark
    public String sign() {
        return credentials.sign(TICKET, "live", "mystream", network, expires);
    }

    @Benchmark
    public CredentialCheck verify() {
        return credentials.verify(token, "live", "mystream/v0/seg_001.ts", CLIENT, now);
    }

    @Benchmark
    public CredentialCheck verifyFirstSight() {
        String t = tokens[next];
        next = (next + 1) & (tokens.length - 1);
        return credentials.verify(t, "live", "mystream/v0/seg_001.ts", CLIENT, now);
    }

    @Benchmark
    @Threads(4)
    public CredentialCheck verify4Threads() {
        return credentials.verify(token, "live", "mystream/v0/seg_001.ts", CLIENT, now);
    }
}
