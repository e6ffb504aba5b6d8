-- Personal data beside the ledger (个人信息保护法 Art. 47). A ledger payload holds a salted
-- commitment in place of each personal value (sunlight-ledger::personal); the values and their
-- salts — the openings, `{"<JSON pointer>": {"salt": hex, "value": JSON}}` — are kept here, one
-- row per entry that has any, written in the entry's transaction. Erasing deletes the row when
-- the retention period has ended (Store::erase_personal); ledger_entries never changes, and its
-- leaves verify with or without these rows. Append-only: never edit this file once shipped.

CREATE TABLE ledger_private (
    seq      BIGINT PRIMARY KEY,    -- the entry's seq (ledger_entries.seq)
    openings TEXT NOT NULL
);
