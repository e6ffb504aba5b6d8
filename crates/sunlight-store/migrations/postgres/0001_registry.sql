-- The power registry: regions, departments, staff, the versioned power list and its review.
-- Instants are BIGINT milliseconds since the Unix epoch (UTC); dates are 'YYYY-MM-DD' text;
-- documents are JSON text; codes sort bytewise (COLLATE "C") as in SQLite. Append-only: never edit this file once shipped.

CREATE TABLE regions (
    code   TEXT COLLATE "C" PRIMARY KEY,
    name   TEXT NOT NULL,
    level  TEXT NOT NULL,
    parent TEXT REFERENCES regions (code)
);

CREATE TABLE departments (
    credit_code TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    region      TEXT NOT NULL REFERENCES regions (code),
    nature      TEXT NOT NULL
);
CREATE INDEX departments_region ON departments (region);

CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    department    TEXT REFERENCES departments (credit_code),
    roles         TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    locked_until  BIGINT
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username   TEXT NOT NULL REFERENCES users (username),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE proposals (
    id             BIGSERIAL PRIMARY KEY,
    title          TEXT NOT NULL,
    reason         TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    state          TEXT NOT NULL,
    origin         TEXT NOT NULL,
    change_count   BIGINT NOT NULL,
    proposed_by    TEXT NOT NULL,
    proposed_at    BIGINT NOT NULL,
    reviewed_by    TEXT,
    reviewed_at    BIGINT,
    review_note    TEXT,
    published_by   TEXT,
    published_at   BIGINT
);
CREATE INDEX proposals_state ON proposals (state, id);

CREATE TABLE proposal_changes (
    proposal_id BIGINT NOT NULL REFERENCES proposals (id),
    seq         BIGINT NOT NULL,
    code        TEXT NOT NULL,
    kind        TEXT NOT NULL,
    doc         TEXT NOT NULL,
    PRIMARY KEY (proposal_id, seq)
);

-- Every published version of every power. Never updated, never deleted.
CREATE TABLE power_versions (
    code           TEXT COLLATE "C" NOT NULL,
    version        BIGINT NOT NULL,
    effective_from TEXT NOT NULL,
    change_kind    TEXT NOT NULL,
    proposal_id    BIGINT NOT NULL REFERENCES proposals (id),
    reason         TEXT NOT NULL,
    proposed_by    TEXT NOT NULL,
    reviewed_by    TEXT,
    published_by   TEXT NOT NULL,
    published_at   BIGINT NOT NULL,
    parent         TEXT,
    basic_code     TEXT,
    name           TEXT NOT NULL,
    category       TEXT NOT NULL,
    department     TEXT NOT NULL,
    region         TEXT NOT NULL,
    status         TEXT NOT NULL,
    status_detail  TEXT NOT NULL,
    usage          TEXT NOT NULL,
    doc            TEXT NOT NULL,
    PRIMARY KEY (code, version)
);
CREATE INDEX power_versions_effective ON power_versions (effective_from);
CREATE INDEX power_versions_proposal ON power_versions (proposal_id);

-- The latest published version of each power, whatever its effective date: what a new
-- change applies to.
CREATE TABLE power_heads (
    code           TEXT COLLATE "C" PRIMARY KEY,
    version        BIGINT NOT NULL,
    effective_from TEXT NOT NULL
);

-- Projection: the version of each power in force today (refreshed when a date passes). It
-- holds the filter columns only, so list scans and counts stay small; documents are read from
-- power_versions by (code, version).
CREATE TABLE powers_current (
    code           TEXT COLLATE "C" PRIMARY KEY,
    version        BIGINT NOT NULL,
    effective_from TEXT NOT NULL,
    parent         TEXT,
    basic_code     TEXT,
    name           TEXT NOT NULL,
    category       TEXT NOT NULL,
    department     TEXT NOT NULL,
    region         TEXT NOT NULL,
    status         TEXT NOT NULL,
    status_detail  TEXT NOT NULL,
    usage          TEXT NOT NULL
);
CREATE INDEX powers_current_region ON powers_current (region, code);
CREATE INDEX powers_current_department ON powers_current (department, code);
CREATE INDEX powers_current_category ON powers_current (category, code);
CREATE INDEX powers_current_status ON powers_current (status, code);
CREATE INDEX powers_current_basic ON powers_current (basic_code);
CREATE INDEX powers_current_parent ON powers_current (parent);
-- Covers every filter column, so counting any combination of filters reads the index only.
CREATE INDEX powers_current_filters ON powers_current (category, status, usage, region, department);

CREATE TABLE negative_list (
    seq          BIGINT PRIMARY KEY,
    industry     TEXT NOT NULL,
    category     TEXT NOT NULL,
    sub_category TEXT NOT NULL,
    item         TEXT NOT NULL,
    measure      TEXT NOT NULL,
    basis        TEXT NOT NULL
);

-- Bumped by every transaction that changes the list, so cached list totals know when they
-- are stale (in this process and in any other serving the same database).
CREATE TABLE list_generation (
    id BIGINT PRIMARY KEY,
    n  BIGINT NOT NULL
);
INSERT INTO list_generation (id, n) VALUES (1, 0);

-- Responses to mutating calls, by the caller's Idempotency-Key.
CREATE TABLE idempotency_keys (
    principal    TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       BIGINT NOT NULL,
    content_type TEXT NOT NULL,
    body         BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (principal, key)
);
