package dev.usher.sample;

import java.util.List;
import java.util.Optional;

/** The demo videos: one per delivery format, all under the app {@value #APP}. */
public final class Catalog {

    /** The application of every demo video; begins with the demo account's {@code username-}, as v2 requires. */
    public static final String APP = "demo-vod";

    /**
     * One entry of the catalog.
     *
     * @param id     what the player page and {@code /api/play?format=} name it by
     * @param video  the video's name, shown in the catalog and on the player
     * @param badge  the delivery format in a word or two
     * @param title  how it is delivered, shown in the catalog
     * @param player {@code hls} (hls.js), {@code dash} (dash.js) or {@code video} (a plain {@code <video>})
     * @param path   the file under the app that the player opens
     * @param vault  true when it is served by the {@code @ProtectedMedia} JAX-RS resource rather than the filter
     */
    public record Format(String id, String video, String badge, String title, String player, String path, boolean vault) {
    }

    private static final String REEL = "Demo reel";

    public static final List<Format> FORMATS = List.of(
            new Format("hls-ts", REEL, "HLS", "MPEG-TS segments, two renditions (hls.js)", "hls", "hls-ts/master.m3u8", false),
            new Format("hls-fmp4", REEL, "HLS", "fMP4 segments, two renditions (hls.js)", "hls", "hls-fmp4/master.m3u8", false),
            new Format("dash", REEL, "DASH", "fMP4 segments (dash.js)", "dash", "dash/manifest.mpd", false),
            new Format("mp4", REEL, "MP4", "one file, progressive download", "video", "mp4/demo.mp4", false),
            new Format("vault", REEL + " from the vault", "MP4", "served by a JAX-RS resource annotated @ProtectedMedia",
                    "video", "mp4/demo.mp4", true));

    private Catalog() {
    }

    public static Optional<Format> byId(String id) {
        return FORMATS.stream().filter(f -> f.id().equals(id)).findFirst();
    }
}
