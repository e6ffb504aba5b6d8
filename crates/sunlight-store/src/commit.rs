//! The one write path of every process: a decided batch — ledger entries, the projection
//! rows of the instances it changed, alerts it raised, remembered command results — written
//! in **one transaction** ([`Store::commit`]), refused whole with [`StoreError::Conflict`] if
//! any instance moved since it was read.
//!
//! What differs between process kinds is only their projection: [`Projection::rows`] names
//! the rows a kind writes ([`Rows`]); the SQL for each lives here. Cases keep their version
//! in their row; the other kinds' version is the length of their ledger stream, so a write by
//! anyone to that stream — another server, or a case using a per-use approval — is caught.

use crate::alerts::NewAlert;
use crate::cases::CaseWrite;
use crate::ledger::{NewEntry, Tx};
use crate::notify::NewNotice;
use crate::sql::{self, Cell, Col};
use crate::{Result, Store, StoreError};
use sqlx::Row;
use std::sync::Arc;
use sunlight_core::Timestamp;
use sunlight_core::checkout::Checkout;
use sunlight_core::complaint::Complaint;
use sunlight_core::supervision::life::{AlertLife, MeasureRecord};

/// Everything one group commit of one process kind writes.
#[derive(Debug, Clone)]
pub struct Commit<W> {
    /// The instances written, each at its new state with the version it was read at.
    pub writes: Vec<W>,
    pub entries: Vec<NewEntry>,
    /// (idempotency key, result JSON)
    pub keys: Vec<(String, String)>,
    /// Alerts the batch's events raised (written, and ledgered, only if new).
    pub alerts: Vec<NewAlert>,
    /// What the batch's events tell applicants: outbox rows and portal messages.
    pub notices: Vec<NewNotice>,
    pub at: Option<Timestamp>,
}

impl<W> Default for Commit<W> {
    fn default() -> Self {
        Self {
            writes: vec![],
            entries: vec![],
            keys: vec![],
            alerts: vec![],
            notices: vec![],
            at: None,
        }
    }
}

/// A process instance at its new state, read at version `expected` (0: new).
#[derive(Debug, Clone)]
pub struct Write<S> {
    pub state: Arc<S>,
    pub expected: u64,
}

/// The projection rows of a batch, by kind.
#[derive(Debug, Clone, Copy)]
pub enum Rows<'a> {
    Cases(&'a [CaseWrite]),
    Checkouts(&'a [Write<Checkout>]),
    Complaints(&'a [Write<Complaint>]),
    Alerts(&'a [Write<AlertLife>]),
    Measures(&'a [Write<MeasureRecord>]),
    /// Nothing but entries and alerts (the monitor's timers).
    None,
}

/// A kind's projection write.
pub trait Projection: Sized + Sync {
    fn rows(writes: &[Self]) -> Rows<'_>;
}

impl Projection for CaseWrite {
    fn rows(writes: &[Self]) -> Rows<'_> {
        Rows::Cases(writes)
    }
}

impl Projection for Write<Checkout> {
    fn rows(writes: &[Self]) -> Rows<'_> {
        Rows::Checkouts(writes)
    }
}

impl Projection for Write<Complaint> {
    fn rows(writes: &[Self]) -> Rows<'_> {
        Rows::Complaints(writes)
    }
}

impl Projection for Write<AlertLife> {
    fn rows(writes: &[Self]) -> Rows<'_> {
        Rows::Alerts(writes)
    }
}

impl Projection for Write<MeasureRecord> {
    fn rows(writes: &[Self]) -> Rows<'_> {
        Rows::Measures(writes)
    }
}

/// No projection: a commit of entries and alerts only.
#[derive(Debug, Clone)]
pub enum NoRows {}

impl Projection for NoRows {
    fn rows(_: &[Self]) -> Rows<'_> {
        Rows::None
    }
}

impl Store {
    /// Writes a decided batch in one transaction: the version check, alerts not raised
    /// before, ledger entries (the batch's, then the alerts'), projection rows, command
    /// results. Returns the seq of the batch's first entry (0 if it wrote none).
    pub async fn commit<W: Projection>(&self, batch: &Commit<W>) -> Result<u64> {
        let mut tx = self.begin_ledger().await?;
        let marks = sql::Marks::of(&tx.tx);
        let rows = W::rows(&batch.writes);
        check_versions(&mut tx.tx, marks, rows).await?;
        let raised_at = batch.at.unwrap_or(Timestamp::UNIX_EPOCH);
        let (alert_entries, _) =
            crate::alerts::insert_alerts(&mut tx.tx, &batch.alerts, raised_at).await?;
        let first = if alert_entries.is_empty() {
            tx.append(&batch.entries).await?
        } else {
            let all: Vec<NewEntry> = batch.entries.iter().cloned().chain(alert_entries).collect();
            tx.append(&all).await?
        };
        write_rows(&mut tx.tx, marks, rows).await?;
        if !batch.notices.is_empty() {
            crate::notify::insert_notices(&mut tx.tx, marks, &batch.notices, raised_at).await?;
        }
        if !batch.keys.is_empty() {
            let at = sql::millis(raised_at);
            let mut keys = sql::JsonRows::default();
            for (k, r) in &batch.keys {
                keys.push(&[Cell::Text(k), Cell::Text(r), Cell::Int(at)]);
            }
            sqlx::query(sql::dynamic(sql::insert_json(
                marks,
                "command_keys",
                &[("key", Col::Text), ("result", Col::Text), ("at", Col::Int)],
            )))
            .bind(keys.finish())
            .execute(&mut *tx.tx)
            .await?;
        }
        tx.commit().await?;
        Ok(first)
    }

    /// The versions (stream lengths) of instances of `kind`, by id; absent ids have none.
    pub async fn stream_versions(
        &self,
        kind: &str,
        ids: &[&str],
    ) -> Result<std::collections::HashMap<String, u64>> {
        let mut out = std::collections::HashMap::new();
        for id in ids {
            let n: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM ledger_entries WHERE stream = $1")
                    .bind(format!("{kind}/{id}"))
                    .fetch_one(&self.pool)
                    .await?;
            if n > 0 {
                out.insert(id.to_string(), n as u64);
            }
        }
        Ok(out)
    }
}

/// Refuses the batch if any instance moved since it was read.
async fn check_versions(tx: &mut Tx<'_>, marks: sql::Marks, rows: Rows<'_>) -> Result<()> {
    let streams: Vec<(String, u64)> = match rows {
        Rows::Cases(cases) => return crate::cases::check_case_versions(tx, marks, cases).await,
        Rows::Checkouts(w) => streams_of(w),
        Rows::Complaints(w) => streams_of(w),
        Rows::Alerts(w) => streams_of(w),
        Rows::Measures(w) => streams_of(w),
        Rows::None => vec![],
    };
    for (stream, expected) in streams {
        let have: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ledger_entries WHERE stream = $1")
            .bind(stream.as_str())
            .fetch_one(&mut **tx)
            .await?;
        if have as u64 != expected {
            return Err(StoreError::Conflict(sunlight_core::zh_en!(
                "{stream} 已被他人改动（版本 {have}，预期 {expected}），请重试",
                "{stream} changed meanwhile (version {have}, expected {expected})"
            )));
        }
    }
    Ok(())
}

fn streams_of<S: sunlight_core::process::Process>(writes: &[Write<S>]) -> Vec<(String, u64)> {
    writes
        .iter()
        .map(|w| (S::stream(&w.state.id()), w.expected))
        .collect()
}

async fn write_rows(tx: &mut Tx<'_>, marks: sql::Marks, rows: Rows<'_>) -> Result<()> {
    match rows {
        Rows::Cases(cases) => crate::cases::write_projections(tx, marks, cases).await,
        Rows::Checkouts(w) => {
            for c in w.iter().map(|w| &w.state) {
                sqlx::query(
                    "INSERT INTO checkouts (id, power, reason, requested_by, requested_at, state, decided_by, decided_at, closes_at, used_by)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                     ON CONFLICT (id) DO UPDATE SET state = excluded.state, decided_by = excluded.decided_by,
                        decided_at = excluded.decided_at, closes_at = excluded.closes_at, used_by = excluded.used_by",
                )
                .bind(c.id)
                .bind(c.power.as_str())
                .bind(c.reason.as_str())
                .bind(c.requested_by.as_str())
                .bind(sql::millis(c.requested_at))
                .bind(c.state.as_str())
                .bind(c.decided_by.as_deref())
                .bind(c.decided_at.map(sql::millis))
                .bind(c.closes_at.map(sql::millis))
                .bind(c.used_by.as_deref())
                .execute(&mut **tx)
                .await?;
            }
            Ok(())
        }
        Rows::Complaints(w) => {
            for c in w.iter().map(|w| &w.state) {
                sqlx::query(
                    "INSERT INTO complaints (tracking, code_hash, against, target, department, complainant, phone, text, filed_at, due, state, answer, answered_by, answered_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
                     ON CONFLICT (tracking) DO UPDATE SET state = excluded.state, answer = excluded.answer,
                        answered_by = excluded.answered_by, answered_at = excluded.answered_at",
                )
                .bind(c.tracking.as_str())
                .bind(c.code_hash.as_str())
                .bind(c.against.as_str())
                .bind(c.target.as_str())
                .bind(c.department.as_str())
                .bind(c.complainant.as_str())
                .bind(c.phone.as_str())
                .bind(c.text.as_str())
                .bind(sql::millis(c.filed_at))
                .bind(c.due.to_string())
                .bind(c.state.as_str())
                .bind(c.answer.as_deref())
                .bind(c.answered_by.as_deref())
                .bind(c.answered_at.map(sql::millis))
                .execute(&mut **tx)
                .await?;
            }
            Ok(())
        }
        Rows::Alerts(w) => {
            for a in w.iter().map(|w| &w.state) {
                let done = sqlx::query(
                    "UPDATE alerts SET state = $1, explanation = $2, evidence = $3, resolution = $4, updated_by = $5, updated_at = $6
                     WHERE id = $7",
                )
                .bind(a.state.as_str())
                .bind(a.explanation.as_deref())
                .bind(a.evidence.as_deref())
                .bind(a.resolution.as_deref())
                .bind(a.updated_by.as_deref())
                .bind(a.updated_at.map(sql::millis))
                .bind(a.id)
                .execute(&mut **tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::not_found("alert", a.id));
                }
            }
            Ok(())
        }
        Rows::Measures(w) => {
            for m in w.iter().map(|w| &w.state) {
                sqlx::query(
                    "INSERT INTO accountability (id, department, staff, measure, reason, alerts, recorded_by, at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(m.id)
                .bind(m.department.as_str())
                .bind(m.staff.as_deref())
                .bind(m.measure.as_str())
                .bind(m.reason.as_str())
                .bind(sql::to_json(&m.alerts))
                .bind(m.recorded_by.as_str())
                .bind(sql::millis(m.at))
                .execute(&mut **tx)
                .await?;
            }
            Ok(())
        }
        Rows::None => Ok(()),
    }
}

impl Store {
    /// The next free number of a per-use approval. The writer of a kind draws numbers from
    /// here; a number another server took meanwhile fails the commit's version check, and the
    /// command is decided again.
    pub async fn next_checkout_id(&self) -> Result<i64> {
        self.next_id("checkouts").await
    }

    /// The next free number of an accountability measure (see [`Store::next_checkout_id`]).
    pub async fn next_measure_id(&self) -> Result<i64> {
        self.next_id("accountability").await
    }

    async fn next_id(&self, table: &'static str) -> Result<i64> {
        let row = sqlx::query(sql::dynamic(format!(
            "SELECT COALESCE(MAX(id), 0) + 1 AS next FROM {table}"
        )))
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("next")?)
    }
}
