package dev.usher.core.live.stream;

import dev.usher.core.live.LiveNames;

import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an encoder's DASH MPD ({@code ffmpeg -f dash}) tells: for each Representation, which of
 * its uploads are segments (by the names its {@code SegmentTemplate} and {@code SegmentTimeline}
 * give), in which order, with which media time and duration, and its init segment; and whether
 * the encoder ended ({@code type="static"}). Only the few attributes a player needs are kept, each
 * checked to be plain text; the MPD viewers get is Usher's own. Every name must be a simple name
 * in the stream's folder: a {@code BaseURL}, an {@code xlink:href} or a template that makes a path
 * or a URL refuses the whole MPD, as does a DOCTYPE (no entity can be expanded or fetched).
 */
public record EncoderMpd(boolean ended, List<Representation> representations) {

    /** A segment: its encoder name, media time and duration, in the Representation's timescale. */
    public record Segment(String uri, long t, long d) {
    }

    /**
     * @param id            the encoder's Representation id (a simple name)
     * @param adaptationSet the index of its AdaptationSet in the encoder's MPD
     * @param contentType   video, audio or text (from the AdaptationSet or the mime type)
     * @param attributes    the Representation's attributes a player needs, checked
     * @param channels      the AudioChannelConfiguration {scheme, value}, or null
     * @param startNumber   the number of the first listed segment
     */
    public record Representation(String id, int adaptationSet, String contentType, Map<String, String> attributes,
                                 List<String> channels, long timescale, String init, long startNumber,
                                 List<Segment> segments) {
    }

    /** Attributes of a Representation (or inherited from its AdaptationSet) carried into Usher's MPD. */
    static final List<String> KEPT = List.of("mimeType", "codecs", "bandwidth", "width", "height", "frameRate", "sar",
            "audioSamplingRate");
    private static final Set<String> TYPES = Set.of("video", "audio", "text");

    public static EncoderMpd parse(byte[] xml) throws EncoderPlaylist.InvalidPlaylist {
        try {
            return new Parser(reader(xml)).parse();
        } catch (XMLStreamException e) {
            throw new EncoderPlaylist.InvalidPlaylist("not a well-formed MPD");
        }
    }

    private static XMLStreamReader reader(byte[] xml) throws XMLStreamException {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        try {
            f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        } catch (IllegalArgumentException ignored) {
            // not every StAX implementation knows it; DTDs are off anyway
        }
        return f.createXMLStreamReader(new ByteArrayInputStream(xml));
    }

    private static final class Template {
        String media;
        String init;
        long timescale = 1;
        long startNumber = 1;
        List<long[]> timeline; // {t, d}, t = -1: continues

        Template copy() {
            Template c = new Template();
            c.media = media;
            c.init = init;
            c.timescale = timescale;
            c.startNumber = startNumber;
            c.timeline = timeline == null ? null : new ArrayList<>(timeline);
            return c;
        }
    }

    private static final class Parser {
        final XMLStreamReader in;
        final List<Representation> out = new ArrayList<>();
        boolean ended;
        int periods;
        int adaptation = -1;
        int entries;
        Map<String, String> setAttributes;
        String setType;
        Template setTemplate;
        String repId;
        Map<String, String> repAttributes;
        List<String> channels;
        Template repTemplate;
        Template current; // the template whose SegmentTimeline is being read

        Parser(XMLStreamReader in) {
            this.in = in;
        }

        EncoderMpd parse() throws XMLStreamException, EncoderPlaylist.InvalidPlaylist {
            boolean root = false;
            while (in.hasNext()) {
                int ev = in.next();
                if (ev == XMLStreamConstants.DTD) {
                    throw new EncoderPlaylist.InvalidPlaylist("an MPD with a DOCTYPE");
                }
                if (ev == XMLStreamConstants.END_ELEMENT) {
                    end(in.getLocalName());
                    continue;
                }
                if (ev != XMLStreamConstants.START_ELEMENT) {
                    continue;
                }
                for (int i = 0; i < in.getAttributeCount(); i++) {
                    if ("href".equals(in.getAttributeLocalName(i))) {
                        throw new EncoderPlaylist.InvalidPlaylist("an MPD with xlink:href (remote elements)");
                    }
                }
                String name = in.getLocalName();
                if (!root) {
                    if (!name.equals("MPD")) {
                        throw new EncoderPlaylist.InvalidPlaylist("not a DASH MPD (the root is not MPD)");
                    }
                    root = true;
                    ended = "static".equals(in.getAttributeValue(null, "type"));
                    continue;
                }
                start(name);
            }
            if (!root) {
                throw new EncoderPlaylist.InvalidPlaylist("not a DASH MPD");
            }
            return new EncoderMpd(ended, List.copyOf(out));
        }

        void start(String name) throws EncoderPlaylist.InvalidPlaylist {
            switch (name) {
                case "BaseURL", "Location", "PatchLocation" ->
                        throw new EncoderPlaylist.InvalidPlaylist("reference outside the stream: an MPD with " + name);
                case "SegmentList", "SegmentBase" ->
                        throw new EncoderPlaylist.InvalidPlaylist(name + " is not supported (use a SegmentTemplate with a SegmentTimeline)");
                case "Period" -> {
                    if (++periods > 1) {
                        throw new EncoderPlaylist.InvalidPlaylist("more than one Period");
                    }
                }
                case "AdaptationSet" -> {
                    adaptation++;
                    setAttributes = attributes();
                    String type = in.getAttributeValue(null, "contentType");
                    setType = type != null && TYPES.contains(type) ? type : null;
                    setTemplate = null;
                }
                case "Representation" -> {
                    if (adaptation < 0) {
                        throw new EncoderPlaylist.InvalidPlaylist("a Representation outside an AdaptationSet");
                    }
                    repId = in.getAttributeValue(null, "id");
                    if (repId == null || !LiveNames.folder(repId) || repId.length() > 16) {
                        throw new EncoderPlaylist.InvalidPlaylist("a Representation id that is not a short simple name");
                    }
                    if (out.size() >= LiveStreams.MAX_RENDITIONS) {
                        throw new EncoderPlaylist.InvalidPlaylist("more than " + LiveStreams.MAX_RENDITIONS + " Representations");
                    }
                    repAttributes = new LinkedHashMap<>(setAttributes);
                    repAttributes.putAll(attributes());
                    repTemplate = setTemplate == null ? null : setTemplate.copy();
                    channels = null;
                }
                case "AudioChannelConfiguration" -> {
                    String scheme = in.getAttributeValue(null, "schemeIdUri");
                    String value = in.getAttributeValue(null, "value");
                    if (plain(scheme) && plain(value)) {
                        channels = List.of(scheme, value);
                    }
                }
                case "SegmentTemplate" -> {
                    Template t = repId != null ? (repTemplate == null ? new Template() : repTemplate)
                            : (setTemplate == null ? new Template() : setTemplate);
                    String media = in.getAttributeValue(null, "media");
                    String init = in.getAttributeValue(null, "initialization");
                    t.media = media != null ? media : t.media;
                    t.init = init != null ? init : t.init;
                    t.timescale = number("timescale", t.timescale, 1, 1_000_000_000L);
                    t.startNumber = number("startNumber", t.startNumber, 0, Long.MAX_VALUE / 4);
                    if (repId != null) {
                        repTemplate = t;
                    } else if (adaptation >= 0) {
                        setTemplate = t;
                    }
                    current = t;
                }
                case "SegmentTimeline" -> {
                    if (current == null) {
                        throw new EncoderPlaylist.InvalidPlaylist("a SegmentTimeline outside a SegmentTemplate");
                    }
                    current.timeline = new ArrayList<>();
                }
                case "S" -> {
                    if (current == null || current.timeline == null) {
                        throw new EncoderPlaylist.InvalidPlaylist("an S outside a SegmentTimeline");
                    }
                    long t = number("t", -1, 0, Long.MAX_VALUE / 4);
                    long d = number("d", -1, 1, Long.MAX_VALUE / 4);
                    long r = number("r", 0, 0, EncoderPlaylist.MAX_ENTRIES);
                    if (d < 0) {
                        throw new EncoderPlaylist.InvalidPlaylist("an S without d");
                    }
                    if (d > EncoderPlaylist.MAX_DURATION * current.timescale) {
                        throw new EncoderPlaylist.InvalidPlaylist("a segment longer than " + EncoderPlaylist.MAX_DURATION + " s");
                    }
                    entries += r + 1;
                    if (entries > EncoderPlaylist.MAX_ENTRIES) {
                        throw new EncoderPlaylist.InvalidPlaylist("more than " + EncoderPlaylist.MAX_ENTRIES + " entries");
                    }
                    for (long i = 0; i <= r; i++) {
                        current.timeline.add(new long[] {i == 0 ? t : -1, d});
                    }
                }
                default -> {
                }
            }
        }

        void end(String name) throws EncoderPlaylist.InvalidPlaylist {
            switch (name) {
                case "Representation" -> {
                    Template t = repTemplate;
                    if (t == null || t.media == null || t.timeline == null) {
                        throw new EncoderPlaylist.InvalidPlaylist("Representation " + repId
                                + " without a SegmentTemplate and SegmentTimeline (the only addressing Usher ingests)");
                    }
                    String bandwidth = repAttributes.get("bandwidth");
                    String init = t.init == null ? null : reference(expand(t.init, repId, bandwidth, 0, 0));
                    List<Segment> segments = new ArrayList<>();
                    long time = 0;
                    long number = t.startNumber;
                    for (long[] s : t.timeline) {
                        if (s[0] >= 0) {
                            time = s[0];
                        }
                        segments.add(new Segment(reference(expand(t.media, repId, bandwidth, number++, time)), time, s[1]));
                        time += s[1];
                    }
                    String mime = repAttributes.getOrDefault("mimeType", "");
                    String type = setType != null ? setType : mime.startsWith("audio/") ? "audio"
                            : mime.startsWith("text/") || mime.startsWith("application/") ? "text" : "video";
                    out.add(new Representation(repId, adaptation, type, Map.copyOf(repAttributes), channels, t.timescale, init,
                            t.startNumber, List.copyOf(segments)));
                    repId = null;
                    repTemplate = null;
                    current = null;
                }
                case "SegmentTemplate" -> {
                    if (repId == null) {
                        current = null;
                    }
                }
                case "AdaptationSet" -> setTemplate = null;
                default -> {
                }
            }
        }

        Map<String, String> attributes() {
            Map<String, String> m = new LinkedHashMap<>();
            for (String k : KEPT) {
                String v = in.getAttributeValue(null, k);
                if (v != null && plain(v)) {
                    m.put(k, v);
                }
            }
            return m;
        }

        long number(String attribute, long absent, long min, long max) throws EncoderPlaylist.InvalidPlaylist {
            String v = in.getAttributeValue(null, attribute);
            if (v == null) {
                return absent;
            }
            try {
                long n = Long.parseLong(v.strip());
                if (n < min || n > max) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new EncoderPlaylist.InvalidPlaylist("bad @" + attribute);
            }
        }
    }

    /** Text that can be written back into an attribute as it is: printable ASCII, no quote, angle bracket or ampersand. */
    static boolean plain(String v) {
        return v != null && v.length() <= 200 && v.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"' && c != '<'
                && c != '>' && c != '&' && c != '\'');
    }

    private static String reference(String name) throws EncoderPlaylist.InvalidPlaylist {
        if (!LiveNames.simple(name)) {
            throw new EncoderPlaylist.InvalidPlaylist("reference outside the stream: '"
                    + (name.length() > 80 ? name.substring(0, 80) : name).replaceAll("[^\\x20-\\x7e]", "?") + "'");
        }
        return name;
    }

    /** Substitutes the DASH template identifiers ($RepresentationID$, $Number%05d$, $Time$, $Bandwidth$, $$). */
    static String expand(String template, String id, String bandwidth, long number, long time) throws EncoderPlaylist.InvalidPlaylist {
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c != '$') {
                b.append(c);
                i++;
                continue;
            }
            int close = template.indexOf('$', i + 1);
            if (close < 0) {
                throw new EncoderPlaylist.InvalidPlaylist("an unclosed $ in a SegmentTemplate");
            }
            String ident = template.substring(i + 1, close);
            String format = null;
            int pct = ident.indexOf('%');
            if (pct >= 0) {
                format = ident.substring(pct);
                ident = ident.substring(0, pct);
            }
            String value = switch (ident) {
                case "" -> "$";
                case "RepresentationID" -> id;
                case "Bandwidth" -> bandwidth == null ? "" : bandwidth;
                case "Number" -> pad(number, format);
                case "Time" -> pad(time, format);
                default -> throw new EncoderPlaylist.InvalidPlaylist("an unknown template identifier");
            };
            b.append(value);
            if (b.length() > LiveNames.MAX) {
                throw new EncoderPlaylist.InvalidPlaylist("a segment name longer than " + LiveNames.MAX);
            }
            i = close + 1;
        }
        return b.toString();
    }

    private static String pad(long n, String format) throws EncoderPlaylist.InvalidPlaylist {
        String s = Long.toString(n);
        if (format == null) {
            return s;
        }
        if (!format.matches("%0[1-9]d")) {
            throw new EncoderPlaylist.InvalidPlaylist("an unsupported template format");
        }
        int width = format.charAt(2) - '0';
        return s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
