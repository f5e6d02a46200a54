package dev.usher.core.manifest;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChildUrisTest {

    static final ChildQuery Q = new ChildQuery("uc", "T.k");

    @Test
    void appendsKeepingQueryAndFragment() {
        assertEquals("a.ts?uc=T.k", ChildUris.withQuery("a.ts", Q));
        assertEquals("a.ts?uc=T.k", ChildUris.withQuery("a.ts?", Q));
        assertEquals("a.ts?x=1&uc=T.k", ChildUris.withQuery("a.ts?x=1", Q));
        assertEquals("a.ts?x=1&uc=T.k", ChildUris.withQuery("a.ts?x=1&", Q));
        assertEquals("a.ts?x=1&y=a%20b&uc=T.k#t=10", ChildUris.withQuery("a.ts?x=1&y=a%20b#t=10", Q));
        assertEquals("a.ts?uc=T.k#frag?not=query", ChildUris.withQuery("a.ts#frag?not=query", Q));
        assertEquals("chunk-$RepresentationID$-$Number%03d$.m4s?uc=T.k",
                ChildUris.withQuery("chunk-$RepresentationID$-$Number%03d$.m4s", Q));
    }

    @Test
    void replacesAParameterOfTheSameName() {
        assertEquals("a.ts?uc=T.k", ChildUris.withQuery("a.ts?uc=old", Q));
        assertEquals("a.ts?uc=T.k", ChildUris.withQuery("a.ts?uc", Q));
        assertEquals("a.ts?x=1&uc=T.k", ChildUris.withQuery("a.ts?uc=old&x=1", Q));
        assertEquals("a.ts?x=1&uc=T.k", ChildUris.withQuery("a.ts?x=1&uc=old", Q));
        assertEquals("a.ts?x=1&y=2&uc=T.k", ChildUris.withQuery("a.ts?x=1&uc=old&y=2&uc=older", Q));
        assertEquals("a.ts?ucx=1&xuc=2&uc=T.k", ChildUris.withQuery("a.ts?ucx=1&xuc=2", Q));
    }

    @Test
    void origins() {
        String self = ChildUris.originOf(URI.create("https://Media.Example.com:443/live/m.mpd"));
        assertEquals("https://media.example.com", self);
        // "host." is another origin to a browser (issue 10): it no longer counts as the same.
        assertNotEquals(self, ChildUris.originOf(URI.create("https://media.example.com./x")));
        assertEquals("http://[2001:db8::1]:8080", ChildUris.originOf(URI.create("http://[2001:db8::1]:8080/x")));
        assertEquals("http://[2001:db8::1]", ChildUris.originOf(URI.create("http://[2001:db8::1]:80/x")));
        assertEquals(ChildUris.UNKNOWN_SELF, ChildUris.originOf(null));
        assertEquals(ChildUris.UNKNOWN_SELF, ChildUris.originOf(URI.create("/relative/m.mpd")));
        assertEquals(ChildUris.UNKNOWN_SELF, ChildUris.originOf(URI.create("file:///m.mpd")));

        assertTrue(ChildUris.staysAt("seg.ts", self, self));
        assertTrue(ChildUris.staysAt("/x/seg.ts", self, self));
        assertTrue(ChildUris.staysAt("?n=1", self, self));
        assertTrue(ChildUris.staysAt("https://media.example.com/x", self, self));
        assertTrue(ChildUris.staysAt("//media.example.com:443/x", self, self));
        assertFalse(ChildUris.staysAt("", self, self));
        assertFalse(ChildUris.staysAt("#frag", self, self));
        assertFalse(ChildUris.staysAt("https://media.example.com@evil.net/x", self, self));
        assertFalse(ChildUris.staysAt("https://evil.net\\@media.example.com/x", self, self));
        assertFalse(ChildUris.staysAt("https:media.example.com/x", self, self));
        assertFalse(ChildUris.staysAt("data:,x", self, self));
        assertFalse(ChildUris.staysAt("SKD://media.example.com/x", self, self));
        assertFalse(ChildUris.staysAt("//cdn.example.net/x", self, self));
        assertFalse(ChildUris.staysAt("//media.example.com/x", ChildUris.UNKNOWN_SELF, ChildUris.UNKNOWN_SELF));
        assertTrue(ChildUris.staysAt("x.ts", ChildUris.UNKNOWN_SELF, ChildUris.UNKNOWN_SELF));
        // Relative to a base on another host is that host.
        String cdn = ChildUris.resolveOrigin("https://cdn.example.net/v/", self);
        assertFalse(ChildUris.staysAt("seg.m4s", cdn, self));
    }

    @Test
    void referencesThatWhatwgAndRfc3986ReadDifferentlyNeverGetTheCredential() {
        String self = ChildUris.originOf(URI.create("http://self.example:8080/live/m.m3u8"));
        for (String hostile : java.util.List.of("/\\evil.example/x.ts", "\\\\evil.example/x", "\\/evil.example/x",
                "\t/\\evil.example/x", "/\t/evil.example/x", "http://self.example:8080\\@evil.example/x",
                "x\\y.ts", "seg.ts\r", "\nseg.ts", "seg\u0000.ts", "seg\u007f.ts", " //evil.example/x", "seg 1.ts",
                "http://user@self.example:8080/x", "http://self.example:8080@evil.example/x",
                "http:/self.example:8080/x", "http:self.example/x", "evil.example:8080/x", "a:b",
                "http://%73elf.example:8080/x", "http://self.example.:8080/x", "http://self.example:99999/x",
                "http://self.example:8080:8080/x", "ftp://self.example:8080/x")) {
            assertFalse(ChildUris.staysAt(hostile, self, self), hostile);
        }
        for (String ours : java.util.List.of("seg.ts", "/live/x.ts", "%2e%2e/x.ts", "HTTP://SELF.EXAMPLE:8080/x",
                "http://self.example:08080/x", "//self.example:8080/x", "x.ts?a=b:c", "v%C3%A9/x.ts", "vidéo/x.ts")) {
            assertTrue(ChildUris.staysAt(ours, self, self), ours);
        }
        String https = ChildUris.originOf(URI.create("https://self.example/m.mpd"));
        assertTrue(ChildUris.staysAt("https://self.example:443/x", https, https));
        assertTrue(ChildUris.staysAt("https://self.example:/x", https, https));
        assertFalse(ChildUris.staysAt("http://self.example/x", https, https));
        assertFalse(ChildUris.staysAt("https://self.example:8443/x", https, https));
        // A manifest URL the rule could not match is "unknown": only relative references qualify.
        assertEquals(ChildUris.UNKNOWN_SELF, ChildUris.originOf(URI.create("http://u@self.example/m.m3u8")));
    }

    @Test
    void childQueryIsUnreservedOnlyAndHidesItsValue() {
        assertThrows(IllegalArgumentException.class, () -> new ChildQuery("uc", "a&b"));
        assertThrows(IllegalArgumentException.class, () -> new ChildQuery("uc", "a\"b"));
        assertThrows(IllegalArgumentException.class, () -> new ChildQuery("", "x"));
        assertThrows(IllegalArgumentException.class, () -> new ChildQuery("u c", "x"));
        assertEquals("uc=T.k", Q.pair());
        assertFalse(new ChildQuery("uc", "secretvalue").toString().contains("secretvalue"));
    }
}
