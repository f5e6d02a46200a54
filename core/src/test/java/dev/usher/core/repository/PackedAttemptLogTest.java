package dev.usher.core.repository;

import dev.usher.core.attempt.Attempt;
import dev.usher.core.attempt.AttemptLog;
import dev.usher.core.attempt.PassFingerprint;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.Playback;
import dev.usher.core.decision.Reason;
import dev.usher.core.net.IpAddress;
import dev.usher.core.net.IpNetwork;
import dev.usher.core.rule.IpRestriction;
import dev.usher.core.rule.PatternList;
import dev.usher.core.ticket.Ticket;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link PackedAttemptLog} keeps exactly what a plain list of {@link Attempt}s kept under the rules
 * of {@link AttemptLog} (the in-memory store's log before it was packed, written out here as the
 * reference): the same entries, in the same order, after any sequence of appends at any cap, marks
 * of grants not served, reads and purges.
 */
class PackedAttemptLogTest {

    private static final String KEY = "mystream.53ffc996dd39d5.39102367";
    private static final String PASS = "p4ssw0rd-0123456789abcde";
    private static final String OWN = PassFingerprint.of(PASS, KEY, PASS);

    /** The list the in-memory store kept before. */
    private static final class Reference {
        final List<Attempt> log = new ArrayList<>();

        void append(Attempt attempt, int cap) {
            if (!attempt.success()) {
                Instant windowStart = AttemptLog.windowStart(attempt.datetime());
                for (int i = log.size() - 1; i >= 0 && log.get(i).datetime().isAfter(windowStart); i--) {
                    if (AttemptLog.absorbs(log.get(i), attempt)) {
                        log.set(i, log.get(i).repeated());
                        return;
                    }
                }
            }
            log.add(attempt);
            if (log.size() <= cap) {
                return;
            }
            int grants = (int) log.stream().filter(Attempt::success).count();
            AttemptLog.Eviction eviction = AttemptLog.evict(log.size() - grants, grants, attempt.success(), cap);
            int refusals = eviction.refusals();
            int successes = eviction.grants();
            for (Iterator<Attempt> it = log.iterator(); it.hasNext() && (refusals > 0 || successes > 0); ) {
                Attempt a = it.next();
                if (a.success() ? successes-- > 0 : refusals-- > 0) {
                    it.remove();
                }
            }
        }

        void markNotServed(Decision grant, int status) {
            for (int i = log.size() - 1; i >= 0; i--) {
                if (RepositoryRules.isAttemptOf(grant, log.get(i))) {
                    log.set(i, log.get(i).notServed(status));
                    return;
                }
            }
        }

        List<Attempt> since(Instant since, int limit) {
            List<Attempt> found = log.stream().filter(a -> since == null || !a.datetime().isBefore(since)).toList();
            return found.size() > limit ? found.subList(found.size() - limit, found.size()) : found;
        }
    }

    @Test
    void keepsWhatAPlainListKeptUnderEveryRule() {
        SplittableRandom random = new SplittableRandom(17);
        String[] ips = {"198.51.100.7", "198.51.100.8", "2001:db8::1"};
        String[] pages = {"", "https://example.com/watch", "https://example.org/"};
        String[] videos = {"mystream", "movies/trailer.mp4"};
        Reason[] reasons = Reason.values();
        Ticket ticket = new Ticket(KEY, 1, PASS, IpRestriction.parse("0.0.0.0/0"), PatternList.parse("video", "*"),
                PatternList.parse("app", "myapp"), 10, true, Instant.EPOCH, Instant.parse("9999-01-01T00:00:00Z"), null);
        for (int run = 0; run < 300; run++) {
            int cap = 1 + random.nextInt(9);
            PackedAttemptLog packed = new PackedAttemptLog();
            PackedAttemptLog.SharedStrings strings = new PackedAttemptLog.SharedStrings();
            Reference reference = new Reference();
            Instant now = Instant.parse("2025-06-01T12:00:00Z").plusNanos(random.nextInt(1_000_000_000));
            List<Attempt> grants = new ArrayList<>();
            for (int step = 0; step < 60; step++) {
                now = now.plusMillis(random.nextInt(4) == 0 ? 0 : random.nextInt(40_000));
                int op = random.nextInt(10);
                if (op < 8) {
                    Reason reason = random.nextBoolean() ? Reason.SUCCESS : reasons[random.nextInt(reasons.length)];
                    String fingerprint = switch (random.nextInt(4)) {
                        case 0 -> "";
                        case 1 -> PassFingerprint.of(PASS, KEY, "wrong-" + random.nextInt(3));
                        case 2 -> "not-a-fingerprint";
                        default -> OWN;
                    };
                    Attempt a = new Attempt(KEY, now, ips[random.nextInt(ips.length)], videos[random.nextInt(videos.length)],
                            "myapp", "_definst_", new String(pages[random.nextInt(pages.length)].toCharArray()),
                            pages[random.nextInt(pages.length)], reason, "node-1", 1, 0, fingerprint);
                    packed.append(a, OWN, strings, cap);
                    reference.append(a, cap);
                    if (a.success()) {
                        grants.add(a);
                    }
                } else if (op == 8 && !grants.isEmpty()) {
                    Attempt g = grants.get(random.nextInt(grants.size()));
                    IpNetwork client = IpNetwork.host(IpAddress.parse(g.ip()));
                    Playback opened = new Playback(g.app() + "/" + g.video(), client, g.datetime(), g.datetime());
                    Decision grant = new Decision(Reason.SUCCESS, ticket, client, true, opened, -1);
                    int status = 404 + random.nextInt(100);
                    packed.markNotServed(KEY, grant, status);
                    reference.markNotServed(grant, status);
                } else {
                    Instant horizon = now.minusSeconds(random.nextInt(300));
                    packed.removeBefore(horizon);
                    reference.log.removeIf(a -> a.datetime().isBefore(horizon));
                }
                assertEquals(reference.log, packed.since(KEY, null, Integer.MAX_VALUE), "run " + run + " step " + step);
                Instant since = now.minusSeconds(random.nextInt(120));
                int limit = random.nextInt(cap + 2);
                assertEquals(reference.since(since, limit), packed.since(KEY, since, limit), "run " + run + " step " + step);
            }
        }
    }

    /**
     * The in-memory store appends an attempt from the request itself (its client's address kept as
     * numbers, made text only when read): the log holds exactly the entries that appending the
     * {@link Attempt} {@link RepositoryRules} makes of the same request would hold, repeats absorbed
     * and the cap kept alike, for IPv4 and IPv6 clients.
     */
    @Test
    void anAttemptAppendedFromItsRequestIsTheAttemptRepositoryRulesMakes() {
        SplittableRandom random = new SplittableRandom(23);
        String[] ips = {"198.51.100.7", "198.51.100.8", "2001:db8::1", "::ffff:198.51.100.7"};
        String[] pages = {"", "https://example.com/watch", "https://example.org/"};
        String[] videos = {"mystream", "movies/trailer.mp4"};
        Reason[] reasons = Reason.values();
        RepositoryRules rules = new RepositoryRules(dev.usher.core.config.UsherSettings.defaults().withServerName("node-1"));
        Ticket ticket = new Ticket(KEY, 1, PASS, IpRestriction.parse("0.0.0.0/0"), PatternList.parse("video", "*"),
                PatternList.parse("app", "myapp"), 10, true, Instant.EPOCH, Instant.parse("9999-01-01T00:00:00Z"), null);
        for (int run = 0; run < 200; run++) {
            int cap = 1 + random.nextInt(9);
            PackedAttemptLog direct = new PackedAttemptLog();
            PackedAttemptLog viaAttempt = new PackedAttemptLog();
            PackedAttemptLog.SharedStrings strings = new PackedAttemptLog.SharedStrings();
            Instant now = Instant.parse("2025-06-01T12:00:00Z").plusNanos(random.nextInt(1_000_000_000));
            for (int step = 0; step < 60; step++) {
                now = now.plusMillis(random.nextInt(4) == 0 ? 0 : random.nextInt(40_000));
                Reason reason = random.nextBoolean() ? Reason.SUCCESS : reasons[random.nextInt(reasons.length)];
                String pass = random.nextInt(3) == 0 ? "wrong-" + random.nextInt(3) : PASS;
                dev.usher.core.decision.PlaybackRequest request = new dev.usher.core.decision.PlaybackRequest(KEY, pass,
                        IpAddress.parse(ips[random.nextInt(ips.length)]), "myapp", videos[random.nextInt(videos.length)],
                        null, null, new String(pages[random.nextInt(pages.length)].toCharArray()),
                        pages[random.nextInt(pages.length)]);
                Decision decision = reason.granted() ? new Decision(Reason.SUCCESS, ticket, null, false)
                        : Decision.refused(reason, ticket);
                String fingerprint = rules.passFingerprint(ticket, request, decision, pass.equals(PASS) ? OWN : null);
                direct.append(request, now, reason, rules.serverName(), fingerprint, OWN, strings, cap);
                viaAttempt.append(rules.attempt(ticket, request, now, decision), OWN, strings, cap);
                assertEquals(viaAttempt.since(KEY, null, Integer.MAX_VALUE), direct.since(KEY, null, Integer.MAX_VALUE),
                        "run " + run + " step " + step);
            }
        }
    }

    /** A packed fingerprint is compared with a text without the text of its bits being made, and alike. */
    @Test
    void aPackedFingerprintIsComparedAsItsText() {
        SplittableRandom random = new SplittableRandom(5);
        for (int n = 0; n < 2000; n++) {
            String fp = PassFingerprint.of(PASS, KEY, "wrong-" + n);
            byte[] bits = java.util.Base64.getUrlDecoder().decode(fp);
            long high = java.nio.ByteBuffer.wrap(bits, 0, 8).getLong();
            long low = java.nio.ByteBuffer.wrap(bits, 8, 8).getLong();
            PackedAttemptLog.Origin o = new PackedAttemptLog.Origin(null, 0, 0, "v", "a", "i", "", "", "s", null, high, low);
            assertEquals(fp, o.fingerprint());
            org.junit.jupiter.api.Assertions.assertTrue(o.hasFingerprint(fp));
            char[] other = fp.toCharArray();
            int at = random.nextInt(other.length);
            other[at] = other[at] == 'A' ? 'B' : 'A';
            org.junit.jupiter.api.Assertions.assertFalse(o.hasFingerprint(new String(other)), fp + " at " + at);
            org.junit.jupiter.api.Assertions.assertFalse(o.hasFingerprint(fp.substring(1)));
            org.junit.jupiter.api.Assertions.assertFalse(o.hasFingerprint(""));
        }
    }
}
