package dev.usher.core.live.record;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One recording on disk, {@code {folder}/}:
 * <ul>
 * <li>{@code recording.properties} — app, stream, record type, part, state ({@code recording} or
 *     {@code finished}): what a restart needs to finish it;</li>
 * <li>{@code seg-{n}.ts|m4s} — the live segments, hard-linked (or copied) as they complete;
 *     {@code init.mp4} for fMP4;</li>
 * <li>{@code playlist.m3u8} — {@code EXT-X-PLAYLIST-TYPE:EVENT} while written, rewritten atomically
 *     after each segment (so it always lists only complete segments), {@code VOD} with
 *     {@code EXT-X-ENDLIST} when finished;</li>
 * <li>{@code recording.mp4} — fMP4 only: the init segment and every segment appended, one
 *     fragmented MP4 (cut at every change of the init segment, so it is always valid).</li>
 * </ul>
 * A session with several renditions (a ladder, or DASH's separate audio and video) records them all
 * in one folder: the first rendition with video as above but with its media playlist in
 * {@code r0.m3u8}, every other one in {@code r{n}/} (its own {@code playlist.m3u8}, segments,
 * {@code init.mp4} and {@code recording.mp4}), and {@code playlist.m3u8} is then a master playlist:
 * each video rendition an {@code EXT-X-STREAM-INF} (BANDWIDTH: its peak segment bit rate, plus the
 * audio's), each rendition of audio alone an {@code EXT-X-MEDIA TYPE=AUDIO} of the group the
 * variants name. A recording of one rendition keeps the layout above.
 * Order per segment: the segment file, the MP4 append, then the playlist. A process killed at any
 * point leaves a playlist of complete segments; {@link #recover} drops what it does not list and
 * cuts the MP4 back to the listed segments, then finishes the recording.
 */
final class RecordingWriter {

    static final String INFO = "recording.properties";
    static final String PLAYLIST = "playlist.m3u8";
    static final String MP4 = "recording.mp4";
    static final String INIT = "init.mp4";
    /** The suffix of a {@code stream} recording's folder while it is written (its final name needs its end). */
    static final String IN_PROGRESS = "-recording";

    private static final DateTimeFormatter PDT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final int MAX_COLLISIONS = 1000;
    /** The primary rendition's media playlist once the recording has several renditions. */
    static final String PRIMARY = "r0.m3u8";
    /** The GROUP-ID of the audio renditions in a recording's master playlist. */
    static final String AUDIO_GROUP = "audio";

    /** A segment of the recording as its playlist lists it. */
    record Seg(String uri, double duration, Instant pdt, boolean discontinuity, long bytes) {
    }

    private final String app;
    private final String stream;
    private final String recordType;
    private final int part;
    private final Instant start;
    private final boolean mp4;
    private Path dir;
    private final List<Seg> segments = new ArrayList<>();
    private long bytes;
    private double seconds;
    private long mp4Bytes;
    private boolean finished;
    /** EXT-X-TARGETDURATION, fixed for the recording's whole life (RFC 8216 4.3.3.1: an EVENT playlist never changes it). */
    private int target;
    /** The media playlist's file name: {@link #PLAYLIST}, or {@link #PRIMARY} once other renditions are recorded. */
    private String media = PLAYLIST;
    /** Whether this rendition has video (a variant in the master), or audio alone. */
    private boolean video = true;
    /** The other renditions' writers ({@code r1/}, {@code r2/}…), of a primary only. */
    private final List<RecordingWriter> others = new ArrayList<>();
    /** The primary this writer is another rendition of, or null. */
    private RecordingWriter primary;

    private RecordingWriter(Path dir, String app, String stream, String recordType, int part, Instant start, boolean mp4) {
        this.dir = dir;
        this.app = app;
        this.stream = stream;
        this.recordType = recordType;
        this.part = part;
        this.start = start;
        this.mp4 = mp4;
    }

    /**
     * Makes the recording's folder, under a name nothing has yet.
     *
     * @param names the recording's names ({@link RecordingNames})
     * @param init  the init segment to record first (fMP4), or null (TS)
     */
    static RecordingWriter start(Path saveDir, String name, String app, String stream, String recordType, int part,
                                 Instant start, Path init, int target) throws IOException {
        return start(saveDir, name, app, stream, recordType, part, start, init, target, true);
    }

    /** @param video whether the rendition has video (see {@link #master}) */
    static RecordingWriter start(Path saveDir, String name, String app, String stream, String recordType, int part,
                                 Instant start, Path init, int target, boolean video) throws IOException {
        Files.createDirectories(saveDir);
        Path dir = unique(saveDir, name);
        RecordingWriter w = new RecordingWriter(dir, app, stream, recordType, part, start, init != null);
        w.target = Math.max(1, target);
        w.video = video;
        if (init != null) {
            link(init, dir.resolve(INIT));
            Files.copy(dir.resolve(INIT), dir.resolve(MP4));
            w.mp4Bytes = Files.size(dir.resolve(MP4));
        }
        w.writeInfo();
        return w;
    }

    /** Creates {@code saveDir/name}, or {@code name-2}, {@code name-3}…: a recording never overwrites another. */
    static Path unique(Path saveDir, String name) throws IOException {
        for (int i = 1; i <= MAX_COLLISIONS; i++) {
            Path p = saveDir.resolve(i == 1 ? name : name + "-" + i);
            try {
                Files.createDirectory(p);
                return p;
            } catch (FileAlreadyExistsException e) {
                // taken: the next suffix
            }
        }
        throw new IOException("more than " + MAX_COLLISIONS + " recordings named " + name);
    }

    Path dir() {
        return dir;
    }

    Instant start() {
        return start;
    }

    /**
     * Records another rendition of this recording, from now on, in {@code r{n}/}; the first one
     * turns {@code playlist.m3u8} into the master (this rendition's media playlist is then {@link #PRIMARY}).
     *
     * @param init  its init segment (fMP4), or null (TS)
     * @param video whether it has video (a variant) or audio alone (an EXT-X-MEDIA)
     */
    RecordingWriter addRendition(Path init, int target, boolean video) throws IOException {
        if (primary != null || finished) {
            throw new IllegalStateException("not a primary being written");
        }
        String sub = "r" + (others.size() + 1);
        Path d = dir.resolve(sub);
        if (Files.exists(d)) {
            deleteTree(d); // a leftover of an attempt that failed half-way
        }
        Files.createDirectory(d);
        RecordingWriter w = new RecordingWriter(d, app, stream, recordType, part, start, init != null);
        w.primary = this;
        w.target = Math.max(1, target);
        w.video = video;
        if (init != null) {
            link(init, d.resolve(INIT));
            Files.copy(d.resolve(INIT), d.resolve(MP4));
            w.mp4Bytes = Files.size(d.resolve(MP4));
        }
        if (others.isEmpty()) {
            media = PRIMARY;
            writePlaylist(); // r0.m3u8 exists before playlist.m3u8 becomes the master naming it
        }
        others.add(w);
        writeInfo();
        writeMaster();
        return w;
    }

    private String sub() {
        return dir.getFileName().toString();
    }

    boolean finished() {
        return finished;
    }

    boolean hasSegments() {
        return !segments.isEmpty();
    }

    /** @return the recording's fixed target duration, in seconds */
    int target() {
        return target;
    }

    /**
     * @return whether a segment of that duration may be listed under the fixed target duration: its
     * duration rounded to the nearest second at most the target (RFC 8216 4.3.3.1)
     */
    boolean fits(double duration) {
        return rounded(duration) <= target;
    }

    /** A duration as RFC 8216 compares it with the target duration: rounded to the nearest integer. */
    static int rounded(double duration) {
        return (int) Math.round(duration);
    }

    CutRule.Part progress(Instant nextFiring) {
        return new CutRule.Part(start, seconds, bytes, nextFiring);
    }

    /** Records one complete segment: linked in, appended to the MP4, then listed (atomically). */
    void add(Path source, double duration, Instant pdt, boolean discontinuity) throws IOException {
        if (!fits(duration)) { // the recorder cuts before such a segment: listing it would make the playlist invalid
            throw new IllegalArgumentException("segment of " + duration + " s over the target duration " + target);
        }
        String ext = source.getFileName().toString();
        ext = ext.substring(ext.lastIndexOf('.') + 1);
        String name = "seg-" + segments.size() + "." + ext;
        Path target = dir.resolve(name);
        Files.deleteIfExists(target); // a leftover of an add that failed half-way
        link(source, target);
        long size = Files.size(target);
        if (mp4) {
            try (FileChannel out = FileChannel.open(dir.resolve(MP4), StandardOpenOption.WRITE)) {
                out.truncate(mp4Bytes); // whatever a failed append left
                out.position(mp4Bytes);
                append(target, out);
            }
            mp4Bytes += size;
        }
        segments.add(new Seg(name, duration, pdt, discontinuity && !segments.isEmpty(), size));
        bytes += size;
        seconds += duration;
        writePlaylist();
        RecordingWriter top = primary != null ? primary : this;
        if (!top.others.isEmpty()) {
            top.writeMaster(); // BANDWIDTH follows the peak so far
        }
    }

    private static void append(Path from, FileChannel out) throws IOException {
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ)) {
            long size = in.size();
            long done = 0;
            while (done < size) {
                done += in.transferTo(done, size - done, out);
            }
        }
    }

    /** Hard link (no copy, no extra space); a copy where links are not possible (another filesystem). */
    static void link(Path source, Path target) throws IOException {
        try {
            Files.createLink(target, source);
        } catch (UnsupportedOperationException | IOException e) {
            if (e instanceof FileAlreadyExistsException || e instanceof NoSuchFileException) {
                throw (IOException) e;
            }
            Files.copy(source, target);
        }
    }

    /**
     * Ends the recording: {@code VOD} and {@code EXT-X-ENDLIST}, state finished, and for a
     * {@code stream} recording its final name ({@code {stream}-{end}}). Idempotent.
     */
    Recording finish(RecordingNames names) throws IOException {
        if (!finished) {
            for (RecordingWriter w : others) {
                w.finished = true;
                w.writePlaylist();
            }
            finished = true;
            writePlaylist();
            if (!others.isEmpty()) {
                writeMaster();
            }
            writeInfo();
        }
        String current = dir.getFileName().toString();
        if (recordType.equals("stream") && current.endsWith(IN_PROGRESS) && !segments.isEmpty()) {
            Path target = unique(dir.getParent(), names.streamName(stream, end()));
            Files.delete(target); // reserved the name; the move below takes it
            move(dir, target);
            dir = target;
            for (RecordingWriter w : others) {
                w.dir = target.resolve(w.sub());
            }
        }
        return recording();
    }

    Instant end() {
        if (segments.isEmpty()) {
            return start;
        }
        Seg last = segments.get(segments.size() - 1);
        return last.pdt().plusMillis(Math.round(last.duration() * 1000));
    }

    Recording recording() {
        long all = bytes;
        for (RecordingWriter w : others) {
            all += w.bytes;
        }
        return new Recording(app, stream, dir.getFileName().toString(), null, start, end(),
                Duration.ofMillis(Math.round(seconds * 1000)), all, segments.size(), finished, mp4);
    }

    /** Bits per second of its largest-rate segment (BANDWIDTH is a peak, RFC 8216 4.3.4.2); at least 1. */
    long peak() {
        double max = 1;
        for (Seg s : segments) {
            if (s.duration() > 0) {
                max = Math.max(max, s.bytes() * 8.0 / s.duration());
            }
        }
        return (long) Math.ceil(max);
    }

    private String uri() {
        return primary == null ? media : sub() + "/" + PLAYLIST;
    }

    private void writeMaster() throws IOException {
        List<RecordingWriter> all = new ArrayList<>();
        all.add(this);
        all.addAll(others);
        atomicWrite(dir.resolve(PLAYLIST), master(all));
    }

    /**
     * The master playlist of a recording of several renditions: audio-alone renditions are
     * {@code EXT-X-MEDIA TYPE=AUDIO} of one group (the first the default), each video rendition a
     * variant naming that group; without any video, every rendition is a variant.
     */
    static String master(List<RecordingWriter> renditions) {
        List<RecordingWriter> videos = renditions.stream().filter(w -> w.video).toList();
        List<RecordingWriter> audios = videos.isEmpty() ? List.of() : renditions.stream().filter(w -> !w.video).toList();
        List<RecordingWriter> variants = videos.isEmpty() ? renditions : videos;
        long audioPeak = audios.stream().mapToLong(RecordingWriter::peak).max().orElse(0);
        StringBuilder b = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        for (int i = 0; i < audios.size(); i++) {
            RecordingWriter a = audios.get(i);
            b.append("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"").append(AUDIO_GROUP).append("\",NAME=\"audio").append(i)
                    .append("\",DEFAULT=").append(i == 0 ? "YES" : "NO").append(",AUTOSELECT=YES,URI=\"").append(a.uri()).append("\"\n");
        }
        for (RecordingWriter v : variants) {
            b.append("#EXT-X-STREAM-INF:BANDWIDTH=").append(v.peak() + audioPeak);
            if (!audios.isEmpty()) {
                b.append(",AUDIO=\"").append(AUDIO_GROUP).append('"');
            }
            b.append('\n').append(v.uri()).append('\n');
        }
        return b.toString();
    }

    private void writeInfo() throws IOException {
        if (primary != null) {
            return; // the primary's file describes every rendition
        }
        Properties p = new Properties();
        p.setProperty("app", app);
        p.setProperty("stream", stream);
        p.setProperty("record_type", recordType);
        p.setProperty("part", Integer.toString(part));
        p.setProperty("start", start.toString());
        p.setProperty("state", finished ? "finished" : "recording");
        p.setProperty("mp4", Boolean.toString(mp4));
        p.setProperty("target", Integer.toString(target));
        if (finished) {
            p.setProperty("end", end().toString());
        }
        if (!others.isEmpty()) { // absent for one rendition: the file is as it always was
            p.setProperty("media", media);
            p.setProperty("video", Boolean.toString(video));
            List<String> subs = new ArrayList<>();
            for (RecordingWriter w : others) {
                subs.add(w.sub());
                p.setProperty(w.sub() + ".mp4", Boolean.toString(w.mp4));
                p.setProperty(w.sub() + ".target", Integer.toString(w.target));
                p.setProperty(w.sub() + ".video", Boolean.toString(w.video));
            }
            p.setProperty("renditions", String.join(",", subs));
        }
        StringWriter text = new StringWriter();
        p.store(text, "Usher recording");
        atomicWrite(dir.resolve(INFO), text.toString());
    }

    private void writePlaylist() throws IOException {
        atomicWrite(dir.resolve(media), playlist(segments, mp4 ? INIT : null, finished, target));
    }

    /**
     * An HLS media playlist of the recording: EVENT while written, VOD with ENDLIST when finished;
     * the target duration is the recording's fixed one (never below a listed segment's, rounded).
     */
    static String playlist(List<Seg> segments, String map, boolean finished, int target) {
        for (Seg s : segments) {
            target = Math.max(target, rounded(s.duration()));
        }
        StringBuilder b = new StringBuilder(256 + segments.size() * 100);
        b.append("#EXTM3U\n#EXT-X-VERSION:6\n");
        b.append("#EXT-X-TARGETDURATION:").append(target).append('\n');
        b.append("#EXT-X-MEDIA-SEQUENCE:0\n");
        b.append("#EXT-X-PLAYLIST-TYPE:").append(finished ? "VOD" : "EVENT").append('\n');
        if (map != null) {
            b.append("#EXT-X-MAP:URI=\"").append(map).append("\"\n");
        }
        for (Seg s : segments) {
            if (s.discontinuity()) {
                b.append("#EXT-X-DISCONTINUITY\n");
            }
            b.append("#EXT-X-PROGRAM-DATE-TIME:").append(PDT.format(s.pdt())).append('\n');
            b.append("#EXTINF:").append(String.format(Locale.ROOT, "%.3f", s.duration())).append(",\n");
            b.append(s.uri()).append('\n');
        }
        if (finished) {
            b.append("#EXT-X-ENDLIST\n");
        }
        return b.toString();
    }

    /** The segments a recording's own playlist lists (sizes from their files). */
    static List<Seg> parse(Path dir) throws IOException {
        return parse(dir, PLAYLIST);
    }

    static List<Seg> parse(Path dir, String media) throws IOException {
        List<Seg> out = new ArrayList<>();
        Path pl = dir.resolve(media);
        if (!Files.isRegularFile(pl)) {
            return out;
        }
        Instant pdt = null;
        double duration = -1;
        boolean disc = false;
        for (String line : Files.readAllLines(pl, StandardCharsets.UTF_8)) {
            if (line.startsWith("#EXT-X-PROGRAM-DATE-TIME:")) {
                pdt = java.time.OffsetDateTime.parse(line.substring(25)).toInstant();
            } else if (line.startsWith("#EXTINF:")) {
                duration = Double.parseDouble(line.substring(8, line.indexOf(',') < 0 ? line.length() : line.indexOf(',')));
            } else if (line.equals("#EXT-X-DISCONTINUITY")) {
                disc = true;
            } else if (!line.isBlank() && !line.startsWith("#")) {
                Path f = dir.resolve(line).normalize();
                if (!f.getParent().equals(dir) || !Files.isRegularFile(f) || pdt == null || duration < 0) {
                    break; // not one of ours: the playlist ends here
                }
                out.add(new Seg(line, duration, pdt, disc, Files.size(f)));
                pdt = null;
                duration = -1;
                disc = false;
            }
        }
        return out;
    }

    static Properties info(Path dir) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve(INFO))) {
            p.load(in);
        }
        return p;
    }

    /** A recording as its folder says (for listing); null when the folder is not one. */
    static Recording read(Path dir) {
        try {
            RecordingWriter w = of(dir, info(dir));
            return w == null ? null : w.recording();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static RecordingWriter of(Path dir, Properties p) throws IOException {
        String app = p.getProperty("app");
        String stream = p.getProperty("stream");
        if (app == null || stream == null) {
            return null;
        }
        RecordingWriter w = new RecordingWriter(dir, app, stream, p.getProperty("record_type", "stream"),
                Integer.parseInt(p.getProperty("part", "1")), Instant.parse(p.getProperty("start")),
                Boolean.parseBoolean(p.getProperty("mp4")));
        w.finished = "finished".equals(p.getProperty("state"));
        w.target = Integer.parseInt(p.getProperty("target", "1"));
        w.media = PRIMARY.equals(p.getProperty("media")) ? PRIMARY : PLAYLIST;
        w.video = Boolean.parseBoolean(p.getProperty("video", "true"));
        w.load();
        String subs = p.getProperty("renditions", "");
        for (String sub : subs.isEmpty() ? new String[0] : subs.split(",")) {
            if (!sub.matches("r[1-9][0-9]{0,3}")) {
                continue; // not one we wrote
            }
            RecordingWriter o = new RecordingWriter(dir.resolve(sub), app, stream, w.recordType, w.part, w.start,
                    Boolean.parseBoolean(p.getProperty(sub + ".mp4")));
            o.primary = w;
            o.finished = w.finished;
            o.target = Integer.parseInt(p.getProperty(sub + ".target", "1"));
            o.video = Boolean.parseBoolean(p.getProperty(sub + ".video", "true"));
            o.load();
            w.others.add(o);
        }
        return w;
    }

    /**
     * Finishes a recording a stopped server left (killed or not): keeps exactly what its playlist
     * lists — later segment files are removed, the MP4 is cut back to (or rebuilt from) the listed
     * segments — then finishes it. An unfinished recording with no segment is removed.
     *
     * @return the finished recording, or null when there was nothing to keep
     */
    static Recording recover(Path dir, RecordingNames names) throws IOException {
        RecordingWriter w = of(dir, info(dir));
        if (w == null) {
            return null;
        }
        if (w.segments.isEmpty()) {
            deleteTree(dir);
            return null;
        }
        w.others.removeIf(o -> o.segments.isEmpty()); // begun, nothing listed: dropped below
        if (w.others.isEmpty() && w.media.equals(PRIMARY)) { // one rendition left: the single layout
            w.media = PLAYLIST;
            w.writePlaylist();
            Files.deleteIfExists(dir.resolve(PRIMARY));
        }
        w.trim();
        for (RecordingWriter o : w.others) {
            o.trim();
            o.finished = false;
        }
        w.finished = false; // write the VOD playlists, the master and the state again, whatever the crash left
        w.writeInfo();
        return w.finish(names);
    }

    private void load() throws IOException {
        for (Seg s : parse(dir, media)) {
            segments.add(s);
            bytes += s.bytes();
            seconds += s.duration();
        }
    }

    /** Keeps exactly what the playlist lists (and the other renditions' folders), the MP4 cut back to it. */
    private void trim() throws IOException {
        Set<String> keep = new HashSet<>(List.of(INFO, PLAYLIST, PRIMARY, MP4, INIT));
        segments.forEach(s -> keep.add(s.uri()));
        others.forEach(o -> keep.add(o.sub()));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                if (!keep.contains(f.getFileName().toString())) {
                    if (Files.isDirectory(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        deleteTree(f); // a rendition begun and never listed
                    } else {
                        Files.deleteIfExists(f);
                    }
                }
            }
        }
        RecordingWriter w = this;
        if (w.mp4) {
            long expected = Files.size(dir.resolve(INIT)) + w.bytes;
            Path mp4 = dir.resolve(MP4);
            if (Files.isRegularFile(mp4) && Files.size(mp4) >= expected) {
                try (FileChannel out = FileChannel.open(mp4, StandardOpenOption.WRITE)) {
                    out.truncate(expected);
                }
            } else {
                Path tmp = dir.resolve("." + MP4 + ".tmp");
                Files.copy(dir.resolve(INIT), tmp, StandardCopyOption.REPLACE_EXISTING);
                try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
                    for (Seg s : w.segments) {
                        append(dir.resolve(s.uri()), out);
                    }
                }
                move(tmp, mp4);
            }
            w.mp4Bytes = expected;
        }
    }

    /** @return whether the folder holds a recording that was not finished (or not given its final name) */
    static boolean unfinished(Path dir) {
        try {
            Properties p = info(dir);
            return !"finished".equals(p.getProperty("state"))
                    || ("stream".equals(p.getProperty("record_type")) && dir.getFileName().toString().endsWith(IN_PROGRESS));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static void atomicWrite(Path target, String content) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        move(tmp, target);
    }

    private static void move(Path from, Path to) throws IOException {
        dev.usher.core.live.stream.FileSegmentStore.move(from, to);
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
