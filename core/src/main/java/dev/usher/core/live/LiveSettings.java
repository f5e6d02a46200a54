package dev.usher.core.live;

import dev.usher.core.config.ConfigReader;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Base64;

/**
 * The operator's settings for live publishing ({@code usher.live.*}, {@code usher.ingest.*}).
 *
 * @param openPublishing     whether {@code sevu.addstreamuser} with user and pass null may open a
 *                           stream to anyone (off by default: an open stream is anyone's broadcast)
 * @param maxStreamUsers     stream users per API account (2072 beyond)
 * @param passwordKey        the key of password hashes; null = random for this node
 * @param zone               the zone crontab schedules are read in
 * @param ingestDir          where live streams are stored (null: ingest disabled)
 * @param maxObjectBytes     largest segment or init segment accepted (413 beyond)
 * @param maxPlaylistBytes   largest encoder playlist accepted (413 beyond)
 * @param minFreeBytes       free space below which uploads are refused (507)
 * @param bodyTimeout        the whole time an upload may take to arrive
 * @param endedGrace         how long an ended playlist stays readable before it goes away
 * @param minPlaylistTimeout the smallest {@code playlist_timeout} accepted (60 as documented;
 *                           lower only for tests and demonstrations)
 * @param nodeId             this node's name in the ingest leases ({@code usher.ingest.node-id};
 *                           random per start by default)
 * @param leaseTime          how long a node's claim on a stream lasts without an upload or a renewal
 */
public record LiveSettings(boolean openPublishing, int maxStreamUsers, byte[] passwordKey, ZoneId zone,
                           Path ingestDir, long maxObjectBytes, int maxPlaylistBytes, long minFreeBytes,
                           Duration bodyTimeout, Duration endedGrace, int minPlaylistTimeout, String nodeId,
                           Duration leaseTime) {

    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

    public static LiveSettings defaults() {
        return new LiveSettings(false, 100, null, ZoneId.of("UTC"), null, 64L << 20, 256 << 10, 256L << 20,
                Duration.ofSeconds(30), Duration.ofSeconds(30), DvrSettings.MIN_TIMEOUT_SECONDS, randomNodeId(), DEFAULT_LEASE);
    }

    /** A node id no other start will have: 12 hex digits from SecureRandom (no host name: no lookup). */
    static String randomNodeId() {
        byte[] b = new byte[6];
        new java.security.SecureRandom().nextBytes(b);
        return "node-" + java.util.HexFormat.of().formatHex(b);
    }

    /** @return these settings with another node id (a node's id is drawn at random unless configured) */
    public LiveSettings withNodeId(String id) {
        return new LiveSettings(openPublishing, maxStreamUsers, passwordKey, zone, ingestDir, maxObjectBytes, maxPlaylistBytes,
                minFreeBytes, bodyTimeout, endedGrace, minPlaylistTimeout, id, leaseTime);
    }

    public LiveSettings withIngestDir(Path dir) {
        return new LiveSettings(openPublishing, maxStreamUsers, passwordKey, zone, dir, maxObjectBytes, maxPlaylistBytes,
                minFreeBytes, bodyTimeout, endedGrace, minPlaylistTimeout, nodeId, leaseTime);
    }

    public LiveSettings withOpenPublishing(boolean open) {
        return new LiveSettings(open, maxStreamUsers, passwordKey, zone, ingestDir, maxObjectBytes, maxPlaylistBytes,
                minFreeBytes, bodyTimeout, endedGrace, minPlaylistTimeout, nodeId, leaseTime);
    }

    public LiveSettings withMaxStreamUsers(int max) {
        return new LiveSettings(openPublishing, max, passwordKey, zone, ingestDir, maxObjectBytes, maxPlaylistBytes,
                minFreeBytes, bodyTimeout, endedGrace, minPlaylistTimeout, nodeId, leaseTime);
    }

    public LiveSettings withLimits(long maxObject, int maxPlaylist, long minFree) {
        return new LiveSettings(openPublishing, maxStreamUsers, passwordKey, zone, ingestDir, maxObject, maxPlaylist,
                minFree, bodyTimeout, endedGrace, minPlaylistTimeout, nodeId, leaseTime);
    }

    public LiveSettings withPasswordKey(byte[] key) {
        return new LiveSettings(openPublishing, maxStreamUsers, key, zone, ingestDir, maxObjectBytes, maxPlaylistBytes,
                minFreeBytes, bodyTimeout, endedGrace, minPlaylistTimeout, nodeId, leaseTime);
    }

    public LiveSettings withNode(String id, Duration lease) {
        return new LiveSettings(openPublishing, maxStreamUsers, passwordKey, zone, ingestDir, maxObjectBytes, maxPlaylistBytes,
                minFreeBytes, bodyTimeout, endedGrace, minPlaylistTimeout, id, lease);
    }

    public LiveSettings withBodyTimeout(Duration timeout) {
        return new LiveSettings(openPublishing, maxStreamUsers, passwordKey, zone, ingestDir, maxObjectBytes, maxPlaylistBytes,
                minFreeBytes, timeout, endedGrace, minPlaylistTimeout, nodeId, leaseTime);
    }

    /** Reads every key, adding problems to {@code config}. */
    public static LiveSettings from(ConfigReader config) {
        LiveSettings d = defaults();
        byte[] key = null;
        String rawKey = config.string("usher.live.password-key", null);
        if (rawKey != null) {
            try {
                key = Base64.getDecoder().decode(rawKey);
                if (key.length < 32) {
                    config.problem("usher.live.password-key: needs at least 32 bytes (base64), has " + key.length);
                    key = null;
                } else if (dev.usher.core.config.PublishedSecrets.isPublished(key)) {
                    config.problem("usher.live.password-key is a published value (it appears in Usher's own files): "
                            + "set a key of your own, e.g. 32 random bytes in base64");
                    key = null;
                }
            } catch (IllegalArgumentException e) {
                config.problem("usher.live.password-key: not base64");
            }
        }
        String node = config.string("usher.ingest.node-id", null);
        if (node != null && !LiveNames.simple(node)) {
            config.problem("usher.ingest.node-id: '" + dev.usher.core.log.LogText.safe(node.substring(0, Math.min(64, node.length())))
                    + "' is not a simple name (letters, digits, _ - ., at most 64)");
            node = null;
        }
        Duration lease = config.duration("usher.ingest.lease-time", d.leaseTime());
        if (lease.compareTo(Duration.ofSeconds(5)) < 0 || lease.compareTo(Duration.ofHours(1)) > 0) {
            config.problem("usher.ingest.lease-time: " + lease + " is outside 5s..1h");
            lease = d.leaseTime();
        }
        String dir = config.string("usher.ingest.dir", null);
        Path ingest = null;
        if (dir != null) {
            try {
                ingest = Path.of(dir).toAbsolutePath().normalize();
            } catch (RuntimeException e) {
                config.problem("usher.ingest.dir: '" + dir + "' is not a path");
            }
        }
        return new LiveSettings(
                config.bool("usher.live.open-publishing", d.openPublishing()),
                config.integer("usher.live.max-stream-users", d.maxStreamUsers(), 1, 1_000_000),
                key,
                config.zone("usher.time-zone", d.zone()),
                ingest,
                config.integer("usher.ingest.max-object-mb", (int) (d.maxObjectBytes() >> 20), 1, 4096) * (1L << 20),
                config.integer("usher.ingest.max-playlist-kb", d.maxPlaylistBytes() >> 10, 4, 16384) << 10,
                config.integer("usher.ingest.min-free-mb", (int) (d.minFreeBytes() >> 20), 0, Integer.MAX_VALUE) * (1L << 20),
                config.duration("usher.ingest.body-timeout", d.bodyTimeout()),
                config.duration("usher.live.ended-grace", d.endedGrace()),
                config.integer("usher.live.min-playlist-timeout", d.minPlaylistTimeout(), 1, DvrSettings.MIN_TIMEOUT_SECONDS),
                node != null ? node : d.nodeId(), lease);
    }
}
