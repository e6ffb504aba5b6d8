-- Fed cases are counted in the figures as the engine's are (docs/figures.md): the columns
-- figures.rs reads of `cases`, written with each fed case (supervision::feed::FeedCase::outcome).
-- Rows written before this migration have no status yet; Store::fill_feed_figures fills them
-- (from their state, on the region's calendar) when `serve` starts.
ALTER TABLE feed_cases ADD COLUMN region TEXT;
ALTER TABLE feed_cases ADD COLUMN status TEXT;
ALTER TABLE feed_cases ADD COLUMN submitted_at BIGINT;
ALTER TABLE feed_cases ADD COLUMN finished_at BIGINT;
ALTER TABLE feed_cases ADD COLUMN accepted_on TEXT;
ALTER TABLE feed_cases ADD COLUMN committed_days BIGINT;
ALTER TABLE feed_cases ADD COLUMN statutory_days BIGINT;
ALTER TABLE feed_cases ADD COLUMN actual_days BIGINT;
ALTER TABLE feed_cases ADD COLUMN on_time BIGINT;       -- 1 on or before the committed deadline, 0 late
UPDATE feed_cases SET region = (SELECT s.region FROM feed_sources s WHERE s.name = feed_cases.source);
CREATE INDEX feed_cases_figures ON feed_cases (department, submitted_at);
CREATE INDEX feed_cases_unfigured ON feed_cases (source, case_id) WHERE status IS NULL;
