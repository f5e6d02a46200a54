-- Usher JDBC ticket repository, schema version 9: applied in place over version 7. Portable SQL:
-- runs unchanged on PostgreSQL (10 or later) and H2 (2.x); every statement is idempotent.

-- A ticket's concurrent rule (issue 16): the most viewers that may play on it at once; 0 sets no
-- limit. Tickets stored before version 9 have none, as they had before.
ALTER TABLE usher_tickets ADD COLUMN IF NOT EXISTS concurrent INTEGER NOT NULL DEFAULT 0;
