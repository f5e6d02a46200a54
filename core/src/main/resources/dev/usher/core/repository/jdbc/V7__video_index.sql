-- Usher JDBC ticket repository, schema version 7: applied in place over version 5. Portable SQL:
-- runs unchanged on PostgreSQL (10 or later) and H2 (2.x); every statement is idempotent.

-- Searches by video served by an index. A ticket whose video entries are all literal names
-- (video_literal) has one row per entry, and one for its whole text, in usher_ticket_videos,
-- keyed by the SHA-256 (hex) of the name, so that names of any length are indexed; a search reads
-- those rows, and matches in Java only the tickets with a * pattern (video_literal false). Tickets
-- stored before version 7 read as pattern tickets: they are matched in Java, as before.
ALTER TABLE usher_tickets ADD COLUMN IF NOT EXISTS video_literal BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE IF NOT EXISTS usher_ticket_videos (
    cdn_id     BIGINT       NOT NULL,
    video_hash VARCHAR(64)  NOT NULL,
    ticket_key VARCHAR(100) NOT NULL REFERENCES usher_tickets (ticket_key) ON DELETE CASCADE,
    PRIMARY KEY (cdn_id, video_hash, ticket_key)
);
-- Deleting a ticket deletes its rows through this index, not by reading the table.
CREATE INDEX IF NOT EXISTS usher_ticket_videos_ticket ON usher_ticket_videos (ticket_key);
CREATE INDEX IF NOT EXISTS usher_tickets_cdn_literal_created ON usher_tickets (cdn_id, video_literal, created);

-- Searches by active, newest first, read only the tickets they return.
CREATE INDEX IF NOT EXISTS usher_tickets_cdn_active_created ON usher_tickets (cdn_id, active, created);
