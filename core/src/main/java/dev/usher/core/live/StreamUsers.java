package dev.usher.core.live;

import dev.usher.core.time.Crontab;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static dev.usher.core.live.StreamUserException.Kind.CRONTAB;
import static dev.usher.core.live.StreamUserException.Kind.LIMIT;
import static dev.usher.core.live.StreamUserException.Kind.NOT_CREATED;
import static dev.usher.core.live.StreamUserException.Kind.SEGMENT_TYPE;
import static dev.usher.core.live.StreamUserException.Kind.SEGMENT_VALUE;

/**
 * The stream users of every account: created (or replaced) by {@code sevu.addstreamuser} after
 * every field is validated, listed and removed by Usher's own commands, and asked whether an
 * encoder may publish.
 */
public final class StreamUsers {

    public static final int MAX_USER = 64;
    public static final int MIN_PASS = 10;
    public static final int MAX_PASS = 256;
    public static final int MAX_GA_KEY = 64;
    public static final long MAX_SEGMENT_VALUE = 1_000_000;

    private final StreamUserStore store;
    private final PasswordHasher hasher;
    private final LiveSettings settings;
    private final Clock clock;

    public StreamUsers(StreamUserStore store, LiveSettings settings, Clock clock) {
        this.store = store;
        this.settings = settings;
        this.clock = clock;
        this.hasher = new PasswordHasher(settings.passwordKey() != null ? settings.passwordKey() : PasswordHasher.newKey());
    }

    public StreamUserStore store() {
        return store;
    }

    public LiveSettings settings() {
        return settings;
    }

    /**
     * Validates every field and stores the user, replacing the one of the same app and stream.
     *
     * @throws StreamUserException the first problem, with its documented kind; nothing is stored
     */
    public StreamUser add(long cdnId, StreamUserRequest r) throws StreamUserException {
        if (!LiveNames.simple(r.app())) {
            throw new StreamUserException(NOT_CREATED, "app", "app must be a simple name (letters, digits, _ - .; at most "
                    + LiveNames.MAX + ")");
        }
        if (!StreamUser.ALL_STREAMS.equals(r.stream()) && !LiveNames.simple(r.stream())) {
            throw new StreamUserException(NOT_CREATED, "stream", "stream must be a simple name or *");
        }
        String hash = credentials(r);
        RecordSettings record = record(r);
        DvrSettings dvr = dvr(r);
        String ga = r.gaKey() == null ? "" : r.gaKey();
        if (ga.length() > MAX_GA_KEY || !ga.chars().allMatch(c -> Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_')) {
            throw new StreamUserException(NOT_CREATED, "ga_key", "ga_key has letters, digits and dashes only, at most " + MAX_GA_KEY);
        }
        Optional<StreamUser> existing = store.get(r.app(), r.stream());
        if (existing.isPresent() && existing.get().cdnId() != cdnId) {
            throw new StreamUserException(NOT_CREATED, "stream", "this stream belongs to another account");
        }
        StreamUser user = new StreamUser(cdnId, r.app(), r.stream(), r.user(), hash, record, dvr, ga, clock.instant());
        if (!store.put(user, settings.maxStreamUsers())) {
            throw new StreamUserException(LIMIT, "stream", "this account has " + settings.maxStreamUsers()
                    + " stream users, the most allowed; remove one or replace one of the same app and stream");
        }
        return user;
    }

    private String credentials(StreamUserRequest r) throws StreamUserException {
        if (r.user() == null && r.pass() == null) {
            if (!settings.openPublishing()) {
                throw new StreamUserException(NOT_CREATED, "user", "publishing without authentication is disabled on this "
                        + "server (usher.live.open-publishing)");
            }
            return null;
        }
        if (r.user() == null || r.pass() == null) {
            throw new StreamUserException(NOT_CREATED, r.user() == null ? "user" : "pass",
                    "user and pass are both given, or both null to disable authentication");
        }
        if (r.user().isEmpty() || r.user().length() > MAX_USER
                || !r.user().chars().allMatch(c -> c > 0x20 && c < 0x7f && c != ':')) {
            throw new StreamUserException(NOT_CREATED, "user", "user has 1 to " + MAX_USER
                    + " visible ASCII characters and no ':' (HTTP Basic can't carry it)");
        }
        if (r.pass().length() < MIN_PASS || r.pass().length() > MAX_PASS) {
            throw new StreamUserException(NOT_CREATED, "pass", "pass has " + MIN_PASS + " to " + MAX_PASS + " characters");
        }
        if (!r.pass().chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            throw new StreamUserException(NOT_CREATED, "pass", "pass has no control characters");
        }
        return hasher.hash(r.pass());
    }

    private RecordSettings record(StreamUserRequest r) throws StreamUserException {
        String type = r.recordType() == null ? "stream" : r.recordType();
        if (!type.equals("stream") && !type.equals("event")) {
            throw new StreamUserException(NOT_CREATED, "record_type", "record_type is stream or event");
        }
        String segmentType = r.segmentType() == null ? "disabled" : r.segmentType();
        String value = r.segmentValue();
        switch (segmentType) {
            case "disabled" -> value = null;
            case "duration", "size" -> {
                long n;
                try {
                    n = value == null ? 0 : Long.parseLong(value.strip());
                } catch (NumberFormatException e) {
                    throw new StreamUserException(SEGMENT_VALUE, "segment_value", "segment_value of " + segmentType
                            + " is a whole number greater than 0");
                }
                if (n <= 0) {
                    throw new StreamUserException(SEGMENT_VALUE, "segment_value", "segment_value must be greater than 0");
                }
                if (n > MAX_SEGMENT_VALUE) {
                    throw new StreamUserException(NOT_CREATED, "segment_value", "segment_value is at most " + MAX_SEGMENT_VALUE);
                }
                value = Long.toString(n);
            }
            case "schedule" -> {
                Crontab crontab;
                try {
                    crontab = Crontab.parse(value);
                } catch (IllegalArgumentException e) {
                    throw new StreamUserException(CRONTAB, "segment_value", e.getMessage());
                }
                if (!crontab.firesAfter(clock.instant(), settings.zone())) {
                    throw new StreamUserException(CRONTAB, "segment_value", "'" + crontab.text() + "' never fires within "
                            + Crontab.HORIZON_YEARS + " years");
                }
                value = crontab.text();
            }
            default -> throw new StreamUserException(SEGMENT_TYPE, "segment_type", null);
        }
        String folder = r.saveFolder();
        if (folder != null && !folder.isEmpty() && !LiveNames.folder(folder)) {
            throw new StreamUserException(NOT_CREATED, "save_folder", "save_folder has letters, digits, dashes and underscores only, at most "
                    + LiveNames.MAX);
        }
        return new RecordSettings(Boolean.TRUE.equals(r.record()), type, segmentType, value,
                folder == null || folder.isEmpty() ? null : folder);
    }

    private DvrSettings dvr(StreamUserRequest r) throws StreamUserException {
        int count = r.playlistCount() == null ? DvrSettings.DEFAULTS.playlistCount() : r.playlistCount();
        if (count < DvrSettings.MIN_COUNT || count > DvrSettings.MAX_COUNT) {
            throw new StreamUserException(NOT_CREATED, "playlist_count", "playlist_count is between " + DvrSettings.MIN_COUNT
                    + " and " + DvrSettings.MAX_COUNT);
        }
        int timeout = r.playlistTimeout() == null ? (int) DvrSettings.DEFAULTS.playlistTimeout().toSeconds() : r.playlistTimeout();
        if (timeout < settings.minPlaylistTimeout() || timeout > DvrSettings.MAX_TIMEOUT_SECONDS) {
            throw new StreamUserException(NOT_CREATED, "playlist_timeout", "playlist_timeout is between "
                    + settings.minPlaylistTimeout() + " and " + DvrSettings.MAX_TIMEOUT_SECONDS + " seconds");
        }
        return new DvrSettings(count, Duration.ofSeconds(timeout), r.enableDvr() == null || r.enableDvr());
    }

    public List<StreamUser> list(long cdnId, String app) {
        return store.list(cdnId, app);
    }

    /** @throws StreamUserException NOT_FOUND when the account has no user of that app and stream */
    public void remove(long cdnId, String app, String stream) throws StreamUserException {
        if (!store.remove(cdnId, app, stream)) {
            throw new StreamUserException(StreamUserException.Kind.NOT_FOUND, "stream", null);
        }
    }

    /** @return the settings that apply to a stream: its own user's, else its app's {@code *} user's */
    public Optional<StreamUser> settingsOf(String app, String stream) {
        return store.get(app, stream).or(() -> store.get(app, StreamUser.ALL_STREAMS));
    }

    /**
     * Decides whether an encoder may publish to {@code app/stream} with these Basic credentials
     * (both null when it sent none). The stream's own user and the app's {@code *} user are
     * accepted; credentials of another stream are told apart (403) from wrong ones (401).
     */
    public PublishAuth authenticate(String app, String stream, String user, String pass) {
        Optional<StreamUser> own = store.get(app, stream);
        Optional<StreamUser> all = store.get(app, StreamUser.ALL_STREAMS);
        for (Optional<StreamUser> candidate : List.of(own, all)) {
            if (candidate.isPresent() && candidate.get().open() && settings.openPublishing()) {
                return new PublishAuth(PublishAuth.Outcome.GRANTED, candidate.get(), "open publishing");
            }
        }
        if (user == null || pass == null) {
            return new PublishAuth(PublishAuth.Outcome.UNAUTHENTICATED, null, "no credentials");
        }
        boolean granted = false;
        StreamUser as = null;
        for (Optional<StreamUser> candidate : List.of(own, all)) {
            if (candidate.isPresent() && !candidate.get().open()) {
                // Both are checked every time, so the time taken does not tell which one exists.
                boolean match = equal(candidate.get().user(), user) & hasher.verify(pass, candidate.get().passwordHash());
                if (match && !granted) {
                    granted = true;
                    as = candidate.get();
                }
            }
        }
        if (granted) {
            return new PublishAuth(PublishAuth.Outcome.GRANTED, as, "user " + user);
        }
        for (StreamUser other : store.byUser(user)) {
            if (!other.open() && hasher.verify(pass, other.passwordHash())) {
                return new PublishAuth(PublishAuth.Outcome.FORBIDDEN, null, "user " + user + " publishes to "
                        + other.id() + ", not to " + app + "/" + stream);
            }
        }
        return new PublishAuth(PublishAuth.Outcome.UNAUTHENTICATED, null,
                own.isEmpty() && all.isEmpty() ? "no stream user for " + app + "/" + stream : "wrong user or password");
    }

    private static boolean equal(String a, String b) {
        return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
