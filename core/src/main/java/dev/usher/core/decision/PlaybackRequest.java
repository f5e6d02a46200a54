package dev.usher.core.decision;

import dev.usher.core.net.IpAddress;

import java.util.Objects;

/**
 * A viewer's request to enter a protected video with a ticket.
 *
 * @param key          the ticket key from the URL (may be anything a client sent)
 * @param pass         the pass from the URL
 * @param client       the client's address, as resolved by the adapter
 * @param app          the application the request is for
 * @param video        the video name: a file's path under the app, or an HLS/DASH package's folder
 * @param manifestPath the path of the manifest under the app when {@code video} is its folder, else null;
 *                     a ticket naming the manifest itself is honoured too
 * @param appInstance  the application instance (reported as {@code appinst})
 * @param pageUrl      the page the request came from, when known
 * @param referrer     the {@code Referer} header, when sent
 */
public record PlaybackRequest(String key, String pass, IpAddress client, String app, String video,
                              String manifestPath, String appInstance, String pageUrl, String referrer) {

    /** The instance name reported when the adapter knows none (Wowza's default). */
    public static final String DEFAULT_INSTANCE = "_definst_";

    public PlaybackRequest {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(video, "video");
        key = key == null ? "" : key;
        pass = pass == null ? "" : pass;
        appInstance = appInstance == null ? DEFAULT_INSTANCE : appInstance;
        pageUrl = pageUrl == null ? "" : cut(pageUrl);
        referrer = referrer == null ? "" : cut(referrer);
    }

    /** Longest page URL or referrer kept in the attempt log. */
    public static final int MAX_URL = 2048;

    private static String cut(String s) {
        return s.length() <= MAX_URL ? s : s.substring(0, MAX_URL);
    }

    /** A request with no manifest path, page or referrer. */
    public static PlaybackRequest of(String key, String pass, IpAddress client, String app, String video) {
        return new PlaybackRequest(key, pass, client, app, video, null, null, null, null);
    }

    /** The pass never appears in logs. */
    @Override
    public String toString() {
        return "PlaybackRequest[key=" + key + ", client=" + client + ", app=" + app + ", video=" + video + "]";
    }
}
