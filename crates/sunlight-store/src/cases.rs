//! Case projections (`cases`, `case_tasks`), command results by idempotency key, discretion
//! benchmarks and per-use approvals. The engine decides; this module writes a decided batch —
//! events into the ledger, projections, keys — in one transaction ([`Store::commit_cases`]).

use crate::ledger::{NewEntry, StoredEntry};
use crate::{Result, Store, StoreError, sql};
use sqlx::Row;
use std::collections::HashMap;
use sunlight_core::Timestamp;
use sunlight_core::case::{Case, TaskState, TaskStatus};
use sunlight_core::discretion::Benchmark;

/// A case state to write; `expected` is the version it was read at (0 for a new case).
#[derive(Debug, Clone)]
pub struct CaseWrite {
    /// Shared with the engine's overlay and cache: a batch is cloned into its commit task,
    /// and the case itself need not be.
    pub case: std::sync::Arc<Case>,
    pub expected: u64,
    /// Tasks whose row changed.
    pub tasks: Vec<TaskState>,
    /// Its figures.
    pub outcome: sunlight_core::supervision::Outcome,
}

/// Everything one group commit writes.
#[derive(Debug, Default, Clone)]
pub struct CaseBatch {
    pub cases: Vec<CaseWrite>,
    pub entries: Vec<NewEntry>,
    /// (idempotency key, result JSON)
    pub keys: Vec<(String, String)>,
    /// Per-use approvals consumed: (checkout id, receipt).
    pub checkouts_used: Vec<(i64, String)>,
    /// Alerts the batch's events raised (written, and ledgered, only if new).
    pub alerts: Vec<crate::alerts::NewAlert>,
    pub at: Option<Timestamp>,
}

/// An open task as inboxes list it.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskRow {
    pub receipt: String,
    pub task: u32,
    pub node: String,
    pub name: String,
    pub role: String,
    pub department: String,
    pub status: String,
    pub assignee: Option<String>,
    pub due: Option<String>,
    pub opened_at_ms: i64,
}

fn status_str(s: TaskStatus) -> &'static str {
    match s {
        TaskStatus::Open => "open",
        TaskStatus::Done => "done",
        TaskStatus::Cancelled => "cancelled",
    }
}

/// A per-use approval (一事一审).
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Checkout {
    pub id: i64,
    pub power: String,
    pub reason: String,
    pub requested_by: String,
    pub requested_at_ms: i64,
    /// requested, open, used, expired, rejected
    pub state: String,
    pub decided_by: Option<String>,
    pub closes_at_ms: Option<i64>,
    pub used_by: Option<String>,
}

impl Store {
    /// Writes a decided batch in one transaction: ledger entries, case rows (refused with a
    /// conflict if any case moved since it was read), task rows, command results. Returns the
    /// seq of the batch's first entry.
    pub async fn commit_cases(&self, batch: &CaseBatch) -> Result<u64> {
        let mut tx = self.ledger_tx().await?;
        let marks = sql::Marks::of(&tx);
        // Optimistic concurrency: every case must still be at the version it was decided on.
        let receipts: Vec<&str> = batch
            .cases
            .iter()
            .map(|c| c.case.opened.receipt.as_str())
            .collect();
        let mut current: HashMap<String, u64> = HashMap::new();
        for row in sql::rows_in(
            &mut tx,
            "SELECT receipt, version FROM cases WHERE receipt IN",
            &receipts,
            "",
        )
        .await?
        {
            current.insert(
                row.try_get("receipt")?,
                row.try_get::<i64, _>("version")? as u64,
            );
        }
        for w in &batch.cases {
            let have = current
                .get(w.case.opened.receipt.as_str())
                .copied()
                .unwrap_or(0);
            if have != w.expected {
                return Err(StoreError::Conflict(format!(
                    "case {} changed meanwhile (version {have}, expected {})",
                    w.case.opened.receipt, w.expected
                )));
            }
        }
        let raised_at = batch.at.unwrap_or(Timestamp::UNIX_EPOCH);
        let (alert_entries, _) =
            crate::alerts::insert_alerts(&mut tx, &batch.alerts, raised_at).await?;
        let first = if batch.entries.is_empty() && alert_entries.is_empty() {
            None
        } else if alert_entries.is_empty() {
            Some(self.append_entries(&mut tx, &batch.entries).await?)
        } else {
            let all: Vec<NewEntry> = batch.entries.iter().cloned().chain(alert_entries).collect();
            Some(self.append_entries(&mut tx, &all).await?)
        };
        write_projections(&mut tx, marks, batch).await?;
        let at = sql::millis(batch.at.unwrap_or(Timestamp::UNIX_EPOCH));
        for (_, chunk) in sql::cached_chunks(&batch.keys, 3) {
            let stmt = format!(
                "INSERT INTO command_keys (key, result, at) VALUES {}",
                sql::values(marks, chunk.len(), 3)
            );
            let mut q = sqlx::query(sql::dynamic(stmt));
            for (k, r) in chunk {
                q = q.bind(k.as_str()).bind(r.as_str()).bind(at);
            }
            q.execute(&mut *tx).await?;
        }
        for (id, receipt) in &batch.checkouts_used {
            let done = sqlx::query("UPDATE checkouts SET state = 'used', used_by = $1 WHERE id = $2 AND state = 'open'")
                .bind(receipt.as_str())
                .bind(*id)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Conflict(format!(
                    "per-use approval {id} is no longer open"
                )));
            }
        }
        tx.commit().await?;
        let first_seq = first.map(|(seq, frontier)| {
            self.ledger_committed(frontier);
            seq
        });
        Ok(first_seq.unwrap_or(0))
    }

    /// The raw limit of `sunlight bench engine`: the rows a batch writes — its entries, case
    /// rows and task rows — by a bare loop of multi-row inserts in one transaction, without
    /// the engine's reads, rules, hashing or version checks. `first_seq` numbers the entries.
    pub async fn write_raw_batch(&self, batch: &CaseBatch, first_seq: u64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let marks = sql::Marks::of(&tx);
        for (offset, chunk) in sql::cached_chunks(&batch.entries, 7) {
            let stmt = format!(
                "INSERT INTO ledger_entries (seq, stream, kind, actor, at, payload, leaf) VALUES {}",
                sql::values(marks, chunk.len(), 7)
            );
            let mut q = sqlx::query(sql::dynamic(stmt));
            for (i, e) in chunk.iter().enumerate() {
                q = q
                    .bind((first_seq + (offset + i) as u64) as i64)
                    .bind(e.stream.as_str())
                    .bind(e.kind.as_str())
                    .bind(e.actor.as_str())
                    .bind(sql::millis(e.at))
                    .bind(e.payload.as_str())
                    .bind(vec![0u8; 32]);
            }
            q.execute(&mut *tx).await?;
        }
        write_projections(&mut tx, marks, batch).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The ledger entries of several cases (streams `case/<receipt>`), each in order: what the
    /// engine replays a case's state from.
    pub async fn case_entries(
        &self,
        receipts: &[&str],
    ) -> Result<HashMap<String, Vec<StoredEntry>>> {
        let mut out: HashMap<String, Vec<StoredEntry>> = HashMap::new();
        if receipts.is_empty() {
            return Ok(out);
        }
        let streams: Vec<String> = receipts.iter().map(|r| format!("case/{r}")).collect();
        let streams: Vec<&str> = streams.iter().map(String::as_str).collect();
        let mut conn = self.pool.acquire().await?;
        let rows = sql::rows_in(
            &mut conn,
            "SELECT seq, stream, kind, actor, at, payload, leaf FROM ledger_entries WHERE stream IN",
            &streams,
            " ORDER BY seq",
        )
        .await?;
        for row in rows {
            let e = StoredEntry::from_row(&row)?.0;
            let receipt = e.stream.trim_start_matches("case/").to_string();
            out.entry(receipt).or_default().push(e);
        }
        Ok(out)
    }

    /// Which of `receipts` are taken already.
    pub async fn receipts_taken(&self, receipts: &[&str]) -> Result<Vec<String>> {
        if receipts.is_empty() {
            return Ok(vec![]);
        }
        let mut conn = self.pool.acquire().await?;
        sql::rows_in(
            &mut conn,
            "SELECT receipt FROM cases WHERE receipt IN",
            receipts,
            "",
        )
        .await?
        .iter()
        .map(|r| Ok(r.try_get("receipt")?))
        .collect()
    }

    /// Open tasks of one case.
    pub async fn open_tasks(&self, receipt: &str) -> Result<Vec<TaskRow>> {
        let rows = sqlx::query(
            "SELECT receipt, task, node, name, role, department, status, assignee, due, opened_at
             FROM case_tasks WHERE receipt = $1 AND status = 'open' ORDER BY task",
        )
        .bind(receipt)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(task_row).collect()
    }

    /// A department's open tasks for the given roles, soonest due first.
    pub async fn inbox(
        &self,
        department: &str,
        roles: &[&str],
        limit: i64,
    ) -> Result<Vec<TaskRow>> {
        let mut out = Vec::new();
        for role in roles {
            let rows = sqlx::query(
                "SELECT receipt, task, node, name, role, department, status, assignee, due, opened_at
                 FROM case_tasks WHERE department = $1 AND role = $2 AND status = 'open'
                 ORDER BY due, opened_at LIMIT $3",
            )
            .bind(department)
            .bind(*role)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
            for r in &rows {
                out.push(task_row(r)?);
            }
        }
        out.sort_by(|a, b| a.due.cmp(&b.due).then(a.opened_at_ms.cmp(&b.opened_at_ms)));
        out.truncate(limit.max(0) as usize);
        Ok(out)
    }

    /// Remembered results of commands, by idempotency key.
    pub async fn command_results(&self, keys: &[&str]) -> Result<HashMap<String, String>> {
        let mut out = HashMap::new();
        if keys.is_empty() {
            return Ok(out);
        }
        let mut conn = self.pool.acquire().await?;
        for row in sql::rows_in(
            &mut conn,
            "SELECT key, result FROM command_keys WHERE key IN",
            keys,
            "",
        )
        .await?
        {
            out.insert(row.try_get("key")?, row.try_get("result")?);
        }
        Ok(out)
    }

    pub async fn case_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM cases")
            .fetch_one(&self.pool)
            .await?)
    }

    // --- discretion benchmarks

    /// Publishes a new version of a penalty power's benchmark.
    pub async fn put_benchmark(
        &self,
        b: &Benchmark,
        reason: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<i64> {
        let errors = b.validate();
        if !errors.is_empty() {
            return Err(sunlight_core::DomainError::Invalid(errors).into());
        }
        let mut tx = self.ledger_tx().await?;
        let version: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM benchmarks WHERE power = $1",
        )
        .bind(b.power.as_str())
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO benchmarks (power, version, document, reason, published_by, published_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(b.power.as_str())
        .bind(version)
        .bind(sql::to_json(b))
        .bind(reason)
        .bind(by)
        .bind(sql::millis(now))
        .execute(&mut *tx)
        .await?;
        // Registry data like the list itself: each version is a leaf, with its document's digest.
        let document = sql::to_json(b);
        let entry = NewEntry {
            stream: format!("benchmark/{}", b.power),
            kind: "benchmark.published".into(),
            actor: by.to_string(),
            at: now,
            payload: sunlight_ledger::entry::canonical_json(&serde_json::json!({
                "power": b.power.as_str(),
                "version": version,
                "reason": reason,
                "source": b.source,
                "doc_sha256": crate::proposals::version_digest(&document),
            })),
        };
        let (_, frontier) = self.append_entries(&mut tx, &[entry]).await?;
        tx.commit().await?;
        self.ledger_committed(frontier);
        Ok(version)
    }

    /// The latest benchmark of a power, with its version.
    pub async fn benchmark(&self, power: &str) -> Result<Option<(i64, Benchmark)>> {
        let row = sqlx::query("SELECT version, document FROM benchmarks WHERE power = $1 ORDER BY version DESC LIMIT 1")
            .bind(power)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| -> Result<_> {
            let doc: String = r.try_get("document")?;
            Ok((r.try_get("version")?, sql::json("benchmark", &doc)?))
        })
        .transpose()
    }

    // --- per-use approvals (一事一审)

    pub async fn request_checkout(
        &self,
        power: &str,
        reason: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<Checkout> {
        let mut tx = self.ledger_tx().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO checkouts (power, reason, requested_by, requested_at, state) VALUES ($1, $2, $3, $4, 'requested') RETURNING id",
        )
        .bind(power)
        .bind(reason)
        .bind(by)
        .bind(sql::millis(now))
        .fetch_one(&mut *tx)
        .await?;
        let entry = checkout_entry(
            id,
            "requested",
            by,
            now,
            serde_json::json!({"power": power, "reason": reason}),
        );
        let (_, frontier) = self.append_entries(&mut tx, &[entry]).await?;
        tx.commit().await?;
        self.ledger_committed(frontier);
        self.checkout(id)
            .await?
            .ok_or_else(|| StoreError::not_found("checkout", id))
    }

    /// Approves (opening the window until `closes_at`) or rejects a requested checkout.
    pub async fn decide_checkout(
        &self,
        id: i64,
        approve: bool,
        by: &str,
        now: Timestamp,
        closes_at: Timestamp,
    ) -> Result<Checkout> {
        let c = self
            .checkout(id)
            .await?
            .ok_or_else(|| StoreError::not_found("checkout", id))?;
        if c.state != "requested" {
            return Err(StoreError::Conflict(format!(
                "per-use approval {id} is {} already",
                c.state
            )));
        }
        if c.requested_by == by {
            return Err(sunlight_core::DomainError::rule(
                sunlight_core::ErrorCode::SeparationOfDuties,
                "who requested a per-use approval may not approve it",
            )
            .into());
        }
        let mut tx = self.ledger_tx().await?;
        let done = sqlx::query("UPDATE checkouts SET state = $1, decided_by = $2, decided_at = $3, closes_at = $4 WHERE id = $5 AND state = 'requested'")
            .bind(if approve { "open" } else { "rejected" })
            .bind(by)
            .bind(sql::millis(now))
            .bind(approve.then(|| sql::millis(closes_at)))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "per-use approval {id} was decided meanwhile; reload it"
            )));
        }
        let entry = checkout_entry(
            id,
            if approve { "approved" } else { "rejected" },
            by,
            now,
            serde_json::json!({
                "power": c.power,
                "closes_at": approve.then(|| closes_at.to_string()),
            }),
        );
        let (_, frontier) = self.append_entries(&mut tx, &[entry]).await?;
        tx.commit().await?;
        self.ledger_committed(frontier);
        self.checkout(id)
            .await?
            .ok_or_else(|| StoreError::not_found("checkout", id))
    }

    pub async fn checkout(&self, id: i64) -> Result<Option<Checkout>> {
        let row = sqlx::query("SELECT * FROM checkouts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(checkout_row).transpose()
    }

    /// An open, unexpired checkout of `power` at `now`; expired ones are closed on the way.
    pub async fn open_checkout(&self, power: &str, now: Timestamp) -> Result<Option<Checkout>> {
        sqlx::query(
            "UPDATE checkouts SET state = 'expired' WHERE state = 'open' AND closes_at <= $1",
        )
        .bind(sql::millis(now))
        .execute(&self.pool)
        .await?;
        let row = sqlx::query(
            "SELECT * FROM checkouts WHERE power = $1 AND state = 'open' ORDER BY id LIMIT 1",
        )
        .bind(power)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(checkout_row).transpose()
    }
}

/// The case and task rows of a batch (upserts).
async fn write_projections(
    tx: &mut crate::ledger::Tx<'_>,
    marks: sql::Marks,
    batch: &CaseBatch,
) -> Result<()> {
    const CASE_COLS: usize = 24;
    for (_, chunk) in sql::cached_chunks(&batch.cases, CASE_COLS) {
        let stmt = format!(
                "INSERT INTO cases (receipt, power, power_version, region, department, status, version, submitted_at,
                    statutory_due, committed_due, finished_at, query_code_hash,
                    supplement_notices, decided_on, delivered, suspended_since, suspended_reason,
                    accepted_on, committed_days, statutory_days, actual_days, on_time, rating, decided_by) VALUES {}
                 ON CONFLICT (receipt) DO UPDATE SET status = excluded.status, version = excluded.version,
                    statutory_due = excluded.statutory_due, committed_due = excluded.committed_due,
                    finished_at = excluded.finished_at, supplement_notices = excluded.supplement_notices,
                    decided_on = excluded.decided_on, delivered = excluded.delivered,
                    suspended_since = excluded.suspended_since, suspended_reason = excluded.suspended_reason,
                    accepted_on = excluded.accepted_on, committed_days = excluded.committed_days,
                    statutory_days = excluded.statutory_days, actual_days = excluded.actual_days,
                    on_time = excluded.on_time, rating = excluded.rating, decided_by = excluded.decided_by",
                sql::values(marks, chunk.len(), CASE_COLS)
            );
        let mut q = sqlx::query(sql::dynamic(stmt));
        for w in chunk {
            let c = &w.case;
            let o = &c.opened;
            q = q
                .bind(o.receipt.as_str())
                .bind(o.power.as_str())
                .bind(o.power_version)
                .bind(o.region.as_str())
                .bind(o.department.as_str())
                .bind(c.status.as_str())
                .bind(c.version as i64)
                .bind(sql::millis(c.submitted_at))
                .bind(c.deadlines.statutory.map(|d| d.to_string()))
                .bind(c.deadlines.committed.map(|d| d.to_string()))
                .bind(c.finished_at.map(sql::millis))
                .bind(o.query_code_hash.as_str())
                .bind(i64::from(c.supplement_notices))
                .bind(w.outcome.decided_on.map(|d| d.to_string()))
                .bind(i64::from(c.delivery.is_some()))
                .bind(c.suspended.as_ref().map(|s| s.from.to_string()))
                .bind(c.suspended.as_ref().map(|s| s.reason.as_str()))
                .bind(w.outcome.accepted_on.map(|d| d.to_string()))
                .bind(w.outcome.committed_days.map(i64::from))
                .bind(w.outcome.statutory_days.map(i64::from))
                .bind(w.outcome.actual_days.map(i64::from))
                .bind(w.outcome.on_time.map(i64::from))
                .bind(w.outcome.rating.map(i64::from))
                .bind(w.outcome.decided_by.as_ref().map(|u| u.as_str()));
        }
        q.execute(&mut **tx).await?;
    }
    let tasks: Vec<(&str, &TaskState)> = batch
        .cases
        .iter()
        .flat_map(|w| {
            w.tasks
                .iter()
                .map(move |t| (w.case.opened.receipt.as_str(), t))
        })
        .collect();
    const TASK_COLS: usize = 10;
    for (_, chunk) in sql::cached_chunks(&tasks, TASK_COLS) {
        let stmt = format!(
                "INSERT INTO case_tasks (receipt, task, node, name, role, department, status, assignee, due, opened_at) VALUES {}
                 ON CONFLICT (receipt, task) DO UPDATE SET status = excluded.status, assignee = excluded.assignee",
                sql::values(marks, chunk.len(), TASK_COLS)
            );
        let mut q = sqlx::query(sql::dynamic(stmt));
        for (receipt, t) in chunk {
            q = q
                .bind(*receipt)
                .bind(i64::from(t.id))
                .bind(t.node.as_str())
                .bind(t.name.as_str())
                .bind(t.role.as_str())
                .bind(t.department.as_str())
                .bind(status_str(t.status))
                .bind(t.assignee.as_deref())
                .bind(t.due.map(|d| d.to_string()))
                .bind(sql::millis(t.opened_at));
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

fn checkout_row(r: &sqlx::any::AnyRow) -> Result<Checkout> {
    Ok(Checkout {
        id: r.try_get("id")?,
        power: r.try_get("power")?,
        reason: r.try_get("reason")?,
        requested_by: r.try_get("requested_by")?,
        requested_at_ms: r.try_get("requested_at")?,
        state: r.try_get("state")?,
        decided_by: r.try_get("decided_by")?,
        closes_at_ms: r.try_get("closes_at")?,
        used_by: r.try_get("used_by")?,
    })
}

fn task_row(r: &sqlx::any::AnyRow) -> Result<TaskRow> {
    Ok(TaskRow {
        receipt: r.try_get("receipt")?,
        task: r.try_get::<i64, _>("task")? as u32,
        node: r.try_get("node")?,
        name: r.try_get("name")?,
        role: r.try_get("role")?,
        department: r.try_get("department")?,
        status: r.try_get("status")?,
        assignee: r.try_get("assignee")?,
        due: r.try_get("due")?,
        opened_at_ms: r.try_get("opened_at")?,
    })
}

/// A per-use approval's act as a ledger entry (stream `checkout/{id}`).
fn checkout_entry(
    id: i64,
    act: &str,
    by: &str,
    at: Timestamp,
    payload: serde_json::Value,
) -> NewEntry {
    NewEntry {
        stream: format!("checkout/{id}"),
        kind: format!("checkout.{act}"),
        actor: by.to_string(),
        at,
        payload: sunlight_ledger::entry::canonical_json(&payload),
    }
}
