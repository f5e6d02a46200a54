package dev.usher.core.live.record;

import dev.usher.core.live.DvrSettings;
import dev.usher.core.live.RecordSettings;
import dev.usher.core.live.stream.FileSegmentStore;
import dev.usher.core.live.stream.LiveStreams;
import dev.usher.core.live.stream.SegmentListener;
import dev.usher.core.live.stream.SegmentStore;
import dev.usher.testing.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The recorder on real files: segments placed in a stream's folder as LiveStreams places them,
 * fed one by one; parts, names, playlists, the MP4, and recovery of what a killed server left.
 */
class RecorderTest {

    static final ZoneId ZONE = ZoneId.of("Europe/Berlin");

    @TempDir
    Path root;
    final MutableClock clock = MutableClock.at("2026-12-01T10:00:50Z");
    final List<String> events = new ArrayList<>();
    final RecordingListener listener = new RecordingListener() {
        @Override
        public void started(Recording r) {
            events.add("started " + r.name());
        }

        @Override
        public void finished(Recording r) {
            events.add("finished " + r.name());
        }

        @Override
        public void diskLow(String app, String stream, long free, long floor) {
            events.add("disk " + app + "/" + stream);
        }
    };
    Instant pdt = clock.instant();
    int n;

    Recorder recorder(RecordSettings rs) {
        RecordingSettings s = RecordingSettings.defaults(root, ZONE).withUnits(Duration.ofSeconds(1), 10).withMinFreeBytes(0);
        return new Recorder(s, root, (a, st) -> rs, listener, clock);
    }

    /** A 2-second segment of {@code size} bytes placed in live/cam, told to the recorder. */
    void feed(Recorder r, int size, String map, boolean discontinuity) throws IOException {
        feed(r, size, map, discontinuity, 2.0);
    }

    void feed(Recorder r, int size, String map, boolean discontinuity, double duration) throws IOException {
        feed(r, "r", size, map, discontinuity, duration);
    }

    void feed(Recorder r, String rendition, int size, String map, boolean discontinuity, double duration) throws IOException {
        String name = "sess-" + rendition + "-" + n + (map == null ? ".ts" : ".m4s");
        byte[] b = new byte[size];
        java.util.Arrays.fill(b, (byte) ('a' + n % 26));
        Files.createDirectories(root.resolve("live/cam"));
        Files.write(root.resolve("live/cam").resolve(name), b);
        r.segment("live", "cam", "sess", rendition, new SegmentListener.Segment(name, map, duration, pdt, discontinuity, size));
        pdt = pdt.plusMillis(Math.round(duration * 1000));
        n++;
    }

    List<Recording> list(Recorder r) {
        return r.list("live");
    }

    static String playlist(Path dir) throws IOException {
        return Files.readString(dir.resolve("playlist.m3u8"));
    }

    static long count(String playlist, String prefix) {
        return playlist.lines().filter(l -> l.startsWith(prefix)).count();
    }

    @Test
    void durationCutsAtTheFirstBoundaryOnceThePartReachedItAndStreamNamesGetTheEndDate() throws IOException {
        Recorder r = recorder(new RecordSettings(true, "stream", "duration", "4", "shows"));
        for (int i = 0; i < 9; i++) {
            feed(r, 10, null, false);
        }
        r.sessionEnded("live", "cam", "sess");
        List<Recording> all = list(r);
        assertEquals(List.of(2, 2, 2, 2, 1), all.stream().map(Recording::segments).toList(), all::toString);
        // 10:00:50 in Berlin is 11:00; parts end at 11:00:54, 11:00:58, 11:01:02… (two in one minute: a suffix)
        assertEquals(List.of("cam-2026-12-01_11-00", "cam-2026-12-01_11-00-2", "cam-2026-12-01_11-01", "cam-2026-12-01_11-01-2",
                "cam-2026-12-01_11-01-3"), all.stream().map(Recording::name).toList());
        assertEquals("shows/cam-2026-12-01_11-00", all.get(0).folder());
        for (Recording rec : all) {
            assertTrue(rec.finished());
            String p = playlist(root.resolve("live").resolve(rec.folder()));
            assertTrue(p.contains("#EXT-X-PLAYLIST-TYPE:VOD\n") && p.endsWith("#EXT-X-ENDLIST\n"), p);
            assertEquals(rec.segments(), count(p, "#EXT-X-PROGRAM-DATE-TIME:"), p);
        }
        assertEquals(Duration.ofSeconds(18), all.stream().map(Recording::duration).reduce(Duration.ZERO, Duration::plus),
                "every segment in exactly one part");
        assertEquals(all.get(0).end(), all.get(1).start(), "no gap, no overlap between parts");
        assertEquals(10, events.size(), events::toString);
        assertTrue(Files.exists(root.resolve("live/shows").resolve(FileSegmentStore.RECORDINGS_MARKER)));
    }

    @Test
    void aRecordingIsAnEventPlaylistWhileWrittenAndEventNamesGetTheStartAndPart() throws IOException {
        Recorder r = recorder(new RecordSettings(true, "event", "size", "3", "shows")); // 30 bytes
        feed(r, 10, null, false);
        feed(r, 10, null, false);
        Recording live = list(r).get(0);
        assertFalse(live.finished());
        String p = playlist(root.resolve("live").resolve(live.folder()));
        assertTrue(p.contains("#EXT-X-PLAYLIST-TYPE:EVENT\n") && !p.contains("ENDLIST"), p);
        feed(r, 10, null, false); // 30: still fits
        feed(r, 10, null, false); // 40 > 30: a new part before it
        feed(r, 25, null, false); // 35 > 30
        feed(r, 40, null, false); // larger than a part alone: a part of its own
        r.sessionEnded("live", "cam", "sess");
        List<Recording> all = list(r);
        assertEquals(List.of(3, 1, 1, 1), all.stream().map(Recording::segments).toList(), all::toString);
        assertEquals(List.of("cam-2026-12-01_11-00-pt1", "cam-2026-12-01_11-00-pt2", "cam-2026-12-01_11-00-pt3",
                "cam-2026-12-01_11-01-pt4"), all.stream().map(Recording::name).toList());
    }

    @Test
    void aScheduleCutsAtTheFiringAndAFiringPassedWhileStalledCutsOnResume() throws IOException {
        Recorder r = recorder(new RecordSettings(true, "event", "schedule", "*/2 * * * *", "shows"));
        // 10:00:50 UTC: the next even minute is 10:02:00; segments at :50 … 10:01:58 stay in part 1.
        for (int i = 0; i < 35; i++) {
            feed(r, 10, null, false);
        }
        assertEquals(1, list(r).size());
        feed(r, 10, null, false); // pdt 10:02:00: cut
        assertEquals(2, list(r).size());
        assertEquals(Instant.parse("2026-12-01T10:02:00Z"), list(r).get(1).start());
        pdt = Instant.parse("2026-12-01T10:05:10Z"); // stalled over 10:04; resumes after it
        feed(r, 10, null, true);
        r.sessionEnded("live", "cam", "sess");
        List<Recording> all = list(r);
        assertEquals(List.of(35, 1, 1), all.stream().map(Recording::segments).toList(), all::toString);
    }

    @Test
    void disabledIsOneRecordingPerSessionExceptWhenTheInitSegmentChangesAndFmp4GivesOneMp4() throws IOException {
        Recorder r = recorder(new RecordSettings(true, "event", "disabled", null, null));
        Files.createDirectories(root.resolve("live/cam"));
        Files.writeString(root.resolve("live/cam/sess-r-init0.mp4"), "INIT0");
        Files.writeString(root.resolve("live/cam/sess-r-init1.mp4"), "INIT1");
        feed(r, 10, "sess-r-init0.mp4", false);
        feed(r, 10, "sess-r-init0.mp4", false);
        feed(r, 10, "sess-r-init1.mp4", true); // the encoder restarted: a new init segment
        feed(r, 10, "sess-r-init1.mp4", false);
        r.sessionEnded("live", "cam", "sess");
        List<Recording> all = list(r);
        assertEquals(2, all.size(), all::toString);
        assertEquals("recordings/2026-12-01/cam-2026-12-01_11-00-pt1", all.get(0).folder(), "the default layout");
        Path first = root.resolve("live").resolve(all.get(0).folder());
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write("INIT0".getBytes(StandardCharsets.UTF_8));
        expected.write(Files.readAllBytes(first.resolve("seg-0.m4s")));
        expected.write(Files.readAllBytes(first.resolve("seg-1.m4s")));
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(first.resolve("recording.mp4")));
        assertTrue(playlist(first).contains("#EXT-X-MAP:URI=\"init.mp4\""));
        assertFalse(playlist(root.resolve("live").resolve(all.get(1).folder())).contains("DISCONTINUITY"),
                "a part begins without a discontinuity");
    }

    @Test
    void aLastSegmentAfterTheEndJoinsTheLastPartUnderTheSameRulesAndIsFinishedAtOnce() throws IOException {
        Recorder r = recorder(new RecordSettings(true, "event", "size", "3", "shows")); // 30 bytes
        feed(r, 10, null, false);
        feed(r, 10, null, false);
        r.sessionEnded("live", "cam", "sess");
        feed(r, 10, null, false); // late: fits
        feed(r, 10, null, false); // late: would push it over, a part of its own
        List<Recording> all = list(r);
        assertEquals(List.of(3, 1), all.stream().map(Recording::segments).toList(), all::toString);
        assertTrue(all.stream().allMatch(Recording::finished), all::toString);
        for (Recording rec : all) {
            assertTrue(playlist(root.resolve("live").resolve(rec.folder())).endsWith("#EXT-X-ENDLIST\n"));
        }
        assertEquals(List.of("started cam-2026-12-01_11-00-pt1", "finished cam-2026-12-01_11-00-pt1",
                "started cam-2026-12-01_11-00-pt2", "finished cam-2026-12-01_11-00-pt2"), events);
    }

    /**
     * RFC 8216 4.3.3.1: an EVENT playlist's EXT-X-TARGETDURATION never changes, and every segment's
     * duration rounded is at most it. Checked after every segment: a longer segment begins a new part.
     */
    @Test
    void theTargetDurationIsFixedWhileWrittenAndALongerSegmentBeginsANewPart() throws IOException {
        Recorder r = recorder(new RecordSettings(true, "event", "disabled", null, "shows"));
        java.util.Map<String, String> targets = new java.util.HashMap<>();
        double[] durations = {2.0, 2.4, 2.0, 3.4, 5.8, 2.0, 6.0, 2.0};
        for (double d : durations) {
            feed(r, 10, null, false, d);
            for (Recording rec : list(r)) {
                String p = playlist(root.resolve("live").resolve(rec.folder()));
                String target = p.lines().filter(l -> l.startsWith("#EXT-X-TARGETDURATION:")).findFirst().orElseThrow().substring(22);
                String before = targets.putIfAbsent(rec.name(), target);
                assertEquals(before == null ? target : before, target, "target duration of " + rec.name() + " changed:\n" + p);
                p.lines().filter(l -> l.startsWith("#EXTINF:")).forEach(l -> assertTrue(
                        Math.round(Double.parseDouble(l.substring(8, l.indexOf(',')))) <= Integer.parseInt(target), p));
            }
        }
        r.sessionEnded("live", "cam", "sess");
        List<Recording> all = list(r);
        // 2.0 → target 3: 2.4, 2.0, 3.4 fit; 5.8 (6) begins a part of target 7, where 2.0, 6.0, 2.0 fit.
        assertEquals(List.of(4, 4), all.stream().map(Recording::segments).toList(), all::toString);
        assertEquals(Duration.ofMillis(25600), all.stream().map(Recording::duration).reduce(Duration.ZERO, Duration::plus),
                "every segment in exactly one part");
    }

    /** An fMP4 init segment's bytes with one handler box ({@code hdlr}) of that type ({@code vide}, {@code soun}). */
    static byte[] init(String handler) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0, 0, 0, 33});
        b.writeBytes(("hdlr\0\0\0\0\0\0\0\0" + handler + "\0\0\0\0\0\0\0\0\0\0\0\0\0").getBytes(StandardCharsets.US_ASCII));
        return b.toByteArray();
    }

    /**
     * DASH ingest gives audio and video each a rendition (Representation); the audio's segment may be
     * complete first. The recording is the video's, not audio alone.
     */
    @Test
    void aLadderRecordsItsFirstRenditionWithVideoNotAudioThatCameFirst() throws IOException {
        Recorder r = recorder(new RecordSettings(true, "event", "disabled", null, "shows"));
        Files.createDirectories(root.resolve("live/cam"));
        Files.write(root.resolve("live/cam/sess-audio-init0.mp4"), init("soun"));
        Files.write(root.resolve("live/cam/sess-video-init0.mp4"), init("vide"));
        Instant start = pdt;
        feed(r, "audio", 10, "sess-audio-init0.mp4", false, 2.0);
        pdt = start;
        feed(r, "video", 10, "sess-video-init0.mp4", false, 2.0);
        feed(r, "audio", 10, "sess-audio-init0.mp4", false, 2.0);
        feed(r, "video", 10, "sess-video-init0.mp4", false, 2.0);
        r.sessionEnded("live", "cam", "sess");
        List<Recording> all = list(r);
        assertEquals(List.of(2), all.stream().map(Recording::segments).toList(), all::toString);
        Path dir = root.resolve("live").resolve(all.get(0).folder());
        assertArrayEquals(init("vide"), Files.readAllBytes(dir.resolve("init.mp4")), "the video's init segment");
        assertEquals(start, all.get(0).start());
    }

    /** Audio alone (no video rendition comes): recorded from its first segment. */
    @Test
    void audioAloneIsRecordedFromItsFirstSegment() throws IOException {
        Recorder r = recorder(new RecordSettings(true, "event", "disabled", null, "shows"));
        Files.createDirectories(root.resolve("live/cam"));
        Files.write(root.resolve("live/cam/sess-audio-init0.mp4"), init("soun"));
        Instant start = pdt;
        for (int i = 0; i < 5; i++) {
            feed(r, "audio", 10, "sess-audio-init0.mp4", false, 2.0);
        }
        r.sessionEnded("live", "cam", "sess");
        List<Recording> all = list(r);
        assertEquals(List.of(5), all.stream().map(Recording::segments).toList(), all::toString);
        assertEquals(start, all.get(0).start());
        Recorder shortOne = recorder(new RecordSettings(true, "event", "disabled", null, "shows"));
        feed(shortOne, "audio2", 10, "sess-audio-init0.mp4", false, 2.0);
        shortOne.sessionEnded("live", "cam", "sess");
        assertEquals(2, list(shortOne).size(), "a session of one audio segment is recorded at its end too");
    }

    @Test
    void aDiscontinuityInsideAPartIsKept() throws IOException {
        Recorder r = recorder(new RecordSettings(true, "stream", "disabled", null, "shows"));
        feed(r, 10, null, false);
        feed(r, 10, null, true);
        r.sessionEnded("live", "cam", "sess");
        assertEquals(1, count(playlist(root.resolve("live").resolve(list(r).get(0).folder())), "#EXT-X-DISCONTINUITY"));
    }

    @Test
    void withoutRecordNothingIsRecorded() throws IOException {
        Recorder r = recorder(new RecordSettings(false, "stream", "disabled", null, "shows"));
        feed(r, 10, null, false);
        assertEquals(List.of(), list(r));
        assertFalse(Files.exists(root.resolve("live/shows")));
    }

    @Test
    void whatAKilledServerLeftIsFinishedOnRestartKeepingExactlyTheListedSegments() throws IOException {
        Recorder r = recorder(new RecordSettings(true, "stream", "disabled", null, "shows"));
        Files.createDirectories(root.resolve("live/cam"));
        Files.writeString(root.resolve("live/cam/sess-r-init0.mp4"), "INIT0");
        for (int i = 0; i < 3; i++) {
            feed(r, 10, "sess-r-init0.mp4", false);
        }
        Recording before = list(r).get(0);
        assertTrue(before.name().endsWith("-recording"), before::toString);
        Path dir = root.resolve("live").resolve(before.folder());
        // Killed while recording a fourth segment: linked and half appended, not listed yet.
        Files.writeString(dir.resolve("seg-3.m4s"), "half");
        Files.writeString(dir.resolve("recording.mp4"), "half", StandardOpenOption.APPEND);
        byte[] listed = Files.readAllBytes(dir.resolve("recording.mp4"));
        listed = java.util.Arrays.copyOf(listed, listed.length - 4);

        events.clear();
        Recorder restarted = recorder(new RecordSettings(true, "stream", "disabled", null, "shows")); // no close of the first
        List<Recording> after = restarted.list("live");
        assertEquals(1, after.size());
        Recording done = after.get(0);
        assertTrue(done.finished());
        assertEquals("cam-2026-12-01_11-00", done.name(), "renamed as record_type stream says: its end date");
        assertEquals(3, done.segments());
        Path fin = root.resolve("live").resolve(done.folder());
        assertTrue(playlist(fin).endsWith("#EXT-X-ENDLIST\n") && playlist(fin).contains("PLAYLIST-TYPE:VOD"));
        assertFalse(Files.exists(fin.resolve("seg-3.m4s")), "the segment in flight is dropped");
        assertArrayEquals(listed, Files.readAllBytes(fin.resolve("recording.mp4")), "the MP4 cut back to the listed segments");
        assertEquals(List.of("finished cam-2026-12-01_11-00"), events);
    }

    @Test
    void retentionDeletesFinishedRecordingsOlderThanItsAge() throws IOException {
        RecordingSettings s = RecordingSettings.defaults(root, ZONE).withMinFreeBytes(0).withRetention(Duration.ofHours(1));
        Recorder r = new Recorder(s, root, (a, st) -> new RecordSettings(true, "stream", "disabled", null, "shows"), listener, clock);
        feed(r, 10, null, false);
        r.sessionEnded("live", "cam", "sess");
        r.tick(clock.instant().plus(Duration.ofMinutes(59)));
        assertEquals(1, list(r).size());
        r.tick(clock.instant().plus(Duration.ofMinutes(62)));
        assertEquals(0, list(r).size());
    }

    @Test
    void belowTheFreeSpaceFloorNothingIsRecordedAndTheOperatorIsToldOnce() throws IOException {
        RecordingSettings s = RecordingSettings.defaults(root, ZONE).withMinFreeBytes(Long.MAX_VALUE);
        Recorder r = new Recorder(s, root, (a, st) -> new RecordSettings(true, "stream", "disabled", null, "shows"), listener, clock);
        feed(r, 10, null, false);
        feed(r, 10, null, false);
        assertEquals(List.of("disk live/cam"), events);
        assertEquals(List.of(), list(r));
    }

    /** Through LiveStreams' hook: an encoder's uploads become a recording, and the recordings folder is never a stream. */
    @Test
    void liveStreamsFeedTheRecorderAndNeverTakeTheRecordingsFolderForAStream() throws Exception {
        FileSegmentStore store = new FileSegmentStore(root);
        Recorder r = recorder(new RecordSettings(true, "stream", "disabled", null, "shows"));
        LiveStreams live = new LiveStreams(store, clock, Duration.ofSeconds(30), (a, s) -> new DvrSettings(4, Duration.ofSeconds(60), false), r);
        StringBuilder pl = new StringBuilder("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n");
        for (int i = 0; i < 3; i++) {
            SegmentStore.Pending p = store.create("live", "cam");
            p.output().write(("segment " + i).getBytes(StandardCharsets.UTF_8));
            live.receiveObject("live", "cam", "p" + i + ".ts", p, "acct");
            pl.append("#EXTINF:2.000,\np").append(i).append(".ts\n");
            clock.advance(Duration.ofSeconds(2));
            live.receivePlaylist("live", "cam", "playlist.m3u8", pl.toString(), "acct");
        }
        live.receivePlaylist("live", "cam", "playlist.m3u8", pl + "#EXT-X-ENDLIST\n", "acct");
        Recording rec = r.list("live").get(0);
        assertTrue(rec.finished(), rec::toString);
        assertEquals(3, rec.segments());
        assertEquals("segment 0", Files.readString(root.resolve("live").resolve(rec.folder()).resolve("seg-0.ts")));
        clock.advance(Duration.ofMinutes(5));
        live.tick(); // the ended stream goes away with its files; the recording stays
        assertFalse(Files.exists(root.resolve("live/cam")));
        assertEquals("segment 2", Files.readString(root.resolve("live").resolve(rec.folder()).resolve("seg-2.ts")));
        // A restart: the recordings folder is not a stream to finalize and remove.
        LiveStreams again = new LiveStreams(store, clock, Duration.ofSeconds(30), (a, s) -> DvrSettings.DEFAULTS, r);
        assertTrue(again.state("live", "shows").isEmpty());
        store.deleteStream("live", "shows");
        assertEquals(1, r.list("live").size(), "a stream named like the folder can't delete it");
    }

    /** A segment of that rendition at that program date-time (not the running one), told to the recorder. */
    void feedAt(Recorder r, String rendition, int size, String map, Instant at) throws IOException {
        Instant keep = pdt;
        pdt = at;
        feed(r, rendition, size, map, false, 2.0);
        pdt = keep;
    }

    /**
     * DASH ingest with separate audio and video: both are recorded, in one folder per part — a
     * master naming the video as a variant and the audio as its EXT-X-MEDIA group, a media playlist
     * each — and the audio moves to the next part at its first segment that reaches the part's
     * start, even when it comes after the video's cut (no frame lost, none in two parts).
     */
    @Test
    void aTwoRenditionSessionGivesAMasterAndTwoMediaPlaylistsCutAtAlignedBoundaries() throws IOException {
        Recorder r = recorder(new RecordSettings(true, "event", "duration", "4", "shows"));
        Files.createDirectories(root.resolve("live/cam"));
        Files.write(root.resolve("live/cam/sess-audio-init0.mp4"), init("soun"));
        Files.write(root.resolve("live/cam/sess-video-init0.mp4"), init("vide"));
        Instant t0 = pdt;
        String v = "sess-video-init0.mp4";
        String a = "sess-audio-init0.mp4";
        feedAt(r, "audio", 100, a, t0); // audio first: held, then recorded with the video
        feedAt(r, "video", 1000, v, t0);
        feedAt(r, "video", 1000, v, t0.plusSeconds(2));
        feedAt(r, "video", 1000, v, t0.plusSeconds(4)); // 4 s reached: part 2 begins here
        feedAt(r, "audio", 100, a, t0.plusSeconds(2)); // late: still part 1's
        feedAt(r, "audio", 100, a, t0.plusSeconds(4)); // part 2's first
        feedAt(r, "video", 1000, v, t0.plusSeconds(6));
        feedAt(r, "audio", 100, a, t0.plusSeconds(6));
        r.sessionEnded("live", "cam", "sess");
        List<Recording> all = list(r);
        assertEquals(List.of(2, 2), all.stream().map(Recording::segments).toList(), all::toString);
        for (int i = 0; i < 2; i++) {
            Path dir = root.resolve("live").resolve(all.get(i).folder());
            String master = playlist(dir);
            assertTrue(master.contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\"") && master.contains("URI=\"r1/playlist.m3u8\""), master);
            // peak rates: video 1000 B / 2 s = 4000 bit/s, audio 100 B / 2 s = 400 bit/s
            assertTrue(master.contains("#EXT-X-STREAM-INF:BANDWIDTH=4400,AUDIO=\"audio\"\nr0.m3u8\n"), master);
            assertEquals(0, count(master, "#EXTINF"), "a master lists no segment");
            String video = Files.readString(dir.resolve("r0.m3u8"));
            String audio = Files.readString(dir.resolve("r1/playlist.m3u8"));
            for (String media : List.of(video, audio)) {
                assertTrue(media.contains("PLAYLIST-TYPE:VOD") && media.endsWith("#EXT-X-ENDLIST\n"), media);
                assertEquals(2, count(media, "#EXTINF"), media);
            }
            assertEquals(pdts(video), pdts(audio), "the audio's part lines up with the video's");
            assertArrayEquals(init("vide"), Files.readAllBytes(dir.resolve("init.mp4")));
            assertArrayEquals(init("soun"), Files.readAllBytes(dir.resolve("r1/init.mp4")));
            assertEquals(init("soun").length + 200, Files.size(dir.resolve("r1/recording.mp4")), "the audio's own MP4");
            assertEquals(2200, all.get(i).bytes(), "the size counts every rendition");
        }
        assertTrue(pdts(Files.readString(root.resolve("live").resolve(all.get(1).folder()).resolve("r1/playlist.m3u8")))
                .get(0).startsWith("#EXT-X-PROGRAM-DATE-TIME:2026-12-01T10:00:54"));
    }

    static List<String> pdts(String playlist) {
        return playlist.lines().filter(l -> l.startsWith("#EXT-X-PROGRAM-DATE-TIME")).toList();
    }

    /** A server killed while writing two renditions: both are finished on restart, each keeping what it listed. */
    @Test
    void aKilledTwoRenditionRecordingIsFinishedOnRestartInEveryRendition() throws IOException {
        Recorder r = recorder(new RecordSettings(true, "stream", "disabled", null, "shows"));
        Files.createDirectories(root.resolve("live/cam"));
        Files.write(root.resolve("live/cam/sess-audio-init0.mp4"), init("soun"));
        Files.write(root.resolve("live/cam/sess-video-init0.mp4"), init("vide"));
        Instant t0 = pdt;
        for (int i = 0; i < 2; i++) {
            feedAt(r, "video", 1000, "sess-video-init0.mp4", t0.plusSeconds(2 * i));
            feedAt(r, "audio", 100, "sess-audio-init0.mp4", t0.plusSeconds(2 * i));
        }
        Path dir = root.resolve("live").resolve(list(r).get(0).folder());
        Files.writeString(dir.resolve("r1/seg-2.m4s"), "half"); // the audio segment in flight
        Files.writeString(dir.resolve("r1/recording.mp4"), "half", StandardOpenOption.APPEND);

        Recorder restarted = recorder(new RecordSettings(true, "stream", "disabled", null, "shows"));
        List<Recording> after = restarted.list("live");
        assertEquals(1, after.size());
        assertTrue(after.get(0).finished() && !after.get(0).name().endsWith("-recording"), after::toString);
        Path fin = root.resolve("live").resolve(after.get(0).folder());
        assertTrue(playlist(fin).contains("URI=\"r1/playlist.m3u8\""), "still the master");
        for (Path media : List.of(fin.resolve("r0.m3u8"), fin.resolve("r1/playlist.m3u8"))) {
            String text = Files.readString(media);
            assertTrue(text.contains("PLAYLIST-TYPE:VOD") && text.endsWith("#EXT-X-ENDLIST\n"), text);
            assertEquals(2, count(text, "#EXTINF"), text);
        }
        assertFalse(Files.exists(fin.resolve("r1/seg-2.m4s")), "the audio segment in flight is dropped");
        assertEquals(init("soun").length + 200, Files.size(fin.resolve("r1/recording.mp4")), "the audio's MP4 cut back");
    }
}
