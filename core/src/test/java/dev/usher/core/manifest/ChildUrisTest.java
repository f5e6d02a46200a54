package dev.usher.core.manifest;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        assertEquals(self, ChildUris.originOf(URI.create("https://media.example.com./x")));
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
    void childQueryIsUnreservedOnlyAndHidesItsValue() {
        assertThrows(IllegalArgumentException.class, () -> new ChildQuery("uc", "a&b"));
        assertThrows(IllegalArgumentException.class, () -> new ChildQuery("uc", "a\"b"));
        assertThrows(IllegalArgumentException.class, () -> new ChildQuery("", "x"));
        assertThrows(IllegalArgumentException.class, () -> new ChildQuery("u c", "x"));
        assertEquals("uc=T.k", Q.pair());
        assertFalse(new ChildQuery("uc", "secretvalue").toString().contains("secretvalue"));
    }
}
