package dev.usher.servlet;

import dev.usher.core.api.LiveCommands;
import dev.usher.core.config.ConfigReader;
import dev.usher.core.live.DvrSettings;
import dev.usher.core.live.InMemoryStreamUserStore;
import dev.usher.core.live.LiveSettings;
import dev.usher.core.live.PublisherLog;
import dev.usher.core.live.StreamUser;
import dev.usher.core.live.StreamUsers;
import dev.usher.core.live.stream.FileSegmentStore;
import dev.usher.core.live.stream.LiveStreams;
import dev.usher.core.time.SevuTime;

import java.io.IOException;
import java.time.Clock;
import java.util.Optional;

/**
 * Live publishing's part of a runtime: the stream users, the publisher log, the API's live
 * commands and (when {@code usher.ingest.dir} is set) the live streams the ingest servlet feeds.
 */
public final class LiveRuntime {

    private final LiveSettings settings;
    private final StreamUsers users;
    private final PublisherLog log;
    private final LiveCommands commands;
    private final LiveStreams streams;

    public LiveRuntime(LiveSettings settings, StreamUsers users, PublisherLog log, SevuTime time, LiveStreams streams) {
        this.settings = settings;
        this.users = users;
        this.log = log;
        this.commands = new LiveCommands(users, log, time);
        this.streams = streams;
    }

    /**
     * Stream users in this node's memory and, when {@code settings} name an ingest folder, live
     * streams stored there, on {@code clock}.
     *
     * @throws IOException when the ingest folder can't be made
     */
    public static LiveRuntime create(LiveSettings settings, SevuTime time, Clock clock) throws IOException {
        StreamUsers users = new StreamUsers(new InMemoryStreamUserStore(), settings, clock);
        LiveStreams streams = null;
        if (settings.ingestDir() != null) {
            streams = new LiveStreams(new FileSegmentStore(settings.ingestDir()), clock, settings.endedGrace(),
                    (app, stream) -> users.settingsOf(app, stream).map(StreamUser::dvr).orElse(DvrSettings.DEFAULTS));
        }
        return new LiveRuntime(settings, users, new PublisherLog(PublisherLog.DEFAULT_CAPACITY), time, streams);
    }

    /** From configuration; problems are added to {@code config}. */
    static LiveRuntime fromConfig(ConfigReader config, SevuTime time, Clock clock) {
        LiveSettings settings = LiveSettings.from(config);
        try {
            return create(settings, time, clock);
        } catch (IOException | RuntimeException e) {
            config.problem("usher.ingest.dir: can't use '" + settings.ingestDir() + "': " + e.getMessage());
            try {
                return create(settings.withIngestDir(null), time, clock);
            } catch (IOException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
    }

    public LiveSettings settings() {
        return settings;
    }

    public StreamUsers users() {
        return users;
    }

    public PublisherLog log() {
        return log;
    }

    public LiveCommands commands() {
        return commands;
    }

    /** @return the live streams, when ingest is configured ({@code usher.ingest.dir}) */
    public Optional<LiveStreams> streams() {
        return Optional.ofNullable(streams);
    }
}
