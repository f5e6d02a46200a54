package dev.usher.core.live.record;

import dev.usher.core.live.LiveNames;
import dev.usher.core.live.RecordSettings;
import dev.usher.core.live.stream.FileSegmentStore;
import dev.usher.core.live.stream.SegmentListener;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * Records live streams as {@code sevu.addstreamuser}'s record settings say, fed by the live
 * streams ({@link SegmentListener}) with every complete segment. A publishing session of a stream
 * whose user has {@code record} is recorded from its first segment to its end, cut into parts by
 * its {@link CutRule} and always when the init segment changes (an fMP4 encoder restarted, or a
 * new codec); each part is a {@link RecordingWriter} folder under
 * {@code {root}/{app}/{save_folder}/} (or {@code {root}/{app}/{default folder}/{yyyy-MM-dd}/}).
 * A part's target duration is fixed when it begins ({@link #target}); a segment too long for it
 * begins a new part, so the playlist is valid at every moment.
 * A session records every rendition: its first with video ({@link #choose}) decides the parts; each
 * other rendition is recorded in the same part folder ({@link RecordingWriter#addRendition}) and
 * moves to the next part at its first segment whose program date-time reaches the part's start, so
 * parts line up (a part is finished once every other rendition has moved on, or the session ended).
 *
 * <p>On construction, recordings a stopped server left unfinished are finished (see
 * {@link RecordingWriter#recover}). Every failure is logged and leaves ingest alone: a recording
 * that can't be written never stops a live stream.
 */
public final class Recorder implements SegmentListener {

    private static final System.Logger LOG = System.getLogger("dev.usher.live.record");
    /** How deep below the root recordings lie: {app}/{folder}/{day}/{name}/recording.properties. */
    private static final int DEPTH = 5;
    /** How often retention looks for old recordings. */
    static final Duration SWEEP = Duration.ofMinutes(1);
    /** How long an ended session is remembered, for a last segment that comes after the end. */
    static final Duration LATE = Duration.ofMinutes(2);
    /** Seconds a part's target duration allows above its first segment's duration (see {@link #target}). */
    static final int TARGET_HEADROOM = 1;
    /** Segments of an audio-only rendition held back before it is recorded, waiting for a video rendition. */
    static final int HOLD = 3;
    /** Bytes of an init segment read to find its tracks. */
    private static final int MAX_INIT_SCAN = 1 << 16;

    private final RecordingSettings settings;
    private final Path ingestRoot;
    private final BiFunction<String, String, RecordSettings> record;
    private final RecordingListener listener;
    private final Clock clock;
    private final RecordingNames names;
    private final Map<String, Session> sessions = new LinkedHashMap<>();
    private final Set<String> lowDisk = new HashSet<>();
    private Instant lastSweep = Instant.MIN;

    /**
     * @param ingestRoot where the live streams' segments are ({@code {ingestRoot}/{app}/{stream}/{name}})
     * @param record     the record settings of a stream when its session starts (its stream user's)
     */
    public Recorder(RecordingSettings settings, Path ingestRoot, BiFunction<String, String, RecordSettings> record,
                    RecordingListener listener, Clock clock) {
        this.settings = settings;
        this.ingestRoot = ingestRoot;
        this.record = record;
        this.listener = listener;
        this.clock = clock;
        this.names = new RecordingNames(settings.zone());
        recoverAll();
    }

    public RecordingSettings settings() {
        return settings;
    }

    private static String key(String app, String stream, String session) {
        return app + "/" + stream + "/" + session;
    }

    @Override
    public synchronized void segment(String app, String stream, String session, String rendition, Segment segment) {
        try {
            Session s = sessions.computeIfAbsent(key(app, stream, session), k -> open(app, stream));
            if (s.off) {
                return;
            }
            if (s.rendition == null) {
                if (!choose(s, app, stream, rendition, segment)) {
                    return;
                }
                record(s, app, stream, segment);
                String audio = s.audio;
                List<Segment> held = List.copyOf(s.held);
                s.held.clear();
                for (Segment g : held) { // audio that came before the video: recorded with it
                    recordOther(s, app, stream, audio, g);
                }
            } else if (!s.rendition.equals(rendition)) {
                recordOther(s, app, stream, rendition, segment);
            } else {
                record(s, app, stream, segment);
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "recording " + app + "/" + stream + ": segment " + segment.name() + " not recorded", e);
        }
    }

    /**
     * Picks the rendition a session records, at its first segments: the first with video (a TS
     * segment, or an init segment that declares a video track). A rendition of audio alone (DASH
     * ingest gives audio its own Representation) is held back for {@link #HOLD} segments, and
     * recorded from its first only when no video came meanwhile.
     *
     * @return whether this segment's rendition is now the recorded one (its held segments are then recorded)
     */
    private boolean choose(Session s, String app, String stream, String rendition, Segment segment) throws IOException {
        Path init = segment.map() == null ? null : ingestRoot.resolve(app).resolve(stream).resolve(segment.map());
        if (init == null || hasVideo(init)) {
            s.rendition = rendition;
            return true;
        }
        if (s.audio == null) {
            s.audio = rendition;
        }
        if (s.audio.equals(rendition)) {
            s.held.add(segment);
            if (s.held.size() >= HOLD) {
                releaseHeld(s, app, stream);
            }
        }
        return false;
    }

    /** No video came: the held audio rendition is the recorded one, from its first segment. */
    private void releaseHeld(Session s, String app, String stream) {
        s.rendition = s.audio;
        List<Segment> held = List.copyOf(s.held);
        s.held.clear();
        for (Segment g : held) {
            try {
                record(s, app, stream, g);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "recording " + app + "/" + stream + ": segment " + g.name() + " not recorded", e);
            }
        }
    }

    /** @return whether an fMP4 init segment declares a video track (a {@code hdlr} box of type {@code vide}) */
    static boolean hasVideo(Path init) throws IOException {
        byte[] b;
        try (java.io.InputStream in = Files.newInputStream(init)) {
            b = in.readNBytes(MAX_INIT_SCAN); // an init segment is a few KB: bounded whatever the encoder sent
        }
        for (int i = 0; i + 16 <= b.length; i++) {
            if (b[i] == 'h' && b[i + 1] == 'd' && b[i + 2] == 'l' && b[i + 3] == 'r'
                    && b[i + 12] == 'v' && b[i + 13] == 'i' && b[i + 14] == 'd' && b[i + 15] == 'e') {
                return true;
            }
        }
        return false;
    }

    /** Records a segment of the session's rendition into its current part, cutting a new part first where a rule says. */
    private void record(Session s, String app, String stream, Segment segment) throws IOException {
        if (belowFloor(app, stream)) {
            s.gap = true; // the next recorded segment follows a hole
            return;
        }
        Path source = ingestRoot.resolve(app).resolve(stream).resolve(segment.name());
        Path init = segment.map() == null ? null : ingestRoot.resolve(app).resolve(stream).resolve(segment.map());
        // The last segment of a run may arrive after the playlist that ended the session: it belongs
        // there, under the same rules, and what it is added to is finished again at once.
        boolean late = s.ended;
        if (late && s.writer == null) {
            return;
        }
        if (s.writer != null && (!Objects.equals(s.map, segment.map()) || !s.writer.fits(segment.duration())
                || s.rule.cutBefore(s.writer.progress(s.nextFiring), segment.pdt(), segment.bytes()))) {
            cut(s);
        }
        if (s.writer == null) {
            s.part++;
            Path saveDir = saveDir(app, s.settings, segment.pdt());
            s.writer = RecordingWriter.start(saveDir, names.initialName(s.settings.recordType(), stream, segment.pdt(), s.part),
                    app, stream, s.settings.recordType(), s.part, segment.pdt(), init, target(segment.duration()));
            s.map = segment.map();
            s.nextFiring = s.rule.nextFiring(segment.pdt());
            s.writer.add(source, segment.duration(), segment.pdt(), false);
            tell(l -> l.started(located(s.writer.recording(), s.writer.dir())));
        } else {
            s.writer.add(source, segment.duration(), segment.pdt(), segment.discontinuity() || s.gap);
        }
        s.gap = false;
        if (late) {
            RecordingWriter last = s.writer;
            Map<String, RecordingWriter> current = s.current;
            finish(s);
            s.writer = last;
            s.current = current;
        }
    }

    /**
     * The target duration of a part that begins with a segment of that duration, fixed for the part
     * (an EVENT playlist never changes it): the duration rounded up, plus {@link #TARGET_HEADROOM}
     * for encoders' segments that run a little long (a late key frame). A later segment longer
     * than that, rounded, begins a new part.
     */
    static int target(double firstDuration) {
        return Math.max(1, (int) Math.ceil(firstDuration - 0.001)) + TARGET_HEADROOM;
    }

    private Session open(String app, String stream) {
        RecordSettings rs = record.apply(app, stream);
        Session s = new Session();
        String folder = rs == null ? null : rs.saveFolder();
        s.off = rs == null || !rs.record() || stream.equals(folder == null ? settings.defaultFolder() : folder);
        s.settings = rs;
        s.rule = rs == null ? new CutRule.Never() : CutRule.of(rs, settings.zone(), settings.durationUnit(), settings.sizeUnit());
        return s;
    }

    /** The folder a part goes to; marked as recordings, so live streams never take it for theirs. */
    private Path saveDir(String app, RecordSettings rs, Instant start) throws IOException {
        String folder = rs.saveFolder() != null && LiveNames.folder(rs.saveFolder()) ? rs.saveFolder() : null;
        Path top = settings.root().resolve(app).resolve(folder != null ? folder : settings.defaultFolder());
        Files.createDirectories(top);
        Path marker = top.resolve(FileSegmentStore.RECORDINGS_MARKER);
        if (!Files.exists(marker)) {
            Files.writeString(marker, "Recordings of live streams (Usher): not a live stream's folder.\n");
        }
        return folder != null ? top : top.resolve(names.dayFolder(start));
    }

    private boolean belowFloor(String app, String stream) throws IOException {
        long free = Files.getFileStore(settings.root()).getUsableSpace();
        String k = app + "/" + stream;
        if (free >= settings.minFreeBytes()) {
            lowDisk.remove(k);
            return false;
        }
        if (lowDisk.add(k)) { // once per stream until space comes back
            LOG.log(System.Logger.Level.ERROR, "recording " + k + " paused: " + free + " bytes free, below the floor of "
                    + settings.minFreeBytes());
            tell(l -> l.diskLow(app, stream, free, settings.minFreeBytes()));
        }
        return true;
    }

    /**
     * A new part begins with the primary's next segment. The part before is finished at once when
     * it has no other rendition; else once each has moved on ({@link #recordOther}), or at the next cut.
     */
    private void cut(Session s) throws IOException {
        finishPrevious(s);
        if (s.current.isEmpty()) {
            finish(s);
            return;
        }
        s.previous = s.writer;
        s.previousOthers = s.current;
        s.current = new LinkedHashMap<>();
        s.writer = null;
    }

    private void finishPrevious(Session s) throws IOException {
        RecordingWriter p = s.previous;
        s.previous = null;
        s.previousOthers = new LinkedHashMap<>();
        finish(p);
    }

    /**
     * Records a segment of another rendition than the primary: into the part the primary is
     * writing once the segment's program date-time reaches that part's start, else into the part
     * before (still open for it). Its first segment in a part adds it to that part.
     */
    private void recordOther(Session s, String app, String stream, String rendition, Segment segment) throws IOException {
        if (s.writer == null || belowFloor(app, stream)) {
            return; // no part (the primary's first segment begins one), or no space
        }
        Path source = ingestRoot.resolve(app).resolve(stream).resolve(segment.name());
        Path init = segment.map() == null ? null : ingestRoot.resolve(app).resolve(stream).resolve(segment.map());
        boolean older = s.previous != null && !s.current.containsKey(rendition) && segment.pdt().isBefore(s.writer.start());
        RecordingWriter part = older ? s.previous : s.writer;
        Map<String, RecordingWriter> others = older ? s.previousOthers : s.current;
        RecordingWriter w = others.get(rendition);
        if (w == null) {
            if (part.finished()) {
                return;
            }
            w = part.addRendition(init, Math.max(part.target(), target(segment.duration())), init == null || hasVideo(init));
            others.put(rendition, w);
        }
        if (!w.fits(segment.duration())) {
            LOG.log(System.Logger.Level.WARNING, "recording " + app + "/" + stream + ": segment " + segment.name()
                    + " of " + segment.duration() + " s is over its rendition's target duration, not recorded");
            return;
        }
        w.add(source, segment.duration(), segment.pdt(), segment.discontinuity());
        if (!older && s.previous != null && s.previousOthers.remove(rendition) != null && s.previousOthers.isEmpty()) {
            finishPrevious(s); // every other rendition reached the new part
        }
        if (s.ended) {
            finish(part); // a late segment: what it joined is finished again at once
        }
    }

    private void finish(Session s) throws IOException {
        RecordingWriter w = s.writer;
        s.writer = null;
        s.current = new LinkedHashMap<>();
        finish(w);
    }

    private void finish(RecordingWriter w) throws IOException {
        if (w != null && !w.finished()) {
            Recording r = w.finish(names);
            tell(l -> l.finished(located(r, w.dir())));
        }
    }

    @Override
    public synchronized void sessionEnded(String app, String stream, String session) {
        Session s = sessions.get(key(app, stream, session));
        if (s == null || s.ended) {
            return;
        }
        if (s.rendition == null && !s.held.isEmpty()) {
            releaseHeld(s, app, stream); // audio alone to the end: it is the recording
        }
        s.ended = true;
        s.endedAt = clock.instant();
        RecordingWriter w = s.writer;
        Map<String, RecordingWriter> current = s.current;
        try {
            finishPrevious(s);
            finish(s);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "recording " + app + "/" + stream + " not finished", e);
        }
        s.writer = w; // kept a while for a late last segment
        s.current = current;
    }

    @Override
    public synchronized void tick(Instant now) {
        sessions.values().removeIf(s -> s.ended && Duration.between(s.endedAt, now).compareTo(LATE) > 0);
        if (settings.retention() != null && Duration.between(lastSweep, now).compareTo(SWEEP) >= 0) {
            lastSweep = now;
            retain(now);
        }
    }

    /** Deletes finished recordings that ended longer than the retention ago. */
    synchronized void retain(Instant now) {
        for (Path dir : folders()) {
            Recording r = RecordingWriter.read(dir);
            if (r != null && r.finished() && Duration.between(r.end(), now).compareTo(settings.retention()) > 0) {
                try {
                    RecordingWriter.deleteTree(dir);
                    LOG.log(System.Logger.Level.INFO, "recording " + dir + " deleted (older than the retention)");
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "recording " + dir + " could not be deleted", e);
                }
            }
        }
    }

    /** @return the recordings of an app, finished or being written, oldest first */
    public List<Recording> list(String app) { // reads only the disk (written atomically): never waits for ingest
        List<Recording> out = new ArrayList<>();
        if (!LiveNames.simple(app)) {
            return out;
        }
        for (Path dir : folders(settings.root().resolve(app), DEPTH - 1)) {
            Recording r = RecordingWriter.read(dir);
            if (r != null && r.app().equals(app)) {
                out.add(located(r, dir));
            }
        }
        out.sort(Comparator.comparing(Recording::start).thenComparing(Recording::name));
        return out;
    }

    private Recording located(Recording r, Path dir) {
        String folder = settings.root().resolve(r.app()).relativize(dir).toString().replace('\\', '/');
        return new Recording(r.app(), r.stream(), r.name(), folder, r.start(), r.end(), r.duration(), r.bytes(), r.segments(),
                r.finished(), r.mp4());
    }

    private List<Path> folders() {
        return folders(settings.root(), DEPTH);
    }

    private static List<Path> folders(Path top, int depth) {
        if (!Files.isDirectory(top)) {
            return List.of();
        }
        try (Stream<Path> all = Files.find(top, depth, (p, a) -> a.isRegularFile()
                && p.getFileName().toString().equals(RecordingWriter.INFO))) {
            return all.map(Path::getParent).toList();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "looking for recordings in " + top, e);
            return List.of();
        }
    }

    /** Finishes the recordings a stopped server was writing (a kill -9 included). */
    private void recoverAll() {
        for (Path dir : folders()) {
            if (!RecordingWriter.unfinished(dir)) {
                continue;
            }
            try {
                Recording r = RecordingWriter.recover(dir, names);
                if (r != null) {
                    LOG.log(System.Logger.Level.INFO, "recording " + r.app() + "/" + r.name() + " finished after a restart");
                    Path now = dir.resolveSibling(r.name());
                    tell(l -> l.finished(located(r, now)));
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "recording " + dir + " could not be finished after a restart", e);
            }
        }
    }

    private void tell(java.util.function.Consumer<RecordingListener> event) {
        try {
            event.accept(listener);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a recording listener failed", e);
        }
    }

    private static final class Session {
        RecordSettings settings;
        CutRule rule;
        boolean off;
        String rendition;
        /** The first rendition of audio alone, and its segments held while a video rendition may still come. */
        String audio;
        final List<Segment> held = new ArrayList<>();
        RecordingWriter writer;
        /** The other renditions recorded in the current part, by rendition. */
        Map<String, RecordingWriter> current = new LinkedHashMap<>();
        /** The part before, still open for other renditions that have not reached the current one. */
        RecordingWriter previous;
        Map<String, RecordingWriter> previousOthers = new LinkedHashMap<>();
        String map;
        Instant nextFiring;
        int part;
        boolean ended;
        Instant endedAt;
        boolean gap;
    }
}
