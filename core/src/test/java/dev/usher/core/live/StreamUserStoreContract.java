package dev.usher.core.live;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What every StreamUserStore does, run on each of them. */
public abstract class StreamUserStoreContract {

    protected abstract StreamUserStore newStore() throws Exception;

    protected void release() throws Exception {
    }

    protected StreamUserStore store;
    static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

    @BeforeEach
    void open() throws Exception {
        store = newStore();
    }

    @AfterEach
    void close() throws Exception {
        release();
    }

    static StreamUser user(long cdn, String app, String stream, String name) {
        return new StreamUser(cdn, app, stream, name, name == null ? null : "v1$salt$hash-of-" + name,
                new RecordSettings(true, "event", "schedule", "*/15 * * * *", "folder_1"),
                new DvrSettings(6, Duration.ofSeconds(120), false), "G-ABC123", T);
    }

    @Test
    void everyFieldComesBackAsStored() {
        StreamUser u = user(158, "live", "cam", "cam_user");
        assertTrue(store.put(u, 10));
        assertEquals(u, store.get("live", "cam").orElseThrow());
        StreamUser open = new StreamUser(158, "live", "free", null, null, RecordSettings.NONE, DvrSettings.DEFAULTS, "", T);
        assertTrue(store.put(open, 10));
        assertEquals(open, store.get("live", "free").orElseThrow());
        assertTrue(store.get("live", "other").isEmpty());
    }

    @Test
    void putReplacesTheUserOfTheSameAppAndStreamAndTheLimitCountsAccounts() {
        assertTrue(store.put(user(158, "live", "a", "u1"), 2));
        assertTrue(store.put(user(158, "live", "a", "u2"), 2));
        assertEquals("u2", store.get("live", "a").orElseThrow().user());
        assertTrue(store.put(user(158, "live", "b", "u3"), 2));
        assertFalse(store.put(user(158, "live", "c", "u4"), 2), "over the limit");
        assertTrue(store.get("live", "c").isEmpty());
        assertTrue(store.put(user(158, "live", "b", "u5"), 2), "replacing does not count");
        assertTrue(store.put(user(28, "other", "c", "u6"), 2), "another account has its own limit");
        assertEquals(2, store.list(158, null).size());
    }

    @Test
    void listRemoveAndByUser() {
        store.put(user(158, "live", "b", "same"), 10);
        store.put(user(158, "live", "a", "x"), 10);
        store.put(user(158, "tv", "a", "same"), 10);
        store.put(user(28, "radio", "a", "same"), 10);
        assertEquals(List.of("live/a", "live/b", "tv/a"), store.list(158, null).stream().map(StreamUser::id).toList());
        assertEquals(List.of("tv/a"), store.list(158, "tv").stream().map(StreamUser::id).toList());
        assertEquals(3, store.byUser("same").size());
        assertFalse(store.remove(28, "live", "a"), "another account's");
        assertTrue(store.remove(158, "live", "a"));
        assertFalse(store.remove(158, "live", "a"));
        assertTrue(store.get("live", "a").isEmpty());
    }
}
