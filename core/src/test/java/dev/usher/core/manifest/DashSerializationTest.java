package dev.usher.core.manifest;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The rewritten MPD byte for byte: what the serializer writes for every kind of node (declaration,
 * prolog and epilog comments and instructions, prefixed and default namespaces, the {@code xml}
 * prefix, escaping in text and attributes, CDATA, empty elements, characters outside the BMP).
 * The expectations are the output of the JDK's StAX writer the rewriter used before it wrote its
 * bytes itself (issue 17, item 5): the serializer must not change a byte of it.
 */
class DashSerializationTest {

    static final URI MPD = URI.create("https://media.example.com/vod/manifest.mpd");
    static final ChildQuery UC = new ChildQuery("uc", "CRED");

    static String rewrite(String mpd) {
        return new String(DashManifestRewriter.DEFAULT.rewrite(mpd.getBytes(StandardCharsets.UTF_8), MPD, UC),
                StandardCharsets.UTF_8);
    }

    @Test
    void everyKindOfNodeIsWrittenAsTheStaxWriterWroteIt() {
        String in = "<?xml version=\"1.0\" encoding=\"utf-8\" standalone=\"yes\"?>\n"
                + "<!-- before -->\n<?first one?>\n<?bare?>\n"
                + "<x:MPD xmlns:x=\"urn:mpeg:dash:schema:mpd:2011\" xmlns:xml=\"http://www.w3.org/XML/1998/namespace\"\n"
                + "   xmlns:cenc='urn:mpeg:cenc:2013' xmlns:q=\"urn:a&amp;b&quot;c\" type='static' xml:lang=\"fr\">\n"
                + " <x:Period id=\"p&lt;1&gt;&amp;&quot;'\" note=\"tab&#9;nl&#10;cr&#13;sp  end\">\n"
                + "  <x:BaseURL>  <![CDATA[https://media.example.com/v/]]>  </x:BaseURL>\n"
                + "  <x:AdaptationSet q:attr=\"v\" cenc:default_KID=\"1\">\n"
                + "   <cenc:pssh>AAAA&gt;]]&gt;</cenc:pssh>\n"
                + "   <x:SegmentTemplate media=\"s&amp;$Number$.m4s?a=1&amp;uc=old#f\" initialization=\"i&quot;.mp4\"/>\n"
                + "   <x:Representation id=\"é😀\" bandwidth=\"1\"><Other xmlns=\"urn:other\">text 😀 &lt;b&gt;</Other>"
                + "<x:Empty></x:Empty><x:Empty2/></x:Representation>\n"
                + "  </x:AdaptationSet>\n"
                + "  <x:Location> https://media.example.com/live.mpd </x:Location>\n"
                + " </x:Period>\n"
                + "</x:MPD>\n<!-- after -->\n<?after data here?>\n";
        String out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                + "<!-- before -->\n<?first one?>\n<?bare?>\n"
                + "<x:MPD xmlns:x=\"urn:mpeg:dash:schema:mpd:2011\" xmlns:cenc=\"urn:mpeg:cenc:2013\""
                + " xmlns:q=\"urn:a&amp;b&quot;c\" type=\"static\" xml:lang=\"fr\">\n"
                + " <x:Period id=\"p&lt;1&gt;&amp;&quot;'\" note=\"tab\tnl\ncr\rsp  end\">\n"
                + "  <x:BaseURL>  https://media.example.com/v/  </x:BaseURL>\n"
                + "  <x:AdaptationSet q:attr=\"v\" cenc:default_KID=\"1\">\n"
                + "   <cenc:pssh>AAAA&gt;]]&gt;</cenc:pssh>\n"
                + "   <x:SegmentTemplate media=\"s&amp;$Number$.m4s?a=1&amp;uc=CRED#f\" initialization=\"i&quot;.mp4?uc=CRED\"/>\n"
                + "   <x:Representation id=\"é😀\" bandwidth=\"1\"><Other xmlns=\"urn:other\">text 😀 &lt;b&gt;</Other>"
                + "<x:Empty/><x:Empty2/></x:Representation>\n"
                + "  </x:AdaptationSet>\n"
                + "  <x:Location> https://media.example.com/live.mpd?uc=CRED </x:Location>\n"
                + " </x:Period>\n"
                + "</x:MPD>\n<!-- after -->\n<?after data here?>\n";
        assertEquals(out, rewrite(in));
    }

    @Test
    void withoutDeclarationNoneIsAdded() {
        String in = "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\"><Period><AdaptationSet><SegmentList>"
                + "<Initialization sourceURL=\"init.mp4\"/><SegmentURL media=\"a.m4s\" index=\"a.idx\"/>"
                + "<SegmentURL media=\"//cdn.example.net/b.m4s\"/></SegmentList></AdaptationSet></Period></MPD>";
        String out = "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\"><Period><AdaptationSet><SegmentList>"
                + "<Initialization sourceURL=\"init.mp4?uc=CRED\"/><SegmentURL media=\"a.m4s?uc=CRED\" index=\"a.idx?uc=CRED\"/>"
                + "<SegmentURL media=\"//cdn.example.net/b.m4s\"/></SegmentList></AdaptationSet></Period></MPD>\n";
        assertEquals(out, rewrite(in));
    }

    /**
     * The JDK's reader lists an XML 1.1 document's namespace declarations among its attributes as
     * well: written again they made the StAX writer refuse the MPD ("prefix cannot be null or
     * empty"), or declare a prefix twice. Each is written once.
     */
    @Test
    void anXml11MpdKeepsEachNamespaceDeclarationOnce() {
        String in = "<?xml version=\"1.1\"?><MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" xmlns:c=\"urn:c\" c:a=\"1\">"
                + "<Period><AdaptationSet><SegmentTemplate media=\"a.m4s\"/></AdaptationSet></Period></MPD>";
        String out = "<?xml version=\"1.1\" encoding=\"UTF-8\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" xmlns:c=\"urn:c\" c:a=\"1\">"
                + "<Period><AdaptationSet><SegmentTemplate media=\"a.m4s?uc=CRED\"/></AdaptationSet></Period></MPD>\n";
        assertEquals(out, rewrite(in));
    }
}
