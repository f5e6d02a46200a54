package dev.usher.core.http;

import dev.usher.core.decision.PlaybackRequest;
import dev.usher.core.media.MediaPath;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The layout of playback URLs, printed and parsed here only: below the context path, a protected
 * prefix ({@code usher.filter.paths}, e.g. {@code /media/}), then the app as the first folder
 * (unless one app is fixed, {@code usher.filter.app}), then the media path under it; an entry URL
 * adds {@code key}, {@code pass} and optionally {@code refurl}. What the filter parses is exactly
 * what the {@code usher} bean and the sample print.
 *
 * @param prefixes the protected prefixes, each starting and ending with {@code /}; URLs are printed
 *                 with the first (none: nothing is protected, and no URL can be printed)
 * @param fixedApp the app of every path, or null when the first folder under the prefix is the app
 */
public record MediaLayout(List<String> prefixes, String fixedApp) {

    /** Longest {@code refurl} put on a URL: what the attempt log keeps. */
    public static final int MAX_REFURL = PlaybackRequest.MAX_URL;

    public MediaLayout {
        prefixes = List.copyOf(prefixes);
        for (String p : prefixes) {
            if (!p.startsWith("/") || !p.endsWith("/")) {
                throw new IllegalArgumentException("'" + p + "' is not a prefix like /media/");
            }
        }
    }

    /** @return a layout of one prefix */
    public static MediaLayout of(String prefix, String fixedApp) {
        return new MediaLayout(List.of(prefix), fixedApp);
    }

    /** How a request path stands to the protected prefixes. */
    public enum Match { UNPROTECTED, PROTECTED, AMBIGUOUS }

    /**
     * @param path the decoded path below the context
     * @return PROTECTED under a prefix (or the prefix without its last {@code /}), AMBIGUOUS when the
     *         path is under a prefix only when case is ignored (a case-insensitive file system could
     *         serve it), else UNPROTECTED
     */
    public Match match(String path) {
        // indexed, not for-each: every request of the application asks this, and the list's
        // iterator was an allocation each time
        for (int i = 0, n = prefixes.size(); i < n; i++) {
            String prefix = prefixes.get(i);
            if (path.startsWith(prefix) || (path.length() == prefix.length() - 1 && prefix.startsWith(path))) {
                return Match.PROTECTED;
            }
        }
        for (int i = 0, n = prefixes.size(); i < n; i++) {
            String prefix = prefixes.get(i);
            if (path.regionMatches(true, 0, prefix, 0, prefix.length())) {
                return Match.AMBIGUOUS;
            }
        }
        return Match.UNPROTECTED;
    }

    /**
     * @param path the decoded path below the context, e.g. {@code /media/live/mystream/playlist.m3u8}
     * @return where it points, or null when it is under no prefix or names no media item
     */
    public MediaPath parse(String path) {
        for (int i = 0, n = prefixes.size(); i < n; i++) {
            String prefix = prefixes.get(i);
            if (path.startsWith(prefix)) {
                return MediaPath.parse(path.substring(prefix.length()), fixedApp);
            }
        }
        return null;
    }

    /**
     * @param app  the app (left out of the URL when one app is fixed)
     * @param path the media path under the app, {@code /}-separated, not encoded
     * @return the percent-encoded path below the context that {@link #parse} reads back as {@code app} and {@code path}
     */
    public String path(String app, String path) {
        if (prefixes.isEmpty()) {
            throw new IllegalStateException("no protected prefix (usher.filter.paths) to point a URL at");
        }
        StringBuilder url = new StringBuilder(prefixes.get(0));
        if (fixedApp == null) {
            url.append(segment(app)).append('/');
        }
        String[] parts = path.split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                url.append('/');
            }
            url.append(segment(parts[i]));
        }
        return url.toString();
    }

    /**
     * @param contextPath the web application's context path ("" at the root)
     * @param refUrl      how the viewer reached the page that plays, cut to {@value #MAX_REFURL}
     *                    characters; null or empty for none
     * @return the URL a player opens: {@link #path} with {@code key}, {@code pass} and {@code refurl}
     */
    public String entryUrl(String contextPath, String app, String path, String key, String pass, String refUrl) {
        StringBuilder url = new StringBuilder(contextPath).append(path(app, path));
        url.append('?').append(TicketParameters.KEY).append('=').append(query(key))
                .append('&').append(TicketParameters.PASS).append('=').append(query(pass));
        if (refUrl != null && !refUrl.isEmpty()) {
            String cut = refUrl.length() <= MAX_REFURL ? refUrl : refUrl.substring(0, MAX_REFURL);
            url.append('&').append(TicketParameters.REFURL).append('=').append(query(cut));
        }
        return url.toString();
    }

    private static String segment(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String query(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
