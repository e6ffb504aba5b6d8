-- Working-day calendars: per scope ('national' or a 12-digit region code) and year, the dates
-- that differ from Monday–Friday. A year is replaced whole when a new notice is loaded.

CREATE TABLE calendar_years (
    scope     TEXT NOT NULL,
    year      BIGINT NOT NULL,
    source    TEXT NOT NULL,
    loaded_by TEXT NOT NULL,
    loaded_at BIGINT NOT NULL,
    PRIMARY KEY (scope, year)
);

CREATE TABLE calendar_days (
    scope TEXT NOT NULL,
    year  BIGINT NOT NULL,
    date  TEXT NOT NULL,
    off   BIGINT NOT NULL,
    name  TEXT NOT NULL,
    PRIMARY KEY (scope, date)
);
CREATE INDEX calendar_days_year ON calendar_days (scope, year);

-- Bumped by every calendar change: deadlines computed before are to be recomputed.
CREATE TABLE calendar_generation (
    id BIGINT PRIMARY KEY,
    n  BIGINT NOT NULL
);
INSERT INTO calendar_generation (id, n) VALUES (1, 0);
