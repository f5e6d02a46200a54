package dev.usher.core.manifest;

import dev.usher.testing.Tools;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The credential origin rule against real resolvers: every child URI the rewriters put {@code uc=} on
 * must resolve to the manifest's own origin under Node's WHATWG {@code new URL(ref, base)} (what
 * browsers, hls.js and dash.js use) and under RFC 3986 ({@link URI#resolve}, the rule ffmpeg
 * follows). The case list is the attack's ({@code /\host}, {@code \\host}, a tab before
 * {@code /\host}, {@code http://self\@host}) and its relatives (scheme-relative, userinfo, other
 * schemes, percent-encoded dots, case, default and explicit ports, control characters).
 * Node is required, as ffmpeg is for {@link RealClientRoundTripTest}.
 */
class ChildUriResolutionTest {

    static final List<String> BASES = List.of("http://self.example:8080/media/live/show/master.m3u8",
            "https://self.example/media/live/show/master.m3u8");

    static final List<String> CASES = List.of(
            "seg.ts", "/media/live/x.ts", "../x.ts", "?n=1", "x.ts?a=b#f", "v0/index.m3u8?lang=en",
            "/\\evil.example/x.ts", "\\\\evil.example/x", "\\/evil.example/x", "\t/\\evil.example/x",
            "/\t/evil.example/x", "/\\\tevil.example/x", "x\\..\\..\\x.ts",
            "http://self.example:8080\\@evil.example/x", "https://self.example\\@evil.example/x",
            "http://self.example\\@evil.example/x", "https://self.example:443\\@evil.example/x",
            "//evil.example/x", "///evil.example/x", "////evil.example/x", "//self.example:8080/x", "//self.example/x",
            "//self.example:443/x", "//SELF.EXAMPLE/x",
            "http://self.example:8080/x", "HTTP://SELF.EXAMPLE:8080/x", "http://self.example:08080/x",
            "http://self.example:80/x", "http://self.example/x", "https://self.example:443/x", "https://self.example/x",
            "https://self.example:/x", "HTTPS://Self.Example/x", "https://self.example:8443/x",
            "http://self.example.:8080/x", "https://self.example./x",
            "http://user@self.example:8080/x", "https://user:pw@self.example/x",
            "http://self.example:8080@evil.example/x", "https://self.example@evil.example/x",
            "https://self.example:443@evil.example/x", "https://self.example:@evil.example/x",
            "http://self.example:8080#@evil.example/x", "https://self.example?@evil.example/x",
            "https://self.example/@evil.example/x",
            "http://evil.example/x", "https://evil.example/x", "http:evil.example/x", "http:/evil.example/x",
            "https:evil.example/x", "https:/evil.example/x", "https:\\\\evil.example/x", "https:/\\evil.example/x",
            "https:///evil.example/x", "https:\\/evil.example/x",
            "%2e%2e/%2e%2e/x.ts", "/%2e%2e/%2E%2E/x", "%2F%2Fevil.example/x", ".%2e/x", "/%2F/evil.example/x",
            "%5C%5Cevil.example/x", "/%5Cevil.example/x",
            "data:,x", "skd://self.example/x", "blob:https://self.example/x", "javascript:alert(1)", "file:///etc/passwd",
            "ftp://self.example/x", "ws://self.example:8080/x", "wss://self.example/x",
            "evil.example:8080/x", "a:b/x", "self.example:443/x", "x:/y",
            " //evil.example/x", "//evil.example/x ", " /\\evil.example/x", "\f//evil.example/x",
            "\u000b//evil.example/x", "\u001f//evil.example/x", "x\u007f.ts", "/x\u0000/y", "\u0000//evil.example/x",
            "x\rhttp://evil.example", "\r//evil.example/x", "\n//evil.example/x",
            "http://%73elf.example:8080/x", "https://%73elf.example/x", "https://self%2eexample/x",
            "https://self.example%2F@evil.example/x", "https://self.example%40evil.example/x",
            "https://\uff53\uff45\uff4c\uff46.example/x", "https://self\u3002example/x", "https://self.example\uff0fx",
            "https://xn--self.example/x", "https://[::1]/x", "http://127.0.0.1:8080/x", "https://self.example:443:443/x",
            "https://self.example:65979/x", "https://self.example:4294967739/x", "https://self.example:+443/x",
            "https://self.example:0x1bb/x", "https://self.example;x/x", "https://self.example,evil.example/x",
            "vidéo/seg.ts", "seg 1.ts", "https://self.example/a b.ts");

    static final Pattern URI_ATTRIBUTE = Pattern.compile("URI=\"([^\"]*)\"");
    static final Pattern MEDIA_ATTRIBUTE = Pattern.compile("media=\"([^\"]*)\"");
    static final Pattern BASE_URL = Pattern.compile("<BaseURL>([^<]*)</BaseURL>");
    static final ChildQuery UC = new ChildQuery("uc", "CRED");

    static String node;

    @BeforeAll
    static void findNode() {
        node = Tools.node();
    }

    /** One reference that got the credential, with the chain of bases a player resolves it against. */
    record Credentialed(String where, List<String> chain) {
    }

    @Test
    void everyCredentialedChildResolvesToTheOwnOriginUnderWhatwgAndRfc3986() throws Exception {
        List<Credentialed> credentialed = new ArrayList<>();
        for (String base : BASES) {
            credentialed.addAll(hls(base));
            credentialed.addAll(dash(base));
        }
        List<String> origins = whatwgOrigins(credentialed);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < credentialed.size(); i++) {
            Credentialed c = credentialed.get(i);
            String self = origin(URI.create(c.chain().get(0)));
            if (!self.equals(origins.get(i))) {
                problems.add("WHATWG: " + c.where() + " " + printable(c.chain()) + " resolves to " + origins.get(i));
            }
            String rfc = rfc3986Origin(c.chain());
            if (!self.equals(rfc)) {
                problems.add("RFC 3986: " + c.where() + " " + printable(c.chain()) + " resolves to " + rfc);
            }
        }
        assertTrue(problems.isEmpty(), () -> "a credential would leave its origin:\n" + String.join("\n", problems));
        // The rule must still give the credential where it belongs, or players could not play.
        List<String> given = credentialed.stream().map(c -> c.chain().get(c.chain().size() - 1)).toList();
        for (String expected : List.of("seg.ts?uc=CRED", "../x.ts?uc=CRED", "?n=1&uc=CRED", "/media/live/x.ts?uc=CRED",
                "http://self.example:8080/x?uc=CRED", "HTTP://SELF.EXAMPLE:8080/x?uc=CRED", "https://self.example:443/x?uc=CRED",
                "//self.example/x?uc=CRED", "%2e%2e/%2e%2e/x.ts?uc=CRED")) {
            assertTrue(given.contains(expected), () -> expected + " should carry the credential: " + given);
        }
    }

    /** Each case as a URI line, an EXT-X-KEY and an EXT-X-MAP URI attribute. */
    static List<Credentialed> hls(String base) {
        StringBuilder playlist = new StringBuilder("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:2\n");
        for (String c : CASES) {
            if (c.indexOf('"') < 0) {
                playlist.append("#EXT-X-KEY:METHOD=AES-128,URI=\"").append(c).append("\"\n");
                playlist.append("#EXT-X-MAP:URI=\"").append(c).append("\",BYTERANGE=\"10@0\"\n");
            }
            playlist.append("#EXTINF:2.0,\n").append(c).append('\n');
        }
        String out = new String(HlsPlaylistRewriter.DEFAULT.rewrite(playlist.toString().getBytes(StandardCharsets.UTF_8),
                URI.create(base), UC), StandardCharsets.UTF_8);
        List<Credentialed> found = new ArrayList<>();
        for (String line : out.split("\n", -1)) {
            Matcher m = URI_ATTRIBUTE.matcher(line);
            while (m.find()) {
                if (m.group(1).contains("uc=")) {
                    found.add(new Credentialed("HLS URI attribute", List.of(base, m.group(1))));
                }
            }
            if (!line.startsWith("#") && line.contains("uc=")) {
                // A player reads a line without its ending (CR) and without surrounding blanks.
                found.add(new Credentialed("HLS URI line", List.of(base, line.strip())));
            }
        }
        return found;
    }

    /** Each case as a SegmentURL media, as a file BaseURL, and as a directory BaseURL above a template. */
    static List<Credentialed> dash(String base) {
        StringBuilder mpd = new StringBuilder("<?xml version=\"1.0\"?>\n<MPD xmlns=\"urn:mpeg:dash:schema:mpd:2011\">\n<Period>\n");
        int id = 0;
        for (String c : CASES) {
            if (!xmlChars(c)) {
                continue;
            }
            String x = xml(c);
            mpd.append("<AdaptationSet><Representation id=\"l").append(id++).append("\"><SegmentList>")
                    .append("<SegmentURL media=\"").append(x).append("\"/></SegmentList></Representation></AdaptationSet>\n");
            mpd.append("<AdaptationSet><Representation id=\"f").append(id++).append("\"><BaseURL>").append(x)
                    .append("</BaseURL></Representation></AdaptationSet>\n");
            mpd.append("<AdaptationSet><Representation id=\"d").append(id++).append("\"><BaseURL>").append(x)
                    .append("/</BaseURL><SegmentTemplate media=\"seg-$Number$.m4s\"/></Representation></AdaptationSet>\n");
        }
        mpd.append("</Period>\n</MPD>\n");
        String out = new String(DashManifestRewriter.DEFAULT.rewrite(mpd.toString().getBytes(StandardCharsets.UTF_8),
                URI.create(base), UC), StandardCharsets.UTF_8);
        List<Credentialed> found = new ArrayList<>();
        for (String line : out.split("\n")) {
            Matcher baseUrl = BASE_URL.matcher(line);
            String dir = baseUrl.find() ? unxml(baseUrl.group(1)) : null;
            Matcher media = MEDIA_ATTRIBUTE.matcher(line);
            if (media.find() && media.group(1).contains("uc=")) {
                String ref = unxml(media.group(1)).replace("$Number$", "1");
                found.add(new Credentialed("DASH media", dir == null ? List.of(base, ref) : List.of(base, dir, ref)));
            } else if (dir != null && dir.contains("uc=")) {
                found.add(new Credentialed("DASH BaseURL", List.of(base, dir.strip())));
            }
        }
        return found;
    }

    /** @return for each chain, the origin Node's WHATWG URL parser resolves it to ("ERR" when it fails) */
    static List<String> whatwgOrigins(List<Credentialed> chains) throws Exception {
        StringBuilder input = new StringBuilder();
        Base64.Encoder b64 = Base64.getEncoder();
        for (Credentialed c : chains) {
            List<String> encoded = c.chain().stream().map(s -> b64.encodeToString(s.getBytes(StandardCharsets.UTF_8))).toList();
            input.append(String.join(" ", encoded)).append('\n');
        }
        String script = """
                const lines = require('fs').readFileSync(0, 'utf8').split('\\n').filter(l => l.length > 0);
                for (const line of lines) {
                  const parts = line.split(' ').map(p => Buffer.from(p, 'base64').toString('utf8'));
                  let out;
                  try {
                    let url = new URL(parts[0]);
                    for (const ref of parts.slice(1)) url = new URL(ref, url);
                    out = url.origin;
                  } catch (e) { out = 'ERR'; }
                  console.log(out);
                }
                """;
        Path in = Files.createTempFile("usher-urls", ".txt");
        Path js = Files.createTempFile("usher-urls", ".js");
        try {
            Files.writeString(in, input);
            Files.writeString(js, script);
            Process p = new ProcessBuilder(node, js.toString()).redirectInput(in.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "node did not finish");
            assertEquals(0, p.exitValue(), out);
            List<String> origins = out.isEmpty() ? List.of() : List.of(out.split("\n"));
            assertEquals(chains.size(), origins.size(), out);
            return origins;
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(js);
        }
    }

    /** @return the origin RFC 3986 resolution gives, or a description of why it can't be resolved */
    static String rfc3986Origin(List<String> chain) {
        try {
            URI url = new URI(chain.get(0));
            for (String ref : chain.subList(1, chain.size())) {
                url = url.resolve(new URI(ref));
            }
            return origin(url);
        } catch (Exception e) {
            return "not an RFC 3986 reference (" + e.getMessage() + ")";
        }
    }

    /** @return scheme://host[:port] as Node prints an origin (default port omitted, lower case) */
    static String origin(URI url) {
        if (url.getScheme() == null || url.getHost() == null || url.getRawUserInfo() != null) {
            return "no authority or userinfo: " + url;
        }
        String scheme = url.getScheme().toLowerCase();
        int port = url.getPort();
        boolean dflt = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return scheme + "://" + url.getHost().toLowerCase() + (dflt ? "" : ":" + port);
    }

    static boolean xmlChars(String s) {
        for (char c : s.toCharArray()) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                return false; // not allowed in XML 1.0, even as a reference
            }
        }
        return true;
    }

    static String xml(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '"' -> out.append("&quot;");
                case '\t', '\n', '\r' -> out.append("&#").append((int) c).append(';');
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String unxml(String s) {
        return s.replace("&#9;", "\t").replace("&#xa;", "\n").replace("&#xd;", "\r").replace("&#10;", "\n")
                .replace("&#13;", "\r").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&amp;", "&");
    }

    static String printable(List<String> chain) {
        StringBuilder out = new StringBuilder();
        for (String s : chain) {
            out.append(" [");
            for (char c : s.toCharArray()) {
                out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", (int) c) : String.valueOf(c));
            }
            out.append(']');
        }
        return out.toString();
    }
}
