-- Usher JDBC ticket repository, schema version 4: applied in place over version 2 (it does not
-- need version 3). Portable SQL: runs unchanged on PostgreSQL (10 or later) and H2 (2.x); every
-- statement is idempotent.

-- Idempotent retry: the first answer of a signed mutating API request, so that the same request
-- retried inside its timestamp window, on any node, gets it again instead of a second effect. NULL
-- while the node that claimed the request is carrying it out. At most 16384 characters (an answer
-- longer than that is stored as '' and its retries are told to re-sign).
ALTER TABLE usher_api_requests ADD COLUMN IF NOT EXISTS answer VARCHAR(16384);

-- sevu.errorlog's pass filter: a keyed fingerprint of the pass an attempt carried (never the pass
-- itself). '' for attempts recorded before version 4 and for attempts without a pass.
ALTER TABLE usher_attempts ADD COLUMN IF NOT EXISTS pass_fingerprint VARCHAR(64) NOT NULL DEFAULT '';
