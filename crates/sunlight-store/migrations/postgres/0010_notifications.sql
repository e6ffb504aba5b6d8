-- Notifications and applicants' sign-in (issue 14). A notice is written in the transaction of
-- the event it tells of: SMS and email to the outbox, which the server's deliverer empties
-- with retries (a row is claimed by a lease, so two servers never send it twice while both
-- live); in-portal messages straight to `messages`. Recipients and texts are personal data:
-- `sunlight erase` deletes them with the case. A case's `owner` is the keyed hash of the
-- applicant's mobile number, what 我的办件 finds cases by; sign-in codes are kept as keyed
-- hashes too. Append-only: never edit this file after release; add the next migration instead.
CREATE TABLE outbox (
    id          BIGSERIAL PRIMARY KEY,
    channel     TEXT NOT NULL,            -- sms | email
    recipient   TEXT NOT NULL,            -- the phone number or address
    topic       TEXT NOT NULL,            -- sunlight_core::notice::Topic
    reference   TEXT NOT NULL,            -- receipt or complaint tracking number
    subject     TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,          -- Unix milliseconds
    next_at     BIGINT NOT NULL,          -- the earliest the next attempt may start
    attempts    BIGINT NOT NULL DEFAULT 0,
    state       TEXT NOT NULL DEFAULT 'pending',   -- pending | sent | failed
    lease_until BIGINT,                   -- claimed by a deliverer until then
    last_error  TEXT,
    sent_at     BIGINT
);
CREATE INDEX outbox_due ON outbox (next_at) WHERE state = 'pending';
CREATE INDEX outbox_reference ON outbox (reference);

CREATE TABLE messages (
    id         BIGSERIAL PRIMARY KEY,
    owner      TEXT NOT NULL,             -- keyed hash of the mobile number
    topic      TEXT NOT NULL,
    reference  TEXT NOT NULL,
    zh         TEXT NOT NULL,
    en         TEXT NOT NULL,
    at         BIGINT NOT NULL,
    read_at    BIGINT
);
CREATE INDEX messages_owner ON messages (owner, id);
CREATE INDEX messages_reference ON messages (reference);

ALTER TABLE cases ADD COLUMN owner TEXT;
CREATE INDEX cases_owner ON cases (owner) WHERE owner IS NOT NULL;

CREATE TABLE sign_in_codes (
    owner       TEXT PRIMARY KEY,         -- keyed hash of the mobile number
    code_hash   TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    attempts    BIGINT NOT NULL DEFAULT 0,
    sent_at     BIGINT NOT NULL,
    window_from BIGINT NOT NULL,          -- start of the hour the sends are counted in
    sends       BIGINT NOT NULL DEFAULT 1
);
