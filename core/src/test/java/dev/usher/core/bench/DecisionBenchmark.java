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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the in-memory playback decision ({@link InMemoryTicketRepository#decide}) on one
 * thread, attempt log included. The time is a fixed {@link Instant} except in
 * {@link #newPlaybackWindowElapsed}, where it moves one playback window per call.
 *
 * <p>Cases on a repository holding {@link Stored#tickets} used tickets (a {@code @Param}: 256, which
 * stay in the CPU's caches, and 100,000 and 1,000,000, which do not), each with its own key in the
 * shape {@link TicketKeys} makes and 24-character pass, an {@code auto/24} slot bound, an open
 * playback and three attempts logged; every call picks a ticket at random and makes its request
 * (key, pass, client address) from the index, as an adapter makes it from the request line it has
 * just read, so the cache misses of a large store show and the request's own do not:
 * <ul>
 * <li>{@code continuingPlayback}: the hot path, a request continuing an open playback (same key,
 *     pass, client and video) of a ticket with generous uses;</li>
 * <li>{@code continuingPlaybackViaService}: the same through {@link UsherService#authorize} with a fixed clock;</li>
 * <li>{@code refusedWrongPass}: a wrong pass (refused, logged as an attempt; no service log line
 *     since it goes to the repository directly);</li>
 * <li>{@code lookupFloor}: the same random pick and request, and one {@link ConcurrentHashMap#get}
 *     of the request's key in a map of as many keys, nothing else;</li>
 * <li>{@code entryFloor}: the limit these are measured against, the least work of a continuing
 *     decision: the same pick, request and lookup, then under the found entry's lock a constant-time
 *     pass comparison and two writes, the playback's time and one slot of a log
 *     ({@link FloorEntry}).</li>
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
 * The heap is fixed at 4 GB (a million used tickets and their logs growing through the run, and the
 * floor's million entries).
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

    /**
     * Many used tickets, one picked at random per call. A ticket's key and pass are functions of its
     * index ({@link #keyOf}, {@link #passOf}), so each call makes its request anew from the index, as
     * an adapter makes one from the request line it has just read: the request's texts are fresh in
     * the cache, as they are in a server, and only the store's own memory is cold. (Requests kept in
     * an array of a million were themselves some five cache misses per call, which no server pays.)
     */
    @State(Scope.Thread)
    public static class Stored {

        @Param({"256", "100000", "1000000"})
        public int tickets;

        InMemoryTicketRepository repository;
        UsherService service;
        /** The same keys, for {@link #lookupFloor}. */
        ConcurrentHashMap<String, Object> keys;
        /** The same keys, each with the least state a decision must read and write, for {@link #entryFloor}. */
        ConcurrentHashMap<String, FloorEntry> floor;
        private long seed = 0x9E3779B97F4A7C15L;
        private final char[] keyChars = new char[KEY_LENGTH];
        private final char[] passChars = new char[PASS_LENGTH];

        @Setup(Level.Trial)
        public void setUp() {
            UsherSettings settings = UsherSettings.defaults().withServerName("bench");
            repository = new InMemoryTicketRepository(settings);
            service = service(repository, settings);
            keys = new ConcurrentHashMap<>();
            floor = new ConcurrentHashMap<>();
            // Rules as UsherService.issue parses them (its parsers share one instance per text).
            IpRestriction ip = IpRestriction.parse("auto/24");
            PatternList video = PatternList.parse("video", "mystream");
            PatternList app = PatternList.parse("app", APP);
            Instant expires = NOW.plus(Duration.ofDays(7));
            for (int t = 0; t < tickets; t++) {
                String key = keyOf(t, keyChars);
                if (!repository.insert(new Ticket(key, 1, passOf(t, passChars), ip, video, app, 1000, true, NOW,
                        expires, null))) {
                    throw new IllegalStateException("duplicate key " + key);
                }
                keys.put(keyOf(t, keyChars), Boolean.TRUE);
                floor.put(keyOf(t, keyChars), new FloorEntry(passOf(t, passChars)));
                expect(repository.decide(continuing(t), NOW), true, true);   // opens the playback
                expect(repository.decide(continuing(t), NOW), true, false);  // and continues it
                expect(repository.decide(wrongPass(t), NOW), false, false);
            }
        }

        /** @return a request continuing ticket {@code t}'s playback, made now from its index */
        PlaybackRequest continuing(int t) {
            return new PlaybackRequest(keyOf(t, keyChars), passOf(t, passChars), client(t), APP, "mystream", null, null,
                    PAGE, REFERRER);
        }

        /** @return a request for ticket {@code t} with a wrong pass, made now */
        PlaybackRequest wrongPass(int t) {
            return new PlaybackRequest(keyOf(t, keyChars), "wrong-pass-0123456789abc", client(t), APP, "mystream",
                    null, null, PAGE, REFERRER);
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

    /**
     * The least a continuing decision must touch besides the lookup: its ticket's entry, under the
     * entry's lock; the stored pass, compared in constant time; the playback's last request
     * and one slot of the attempt log, written. No rule is evaluated, nothing is allocated.
     */
    static final class FloorEntry {
        final String pass;
        long lastSeen;
        final long[] log = new long[8];
        int next;

        FloorEntry(String pass) {
            this.pass = pass;
        }

        synchronized boolean decide(String given, long now) {
            int diff = pass.length() ^ given.length(); // as AdmissionRules.passMatches: no copy, every character
            for (int i = 0; i < pass.length(); i++) {
                diff |= pass.charAt(i) ^ (i < given.length() ? given.charAt(i) : 0);
            }
            if (diff != 0) {
                return false;
            }
            lastSeen = now;
            log[next] = now;
            next = (next + 1) & (log.length - 1);
            return true;
        }
    }

    static final int KEY_LENGTH = 32;  // "mystream." 14 hex "." 8 digits, the shape TicketKeys makes
    static final int PASS_LENGTH = 24;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** @return ticket {@code t}'s key, {@code mystream.} 14 hex digits {@code .} 8 digits, distinct per t */
    static String keyOf(int t, char[] c) {
        "mystream.".getChars(0, 9, c, 0);
        long bits = (t + 1L) * 0x9E3779B97F4A7C15L; // a bijection of t, so keys look random and never repeat
        for (int i = 0; i < 14; i++) {
            c[9 + i] = HEX[(int) (bits >>> (4 * i)) & 0xf];
        }
        c[23] = '.';
        int d = t;
        for (int i = 31; i > 23; i--) {
            c[i] = (char) ('0' + d % 10);
            d /= 10;
        }
        return new String(c, 0, KEY_LENGTH);
    }

    /** @return ticket {@code t}'s 24-character pass */
    static String passOf(int t, char[] c) {
        long a = (t + 7L) * 0xC2B2AE3D27D4EB4FL;
        long b = (t + 11L) * 0x165667B19E3779F9L;
        for (int i = 0; i < 16; i++) {
            c[i] = HEX[(int) (a >>> (4 * i)) & 0xf];
        }
        for (int i = 0; i < 8; i++) {
            c[16 + i] = HEX[(int) (b >>> (4 * i)) & 0xf];
        }
        return new String(c, 0, PASS_LENGTH);
    }

    private static IpAddress client(int t) {
        return IpAddress.ofV4(0x0A000000 | t); // 10.x.y.z, one per ticket
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

    @Benchmark
    public void continuingPlayback(Stored s, Blackhole bh) {
        bh.consume(s.repository.decide(s.continuing(s.next()), NOW));
    }

    @Benchmark
    public void continuingPlaybackViaService(Stored s, Blackhole bh) {
        bh.consume(s.service.authorize(s.continuing(s.next())));
    }

    @Benchmark
    public void refusedWrongPass(Stored s, Blackhole bh) {
        bh.consume(s.repository.decide(s.wrongPass(s.next()), NOW));
    }

    @Benchmark
    public void lookupFloor(Stored s, Blackhole bh) {
        bh.consume(s.keys.get(s.continuing(s.next()).key()));
    }

    @Benchmark
    public boolean entryFloor(Stored s) {
        PlaybackRequest r = s.continuing(s.next());
        FloorEntry e = s.floor.get(r.key());
        return e != null && e.decide(r.pass(), NOW.getEpochSecond());
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
