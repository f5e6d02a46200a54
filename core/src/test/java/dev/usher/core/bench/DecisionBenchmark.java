package dev.usher.core.bench;

import dev.usher.core.account.Account;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.net.IpAddress;
import dev.usher.core.repository.InMemoryTicketRepository;
import dev.usher.core.rule.IpRestriction;
import dev.usher.core.rule.PatternList;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;
import dev.usher.core.ticket.TicketKeys;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the in-memory playback decision ({@link InMemoryTicketRepository#decide}) on one
 * thread, attempt log included. The time is a fixed {@link Instant} except in
 * {@link #newPlaybackWindowElapsed}, where it moves one playback window per call.
 *
 * <p>Cases on a repository holding {@link Stored#tickets} used tickets (a {@code @Param}: 256, which
 * stay in the CPU's caches, and 100,000 and 1,000,000, which do not), each with its own generated
 * key and 24-character pass, an open playback and three attempts logged; every call picks a ticket
 * at random, and its request carries its own copies of the key and pass, as an adapter parsing a
 * request line would make them, so the cache misses of a large store show:
 * <ul>
 * <li>{@code continuingPlayback}: the hot path, a request continuing an open playback (same key,
 *     pass, client and video) of a ticket with generous uses;</li>
 * <li>{@code continuingPlaybackViaService}: the same through {@link UsherService#authorize} with a fixed clock;</li>
 * <li>{@code refusedWrongPass}: a wrong pass (refused, logged as an attempt; no service log line
 *     since it goes to the repository directly);</li>
 * <li>{@code lookupFloor}: the limit these are measured against: the same random pick and one
 *     {@link ConcurrentHashMap#get} of the request's key in a map of as many keys, nothing else.</li>
 * </ul>
 * Cases on a few tickets of their own ({@link Few}):
 * <ul>
 * <li>{@code newPlaybackAtCap}: every call starts a playback: 16 tickets with huge uses, each
 *     visited by 65 client addresses in turn, so a client's previous playback has always been
 *     forgotten (AdmissionRules keeps 64 open playbacks per ticket) and each ticket stays at the
 *     cap: the worst case, where the oldest playback is evicted on every call;</li>
 * <li>{@code newPlaybackWindowElapsed}: every call starts a playback, the time moving on by one
 *     playback window per call so the ticket's earlier playbacks are closed (the common case of a
 *     new viewer on a ticket with few open playbacks);</li>
 * <li>{@code patternTicketContinuing}: a realistic ticket, video
 *     {@code sestore3/username/set1/*|sestore3/username/set2/*} and ip {@code auto/24|auto/24}, both
 *     slots already bound, continuing a playback of a video matched by the second pattern from the
 *     second slot's network.</li>
 * </ul>
 *
 * <p>Run: {@code mvn -B -ntp -pl core -Pbench test-compile exec:exec -Dbench=DecisionBenchmark}, or
 * with the JMH main directly (see the README's Benchmarks); {@code -p tickets=1000000} picks one size.
 * The heap is fixed at 4 GB (a million used tickets, their logs growing through the run, and the
 * benchmark's own million requests).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// A fixed, pre-touched heap: on a VM whose memory is mapped lazily (e.g. Firecracker), first touches
// of heap pages during the run cost far more than the GC itself and made iterations vary 10x.
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
@Threads(1)
public class DecisionBenchmark {

    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    static final String PASS = "p4ssw0rd-0123456789abcde"; // 24 characters
    static final String APP = "myapp-sevu";
    static final String PAGE = "https://example.com/watch";
    static final String REFERRER = "https://example.com/";

    private static Account account() {
        return new Account(1, "api-key", "secret", "myapp");
    }

    private static UsherService service(InMemoryTicketRepository repository, UsherSettings settings) {
        return new UsherService(repository, settings, Clock.fixed(NOW, ZoneOffset.UTC),
                new TicketKeys(new SecureRandom(new byte[]{1})));
    }

    /** Many used tickets, one picked at random per call. */
    @State(Scope.Thread)
    public static class Stored {

        @Param({"256", "100000", "1000000"})
        public int tickets;

        InMemoryTicketRepository repository;
        UsherService service;
        PlaybackRequest[] continuing;
        PlaybackRequest[] wrongPass;
        /** The same keys, for {@link #lookupFloor}. */
        ConcurrentHashMap<String, Object> keys;
        private long seed = 0x9E3779B97F4A7C15L;

        @Setup(Level.Trial)
        public void setUp() {
            UsherSettings settings = UsherSettings.defaults().withServerName("bench");
            repository = new InMemoryTicketRepository(settings);
            service = service(repository, settings);
            Account account = account();
            SplittableRandom random = new SplittableRandom(42);
            continuing = new PlaybackRequest[tickets];
            wrongPass = new PlaybackRequest[tickets];
            keys = new ConcurrentHashMap<>();
            for (int t = 0; t < tickets; t++) {
                String pass = randomPass(random);
                Ticket ticket = service.issue(account, IssueRequest.of(APP, "mystream", pass, "auto/24", 1000, "+1 week"));
                keys.put(ticket.key(), Boolean.TRUE);
                IpAddress client = IpAddress.ofV4(0x0A000000 | t); // 10.x.y.z, one per ticket
                continuing[t] = new PlaybackRequest(copy(ticket.key()), copy(pass), client, APP, "mystream", null, null,
                        PAGE, REFERRER);
                wrongPass[t] = new PlaybackRequest(continuing[t].key(), "wrong-pass-0123456789abc", client, APP,
                        "mystream", null, null, PAGE, REFERRER);
                expect(repository.decide(continuing[t], NOW), true, true);   // opens the playback
                expect(repository.decide(continuing[t], NOW), true, false);  // and continues it
                expect(repository.decide(wrongPass[t], NOW), false, false);
            }
        }

        /** @return a ticket's index, uniformly at random (xorshift64, then Lemire's multiply-shift) */
        int next() {
            long x = seed;
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            seed = x;
            return (int) (((x >>> 32) * tickets) >>> 32);
        }
    }

    /** A few tickets of their own, for the cases that start playbacks or need particular rules. */
    @State(Scope.Thread)
    public static class Few {

        private static final int CAP_TICKETS = 16;
        private static final int CAP_CLIENTS = 65;                   // > AdmissionRules.MAX_OPEN_PLAYBACKS
        private static final int FRESH_TICKETS = 64;                 // power of two

        InMemoryTicketRepository repository;
        Duration window;
        PlaybackRequest[] atCap;
        PlaybackRequest[] fresh;
        PlaybackRequest patterned;
        int i;
        int capIndex;
        Instant moving;

        @Setup(Level.Trial)
        public void setUp() {
            UsherSettings settings = UsherSettings.defaults().withServerName("bench");
            window = settings.playbackWindow();
            repository = new InMemoryTicketRepository(settings);
            UsherService service = service(repository, settings);
            Account account = account();

            atCap = new PlaybackRequest[CAP_TICKETS * CAP_CLIENTS];
            Ticket[] capTickets = new Ticket[CAP_TICKETS];
            for (int t = 0; t < CAP_TICKETS; t++) {
                capTickets[t] = service.issue(account,
                        IssueRequest.of(APP, "mystream", PASS, "0.0.0.0/0", Integer.MAX_VALUE, "+1 week"));
            }
            for (int k = 0; k < atCap.length; k++) {
                int t = k % CAP_TICKETS;
                int c = k / CAP_TICKETS;
                atCap[k] = PlaybackRequest.of(capTickets[t].key(), PASS, IpAddress.ofV4(0xCB007100 | c), APP, "mystream");
            }
            for (int round = 0; round < 3; round++) { // fill every ticket to the cap, then check each call is new
                for (PlaybackRequest r : atCap) {
                    expect(repository.decide(r, NOW), true, true);
                }
            }

            fresh = new PlaybackRequest[FRESH_TICKETS];
            for (int t = 0; t < FRESH_TICKETS; t++) {
                Ticket ticket = new Ticket("fresh." + t, 1, PASS, IpRestriction.parse("auto"),
                        PatternList.parse("video", "mystream"), PatternList.parse("app", APP), Integer.MAX_VALUE, true,
                        NOW, Instant.parse("9999-12-31T00:00:00Z"), null);
                repository.insert(ticket);
                fresh[t] = PlaybackRequest.of(ticket.key(), PASS, IpAddress.ofV4(0xC0000200 | t), APP, "mystream");
            }
            moving = NOW;
            for (PlaybackRequest r : fresh) {
                moving = moving.plus(window);
                expect(repository.decide(r, moving), true, true);
            }
            for (PlaybackRequest r : fresh) {
                moving = moving.plus(window);
                expect(repository.decide(r, moving), true, true);
            }

            Ticket rich = service.issue(account, IssueRequest.of(APP,
                    "sestore3/username/set1/*|sestore3/username/set2/*", PASS, "auto/24|auto/24", 1000, "+1 week"));
            PlaybackRequest first = PlaybackRequest.of(rich.key(), PASS, IpAddress.parse("203.0.113.9"), APP,
                    "sestore3/username/set1/intro.mp4");
            expect(repository.decide(first, NOW), true, true);            // binds slot 1 to 203.0.113.0/24
            patterned = new PlaybackRequest(rich.key(), PASS, IpAddress.parse("198.18.7.42"), APP,
                    "sestore3/username/set2/episode-04.mp4", null, null, PAGE, REFERRER);
            expect(repository.decide(patterned, NOW), true, true);        // binds slot 2 to 198.18.7.0/24
            expect(repository.decide(patterned, NOW), true, false);
            if (repository.find(rich.key()).orElseThrow().ip().boundCount() != 2) {
                throw new IllegalStateException("both auto slots should be bound");
            }
        }
    }

    private static void expect(Decision d, boolean granted, boolean newPlayback) {
        if (d.granted() != granted || d.newPlayback() != newPlayback) {
            throw new IllegalStateException("unexpected decision " + d.reason() + " new=" + d.newPlayback());
        }
    }

    /** A copy with its own character array, as parsed from a request ({@code new String(String)} would share it). */
    private static String copy(String s) {
        return new String(s.toCharArray());
    }

    private static String randomPass(SplittableRandom random) {
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        char[] c = new char[24];
        for (int k = 0; k < c.length; k++) {
            c[k] = alphabet.charAt(random.nextInt(alphabet.length()));
        }
        return new String(c);
    }

    @Benchmark
    public void continuingPlayback(Stored s, Blackhole bh) {
        bh.consume(s.repository.decide(s.continuing[s.next()], NOW));
    }

    @Benchmark
    public void continuingPlaybackViaService(Stored s, Blackhole bh) {
        bh.consume(s.service.authorize(s.continuing[s.next()]));
    }

    @Benchmark
    public void refusedWrongPass(Stored s, Blackhole bh) {
        bh.consume(s.repository.decide(s.wrongPass[s.next()], NOW));
    }

    @Benchmark
    public void lookupFloor(Stored s, Blackhole bh) {
        bh.consume(s.keys.get(s.continuing[s.next()].key()));
    }

    @Benchmark
    public void newPlaybackAtCap(Few f, Blackhole bh) {
        PlaybackRequest r = f.atCap[f.capIndex];
        f.capIndex = f.capIndex + 1 == f.atCap.length ? 0 : f.capIndex + 1;
        bh.consume(f.repository.decide(r, NOW));
    }

    @Benchmark
    public void newPlaybackWindowElapsed(Few f, Blackhole bh) {
        f.moving = f.moving.plus(f.window);
        bh.consume(f.repository.decide(f.fresh[f.i++ & (Few.FRESH_TICKETS - 1)], f.moving));
    }

    @Benchmark
    public void patternTicketContinuing(Few f, Blackhole bh) {
        bh.consume(f.repository.decide(f.patterned, NOW));
    }
}
