package dev.usher.core.live.stream;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Usher's own DASH MPD of a live stream fed by DASH ingest ({@code manifest.mpd}). While live it
 * is {@code type="dynamic"}: a fixed {@code availabilityStartTime} (the session's first segment),
 * a window of {@code playlist_count} segments per Representation, and a new Period at every
 * restart of the encoder (a discontinuity: new init segment, media time back at 0), whose start
 * and {@code presentationTimeOffset} never change while it is in the window. Once ended it is
 * {@code type="static"}, rebased so that the window starts at 0. Segments are addressed with a
 * {@code SegmentTemplate} over Usher's names ({@code {session}-{rendition}-$Number$.m4s}) and a
 * {@code SegmentTimeline} of the encoder's own media times, so the filter's DASH rewriter can put
 * the child credential on {@code @media} and {@code @initialization}. Nothing from the encoder is
 * copied except attributes {@link EncoderMpd} checked to be plain text.
 *
 * <p>While live it names itself in a {@code <Location>} ({@value #LOCATION}, relative: the MPD's own
 * URL), which the rewriter gives the child credential like every other URL: a player such as dash.js
 * then reloads the MPD from there, with the credential, as the same viewer (issue 16), instead of
 * with key and pass, which would be a new entry and so a new viewer at every reload.
 */
final class LiveMpd {

    static final String NAME = "manifest.mpd";
    /** The {@code <Location>} element of a live MPD: where it is reloaded from. */
    static final String LOCATION = "  <Location>" + NAME + "</Location>\n";
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(java.time.ZoneOffset.UTC);

    private LiveMpd() {
    }

    static boolean isDynamic(String mpd) {
        return mpd.contains(" type=\"dynamic\"");
    }

    /** A dynamic MPD a stopped server left, ended: static, no more updates. */
    static String ended(String mpd) {
        return mpd.replace(" type=\"dynamic\"", " type=\"static\"").replaceAll(" minimumUpdatePeriod=\"[^\"]*\"", "")
                .replace(LOCATION, "");
    }

    static String render(List<LiveStreams.Rendition> renditions, Map<Long, Instant> periodStarts, Instant availabilityStart,
                         boolean ended, Instant now, int count) {
        TreeSet<Long> runs = new TreeSet<>();
        int target = 1;
        for (LiveStreams.Rendition r : renditions) {
            r.segments.forEach(g -> runs.add(g.run()));
            target = Math.max(target, r.target);
        }
        // Seconds from availabilityStartTime to each Period's start.
        TreeMap<Long, Double> starts = new TreeMap<>();
        for (long run : runs) {
            Instant at = periodStarts.getOrDefault(run, availabilityStart);
            starts.put(run, seconds(Duration.between(availabilityStart, at)));
        }
        // Static: the window is rebased to begin at 0 (the earliest presentation time of its first Period).
        double shift = 0;
        if (ended) {
            long first = runs.first();
            shift = Double.MAX_VALUE;
            for (LiveStreams.Rendition r : renditions) {
                for (LiveStreams.Segment g : r.segments) {
                    if (g.run() == first) {
                        shift = Math.min(shift, starts.get(first) + (double) (g.t() - offset(r, first, g)) / timescale(r));
                        break;
                    }
                }
            }
        }
        double end = 0;
        StringBuilder periods = new StringBuilder();
        for (long run : runs) {
            double start = starts.get(run) - shift;
            double shown = Math.max(0, start);
            boolean firstPeriod = run == runs.first();
            periods.append("  <Period id=\"p").append(run).append("\" start=\"").append(iso(shown)).append("\">\n");
            Map<Integer, List<LiveStreams.Rendition>> sets = new TreeMap<>();
            for (LiveStreams.Rendition r : renditions) {
                if (r.segments.stream().anyMatch(g -> g.run() == run)) {
                    sets.computeIfAbsent(r.representation.adaptationSet(), k -> new ArrayList<>()).add(r);
                }
            }
            for (var set : sets.entrySet()) {
                EncoderMpd.Representation head = set.getValue().get(0).representation;
                periods.append("    <AdaptationSet id=\"").append(set.getKey()).append("\" contentType=\"").append(head.contentType())
                        .append("\" segmentAlignment=\"true\" startWithSAP=\"1\">\n");
                for (LiveStreams.Rendition r : set.getValue()) {
                    List<LiveStreams.Segment> segs = r.segments.stream().filter(g -> g.run() == run).toList();
                    long ts = timescale(r);
                    long pto = offset(r, run, segs.get(0));
                    if (ended && firstPeriod && start < 0) {
                        pto += Math.round(-start * ts); // the part of the Period before the window is cut off
                    }
                    periods.append("      <Representation id=\"").append(r.representation.id()).append('"');
                    r.representation.attributes().forEach((k, v) -> periods.append(' ').append(k).append("=\"").append(v).append('"'));
                    periods.append(">\n");
                    if (r.representation.channels() != null) {
                        periods.append("        <AudioChannelConfiguration schemeIdUri=\"").append(r.representation.channels().get(0))
                                .append("\" value=\"").append(r.representation.channels().get(1)).append("\"/>\n");
                    }
                    LiveStreams.Segment g0 = segs.get(0);
                    String prefix = g0.name().substring(0, g0.name().lastIndexOf('-') + 1);
                    String ext = g0.name().substring(g0.name().lastIndexOf('.'));
                    periods.append("        <SegmentTemplate timescale=\"").append(ts).append("\" presentationTimeOffset=\"").append(pto)
                            .append("\" startNumber=\"").append(g0.sequence()).append('"');
                    if (g0.map() != null) {
                        periods.append(" initialization=\"").append(g0.map()).append('"');
                    }
                    periods.append(" media=\"").append(prefix).append("$Number$").append(ext).append("\">\n");
                    periods.append("          <SegmentTimeline>\n");
                    long expected = Long.MIN_VALUE;
                    for (LiveStreams.Segment g : segs) {
                        periods.append("            <S");
                        if (g.t() != expected) {
                            periods.append(" t=\"").append(g.t()).append('"');
                        }
                        periods.append(" d=\"").append(g.d()).append("\"/>\n");
                        expected = g.t() + g.d();
                        end = Math.max(end, shown + (double) (g.t() + g.d() - pto) / ts);
                    }
                    periods.append("          </SegmentTimeline>\n        </SegmentTemplate>\n      </Representation>\n");
                }
                periods.append("    </AdaptationSet>\n");
            }
            periods.append("  </Period>\n");
        }
        StringBuilder b = new StringBuilder(512 + periods.length());
        b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\"")
                .append(" profiles=\"urn:mpeg:dash:profile:isoff-live:2011\"");
        if (ended) {
            b.append(" type=\"static\" mediaPresentationDuration=\"").append(iso(end)).append('"');
        } else {
            b.append(" type=\"dynamic\" availabilityStartTime=\"").append(ISO.format(availabilityStart))
                    .append("\" publishTime=\"").append(ISO.format(now))
                    .append("\" minimumUpdatePeriod=\"").append(iso(target))
                    .append("\" timeShiftBufferDepth=\"").append(iso((double) count * target))
                    .append("\" suggestedPresentationDelay=\"").append(iso(Math.min(3, count - 1) * (double) target)).append('"');
        }
        b.append(" maxSegmentDuration=\"").append(iso(target)).append("\" minBufferTime=\"").append(iso(target)).append("\">\n");
        if (!ended) {
            b.append(LOCATION); // before the Periods, as the MPD schema orders it
        }
        b.append(periods).append("</MPD>\n");
        return b.toString();
    }

    private static long timescale(LiveStreams.Rendition r) {
        return r.representation.timescale();
    }

    private static long offset(LiveStreams.Rendition r, long run, LiveStreams.Segment first) {
        return r.offsets.getOrDefault(run, first.t());
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    private static String iso(double seconds) {
        return String.format(Locale.ROOT, "PT%.3fS", seconds);
    }
}
