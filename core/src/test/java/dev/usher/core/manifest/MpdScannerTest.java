package dev.usher.core.manifest;

import dev.usher.core.manifest.DashManifestRewriter.Budget;
import dev.usher.core.manifest.DashManifestRewriter.Document;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The differential test of the MPD scanner (issue 17, item 5): whenever {@link MpdScanner} accepts
 * a document, StAX accepts it too and the rewrite of the scanner's tree is byte for byte the
 * rewrite of StAX's. Run over every MPD of the manifest tests (the fixtures, the text blocks of the
 * test sources, the benchmark's MPDs, the sample's) and thousands of random mutations of each:
 * broken tags, quotes, names, namespaces, references, comments, CDATA, control and non-ASCII bytes.
 */
class MpdScannerTest {

    static final URI MPD_URL = URI.create("https://media.example.com/vod/mystream/manifest.mpd");
    static final ChildQuery UC = new ChildQuery("uc", "CRED");
    static final ManifestLimits LIMITS = ManifestLimits.DEFAULT;

    static String mpd(String body) {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" type=\"static\">\n"
                + body + "\n</MPD>\n";
    }

    /** Every MPD the tests know of. */
    static List<String> corpus() throws Exception {
        List<String> corpus = new ArrayList<>();
        corpus.add(Fixtures.text("ffmpeg-dash-template.mpd"));
        Path sample = Path.of("../samples/src/main/media/demo-vod/dash/manifest.mpd");
        if (Files.exists(sample)) {
            corpus.add(Files.readString(sample));
        }
        Class<?> bench = Class.forName("dev.usher.core.bench.ManifestRewriteBenchmark");
        Method template = bench.getDeclaredMethod("mpd");
        Method list = bench.getDeclaredMethod("segmentListMpd", int.class);
        template.setAccessible(true);
        list.setAccessible(true);
        corpus.add((String) template.invoke(null));
        corpus.add((String) list.invoke(null, 40));
        // The text blocks of the manifest tests: the bodies of their MPDs, or whole ones.
        Pattern block = Pattern.compile("\"\"\"\\n(.*?)\"\"\"", Pattern.DOTALL);
        try (Stream<Path> sources = Files.list(Path.of("src/test/java/dev/usher/core/manifest"))) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = block.matcher(Files.readString(source));
                while (m.find()) {
                    String text = m.group(1).stripIndent().translateEscapes();
                    if (text.contains("<") && !text.contains("#EXTM3U")) {
                        corpus.add(text.startsWith("<?xml") || text.startsWith("<MPD") ? text : mpd(text));
                    }
                }
            }
        }
        corpus.addAll(List.of(
                "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\"><Period><AdaptationSet><SegmentList>"
                        + "<Initialization sourceURL=\"init.mp4\"/><SegmentURL media=\"a.m4s\" index=\"a.idx\"/>"
                        + "<SegmentURL media=\"//cdn.example.net/b.m4s\"/></SegmentList></AdaptationSet></Period></MPD>",
                "<?xml version='1.0' standalone='no' ?>\n<!-- a -->\n<x:MPD xmlns:x='urn:mpeg:dash:schema:mpd:2011'"
                        + " xmlns:c = \"urn:c\" c:a='1' x:b=\"2\" b='x\"y'>\n <x:Period>\n  <x:BaseURL> v/ </x:BaseURL>"
                        + "<c:Other c:m=\"a.m4s\">t > u</c:Other><!---->\n  <x:Location>https://media.example.com/l.mpd</x:Location>"
                        + "</x:Period >\n</x:MPD >\n<!-- b -->\n",
                "<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\" xmlns:a=\"urn:same\" xmlns:b=\"urn:same\" a:x=\"1\" b:y=\"2\">"
                        + "<Period xmlns=\"urn:other\"><BaseURL>f.mp4</BaseURL></Period><Period><BaseURL>g.mp4</BaseURL>"
                        + "</Period></MPD>",
                "<MPD><Period><AdaptationSet><SegmentTemplate media=\"a?x=1#f\" index=\"i#f\" initialization=\"j?uc=old\"/>"
                        + "</AdaptationSet></Period></MPD>",
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\"/>",
                "<html><body>404</body></html>"));
        return corpus;
    }

    /** @return the rewrite of {@code document} as text, or the refusal's message */
    static String rewrite(Document document, byte[] in) {
        try {
            return new String(DashManifestRewriter.rewrite(document, in, MPD_URL, UC, LIMITS, new Budget(LIMITS))
                    .toByteArray(), StandardCharsets.ISO_8859_1);
        } catch (ManifestException e) {
            return "refused: " + e.getMessage();
        }
    }

    /** @return true when the scanner took {@code in}; fails when it read it otherwise than StAX */
    static boolean agree(byte[] in) {
        Document scanned = MpdScanner.scan(in, LIMITS, new Budget(LIMITS));
        if (scanned == null) {
            return false;
        }
        Document parsed;
        try {
            parsed = DashManifestRewriter.parse(in, LIMITS, new Budget(LIMITS));
        } catch (ManifestException e) {
            fail("the scanner accepted what StAX refuses (" + e.getMessage() + "): " + new String(in, StandardCharsets.ISO_8859_1));
            return false;
        }
        assertEquals(rewrite(parsed, in), rewrite(scanned, in), () -> new String(in, StandardCharsets.ISO_8859_1));
        return true;
    }

    @Test
    void theScannerReadsEveryMpdOfTheTestsAsStaxDoes() throws Exception {
        List<String> corpus = corpus();
        assertTrue(corpus.size() >= 15, "MPDs found: " + corpus.size());
        int scanned = 0;
        for (String mpd : corpus) {
            if (agree(mpd.getBytes(StandardCharsets.UTF_8))) {
                scanned++;
            }
        }
        System.out.println(scanned + " of " + corpus.size() + " MPDs scanned");
        assertTrue(scanned > corpus.size() / 2, scanned + " of " + corpus.size() + " scanned");
    }

    @Test
    void andThousandsOfMutationsOfThem() throws Exception {
        String[] snippets = {"<", ">", "/", "\"", "'", "=", " ", "\t", "\n", "\r", "&", "&amp;", "&#9;", ":", "x:", "xmlns",
                " xmlns:a=\"u\"", " xmlns=\"\"", " a:z=\"1\"", "<!--", "-->", "--", "]]>", "<![CDATA[x]]>", "?", "<?p d?>", "<!DOCTYPE MPD>",
                "\u00e9", "\u0000", "\u007f", "a", "1", "-", ".", "xml", "MPD", "<a>", "</a>", "<b/>", "xml:", "xmlns:xml=\"u\""};
        Random random = new Random(17);
        int tried = 0;
        int scanned = 0;
        for (String mpd : corpus()) {
            byte[] original = mpd.getBytes(StandardCharsets.UTF_8);
            int mutations = original.length > 10_000 ? 30 : 800;
            for (int m = 0; m < mutations; m++) {
                byte[] in = original;
                for (int edits = 1 + random.nextInt(2); edits > 0; edits--) {
                    in = mutate(in, random, snippets);
                }
                tried++;
                if (agree(in)) {
                    scanned++;
                }
            }
        }
        System.out.println(scanned + " of " + tried + " mutations scanned");
        assertTrue(tried > 10_000, "mutations: " + tried);
        assertTrue(scanned > tried / 20, scanned + " of " + tried + " mutations scanned");
    }

    static byte[] mutate(byte[] in, Random random, String[] snippets) {
        int at = in.length == 0 ? 0 : random.nextInt(in.length);
        String s = new String(in, StandardCharsets.ISO_8859_1);
        String out = switch (random.nextInt(4)) {
            case 0 -> s.substring(0, at) + snippets[random.nextInt(snippets.length)] + s.substring(at);
            case 1 -> s.substring(0, at) + s.substring(Math.min(s.length(), at + 1 + random.nextInt(3)));
            case 2 -> s.substring(0, at) + snippets[random.nextInt(snippets.length)]
                    + s.substring(Math.min(s.length(), at + 1));
            default -> {
                int from = random.nextInt(Math.max(1, s.length()));
                String piece = s.substring(from, Math.min(s.length(), from + 1 + random.nextInt(16)));
                yield s.substring(0, at) + piece + s.substring(at);
            }
        };
        return out.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void whatTheScannerLeavesToStax() {
        for (String other : new String[] {
                "\ufeff<MPD/>", "<MPD>&amp;</MPD>", "<MPD a=\"&#9;\"/>", "<MPD><![CDATA[x]]></MPD>", "<?xml version=\"1.1\"?><MPD/>",
                "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><MPD/>", "<!DOCTYPE MPD><MPD/>", "<MPD><?pi x?></MPD>",
                "<MPD>\r\n</MPD>", "<MPD a=\"x\ny\"/>", "<MPD id=\"\u00e9\"/>", "<p:MPD/>", "<MPD a=\"1\" a=\"2\"/>",
                "<MPD xmlns:a=\"u\" xmlns:b=\"u\" a:x=\"1\" b:x=\"2\"/>", "<MPD></MPDX>", "<MPD>", "<MPD/><MPD/>", "<MPD/>x",
                "<MPD><!-- a -- b --></MPD>", "<MPD>]]></MPD>", "<MPD a=\"1\"b=\"2\"/>", " <?xml version=\"1.0\"?><MPD/>"}) {
            assertNull(MpdScanner.scan(other.getBytes(StandardCharsets.UTF_8), LIMITS, new Budget(LIMITS)), other);
        }
        // Over the element or depth limit: StAX refuses, with the limit's message.
        ManifestLimits few = new ManifestLimits(1 << 20, 1 << 20, 3, 2, ManifestLimits.DEFAULT_MAX_TIME);
        assertNull(MpdScanner.scan("<MPD><a/><b/><c/></MPD>".getBytes(StandardCharsets.UTF_8), few, new Budget(few)));
        assertNull(MpdScanner.scan("<MPD><a><b/></a></MPD>".getBytes(StandardCharsets.UTF_8), few, new Budget(few)));
        assertNotNull(MpdScanner.scan("<MPD><a/><b/></MPD>".getBytes(StandardCharsets.UTF_8), few, new Budget(few)));
    }

    @Test
    void theBenchmarksMpdsAreScanned() throws IOException {
        byte[] fixture = Fixtures.bytes("ffmpeg-dash-template.mpd");
        assertNotNull(MpdScanner.scan(fixture, LIMITS, new Budget(LIMITS)));
        assertArrayEquals(DashManifestRewriter.DEFAULT.rewrite(fixture, MPD_URL, UC),
                DashManifestRewriter.rewrite(DashManifestRewriter.parse(fixture, LIMITS, new Budget(LIMITS)), fixture, MPD_URL,
                        UC, LIMITS, new Budget(LIMITS)).toByteArray());
    }
}
