package dev.usher.core.live.stream;

import dev.usher.core.live.LiveNames;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an encoder's HLS playlist tells: which of its files are segments, in which order, how
 * long, with which init segment, and whether it ended; or, for a master playlist, its variants
 * and its alternative renditions ({@code EXT-X-MEDIA} with a {@code URI}, e.g. an audio group).
 * Nothing else is kept: the playlists viewers get are Usher's own. Every reference must be a
 * simple name in the stream's own folder; any other (a path, a parent, a URL) refuses the whole
 * playlist.
 */
public record EncoderPlaylist(long mediaSequence, List<Entry> entries, boolean endList, Map<String, String> variants,
                              Map<String, String> media) {

    /** Most entries a playlist may list (an encoder's window is a handful; more is an attack or a mistake). */
    public static final int MAX_ENTRIES = 2000;
    /** Longest segment accepted, in seconds. */
    public static final double MAX_DURATION = 60;

    /**
     * @param uri           the encoder's name of the segment
     * @param duration      seconds
     * @param discontinuity the encoder marked a discontinuity before it
     * @param map           the encoder's name of its init segment (fMP4), or null
     */
    public record Entry(String uri, double duration, boolean discontinuity, String map) {
    }

    public boolean master() {
        return !variants.isEmpty() || !media.isEmpty();
    }

    /** Why a playlist was refused. */
    public static final class InvalidPlaylist extends Exception {
        public InvalidPlaylist(String message) {
            super(message, null, false, false);
        }
    }

    public static EncoderPlaylist parse(String text) throws InvalidPlaylist {
        String[] lines = text.split("\r?\n|\r", -1);
        if (lines.length == 0 || !lines[0].strip().startsWith("#EXTM3U")) {
            throw new InvalidPlaylist("not an HLS playlist (no #EXTM3U)");
        }
        long sequence = 0;
        List<Entry> entries = new ArrayList<>();
        Map<String, String> variants = new LinkedHashMap<>();
        Map<String, String> media = new LinkedHashMap<>();
        boolean end = false;
        Double duration = null;
        boolean discontinuity = false;
        String map = null;
        String streamInf = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                if (line.startsWith("#EXTINF:")) {
                    String v = line.substring(8);
                    int comma = v.indexOf(',');
                    duration = number(comma < 0 ? v : v.substring(0, comma));
                    if (duration <= 0 || duration > MAX_DURATION) {
                        throw new InvalidPlaylist("segment duration " + duration + " outside (0, " + MAX_DURATION + "]");
                    }
                } else if (line.startsWith("#EXT-X-MEDIA-SEQUENCE:")) {
                    try {
                        sequence = Long.parseLong(line.substring(22).strip());
                    } catch (NumberFormatException e) {
                        throw new InvalidPlaylist("bad EXT-X-MEDIA-SEQUENCE");
                    }
                } else if (line.equals("#EXT-X-DISCONTINUITY")) {
                    discontinuity = true;
                } else if (line.equals("#EXT-X-ENDLIST")) {
                    end = true;
                } else if (line.startsWith("#EXT-X-MAP:")) {
                    map = reference(attribute(line, "URI"));
                } else if (line.startsWith("#EXT-X-STREAM-INF:")) {
                    streamInf = line.substring(18);
                } else if (line.startsWith("#EXT-X-MEDIA:") && attribute(line, "URI") != null) {
                    media.put(reference(attribute(line, "URI")), line.substring(13));
                    if (media.size() + variants.size() > MAX_ENTRIES) {
                        throw new InvalidPlaylist("more than " + MAX_ENTRIES + " entries");
                    }
                }
                continue;
            }
            String uri = reference(line);
            if (streamInf != null) {
                variants.put(uri, streamInf);
                streamInf = null;
            } else {
                if (duration == null) {
                    throw new InvalidPlaylist("segment " + uri + " without #EXTINF");
                }
                entries.add(new Entry(uri, duration, discontinuity, map));
                duration = null;
                discontinuity = false;
            }
            if (entries.size() + variants.size() > MAX_ENTRIES) {
                throw new InvalidPlaylist("more than " + MAX_ENTRIES + " entries");
            }
        }
        if ((!variants.isEmpty() || !media.isEmpty()) && !entries.isEmpty()) {
            throw new InvalidPlaylist("both variants and segments");
        }
        return new EncoderPlaylist(sequence, List.copyOf(entries), end, variants, media);
    }

    private static double number(String s) throws InvalidPlaylist {
        try {
            double d = Double.parseDouble(s.strip());
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new InvalidPlaylist("bad #EXTINF duration");
        }
    }

    /** A reference must name a file of the stream's own folder. */
    private static String reference(String uri) throws InvalidPlaylist {
        if (uri == null || !LiveNames.simple(uri)) {
            throw new InvalidPlaylist("reference outside the stream: '" + safe(uri) + "'");
        }
        return uri;
    }

    private static String safe(String s) {
        if (s == null) {
            return "";
        }
        String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    static String attribute(String line, String name) {
        String key = name.toUpperCase(Locale.ROOT) + "=";
        int at = line.indexOf(key);
        while (at > 0 && line.charAt(at - 1) != ':' && line.charAt(at - 1) != ',') {
            at = line.indexOf(key, at + 1);
        }
        if (at < 0) {
            return null;
        }
        int start = at + key.length();
        if (start < line.length() && line.charAt(start) == '"') {
            int end = line.indexOf('"', start + 1);
            return end < 0 ? null : line.substring(start + 1, end);
        }
        int end = line.indexOf(',', start);
        return line.substring(start, end < 0 ? line.length() : end);
    }
}
