-- 好差评: a 差评 owes a 整改 (verify, rectify, call back) by a day supervision watches (issue 14).
-- The day is kept with the case while it is owed (NULL otherwise), so a finished case that
-- still owes one is watched again after a restart.
-- Append-only: never edit this file after release; add the next migration instead.
ALTER TABLE cases ADD COLUMN rectify_by TEXT;
CREATE INDEX cases_rectify_by ON cases (rectify_by) WHERE rectify_by IS NOT NULL;
