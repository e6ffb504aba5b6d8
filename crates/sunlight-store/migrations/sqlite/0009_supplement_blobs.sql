-- 补正 with a day to supply by, and materials as files (issue 14). A case's timer (the instant
-- its notice to supplement lapses) is a column of its row, so the engine sets every timer at
-- start-up without replaying cases. Files are kept by their SHA-256: the ledger holds the
-- digest, this table the facts and — unless a directory store keeps them — the content.
-- Append-only: never edit this file after release; add the next migration instead.
ALTER TABLE cases ADD COLUMN timer_at BIGINT;
CREATE INDEX cases_timers ON cases (timer_at) WHERE timer_at IS NOT NULL;

CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY,     -- lower-case hex
    media_type TEXT NOT NULL,        -- pdf | ofd | jpeg | png
    size       BIGINT NOT NULL,
    content    BLOB,                 -- NULL when a directory store holds it
    stored_at  BIGINT NOT NULL       -- Unix milliseconds
);
