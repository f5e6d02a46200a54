package dev.usher.core.viewer.jdbc;

import dev.usher.core.viewer.Format;
import dev.usher.core.viewer.Sighting;
import dev.usher.core.viewer.TicketViewing;
import dev.usher.core.viewer.ViewerStore;
import dev.usher.core.viewer.ViewerStoreContract;
import dev.usher.core.viewer.ViewerTally;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The viewer store contract on a JDBC database, and what the shared table adds: two nodes (two
 * stores on one database) count a viewer once and alike, the write rate is bounded, rows past
 * retention go, and a database down never fails a sighting. Each database gets a fresh schema per test.
 */
abstract class JdbcViewerStoreTests extends ViewerStoreContract {

    /** @return a fresh, empty database (schema) */
    protected abstract DataSource freshDatabase() throws Exception;

    protected WatchedDatabase db;

    @Override
    protected ViewerStore newStore(Duration window) throws Exception {
        db = new WatchedDatabase(freshDatabase());
        return node(window);
    }

    /** @return another node's store on this test's database */
    protected JdbcViewerStore node(Duration window) {
        return new JdbcViewerStore(db.dataSource(), JdbcViewerStore.Options.of(true).withWindow(window).withQueryTimeout(Duration.ofSeconds(10))
                .withRetention(Duration.ofDays(1)));
    }

    @Override
    protected void settle(ViewerStore store, Instant now) {
        assertTrue(((JdbcViewerStore) store).flush(now), "flushed");
    }

    private JdbcViewerStore a() {
        return (JdbcViewerStore) store;
    }

    private static int total(List<ViewerTally> tally) {
        return tally.stream().mapToInt(ViewerTally::count).sum();
    }

    @Test
    void aViewerSeenOnOneNodeAndContinuedOnAnotherCountsOnceAndAlike() {
        try (JdbcViewerStore b = node(WINDOW)) {
            a().seen(hls("player-a", "ticket-1", "movie"), T);
            b.seen(hls("player-a", "ticket-1", "movie"), T.plusSeconds(3)); // the load balancer sent its next segments to b
            b.seen(hls("player-b", "ticket-1", "movie"), T.plusSeconds(3));
            assertEquals(0, total(a().tally(T.plusSeconds(4))), "nothing shared before a flush");
            a().flush(T.plusSeconds(5));
            b.flush(T.plusSeconds(5));
            for (JdbcViewerStore node : List.of(a(), b)) {
                assertEquals(List.of(new ViewerTally("vod", "movie", Format.HLS, false, 2)), node.tally(T.plusSeconds(6)));
                assertEquals(2, node.activeOf("ticket-1", null, T.plusSeconds(6)));
                assertEquals(new TicketViewing(2, 2, 3), node.ofTicket("ticket-1", T.plusSeconds(6)));
            }
            // Active until its latest request, made on b, is a window old, on a as well.
            Instant last = T.plusSeconds(3).plus(WINDOW);
            assertEquals(2, total(a().tally(last.minusMillis(1))));
            assertEquals(0, total(a().tally(last)));
            assertEquals(0, total(b.tally(last)));
        }
    }

    @Test
    void anEntryOnOneNodeCountsItsOwnUnwrittenViewersAndTheOthersWritten() {
        try (JdbcViewerStore b = node(WINDOW)) {
            b.seen(hls("player-b", "ticket-1", "movie"), T);
            b.flush(T.plusSeconds(1));
            a().seen(hls("player-a", "ticket-1", "movie"), T.plusSeconds(2)); // not written yet
            a().seen(hls("player-b", "ticket-1", "movie"), T.plusSeconds(2)); // written by b: once
            assertEquals(2, a().activeOf("ticket-1", null, T.plusSeconds(2)));
            assertEquals(1, a().activeOf("ticket-1", "player-a", T.plusSeconds(2)));
            assertEquals(1, b.activeOf("ticket-1", null, T.plusSeconds(2)), "b sees only what is written");
        }
    }

    @Test
    void twoNodesWritingANewViewerAtOnceKeepOneRowWithTheLatestRequest() {
        try (JdbcViewerStore b = node(WINDOW)) {
            a().seen(hls("player-a", "ticket-1", "movie"), T);
            b.seen(hls("player-a", "ticket-1", "movie"), T.plusSeconds(2));
            // b inserts the row between a's update (no row yet) and a's insert.
            db.beforeInsert = () -> assertTrue(b.flush(T.plusSeconds(3)));
            assertTrue(a().flush(T.plusSeconds(3)), "a's insert lost the race and became an update");
            assertEquals(1, count("SELECT COUNT(*) FROM usher_viewers"));
            assertEquals(new TicketViewing(1, 1, 2), a().ofTicket("ticket-1", T.plusSeconds(3)), "first seen on a, last on b");
        }
    }

    @Test
    void aViewerCostsAtMostOneRowWriteAFlushHoweverManyRequestsItMakes() {
        a().flush(T);
        assertEquals(0, db.takeRowsWritten());
        for (int i = 0; i < 1000; i++) {
            a().seen(hls("player-a", "ticket-1", "movie"), T.plusMillis(i));
        }
        for (int p = 0; p < 100; p++) {
            for (int i = 0; i < 10; i++) {
                a().seen(hls("player-" + p, "ticket-2", "movie"), T.plusMillis(i));
            }
        }
        a().flush(T.plusSeconds(5));
        assertEquals(101, db.takeRowsWritten(), "one row each (100 players and player-a)");
        a().flush(T.plusSeconds(10));
        assertEquals(0, db.takeRowsWritten(), "nothing seen since: nothing written");
        int statements = db.writeStatements.get();
        a().flush(T.plusSeconds(15));
        assertEquals(statements, db.writeStatements.get(), "not even a statement");
        a().seen(hls("player-a", "ticket-1", "movie"), T.plusSeconds(16));
        a().seen(hls("player-a", "ticket-1", "movie"), T.plusSeconds(17));
        a().flush(T.plusSeconds(20));
        assertEquals(1, db.takeRowsWritten(), "only the viewer whose last request advanced");
        assertEquals(101, count("SELECT COUNT(*) FROM usher_viewers"));
    }

    @Test
    void rowsOlderThanRetentionAreDeletedABatchAFlush() {
        int viewers = JdbcViewerStore.PURGE_BATCH + 10;
        for (int p = 0; p < viewers; p++) {
            a().seen(hls("player-" + p, "ticket-1", "movie"), T);
        }
        a().seen(hls("recent", "ticket-2", "movie"), T.plus(Duration.ofHours(12)));
        a().flush(T.plus(Duration.ofHours(12)));
        assertEquals(viewers + 1, count("SELECT COUNT(*) FROM usher_viewers"));
        assertEquals(1, a().inMemory(), "written and inactive viewers are forgotten: memory holds the active one only");
        Instant later = T.plus(Duration.ofDays(1)).plusSeconds(1);
        a().flush(later);
        assertEquals(11, count("SELECT COUNT(*) FROM usher_viewers"), "at most a batch a flush");
        a().flush(later.plusSeconds(5));
        assertEquals(1, count("SELECT COUNT(*) FROM usher_viewers"), "the rest at the next, the recent one kept");
        assertEquals(new TicketViewing(0, 1, 0), a().ofTicket("ticket-2", later));
    }

    @Test
    void aDatabaseDownNeverFailsASightingAndWhatWasSeenIsWrittenWhenItIsBack() {
        a().flush(T); // the schema
        db.down = true;
        assertDoesNotThrow(() -> a().seen(hls("player-a", "ticket-1", "movie"), T.plusSeconds(1)));
        assertFalse(a().flush(T.plusSeconds(5)), "the flush failed");
        assertFalse(a().flush(T.plusSeconds(10)), "and again");
        assertEquals(1, a().activeOf("ticket-1", null, T.plusSeconds(10)), "this node's own viewers still count for the rule");
        a().seen(hls("player-a", "ticket-1", "movie"), T.plusSeconds(12));
        db.down = false;
        assertTrue(a().flush(T.plusSeconds(15)));
        assertEquals(new TicketViewing(1, 1, 11), a().ofTicket("ticket-1", T.plusSeconds(15)));
    }

    @Test
    void aSightingThatCannotBeStoredIsNotCountedAndDoesNotStopTheOthers() {
        assertDoesNotThrow(() -> a().seen(null, T));
        a().seen(hls("player-a", "ticket-1", "v".repeat(JdbcViewerStore.MAX_VIDEO + 1)), T);
        a().seen(new Sighting("x".repeat(JdbcViewerStore.MAX_PLAYER_ID + 1), "ticket-1", "vod", "movie", Format.HLS, V4), T);
        a().seen(hls("player-b", "ticket-1", "movie"), T);
        assertTrue(a().flush(T.plusSeconds(1)));
        assertEquals(1, total(a().tally(T.plusSeconds(1))));
    }

    @Test
    void aNodeKeepsAtMostItsBoundOfViewersInMemory() {
        try (JdbcViewerStore small = new JdbcViewerStore(db.dataSource(), a().options().withMaxViewers(3))) {
            for (int p = 0; p < 5; p++) {
                small.seen(hls("player-" + p, "ticket-1", "movie"), T);
            }
            small.seen(hls("player-0", "ticket-1", "movie"), T.plusSeconds(1)); // one it keeps: still seen
            assertEquals(3, small.inMemory());
            assertEquals(3, small.activeOf("ticket-1", null, T.plusSeconds(1)));
        }
    }

    @Test
    void aStartedStoreWritesWhatIsLeftWhenItCloses() {
        JdbcViewerStore started = JdbcViewerStore.start(db.dataSource(), a().options().withFlushInterval(Duration.ofHours(1)),
                java.time.Clock.fixed(T.plusSeconds(1), java.time.ZoneOffset.UTC));
        started.seen(hls("player-a", "ticket-1", "movie"), T);
        started.close();
        assertEquals(1, total(a().tally(T.plusSeconds(1))), "written by the last flush, read by another node");
    }

    @Test
    void aStoreThatMayNotCreateItsTableSaysWhichScriptToRun() {
        JdbcViewerStore.Options noSchema = new JdbcViewerStore.Options(false, Duration.ofSeconds(5), WINDOW, Duration.ofSeconds(5),
                Duration.ofDays(1), 10);
        try (JdbcViewerStore unmade = new JdbcViewerStore(db.dataSource(), noSchema)) { // and the test's own store has not made it yet
            unmade.seen(hls("player-a", "ticket-1", "movie"), T);
            assertFalse(unmade.flush(T.plusSeconds(1)), "no table: the flush fails, and is tried again");
            var e = org.junit.jupiter.api.Assertions.assertThrows(dev.usher.core.repository.RepositoryException.class,
                    () -> unmade.tally(T.plusSeconds(1)));
            assertTrue(e.getMessage().contains("dev/usher/core/repository/jdbc/V8__viewers.sql")
                    && e.getMessage().contains("usher.jdbc.create-schema=true"), e.getMessage());
        }
    }

    @Test
    void theSchemaVersionIsRecordedOnceWhateverTheNodes() throws Exception {
        a().flush(T);
        try (JdbcViewerStore b = node(WINDOW)) {
            b.flush(T);
        }
        List<String> rows = new ArrayList<>();
        try (Connection c = db.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT version, description FROM usher_schema_version ORDER BY version")) {
            while (rs.next()) {
                rows.add(rs.getInt(1) + " " + rs.getString(2));
            }
        }
        assertEquals(List.of("8 V8__viewers.sql"), rows);
    }

    protected int count(String sql) {
        try (Connection c = db.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
