package dev.usher.core.media;

import java.util.Locale;

/**
 * Where a protected request points, in SEVU terms: the application (the first folder under the
 * protected prefix, or a fixed one), the path under it, and what kind of media item it is.
 *
 * <p>The video a ticket must allow is, for a single file (an MP4), its path under the app, e.g.
 * {@code movies/trailer.mp4}; for an HLS or DASH manifest, the folder holding it, e.g.
 * {@code mystream} for {@code mystream/playlist.m3u8}, the way a SEVU ticket names a stream. The
 * manifest's own path is offered too, so a ticket naming {@code mystream/playlist.m3u8} is honoured.
 * A manifest at the top of the app has no folder: its video is its own path.
 *
 * <p>The <em>scope</em> is what the playback credentials of a manifest's children cover: its
 * folder with everything below it. An HLS or DASH package therefore keeps its variant playlists,
 * segments, keys and init segments in the manifest's folder or below.
 *
 * @param app  the application
 * @param path the path under the app, without a leading slash
 * @param kind what the path names
 */
public record MediaPath(String app, String path, Kind kind) {

    public enum Kind {
        /** An HLS playlist ({@code .m3u8}, or {@code .m3u} as RFC 8216 also allows). */
        HLS_MANIFEST,
        /** A DASH manifest ({@code .mpd}). */
        DASH_MANIFEST,
        /** Anything else: a progressive file, or a child of a manifest. */
        FILE;

        public boolean isManifest() {
            return this != FILE;
        }

        /**
         * The one decider of a manifest's kind, for every caller (the guard, the rewriters): by the
         * name's extension, case-insensitive.
         *
         * @param name a path or file name, or null
         * @return HLS for {@code .m3u8} and {@code .m3u}, DASH for {@code .mpd}, else FILE
         */
        public static Kind of(String name) {
            if (name == null) {
                return FILE;
            }
            // Every protected request asks this, so the lowercased copy below is made only when the
            // name's end is not ASCII. Lowercasing maps each ASCII character to one ASCII character
            // whatever precedes it, so the ASCII shortcuts give the copy's answer. First, a
            // manifest's name ends in '8', 'u' or 'd' (either case): any other ASCII last character
            // (a segment's 's', '4') is a FILE at once. Then, when the last five characters are
            // ASCII, they decide alone, compared ignoring ASCII case.
            int n = name.length();
            char end = n == 0 ? 0 : name.charAt(n - 1);
            if (end < 0x80 && end != '8' && end != 'u' && end != 'U' && end != 'd' && end != 'D') {
                return FILE;
            }
            boolean asciiTail = true;
            for (int i = Math.max(0, n - 5); i < n; i++) {
                asciiTail &= name.charAt(i) < 0x80;
            }
            if (asciiTail) {
                if (endsWithIgnoringAsciiCase(name, ".m3u8") || endsWithIgnoringAsciiCase(name, ".m3u")) {
                    return HLS_MANIFEST;
                }
                return endsWithIgnoringAsciiCase(name, ".mpd") ? DASH_MANIFEST : FILE;
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.endsWith(".m3u8") || lower.endsWith(".m3u")) {
                return HLS_MANIFEST;
            }
            if (lower.endsWith(".mpd")) {
                return DASH_MANIFEST;
            }
            return FILE;
        }

        /**
         * @param suffix lowercase ASCII; {@code name}'s characters compared with it are ASCII, which
         *               {@code regionMatches} folds as {@code toLowerCase(Locale.ROOT)} does
         */
        private static boolean endsWithIgnoringAsciiCase(String name, String suffix) {
            return name.regionMatches(true, name.length() - suffix.length(), suffix, 0, suffix.length());
        }
    }

    /**
     * @param pathUnderPrefix the decoded, normalized path below the protected prefix, e.g. {@code live/mystream/playlist.m3u8}
     * @param fixedApp        the application of every path when configured, else null (the first folder is the app)
     * @return the media path, or null when the path names no media item (no app, or nothing under it)
     */
    public static MediaPath parse(String pathUnderPrefix, String fixedApp) {
        String p = pathUnderPrefix.startsWith("/") ? pathUnderPrefix.substring(1) : pathUnderPrefix;
        String app;
        String rest;
        if (fixedApp != null) {
            app = fixedApp;
            rest = p;
        } else {
            int slash = p.indexOf('/');
            if (slash <= 0) {
                return null;
            }
            app = p.substring(0, slash);
            rest = p.substring(slash + 1);
        }
        if (rest.isEmpty() || rest.endsWith("/")) {
            return null;
        }
        return new MediaPath(app, rest, Kind.of(rest));
    }

    /**
     * @param app  the application
     * @param path a path under it, without a leading slash
     * @return the media path, its kind told by the name's extension
     */
    public static MediaPath of(String app, String path) {
        return new MediaPath(app, path, Kind.of(path));
    }

    /** @return the folder of the path, "" at the top of the app */
    public String folder() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? "" : path.substring(0, slash);
    }

    /** @return the video a ticket must allow to enter here */
    public String video() {
        if (kind.isManifest()) {
            String folder = folder();
            return folder.isEmpty() ? path : folder;
        }
        return path;
    }

    /** @return the manifest's own path when it differs from {@link #video()}, else null */
    public String manifestPath() {
        return kind.isManifest() && !video().equals(path) ? path : null;
    }

    /** @return what credentials issued for this entry cover: the manifest's folder ("" = the whole app), or the file */
    public String scope() {
        return kind.isManifest() ? folder() : path;
    }
}
