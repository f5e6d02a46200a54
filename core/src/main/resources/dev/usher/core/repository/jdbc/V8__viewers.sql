-- Usher viewer counts, schema version 8: when each viewer (one player instance) was last seen,
-- shared by every node so that any node counts alike. Portable SQL (PostgreSQL 10+, H2 2.x),
-- idempotent. JdbcViewerStore runs it when usher.jdbc.create-schema is true and records version 8
-- in usher_schema_version.

-- One row per viewer. A node writes a row at most once per flush interval (usher.viewers.flush-interval),
-- never per request. Times are epoch milliseconds. The client's address is not stored, only its family.
CREATE TABLE IF NOT EXISTS usher_viewers (
    player_id  VARCHAR(32)   NOT NULL PRIMARY KEY,
    ticket_key VARCHAR(100)  NOT NULL,
    app        VARCHAR(255)  NOT NULL,
    video      VARCHAR(2048) NOT NULL,
    format     VARCHAR(8)    NOT NULL,
    ipv6       BOOLEAN       NOT NULL,
    started    BIGINT        NOT NULL,
    last_seen  BIGINT        NOT NULL
);
-- Counting (vsn.viewercount) reads the rows seen within the window; the purge the oldest ones.
CREATE INDEX IF NOT EXISTS usher_viewers_last_seen ON usher_viewers (last_seen);
-- A ticket's figures (sevu.viewers) and its concurrent-playback rule read its own rows.
CREATE INDEX IF NOT EXISTS usher_viewers_ticket_seen ON usher_viewers (ticket_key, last_seen);
