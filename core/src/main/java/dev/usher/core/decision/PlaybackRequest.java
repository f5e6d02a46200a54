package dev.usher.core.decision;

import dev.usher.core.media.MediaPath;
import dev.usher.core.net.IpAddress;

import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.LongPredicate;

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
 * @param path         the full path requested under the app (a manifest, a variant playlist, a segment, a file):
 *                     what decides whether the request lies inside an open playback ({@link Playback#covers});
 *                     when not given, the manifest path or else the video; normalized by the adapter (a path
 *                     with an empty, {@code .} or {@code ..} segment continues and covers nothing)
 * @param appInstance  the application instance (reported as {@code appinst})
 * @param pageUrl      the page that plays (logged as {@code pageurl}; the {@code Referer} header), when known
 * @param referrer     how the viewer reached that page (logged as {@code refurl}; the playback URL's
 *                     {@code refurl} parameter), when known
 * @param appOwner     whether a ticket of a given account (cdn id) may open {@code app}: its account must
 *                     own the app ({@link dev.usher.core.account.AppNamespaces#mayOpen}); null lets every
 *                     account's ticket open it (a service used without API accounts)
 * @param otherViewers how many viewers of the ticket other than this request's player are active now
 *                     (for a ticket's {@code concurrent} rule); called only for a ticket with that rule,
 *                     so no viewer store is read otherwise; null counts none
 */
public record PlaybackRequest(String key, String pass, IpAddress client, String app, String video,
                              String manifestPath, String path, String appInstance, String pageUrl, String referrer,
                              LongPredicate appOwner, IntSupplier otherViewers) {

    /** A request without a count of other viewers (see {@link #withOtherViewers}). */
    public PlaybackRequest(String key, String pass, IpAddress client, String app, String video,
                           String manifestPath, String path, String appInstance, String pageUrl, String referrer,
                           LongPredicate appOwner) {
        this(key, pass, client, app, video, manifestPath, path, appInstance, pageUrl, referrer, appOwner, null);
    }

    /** A request that any account's ticket may open, as far as app ownership goes (see {@link #withAppOwner}). */
    public PlaybackRequest(String key, String pass, IpAddress client, String app, String video,
                           String manifestPath, String appInstance, String pageUrl, String referrer) {
        this(key, pass, client, app, video, manifestPath, null, appInstance, pageUrl, referrer, null);
    }

    /** A request whose path is its manifest path or else its video. */
    public PlaybackRequest(String key, String pass, IpAddress client, String app, String video,
                           String manifestPath, String appInstance, String pageUrl, String referrer,
                           LongPredicate appOwner) {
        this(key, pass, client, app, video, manifestPath, null, appInstance, pageUrl, referrer, appOwner);
    }

    /**
     * The request for {@code media}, as a guard in front of media makes it.
     *
     * @param pageUrl  the page that plays (the {@code Referer} header), or null
     * @param referrer how the viewer reached that page (the {@code refurl} parameter), or null
     */
    public static PlaybackRequest of(MediaPath media, String key, String pass, IpAddress client, String pageUrl,
                                     String referrer) {
        return new PlaybackRequest(key, pass, client, media.app(), media.video(), media.manifestPath(), media.path(),
                null, pageUrl, referrer, null);
    }

    /** @return this request, to be opened only by tickets of accounts {@code owner} accepts */
    public PlaybackRequest withAppOwner(LongPredicate owner) {
        return new PlaybackRequest(key, pass, client, app, video, manifestPath, path, appInstance, pageUrl, referrer, owner,
                otherViewers);
    }

    /** @return this request, with the count of the ticket's other active viewers asked of {@code others} when needed */
    public PlaybackRequest withOtherViewers(IntSupplier others) {
        return new PlaybackRequest(key, pass, client, app, video, manifestPath, path, appInstance, pageUrl, referrer, appOwner,
                others);
    }

    /** @return the ticket's active viewers other than this request's player (0 when not known) */
    public int countOtherViewers() {
        return otherViewers == null ? 0 : otherViewers.getAsInt();
    }

    /** @return true when a ticket of account {@code cdnId} may open this request's app */
    public boolean appOwnedBy(long cdnId) {
        return appOwner == null || appOwner.test(cdnId);
    }

    /** The instance name reported when the adapter knows none (Wowza's default). */
    public static final String DEFAULT_INSTANCE = "_definst_";

    public PlaybackRequest {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(video, "video");
        path = path != null ? path : manifestPath != null ? manifestPath : video;
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
        return "PlaybackRequest[key=" + key + ", client=" + client + ", app=" + app + ", video=" + video
                + (path.equals(video) ? "" : ", path=" + path) + "]";
    }
}
