package dev.usher.cdi;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class ByteRangeTest {

    private static ByteRange partial(String header, long length) {
        return assertInstanceOf(ByteRange.Partial.class, ByteRange.of(header, length), header).range();
    }

    @Test
    void aSingleRangeIsResolvedAgainstTheFile() {
        assertEquals(new ByteRange(0, 99), partial("bytes=0-99", 1000));
        assertEquals(new ByteRange(0, 999), partial("bytes=0-", 1000)); // what ffmpeg and <video> send
        assertEquals(new ByteRange(900, 999), partial("bytes=900-5000", 1000)); // the end is cut to the file
        assertEquals(new ByteRange(990, 999), partial("bytes=-10", 1000)); // the last 10 bytes
        assertEquals(new ByteRange(0, 999), partial("bytes=-5000", 1000));
        assertEquals(new ByteRange(5, 5), partial(" Bytes=5-5 ", 1000));
        assertEquals("bytes 900-999/1000", partial("bytes=900-", 1000).contentRange(1000));
        assertEquals(100, partial("bytes=0-99", 1000).length());
    }

    @Test
    void aRangePastTheEndIsUnsatisfiable() {
        assertInstanceOf(ByteRange.Unsatisfiable.class, ByteRange.of("bytes=1000-", 1000));
        assertInstanceOf(ByteRange.Unsatisfiable.class, ByteRange.of("bytes=2000-3000", 1000));
        assertInstanceOf(ByteRange.Unsatisfiable.class, ByteRange.of("bytes=-0", 1000));
        assertInstanceOf(ByteRange.Unsatisfiable.class, ByteRange.of("bytes=0-", 0));
    }

    @Test
    void anythingElseMeansTheWholeFile() {
        for (String h : new String[] {null, "", "bytes=", "bytes=-", "items=0-9", "bytes=9-0", "bytes=a-9", "bytes=0-x",
                "bytes=0-9,20-29", "bytes=0-9999999999999999999999", "bytes=+1-2", "bytes 0-9"}) {
            assertInstanceOf(ByteRange.Whole.class, ByteRange.of(h, 1000), String.valueOf(h));
        }
    }
}
