package dev.usher.core.manifest;

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
 */
public final class HlsPlaylistRewriter implements ManifestRewriter {

    /** An instance with the default size limit. */
    public static final HlsPlaylistRewriter DEFAULT = new HlsPlaylistRewriter();

    static final Set<String> URI_TAGS = Set.of("EXT-X-KEY", "EXT-X-SESSION-KEY", "EXT-X-MAP", "EXT-X-MEDIA",
            "EXT-X-I-FRAME-STREAM-INF", "EXT-X-PART", "EXT-X-PRELOAD-HINT", "EXT-X-RENDITION-REPORT",
            "EXT-X-SESSION-DATA");
    private static final String BOM = "\u00ef\u00bb\u00bf"; // UTF-8 BOM bytes seen as ISO-8859-1

    private final int maxBytes;

    public HlsPlaylistRewriter() {
        this(DEFAULT_MAX_BYTES);
    }

    /** @param maxBytes the largest playlist accepted */
    public HlsPlaylistRewriter(int maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive");
        }
        this.maxBytes = maxBytes;
    }

    @Override
    public int maxBytes() {
        return maxBytes;
    }

    @Override
    public byte[] rewrite(byte[] manifest, URI manifestUrl, ChildQuery query) {
        if (manifest.length > maxBytes) {
            throw new ManifestTooLargeException(maxBytes);
        }
        String text = new String(manifest, StandardCharsets.ISO_8859_1);
        String out = rewrite(text, ChildUris.originOf(manifestUrl), query);
        return out == null ? manifest.clone() : out.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** @return the rewritten text, or null when nothing changed */
    private static String rewrite(String text, String self, ChildQuery query) {
        int n = text.length();
        int start = text.startsWith(BOM) ? BOM.length() : 0;
        if (!text.startsWith("#EXTM3U", start)) {
            throw new ManifestException("not an HLS playlist: it does not start with #EXTM3U");
        }
        Edits edits = new Edits(text, query);
        int pos = start;
        while (pos < n) {
            int newline = text.indexOf('\n', pos);
            int lineEnd = newline < 0 ? n : newline;
            int end = lineEnd;
            if (end > pos && text.charAt(end - 1) == '\r') {
                end--;
            }
            int first = pos;
            while (first < end && isBlank(text.charAt(first))) {
                first++;
            }
            if (first < end) {
                if (text.charAt(first) != '#') {
                    int last = end;
                    while (last > first && isBlank(text.charAt(last - 1))) {
                        last--;
                    }
                    edits.uri(first, last, self);
                } else if (text.startsWith("#EXT-X-", first)) {
                    int colon = text.indexOf(':', first);
                    if (colon > 0 && colon < end && URI_TAGS.contains(text.substring(first + 1, colon))) {
                        attributes(text, colon + 1, end, edits, self);
                    }
                }
            }
            pos = lineEnd + 1;
        }
        return edits.result();
    }

    /** Walks an attribute list, {@code NAME=value,NAME="quoted, value",…}, rewriting {@code URI="…"}. */
    private static void attributes(String text, int from, int end, Edits edits, String self) {
        int i = from;
        while (i < end) {
            while (i < end && isBlank(text.charAt(i))) {
                i++;
            }
            int eq = i;
            while (eq < end && text.charAt(eq) != '=' && text.charAt(eq) != ',') {
                eq++;
            }
            if (eq >= end || text.charAt(eq) != '=') {
                return; // not an attribute list we understand: leave the rest alone
            }
            boolean isUri = eq - i == 3 && text.startsWith("URI", i);
            int value = eq + 1;
            int next;
            if (value < end && text.charAt(value) == '"') {
                int close = text.indexOf('"', value + 1);
                if (close < 0 || close >= end) {
                    return; // unterminated quoted string
                }
                if (isUri) {
                    edits.uri(value + 1, close, self);
                }
                next = close + 1;
                while (next < end && text.charAt(next) != ',') {
                    next++;
                }
            } else {
                next = value;
                while (next < end && text.charAt(next) != ',') {
                    next++;
                }
            }
            i = next + 1;
        }
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    /** Collects the output: the input copied through, with rewritten URIs in place of the old ones. */
    private static final class Edits {
        private final String text;
        private final ChildQuery query;
        private StringBuilder out;
        private int copied;

        Edits(String text, ChildQuery query) {
            this.text = text;
            this.query = query;
        }

        void uri(int from, int to, String self) {
            String uri = text.substring(from, to);
            if (!ChildUris.staysAt(uri, self, self)) {
                return;
            }
            if (out == null) {
                out = new StringBuilder(text.length() + text.length() / 2 + 64);
            }
            out.append(text, copied, from).append(ChildUris.withQuery(uri, query));
            copied = to;
        }

        String result() {
            return out == null ? null : out.append(text, copied, text.length()).toString();
        }
    }
}
