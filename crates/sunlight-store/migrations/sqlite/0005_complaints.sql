-- Complaints (投诉) about a case, a department or a member of staff; each filing and answer is
-- also a ledger leaf (`complaint/<tracking>`).
CREATE TABLE complaints (
    tracking     TEXT PRIMARY KEY,           -- 投诉编号, e.g. TS330183-261123-8K2QX
    code_hash    TEXT NOT NULL,              -- SHA-256 of the query code, hex
    against      TEXT NOT NULL,              -- case | department | staff
    target       TEXT NOT NULL,
    department   TEXT NOT NULL,              -- the department that must answer
    complainant  TEXT NOT NULL,
    phone        TEXT NOT NULL,
    text         TEXT NOT NULL,
    filed_at     BIGINT NOT NULL,
    due          TEXT NOT NULL,              -- the last day to answer (YYYY-MM-DD)
    state        TEXT NOT NULL,              -- open | answered
    answer       TEXT,
    answered_by  TEXT,
    answered_at  BIGINT
);
CREATE INDEX complaints_department ON complaints (department, state, due);
CREATE INDEX complaints_open_due ON complaints (state, due);
