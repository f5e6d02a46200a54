package dev.usher.servlet;

import dev.usher.core.UsherConfiguration;
import dev.usher.core.api.LiveCommands;
import dev.usher.core.api.CommandGroup;
import dev.usher.core.api.RecordingCommands;
import dev.usher.core.config.ConfigReader;
import dev.usher.core.live.DvrSettings;
import dev.usher.core.live.InMemoryStreamUserStore;
import dev.usher.core.live.LiveSettings;
import dev.usher.core.live.PublisherLog;
import dev.usher.core.live.StreamUser;
import dev.usher.core.live.StreamUserStore;
import dev.usher.core.live.StreamUsers;
import dev.usher.core.live.RecordSettings;
import dev.usher.core.live.record.Recorder;
import dev.usher.core.live.record.RecordingListeners;
import dev.usher.core.live.record.RecordingSettings;
import dev.usher.core.live.jdbc.JdbcStreamUserStore;
import dev.usher.core.repository.TicketRepository;
import dev.usher.core.repository.jdbc.JdbcTicketRepository;
import dev.usher.core.live.jdbc.JdbcIngestLeases;
import dev.usher.core.live.stream.FileSegmentStore;
import dev.usher.core.live.stream.InMemoryIngestLeases;
import dev.usher.core.live.stream.IngestLeases;
import dev.usher.core.live.stream.IngestNode;
import dev.usher.core.live.stream.LiveStreams;
import dev.usher.core.time.SevuTime;

import java.util.List;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;

/**
 * Live publishing's part of a runtime: the stream users, the publisher log, the API's live
 * commands, the ingest leases and (when {@code usher.ingest.dir} is set) the live streams the
 * ingest servlet feeds. Over a JDBC ticket repository the stream users and the leases are in its
 * database, so nodes agree on who may publish and which node ingests a stream.
 */
public final class LiveRuntime {

    private final LiveSettings settings;
    private final StreamUsers users;
    private final PublisherLog log;
    private final List<CommandGroup> commands;
    private final LiveStreams streams;
    private final Recorder recorder;
    private final RecordingListeners recordingListeners;
    private final java.util.Map<String, Long> diskLowTold = new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.time.Duration DISK_LOW_EVERY = java.time.Duration.ofMinutes(1);
    private final IngestNode node;

    public LiveRuntime(LiveSettings settings, StreamUsers users, PublisherLog log, SevuTime time, LiveStreams streams,
                       IngestNode node) {
        this(settings, users, log, time, streams, node, null, new RecordingListeners());
    }

    private LiveRuntime(LiveSettings settings, StreamUsers users, PublisherLog log, SevuTime time, LiveStreams streams,
                        IngestNode node, Recorder recorder, RecordingListeners recordingListeners) {
        this.settings = settings;
        this.users = users;
        this.log = log;
        this.commands = List.of(new LiveCommands(users, log, time), new RecordingCommands(recorder, time));
        this.streams = streams;
        this.recorder = recorder;
        this.recordingListeners = recordingListeners;
        this.node = node;
    }

    /**
     * Stream users in this node's memory and, when {@code settings} name an ingest folder, live
     * streams stored there, on {@code clock}.
     *
     * @throws IOException when the ingest folder can't be made
     */
    public static LiveRuntime create(LiveSettings settings, SevuTime time, Clock clock) throws IOException {
        return create(settings, time, clock, new InMemoryStreamUserStore(), new InMemoryIngestLeases());
    }

    /**
     * As {@link #create(LiveSettings, SevuTime, Clock)}, with the stream users in {@code store} and
     * the ingest leases (which node ingests which stream) in {@code leases}, recording with the
     * defaults of the ingest folder.
     */
    public static LiveRuntime create(LiveSettings settings, SevuTime time, Clock clock, StreamUserStore store,
                                     IngestLeases leases) throws IOException {
        RecordingSettings recordings = settings.ingestDir() == null ? null
                : RecordingSettings.defaults(settings.ingestDir(), settings.zone()).withMinFreeBytes(settings.minFreeBytes());
        return create(settings, recordings, time, clock, store, leases);
    }

    /**
     * As {@link #create(LiveSettings, SevuTime, Clock, StreamUserStore, IngestLeases)}, recording as
     * {@code recordings} say (null: no recording). Recordings a stopped server left unfinished
     * are finished here, before ingest starts.
     */
    public static LiveRuntime create(LiveSettings settings, RecordingSettings recordings, SevuTime time, Clock clock,
                                     StreamUserStore store, IngestLeases leases) throws IOException {
        StreamUsers users = new StreamUsers(store, settings, clock);
        LiveStreams streams = null;
        Recorder recorder = null;
        RecordingListeners listeners = new RecordingListeners();
        if (settings.ingestDir() != null) {
            if (recordings != null) {
                recorder = new Recorder(recordings, settings.ingestDir(), (app, stream) -> users.settingsOf(app, stream)
                        .map(StreamUser::record).orElse(RecordSettings.NONE), listeners, clock);
            }
            streams = new LiveStreams(new FileSegmentStore(settings.ingestDir(), settings.nodeId()), clock, settings.endedGrace(),
                    (app, stream) -> users.settingsOf(app, stream).map(StreamUser::dvr).orElse(DvrSettings.DEFAULTS),
                    (app, stream) -> leases.current(app, stream, clock.instant()).filter(l -> !l.heldBy(settings.nodeId())).isPresent(),
                    recorder == null ? dev.usher.core.live.stream.SegmentListener.NONE : recorder);
        }
        return new LiveRuntime(settings, users, new PublisherLog(PublisherLog.DEFAULT_CAPACITY), time, streams,
                new IngestNode(settings.nodeId(), leases, settings.leaseTime(), clock), recorder, listeners);
    }

    /**
     * From the live part of {@code configuration}; problems (the folder, the stream users' table) are
     * added to {@code config}. Over a JDBC ticket repository the
     * stream users live in the same database ({@code usher_stream_users}), so every node agrees.
     */
    static LiveRuntime fromConfig(ConfigReader config, UsherConfiguration configuration, SevuTime time, Clock clock,
                                  TicketRepository repository) {
        LiveSettings settings = configuration.live();
        StreamUserStore store;
        IngestLeases leases = new InMemoryIngestLeases();
        if (repository instanceof JdbcTicketRepository jdbc) {
            if (settings.passwordKey() == null) {
                // Every node must verify the stream passwords the others hashed: a node that ingests can't start
                // without the shared key; one that doesn't is only warned (its sevu.addstreamuser would hash with
                // a key nobody else has).
                String why = "usher.live.password-key is required when nodes share a repository "
                        + "(every node must verify the stream passwords the others hashed)";
                if (settings.ingestDir() != null) {
                    config.problem(why);
                } else {
                    System.getLogger("dev.usher.live").log(System.Logger.Level.WARNING, why);
                }
            }
            try {
                boolean createSchema = configuration.store().createSchema();
                store = new JdbcStreamUserStore(jdbc.dataSource(), createSchema);
                leases = new JdbcIngestLeases(jdbc.dataSource(), createSchema);
            } catch (RuntimeException e) {
                config.problem("usher_stream_users: " + e.getMessage());
                store = new InMemoryStreamUserStore();
            }
        } else {
            store = new InMemoryStreamUserStore();
        }
        RecordingSettings recordings = configuration.recordings();
        try {
            return create(settings, recordings, time, clock, store, leases);
        } catch (IOException | RuntimeException e) {
            config.problem("usher.ingest.dir: can't use '" + settings.ingestDir() + "': " + e.getMessage());
            try {
                return create(settings.withIngestDir(null), time, clock, store, leases);
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

    public List<CommandGroup> commands() {
        return commands;
    }

    /** @return the recorder, when ingest is configured ({@code usher.ingest.dir}) */
    public Optional<Recorder> recorder() {
        return Optional.ofNullable(recorder);
    }

    /** Register here to hear of recordings starting and finishing, and of a disk too full to record or ingest. */
    public RecordingListeners recordingListeners() {
        return recordingListeners;
    }

    /** Ingest was refused for free space (507): the operator hears it as an event too, not only in the publisher log. */
    public void diskLow(String app, String stream, long freeBytes) {
        long now = System.nanoTime();
        Long last = diskLowTold.get(app + "/" + stream);
        // Once a minute per stream: every refused upload is in the publisher log; the event is the alarm.
        if ((last == null || now - last > DISK_LOW_EVERY.toNanos()) && diskLowTold.size() < 10_000) {
            diskLowTold.put(app + "/" + stream, now);
            recordingListeners.diskLow(app, stream, freeBytes, settings.minFreeBytes());
        }
    }

    /** @return this node's claim on the streams it ingests (the leases every node shares) */
    public IngestNode node() {
        return node;
    }

    /** @return the live streams, when ingest is configured ({@code usher.ingest.dir}) */
    public Optional<LiveStreams> streams() {
        return Optional.ofNullable(streams);
    }
}
