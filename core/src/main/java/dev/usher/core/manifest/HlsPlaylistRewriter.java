package dev.usher.core.manifest;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
 * The playlist is walked line by line once, never copied whole: that pass decides which URIs get
 * the credential, remembers each decision as the span of the URI in the input (and, for the rare
 * URI whose query or fragment needs more than an appended {@code ?uc=…}, its rewritten bytes), and
 * counts the output bytes, refusing before anything is produced when the output would exceed
 * {@link ManifestLimits#maxOutputBytes()} (a playlist of short URIs grows by the credential's
 * length on every line). {@link Rewritten#writeTo} then only copies: stretches of the input and the
 * remembered insertions, streamed to the client. Held are the (bounded) input and 8 bytes per
 * rewritten URI, each of which adds at least 4 bytes to the checked output (with a real credential
 * over 100), so what is remembered is bounded by the output limit too.
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
        if (!startsWith(manifest, start, EXTM3U)) {
            throw new ManifestException("not an HLS playlist: it does not start with #EXTM3U");
        }
        Edits edits = new Edits(manifest, ChildUris.originOf(manifestUrl), query, limits());
        walk(manifest, start, edits);
        if (edits.count == 0) {
            return Rewritten.of(manifest);
        }
        limits().checkOutput(edits.length());
        return edits;
    }

    private static final byte[] EXTM3U = "#EXTM3U".getBytes(StandardCharsets.ISO_8859_1);

    /** One pass over the playlist, line by line, handing each URI to {@code edits}. */
    private static void walk(byte[] in, int start, Edits edits) {
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
                    edits.uri(first, last);
                } else if (startsWith(in, first, EXT_X)) {
                    int colon = indexOf(in, (byte) ':', first, end);
                    if (colon > 0 && isUriTag(in, first + 1, colon)) {
                        attributes(in, colon + 1, end, edits);
                    }
                }
            }
            pos = lineEnd + 1;
        }
    }

    private static final byte[] EXT_X = "#EXT-X-".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[][] URI_TAG_BYTES = URI_TAGS.stream()
            .map(tag -> tag.getBytes(StandardCharsets.ISO_8859_1)).toArray(byte[][]::new);

    /** @return true when {@code in[from, to)} is one of {@link #URI_TAGS} (compared as bytes: no String per tag line) */
    private static boolean isUriTag(byte[] in, int from, int to) {
        for (byte[] tag : URI_TAG_BYTES) {
            if (tag.length == to - from && startsWith(in, from, tag)) {
                return true;
            }
        }
        return false;
    }

    /** Walks an attribute list, {@code NAME=value,NAME="quoted, value",…}, rewriting {@code URI="…"}. */
    private static void attributes(byte[] in, int from, int end, Edits edits) {
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
                    edits.uri(value + 1, close);
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

    /**
     * The decisions of the pass, and the rewritten playlist they describe. Edit {@code k} is the
     * span {@code [spans[2k], spans[2k+1])} of a URI that gets the credential: a plain one (see
     * {@link #isPlainRelative}) is followed by {@code ?name=value}, shared by all; any other is
     * replaced by its next entry in {@code replaced} (its start is stored as {@code -1 - start}).
     */
    private static final class Edits implements Rewritten {
        final byte[] in;
        final String self;
        final ChildQuery query;
        final ManifestLimits limits;
        /** {@code ?name=value}, appended to every plain URI. */
        final byte[] suffix;
        int[] spans = new int[32];
        byte[][] replaced = new byte[0][];
        int count;
        int replacedCount;
        /** Output bytes minus input bytes so far. */
        long growth;

        Edits(byte[] in, String self, ChildQuery query, ManifestLimits limits) {
            this.in = in;
            this.self = self;
            this.query = query;
            this.limits = limits;
            this.suffix = query.appendedToPlainReference();
        }

        /** Decides about the URI at {@code in[from, to)}, and remembers the decision. */
        void uri(int from, int to) {
            if (isPlainRelative(in, from, to)) {
                add(from, to);
                growth += suffix.length;
            } else {
                String uri = latin1(in, from, to);
                if (!ChildUris.staysAt(uri, self, self)) {
                    return;
                }
                byte[] rewritten = ChildUris.withQuery(uri, query).getBytes(StandardCharsets.ISO_8859_1);
                if (replacedCount == replaced.length) {
                    replaced = Arrays.copyOf(replaced, Math.max(8, 2 * replacedCount));
                }
                replaced[replacedCount++] = rewritten;
                add(-1 - from, to);
                growth += rewritten.length - (to - from);
            }
            // Refused as soon as the output up to here is over the limit, so no more is remembered.
            limits.checkOutput(to + growth);
        }

        private void add(int from, int to) {
            if (2 * count == spans.length) {
                spans = Arrays.copyOf(spans, 2 * spans.length);
            }
            spans[2 * count] = from;
            spans[2 * count + 1] = to;
            count++;
        }

        @Override
        public long length() {
            return in.length + growth;
        }

        @Override
        public void writeTo(OutputStream out) throws IOException {
            copy(out::write);
        }

        @Override
        public byte[] toByteArray() {
            byte[] bytes = new byte[Math.toIntExact(length())];
            int[] at = new int[1];
            try {
                copy((b, off, len) -> {
                    System.arraycopy(b, off, bytes, at[0], len);
                    at[0] += len;
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e); // an array does no I/O
            }
            return bytes;
        }

        /** The second step: only copies, as the pass decided. */
        private void copy(Target out) throws IOException {
            int copied = 0;
            int next = 0;
            for (int k = 0; k < count; k++) {
                int from = spans[2 * k];
                int to = spans[2 * k + 1];
                if (from >= 0) {
                    out.write(in, copied, to - copied);
                    out.write(suffix, 0, suffix.length);
                } else {
                    out.write(in, copied, -1 - from - copied);
                    byte[] rewritten = replaced[next++];
                    out.write(rewritten, 0, rewritten.length);
                }
                copied = to;
            }
            out.write(in, copied, in.length - copied);
        }
    }

    /** Where the copy goes: an {@code OutputStream} or an array. */
    private interface Target {
        void write(byte[] b, int off, int len) throws IOException;
    }

    /**
     * @return true for the common URI that {@link ChildUris#staysAt} accepts and
     *         {@link ChildUris#withQuery} extends by {@code ?name=value} alone, decided on the bytes:
     *         a relative reference ({@code segment_00001.m4s}, {@code ../v1/index.m3u8}) that is not
     *         empty, holds no byte the origin rule finds ambiguous (controls, space, DEL, {@code \}),
     *         no {@code ?} or {@code #}, does not start with {@code //} and has no {@code :} before
     *         its first {@code /}. Every other URI takes the general path (a String, the full rule).
     */
    static boolean isPlainRelative(byte[] in, int from, int to) {
        if (from >= to || (to - from >= 2 && in[from] == '/' && in[from + 1] == '/')) {
            return false;
        }
        boolean firstSegment = true;
        for (int i = from; i < to; i++) {
            int c = in[i] & 0xff;
            if (c <= 0x20 || c == 0x7f || c == '\\' || c == '?' || c == '#' || (firstSegment && c == ':')) {
                return false;
            }
            if (c == '/') {
                firstSegment = false;
            }
        }
        return true;
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
