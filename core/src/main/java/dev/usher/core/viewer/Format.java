package dev.usher.core.viewer;

import java.util.Locale;

/** How a viewer plays: the kind of its entry. */
public enum Format {
    HLS, DASH, MP4, OTHER;

    /** @return the name in API answers: {@code hls}, {@code dash}, {@code mp4}, {@code other} */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
