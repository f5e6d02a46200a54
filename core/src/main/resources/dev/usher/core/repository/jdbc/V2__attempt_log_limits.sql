-- Usher JDBC ticket repository, schema version 2: applied in place over version 1.
-- Portable SQL: runs unchanged on PostgreSQL (10 or later) and H2 (2.x); every statement is
-- idempotent. Existing attempt rows read as one request each, served as decided.

-- How many requests an attempt row stands for: a refusal repeated by the same client with the same
-- reason within a minute raises the count of the stored row instead of adding rows.
ALTER TABLE usher_attempts ADD COLUMN IF NOT EXISTS attempt_count INTEGER NOT NULL DEFAULT 1;

-- For a grant whose response failed (the file was missing, the manifest unreadable), the HTTP
-- status it ended with; its use was given back. 0 otherwise.
ALTER TABLE usher_attempts ADD COLUMN IF NOT EXISTS failed_status INTEGER NOT NULL DEFAULT 0;
