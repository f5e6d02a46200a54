package dev.usher.core.bench;

import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.guard.MediaGuard;
import dev.usher.core.media.MediaPath;
import dev.usher.core.net.IpAddress;
import dev.usher.core.repository.InMemoryTicketRepository;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.RevocationWatch;
import dev.usher.core.service.UsherService;
import dev.usher.core.account.Account;
import dev.usher.core.ticket.Ticket;
import dev.usher.core.viewer.InMemoryViewerStore;
import dev.usher.core.viewer.NoViewers;
import dev.usher.core.viewer.ViewerStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The cost of counting viewers on the segment path (issue 16): a child request through the guard
 * (credential check, revocation watch, and with counting on one sighting in the in-memory store),
 * for 1,000 players of 100 tickets, with {@code counting} on and off.
 * Run: {@code mvn -B -ntp -pl core -Pbench test-compile exec:exec -Dbench=ViewerCountingBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ViewerCountingBenchmark {

    private static final IpAddress CLIENT = IpAddress.parse("203.0.113.7");
    private static final int PLAYERS = 1000;

    @Param({"true", "false"})
    public boolean counting;

    private MediaGuard guard;
    private String[] credentials;
    private MediaPath segment;

    @Setup
    public void setUp() {
        UsherSettings settings = UsherSettings.defaults();
        UsherService service = new UsherService(new InMemoryTicketRepository(settings), settings);
        PlaybackCredentials signer = PlaybackCredentials.of("k1", PlaybackCredentials.newSecret());
        ViewerStore viewers = counting ? new InMemoryViewerStore(Duration.ofSeconds(30)) : new NoViewers(Duration.ofSeconds(30));
        guard = new MediaGuard(service, signer, new RevocationWatch(service.repository(), Duration.ofHours(6)),
                Duration.ofHours(6), viewers);
        Account account = new Account(28, "bench-api-key-0000000000", "bench-secret-000000000000", "bench");
        credentials = new String[PLAYERS];
        for (int i = 0; i < PLAYERS; i++) {
            Ticket t = service.issue(account, IssueRequest.of("bench-live", "show", "pass-" + (i % 100), "0.0.0.0/0", 1_000_000,
                    "+1 day"));
            MediaGuard.Verdict entry = guard.decide(MediaPath.of("bench-live", "show/master.m3u8"), t.key(), "pass-" + (i % 100),
                    null, CLIENT, null);
            credentials[i] = entry.credential();
        }
        segment = MediaPath.of("bench-live", "show/v0/seg_001.ts");
    }

    @Benchmark
    public boolean child() {
        return guard.decide(segment, null, null, credentials[ThreadLocalRandom.current().nextInt(PLAYERS)], CLIENT, null).granted();
    }

    @Benchmark
    @Threads(4)
    public boolean child4Threads() {
        return child();
    }
}
