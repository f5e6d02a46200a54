package dev.usher.core.live.stream;

import dev.usher.core.live.DvrSettings;
import dev.usher.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiveStreamsTest {

    @TempDir
    Path dir;
    final MutableClock clock = MutableClock.at("2026-12-01T10:00:00Z");
    DvrSettings dvr = new DvrSettings(4, Duration.ofSeconds(60), true);
    FileSegmentStore store;
    LiveStreams live;

    @BeforeEach
    void start() throws IOException {
        store = new FileSegmentStore(dir);
        live = new LiveStreams(store, clock, Duration.ofSeconds(30), (a, s) -> dvr);
    }

    void put(String file, String content) throws Exception {
        SegmentStore.Pending p = store.create("live", "cam");
        p.output().write(content.getBytes(StandardCharsets.UTF_8));
        live.receiveObject("live", "cam", file, p, "live/cam");
    }

    /** An ffmpeg-like media playlist listing segments from..to of a prefix. */
    static String encoder(String prefix, int from, int to, boolean end, String map) {
        StringBuilder b = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:" + from + "\n");
        if (map != null) {
            b.append("#EXT-X-MAP:URI=\"").append(map).append("\"\n");
        }
        for (int i = from; i <= to; i++) {
            b.append("#EXTINF:2.000000,\n").append(prefix).append(i).append(map != null ? ".m4s" : ".ts").append('\n');
        }
        return b.append(end ? "#EXT-X-ENDLIST\n" : "").toString();
    }

    void segment(int i) throws Exception {
        clock.advance(Duration.ofSeconds(2));
        put("playlist" + i + ".ts", "segment " + i);
        live.receivePlaylist("live", "cam", "playlist.m3u8", encoder("playlist", Math.max(0, i - 4), i, false, null), "live/cam");
    }

    /**
     * The media playlist players get: the entry {@code playlist.m3u8} is a master over it, even for one
     * rendition (so players reload it as a child, with the credential: one viewer), checked here each time.
     */
    String served() throws IOException {
        String master = entry();
        if (master == null) {
            return null;
        }
        assertEquals(List.of("r-playlist.m3u8"), uris(master), master);
        assertTrue(master.contains("#EXT-X-STREAM-INF:BANDWIDTH="), master);
        byte[] media = store.read("live", "cam", "r-playlist.m3u8");
        return media == null ? null : new String(media, StandardCharsets.UTF_8);
    }

    /** The playlist viewers open, as written. */
    String entry() throws IOException {
        byte[] b = store.read("live", "cam", "playlist.m3u8");
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    static List<String> uris(String playlist) {
        return playlist.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).toList();
    }

    static long tag(String playlist, String tag) {
        return playlist.lines().filter(l -> l.startsWith(tag + ":")).map(l -> Long.parseLong(l.substring(tag.length() + 1)))
                .findFirst().orElseThrow();
    }

    @Test
    void theWindowHoldsPlaylistCountCompleteSegmentsUnderUshersNamesWithDateTimes() throws Exception {
        for (int i = 0; i < 7; i++) {
            segment(i);
        }
        String p = served();
        assertEquals(4, uris(p).size(), p);
        assertEquals(3, tag(p, "#EXT-X-MEDIA-SEQUENCE"), p);
        assertEquals(0, tag(p, "#EXT-X-DISCONTINUITY-SEQUENCE"));
        assertEquals(4, p.lines().filter(l -> l.startsWith("#EXT-X-PROGRAM-DATE-TIME:")).count());
        assertTrue(uris(p).stream().noneMatch(u -> u.matches("playlist\\d+\\.ts")), "the encoder's names never reach viewers: " + p);
        assertFalse(p.contains("#EXT-X-ENDLIST"));
        for (String u : uris(p)) {
            assertTrue(Files.isRegularFile(dir.resolve("live/cam").resolve(u)), u);
        }
        assertEquals("segment 6", Files.readString(dir.resolve("live/cam").resolve(uris(p).get(3))));
        try (Stream<Path> files = Files.list(dir.resolve("live/cam"))) {
            assertTrue(files.count() <= 4 + LiveStreams.KEEP_BEHIND + 2, "old segments are deleted");
        }
    }

    @Test
    void aSegmentAppearsOnlyWhenItsPlaylistAndItsBodyHaveBothArrivedInEitherOrder() throws Exception {
        live.receivePlaylist("live", "cam", "playlist.m3u8", encoder("playlist", 0, 0, false, null), "live/cam");
        assertNull(served(), "named but not arrived");
        put("playlist0.ts", "zero");
        assertEquals(1, uris(served()).size());
        put("playlist1.ts", "one");
        assertEquals(1, uris(served()).size(), "arrived but not named yet");
        live.receivePlaylist("live", "cam", "playlist.m3u8", encoder("playlist", 0, 1, false, null), "live/cam");
        assertEquals(2, uris(served()).size());
    }

    @Test
    void anEncoderRestartContinuesTheSequenceAfterADiscontinuity() throws Exception {
        for (int i = 0; i < 6; i++) {
            segment(i);
        }
        long before = tag(served(), "#EXT-X-MEDIA-SEQUENCE");
        // ffmpeg again: playlist0.ts and MEDIA-SEQUENCE:0
        for (int i = 0; i < 2; i++) {
            segment(i);
        }
        String p = served();
        assertTrue(tag(p, "#EXT-X-MEDIA-SEQUENCE") > before, p);
        assertEquals(1, p.lines().filter(l -> l.equals("#EXT-X-DISCONTINUITY")).count(), p);
        assertEquals("segment 1", Files.readString(dir.resolve("live/cam").resolve(uris(p).get(3))));
        for (int i = 2; i < 6; i++) {
            segment(i);
        }
        p = served();
        assertEquals(1, tag(p, "#EXT-X-DISCONTINUITY-SEQUENCE"), "the discontinuity left the window: " + p);
        assertFalse(p.contains("#EXT-X-DISCONTINUITY\n"), p);
    }

    @Test
    void theRestartIsSeenWhenThePlaylistComesBeforeTheSegmentToo() throws Exception {
        for (int i = 0; i < 6; i++) {
            segment(i);
        }
        clock.advance(Duration.ofSeconds(2));
        live.receivePlaylist("live", "cam", "playlist.m3u8", encoder("playlist", 0, 0, false, null), "live/cam");
        put("playlist0.ts", "new zero");
        String p = served();
        assertEquals(1, p.lines().filter(l -> l.equals("#EXT-X-DISCONTINUITY")).count(), p);
        assertEquals("new zero", Files.readString(dir.resolve("live/cam").resolve(uris(p).get(3))));
    }

    @Test
    void fmp4HasItsInitSegmentAsAMap() throws Exception {
        put("init.mp4", "init");
        for (int i = 0; i < 2; i++) {
            put("playlist" + i + ".m4s", "frag " + i);
        }
        live.receivePlaylist("live", "cam", "playlist.m3u8", encoder("playlist", 0, 1, false, "init.mp4"), "live/cam");
        String p = served();
        String map = p.lines().filter(l -> l.startsWith("#EXT-X-MAP:URI=\"")).findFirst().orElseThrow();
        String name = map.substring(16, map.length() - 1);
        assertTrue(name.endsWith(".mp4") && !name.equals("init.mp4"), name);
        assertEquals("init", Files.readString(dir.resolve("live/cam").resolve(name)));
        assertTrue(uris(p).get(0).endsWith(".m4s"));
    }

    @Test
    void severalRenditionsGetAMasterPlaylist() throws Exception {
        live.receivePlaylist("live", "cam", "master.m3u8", "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,"
                + "CODECS=\"avc1.64001e\",URI=\"x\"\nout_0.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=300000\nout_1.m3u8\n", "live/cam");
        for (String v : List.of("out_0", "out_1")) {
            put(v + "0.ts", v);
            live.receivePlaylist("live", "cam", v + ".m3u8", encoder(v, 0, 0, false, null), "live/cam");
        }
        String p = entry();
        assertTrue(p.contains("#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS=\"avc1.64001e\"\nr-out_0.m3u8"), p);
        assertTrue(p.contains("r-out_1.m3u8"), p);
        assertTrue(Files.readString(dir.resolve("live/cam/r-out_1.m3u8")).contains("#EXTINF"));
    }

    @Test
    void afterTheEncoderStopsThePlaylistStaysLiveForTheTimeoutThenEndsThenGoes() throws Exception {
        for (int i = 0; i < 5; i++) {
            segment(i);
        }
        clock.advance(Duration.ofSeconds(7)); // more than 3 target durations
        assertEquals(LiveStreams.State.WAITING, live.state("live", "cam").orElseThrow());
        assertFalse(served().contains("#EXT-X-ENDLIST"));
        clock.advance(Duration.ofSeconds(59));
        live.tick();
        assertFalse(served().contains("#EXT-X-ENDLIST"), "still within playlist_timeout");
        clock.advance(Duration.ofSeconds(2));
        live.tick();
        assertEquals(LiveStreams.State.ENDED, live.state("live", "cam").orElseThrow());
        assertTrue(served().endsWith("#EXT-X-ENDLIST\n"), served());
        clock.advance(Duration.ofSeconds(31));
        live.tick();
        assertTrue(live.state("live", "cam").isEmpty());
        assertFalse(Files.exists(dir.resolve("live/cam")), "gone with its files");
    }

    @Test
    void anEncoderThatResumesWithinTheTimeoutContinuesTheSameSession() throws Exception {
        for (int i = 0; i < 5; i++) {
            segment(i);
        }
        clock.advance(Duration.ofSeconds(30));
        assertEquals(LiveStreams.State.WAITING, live.state("live", "cam").orElseThrow());
        String session = uris(served()).get(0).split("-")[0];
        segment(5); // names go on, as with -hls_flags append_list
        String p = served();
        assertEquals(LiveStreams.State.LIVE, live.state("live", "cam").orElseThrow());
        assertEquals(session, uris(p).get(3).split("-")[0]);
        assertTrue(p.contains("#EXT-X-DISCONTINUITY\n"), p);
        assertEquals(2, tag(p, "#EXT-X-MEDIA-SEQUENCE"));
    }

    @Test
    void anEndlistEndsAtOnceWithoutDvr() throws Exception {
        dvr = new DvrSettings(4, Duration.ofSeconds(600), false);
        put("playlist0.ts", "x");
        live.receivePlaylist("live", "cam", "playlist.m3u8", encoder("playlist", 0, 0, true, null), "live/cam");
        live.tick();
        assertEquals(LiveStreams.State.ENDED, live.state("live", "cam").orElseThrow());
        assertTrue(served().contains("#EXT-X-ENDLIST"));
    }

    @Test
    void anEndlistWithDvrWaits() throws Exception {
        put("playlist0.ts", "x");
        live.receivePlaylist("live", "cam", "playlist.m3u8", encoder("playlist", 0, 0, true, null), "live/cam");
        assertEquals(LiveStreams.State.WAITING, live.state("live", "cam").orElseThrow());
        assertFalse(served().contains("#EXT-X-ENDLIST"));
    }

    @Test
    void referencesOutsideTheStreamAndHugePlaylistsAreRefusedAndChangeNothing() throws Exception {
        segment(0);
        String before = served();
        for (String bad : List.of("../other/x.ts", "/etc/passwd", "http://evil/x.ts", "sub/x.ts", ".hidden.ts", "a%2f..%2fb.ts")) {
            IngestRefused e = assertThrows(IngestRefused.class, () -> live.receivePlaylist("live", "cam", "playlist.m3u8",
                    "#EXTM3U\n#EXTINF:2,\n" + bad + "\n", "live/cam"));
            assertEquals(400, e.status());
        }
        assertThrows(IngestRefused.class, () -> live.receivePlaylist("live", "cam", "playlist.m3u8",
                "#EXTM3U\n#EXT-X-MAP:URI=\"../../init.mp4\"\n#EXTINF:2,\na.ts\n", "live/cam"));
        StringBuilder huge = new StringBuilder("#EXTM3U\n");
        for (int i = 0; i <= EncoderPlaylist.MAX_ENTRIES; i++) {
            huge.append("#EXTINF:2,\ns").append(i).append(".ts\n");
        }
        assertEquals(400, assertThrows(IngestRefused.class,
                () -> live.receivePlaylist("live", "cam", "playlist.m3u8", huge.toString(), "live/cam")).status());
        assertEquals(before, served());
    }

    @Test
    void anotherAccountGets409WhileTheStreamIsFedAndMayTakeOverOnceItStopped() throws Exception {
        segment(0);
        assertEquals(409, assertThrows(IngestRefused.class, () -> live.checkFeeder("live", "cam", "live/*")).status());
        live.checkFeeder("live", "cam", "live/cam"); // the same account may
        clock.advance(Duration.ofSeconds(10));
        live.checkFeeder("live", "cam", "live/*");
    }

    @Test
    void aDeletedUploadIsNeverPublished() throws Exception {
        put("playlist0.ts", "x");
        live.delete("live", "cam", "playlist0.ts");
        live.receivePlaylist("live", "cam", "playlist.m3u8", encoder("playlist", 0, 0, false, null), "live/cam");
        assertNull(served());
        try (Stream<Path> tmp = Files.list(dir.resolve(FileSegmentStore.TEMP))) {
            assertEquals(0, tmp.count(), "its temporary file is gone");
        }
    }

    @Test
    void aServerRestartEndsTheStreamsItInterrupted() throws Exception {
        for (int i = 0; i < 3; i++) {
            segment(i);
        }
        LiveStreams again = new LiveStreams(new FileSegmentStore(dir), clock, Duration.ofSeconds(30), (a, s) -> dvr);
        assertTrue(served().endsWith("#EXT-X-ENDLIST\n"));
        clock.advance(Duration.ofSeconds(31));
        again.tick();
        assertFalse(Files.exists(dir.resolve("live/cam")));
    }

    /** As ffmpeg does it: each run ends with EXT-X-ENDLIST; the clock does not move while it runs. */
    void ffmpegRun(int segments) throws Exception {
        for (int i = 0; i < segments; i++) {
            put("playlist" + i + ".ts", "run segment " + i);
            live.receivePlaylist("live", "cam", "playlist.m3u8", encoder("playlist", Math.max(0, i - 4), i, i == segments - 1, null), "live/cam");
        }
    }

    @Test
    void aRestartedEncoderThatEndsAgainWaitsTheTimeoutAgainThenEnds() throws Exception {
        ffmpegRun(7);
        assertEquals(LiveStreams.State.WAITING, live.state("live", "cam").orElseThrow());
        ffmpegRun(3);
        assertTrue(served().contains("#EXT-X-DISCONTINUITY\n"), served());
        assertEquals(LiveStreams.State.WAITING, live.state("live", "cam").orElseThrow());
        clock.advance(Duration.ofSeconds(59));
        live.tick();
        assertFalse(served().contains("#EXT-X-ENDLIST"));
        clock.advance(Duration.ofSeconds(2));
        live.tick();
        assertTrue(served().endsWith("#EXT-X-ENDLIST\n"), served());
    }

    @Test
    void anOlderPlaylistArrivingLateChangesNothing() throws Exception {
        put("playlist0.ts", "0");
        put("playlist1.ts", "1");
        String older = encoder("playlist", 0, 0, false, null);
        live.receivePlaylist("live", "cam", "playlist.m3u8", encoder("playlist", 0, 1, true, null), "live/cam");
        assertEquals(LiveStreams.State.WAITING, live.state("live", "cam").orElseThrow());
        live.receivePlaylist("live", "cam", "playlist.m3u8", older, "live/cam");
        assertEquals(LiveStreams.State.WAITING, live.state("live", "cam").orElseThrow(), "not a resume");
        assertFalse(served().contains("#EXT-X-DISCONTINUITY\n"));
    }

    @Test
    void programDateTimeNeverGoesBackAcrossAReconnect() throws Exception {
        ffmpegRun(3);
        ffmpegRun(3); // the clock did not move: the wall clock is behind the end of the last segment
        List<String> times = served().lines().filter(l -> l.startsWith("#EXT-X-PROGRAM-DATE-TIME:")).toList();
        for (int i = 1; i < times.size(); i++) {
            assertTrue(times.get(i).compareTo(times.get(i - 1)) > 0, times.toString());
        }
    }

    @Test
    void theLastSegmentArrivingAfterTheEndlistStillJoinsTheEndedPlaylist() throws Exception {
        dvr = new DvrSettings(4, Duration.ofSeconds(600), false);
        put("playlist0.ts", "0");
        live.receivePlaylist("live", "cam", "playlist.m3u8", encoder("playlist", 0, 1, true, null), "live/cam");
        assertEquals(LiveStreams.State.ENDED, live.state("live", "cam").orElseThrow());
        put("playlist1.ts", "1");
        String p = served();
        assertEquals(2, uris(p).size(), p);
        assertTrue(p.endsWith("#EXT-X-ENDLIST\n"));
    }

    @Test
    void theRenditionsOfAStreamAreBounded() throws Exception {
        for (int i = 0; i < LiveStreams.MAX_RENDITIONS; i++) {
            live.receivePlaylist("live", "cam", "r" + i + ".m3u8", encoder("r" + i + "_", 0, 0, false, null), "live/cam");
        }
        assertEquals(400, assertThrows(IngestRefused.class, () -> live.receivePlaylist("live", "cam", "one-more.m3u8",
                encoder("x", 0, 0, false, null), "live/cam")).status());
        live.receivePlaylist("live", "cam", "r0.m3u8", encoder("r0_", 0, 1, false, null), "live/cam"); // a known one still updates
    }

    @Test
    void anAlternativeAudioRenditionIsAnExtXMediaOfUshersMasterAndItsVariantsKeepTheirGroup() throws Exception {
        live.receivePlaylist("live", "cam", "master.m3u8", "#EXTM3U\n#EXT-X-VERSION:3\n"
                + "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"group_aud\",NAME=\"audio_2\",DEFAULT=YES,LANGUAGE=\"en\",URI=\"stream_audio.m3u8\"\n"
                + "#EXT-X-STREAM-INF:BANDWIDTH=620400,RESOLUTION=320x180,CODECS=\"avc1.42c014,mp4a.40.2\",AUDIO=\"group_aud\"\n"
                + "stream_0.m3u8\n", "live/cam");
        for (String r : List.of("stream_0", "stream_audio")) {
            put(r + "0.ts", r);
            live.receivePlaylist("live", "cam", r + ".m3u8", encoder(r, 0, 0, false, null), "live/cam");
        }
        String master = entry();
        assertEquals("#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-INDEPENDENT-SEGMENTS\n"
                + "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"group_aud\",NAME=\"audio_2\",LANGUAGE=\"en\",DEFAULT=YES,URI=\"r-stream_audio.m3u8\"\n"
                + "#EXT-X-STREAM-INF:BANDWIDTH=620400,RESOLUTION=320x180,CODECS=\"avc1.42c014,mp4a.40.2\",AUDIO=\"group_aud\"\n"
                + "r-stream_0.m3u8\n", master);
        assertTrue(Files.exists(dir.resolve("live/cam/r-stream_audio.m3u8")));
    }

    @Test
    void anAlternativeRenditionOutsideTheStreamRefusesTheMaster() {
        for (String uri : List.of("../other/audio.m3u8", "http://evil.example/a.m3u8", "/etc/passwd")) {
            IngestRefused e = assertThrows(IngestRefused.class, () -> live.receivePlaylist("live", "cam", "master.m3u8",
                    "#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"a\",NAME=\"a\",URI=\"" + uri + "\"\n"
                            + "#EXT-X-STREAM-INF:BANDWIDTH=1,AUDIO=\"a\"\nv.m3u8\n", "live/cam"));
            assertEquals(400, e.status());
            assertTrue(e.getMessage().contains("reference outside the stream"), e.getMessage());
        }
    }
}
