package dev.usher.core.live;

import java.time.Instant;
import java.util.Objects;

/**
 * Who may publish to a stream of an app: one per (app, stream), {@code stream = "*"} for every
 * stream of the app. The password is kept only as {@code passwordHash} (see {@link PasswordHasher}).
 *
 * @param cdnId        the API account that created it
 * @param app          the application
 * @param stream       the stream, or {@code *}
 * @param user         the user name, or null for open publishing
 * @param passwordHash the keyed hash of the password, or null for open publishing
 * @param created      when it was (last) set
 */
public record StreamUser(long cdnId, String app, String stream, String user, String passwordHash,
                         RecordSettings record, DvrSettings dvr, String gaKey, Instant created) {

    public static final String ALL_STREAMS = "*";

    public StreamUser {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(dvr, "dvr");
        Objects.requireNonNull(created, "created");
        if ((user == null) != (passwordHash == null)) {
            throw new IllegalArgumentException("user and password are both set or both null");
        }
    }

    /** @return whether this user publishes without authentication */
    public boolean open() {
        return user == null;
    }

    /** @return a stable name of this account in logs and ownership ("app/stream") */
    public String id() {
        return app + "/" + stream;
    }
}
