package dev.usher.cdi;

import java.util.Optional;

/**
 * One satisfiable byte range of a file of known length: what a {@code Range: bytes=…} header asks
 * for, resolved against the file (RFC 9110 §14). Only single ranges are served as 206; a header
 * naming several ranges, or one that is not a byte range at all, is ignored and the whole file is
 * the answer, which the RFC allows and every player accepts.
 *
 * @param first the first byte, inclusive
 * @param last  the last byte, inclusive ({@code last < length})
 */
public record ByteRange(long first, long last) {

    /** Longer numbers cannot be a byte position of a real file; refusing them keeps parsing bounded. */
    private static final int MAX_DIGITS = 18;

    public ByteRange {
        if (first < 0 || last < first) {
            throw new IllegalArgumentException("not a byte range: " + first + "-" + last);
        }
    }

    /** @return how many bytes the range covers */
    public long length() {
        return last - first + 1;
    }

    /** @return the value of {@code Content-Range} for this range of a file of {@code total} bytes */
    public String contentRange(long total) {
        return "bytes " + first + "-" + last + "/" + total;
    }

    /** What a Range header means for one file. */
    public sealed interface Request {
    }

    /** No usable Range header (absent, not bytes, several ranges, malformed): send the whole file. */
    public record Whole() implements Request {
    }

    /** A single range that fits the file: send 206 with it. */
    public record Partial(ByteRange range) implements Request {
    }

    /** A well-formed single range entirely past the end: send 416 with {@code Content-Range: bytes *}{@code /length}. */
    public record Unsatisfiable() implements Request {
    }

    /**
     * @param header the Range header, or null
     * @param length the file's length in bytes (0 or more)
     */
    public static Request of(String header, long length) {
        if (header == null || length < 0) {
            return new Whole();
        }
        String h = header.strip();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
            return new Whole();
        }
        String spec = h.substring(6).strip();
        if (spec.indexOf(',') >= 0) {
            return new Whole();
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new Whole();
        }
        String a = spec.substring(0, dash).strip();
        String b = spec.substring(dash + 1).strip();
        Optional<Long> first = number(a);
        Optional<Long> last = number(b);
        if (a.isEmpty()) {
            // bytes=-N: the last N bytes
            if (last.isEmpty()) {
                return new Whole();
            }
            long n = last.get();
            if (n == 0 || length == 0) {
                return new Unsatisfiable();
            }
            return new Partial(new ByteRange(Math.max(0, length - n), length - 1));
        }
        if (first.isEmpty() || (!b.isEmpty() && last.isEmpty())) {
            return new Whole();
        }
        if (last.isPresent() && last.get() < first.get()) {
            return new Whole(); // invalid, so ignored (RFC 9110 §14.1.1)
        }
        if (first.get() >= length) {
            return new Unsatisfiable();
        }
        long end = last.isEmpty() ? length - 1 : Math.min(last.get(), length - 1);
        return new Partial(new ByteRange(first.get(), end));
    }

    private static Optional<Long> number(String s) {
        if (s.isEmpty() || s.length() > MAX_DIGITS) {
            return Optional.empty();
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return Optional.empty();
            }
        }
        return Optional.of(Long.parseLong(s));
    }
}
