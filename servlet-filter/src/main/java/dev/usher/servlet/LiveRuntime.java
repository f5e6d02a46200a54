package dev.usher.servlet;

import dev.usher.core.api.LiveCommands;
import dev.usher.core.config.ConfigReader;
import dev.usher.core.live.InMemoryStreamUserStore;
import dev.usher.core.live.LiveSettings;
import dev.usher.core.live.PublisherLog;
import dev.usher.core.live.StreamUsers;
import dev.usher.core.time.SevuTime;

import java.time.Clock;

/**
 * Live publishing's part of a runtime: the stream users, the publisher log, the API's live
 * commands and (when {@code usher.ingest.dir} is set) the live streams the ingest servlet feeds.
 */
public final class LiveRuntime {

    private final LiveSettings settings;
    private final StreamUsers users;
    private final PublisherLog log;
    private final LiveCommands commands;

    public LiveRuntime(LiveSettings settings, StreamUsers users, PublisherLog log, SevuTime time) {
        this.settings = settings;
        this.users = users;
        this.log = log;
        this.commands = new LiveCommands(users, log, time);
    }

    /** From configuration, in this node's memory; problems are added to {@code config}. */
    static LiveRuntime fromConfig(ConfigReader config, SevuTime time, Clock clock) {
        LiveSettings settings = LiveSettings.from(config);
        return new LiveRuntime(settings, new StreamUsers(new InMemoryStreamUserStore(), settings, clock),
                new PublisherLog(PublisherLog.DEFAULT_CAPACITY), time);
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
}
