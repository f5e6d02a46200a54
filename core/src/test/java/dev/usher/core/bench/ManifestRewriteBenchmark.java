package dev.usher.core.bench;

import dev.usher.core.credential.PlaybackCredentials;
import dev.usher.core.manifest.ChildQuery;
import dev.usher.core.manifest.DashManifestRewriter;
import dev.usher.core.manifest.HlsPlaylistRewriter;
import dev.usher.core.net.IpNetwork;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Rewriting cost per manifest, with a real credential as the child query (about 110 characters).
 * Run: {@code mvn -B -ntp -pl core -Pbench test-compile exec:exec -Dbench=ManifestRewriteBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class ManifestRewriteBenchmark {

    private static final URI HLS_URL = URI.create("https://media.example.com/live/mystream/index.m3u8");
    private static final URI MPD_URL = URI.create("https://media.example.com/vod/mystream/manifest.mpd");

    private byte[] mediaPlaylist;
    private byte[] mpd;
    private byte[] segmentListMpd;
    private ChildQuery query;

    @Setup
    public void setUp() {
        PlaybackCredentials credentials = PlaybackCredentials.of("k1", PlaybackCredentials.newSecret());
        query = new ChildQuery(PlaybackCredentials.PARAMETER, credentials.sign("mystream.53ffc996dd39d5.39102367",
                "live", "mystream", IpNetwork.parse("203.0.113.7"), Instant.now().plusSeconds(3600)));
        mediaPlaylist = mediaPlaylist(1000).getBytes(StandardCharsets.UTF_8);
        mpd = mpd().getBytes(StandardCharsets.UTF_8);
        segmentListMpd = segmentListMpd(1000).getBytes(StandardCharsets.UTF_8);
    }

    /** An ffmpeg-style fMP4 VOD playlist of {@code segments} segments, AES-128 key and init map. */
    static String mediaPlaylist(int segments) {
        StringBuilder out = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n"
                + "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n"
                + "#EXT-X-KEY:METHOD=AES-128,URI=\"key.bin\",IV=0x9c7db8778570d05c3177c349fd9236aa\n"
                + "#EXT-X-MAP:URI=\"init.mp4\"\n");
        for (int i = 0; i < segments; i++) {
            out.append("#EXTINF:2.000000,\nsegment_").append(String.format("%05d", i)).append(".m4s\n");
        }
        return out.append("#EXT-X-ENDLIST\n").toString();
    }

    /** ffmpeg's -use_template 1 -use_timeline 0 output for four video and two audio representations. */
    static String mpd() {
        StringBuilder out = new StringBuilder("""
                <?xml version="1.0" encoding="utf-8"?>
                <MPD xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                	xmlns="urn:mpeg:dash:schema:mpd:2011"
                	xmlns:xlink="http://www.w3.org/1999/xlink"
                	xsi:schemaLocation="urn:mpeg:DASH:schema:MPD:2011 http://standards.iso.org/ittf/PubliclyAvailableStandards/MPEG-DASH_schema_files/DASH-MPD.xsd"
                	profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="PT2H0.0S"
                	maxSegmentDuration="PT2.0S" minBufferTime="PT4.0S">
                	<ProgramInformation>
                	</ProgramInformation>
                	<Period id="0" start="PT0.0S">
                """);
        for (int set = 0; set < 2; set++) {
            out.append("\t\t<AdaptationSet id=\"").append(set).append("\" contentType=\"").append(set == 0 ? "video" : "audio")
                    .append("\" startWithSAP=\"1\" segmentAlignment=\"true\" bitstreamSwitching=\"true\">\n");
            for (int rep = 0; rep < (set == 0 ? 4 : 2); rep++) {
                out.append("\t\t\t<Representation id=\"").append(set * 10 + rep)
                        .append("\" mimeType=\"video/mp4\" codecs=\"avc1.4d400c\" bandwidth=\"35922\" width=\"320\" height=\"180\">\n")
                        .append("\t\t\t\t<SegmentTemplate timescale=\"1000000\" duration=\"2000000\" ")
                        .append("initialization=\"init-$RepresentationID$.m4s\" media=\"chunk-$RepresentationID$-$Number%05d$.m4s\" startNumber=\"1\">\n")
                        .append("\t\t\t\t</SegmentTemplate>\n\t\t\t</Representation>\n");
            }
            out.append("\t\t</AdaptationSet>\n");
        }
        return out.append("\t</Period>\n</MPD>\n").toString();
    }

    /** A static MPD whose one Representation lists {@code segments} SegmentURLs (issue 17's 1,000-entry case). */
    static String segmentListMpd(int segments) {
        StringBuilder out = new StringBuilder("""
                <?xml version="1.0" encoding="utf-8"?>
                <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011"
                	type="static" mediaPresentationDuration="PT2000S" minBufferTime="PT4S">
                	<Period id="0">
                		<AdaptationSet contentType="video" mimeType="video/mp4">
                			<Representation id="v0" codecs="avc1.4d400c" bandwidth="800000" width="640" height="360">
                				<SegmentList timescale="1000" duration="2000">
                					<Initialization sourceURL="init.mp4"/>
                """);
        for (int i = 0; i < segments; i++) {
            out.append("\t\t\t\t\t<SegmentURL media=\"segment_").append(String.format("%05d", i)).append(".m4s\"/>\n");
        }
        return out.append("\t\t\t\t</SegmentList>\n\t\t\t</Representation>\n\t\t</AdaptationSet>\n\t</Period>\n</MPD>\n").toString();
    }

    @Benchmark
    public byte[] dashSegmentList1000Entries() {
        return DashManifestRewriter.DEFAULT.rewrite(segmentListMpd, MPD_URL, query);
    }

    @Benchmark
    public byte[] hlsMediaPlaylist1000Segments() {
        return HlsPlaylistRewriter.DEFAULT.rewrite(mediaPlaylist, HLS_URL, query);
    }

    @Benchmark
    public byte[] dashTemplateMpd() {
        return DashManifestRewriter.DEFAULT.rewrite(mpd, MPD_URL, query);
    }
}
