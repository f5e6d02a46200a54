package dev.usher.core.live.stream;

import dev.usher.core.live.DvrSettings;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * The live streams of this node and their publishing sessions. Encoders' uploads come in
 * ({@link #receiveObject}, {@link #receivePlaylist}, {@link #delete}); Usher's playlists go out,
 * written atomically to the {@link SegmentStore} after every change:
 * {@code playlist.m3u8}, always a master over {@code r-{rendition}.m3u8} (one rendition or several:
 * a player reloads a media playlist from the URL it opened, so an entry that is a master makes every
 * reload a child carrying the playback credential, the same viewer, never a new entry), each media
 * playlist with only complete segments, {@code playlist_count} of
 * them, a media sequence that only grows within the session, a discontinuity (and its sequence) at
 * every reconnect or restart of the encoder, a program date-time on every segment and the init
 * segment of fMP4.
 *
 * <p>Ends of streams run on the injected clock ({@link #tick}): no segment for
 * {@value #STALL_TARGETS} target durations, or an encoder playlist with {@code EXT-X-ENDLIST},
 * stops the encoder's run; with DVR the playlist stays live {@code playlist_timeout} so the
 * encoder can resume the same session, then it ends with {@code EXT-X-ENDLIST}, stays readable
 * for the grace, and goes away with its files. Without DVR it ends at once.
 *
 * <p>One lock for all streams: each operation is a few renames and a small text, and the body
 * of an upload is read before, outside it.
 */
public final class LiveStreams {

    public static final int STALL_TARGETS = 3;
    /** Uploads that wait for a playlist to name them, per stream; older ones are thrown away. */
    public static final int MAX_PENDING = 64;
    /** Renditions (media playlists) of one stream: a ladder has a handful; more is a mistake or an attack. */
    public static final int MAX_RENDITIONS = 16;
    /** Segments kept on disk behind the window, for players that fetched the playlist just before. */
    public static final int KEEP_BEHIND = 3;
    /** A stream that never got a segment is forgotten after this. */
    public static final Duration ABANDONED = Duration.ofMinutes(5);

    public enum State { LIVE, WAITING, ENDED }

    private static final DateTimeFormatter PDT = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", Locale.ROOT)
            .withZone(java.time.ZoneOffset.UTC);

    private final SegmentStore store;
    private final Clock clock;
    private final Duration grace;
    private final BiFunction<String, String, DvrSettings> dvr;
    private final SegmentListener listener;
    private final java.util.function.BiPredicate<String, String> othersStream;
    private final Map<String, Stream> streams = new LinkedHashMap<>();

    /**
     * @param dvr the DVR settings of a stream when its session starts (its stream user's)
     */
    public LiveStreams(SegmentStore store, Clock clock, Duration grace, BiFunction<String, String, DvrSettings> dvr) {
        this(store, clock, grace, dvr, (app, stream) -> false, SegmentListener.NONE);
    }

    /** @param listener told of every placed segment and ended session (the recorder) */
    public LiveStreams(SegmentStore store, Clock clock, Duration grace, BiFunction<String, String, DvrSettings> dvr,
                       SegmentListener listener) {
        this(store, clock, grace, dvr, (app, stream) -> false, listener);
    }

    /**
     * @param othersStream whether another node ingests (app, stream) now: its folder in a shared
     *                     store is not this node's leftover to end
     */
    public LiveStreams(SegmentStore store, Clock clock, Duration grace, BiFunction<String, String, DvrSettings> dvr,
                       java.util.function.BiPredicate<String, String> othersStream) {
        this(store, clock, grace, dvr, othersStream, SegmentListener.NONE);
    }

    /**
     * @param othersStream whether another node ingests (app, stream) now
     * @param listener     told of every placed segment and ended session (the recorder)
     */
    public LiveStreams(SegmentStore store, Clock clock, Duration grace, BiFunction<String, String, DvrSettings> dvr,
                       java.util.function.BiPredicate<String, String> othersStream, SegmentListener listener) {
        this.store = store;
        this.clock = clock;
        this.grace = grace;
        this.dvr = dvr;
        this.listener = listener;
        this.othersStream = othersStream;
        finalizeLeftovers();
    }

    public SegmentStore store() {
        return store;
    }

    /** Streams a stopped server left: their playlists end now and go away after the grace. */
    private void finalizeLeftovers() {
        try {
            for (String[] s : store.streams()) {
                if (othersStream.test(s[0], s[1])) {
                    continue;
                }
                for (String f : store.files(s[0], s[1])) {
                    if (f.equals(LiveMpd.NAME)) {
                        byte[] b = store.read(s[0], s[1], f);
                        String text = b == null ? "" : new String(b, StandardCharsets.UTF_8);
                        if (LiveMpd.isDynamic(text)) {
                            store.write(s[0], s[1], f, LiveMpd.ended(text).getBytes(StandardCharsets.UTF_8));
                        }
                        continue;
                    }
                    if (!f.endsWith(".m3u8")) {
                        continue;
                    }
                    byte[] b = store.read(s[0], s[1], f);
                    String text = b == null ? "" : new String(b, StandardCharsets.UTF_8);
                    if (text.contains("#EXTINF") && !text.contains("#EXT-X-ENDLIST")) {
                        store.write(s[0], s[1], f, (text + (text.endsWith("\n") ? "" : "\n") + "#EXT-X-ENDLIST\n")
                                .getBytes(StandardCharsets.UTF_8));
                    }
                }
                Stream st = new Stream(s[0], s[1], "", DvrSettings.DEFAULTS, null, clock.instant());
                st.state = State.ENDED;
                st.endedAt = clock.instant();
                streams.put(key(s[0], s[1]), st);
            }
        } catch (IOException | RuntimeException e) {
            System.getLogger("dev.usher.live").log(System.Logger.Level.WARNING, "could not finalize earlier live streams", e);
        }
    }

    private static String key(String app, String stream) {
        return app + "/" + stream;
    }

    /** @return the state of a stream, empty when it has none (never published, or gone) */
    public synchronized Optional<State> state(String app, String stream) {
        tick();
        return Optional.ofNullable(streams.get(key(app, stream))).map(s -> s.state);
    }

    /** @return every stream this node has a session of, in any state, as {app, stream, session} (their ingest leases) */
    public synchronized List<String[]> sessions() {
        List<String[]> out = new ArrayList<>();
        streams.values().forEach(s -> out.add(new String[] {s.app, s.name, s.session}));
        return out;
    }

    /** @return the file viewers open: {@code manifest.mpd} for DASH ingest, {@code playlist.m3u8} for HLS */
    public synchronized Optional<String> manifest(String app, String stream) {
        return Optional.ofNullable(streams.get(key(app, stream))).map(s -> s.dash ? LiveMpd.NAME : "playlist.m3u8");
    }

    /** @return the session of a stream on this node, if it has one */
    public synchronized Optional<String> session(String app, String stream) {
        return Optional.ofNullable(streams.get(key(app, stream))).map(s -> s.session);
    }

    /** @return the names of the live (or waiting) streams of an app */
    public synchronized List<String> live(String app) {
        tick();
        List<String> out = new ArrayList<>();
        streams.values().stream().filter(s -> s.app.equals(app) && s.state != State.ENDED && s.hasSegments())
                .forEach(s -> out.add(s.name));
        return out;
    }

    /**
     * Refuses (409) when another account is feeding the stream right now; the same account may
     * take over (an encoder restart), and anyone may once the stream stopped.
     */
    public synchronized void checkFeeder(String app, String stream, String account) throws IngestRefused {
        tick();
        Stream s = streams.get(key(app, stream));
        if (s != null && s.state == State.LIVE && s.account != null && !s.account.equals(account)
                && Duration.between(s.lastUploadAt, clock.instant()).compareTo(s.feedWindow()) < 0) {
            throw new IngestRefused(409, "another account (" + s.account + ") is feeding this stream");
        }
    }

    /** A complete segment or init segment: kept until a playlist names it. */
    public synchronized void receiveObject(String app, String stream, String file, SegmentStore.Pending body, String account)
            throws IngestRefused {
        tick();
        Stream ended = streams.get(key(app, stream));
        if (ended != null && ended.state == State.ENDED && ended.lists(file)) {
            // The last segment of an ended run, come after the playlist that ended it: it still belongs there.
            ended.pending.put(file, new Received(body, clock.instant()));
            try {
                sync(ended);
            } catch (IOException e) {
                throw new IngestRefused(500, "storing failed: " + e.getMessage());
            }
            return;
        }
        Stream s = open(app, stream, account);
        try {
            boolean listed = false;
            for (Rendition r : s.renditions.values()) {
                if (r.published.containsKey(file)) {
                    // The same name again: the encoder restarted (ffmpeg begins again at …0.ts and init.mp4).
                    r.restart();
                } else {
                    listed |= r.entries.stream().anyMatch(e -> e.uri().equals(file) || file.equals(e.map()));
                }
            }
            if (s.state == State.WAITING && !listed) {
                s.resume();
            }
            Received old = s.pending.put(file, new Received(body, clock.instant()));
            if (old != null) {
                old.body.discard();
            }
            while (s.pending.size() > MAX_PENDING) {
                Iterator<Received> it = s.pending.values().iterator();
                it.next().body.discard();
                it.remove();
            }
            s.lastUploadAt = clock.instant();
            sync(s);
        } catch (IOException e) {
            throw new IngestRefused(500, "storing failed: " + e.getMessage());
        }
    }

    /** An encoder playlist (media or master): tells which uploads are segments. */
    public synchronized void receivePlaylist(String app, String stream, String file, String text, String account)
            throws IngestRefused {
        tick();
        EncoderPlaylist pl;
        try {
            pl = EncoderPlaylist.parse(text);
        } catch (EncoderPlaylist.InvalidPlaylist e) {
            throw new IngestRefused(400, e.getMessage());
        }
        Stream s = open(app, stream, account);
        s.lastUploadAt = clock.instant();
        Rendition known = pl.master() ? null : s.renditions.get(rendition(file));
        if (known != null && stale(known, pl)) {
            return; // an older playlist that arrived after a newer one (encoders upload on parallel connections)
        }
        if (s.encoderTexts.containsKey(file) || s.encoderTexts.size() <= MAX_RENDITIONS) {
            s.encoderTexts.put(file, text);
        }
        try {
            if (pl.master()) {
                if (pl.variants().size() + pl.media().size() > MAX_RENDITIONS) {
                    throw new IngestRefused(400, "more than " + MAX_RENDITIONS + " variants and alternative renditions");
                }
                s.variants.clear();
                pl.variants().forEach((uri, attrs) -> s.variants.put(rendition(uri), attrs));
                s.media.clear();
                pl.media().forEach((uri, attrs) -> s.media.put(rendition(uri), attrs));
                write(s);
                return;
            }
            if (!s.renditions.containsKey(rendition(file)) && s.renditions.size() >= MAX_RENDITIONS) {
                throw new IngestRefused(400, "more than " + MAX_RENDITIONS + " renditions (media playlists) in one stream");
            }
            if (s.dash) {
                throw new IngestRefused(409, "this stream is fed DASH now, not HLS");
            }
            Rendition r = s.renditions.computeIfAbsent(rendition(file), n -> new Rendition(n));
            update(s, r, pl);
            sync(s);
            if (r.ended) {
                tick(); // the encoder said it ended: the stream stops now, not at the next timer
            }
        } catch (IOException e) {
            throw new IngestRefused(500, "storing failed: " + e.getMessage());
        }
    }

    /**
     * An encoder's DASH MPD: each Representation is a rendition whose segments its timeline names,
     * published as {@code manifest.mpd} (Usher's own, dynamic while live, static once ended).
     */
    public synchronized void receiveManifest(String app, String stream, String file, String text, String account)
            throws IngestRefused {
        tick();
        EncoderMpd mpd;
        try {
            mpd = EncoderMpd.parse(text.getBytes(StandardCharsets.UTF_8));
        } catch (EncoderPlaylist.InvalidPlaylist e) {
            throw new IngestRefused(400, e.getMessage());
        }
        Stream s = open(app, stream, account);
        s.lastUploadAt = clock.instant();
        if (!s.dash && !s.renditions.isEmpty()) {
            throw new IngestRefused(409, "this stream is fed HLS now, not DASH");
        }
        s.dash = true;
        if (s.encoderTexts.containsKey(file) || s.encoderTexts.size() <= MAX_RENDITIONS) {
            s.encoderTexts.put(file, text);
        }
        try {
            for (EncoderMpd.Representation rep : mpd.representations()) {
                String name = "dash" + rep.id();
                if (!s.renditions.containsKey(name) && s.renditions.size() >= MAX_RENDITIONS) {
                    throw new IngestRefused(400, "more than " + MAX_RENDITIONS + " renditions in one stream");
                }
                List<EncoderPlaylist.Entry> entries = new ArrayList<>();
                Map<String, long[]> times = new LinkedHashMap<>();
                for (EncoderMpd.Segment g : rep.segments()) {
                    entries.add(new EncoderPlaylist.Entry(g.uri(), (double) g.d() / rep.timescale(), false, rep.init()));
                    times.put(g.uri(), new long[] {g.t(), g.d()});
                }
                EncoderPlaylist pl = new EncoderPlaylist(rep.startNumber(), List.copyOf(entries), mpd.ended(), Map.of(), Map.of());
                Rendition r = s.renditions.computeIfAbsent(name, Rendition::new);
                if (stale(r, pl)) {
                    continue;
                }
                r.representation = rep;
                r.times = times;
                update(s, r, pl);
            }
            sync(s);
            if (mpd.ended()) {
                tick();
            }
        } catch (IOException e) {
            throw new IngestRefused(500, "storing failed: " + e.getMessage());
        }
    }

    /** A rendition's new encoder list: a sequence that went back is a restart; a waiting stream resumes. */
    private static void update(Stream s, Rendition r, EncoderPlaylist pl) {
        if (s.state == State.WAITING && !pl.endList()) {
            s.resume();
        }
        if (r.lastMs >= 0 && pl.mediaSequence() < r.lastMs) {
            r.restart(); // the encoder's own sequence went back: it started again
        }
        r.lastMs = pl.mediaSequence();
        r.lastPosition = pl.mediaSequence() + pl.entries().size();
        r.entries = pl.entries();
        r.ended = pl.endList();
    }

    /** The encoder removes one of its files: only an upload not yet published is affected (Usher keeps its own). */
    public synchronized void delete(String app, String stream, String file) {
        Stream s = streams.get(key(app, stream));
        if (s != null) {
            Received r = s.pending.remove(file);
            if (r != null) {
                r.body.discard();
            }
        }
    }

    /** @return the encoder's own last playlist of that name, for {@code -hls_flags append_list} */
    public synchronized Optional<String> encoderPlaylist(String app, String stream, String file) {
        Stream s = streams.get(key(app, stream));
        return s == null || s.state == State.ENDED ? Optional.empty() : Optional.ofNullable(s.encoderTexts.get(file));
    }

    /** Older than the last playlist of the same run: a lower end position, or the same without its ENDLIST. */
    private static boolean stale(Rendition r, EncoderPlaylist pl) {
        if (r.lastMs < 0 || pl.mediaSequence() < r.lastMs) {
            return false; // the first, or a restart
        }
        long position = pl.mediaSequence() + pl.entries().size();
        return position < r.lastPosition || (position == r.lastPosition && r.ended && !pl.endList());
    }

    private static String rendition(String file) {
        return file.endsWith(".m3u8") ? file.substring(0, file.length() - 5) : file;
    }

    private Stream open(String app, String stream, String account) throws IngestRefused {
        String k = key(app, stream);
        Stream s = streams.get(k);
        if (s != null && s.state == State.ENDED) {
            remove(s);
            s = null;
        }
        if (s == null) {
            s = new Stream(app, stream, UUID.randomUUID().toString().substring(0, 8), dvr.apply(app, stream), account,
                    clock.instant());
            streams.put(k, s);
        }
        s.account = account;
        return s;
    }

    /** Moves time on: stops, ends and removes streams whose time came. Called on every operation and by a timer. */
    public synchronized void tick() {
        Instant now = clock.instant();
        for (Stream s : new ArrayList<>(streams.values())) {
            try {
                switch (s.state) {
                    case LIVE -> {
                        boolean ended = !s.renditions.isEmpty() && s.renditions.values().stream().allMatch(r -> r.ended);
                        boolean stalled = s.lastSegmentAt != null
                                && Duration.between(s.lastSegmentAt, now).compareTo(s.stall()) > 0;
                        if (s.lastSegmentAt == null && Duration.between(s.lastUploadAt, now).compareTo(ABANDONED) > 0) {
                            remove(s);
                        } else if ((ended && s.lastSegmentAt != null) || stalled) {
                            if (s.dvr.enabled()) {
                                s.state = State.WAITING;
                                s.waitingSince = now;
                            } else {
                                end(s, now);
                            }
                        }
                    }
                    case WAITING -> {
                        if (Duration.between(s.waitingSince, now).compareTo(s.dvr.playlistTimeout()) >= 0) {
                            end(s, now);
                        }
                    }
                    case ENDED -> {
                        if (Duration.between(s.endedAt, now).compareTo(grace) >= 0) {
                            remove(s);
                        }
                    }
                }
            } catch (IOException e) {
                System.getLogger("dev.usher.live").log(System.Logger.Level.WARNING, "live stream " + s.app + "/" + s.name, e);
            }
        }
        listener.tick(now);
    }

    private void end(Stream s, Instant now) throws IOException {
        s.state = State.ENDED;
        s.endedAt = now;
        s.discardPending();
        write(s);
        listener.sessionEnded(s.app, s.name, s.session);
    }

    private void remove(Stream s) {
        if (s.state != State.ENDED) {
            listener.sessionEnded(s.app, s.name, s.session);
        }
        s.discardPending();
        streams.remove(key(s.app, s.name));
        try {
            store.deleteStream(s.app, s.name);
        } catch (IOException e) {
            System.getLogger("dev.usher.live").log(System.Logger.Level.WARNING, "removing live stream " + s.app + "/" + s.name, e);
        }
    }

    /** Publishes, in each rendition's playlist order, the uploads its encoder playlist names. */
    private void sync(Stream s) throws IOException {
        boolean changed = false;
        Instant now = clock.instant();
        for (Rendition r : s.renditions.values()) {
            List<EncoderPlaylist.Entry> e = r.entries;
            int last = -1;
            for (int i = 0; i < e.size(); i++) {
                if (r.published.containsKey(e.get(i).uri()) || s.pending.containsKey(e.get(i).uri())) {
                    last = i;
                }
            }
            for (int i = 0; i <= last; i++) {
                EncoderPlaylist.Entry entry = e.get(i);
                if (r.published.containsKey(entry.uri())) {
                    continue;
                }
                Received body = s.pending.get(entry.uri());
                if (body == null) {
                    continue; // lost before it reached Usher: later ones go on
                }
                String map = null;
                if (entry.map() != null) {
                    map = r.published.get(entry.map());
                    if (map == null) {
                        Received init = s.pending.get(entry.map());
                        if (init == null) {
                            break; // the init segment is still on its way
                        }
                        map = s.session + "-" + r.name + "-init" + (r.maps++) + ".mp4";
                        store.place(init.body, s.app, s.name, map);
                        s.pending.remove(entry.map());
                        r.published.put(entry.map(), map);
                    }
                }
                String name = s.session + "-" + r.name + "-" + r.nextSeq + "." + extension(entry.uri());
                long bytes = body.body.size();
                store.place(body.body, s.app, s.name, name);
                s.pending.remove(entry.uri());
                r.published.put(entry.uri(), name);
                Segment last0 = r.segments.peekLast();
                boolean discontinuity = (r.discontinuity || entry.discontinuity()) && r.nextSeq > 0;
                r.discontinuity = false;
                // Continuous within a run; after a gap, the wall clock, but never before the end of the previous segment.
                Instant next = last0 == null ? null : last0.pdt.plusNanos((long) (last0.duration * 1e9));
                Instant pdt = next != null && !discontinuity ? next : now.minusNanos((long) (entry.duration() * 1e9));
                if (next != null && pdt.isBefore(next)) {
                    pdt = next;
                }
                if (discontinuity) {
                    r.run++;
                }
                long[] time = r.times == null ? null : r.times.get(entry.uri());
                pdt = pdt.truncatedTo(ChronoUnit.MILLIS);
                if (time != null) {
                    // DASH: a Period per run of the encoder, whose start and media time offset stay as first seen.
                    s.periodStarts.putIfAbsent(r.run, pdt);
                    r.offsets.putIfAbsent(r.run, time[0]);
                }
                r.segments.addLast(new Segment(r.nextSeq++, name, entry.duration(), pdt, discontinuity, map, bytes,
                        time == null ? -1 : time[0], time == null ? -1 : time[1], r.run));
                listener.segment(s.app, s.name, s.session, r.name, new SegmentListener.Segment(name, map, entry.duration(),
                        pdt, discontinuity, bytes));
                r.target = Math.max(r.target, (int) Math.ceil(entry.duration() - 0.001));
                r.bitrate = Math.max(r.bitrate, (long) (bytes * 8 / entry.duration()));
                s.lastSegmentAt = now;
                changed = true;
                while (r.segments.size() > s.dvr.playlistCount()) {
                    Segment old = r.segments.removeFirst();
                    if (old.discontinuity) {
                        r.discontinuitySequence++;
                    }
                    r.behind.addLast(old);
                }
                long firstRun = r.segments.peekFirst().run;
                r.offsets.keySet().removeIf(run -> run < firstRun);
                while (r.behind.size() > KEEP_BEHIND) {
                    Segment gone = r.behind.removeFirst();
                    store.delete(s.app, s.name, gone.name);
                    if (gone.map != null && r.segments.stream().noneMatch(g -> gone.map.equals(g.map))
                            && r.behind.stream().noneMatch(g -> gone.map.equals(g.map))) {
                        store.delete(s.app, s.name, gone.map);
                    }
                }
            }
            // Names the encoder no longer lists are forgotten (a restart is then told by its sequence).
            Set<String> listed = new HashSet<>();
            for (EncoderPlaylist.Entry entry : e) {
                listed.add(entry.uri());
                if (entry.map() != null) {
                    listed.add(entry.map());
                }
            }
            r.published.keySet().retainAll(listed);
        }
        if (changed || !s.variants.isEmpty()) {
            write(s);
        }
    }

    private static String extension(String uri) {
        int dot = uri.lastIndexOf('.');
        String ext = dot < 0 ? "" : uri.substring(dot + 1).toLowerCase(Locale.ROOT);
        return switch (ext) {
            case "ts", "m4s", "mp4", "aac", "m4a", "m4v", "cmfv", "cmfa", "vtt" -> ext;
            default -> "ts";
        };
    }

    private void write(Stream s) throws IOException {
        List<Rendition> playable = s.renditions.values().stream().filter(r -> !r.segments.isEmpty()).toList();
        if (playable.isEmpty()) {
            return;
        }
        boolean ended = s.state == State.ENDED;
        if (s.dash) {
            long firstRun = playable.stream().mapToLong(r -> r.segments.peekFirst().run).min().orElse(0);
            s.periodStarts.keySet().removeIf(run -> run < firstRun);
            store.write(s.app, s.name, LiveMpd.NAME, LiveMpd.render(playable, s.periodStarts, s.availabilityStart(), ended,
                    clock.instant(), s.dvr.playlistCount()).getBytes(StandardCharsets.UTF_8));
            return;
        }
        for (Rendition r : playable) {
            store.write(s.app, s.name, "r-" + r.name + ".m3u8", media(r, ended).getBytes(StandardCharsets.UTF_8));
        }
        store.write(s.app, s.name, "playlist.m3u8", master(s, playable).getBytes(StandardCharsets.UTF_8));
    }

    static String media(Rendition r, boolean ended) {
        StringBuilder b = new StringBuilder(256 + r.segments.size() * 120);
        b.append("#EXTM3U\n#EXT-X-VERSION:6\n");
        b.append("#EXT-X-TARGETDURATION:").append(r.target).append('\n');
        b.append("#EXT-X-MEDIA-SEQUENCE:").append(r.segments.peekFirst().sequence).append('\n');
        b.append("#EXT-X-DISCONTINUITY-SEQUENCE:").append(r.discontinuitySequence).append('\n');
        String map = null;
        for (Segment g : r.segments) {
            if (g.discontinuity) {
                b.append("#EXT-X-DISCONTINUITY\n");
            }
            if (g.map != null && !g.map.equals(map)) {
                b.append("#EXT-X-MAP:URI=\"").append(g.map).append("\"\n");
                map = g.map;
            }
            b.append("#EXT-X-PROGRAM-DATE-TIME:").append(PDT.format(g.pdt)).append('\n');
            b.append("#EXTINF:").append(String.format(Locale.ROOT, "%.3f", g.duration)).append(",\n");
            b.append(g.name).append('\n');
        }
        if (ended) {
            b.append("#EXT-X-ENDLIST\n");
        }
        return b.toString();
    }

    private static String master(Stream s, List<Rendition> playable) {
        StringBuilder b = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        Set<String> groups = new HashSet<>();
        for (Rendition r : playable) {
            String attrs = s.media.get(r.name);
            String line = attrs == null ? null : safeMedia(attrs);
            if (line != null) {
                b.append("#EXT-X-MEDIA:").append(line).append(",URI=\"r-").append(r.name).append(".m3u8\"\n");
                groups.add(EncoderPlaylist.attribute(":" + line, "TYPE") + "/" + EncoderPlaylist.attribute(":" + line, "GROUP-ID"));
            }
        }
        for (Rendition r : playable) {
            if (s.media.containsKey(r.name)) {
                continue;
            }
            String attrs = s.variants.get(r.name);
            b.append("#EXT-X-STREAM-INF:").append(attrs != null ? safeAttributes(attrs, groups) : "BANDWIDTH=" + Math.max(1, r.bitrate))
                    .append('\n').append("r-").append(r.name).append(".m3u8\n");
        }
        return b.toString();
    }

    /**
     * An alternative rendition's attributes a player needs, each checked (no URI: Usher writes its
     * own); null when TYPE or GROUP-ID is missing or not plain.
     */
    static String safeMedia(String attrs) {
        String type = EncoderPlaylist.attribute(":" + attrs, "TYPE");
        if (type == null || !Set.of("AUDIO", "VIDEO", "SUBTITLES").contains(type)) {
            return null;
        }
        List<String> kept = new ArrayList<>(List.of("TYPE=" + type));
        for (String name : List.of("GROUP-ID", "NAME", "LANGUAGE", "DEFAULT", "AUTOSELECT", "CHANNELS")) {
            String v = EncoderPlaylist.attribute(":" + attrs, name);
            if (v != null && plainValue(v)) {
                boolean enumerated = name.equals("DEFAULT") || name.equals("AUTOSELECT");
                if (enumerated && !v.equals("YES") && !v.equals("NO")) {
                    continue;
                }
                kept.add(name + "=" + (enumerated ? v : "\"" + v + "\""));
            } else if (name.equals("GROUP-ID") || name.equals("NAME")) {
                return null;
            }
        }
        return String.join(",", kept);
    }

    private static boolean plainValue(String v) {
        return !v.isEmpty() && v.length() <= 64 && v.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"' && c != ',');
    }

    /** Only the variant attributes a player needs, from the encoder's master; nothing that names a URI. */
    static String safeAttributes(String attrs) {
        return safeAttributes(attrs, Set.of());
    }

    /**
     * @param groups the alternative rendition groups Usher's master lists ({@code TYPE/GROUP-ID}): a
     *               variant keeps its AUDIO or SUBTITLES group only when it is one of them
     */
    static String safeAttributes(String attrs, Set<String> groups) {
        List<String> kept = new ArrayList<>();
        for (String name : List.of("BANDWIDTH", "AVERAGE-BANDWIDTH", "RESOLUTION", "CODECS", "FRAME-RATE")) {
            String v = EncoderPlaylist.attribute(":" + attrs, name);
            if (v != null && v.chars().allMatch(c -> c >= 0x20 && c < 0x7f && c != '"')) {
                kept.add(name + "=" + (name.equals("CODECS") ? "\"" + v + "\"" : v));
            }
        }
        for (String type : List.of("AUDIO", "SUBTITLES")) {
            String g = EncoderPlaylist.attribute(":" + attrs, type);
            if (g != null && groups.contains(type + "/" + g)) {
                kept.add(type + "=\"" + g + "\"");
            }
        }
        if (kept.stream().noneMatch(k -> k.startsWith("BANDWIDTH="))) {
            kept.add(0, "BANDWIDTH=1");
        }
        return String.join(",", kept);
    }

    private record Received(SegmentStore.Pending body, Instant at) {
    }

    /** A published segment; {@code t}, {@code d} are its DASH media time and duration (-1 for HLS), {@code run} its encoder run. */
    record Segment(long sequence, String name, double duration, Instant pdt, boolean discontinuity, String map,
                   long bytes, long t, long d, long run) {
    }

    static final class Rendition {
        final String name;
        final ArrayDeque<Segment> segments = new ArrayDeque<>();
        final ArrayDeque<Segment> behind = new ArrayDeque<>();
        final Map<String, String> published = new LinkedHashMap<>();
        List<EncoderPlaylist.Entry> entries = List.of();
        long nextSeq;
        long discontinuitySequence;
        long lastMs = -1;
        long lastPosition;
        boolean discontinuity;
        boolean ended;
        int maps;
        int target = 1;
        long bitrate;
        /** DASH: the encoder's Representation and the media times of the segments it names. */
        EncoderMpd.Representation representation;
        Map<String, long[]> times;
        /** The encoder run (0, then one more at each discontinuity) of the last segment, and each run's first media time. */
        long run;
        final Map<Long, Long> offsets = new LinkedHashMap<>();

        Rendition(String name) {
            this.name = name;
        }

        /** The encoder started again: what it names next is new, after a discontinuity. */
        void restart() {
            discontinuity = true;
            published.clear();
            entries = List.of();
            lastMs = -1;
            ended = false;
        }
    }

    private final class Stream {
        final String app;
        final String name;
        final String session;
        final DvrSettings dvr;
        final Map<String, Received> pending = new LinkedHashMap<>();
        final Map<String, Rendition> renditions = new LinkedHashMap<>();
        final Map<String, String> variants = new LinkedHashMap<>();
        /** Alternative renditions (EXT-X-MEDIA) of the encoder's master: rendition name → its attributes. */
        final Map<String, String> media = new LinkedHashMap<>();
        final Map<String, String> encoderTexts = new LinkedHashMap<>();
        String account;
        boolean dash;
        /** DASH: when each run of the encoder began (the start of its Period). */
        final Map<Long, Instant> periodStarts = new LinkedHashMap<>();
        Instant availabilityStart;
        State state = State.LIVE;
        Instant lastUploadAt;
        Instant lastSegmentAt;
        Instant waitingSince;
        Instant endedAt;

        Stream(String app, String name, String session, DvrSettings dvr, String account, Instant now) {
            this.app = app;
            this.name = name;
            this.session = session;
            this.dvr = dvr;
            this.account = account;
            this.lastUploadAt = now;
        }

        /** @return whether a rendition's last encoder playlist names {@code file} and it is not published yet */
        boolean lists(String file) {
            return renditions.values().stream().anyMatch(r -> !r.published.containsKey(file)
                    && r.entries.stream().anyMatch(e -> e.uri().equals(file) || file.equals(e.map())));
        }

        /** The DASH availabilityStartTime: the start of the session's first Period, fixed for the session. */
        Instant availabilityStart() {
            if (availabilityStart == null) {
                availabilityStart = periodStarts.values().stream().min(Instant::compareTo).orElse(clock.instant());
            }
            return availabilityStart;
        }

        boolean hasSegments() {
            return renditions.values().stream().anyMatch(r -> !r.segments.isEmpty());
        }

        int target() {
            return renditions.values().stream().mapToInt(r -> r.target).max().orElse(1);
        }

        Duration stall() {
            return Duration.ofSeconds((long) STALL_TARGETS * Math.max(2, target()));
        }

        Duration feedWindow() {
            return stall();
        }

        /** The encoder came back while the playlist waited: the session goes on after a discontinuity. */
        void resume() {
            state = State.LIVE;
            waitingSince = null;
            renditions.values().forEach(r -> {
                r.discontinuity = true;
                r.ended = false;
            });
        }

        void discardPending() {
            pending.values().forEach(r -> r.body.discard());
            pending.clear();
        }
    }
}
