-- Usher live publishing, schema version 6: which node ingests which stream (one at a time).
-- Portable SQL (PostgreSQL 10+, H2 2.x), idempotent. JdbcStreamUserStore runs it after V3__live.sql
-- when usher.jdbc.create-schema is true, and records versions 3 and 6 in usher_schema_version.

-- One row per stream being (or lately) ingested. A node may write a stream's files only while its
-- row is its own and expires is in the future; each upload renews it.
CREATE TABLE IF NOT EXISTS usher_ingest_leases (
    app        VARCHAR(64)  NOT NULL,
    stream     VARCHAR(64)  NOT NULL,
    node_id    VARCHAR(64)  NOT NULL,
    session_id VARCHAR(64)  NOT NULL,
    expires    TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (app, stream)
);
