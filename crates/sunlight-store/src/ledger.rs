//! The ledger's storage: every event is a row of `ledger_entries` (its `seq` is its leaf index),
//! completed subtrees at every fourth level are rows of `ledger_nodes`, signed tree heads are
//! rows of `ledger_checkpoints`. The tree arithmetic lives in `sunlight-ledger`.
//!
//! Appends happen inside the caller's write transaction ([`Store::append_entries`]) so an
//! event, its effects and its leaf commit together. Writers are serialised (SQLite's write
//! lock; a transaction-scoped advisory lock on PostgreSQL), so leaf indexes never collide; the
//! frontier is cached between batches and re-read whenever another process has appended.
//!
//! Personal data never reaches a leaf: [`Store::append_entries`] seals every entry whose kind
//! [`sunlight_core::personal::fields`] names — each personal value replaced by a salted
//! commitment, the values and salts (the openings) written to `ledger_private` in the same
//! transaction — and readers get them back with [`StoredEntry::revealed`]. Erasing deletes
//! openings, never entries (`privacy.rs`).

use crate::sql::{Cell, Col};
use crate::{Backend, Result, Store, StoreError, sql};
use sqlx::Row;
use std::collections::HashMap;
use sunlight_core::Timestamp;
use sunlight_ledger::checkpoint::{Checkpoint, SignedCheckpoint, Signer, Verifier};
use sunlight_ledger::personal::{self, Openings};
use sunlight_ledger::proof::{consistency_ranges, inclusion_ranges, range_hash, range_nodes};
use sunlight_ledger::tree::{NodeId, perfect_root};
use sunlight_ledger::{Entry, Frontier, Hash, MemoryTree};

pub(crate) type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

/// The advisory-lock key that serialises ledger writers on PostgreSQL ("sunlight" in ASCII).
const WRITER_LOCK: i64 = 0x73756e6c69676874;

/// The columns of an entry with the openings of its personal values (`e` and `p`), for
/// readers that put them back.
pub(crate) const ENTRY_WITH_OPENINGS: &str =
    "SELECT e.seq, e.stream, e.kind, e.actor, e.at, e.payload, e.leaf, p.openings
     FROM ledger_entries e LEFT JOIN ledger_private p ON p.seq = e.seq";

/// An event to append.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub stream: String,
    pub kind: String,
    pub actor: String,
    pub at: Timestamp,
    /// Canonical JSON, personal values included: the values that
    /// [`sunlight_core::personal::fields`] names for `kind` are sealed when it is appended.
    pub payload: String,
}

/// An event as stored.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredEntry {
    pub seq: u64,
    pub stream: String,
    pub kind: String,
    pub actor: String,
    /// Milliseconds since the epoch.
    pub at_ms: i64,
    /// As the leaf hashes it: personal values are commitments (see [`StoredEntry::revealed`]).
    pub payload: String,
    /// Hex of the stored leaf hash.
    pub leaf: String,
    /// The openings of its commitments (JSON, `sunlight_ledger::personal::Openings`) when read
    /// with them and not erased. Never served.
    #[serde(skip)]
    pub openings: Option<String>,
}

impl StoredEntry {
    pub(crate) fn from_row(r: &sqlx::any::AnyRow) -> Result<(Self, Hash)> {
        let leaf: Vec<u8> = r.try_get("leaf")?;
        let leaf: Hash = leaf
            .try_into()
            .map_err(|_| StoreError::Corrupt("a ledger leaf is not 32 bytes".into()))?;
        Ok((
            Self {
                seq: r.try_get::<i64, _>("seq")? as u64,
                stream: r.try_get("stream")?,
                kind: r.try_get("kind")?,
                actor: r.try_get("actor")?,
                at_ms: r.try_get("at")?,
                payload: r.try_get("payload")?,
                leaf: sunlight_ledger::to_hex(&leaf),
                openings: None,
            },
            leaf,
        ))
    }

    /// A row of [`ENTRY_WITH_OPENINGS`].
    pub(crate) fn from_joined_row(r: &sqlx::any::AnyRow) -> Result<Self> {
        let (mut e, _) = Self::from_row(r)?;
        e.openings = r.try_get("openings")?;
        Ok(e)
    }

    /// The payload with its personal values put back, each checked against the commitment in
    /// the leaf; values erased (or not read) read as [`sunlight_core::personal::ERASED`]. The
    /// payload as stored when its kind carries no personal data.
    pub fn revealed(&self) -> Result<std::borrow::Cow<'_, str>> {
        let pointers = sunlight_core::personal::fields(&self.kind);
        if pointers.is_empty() && self.openings.is_none() {
            return Ok(std::borrow::Cow::Borrowed(&self.payload));
        }
        let corrupt = |what: String| StoreError::Corrupt(format!("entry {}: {what}", self.seq));
        let mut v: serde_json::Value =
            serde_json::from_str(&self.payload).map_err(|e| corrupt(e.to_string()))?;
        let openings: Option<Openings> = self
            .openings
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| corrupt(format!("its personal values: {e}")))?;
        personal::reveal(
            &mut v,
            pointers,
            openings.as_ref(),
            &serde_json::Value::from(sunlight_core::personal::ERASED),
        )
        .map_err(|e| corrupt(e.to_string()))?;
        Ok(std::borrow::Cow::Owned(v.to_string()))
    }

    /// The leaf hash its columns give now.
    pub fn recomputed_leaf(&self) -> Hash {
        Entry {
            seq: self.seq,
            at_ms: self.at_ms,
            stream: &self.stream,
            kind: &self.kind,
            actor: &self.actor,
            payload: &self.payload,
        }
        .leaf_hash()
    }
}

/// A write transaction that appends to the ledger, holding the writer lock: effects are
/// written through [`LedgerTx::tx`], entries through [`LedgerTx::append`], and the tree's new
/// right edge is remembered only once [`LedgerTx::commit`] has committed. Every write that
/// leaves a leaf goes through one (the engine's group commit included); dropping it without
/// committing rolls everything back.
pub(crate) struct LedgerTx<'s> {
    store: &'s Store,
    pub(crate) tx: Tx<'static>,
    frontier: Option<Frontier>,
}

impl LedgerTx<'_> {
    /// Appends `entries` (none: nothing); answers the seq of the first.
    pub(crate) async fn append(&mut self, entries: &[NewEntry]) -> Result<u64> {
        let (first, frontier) = self
            .store
            .append_entries(&mut self.tx, entries, self.frontier.take())
            .await?;
        self.frontier = Some(frontier);
        Ok(first)
    }

    /// Commits; the appended entries are then the ledger's.
    pub(crate) async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        if let Some(f) = self.frontier {
            self.store.ledger_committed(f);
        }
        Ok(())
    }
}

/// The cached right edge of the tree.
#[derive(Debug, Default)]
pub(crate) struct LedgerCache {
    frontier: Option<Frontier>,
}

/// What `ledger verify` found.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifyReport {
    pub entries: u64,
    pub checkpoints: u64,
    /// Each problem, in order, naming the entry (seq) or checkpoint (size) concerned.
    pub problems: Vec<String>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Store {
    /// Begins a write transaction that will append to the ledger, holding the writer lock.
    async fn ledger_tx(&self) -> Result<Tx<'static>> {
        let mut tx = self.write_tx().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(WRITER_LOCK)
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
    }

    /// Appends `entries` inside `tx` (`ours`: the frontier this transaction's earlier append
    /// left); returns the first seq and the frontier after them, remembered by
    /// [`LedgerTx::commit`] once `tx` has committed.
    async fn append_entries(
        &self,
        tx: &mut Tx<'_>,
        entries: &[NewEntry],
        ours: Option<Frontier>,
    ) -> Result<(u64, Frontier)> {
        let size: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq) + 1, 0) FROM ledger_entries")
            .fetch_one(&mut **tx)
            .await?;
        let size = size as u64;
        let cached = ours.filter(|f| f.size() == size).or_else(|| {
            let cache = self.ledger.lock().unwrap_or_else(|e| e.into_inner());
            cache.frontier.clone().filter(|f| f.size() == size)
        });
        let mut frontier = match cached {
            Some(f) => f,
            None => load_frontier(tx, size).await?,
        };
        let marks = sql::Marks::of(tx);
        let mut rows = sql::JsonRows::default();
        let mut nodes = sql::JsonRows::default();
        let mut private = sql::JsonRows::default();
        let mut salts = Salts::for_entries(entries)?;
        for (i, e) in entries.iter().enumerate() {
            let seq = size + i as u64;
            let (payload, openings) = seal(e, &mut salts)?;
            if let Some(o) = &openings {
                private.push(&[Cell::Int(seq as i64), Cell::Text(o)]);
            }
            let entry = Entry {
                seq,
                at_ms: sql::millis(e.at),
                stream: &e.stream,
                kind: &e.kind,
                actor: &e.actor,
                payload: &payload,
            };
            let leaf = entry.leaf_hash();
            rows.push(&[
                Cell::Int(seq as i64),
                Cell::Text(&e.stream),
                Cell::Text(&e.kind),
                Cell::Text(&e.actor),
                Cell::Int(entry.at_ms),
                Cell::Text(&payload),
                Cell::Bytes(&leaf),
            ]);
            frontier.push(leaf, |id, h| {
                if id.level > 0 && id.is_stored() {
                    nodes.push(&[
                        Cell::Int(i64::from(id.level)),
                        Cell::Int(id.index as i64),
                        Cell::Bytes(h),
                    ]);
                }
            });
        }
        insert_entries(tx, marks, rows).await?;
        if !private.is_empty() {
            sqlx::query(sql::dynamic(sql::insert_json(
                marks,
                "ledger_private",
                &[("seq", Col::Int), ("openings", Col::Text)],
            )))
            .bind(private.finish())
            .execute(&mut **tx)
            .await?;
        }
        if !nodes.is_empty() {
            sqlx::query(sql::dynamic(sql::insert_json(
                marks,
                "ledger_nodes",
                &[("level", Col::Int), ("idx", Col::Int), ("hash", Col::Bytes)],
            )))
            .bind(nodes.finish())
            .execute(&mut **tx)
            .await?;
        }
        Ok((size, frontier))
    }

    /// Remembers the frontier of a committed append.
    fn ledger_committed(&self, frontier: Frontier) {
        self.ledger
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .frontier = Some(frontier);
    }

    /// Appends events in a transaction of their own.
    pub async fn append_standalone(&self, entries: &[NewEntry]) -> Result<u64> {
        let mut tx = self.begin_ledger().await?;
        let first = tx.append(entries).await?;
        tx.commit().await?;
        Ok(first)
    }

    /// Opens the one kind of transaction that writes the ledger: see [`LedgerTx`].
    pub(crate) async fn begin_ledger(&self) -> Result<LedgerTx<'_>> {
        Ok(LedgerTx {
            store: self,
            tx: self.ledger_tx().await?,
            frontier: None,
        })
    }

    /// The tree's size and head now.
    pub async fn ledger_head(&self) -> Result<(u64, Hash)> {
        let mut tx = self.pool.begin().await?;
        let size: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq) + 1, 0) FROM ledger_entries")
            .fetch_one(&mut *tx)
            .await?;
        let f = load_frontier(&mut tx, size as u64).await?;
        tx.commit().await?;
        Ok((f.size(), f.root()))
    }

    /// The events of one stream (`case/<receipt>`), in order.
    pub async fn stream_entries(&self, stream: &str) -> Result<Vec<StoredEntry>> {
        let rows = sqlx::query(sql::dynamic(format!(
            "{ENTRY_WITH_OPENINGS} WHERE e.stream = $1 ORDER BY e.seq"
        )))
        .bind(stream)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(StoredEntry::from_joined_row).collect()
    }

    pub async fn entry(&self, seq: u64) -> Result<Option<StoredEntry>> {
        let row = sqlx::query(sql::dynamic(format!(
            "{ENTRY_WITH_OPENINGS} WHERE e.seq = $1"
        )))
        .bind(seq as i64)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(StoredEntry::from_joined_row).transpose()
    }

    /// The audit path of entry `seq` in the tree of `size` entries.
    pub async fn inclusion_proof(&self, seq: u64, size: u64) -> Result<Vec<Hash>> {
        if seq >= size {
            return Err(StoreError::invalid(
                "seq",
                sunlight_core::zh_en!(
                    "第 {seq} 条记录不在规模为 {size} 的树内",
                    "entry {seq} is not inside a tree of {size}"
                ),
            ));
        }
        self.check_size(size).await?;
        self.proof_from_ranges(&inclusion_ranges(seq, size)).await
    }

    /// The proof that the tree of `new` entries extends the tree of `old`.
    pub async fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>> {
        if old > new {
            return Err(StoreError::invalid(
                "from",
                sunlight_core::zh_en!("{old} 大于 {new}", "{old} is larger than {new}"),
            ));
        }
        self.check_size(new).await?;
        self.proof_from_ranges(&consistency_ranges(old, new)).await
    }

    /// The head of the tree's first `size` entries.
    pub async fn ledger_root(&self, size: u64) -> Result<Hash> {
        self.check_size(size).await?;
        let nodes = range_nodes(0, size);
        let mut tx = self.pool.begin().await?;
        let got = fetch_nodes(&mut tx, &nodes).await?;
        tx.commit().await?;
        range_hash(0, size, &got)
            .ok_or_else(|| StoreError::Corrupt("a ledger node is missing".into()))
    }

    async fn check_size(&self, size: u64) -> Result<()> {
        let have: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(seq) + 1, 0) FROM ledger_entries")
            .fetch_one(&self.pool)
            .await?;
        if size > have as u64 {
            return Err(StoreError::invalid(
                "size",
                sunlight_core::zh_en!(
                    "账本只有 {have} 条记录，少于 {size}",
                    "the ledger holds {have} entries, fewer than {size}"
                ),
            ));
        }
        Ok(())
    }

    async fn proof_from_ranges(&self, ranges: &[(u64, u64)]) -> Result<Vec<Hash>> {
        let ids: Vec<NodeId> = ranges
            .iter()
            .flat_map(|&(a, b)| range_nodes(a, b))
            .collect();
        let mut tx = self.pool.begin().await?;
        let nodes = fetch_nodes(&mut tx, &ids).await?;
        tx.commit().await?;
        ranges
            .iter()
            .map(|&(a, b)| {
                range_hash(a, b, &nodes)
                    .ok_or_else(|| StoreError::Corrupt("a ledger node is missing".into()))
            })
            .collect()
    }

    /// Signs the current head, unless the latest checkpoint already covers it.
    pub async fn sign_checkpoint(
        &self,
        signer: &Signer,
        origin: &str,
        now: Timestamp,
    ) -> Result<SignedCheckpoint> {
        let (size, root) = self.ledger_head().await?;
        if let Some(latest) = self.latest_checkpoint().await?
            && latest.size == size
            && latest.origin == origin
        {
            return Ok(latest);
        }
        let signed = signer.sign(&Checkpoint {
            origin: origin.to_string(),
            size,
            root,
            timestamp_ms: sql::millis(now),
        });
        sqlx::query(
            "INSERT INTO ledger_checkpoints (size, root, at, origin, signature, key) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (size) DO NOTHING",
        )
        .bind(size as i64)
        .bind(signed.root.as_str())
        .bind(signed.timestamp_ms)
        .bind(signed.origin.as_str())
        .bind(signed.signature.as_str())
        .bind(signed.key.as_str())
        .execute(&self.writer)
        .await?;
        Ok(signed)
    }

    pub async fn latest_checkpoint(&self) -> Result<Option<SignedCheckpoint>> {
        Ok(self
            .checkpoints_where("ORDER BY size DESC LIMIT 1")
            .await?
            .pop())
    }

    pub async fn checkpoints(&self) -> Result<Vec<SignedCheckpoint>> {
        self.checkpoints_where("ORDER BY size").await
    }

    async fn checkpoints_where(&self, tail: &'static str) -> Result<Vec<SignedCheckpoint>> {
        let rows = sqlx::query(sql::dynamic(format!(
            "SELECT size, root, at, origin, signature, key FROM ledger_checkpoints {tail}"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SignedCheckpoint {
                    origin: r.try_get("origin")?,
                    size: r.try_get::<i64, _>("size")? as u64,
                    root: r.try_get("root")?,
                    timestamp_ms: r.try_get("at")?,
                    signature: r.try_get("signature")?,
                    key: r.try_get("key")?,
                })
            })
            .collect()
    }

    /// Recomputes every leaf from its row and the tree from the leaves, and checks every
    /// checkpoint against it (and against `verifier`, the key kept outside the database).
    /// Names each altered, missing, inserted or reordered entry it can pin down.
    pub async fn verify_ledger(&self, verifier: Option<&Verifier>) -> Result<VerifyReport> {
        use futures_util::TryStreamExt;
        let mut report = VerifyReport::default();
        let mut tree = MemoryTree::new();
        let mut stored_leaves = MemoryTree::new();
        let mut expected: u64 = 0;
        // Power versions as their ledger entries describe them: (code, version) → doc digest.
        let mut published: HashMap<(String, i64), String> = HashMap::new();
        {
            let mut rows = sqlx::query(sql::dynamic(format!(
                "{ENTRY_WITH_OPENINGS} ORDER BY e.seq"
            )))
            .fetch(&self.pool);
            while let Some(row) = rows.try_next().await? {
                let (mut e, stored) = StoredEntry::from_row(&row)?;
                e.openings = row.try_get("openings")?;
                if e.seq != expected {
                    if e.seq > expected {
                        report.problems.push(format!(
                            "entries {expected}–{} are missing (deleted): the log jumps from {} to {}",
                            e.seq - 1,
                            expected as i64 - 1,
                            e.seq
                        ));
                    }
                    expected = e.seq;
                }
                let now = e.recomputed_leaf();
                if now != stored {
                    report.problems.push(format!(
                        "entry {} ({} {}) was altered, inserted or moved: its content no longer hashes to the leaf recorded for it",
                        e.seq, e.stream, e.kind
                    ));
                }
                if let Some(problem) = openings_problem(&e) {
                    report.problems.push(problem);
                }
                if e.stream.starts_with("power/")
                    && let Ok(v) = serde_json::from_str::<serde_json::Value>(&e.payload)
                    && let (Some(code), Some(version), Some(digest)) = (
                        v["code"].as_str(),
                        v["version"].as_i64(),
                        v["doc_sha256"].as_str(),
                    )
                {
                    published.insert((code.to_string(), version), digest.to_string());
                }
                tree.push(now);
                stored_leaves.push(stored);
                expected += 1;
                report.entries += 1;
            }
        }
        // Stored subtrees must agree with the leaves (a rewrite that recomputed leaves shows here).
        let rows = sqlx::query("SELECT level, idx, hash FROM ledger_nodes ORDER BY level, idx")
            .fetch_all(&self.pool)
            .await?;
        for r in rows {
            let id = NodeId::new(
                r.try_get::<i64, _>("level")? as u8,
                r.try_get::<i64, _>("idx")? as u64,
            );
            let hash: Vec<u8> = r.try_get("hash")?;
            let (first, n) = id.leaves();
            if first + n > tree.len() {
                report.problems.push(format!(
                    "a stored subtree covers entries {first}–{} but the log holds only {}: entries were deleted from its end",
                    first + n - 1,
                    tree.len()
                ));
                continue;
            }
            if tree.range_root(first, first + n).as_slice() != hash.as_slice() {
                report.problems.push(format!(
                    "entries {first}–{} do not hash to the subtree recorded when they were written: one of them was rewritten",
                    first + n - 1
                ));
            }
        }
        let orphans: Vec<i64> = sqlx::query_scalar(
            "SELECT p.seq FROM ledger_private p LEFT JOIN ledger_entries e ON e.seq = p.seq
             WHERE e.seq IS NULL ORDER BY p.seq",
        )
        .fetch_all(&self.pool)
        .await?;
        for seq in orphans {
            report.problems.push(format!(
                "personal values are kept for entry {seq}, which the log does not hold"
            ));
        }
        self.verify_power_versions(&published, &mut report).await?;
        for cp in self.checkpoints().await? {
            report.checkpoints += 1;
            if let Some(v) = verifier
                && v.verify(&cp).is_err()
            {
                report.problems.push(format!(
                    "checkpoint at size {} does not carry a valid signature of our key",
                    cp.size
                ));
                continue;
            }
            if cp.size > tree.len() {
                report.problems.push(format!(
                    "checkpoint at size {} covers more entries than the {} stored: the log was truncated",
                    cp.size,
                    tree.len()
                ));
                continue;
            }
            let root = tree.root(cp.size);
            if sunlight_ledger::to_hex(&root) != cp.root {
                let first = (0..cp.size)
                    .find(|&i| tree.leaves()[i as usize] != stored_leaves.leaves()[i as usize]);
                report.problems.push(match first {
                    Some(i) => format!("checkpoint at size {} no longer matches; the first changed entry is {i}", cp.size),
                    None => format!(
                        "checkpoint at size {} no longer matches the log: entries before {} were rewritten together with their leaves",
                        cp.size, cp.size
                    ),
                });
            }
        }
        Ok(report)
    }
}

impl Store {
    /// Every published power version must match the digest its ledger entry recorded: a
    /// version edited, or inserted, behind the registry's back shows here.
    async fn verify_power_versions(
        &self,
        published: &HashMap<(String, i64), String>,
        report: &mut VerifyReport,
    ) -> Result<()> {
        use futures_util::TryStreamExt;
        let mut rows =
            sqlx::query("SELECT code, version, doc FROM power_versions ORDER BY code, version")
                .fetch(&self.pool);
        while let Some(row) = rows.try_next().await? {
            let code: String = row.try_get("code")?;
            let version: i64 = row.try_get("version")?;
            let doc: String = row.try_get("doc")?;
            match published.get(&(code.clone(), version)) {
                None => report.problems.push(format!(
                    "power {code} version {version} has no ledger entry: it was written outside the registry's publication"
                )),
                Some(d) if *d != crate::proposals::version_digest(&doc) => report.problems.push(format!(
                    "power {code} version {version} was edited after publication: its document no longer matches its ledger entry"
                )),
                Some(_) => {}
            }
        }
        Ok(())
    }
}

/// What is wrong with the personal values kept beside an entry, if anything: each must open
/// a commitment of the leaf's payload. (Values erased are simply absent: nothing to check.)
fn openings_problem(e: &StoredEntry) -> Option<String> {
    let text = e.openings.as_deref()?;
    let checked = serde_json::from_str::<Openings>(text)
        .map_err(|err| err.to_string())
        .and_then(|o| {
            let public: serde_json::Value =
                serde_json::from_str(&e.payload).map_err(|err| err.to_string())?;
            personal::check(&public, &o).map_err(|err| err.to_string())
        });
    checked.err().map(|why| {
        format!(
            "entry {} ({} {}): the personal values kept beside it were altered ({why})",
            e.seq, e.stream, e.kind
        )
    })
}

/// The frontier of the tree of `size` leaves, from the stored subtrees.
async fn load_frontier(tx: &mut Tx<'_>, size: u64) -> Result<Frontier> {
    let ids = Frontier::peak_ids(size);
    let nodes = fetch_nodes(tx, &ids).await?;
    let peaks: Vec<Hash> = ids
        .iter()
        .map(|id| {
            nodes
                .get(id)
                .copied()
                .ok_or_else(|| StoreError::Corrupt(format!("ledger subtree {id:?} is missing")))
        })
        .collect::<Result<_>>()?;
    Frontier::from_peaks(size, peaks).ok_or_else(|| StoreError::Corrupt("ledger frontier".into()))
}

/// The hashes of perfect subtrees, each computed from the stored nodes below it.
async fn fetch_nodes(tx: &mut Tx<'_>, ids: &[NodeId]) -> Result<HashMap<NodeId, Hash>> {
    let mut out = HashMap::new();
    for &id in ids {
        if out.contains_key(&id) {
            continue;
        }
        let (level, span) = id.stored_parts();
        let rows = if level == 0 {
            sqlx::query(
                "SELECT leaf AS hash FROM ledger_entries WHERE seq >= $1 AND seq < $2 ORDER BY seq",
            )
            .bind(span.start as i64)
            .bind(span.end as i64)
            .fetch_all(&mut **tx)
            .await?
        } else {
            sqlx::query("SELECT hash FROM ledger_nodes WHERE level = $1 AND idx >= $2 AND idx < $3 ORDER BY idx")
                .bind(i64::from(level))
                .bind(span.start as i64)
                .bind(span.end as i64)
                .fetch_all(&mut **tx)
                .await?
        };
        if rows.len() as u64 != span.end - span.start {
            return Err(StoreError::Corrupt(format!(
                "ledger: {} of {} stored hashes under subtree {id:?} are missing",
                span.end - span.start - rows.len() as u64,
                span.end - span.start
            )));
        }
        let parts: Vec<Hash> = rows
            .iter()
            .map(|r| {
                let h: Vec<u8> = r.try_get("hash")?;
                h.try_into()
                    .map_err(|_| StoreError::Corrupt("a ledger hash is not 32 bytes".into()))
            })
            .collect::<Result<_>>()?;
        out.insert(id, perfect_root(&parts));
    }
    Ok(out)
}

/// Ledger rows (seq, stream, kind, actor, at, payload, leaf) in one statement.
pub(crate) async fn insert_entries(
    tx: &mut Tx<'_>,
    marks: sql::Marks,
    rows: sql::JsonRows,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    sqlx::query(sql::dynamic(sql::insert_json(
        marks,
        "ledger_entries",
        &[
            ("seq", Col::Int),
            ("stream", Col::Text),
            ("kind", Col::Text),
            ("actor", Col::Text),
            ("at", Col::Int),
            ("payload", Col::Text),
            ("leaf", Col::Bytes),
        ],
    )))
    .bind(rows.finish())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Salts for the commitments of one append, drawn from the system's random source in one go.
struct Salts {
    bytes: Vec<u8>,
    at: usize,
}

impl Salts {
    /// Enough for every personal value the entries' kinds may carry.
    fn for_entries(entries: &[NewEntry]) -> Result<Self> {
        let n: usize = entries
            .iter()
            .map(|e| sunlight_core::personal::fields(&e.kind).len())
            .sum();
        let mut bytes = vec![0u8; n * personal::SALT_LEN];
        if n > 0 {
            getrandom::fill(&mut bytes).map_err(|e| {
                StoreError::Corrupt(format!("the system's random source failed: {e}"))
            })?;
        }
        Ok(Self { bytes, at: 0 })
    }

    fn next(&mut self) -> [u8; personal::SALT_LEN] {
        let mut s = [0u8; personal::SALT_LEN];
        // `for_entries` drew one salt per pointer, and a pointer is sealed at most once.
        s.copy_from_slice(&self.bytes[self.at..self.at + personal::SALT_LEN]);
        self.at += personal::SALT_LEN;
        s
    }
}

/// The payload the leaf hashes, and the openings to keep beside it (JSON), for one entry: its
/// personal values (by kind) replaced by commitments.
fn seal<'e>(
    e: &'e NewEntry,
    salts: &mut Salts,
) -> Result<(std::borrow::Cow<'e, str>, Option<String>)> {
    let pointers = sunlight_core::personal::fields(&e.kind);
    if pointers.is_empty() {
        return Ok((std::borrow::Cow::Borrowed(&e.payload), None));
    }
    let mut v: serde_json::Value = serde_json::from_str(&e.payload).map_err(|err| {
        StoreError::invalid(
            "payload",
            sunlight_core::zh_en!(
                "{kind} 记录的内容应为 JSON：{err}",
                "a {kind} entry must be JSON: {err}",
                kind = &e.kind,
            ),
        )
    })?;
    let openings = personal::seal(&mut v, pointers, &mut || salts.next());
    if openings.is_empty() {
        return Ok((std::borrow::Cow::Borrowed(&e.payload), None));
    }
    Ok((
        std::borrow::Cow::Owned(sunlight_ledger::entry::canonical_json(&v)),
        Some(sql::to_json(&openings)),
    ))
}
