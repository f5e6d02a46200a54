package dev.usher.core.manifest;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;

import static dev.usher.core.manifest.Fixtures.MASTER;
import static dev.usher.core.manifest.Fixtures.UC;
import static dev.usher.core.manifest.Fixtures.bytes;
import static dev.usher.core.manifest.Fixtures.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HlsPlaylistRewriterTest {

    static final String Q = "uc=" + UC.value();
    final HlsPlaylistRewriter rewriter = new HlsPlaylistRewriter();

    String rewrite(String name) {
        return rewrite(bytes(name), MASTER);
    }

    String rewrite(byte[] in, URI url) {
        return new String(rewriter.rewrite(in, url, UC), StandardCharsets.UTF_8);
    }

    String rewrite(String playlist, URI url) {
        return rewrite(playlist.getBytes(StandardCharsets.UTF_8), url);
    }

    @Test
    void ffmpegMasterPlaylist() {
        assertEquals(text("ffmpeg-ts-master.m3u8")
                        .replace("v0/index.m3u8", "v0/index.m3u8?" + Q)
                        .replace("v1/index.m3u8", "v1/index.m3u8?" + Q),
                rewrite("ffmpeg-ts-master.m3u8"));
    }

    @Test
    void ffmpegMediaPlaylist() {
        assertEquals("""
                #EXTM3U
                #EXT-X-VERSION:3
                #EXT-X-TARGETDURATION:2
                #EXT-X-MEDIA-SEQUENCE:0
                #EXT-X-PLAYLIST-TYPE:VOD
                #EXTINF:2.000000,
                seg_000.ts?%1$s
                #EXTINF:2.000000,
                seg_001.ts?%1$s
                #EXTINF:2.000000,
                seg_002.ts?%1$s
                #EXT-X-ENDLIST
                """.formatted(Q), rewrite("ffmpeg-ts-media.m3u8"));
    }

    @Test
    void ffmpegFmp4PlaylistWithMap() {
        String out = rewrite("ffmpeg-fmp4-media.m3u8");
        assertTrue(out.contains("#EXT-X-MAP:URI=\"init.mp4?" + Q + "\"\n"), out);
        assertTrue(out.contains("\nindex0.m4s?" + Q + "\n"), out);
        assertTrue(out.contains("\nindex2.m4s?" + Q + "\n"), out);
        assertEquals(text("ffmpeg-fmp4-media.m3u8"), out.replace("?" + Q, ""));
    }

    @Test
    void masterWithRenditionsKeysAndForeignHosts() {
        String out = rewrite("master-renditions.m3u8");
        String in = text("master-renditions.m3u8");
        String expected = in
                .replace("URI=\"meta/title.json\"", "URI=\"meta/title.json?" + Q + "\"")
                .replace("URI=\"audio/en/index.m3u8\"", "URI=\"audio/en/index.m3u8?" + Q + "\"")
                .replace("URI=\"audio/fr/index.m3u8?lang=fr\"", "URI=\"audio/fr/index.m3u8?lang=fr&" + Q + "\"")
                .replace("\nv540/prog_index.m3u8\n", "\nv540/prog_index.m3u8?" + Q + "\n")
                // Same origin, absolute: gets it, before the fragment.
                .replace("v1080/prog_index.m3u8#start", "v1080/prog_index.m3u8?" + Q + "#start")
                .replace("URI=\"v540/iframe_index.m3u8\"", "URI=\"v540/iframe_index.m3u8?" + Q + "\"")
                .replace("URI=\"/media/live/mystream/v234/iframe.m3u8\"",
                        "URI=\"/media/live/mystream/v234/iframe.m3u8?" + Q + "\"");
        assertEquals(expected, out);
        // Untouched: skd: key, another host's subtitles, a network-path reference to another host,
        // the non-ASCII NAME (bytes preserved).
        assertTrue(out.contains("URI=\"skd://key-server/asset-1\""));
        assertTrue(out.contains("URI=\"https://cdn.example.net/subs/en.m3u8\""));
        assertTrue(out.contains("\n//other.example.org/v234/prog_index.m3u8\n"));
        assertTrue(out.contains("NAME=\"Français, stéréo\""));
    }

    @Test
    void crlfKeysQueriesAndWhitespaceArePreserved() {
        byte[] in = bytes("aes-crlf.m3u8");
        String out = rewrite(in, MASTER);
        String expected = new String(in, StandardCharsets.UTF_8)
                .replace("URI=\"key.php?r=52&t=1\"", "URI=\"key.php?r=52&t=1&" + Q + "\"")
                .replace("\r\nseg1.ts\r\n", "\r\nseg1.ts?" + Q + "\r\n")
                // A stale credential is replaced; the spaces around the URI line stay.
                .replace("  seg2.ts?quality=hi&uc=stale  \r\n", "  seg2.ts?quality=hi&" + Q + "  \r\n")
                .replace("\r\nall.ts\r\n", "\r\nall.ts?" + Q + "\r\n");
        assertEquals(expected, out);
        assertTrue(out.contains("URI=\"data:text/plain;base64,AAECAwQFBgcICQoLDA0ODw==\""), "data: untouched");
        assertTrue(out.contains("\r\n# a comment with seg.ts in it\r\n\r\n#EXT-X-ENDLIST\r\n"));
        assertFalse(out.replace("\r\n", "").contains("\n"), "no bare LF introduced");
    }

    @Test
    void lowLatencyTags() {
        String out = rewrite("ll-hls.m3u8");
        String expected = text("ll-hls.m3u8")
                .replace("URI=\"init.mp4\",BYTERANGE", "URI=\"init.mp4?" + Q + "\",BYTERANGE")
                .replace("\nfileSequence266.mp4\n", "\nfileSequence266.mp4?" + Q + "\n")
                .replace("\nfileSequence267.mp4\n", "\nfileSequence267.mp4?" + Q + "\n")
                .replace("\nfileSequence268.mp4\n", "\nfileSequence268.mp4?" + Q + "\n")
                .replace("URI=\"filePart268.0.mp4\"", "URI=\"filePart268.0.mp4?" + Q + "\"")
                .replace("URI=\"filePart268.1.mp4\"", "URI=\"filePart268.1.mp4?" + Q + "\"")
                .replace("URI=\"fileSequence268.mp4\"", "URI=\"fileSequence268.mp4?" + Q + "\"")
                .replace("URI=\"filePart269.0.mp4\"", "URI=\"filePart269.0.mp4?" + Q + "\"")
                .replace("URI=\"filePart269.1.mp4\"", "URI=\"filePart269.1.mp4?" + Q + "\"")
                .replace("URI=\"../1M/waitForMSN.php\"", "URI=\"../1M/waitForMSN.php?" + Q + "\"")
                .replace("URI=\"../4M/waitForMSN.php?x=1\"", "URI=\"../4M/waitForMSN.php?x=1&" + Q + "\"");
        assertEquals(expected, out);
        assertTrue(out.contains("SERVER-URI=\"/steering?video=00012\""), "not in the tag list");
        assertTrue(out.contains("X-ASSET-URI=\"ads/a.m3u8\""), "not in the tag list");
    }

    @Test
    void originRule() {
        String playlist = """
                #EXTM3U
                #EXTINF:1,
                HTTPS://MEDIA.EXAMPLE.COM:443/live/a.ts
                #EXTINF:1,
                http://media.example.com/live/b.ts
                #EXTINF:1,
                https://media.example.com:8443/live/c.ts
                #EXTINF:1,
                https://media.example.com.evil.net/d.ts
                #EXTINF:1,
                https://user@media.example.com/e.ts
                #EXTINF:1,
                //media.example.com/f.ts
                #EXTINF:1,
                blob:https://media.example.com/g
                #EXTINF:1,
                ../../h.ts
                """;
        String out = rewrite(playlist, MASTER);
        assertTrue(out.contains("HTTPS://MEDIA.EXAMPLE.COM:443/live/a.ts?" + Q), out);
        assertTrue(out.contains("\nhttp://media.example.com/live/b.ts\n"), "other scheme");
        assertTrue(out.contains("\nhttps://media.example.com:8443/live/c.ts\n"), "other port");
        assertTrue(out.contains("\nhttps://media.example.com.evil.net/d.ts\n"), "other host");
        assertTrue(out.contains("\nhttps://user@media.example.com/e.ts\n"), "userinfo");
        assertTrue(out.contains("\n//media.example.com/f.ts?" + Q + "\n"), "network path, same host");
        assertTrue(out.contains("\nblob:https://media.example.com/g\n"));
        assertTrue(out.contains("\n../../h.ts?" + Q + "\n"));

        String noUrl = rewrite(playlist, null);
        assertTrue(noUrl.contains("\nHTTPS://MEDIA.EXAMPLE.COM:443/live/a.ts\n"), "without a URL, absolute is foreign");
        assertTrue(noUrl.contains("\n//media.example.com/f.ts\n"));
        assertTrue(noUrl.contains("\n../../h.ts?" + Q + "\n"));
    }

    @Test
    void tagNamesMustMatchExactly() {
        String playlist = "#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-MAPX:URI=\"x.mp4\"\n#EXT-X-MAP:BYTERANGE=\"1@0\",URI=\"y.mp4\"\n";
        String out = rewrite(playlist, MASTER);
        assertEquals("#EXTM3U\n#EXT-X-MEDIA-SEQUENCE:1\n#EXT-X-MAPX:URI=\"x.mp4\"\n#EXT-X-MAP:BYTERANGE=\"1@0\",URI=\"y.mp4?" + Q + "\"\n", out);
    }

    @Test
    void bomAndNoFinalNewlineAndUnterminatedQuotes() {
        byte[] bom = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};
        byte[] body = "#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"k.bin\n#EXTINF:1,\nlast.ts".getBytes(StandardCharsets.UTF_8);
        byte[] in = new byte[bom.length + body.length];
        System.arraycopy(bom, 0, in, 0, 3);
        System.arraycopy(body, 0, in, 3, body.length);
        byte[] out = rewriter.rewrite(in, MASTER, UC);
        assertEquals("\ufeff#EXTM3U\n#EXT-X-KEY:METHOD=AES-128,URI=\"k.bin\n#EXTINF:1,\nlast.ts?" + Q,
                new String(out, StandardCharsets.UTF_8));
    }

    @Test
    void unchangedPlaylistComesBackAsIs() {
        byte[] in = "#EXTM3U\n#EXT-X-ENDLIST\n".getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(in, rewriter.rewrite(in, MASTER, UC));
    }

    @Test
    void notAPlaylistIsRefused() {
        ManifestException e = assertThrows(ManifestException.class,
                () -> rewriter.rewrite("<html>404</html>\n".getBytes(StandardCharsets.UTF_8), MASTER, UC));
        assertTrue(e.getMessage().contains("EXTM3U"));
        assertThrows(ManifestException.class, () -> rewriter.rewrite(new byte[0], MASTER, UC));
    }

    @Test
    void sizeLimit() throws Exception {
        HlsPlaylistRewriter small = new HlsPlaylistRewriter(64);
        byte[] big = ("#EXTM3U\n" + "#EXTINF:1,\nseg.ts\n".repeat(10)).getBytes(StandardCharsets.UTF_8);
        ManifestTooLargeException e = assertThrows(ManifestTooLargeException.class, () -> small.rewrite(big, MASTER, UC));
        assertEquals(64, e.limit());
        assertTrue(e.getMessage().contains("64"));
        assertThrows(ManifestTooLargeException.class, () -> small.rewrite(new ByteArrayInputStream(big), MASTER, UC));
        // A stream that never ends is cut off after the limit.
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return '#';
            }
        };
        assertThrows(ManifestTooLargeException.class, () -> small.rewrite(endless, MASTER, UC));
        byte[] fits = "#EXTM3U\nseg.ts\n".getBytes(StandardCharsets.UTF_8);
        assertEquals("#EXTM3U\nseg.ts?" + Q + "\n",
                new String(small.rewrite(new ByteArrayInputStream(fits), MASTER, UC), StandardCharsets.UTF_8));
        assertEquals(ManifestRewriter.DEFAULT_MAX_BYTES, rewriter.maxBytes());
    }

    /**
     * The rewriter decides most URIs on their bytes, without a String (issue 17, item 5): a random
     * reference it takes for plain must be one the origin rule gives the credential, by appending
     * {@code ?uc=…} alone; and a playlist of random references is rewritten line by line exactly as
     * {@link ChildUris#staysAt} and {@link ChildUris#withQuery} say, whichever path each line takes.
     */
    @Test
    void theByteLevelDecisionAgreesWithTheOriginRule() {
        String alphabet = "a/:?#.%@[]\\ \t\u007f\u0000\u00e9hpst0=&";
        java.util.Random random = new java.util.Random(17);
        URI url = URI.create("https://media.example.com/live/show/index.m3u8");
        String self = ChildUris.originOf(url);
        StringBuilder playlist = new StringBuilder("#EXTM3U\n");
        StringBuilder expected = new StringBuilder("#EXTM3U\n");
        int plain = 0;
        for (int n = 0; n < 20_000; n++) {
            StringBuilder b = new StringBuilder(n % 3 == 0 ? "//" : n % 3 == 1 ? "https://media.example.com/" : "");
            for (int len = random.nextInt(8); len > 0; len--) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String reference = b.toString();
            byte[] bytes = reference.getBytes(StandardCharsets.ISO_8859_1);
            if (HlsPlaylistRewriter.isPlainRelative(bytes, 0, bytes.length)) {
                plain++;
                assertTrue(ChildUris.staysAt(reference, self, self), reference);
                assertTrue(ChildUris.staysAt(reference, ChildUris.UNKNOWN_SELF, ChildUris.UNKNOWN_SELF), reference);
                assertEquals(reference + "?" + Q, ChildUris.withQuery(reference, UC), reference);
            }
            String line = reference.strip();
            if (line.isEmpty() || line.startsWith("#") || line.length() != reference.length()) {
                continue; // blank, a comment, or blanks around it: not a URI line as written
            }
            playlist.append(reference).append('\n');
            expected.append(ChildUris.staysAt(reference, self, self) ? ChildUris.withQuery(reference, UC) : reference)
                    .append('\n');
        }
        assertTrue(plain > 1000, "plain references tried: " + plain);
        assertEquals(expected.toString(), new String(rewriter.rewrite(playlist.toString()
                .getBytes(StandardCharsets.ISO_8859_1), url, UC), StandardCharsets.ISO_8859_1));
    }

    @Test
    void forPath() {
        assertSame(HlsPlaylistRewriter.DEFAULT, ManifestRewriter.forPath("live/mystream/playlist.m3u8").orElseThrow());
        assertSame(HlsPlaylistRewriter.DEFAULT, ManifestRewriter.forPath("X.M3U").orElseThrow());
        assertSame(DashManifestRewriter.DEFAULT, ManifestRewriter.forPath("a/manifest.mpd").orElseThrow());
        assertTrue(ManifestRewriter.forPath("a/seg.ts").isEmpty());
        assertTrue(ManifestRewriter.forPath(null).isEmpty());
    }
}
