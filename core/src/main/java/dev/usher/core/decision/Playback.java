package dev.usher.core.decision;

import dev.usher.core.media.MediaPath;
import dev.usher.core.net.IpNetwork;

import java.time.Duration;
import java.time.Instant;

/**
 * An open playback of a ticket: one granted start, and the requests that continue it. A request
 * with the ticket's key and pass, from the same client network, for a path the playback
 * {@linkplain #covers covers}, within the playback window of the previous one, belongs to it and
 * consumes no use: a player that appends key and pass to every playlist and segment plays once.
 *
 * <p>What a playback covers is named by its {@code scope}, qualified by the app so that a ticket
 * for several apps never carries a playback from one to the other:
 * <ul>
 * <li>{@code app/folder/} (a trailing slash) for an HLS or DASH entry: the manifest's folder and
 *     everything below it, the same extent its children's playback credentials cover
 *     ({@code app/} for a manifest at the top of the app);</li>
 * <li>{@code app/path} for a single file (an MP4): that file alone (its Range requests).</li>
 * </ul>
 * The JDBC repository stores the scope in its {@code usher_playbacks.video} column (2048
 * characters); a scope longer than {@link #MAX_SCOPE} is stored as {@link #NOTHING}, which no
 * request continues, so both repositories decide alike.
 *
 * @param scope    what the playback covers, as above
 * @param client   the client's address, or the network its {@code auto} slot bound
 * @param started  the granted start
 * @param lastSeen the latest request of this playback
 */
public record Playback(String scope, IpNetwork client, Instant started, Instant lastSeen) {

    /** The longest scope a playback keeps (the JDBC column's size). */
    public static final int MAX_SCOPE = 2048;

    /** The scope of a playback no request can continue. */
    public static final String NOTHING = "";

    public boolean isOpen(Instant now, Duration window) {
        return now.isBefore(lastSeen.plus(window));
    }

    public Playback seenAt(Instant now) {
        return new Playback(scope, client, started, now);
    }

    /**
     * @param app  a request's app
     * @param path its path under the app, normalized by the adapter; a path with an empty, {@code .}
     *             or {@code ..} segment is never inside (it could point outside the folder)
     * @return whether the request lies inside this playback's scope
     */
    public boolean covers(String app, String path) {
        if (scope.isEmpty() || !normal(path)) {
            return false;
        }
        // Compared piecewise rather than by concatenating, so no request text is copied.
        int a = app.length();
        if (scope.length() <= a || !scope.startsWith(app) || scope.charAt(a) != '/') {
            return false;
        }
        boolean folder = scope.charAt(scope.length() - 1) == '/';
        int rest = scope.length() - a - 1; // the scope's part under the app
        if (folder) {
            return path.length() >= rest && path.regionMatches(0, scope, a + 1, rest);
        }
        return path.length() == rest && path.regionMatches(0, scope, a + 1, rest);
    }

    private static boolean normal(String path) {
        int start = 0;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            int n = end - start;
            if (n == 0 || (n == 1 && path.charAt(start) == '.')
                    || (n == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.')) {
                return false;
            }
            start = end + 1;
        }
        return true;
    }

    /**
     * @return whether an attempt logged for {@code app} and {@code video} can be this playback's
     * start: its video is the scope itself (a file, or a package's folder) or lies inside it
     */
    public boolean startedBy(String app, String video) {
        return covers(app, video) || (scope.length() == app.length() + video.length() + 2 && scope.startsWith(app)
                && scope.charAt(app.length()) == '/' && scope.startsWith(video, app.length() + 1) && scope.endsWith("/"));
    }

    /**
     * @return the scope of a playback that {@code request} starts: the manifest's folder for an
     * HLS or DASH entry, the file for anything else
     */
    public static String scopeOf(PlaybackRequest request) {
        if (!normal(request.path())) {
            return NOTHING; // e.g. an adapter's empty or folder-like path: it must never cover a folder
        }
        MediaPath media = MediaPath.of(request.app(), request.path());
        String scope;
        if (media.kind().isManifest()) {
            String folder = media.folder();
            scope = request.app() + "/" + (folder.isEmpty() ? "" : folder + "/");
        } else {
            scope = request.app() + "/" + request.path();
        }
        return scope.length() <= MAX_SCOPE ? shared(scope) : NOTHING;
    }

    /**
     * Scopes made lately, by their text: the playbacks of many tickets have the same scope (an
     * app's package folder), and every continuing request compares its path with it, so one shared
     * copy stays in the CPU's caches where a copy per ticket is a cache miss or two per decision
     * (and some 60 bytes per playback). Lossy and bounded: a slot holds the last scope that fell
     * in it; strings are immutable, so the slots need no lock.
     */
    private static final String[] RECENT_SCOPES = new String[1024];

    private static String shared(String scope) {
        int h = scope.hashCode();
        int slot = (h ^ (h >>> 16)) & (RECENT_SCOPES.length - 1);
        String kept = RECENT_SCOPES[slot];
        if (scope.equals(kept)) {
            return kept;
        }
        RECENT_SCOPES[slot] = scope;
        return scope;
    }
}
