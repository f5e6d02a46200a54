package dev.usher.sample.console;

import dev.usher.core.credential.CredentialStatus;
import dev.usher.core.decision.Decision;
import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.decision.Reason;
import dev.usher.core.service.UsherListener;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Refusals by reason and minute, for the console's chart: an {@link UsherListener} told of every
 * playback decision (an entry: a manifest, an MP4 range) and of every child credential checked (a
 * variant playlist, a segment), kept in a ring of the last {@value #MINUTES} minutes.
 *
 * <p>Bounded in memory and in its answer whatever the traffic: {@value #MINUTES} buckets, each a
 * counter per known reason — the refusal {@link Reason}s and the failed {@link CredentialStatus}es,
 * fixed sets, never text a client sent. Counting is a lock on one small array per event, off the
 * repository's path (the listener is called after the decision).
 */
public final class RefusalTimeline implements UsherListener {

    /** How many minutes the ring keeps. */
    public static final int MINUTES = 60;

    /** Every reason counted, in the order the chart lists them: decisions first, then credentials. */
    public static final List<String> REASONS = reasons();

    private final Clock clock;
    /** bucket i holds the minute {@code minutes[i]} (epoch minutes), counts[i][reason]. */
    private final long[] minutes = new long[MINUTES];
    private final long[][] counts = new long[MINUTES][REASONS.size()];

    public RefusalTimeline(Clock clock) {
        this.clock = clock;
        java.util.Arrays.fill(minutes, -1);
    }

    private static List<String> reasons() {
        List<String> out = new ArrayList<>();
        for (Reason r : Reason.values()) {
            if (!r.granted()) {
                out.add(r.text());
            }
        }
        for (CredentialStatus s : CredentialStatus.values()) {
            if (!s.isValid()) {
                out.add(credentialLabel(s));
            }
        }
        return List.copyOf(out);
    }

    /** @return how a failed child credential is named on the chart, e.g. {@code credential wrong_network} */
    public static String credentialLabel(CredentialStatus s) {
        return "credential " + s.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void decided(PlaybackRequest request, Decision decision) {
        if (!decision.granted()) {
            count(REASONS.indexOf(decision.reason().text()));
        }
    }

    @Override
    public void credentialChecked(CredentialStatus status) {
        if (!status.isValid()) {
            count(REASONS.indexOf(credentialLabel(status)));
        }
    }

    @Override
    public void childRevoked(String ticketKey) {
        count(REASONS.indexOf("Token Revoked")); // a playback in progress stopped by its revocation
    }

    private void count(int reason) {
        if (reason < 0) {
            return;
        }
        long minute = clock.instant().getEpochSecond() / 60;
        int i = (int) Math.floorMod(minute, (long) MINUTES);
        synchronized (this) {
            if (minutes[i] != minute) {
                minutes[i] = minute;
                java.util.Arrays.fill(counts[i], 0);
            }
            counts[i][reason]++;
        }
    }

    /**
     * One minute of the chart.
     *
     * @param minute  its start
     * @param refused the refusals of that minute by reason, only the reasons that occurred
     */
    public record Minute(Instant minute, Map<String, Long> refused) {
    }

    /**
     * @param minutes every minute of the last {@value #MINUTES}, oldest first (the current one last), quiet ones empty
     * @param reasons every reason the chart may show, in a fixed order
     * @param totals  the refusals of the whole window by reason
     */
    public record Snapshot(List<Minute> minutes, List<String> reasons, Map<String, Long> totals) {
    }

    public Snapshot snapshot() {
        long now = clock.instant().getEpochSecond() / 60;
        List<Minute> out = new ArrayList<>(MINUTES);
        long[] totals = new long[REASONS.size()];
        synchronized (this) {
            for (long m = now - MINUTES + 1; m <= now; m++) {
                int i = (int) Math.floorMod(m, (long) MINUTES);
                Map<String, Long> refused = new LinkedHashMap<>();
                if (minutes[i] == m) {
                    for (int r = 0; r < REASONS.size(); r++) {
                        if (counts[i][r] > 0) {
                            refused.put(REASONS.get(r), counts[i][r]);
                            totals[r] += counts[i][r];
                        }
                    }
                }
                out.add(new Minute(Instant.ofEpochSecond(m * 60).truncatedTo(ChronoUnit.MINUTES), refused));
            }
        }
        Map<String, Long> sum = new LinkedHashMap<>();
        for (int r = 0; r < REASONS.size(); r++) {
            if (totals[r] > 0) {
                sum.put(REASONS.get(r), totals[r]);
            }
        }
        return new Snapshot(out, REASONS, sum);
    }
}
