-- Electronic supervision: what the timers watch, the alerts rules raise, the measures taken.

-- What supervision's timers need of a running case beyond its deadlines and open tasks
-- (sunlight_core::supervision::Watched is rebuilt from these, case_tasks and the power's name).
ALTER TABLE cases ADD COLUMN supplement_notices BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN decided_on TEXT;
ALTER TABLE cases ADD COLUMN delivered BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN suspended_since TEXT;
ALTER TABLE cases ADD COLUMN suspended_reason TEXT;
-- The figures of each case (supervision::Outcome; definitions in docs/figures.md).
ALTER TABLE cases ADD COLUMN accepted_on TEXT;
ALTER TABLE cases ADD COLUMN committed_days BIGINT;
ALTER TABLE cases ADD COLUMN statutory_days BIGINT;
ALTER TABLE cases ADD COLUMN actual_days BIGINT;
ALTER TABLE cases ADD COLUMN on_time BIGINT;        -- 1 on or before the committed deadline, 0 late
ALTER TABLE cases ADD COLUMN rating BIGINT;         -- 1–5
ALTER TABLE cases ADD COLUMN decided_by TEXT;       -- who took the decision (concentration rule)
CREATE INDEX cases_figures ON cases (department, submitted_at);
CREATE INDEX cases_running ON cases (receipt) WHERE status NOT IN ('closed', 'not_accepted', 'withdrawn');

CREATE TABLE alerts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    key         TEXT NOT NULL UNIQUE,     -- rule/subject[/task][/#n]: one alert per breach
    rule        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    subject     TEXT NOT NULL,              -- receipt number, or an outside system's case id
    task        BIGINT,
    power       TEXT NOT NULL,
    region      TEXT NOT NULL,
    department  TEXT NOT NULL,
    source      TEXT NOT NULL,              -- engine, timer, feed
    breach_at   BIGINT NOT NULL,            -- when the breach began (a deadline instant or an event)
    raised_at   BIGINT NOT NULL,
    detail      TEXT NOT NULL,
    state       TEXT NOT NULL,              -- raised, acknowledged, explained, closed, dismissed
    explanation TEXT,
    evidence    TEXT,
    resolution  TEXT,
    updated_by  TEXT,
    updated_at  BIGINT
);
CREATE INDEX alerts_open ON alerts (state, department, id);
CREATE INDEX alerts_subject ON alerts (subject, id);
CREATE INDEX alerts_rule ON alerts (rule, raised_at);

-- 效能问责: a measure against a member of staff or a department, for the alerts that caused it.
CREATE TABLE accountability (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    department  TEXT NOT NULL,
    staff       TEXT,
    measure     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    alerts      TEXT NOT NULL,              -- JSON array of alert ids
    recorded_by TEXT NOT NULL,
    at          BIGINT NOT NULL
);
CREATE INDEX accountability_department ON accountability (department, at);

-- Outside feeds: the business systems that report their cases, one credential each.
CREATE TABLE feed_sources (
    name        TEXT PRIMARY KEY,
    department  TEXT NOT NULL,
    region      TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,          -- SHA-256 of the token, hex
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- Each event taken once per source; its content is its ledger entry (seq).
CREATE TABLE feed_events (
    source      TEXT NOT NULL,
    source_id   TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    at          BIGINT NOT NULL,
    seq         BIGINT NOT NULL,
    PRIMARY KEY (source, source_id)
);

-- A fed case as its events left it (JSON of supervision::feed::FeedCase), and its watch.
CREATE TABLE feed_cases (
    source      TEXT NOT NULL,
    case_id     TEXT NOT NULL,
    power       TEXT NOT NULL,
    department  TEXT NOT NULL,
    state       TEXT NOT NULL,
    watch       TEXT,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (source, case_id)
);
CREATE INDEX feed_cases_watched ON feed_cases (source) WHERE watch IS NOT NULL;

-- Relations staff declare (亲属、利害关系) with people or organisations who may come before them:
-- acting on such a party's case raises a conflict-of-interest alert.
CREATE TABLE declared_relations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    staff       TEXT NOT NULL,
    party       TEXT NOT NULL,      -- ID number or unified social credit code, upper case
    party_name  TEXT NOT NULL,
    relation    TEXT NOT NULL,      -- 配偶, 子女, 曾任职 …
    declared_at BIGINT NOT NULL
);
CREATE INDEX declared_relations_staff ON declared_relations (staff);
