-- Usher live publishing, schema version 3 (V2 is being added separately).
-- Portable SQL: runs unchanged on PostgreSQL (10 or later) and H2 (2.x); every statement is
-- idempotent. JdbcStreamUserStore runs it when usher.jdbc.create-schema is true.

-- One row per (app, stream); stream '*' is the app's user for every stream. username and
-- password_hash are both NULL for open publishing. password_hash is v1$salt$HMAC (never the password).
CREATE TABLE IF NOT EXISTS usher_stream_users (
    app              VARCHAR(64)  NOT NULL,
    stream           VARCHAR(64)  NOT NULL,
    cdn_id           BIGINT       NOT NULL,
    username         VARCHAR(64),
    password_hash    VARCHAR(200),
    record           BOOLEAN      NOT NULL,
    record_type      VARCHAR(16)  NOT NULL,
    segment_type     VARCHAR(16)  NOT NULL,
    segment_value    VARCHAR(200),
    save_folder      VARCHAR(64),
    playlist_count   INTEGER      NOT NULL,
    playlist_timeout INTEGER      NOT NULL,
    enable_dvr       BOOLEAN      NOT NULL,
    ga_key           VARCHAR(64)  NOT NULL,
    created          TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (app, stream)
);
CREATE INDEX IF NOT EXISTS usher_stream_users_cdn ON usher_stream_users (cdn_id);
CREATE INDEX IF NOT EXISTS usher_stream_users_username ON usher_stream_users (username);
