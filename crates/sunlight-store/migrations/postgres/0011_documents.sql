-- Documents under the department's seal and the certificates (电子证照) they carry (issue 14).
-- A row per document a decision issued, written in the decision's transaction from the case's
-- state: the PDF is in `blobs` by its SHA-256; the SM3 digest, key and signature are what a
-- verifier checks. A certificate's holder is personal data (erased with the case); its status
-- is valid until revoked (expiry is read from valid_to). `seal_keys` holds every department
-- key's public half with its life (the secret half is in a key directory, never here).
-- Append-only: never edit this file after release; add the next migration instead.
CREATE TABLE documents (
    number      TEXT PRIMARY KEY,         -- 文号 or 证照编号
    kind        TEXT NOT NULL,            -- decision | certificate
    receipt     TEXT NOT NULL,
    department  TEXT NOT NULL,
    matter      TEXT NOT NULL,            -- the power's name
    holder      TEXT NOT NULL,            -- the applicant's name (erasable)
    sha256      TEXT NOT NULL,
    sm3         TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    signature   TEXT NOT NULL,
    issued_at   BIGINT NOT NULL,
    valid_from  TEXT,
    valid_to    TEXT,
    revoked_at  BIGINT,
    revoke_reason TEXT
);
CREATE INDEX documents_receipt ON documents (receipt);
CREATE INDEX documents_sha256 ON documents (sha256);

CREATE TABLE seal_keys (
    key_id      TEXT PRIMARY KEY,         -- fingerprint of the public key
    department  TEXT NOT NULL,
    public_key  TEXT NOT NULL,            -- SEC1, hex
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT,                   -- rotated: no longer seals, still verifies
    revoked_at  BIGINT,                   -- compromised: what it sealed no longer verifies
    revoke_reason TEXT
);
CREATE INDEX seal_keys_department ON seal_keys (department);
