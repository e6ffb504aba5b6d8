-- Cases and the ledger. Every event is one row of ledger_entries (its seq is its leaf index in
-- the Merkle log); cases and case_tasks are projections of those rows, written in the same
-- transaction. A case's full state is the fold of its events (replayed on load), so the
-- cases row keeps only what lists and timers filter on. Append-only: never edit this file
-- once shipped.

CREATE TABLE ledger_entries (
    seq     BIGINT PRIMARY KEY,
    stream  TEXT NOT NULL,          -- 'case/<receipt>', 'power/<code>', 'checkout/<id>' …
    kind    TEXT NOT NULL,
    actor   TEXT NOT NULL,
    at      BIGINT NOT NULL,
    payload TEXT NOT NULL,          -- canonical JSON (sunlight-ledger::entry)
    leaf    BLOB NOT NULL           -- SHA-256(0x00 || encoding), kept to verify against
);
CREATE INDEX ledger_entries_stream ON ledger_entries (stream, seq);

-- Completed perfect subtrees at every fourth level (16, 256 … leaves); leaves are above.
CREATE TABLE ledger_nodes (
    level BIGINT NOT NULL,
    idx   BIGINT NOT NULL,
    hash  BLOB NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE ledger_checkpoints (
    size      BIGINT PRIMARY KEY,
    root      TEXT NOT NULL,
    at        BIGINT NOT NULL,
    origin    TEXT NOT NULL,
    signature TEXT NOT NULL,
    key       TEXT NOT NULL
);

CREATE TABLE cases (
    receipt         TEXT PRIMARY KEY,
    power           TEXT NOT NULL,
    power_version   BIGINT NOT NULL,
    region          TEXT NOT NULL,
    department      TEXT NOT NULL,
    status          TEXT NOT NULL,
    version         BIGINT NOT NULL,
    submitted_at    BIGINT NOT NULL,
    statutory_due   TEXT,
    committed_due   TEXT,
    finished_at     BIGINT,
    query_code_hash TEXT NOT NULL
);
CREATE INDEX cases_department ON cases (department, status);
CREATE INDEX cases_power ON cases (power, submitted_at);

CREATE TABLE case_tasks (
    receipt    TEXT NOT NULL,
    task       BIGINT NOT NULL,
    node       TEXT NOT NULL,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    department TEXT NOT NULL,
    status     TEXT NOT NULL,
    assignee   TEXT,
    due        TEXT,
    opened_at  BIGINT NOT NULL,
    PRIMARY KEY (receipt, task)
);
CREATE INDEX case_tasks_inbox ON case_tasks (department, role, status, due);

-- Results of engine commands by idempotency key: a retry answers the first result.
CREATE TABLE command_keys (
    key    TEXT PRIMARY KEY,
    result TEXT NOT NULL,
    at     BIGINT NOT NULL
);

-- Discretion benchmarks, versioned per penalty power like the powers themselves.
CREATE TABLE benchmarks (
    power        TEXT NOT NULL,
    version      BIGINT NOT NULL,
    document     TEXT NOT NULL,
    reason       TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    PRIMARY KEY (power, version)
);

-- Per-use approvals (一事一审) of uncommon powers.
CREATE TABLE checkouts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    power        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    state        TEXT NOT NULL,    -- requested, open, used, expired, rejected
    decided_by   TEXT,
    decided_at   BIGINT,
    closes_at    BIGINT,
    used_by      TEXT
);
CREATE INDEX checkouts_power ON checkouts (power, state);
