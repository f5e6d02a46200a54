package dev.usher.core.live.stream;

import dev.usher.core.live.DvrSettings;
import dev.usher.core.manifest.ChildQuery;
import dev.usher.core.manifest.DashManifestRewriter;
import dev.usher.testing.MutableClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DASH ingest in core: ffmpeg's MPD (as its dash muxer writes it) in, Usher's manifest.mpd out. */
class LiveDashTest {

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

    void put(String file) throws Exception {
        SegmentStore.Pending p = store.create("live", "cam");
        p.output().write(file.getBytes(StandardCharsets.UTF_8));
        live.receiveObject("live", "cam", file, p, "live/cam");
    }

    /** ffmpeg's dash muxer MPD with segments from..to (1 s each) of a video and an audio Representation. */
    static String encoder(int from, int to, boolean ended) {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" profiles=\"urn:mpeg:dash:profile:isoff-live:2011\" type=\""
                + (ended ? "static" : "dynamic") + "\" availabilityStartTime=\"2026-12-01T10:00:00Z\">\n"
                + " <Period id=\"0\" start=\"PT0.0S\">\n"
                + "  <AdaptationSet id=\"0\" contentType=\"video\" frameRate=\"25/1\">\n"
                + "   <Representation id=\"0\" mimeType=\"video/mp4\" codecs=\"avc1.42c00c\" bandwidth=\"165368\" width=\"320\" height=\"180\" sar=\"1:1\">\n"
                + "    <SegmentTemplate timescale=\"12800\" initialization=\"init-stream$RepresentationID$.m4s\" media=\"chunk-stream$RepresentationID$-$Number%05d$.m4s\" startNumber=\""
                + from + "\">\n     <SegmentTimeline><S t=\"" + (from - 1) * 12800 + "\" d=\"12800\" r=\"" + (to - from) + "\"/></SegmentTimeline>\n"
                + "    </SegmentTemplate>\n   </Representation>\n  </AdaptationSet>\n"
                + "  <AdaptationSet id=\"1\" contentType=\"audio\">\n"
                + "   <Representation id=\"1\" mimeType=\"audio/mp4\" codecs=\"mp4a.40.2\" bandwidth=\"64000\" audioSamplingRate=\"44100\">\n"
                + "    <AudioChannelConfiguration schemeIdUri=\"urn:mpeg:dash:23003:3:audio_channel_configuration:2011\" value=\"1\"/>\n"
                + "    <SegmentTemplate timescale=\"44100\" initialization=\"init-stream$RepresentationID$.m4s\" media=\"chunk-stream$RepresentationID$-$Number%05d$.m4s\" startNumber=\""
                + from + "\">\n     <SegmentTimeline><S t=\"" + (from - 1) * 44100 + "\" d=\"44100\" r=\"" + (to - from) + "\"/></SegmentTimeline>\n"
                + "    </SegmentTemplate>\n   </Representation>\n  </AdaptationSet>\n </Period>\n</MPD>\n";
    }

    /** One encoder step: segment i of both Representations, then the MPD (window of 4). */
    void segment(int i, boolean ended) throws Exception {
        clock.advance(Duration.ofSeconds(1));
        if (i == 1) {
            put("init-stream0.m4s");
            put("init-stream1.m4s");
        }
        put(String.format("chunk-stream0-%05d.m4s", i));
        put(String.format("chunk-stream1-%05d.m4s", i));
        live.receiveManifest("live", "cam", "manifest.mpd", encoder(Math.max(1, i - 3), i, ended), "live/cam");
    }

    String served() throws IOException {
        byte[] b = store.read("live", "cam", "manifest.mpd");
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    static List<String> all(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        List<String> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void aDynamicMpdWithAWindowOfPlaylistCountSegmentsUnderUshersNames() throws Exception {
        for (int i = 1; i <= 7; i++) {
            segment(i, false);
        }
        String mpd = served();
        assertTrue(mpd.contains("type=\"dynamic\"") && mpd.contains("availabilityStartTime=\"2026-12-01T10:00:00.000Z\""), mpd);
        assertEquals(1, all(mpd, "<Period id=\"([^\"]+)\"").size(), mpd);
        assertEquals(List.of("0", "1"), all(mpd, "<Representation id=\"([^\"]+)\""));
        assertTrue(mpd.contains("codecs=\"avc1.42c00c\"") && mpd.contains("audioSamplingRate=\"44100\"")
                && mpd.contains("<AudioChannelConfiguration"), mpd);
        // playlist_count = 4 segments per Representation, the first one's number and media time given, the rest following.
        assertEquals(8, all(mpd, "<S( )").size(), mpd);
        assertEquals(List.of("3", "3"), all(mpd, "startNumber=\"(\\d+)\""));
        assertEquals(List.of("38400", "132300"), all(mpd, "<S t=\"(\\d+)\""));
        assertEquals(List.of("0", "0"), all(mpd, "presentationTimeOffset=\"(\\d+)\""), "the Period's offset stays its first segment's");
        String session = all(mpd, "media=\"([^\"]+)-dash0-\\$Number\\$\\.m4s\"").get(0);
        try (Stream<Path> files = Files.list(dir.resolve("live/cam"))) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.contains(session + "-dash0-6.m4s") && names.contains(session + "-dash1-init0.mp4"), names.toString());
            assertTrue(names.stream().noneMatch(n -> n.startsWith("chunk-") || n.startsWith("init-")), "never the encoder's names: " + names);
        }
        assertEquals("chunk-stream0-00007.m4s\n", Files.readString(dir.resolve("live/cam/" + session + "-dash0-6.m4s")) + "\n");
        assertNull(store.read("live", "cam", "playlist.m3u8"), "a DASH stream has no HLS playlist");
    }

    @Test
    void theFiltersRewriterPutsTheChildCredentialOnEverySegmentUrl() throws Exception {
        for (int i = 1; i <= 3; i++) {
            segment(i, false);
        }
        byte[] out = DashManifestRewriter.DEFAULT.rewrite(served().getBytes(StandardCharsets.UTF_8),
                URI.create("http://127.0.0.1/media/live/cam/manifest.mpd"), new ChildQuery("uc", "abc"));
        String rewritten = new String(out, StandardCharsets.UTF_8);
        assertEquals(2, all(rewritten, "media=\"[^\"]+\\$Number\\$\\.m4s\\?uc=(abc)\"").size(), rewritten);
        assertEquals(2, all(rewritten, "initialization=\"[^\"]+\\.mp4\\?uc=(abc)\"").size(), rewritten);
    }

    /**
     * Issue 16: a live MPD names itself in a Location that the rewriter gives the credential, so
     * dash.js reloads it as the same viewer rather than with key and pass as a new one.
     */
    @Test
    void aLiveMpdIsReloadedFromItsLocationWithTheCredential() throws Exception {
        for (int i = 1; i <= 3; i++) {
            segment(i, false);
        }
        String mpd = served();
        assertTrue(mpd.indexOf("<Location>manifest.mpd</Location>") > 0
                && mpd.indexOf("<Location>") < mpd.indexOf("<Period"), mpd);
        byte[] out = DashManifestRewriter.DEFAULT.rewrite(mpd.getBytes(StandardCharsets.UTF_8),
                URI.create("http://127.0.0.1/media/live/cam/manifest.mpd?key=k&pass=p"), new ChildQuery("uc", "abc"));
        String rewritten = new String(out, StandardCharsets.UTF_8);
        assertTrue(rewritten.contains("<Location>manifest.mpd?uc=abc</Location>"), rewritten);
        assertFalse(LiveMpd.ended(mpd).contains("<Location>"), "an ended MPD is not reloaded");
    }

    @Test
    void anEncoderRestartIsANewPeriodThenTheEndIsStaticAfterTheTimeout() throws Exception {
        for (int i = 1; i <= 3; i++) {
            segment(i, i == 3);
        }
        assertEquals(LiveStreams.State.WAITING, live.state("live", "cam").orElseThrow());
        assertTrue(served().contains("type=\"dynamic\""), "with DVR it stays live after the encoder's static MPD");
        // ffmpeg starts again: init segments and numbers from 1, media time from 0.
        for (int i = 1; i <= 2; i++) {
            segment(i, false);
        }
        String mpd = served();
        assertEquals(List.of("p0", "p1"), all(mpd, "<Period id=\"([^\"]+)\""), mpd);
        assertEquals(2, all(mpd, "initialization=\"[^\"]+-dash0-(init\\d)\\.mp4\"").stream().distinct().count(), "a new init segment");
        List<String> starts = all(mpd, "<Period id=\"p\\d\" start=\"PT([0-9.]+)S\"");
        assertTrue(Double.parseDouble(starts.get(1)) >= 3.0, "the second Period starts after the first ended: " + starts);
        clock.advance(Duration.ofSeconds(10));
        live.tick(); // stalled: waits playlist_timeout
        clock.advance(Duration.ofSeconds(61));
        live.tick();
        mpd = served();
        assertTrue(mpd.contains("type=\"static\"") && mpd.contains("mediaPresentationDuration=\"PT"), mpd);
        assertFalse(mpd.contains("minimumUpdatePeriod"), mpd);
        assertFalse(mpd.contains("<Location>"), mpd);
        assertEquals("PT0.000S", all(mpd, "<Period id=\"p0\" start=\"([^\"]+)\"").get(0), "rebased to 0: " + mpd);
        double duration = Double.parseDouble(all(mpd, "mediaPresentationDuration=\"PT([0-9.]+)S\"").get(0));
        assertTrue(duration >= 4.0 && duration <= 5.0, "the 4 segments of the window (and no more than the gap between Periods): " + mpd);
    }

    @Test
    void anMpdThatReferencesFilesOutsideTheStreamIsRefusedAndChangesNothing() throws Exception {
        String good = encoder(1, 1, false);
        for (String bad : List.of(
                good.replace("media=\"chunk-stream", "media=\"../other/chunk-stream"),
                good.replace("initialization=\"init-stream", "initialization=\"/etc/init-stream"),
                good.replace("media=\"chunk-stream", "media=\"http://evil.example/chunk-stream"),
                good.replace("<Period id=\"0\" start=\"PT0.0S\">", "<Period id=\"0\"><BaseURL>http://evil.example/</BaseURL>"),
                good.replace("<Period id=\"0\" start=\"PT0.0S\">", "<Period xmlns:xlink=\"http://www.w3.org/1999/xlink\" xlink:href=\"http://evil.example/p\">"),
                "<?xml version=\"1.0\"?><!DOCTYPE MPD [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><MPD>&x;</MPD>",
                good.replace("r=\"0\"", "r=\"100000\""))) {
            IngestRefused e = assertThrows(IngestRefused.class, () -> live.receiveManifest("live", "cam", "manifest.mpd", bad, "live/cam"),
                    bad);
            assertEquals(400, e.status());
        }
        assertNull(served());
        assertFalse(Files.exists(dir.resolve("live/other")));
    }
}
