package dev.usher.core.live;

import dev.usher.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.usher.core.live.StreamUserException.Kind.CRONTAB;
import static dev.usher.core.live.StreamUserException.Kind.LIMIT;
import static dev.usher.core.live.StreamUserException.Kind.NOT_CREATED;
import static dev.usher.core.live.StreamUserException.Kind.SEGMENT_TYPE;
import static dev.usher.core.live.StreamUserException.Kind.SEGMENT_VALUE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamUsersTest {

    static final String PASS = "unique_random_string_per_request";
    final MutableClock clock = MutableClock.at("2026-12-01T10:00:00Z");
    final InMemoryStreamUserStore store = new InMemoryStreamUserStore();
    StreamUsers users = new StreamUsers(store, LiveSettings.defaults().withMaxStreamUsers(3), clock);

    /** Seed 004's request. */
    static StreamUserRequest seed() {
        return new StreamUserRequest("demo-origin", "mystream", "username_1", PASS, true, "stream", "size", "15",
                "stream_folder", 6, 600, true, "");
    }

    static StreamUserRequest with(String segmentType, String segmentValue) {
        StreamUserRequest s = seed();
        return new StreamUserRequest(s.app(), s.stream(), s.user(), s.pass(), s.record(), s.recordType(), segmentType,
                segmentValue, s.saveFolder(), s.playlistCount(), s.playlistTimeout(), s.enableDvr(), s.gaKey());
    }

    StreamUserException.Kind refused(StreamUserRequest r) {
        StreamUserException e = assertThrows(StreamUserException.class, () -> users.add(158, r));
        assertTrue(store.list(158, null).isEmpty(), "a refused request stores nothing");
        return e.kind();
    }

    @Test
    void theSeedRequestIsStoredWithEveryFieldAndOnlyAHashOfThePassword() throws Exception {
        StreamUser u = users.add(158, seed());
        assertEquals(new RecordSettings(true, "stream", "size", "15", "stream_folder"), u.record());
        assertEquals(new DvrSettings(6, Duration.ofSeconds(600), true), u.dvr());
        assertFalse(u.passwordHash().contains(PASS));
        assertTrue(u.passwordHash().startsWith("v1$"));
        assertTrue(users.authenticate("demo-origin", "mystream", "username_1", PASS).granted());
    }

    @Test
    void segmentTypeAndValueAndCrontabHaveTheirDocumentedKinds() {
        assertEquals(SEGMENT_TYPE, refused(with("weekly", "1")));
        assertEquals(SEGMENT_VALUE, refused(with("size", "0")));
        assertEquals(SEGMENT_VALUE, refused(with("duration", "-5")));
        assertEquals(SEGMENT_VALUE, refused(with("duration", null)));
        assertEquals(CRONTAB, refused(with("schedule", "61 * * * *")));
        assertEquals(CRONTAB, refused(with("schedule", "0 0 31 2 *")), "parses, but never fires");
    }

    @Test
    void validSchedulesAndDisabledAreAccepted() throws Exception {
        assertEquals("*/15 * * * *", users.add(158, with("schedule", "*/15  * * * *")).record().segmentValue());
        assertNull(users.add(158, with("disabled", "anything")).record().segmentValue());
    }

    @Test
    void everyOtherBadFieldIs2070WithItsReason() {
        StreamUserRequest s = seed();
        assertEquals(NOT_CREATED, refused(new StreamUserRequest("../x", "mystream", "u", PASS, null, null, null, null, null, null, null, null, null)));
        assertEquals(NOT_CREATED, refused(StreamUserRequest.of("demo-origin", "a/b", "u", PASS)));
        assertEquals(NOT_CREATED, refused(StreamUserRequest.of("demo-origin", "s", "u:x", PASS)));
        assertEquals(NOT_CREATED, refused(StreamUserRequest.of("demo-origin", "s", "u", "short")));
        assertEquals(NOT_CREATED, refused(StreamUserRequest.of("demo-origin", "s", null, PASS)));
        assertEquals(NOT_CREATED, refused(new StreamUserRequest("a", "s", "u", PASS, null, "film", null, null, null, null, null, null, null)));
        assertEquals(NOT_CREATED, refused(new StreamUserRequest("a", "s", "u", PASS, null, null, null, null, "../etc", null, null, null, null)));
        assertEquals(NOT_CREATED, refused(new StreamUserRequest("a", "s", "u", PASS, null, null, null, null, null, 3, null, null, null)));
        assertEquals(NOT_CREATED, refused(new StreamUserRequest("a", "s", "u", PASS, null, null, null, null, null, null, 59, null, null)));
        assertEquals(NOT_CREATED, refused(new StreamUserRequest("a", "s", "u", PASS, null, null, null, null, null, null, 1201, null, null)));
        assertEquals(NOT_CREATED, refused(new StreamUserRequest("a", "s", "u", PASS, null, null, null, null, null, null, null, null, "<script>")));
        StreamUserException e = assertThrows(StreamUserException.class, () -> users.add(158, StreamUserRequest.of("a", "s", "u", "short")));
        assertEquals("pass", e.field());
        assertTrue(e.getMessage().contains("10"), e.getMessage());
    }

    @Test
    void aSecondCallForTheSameStreamReplacesTheUserAndTheOldPasswordStopsWorking() throws Exception {
        users.add(158, seed());
        users.add(158, StreamUserRequest.of("demo-origin", "mystream", "username_2", "another_password_1"));
        assertEquals(1, store.list(158, null).size());
        assertFalse(users.authenticate("demo-origin", "mystream", "username_1", PASS).granted());
        assertTrue(users.authenticate("demo-origin", "mystream", "username_2", "another_password_1").granted());
    }

    @Test
    void theAccountLimitIs2072AndReplacingDoesNotCount() throws Exception {
        for (String s : new String[] {"a", "b", "c"}) {
            users.add(158, StreamUserRequest.of("app", s, "u" + s, PASS));
        }
        assertEquals(LIMIT, assertThrows(StreamUserException.class, () -> users.add(158, StreamUserRequest.of("app", "d", "x", PASS))).kind());
        users.add(158, StreamUserRequest.of("app", "c", "u-c2", PASS));
        users.add(28, StreamUserRequest.of("app2", "d", "x", PASS)); // another account has its own limit
        assertEquals(3, store.list(158, null).size());
    }

    @Test
    void anotherAccountCannotTakeAStream() throws Exception {
        users.add(158, seed());
        assertEquals(NOT_CREATED, assertThrows(StreamUserException.class,
                () -> users.add(28, StreamUserRequest.of("demo-origin", "mystream", "thief", PASS))).kind());
        assertFalse(users.authenticate("demo-origin", "mystream", "thief", PASS).granted());
    }

    @Test
    void theWildcardUserPublishesToEveryStreamOfItsAppOnly() throws Exception {
        users.add(158, StreamUserRequest.of("live", "*", "all", PASS));
        assertTrue(users.authenticate("live", "one", "all", PASS).granted());
        assertTrue(users.authenticate("live", "two", "all", PASS).granted());
        assertEquals(PublishAuth.Outcome.FORBIDDEN, users.authenticate("other", "one", "all", PASS).outcome());
    }

    @Test
    void wrongNoneAndForeignCredentialsAre401Or403() throws Exception {
        users.add(158, seed());
        users.add(158, StreamUserRequest.of("demo-origin", "second", "second_user", "second_password"));
        assertEquals(PublishAuth.Outcome.UNAUTHENTICATED, users.authenticate("demo-origin", "mystream", null, null).outcome());
        assertEquals(PublishAuth.Outcome.UNAUTHENTICATED, users.authenticate("demo-origin", "mystream", "username_1", "wrong_password").outcome());
        assertEquals(PublishAuth.Outcome.FORBIDDEN, users.authenticate("demo-origin", "mystream", "second_user", "second_password").outcome());
        assertEquals(PublishAuth.Outcome.UNAUTHENTICATED, users.authenticate("demo-origin", "nobody", "username_1", "wrong").outcome());
    }

    @Test
    void openPublishingOnlyWhenTheOperatorEnabledIt() throws Exception {
        StreamUserRequest open = StreamUserRequest.of("live", "free", null, null);
        assertEquals(NOT_CREATED, refused(open));
        users = new StreamUsers(store, LiveSettings.defaults().withOpenPublishing(true), clock);
        users.add(158, open);
        assertTrue(users.authenticate("live", "free", null, null).granted());
        users = new StreamUsers(store, LiveSettings.defaults(), clock);
        assertFalse(users.authenticate("live", "free", null, null).granted(), "turning it off closes existing open streams");
    }

    @Test
    void removeAndList() throws Exception {
        users.add(158, seed());
        assertEquals(1, users.list(158, "demo-origin").size());
        assertEquals(0, users.list(28, null).size());
        assertThrows(StreamUserException.class, () -> users.remove(28, "demo-origin", "mystream"));
        users.remove(158, "demo-origin", "mystream");
        assertFalse(users.authenticate("demo-origin", "mystream", "username_1", PASS).granted());
    }

    @Test
    void hashesAreSaltedAndKeyed() {
        PasswordHasher a = new PasswordHasher(PasswordHasher.newKey());
        PasswordHasher b = new PasswordHasher(PasswordHasher.newKey());
        String h1 = a.hash(PASS);
        assertFalse(h1.equals(a.hash(PASS)), "salted");
        assertTrue(a.verify(PASS, h1));
        assertFalse(b.verify(PASS, h1), "keyed");
        assertFalse(a.verify(PASS + "x", h1));
        assertFalse(a.verify(PASS, "v1$garbage"));
    }
}
