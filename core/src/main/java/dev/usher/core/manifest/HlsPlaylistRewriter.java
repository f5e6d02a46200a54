package dev.usher.core.manifest;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Rewrites HLS master and media playlists (RFC 8216 and its low-latency extensions) so that every
 * child URI of the playlist's origin carries the child query (see {@link ChildUris} for the rule).
 *
 * <p>Rewritten are the URI lines (every non-blank line not starting with {@code #}) and the quoted
 * {@code URI="…"} attribute of the tags {@code EXT-X-KEY}, {@code EXT-X-SESSION-KEY},
 * {@code EXT-X-MAP}, {@code EXT-X-MEDIA}, {@code EXT-X-I-FRAME-STREAM-INF}, {@code EXT-X-PART},
 * {@code EXT-X-PRELOAD-HINT}, {@code EXT-X-RENDITION-REPORT} and {@code EXT-X-SESSION-DATA}. Other
 * tags (including {@code EXT-X-CONTENT-STEERING}'s {@code SERVER-URI} and {@code EXT-X-DATERANGE}'s
 * client attributes) and comments are left alone.
 *
 * <p>Everything but the inserted text is kept byte for byte: line endings (LF or CRLF, mixed), a
 * byte order mark, whitespace around a URI line, non-ASCII bytes (the playlist is processed as
 * ISO-8859-1, which maps every byte to one char and back, and all syntax it looks at is ASCII). The
 * input must start with {@code #EXTM3U} (after an optional BOM): anything else, e.g. an HTML error
 * page, is refused rather than rewritten line by line.
 *
 * <h2>Bounded, and streamed</h2>
 * The playlist is walked line by line twice, never copied whole: the first pass decides which
 * URIs get the credential and counts the output bytes, refusing before anything is produced when
 * the output would exceed {@link ManifestLimits#maxOutputBytes()} (a playlist of short URIs grows
 * by the credential's length on every line); the second pass, {@link Rewritten#writeTo}, streams
 * the same lines, with the same decisions, to the client. Only the (bounded) input is held.
 */
public final class HlsPlaylistRewriter extends BoundedManifestRewriter {

    /** An instance with the default limits. */
    public static final HlsPlaylistRewriter DEFAULT = new HlsPlaylistRewriter();

    static final Set<String> URI_TAGS = Set.of("EXT-X-KEY", "EXT-X-SESSION-KEY", "EXT-X-MAP", "EXT-X-MEDIA",
            "EXT-X-I-FRAME-STREAM-INF", "EXT-X-PART", "EXT-X-PRELOAD-HINT", "EXT-X-RENDITION-REPORT",
            "EXT-X-SESSION-DATA");
    private static final byte[] BOM = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};

    public HlsPlaylistRewriter() {
        this(ManifestLimits.DEFAULT);
    }

    /** @param maxBytes the largest playlist accepted, and the largest rewritten playlist produced */
    public HlsPlaylistRewriter(int maxBytes) {
        this(ManifestLimits.ofBytes(maxBytes));
    }

    public HlsPlaylistRewriter(ManifestLimits limits) {
        super(limits);
    }

    @Override
    Rewritten prepareWithin(byte[] manifest, URI manifestUrl, ChildQuery query) {
        int start = startsWith(manifest, 0, BOM) ? BOM.length : 0;
        if (!startsWith(manifest, start, "#EXTM3U".getBytes(StandardCharsets.ISO_8859_1))) {
            throw new ManifestException("not an HLS playlist: it does not start with #EXTM3U");
        }
        String self = ChildUris.originOf(manifestUrl);
        Counter counter = new Counter(limits());
        try {
            walk(manifest, start, self, query, counter);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // counting does no I/O
        }
        if (!counter.changed) {
            return Rewritten.of(manifest);
        }
        long length = counter.size;
        return new Rewritten() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public void writeTo(OutputStream out) throws IOException {
                walk(manifest, start, self, query, new Sink() {
                    @Override
                    public void copy(int from, int to) throws IOException {
                        out.write(manifest, from, to - from);
                    }

                    @Override
                    public void insert(String latin1) throws IOException {
                        out.write(latin1.getBytes(StandardCharsets.ISO_8859_1));
                    }
                });
            }
        };
    }

    /** Where a pass sends the output: stretches of the input, and rewritten URIs in between. */
    private interface Sink {
        void copy(int from, int to) throws IOException;

        void insert(String latin1) throws IOException;
    }

    /** The first pass: measures the output and refuses it as soon as it is over the limit. */
    private static final class Counter implements Sink {
        private final ManifestLimits limits;
        long size;
        boolean changed;

        Counter(ManifestLimits limits) {
            this.limits = limits;
        }

        @Override
        public void copy(int from, int to) {
            add(to - from);
        }

        @Override
        public void insert(String latin1) {
            changed = true;
            add(latin1.length());
        }

        private void add(long n) {
            size += n;
            limits.checkOutput(size);
        }
    }

    /** One pass over the playlist, line by line; both passes make the same decisions. */
    private static void walk(byte[] in, int start, String self, ChildQuery query, Sink sink) throws IOException {
        Pass pass = new Pass(in, self, query, sink);
        int n = in.length;
        int pos = start;
        while (pos < n) {
            int newline = indexOf(in, (byte) '\n', pos, n);
            int lineEnd = newline < 0 ? n : newline;
            int end = lineEnd;
            if (end > pos && in[end - 1] == '\r') {
                end--;
            }
            int first = pos;
            while (first < end && isBlank(in[first])) {
                first++;
            }
            if (first < end) {
                if (in[first] != '#') {
                    int last = end;
                    while (last > first && isBlank(in[last - 1])) {
                        last--;
                    }
                    pass.uri(first, last);
                } else if (startsWith(in, first, EXT_X)) {
                    int colon = indexOf(in, (byte) ':', first, end);
                    if (colon > 0 && URI_TAGS.contains(latin1(in, first + 1, colon))) {
                        attributes(in, colon + 1, end, pass);
                    }
                }
            }
            pos = lineEnd + 1;
        }
        sink.copy(pass.copied, n);
    }

    private static final byte[] EXT_X = "#EXT-X-".getBytes(StandardCharsets.ISO_8859_1);

    /** Walks an attribute list, {@code NAME=value,NAME="quoted, value",…}, rewriting {@code URI="…"}. */
    private static void attributes(byte[] in, int from, int end, Pass pass) throws IOException {
        int i = from;
        while (i < end) {
            while (i < end && isBlank(in[i])) {
                i++;
            }
            int eq = i;
            while (eq < end && in[eq] != '=' && in[eq] != ',') {
                eq++;
            }
            if (eq >= end || in[eq] != '=') {
                return; // not an attribute list we understand: leave the rest alone
            }
            boolean isUri = eq - i == 3 && in[i] == 'U' && in[i + 1] == 'R' && in[i + 2] == 'I';
            int value = eq + 1;
            int next;
            if (value < end && in[value] == '"') {
                int close = indexOf(in, (byte) '"', value + 1, end);
                if (close < 0) {
                    return; // unterminated quoted string
                }
                if (isUri) {
                    pass.uri(value + 1, close);
                }
                next = close + 1;
            } else {
                next = value;
            }
            while (next < end && in[next] != ',') {
                next++;
            }
            i = next + 1;
        }
    }

    /** The state of one pass: how far the input has been sent on. */
    private static final class Pass {
        final byte[] in;
        final String self;
        final ChildQuery query;
        final Sink sink;
        int copied;

        Pass(byte[] in, String self, ChildQuery query, Sink sink) {
            this.in = in;
            this.self = self;
            this.query = query;
            this.sink = sink;
        }

        void uri(int from, int to) throws IOException {
            String uri = latin1(in, from, to);
            if (!ChildUris.staysAt(uri, self, self)) {
                return;
            }
            sink.copy(copied, from);
            sink.insert(ChildUris.withQuery(uri, query));
            copied = to;
        }
    }

    /** The bytes as ISO-8859-1, which maps each byte to one char and back; all syntax is ASCII. */
    private static String latin1(byte[] in, int from, int to) {
        return new String(in, from, to - from, StandardCharsets.ISO_8859_1);
    }

    private static int indexOf(byte[] in, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (in[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] in, int at, byte[] prefix) {
        if (in.length - at < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (in[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isBlank(byte c) {
        return c == ' ' || c == '\t';
    }
}
