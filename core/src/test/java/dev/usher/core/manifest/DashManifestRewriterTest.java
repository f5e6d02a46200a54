package dev.usher.core.manifest;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.usher.core.manifest.Fixtures.UC;
import static dev.usher.core.manifest.Fixtures.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DashManifestRewriterTest {

    static final URI MPD = URI.create("https://media.example.com/vod/mystream/manifest.mpd?key=K&pass=P");
    static final String Q = "uc=" + UC.value();
    final DashManifestRewriter rewriter = new DashManifestRewriter();

    String rewrite(String mpd) {
        return rewrite(mpd, MPD);
    }

    String rewrite(String mpd, URI url) {
        return new String(rewriter.rewrite(mpd.getBytes(StandardCharsets.UTF_8), url, UC), StandardCharsets.UTF_8);
    }

    static String mpd(String body) {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\">\n"
                + body + "\n</MPD>\n";
    }

    static List<String> attributes(String xml, String name) {
        List<String> values = new ArrayList<>();
        Matcher m = Pattern.compile("\\s" + name + "=\"([^\"]*)\"").matcher(xml);
        while (m.find()) {
            values.add(m.group(1));
        }
        return values;
    }

    @Test
    void ffmpegTemplateMpd() {
        byte[] in = bytes("ffmpeg-dash-template.mpd");
        String out = new String(rewriter.rewrite(in, MPD, UC), StandardCharsets.UTF_8);
        assertEquals(List.of("init-$RepresentationID$.m4s?" + Q, "init-$RepresentationID$.m4s?" + Q),
                attributes(out, "initialization"));
        assertEquals(List.of("chunk-$RepresentationID$-$Number%03d$.m4s?" + Q, "chunk-$RepresentationID$-$Number%03d$.m4s?" + Q),
                attributes(out, "media"));
        assertTrue(out.startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), out);
        // Everything else survives: namespaces, the xsi attribute, other attributes, the structure.
        assertTrue(out.contains("xmlns=\"urn:mpeg:dash:schema:mpd:2011\""), out);
        assertTrue(out.contains("xmlns:xlink=\"http://www.w3.org/1999/xlink\""), out);
        assertTrue(out.contains("xsi:schemaLocation=\"urn:mpeg:DASH:schema:MPD:2011 http"), out);
        assertTrue(out.contains("mediaPresentationDuration=\"PT6.0S\""), out);
        assertTrue(out.contains("<AudioChannelConfiguration schemeIdUri=\"urn:mpeg:dash:23003:3:audio_channel_configuration:2011\" value=\"1\"/>"), out);
        assertEquals(new String(in, StandardCharsets.UTF_8).replaceAll("\\s+", "").replace("/>", ">").length(),
                out.replace("?" + Q, "").replace("encoding=\"UTF-8\"", "encoding=\"utf-8\"").replaceAll("\\s+", "")
                        .replaceAll("<AudioChannelConfiguration([^>]*)/>", "<AudioChannelConfiguration$1>").length());
    }

    @Test
    void ampersandsAreEscapedAndExistingQueriesKept() {
        String out = rewrite(mpd("""
                <Period><AdaptationSet><Representation id="v" bandwidth="1">
                <SegmentTemplate media="seg-$Number$.m4s?a=1&amp;b=2" initialization="init.m4s?x=1&amp;uc=stale"
                    index="idx.sidx" startNumber="1" duration="2"/>
                </Representation></AdaptationSet></Period>"""));
        assertTrue(out.contains("media=\"seg-$Number$.m4s?a=1&amp;b=2&amp;" + Q + "\""), out);
        assertTrue(out.contains("initialization=\"init.m4s?x=1&amp;" + Q + "\""), out);
        assertTrue(out.contains("index=\"idx.sidx?" + Q + "\""), out);
        assertFalse(out.contains("stale"));
        assertFalse(out.matches("(?s).*&(?!amp;|lt;|gt;|quot;|apos;).*"), "every & escaped: " + out);
    }

    @Test
    void segmentListAndSegmentBase() {
        String out = rewrite(mpd("""
                <Period>
                  <AdaptationSet mimeType="video/mp4">
                    <Representation id="list" bandwidth="1">
                      <SegmentList duration="10">
                        <Initialization sourceURL="list/init.mp4"/>
                        <RepresentationIndex sourceURL="list/index.sidx"/>
                        <SegmentURL media="list/s1.mp4" index="list/s1.sidx"/>
                        <SegmentURL media="https://media.example.com/vod/mystream/list/s2.mp4"/>
                        <SegmentURL media="https://cdn.example.net/list/s3.mp4"/>
                        <SegmentURL mediaRange="0-999"/>
                      </SegmentList>
                    </Representation>
                    <Representation id="base" bandwidth="2">
                      <BaseURL>file-base.mp4</BaseURL>
                      <SegmentBase indexRange="800-1200"><Initialization range="0-799"/></SegmentBase>
                    </Representation>
                  </AdaptationSet>
                </Period>"""));
        assertTrue(out.contains("<Initialization sourceURL=\"list/init.mp4?" + Q + "\"/>"), out);
        assertTrue(out.contains("<RepresentationIndex sourceURL=\"list/index.sidx?" + Q + "\"/>"), out);
        assertTrue(out.contains("<SegmentURL media=\"list/s1.mp4?" + Q + "\" index=\"list/s1.sidx?" + Q + "\"/>"), out);
        assertTrue(out.contains("media=\"https://media.example.com/vod/mystream/list/s2.mp4?" + Q + "\""), out);
        assertTrue(out.contains("<SegmentURL media=\"https://cdn.example.net/list/s3.mp4\"/>"), out);
        assertTrue(out.contains("<SegmentURL mediaRange=\"0-999\"/>"), out);
        // Single-file representation: the BaseURL is the media URL and carries the credential.
        assertTrue(out.contains("<BaseURL>file-base.mp4?" + Q + "</BaseURL>"), out);
        assertTrue(out.contains("<Initialization range=\"0-799\"/>"), out);
    }

    @Test
    void baseUrlOnlyMpdWithoutSegmentInformation() {
        String out = rewrite(mpd("""
                <Period><AdaptationSet mimeType="audio/mp4">
                  <Representation id="a" bandwidth="64000"><BaseURL> audio.mp4 </BaseURL></Representation>
                </AdaptationSet></Period>"""));
        assertTrue(out.contains("<BaseURL> audio.mp4?" + Q + " </BaseURL>"), out);
    }

    @Test
    void directoryBaseUrlsStayAndTemplatesCarryTheCredential() {
        String out = rewrite(mpd("""
                <BaseURL>https://media.example.com/vod/mystream/</BaseURL>
                <Period>
                  <BaseURL>dash/</BaseURL>
                  <AdaptationSet>
                    <SegmentTemplate media="$RepresentationID$/chunk-$Number%05d$.m4s" initialization="$RepresentationID$/init.m4s"/>
                    <Representation id="v0" bandwidth="1"><BaseURL>v0/</BaseURL></Representation>
                    <Representation id="v1" bandwidth="1"/>
                  </AdaptationSet>
                </Period>"""));
        assertTrue(out.contains("<BaseURL>https://media.example.com/vod/mystream/</BaseURL>"), out);
        assertTrue(out.contains("<BaseURL>dash/</BaseURL>"), out);
        assertTrue(out.contains("<BaseURL>v0/</BaseURL>"), out);
        assertTrue(out.contains("media=\"$RepresentationID$/chunk-$Number%05d$.m4s?" + Q + "\""), out);
        assertTrue(out.contains("initialization=\"$RepresentationID$/init.m4s?" + Q + "\""), out);
    }

    @Test
    void templatesBelowAForeignBaseUrlAreLeftAlone() {
        String out = rewrite(mpd("""
                <Period>
                  <AdaptationSet id="cdn">
                    <BaseURL>https://cdn.example.net/vod/</BaseURL>
                    <SegmentTemplate media="a-$Number$.m4s" initialization="a-init.m4s"/>
                    <Representation id="1" bandwidth="1"/>
                  </AdaptationSet>
                  <AdaptationSet id="later">
                    <SegmentTemplate media="b-$Number$.m4s"/>
                    <Representation id="2" bandwidth="1"><BaseURL>https://cdn.example.net/b/</BaseURL></Representation>
                  </AdaptationSet>
                  <AdaptationSet id="mixed">
                    <BaseURL serviceLocation="us">c/</BaseURL>
                    <BaseURL serviceLocation="cdn">//cdn.example.net/c/</BaseURL>
                    <SegmentTemplate media="c-$Number$.m4s"/>
                    <Representation id="3" bandwidth="1"/>
                  </AdaptationSet>
                  <AdaptationSet id="ours">
                    <SegmentTemplate media="d-$Number$.m4s"/>
                    <Representation id="4" bandwidth="1"><BaseURL>//media.example.com/d/</BaseURL></Representation>
                    <Representation id="5" bandwidth="1"><BaseURL>/vod/d5/</BaseURL></Representation>
                  </AdaptationSet>
                  <AdaptationSet id="file-on-cdn">
                    <Representation id="6" bandwidth="1"><BaseURL>https://cdn.example.net/f.mp4</BaseURL></Representation>
                  </AdaptationSet>
                </Period>"""));
        assertTrue(out.contains("media=\"a-$Number$.m4s\""), "base on a CDN: " + out);
        assertTrue(out.contains("initialization=\"a-init.m4s\""), out);
        assertTrue(out.contains("media=\"b-$Number$.m4s\""), "a Representation's CDN base, seen after the template: " + out);
        assertTrue(out.contains("media=\"c-$Number$.m4s\""), "one alternative base is a CDN: " + out);
        assertTrue(out.contains("media=\"d-$Number$.m4s?" + Q + "\""), out);
        assertTrue(out.contains("<BaseURL>https://cdn.example.net/f.mp4</BaseURL>"), out);
    }

    @Test
    void baseUrlOfAnotherHostAboveMakesRelativeFilesForeign() {
        String out = rewrite(mpd("""
                <BaseURL>https://cdn.example.net/</BaseURL>
                <Period><AdaptationSet><Representation id="1" bandwidth="1"><BaseURL>f.mp4</BaseURL>
                </Representation></AdaptationSet></Period>"""));
        assertTrue(out.contains("<BaseURL>f.mp4</BaseURL>"), out);
    }

    @Test
    void locationOfALiveMpd() {
        String out = rewrite(mpd("""
                <Location>https://media.example.com/live/mystream/manifest.mpd</Location>
                <Period/>"""));
        assertTrue(out.contains("<Location>https://media.example.com/live/mystream/manifest.mpd?" + Q + "</Location>"), out);
    }

    @Test
    void mpdWithoutUrlsComesBackAsIs() {
        byte[] in = mpd("<Period><AdaptationSet><Representation id=\"1\" bandwidth=\"1\"/></AdaptationSet></Period>")
                .getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(in, rewriter.rewrite(in, MPD, UC));
    }

    @Test
    void commentsProcessingInstructionsAndTextSurvive() {
        String out = rewrite("<?xml version=\"1.0\"?>\n<!-- made by hand -->\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\""
                + " xmlns:cenc=\"urn:mpeg:cenc:2013\"><!-- inner --><?pi data?><ProgramInformation lang=\"fr\">"
                + "<Title>Été &lt;2&gt; &amp; co</Title></ProgramInformation><Period><AdaptationSet>"
                + "<ContentProtection schemeIdUri=\"urn:mpeg:dash:mp4protection:2011\" cenc:default_KID=\"10000000-1000-1000-1000-100000000001\"/>"
                + "<SegmentTemplate media=\"m$Number$.m4s\"/></AdaptationSet></Period></MPD>");
        assertTrue(out.contains("<!-- made by hand -->"), out);
        assertTrue(out.contains("<!-- inner -->"), out);
        assertTrue(out.contains("<?pi data?>"), out);
        assertTrue(out.contains("<Title>Été &lt;2&gt; &amp; co</Title>"), out);
        assertTrue(out.contains("xmlns:cenc=\"urn:mpeg:cenc:2013\""), out);
        assertTrue(out.contains("cenc:default_KID=\"10000000-1000-1000-1000-100000000001\""), out);
        assertTrue(out.contains("media=\"m$Number$.m4s?" + Q + "\""), out);
    }

    @Test
    void utf16InputIsWrittenAsUtf8() {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\">"
                + "<Period><AdaptationSet><SegmentTemplate media=\"é$Number$.m4s\"/></AdaptationSet></Period></MPD>";
        byte[] out = rewriter.rewrite(xml.getBytes(StandardCharsets.UTF_16), MPD, UC);
        String text = new String(out, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), text);
        assertTrue(text.contains("media=\"é$Number$.m4s?" + Q + "\""), text);
    }

    @Test
    void doctypeIsRefused() {
        String xxe = """
                <?xml version="1.0"?>
                <!DOCTYPE MPD [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
                <MPD xmlns="urn:mpeg:dash:schema:mpd:2011"><BaseURL>&xxe;</BaseURL></MPD>
                """;
        ManifestException e = assertThrows(ManifestException.class, () -> rewrite(xxe));
        assertTrue(e.getMessage().contains("DOCTYPE"), e.getMessage());
        assertFalse(e.getMessage().contains("root:"), "nothing of the file leaks");

        String laughs = """
                <?xml version="1.0"?>
                <!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
                <MPD xmlns="urn:mpeg:dash:schema:mpd:2011"><BaseURL>&lol2;</BaseURL></MPD>
                """;
        assertThrows(ManifestException.class, () -> rewrite(laughs));
        String external = "<?xml version=\"1.0\"?><!DOCTYPE MPD SYSTEM \"http://127.0.0.1:9/evil.dtd\"><MPD/>";
        assertThrows(ManifestException.class, () -> rewrite(external));
        String parameter = "<?xml version=\"1.0\"?><!DOCTYPE MPD [<!ENTITY % p SYSTEM \"http://127.0.0.1:9/p\"> %p;]><MPD/>";
        assertThrows(ManifestException.class, () -> rewrite(parameter));
    }

    @Test
    void undeclaredEntityIsRefused() {
        assertThrows(ManifestException.class,
                () -> rewrite("<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\"><BaseURL>&xxe;</BaseURL></MPD>"));
    }

    @Test
    void malformedOrForeignXmlIsRefused() {
        assertThrows(ManifestException.class, () -> rewrite("<MPD><Period></MPD>"));
        assertThrows(ManifestException.class, () -> rewrite(""));
        assertThrows(ManifestException.class, () -> rewrite("#EXTM3U\nseg.ts\n"));
        ManifestException e = assertThrows(ManifestException.class, () -> rewrite("<html><body>404</body></html>"));
        assertTrue(e.getMessage().contains("MPD"), e.getMessage());
    }

    @Test
    void sizeLimit() {
        DashManifestRewriter small = new DashManifestRewriter(100);
        byte[] big = mpd("<Period>" + "<!-- padding -->".repeat(10) + "</Period>").getBytes(StandardCharsets.UTF_8);
        assertThrows(ManifestTooLargeException.class, () -> small.rewrite(big, MPD, UC));
        assertEquals(100, small.maxBytes());
    }

    @Test
    void otherNamespacesAreNotOurs() {
        String out = rewrite("<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" xmlns:x=\"urn:example\"><Period><AdaptationSet>"
                + "<x:SegmentTemplate media=\"foreign.m4s\"/><SegmentTemplate x:media=\"ns.m4s\" media=\"ok.m4s\"/>"
                + "</AdaptationSet></Period></MPD>");
        assertTrue(out.contains("<x:SegmentTemplate media=\"foreign.m4s\"/>"), out);
        assertTrue(out.contains("x:media=\"ns.m4s\""), out);
        assertTrue(out.contains(" media=\"ok.m4s?" + Q + "\""), out);
    }

    @Test
    void withoutManifestUrlOnlyRelativeReferences() {
        String out = rewrite(mpd("""
                <Period><AdaptationSet>
                  <SegmentTemplate media="rel-$Number$.m4s" initialization="https://media.example.com/init.m4s"/>
                  <Representation id="1" bandwidth="1"/>
                </AdaptationSet></Period>"""), null);
        assertTrue(out.contains("media=\"rel-$Number$.m4s?" + Q + "\""), out);
        assertTrue(out.contains("initialization=\"https://media.example.com/init.m4s\""), out);
    }
}
