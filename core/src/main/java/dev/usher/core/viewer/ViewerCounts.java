package dev.usher.core.viewer;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The active viewers of a selection of streams and videos, by format and address family: one row
 * of {@code vsn.viewercount}.
 *
 * @param count   how many
 * @param formats how many play each format (every format present, 0 when none)
 * @param ipv4    how many from IPv4 networks
 * @param ipv6    how many from IPv6 networks
 */
public record ViewerCounts(int count, Map<Format, Integer> formats, int ipv4, int ipv6) {

    public ViewerCounts {
        formats = Map.copyOf(formats);
    }

    /**
     * Sums the groups of {@code tallies} whose app and video {@code selected} accepts.
     *
     * @param selected takes an app and a video name
     */
    public static ViewerCounts of(List<ViewerTally> tallies, java.util.function.BiPredicate<String, String> selected) {
        Map<Format, Integer> formats = new EnumMap<>(Format.class);
        for (Format f : Format.values()) {
            formats.put(f, 0);
        }
        int count = 0;
        int v6 = 0;
        for (ViewerTally t : tallies) {
            if (selected.test(t.app(), t.video())) {
                count += t.count();
                v6 += t.ipv6() ? t.count() : 0;
                formats.merge(t.format(), t.count(), Integer::sum);
            }
        }
        return new ViewerCounts(count, formats, count - v6, v6);
    }

    /** @return the counts of the videos of the apps {@code app} accepts that {@code video} accepts */
    public static ViewerCounts of(List<ViewerTally> tallies, Predicate<String> app, Predicate<String> video) {
        return of(tallies, (a, v) -> app.test(a) && video.test(v));
    }
}
