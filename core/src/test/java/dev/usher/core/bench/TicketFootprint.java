package dev.usher.core.bench;

import dev.usher.core.account.Account;
import dev.usher.core.config.UsherSettings;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.net.IpAddress;
import dev.usher.core.repository.InMemoryTicketRepository;
import dev.usher.core.service.IssueRequest;
import dev.usher.core.service.UsherService;
import dev.usher.core.ticket.Ticket;
import dev.usher.core.ticket.TicketKeys;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;

/**
 * Retained heap of {@link InMemoryTicketRepository}: bytes per ticket, per open playback and per
 * attempt-log entry, as differences of the used heap after repeated full GCs (MemoryMXBean).
 *
 * <p>Tickets are issued through {@link UsherService#issue} (so each has its own parsed rules and a
 * generated key) with typical fields: a 24-character pass, ip {@code auto/24}, video
 * {@code mystream}, app {@code myapp-sevu}. Every request is built from fresh strings with their own
 * character arrays, as an adapter parsing an HTTP request would, so nothing is shared by accident with the benchmark's
 * constants.
 *
 * <p>Phases: (1) insert the tickets; (2) one granted request per ticket, which opens a playback,
 * binds the {@code auto/24} slot, consumes a use and logs the first attempt; (3) {@code K} more
 * requests per ticket continuing that playback, each adding exactly one attempt and nothing else
 * that stays (the playback list is replaced by one of the same size).
 *
 * <p>Run: {@code mvn -B -ntp -pl core -Pbench test-compile exec:exec -Dbench.main=dev.usher.core.bench.TicketFootprint -Dbench=200000}
 * (the argument is the number of tickets; a second one, K, defaults to 5).
 */
public final class TicketFootprint {

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    public static void main(String[] args) throws Exception {
        int tickets = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int more = args.length > 1 ? Integer.parseInt(args[1]) : 5;

        UsherSettings settings = UsherSettings.defaults().withServerName("footprint");
        Instant now = Instant.parse("2025-06-01T12:00:00Z");
        InMemoryTicketRepository repository = new InMemoryTicketRepository(settings);
        UsherService service = new UsherService(repository, settings, Clock.fixed(now, ZoneOffset.UTC),
                new TicketKeys(new SecureRandom()));
        Account account = new Account(1, "api-key", "secret", "myapp");
        String[] keys = new String[tickets];
        String[] passes = new String[tickets];
        Random random = new Random(42);

        // Warm up the code paths on a throwaway repository so class loading and JIT data are not counted.
        warmUp(settings, now);
        long before = usedAfterGc();

        for (int t = 0; t < tickets; t++) {
            String pass = randomPass(random);
            Ticket ticket = service.issue(account, IssueRequest.of(fresh("myapp-sevu"), fresh("mystream"),
                    pass, fresh("auto/24"), 10, null));
            keys[t] = ticket.key();
            passes[t] = pass;
        }
        // keys[] and passes[] hold references to strings the tickets hold anyway; only the arrays
        // themselves are extra, and are subtracted.
        long arrays = 2L * arrayBytes(tickets);
        long afterInsert = usedAfterGc();

        for (int t = 0; t < tickets; t++) {
            check(repository.decide(request(keys[t], passes[t], t), now), true);
        }
        long afterFirst = usedAfterGc();

        for (int k = 0; k < more; k++) {
            for (int t = 0; t < tickets; t++) {
                check(repository.decide(request(keys[t], passes[t], t), now), false);
            }
        }
        long afterMore = usedAfterGc();

        if (repository.size() != tickets) {
            throw new IllegalStateException("expected " + tickets + " tickets, found " + repository.size());
        }
        System.out.printf("JVM %s %s, GC %s, max heap %d MB%n", System.getProperty("java.vm.name"),
                System.getProperty("java.version"), gcNames(), Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("tickets: %,d; further attempts per ticket: %d%n", tickets, more);
        System.out.printf("heap used: empty %,d B; after insert %,d B; after first playback %,d B; after %d more %,d B%n",
                before, afterInsert, afterFirst, more, afterMore);
        System.out.printf("bytes per ticket (as issued, no attempt yet):         %8.1f%n",
                (afterInsert - before - arrays) / (double) tickets);
        System.out.printf("bytes per ticket added by its first granted playback: %8.1f  (open playback, bound slot, first attempt)%n",
                (afterFirst - afterInsert) / (double) tickets);
        System.out.printf("bytes per further attempt-log entry:                  %8.1f%n",
                (afterMore - afterFirst) / ((double) tickets * more));
        System.out.printf("bytes per ticket with %d attempts logged:             %8.1f%n", more + 1,
                (afterMore - before - arrays) / (double) tickets);
        // Keep everything reachable up to the last measurement.
        if (keys.length + passes.length < 0 || repository.find(keys[0]).isEmpty()) {
            System.out.println();
        }
    }

    private static PlaybackRequest request(String key, String pass, int t) {
        // Fresh strings, as parsed from a request line and headers.
        String client = "10." + ((t >>> 16) & 0xff) + "." + ((t >>> 8) & 0xff) + "." + (t & 0xff);
        return new PlaybackRequest(fresh(key), fresh(pass), IpAddress.parse(client), fresh("myapp-sevu"),
                fresh("mystream"), null, null, fresh("https://www.example.com/watch/mystream"),
                fresh("https://www.example.com/"));
    }

    /** A copy with its own character array ({@code new String(String)} would share the literal's). */
    private static String fresh(String s) {
        return new String(s.toCharArray());
    }

    private static void check(Decision d, boolean newPlayback) {
        if (!d.granted() || d.newPlayback() != newPlayback) {
            throw new IllegalStateException("unexpected decision " + d.reason() + " new=" + d.newPlayback());
        }
    }

    private static void warmUp(UsherSettings settings, Instant now) {
        InMemoryTicketRepository repository = new InMemoryTicketRepository(settings);
        UsherService service = new UsherService(repository, settings, Clock.fixed(now, ZoneOffset.UTC), new TicketKeys());
        Account account = new Account(1, "api-key", "secret", "myapp");
        Random random = new Random(1);
        for (int t = 0; t < 20_000; t++) {
            String pass = randomPass(random);
            Ticket ticket = service.issue(account, IssueRequest.of("myapp-sevu", "mystream", pass, "auto/24", 10, null));
            for (int k = 0; k < 3; k++) {
                repository.decide(request(ticket.key(), pass, t), now);
            }
        }
    }

    private static String randomPass(Random random) {
        char[] c = new char[24];
        String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        for (int i = 0; i < c.length; i++) {
            c[i] = alphabet.charAt(random.nextInt(alphabet.length()));
        }
        return new String(c);
    }

    /** An Object[] of n references with compressed oops: 16-byte header, 4 bytes each, 8-byte aligned. */
    private static long arrayBytes(int n) {
        return (16L + 4L * n + 7) & ~7L;
    }

    private static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, MEMORY.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    private static String gcNames() {
        StringBuilder s = new StringBuilder();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            s.append(s.length() == 0 ? "" : "+").append(gc.getName());
        }
        return s.toString();
    }
}
