//! Case projections (`cases`, `case_tasks`), discretion benchmarks and per-use approvals. The
//! engine decides; [`Store::commit`] writes a decided batch, with the case rows from here.

use crate::ledger::{NewEntry, StoredEntry};
use crate::sql::{Cell, Col};
use crate::{Result, Store, StoreError, sql};
use sqlx::Row;
use std::collections::HashMap;
use sunlight_core::Timestamp;
use sunlight_core::case::{Applicant, Case, TaskState, TaskStatus};
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
    /// The keyed hash of the applicant's mobile number (我的办件 finds cases by it).
    pub owner: Option<String>,
}

/// Everything one group commit of cases writes.
pub type CaseBatch = crate::commit::Commit<CaseWrite>;

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

/// A case as staff lists show it, without replaying it: its power's name, status, when it was
/// submitted and who applied (the submission's personal values put back; erased ones read as
/// [`sunlight_core::personal::ERASED`]).
#[derive(Debug, Clone)]
pub struct CaseListing {
    pub receipt: String,
    pub power: String,
    pub power_name: String,
    pub department: String,
    pub status: String,
    pub submitted_at_ms: i64,
    /// `None` only if the submission could not be read back as an applicant.
    pub applicant: Option<Applicant>,
}

/// What staff search a department's cases by. Every part given must match, anywhere in its
/// field (Latin letters in any case); a search without any part finds nothing.
#[derive(Debug, Clone, Default)]
pub struct CaseSearch {
    /// The department searching: its own cases and those with a task of it — the cases
    /// `User::may_read_case` lets its staff read.
    pub department: String,
    /// Part of the receipt number.
    pub receipt: Option<String>,
    /// Part of the applicant's name (a person's real name, an organisation's name).
    pub applicant: Option<String>,
    /// Part of the power's name or code.
    pub power: Option<String>,
    /// A status exactly (`CaseStatus::as_str`).
    pub status: Option<String>,
    /// At most this many, the newest submitted first.
    pub limit: u32,
}

impl CaseSearch {
    /// Whether any part is given.
    pub fn is_empty(&self) -> bool {
        [&self.receipt, &self.applicant, &self.power, &self.status]
            .iter()
            .all(|p| p.as_deref().is_none_or(|p| p.trim().is_empty()))
    }
}

/// The columns of a [`CaseListing`]: the case row, its power version's name, and the
/// submission's ledger entry with its openings (the applicant), from `cases c`.
const LISTING: &str = "SELECT c.receipt, c.power, c.department, c.status, c.submitted_at,
        pv.name AS power_name, e.seq, e.stream, e.kind, e.actor, e.at, e.payload, e.leaf,
        p.openings
     FROM cases c
     JOIN power_versions pv ON pv.code = c.power AND pv.version = c.power_version
     JOIN ledger_entries e ON e.stream = 'case/' || c.receipt AND e.kind = 'case.submitted'
     LEFT JOIN ledger_private p ON p.seq = e.seq";

fn listing(r: &sqlx::any::AnyRow) -> Result<CaseListing> {
    let entry = StoredEntry::from_joined_row(r)?;
    let submitted: serde_json::Value = serde_json::from_str(&entry.revealed()?)
        .map_err(|e| StoreError::Corrupt(format!("entry {}: {e}", entry.seq)))?;
    Ok(CaseListing {
        receipt: r.try_get("receipt")?,
        power: r.try_get("power")?,
        power_name: r.try_get("power_name")?,
        department: r.try_get("department")?,
        status: r.try_get("status")?,
        submitted_at_ms: r.try_get("submitted_at")?,
        applicant: submitted
            .get("applicant")
            .and_then(|a| serde_json::from_value(a.clone()).ok()),
    })
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
    /// The raw limit of `sunlight-bench engine`: the rows a batch writes — its entries, case
    /// rows and task rows — by a bare loop of multi-row inserts in one transaction, without
    /// the engine's reads, rules, hashing or version checks. `first_seq` numbers the entries.
    pub async fn write_raw_batch(&self, batch: &CaseBatch, first_seq: u64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let marks = sql::Marks::of(&tx);
        let mut rows = sql::JsonRows::default();
        for (i, e) in batch.entries.iter().enumerate() {
            rows.push(&[
                Cell::Int((first_seq + i as u64) as i64),
                Cell::Text(&e.stream),
                Cell::Text(&e.kind),
                Cell::Text(&e.actor),
                Cell::Int(sql::millis(e.at)),
                Cell::Text(&e.payload),
                Cell::Bytes(&[0u8; 32]),
            ]);
        }
        crate::ledger::insert_entries(&mut tx, marks, rows).await?;
        write_projections(&mut tx, marks, &batch.writes).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The ledger entries of several cases (streams `case/<receipt>`), each in order, with the
    /// openings of their personal values ([`StoredEntry::revealed`]): what the engine replays a
    /// case's state from.
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
            &format!("{} WHERE e.stream IN", crate::ledger::ENTRY_WITH_OPENINGS),
            &streams,
            " ORDER BY e.seq",
        )
        .await?;
        for row in rows {
            let e = StoredEntry::from_joined_row(&row)?;
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

    /// Cases as staff lists show them, in no particular order; receipts without a case are
    /// left out.
    pub async fn case_listings(&self, receipts: &[&str]) -> Result<Vec<CaseListing>> {
        if receipts.is_empty() {
            return Ok(vec![]);
        }
        let mut conn = self.pool.acquire().await?;
        sql::rows_in(
            &mut conn,
            &format!("{LISTING} WHERE c.receipt IN"),
            receipts,
            "",
        )
        .await?
        .iter()
        .map(listing)
        .collect()
    }

    /// The cases of `search.department` that match every part of `search`, newest first, at
    /// most `search.limit`; none if no part is given. The applicant's name is matched on its
    /// opening beside the ledger, so an erased name is found no more.
    pub async fn search_cases(&self, search: &CaseSearch) -> Result<Vec<CaseListing>> {
        if search.is_empty() || search.limit == 0 {
            return Ok(vec![]);
        }
        fn part(p: &Option<String>) -> Option<&str> {
            p.as_deref().map(str::trim).filter(|p| !p.is_empty())
        }
        let mut args: Vec<String> = vec![search.department.clone()];
        let mut conds = String::from(
            " WHERE (c.department = $1
                 OR c.receipt IN (SELECT t.receipt FROM case_tasks t WHERE t.department = $1))",
        );
        if let Some(r) = part(&search.receipt) {
            args.push(sql::like_contains(&r.to_uppercase()));
            conds.push_str(&format!(
                " AND UPPER(c.receipt) LIKE ${} ESCAPE '\\'",
                args.len()
            ));
        }
        if let Some(p) = part(&search.power) {
            args.push(sql::like_contains(&p.to_lowercase()));
            let n = args.len();
            conds.push_str(&format!(
                " AND (LOWER(pv.name) LIKE ${n} ESCAPE '\\' OR LOWER(c.power) LIKE ${n} ESCAPE '\\')"
            ));
        }
        if let Some(st) = part(&search.status) {
            args.push(st.to_string());
            conds.push_str(&format!(" AND c.status = ${}", args.len()));
        }
        if let Some(a) = part(&search.applicant) {
            args.push(sql::like_contains(&a.to_lowercase()));
            // The name's opening: `{"/applicant/name": {"salt": …, "value": "…"}}`.
            let name = match self.backend() {
                crate::Backend::Sqlite => "json_extract(p.openings, '$.\"/applicant/name\".value')",
                crate::Backend::Postgres => "(p.openings::json -> '/applicant/name' ->> 'value')",
            };
            conds.push_str(&format!(
                " AND LOWER({name}) LIKE ${} ESCAPE '\\'",
                args.len()
            ));
        }
        let stmt = format!(
            "{LISTING}{conds} ORDER BY c.submitted_at DESC, c.receipt LIMIT {}",
            search.limit
        );
        let mut q = sqlx::query(sql::dynamic(stmt));
        for a in &args {
            q = q.bind(a.as_str());
        }
        q.fetch_all(&self.pool).await?.iter().map(listing).collect()
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
        let mut tx = self.begin_ledger().await?;
        let version: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM benchmarks WHERE power = $1",
        )
        .bind(b.power.as_str())
        .fetch_one(&mut *tx.tx)
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
        .execute(&mut *tx.tx)
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
        tx.append(&[entry]).await?;
        tx.commit().await?;
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

    pub async fn checkout(&self, id: i64) -> Result<Option<Checkout>> {
        let row = sqlx::query("SELECT * FROM checkouts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(checkout_row).transpose()
    }

    /// An open checkout of `power` still usable at `now` (its window not yet closed; one whose
    /// window has closed is expired by its timer, not here).
    pub async fn open_checkout(&self, power: &str, now: Timestamp) -> Result<Option<Checkout>> {
        let row = sqlx::query(
            "SELECT * FROM checkouts WHERE power = $1 AND state = 'open' AND closes_at > $2 ORDER BY id LIMIT 1",
        )
        .bind(power)
        .bind(sql::millis(now))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(checkout_row).transpose()
    }

    /// Per-use approvals as their process holds them, by id, at their versions.
    pub async fn checkout_states(
        &self,
        ids: &[&str],
    ) -> Result<HashMap<String, sunlight_core::checkout::Checkout>> {
        use sunlight_core::checkout::{Checkout as State, CheckoutState};
        let versions = self.stream_versions("checkout", ids).await?;
        let mut out = HashMap::new();
        for id in ids {
            let Ok(n) = id.parse::<i64>() else { continue };
            let Some(r) = sqlx::query("SELECT * FROM checkouts WHERE id = $1")
                .bind(n)
                .fetch_optional(&self.pool)
                .await?
            else {
                continue;
            };
            let state: String = r.try_get("state")?;
            let opt = |col: &str| -> Result<Option<Timestamp>> {
                r.try_get::<Option<i64>, _>(col)?
                    .map(sql::instant)
                    .transpose()
            };
            out.insert(
                id.to_string(),
                State {
                    id: n,
                    power: r.try_get("power")?,
                    reason: r.try_get("reason")?,
                    requested_by: r.try_get("requested_by")?,
                    requested_at: sql::instant(r.try_get("requested_at")?)?,
                    state: CheckoutState::parse(&state).ok_or_else(|| {
                        StoreError::Corrupt(format!("per-use approval {n} is «{state}»"))
                    })?,
                    decided_by: r.try_get("decided_by")?,
                    decided_at: opt("decided_at")?,
                    closes_at: opt("closes_at")?,
                    used_by: r.try_get("used_by")?,
                    version: versions.get(*id).copied().unwrap_or(0),
                },
            );
        }
        Ok(out)
    }

    /// Running cases' timers (a notice to supplement lapsing): the timers to set at start-up.
    pub async fn case_timers(&self) -> Result<Vec<(String, Timestamp)>> {
        let rows = sqlx::query(
            "SELECT receipt, timer_at FROM cases WHERE timer_at IS NOT NULL ORDER BY timer_at",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>("receipt")?,
                    sql::instant(r.try_get("timer_at")?)?,
                ))
            })
            .collect()
    }

    /// Open per-use approvals with their closing instants: the timers to set at start-up.
    pub async fn open_checkout_timers(&self) -> Result<Vec<(String, Timestamp)>> {
        let rows = sqlx::query(
            "SELECT id, closes_at FROM checkouts WHERE state = 'open' AND closes_at IS NOT NULL ORDER BY closes_at",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get::<i64, _>("id")?.to_string(),
                    sql::instant(r.try_get("closes_at")?)?,
                ))
            })
            .collect()
    }
}

/// Refuses a batch if any of its cases is no longer at the version it was decided on (0: not
/// there yet). One statement for the batch; it names the first that moved.
pub(crate) async fn check_case_versions(
    tx: &mut crate::ledger::Tx<'_>,
    marks: sql::Marks,
    cases: &[CaseWrite],
) -> Result<()> {
    if cases.is_empty() {
        return Ok(());
    }
    let mut expected = sql::JsonRows::default();
    for w in cases {
        expected.push(&[
            Cell::Text(w.case.opened.receipt.as_str()),
            Cell::Int(w.expected as i64),
        ]);
    }
    let stale = sqlx::query(sql::dynamic(format!(
        "SELECT w.receipt, w.expected, COALESCE(c.version, 0) AS have
         FROM ({}) AS w LEFT JOIN cases c ON c.receipt = w.receipt
         WHERE COALESCE(c.version, 0) <> w.expected LIMIT 1",
        sql::from_json(marks, &[("receipt", Col::Text), ("expected", Col::Int)])
    )))
    .bind(expected.finish())
    .fetch_optional(&mut **tx)
    .await?;
    match stale {
        Some(row) => Err(StoreError::Conflict(sunlight_core::zh_en!(
            "办件 {receipt} 已被他人改动（版本 {have}，预期 {expected}），请重试",
            "case {receipt} changed meanwhile (version {have}, expected {expected})",
            receipt = row.try_get::<String, _>("receipt")?,
            have = row.try_get::<i64, _>("have")?,
            expected = row.try_get::<i64, _>("expected")?,
        ))),
        None => Ok(()),
    }
}

/// The case and task rows of a batch (upserts), and the per-use approvals new cases used.
pub(crate) async fn write_projections(
    tx: &mut crate::ledger::Tx<'_>,
    marks: sql::Marks,
    writes: &[CaseWrite],
) -> Result<()> {
    if writes.is_empty() {
        return Ok(());
    }
    for w in writes.iter().filter(|w| w.expected == 0) {
        let Some(id) = w.case.opened.checkout else {
            continue;
        };
        let done = sqlx::query(
            "UPDATE checkouts SET state = 'used', used_by = $1 WHERE id = $2 AND state = 'open'",
        )
        .bind(w.case.opened.receipt.as_str())
        .bind(id)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict(sunlight_core::zh_en!(
                "一事一审批准 {id} 已失效",
                "per-use approval {id} is no longer open"
            )));
        }
    }
    let mut cases = sql::JsonRows::default();
    let mut tasks = sql::JsonRows::default();
    let date = |d: Option<sunlight_core::Date>| d.map(|d| d.to_string());
    for w in writes {
        let c = &w.case;
        let o = &c.opened;
        let (statutory, committed) = (date(c.deadlines.statutory), date(c.deadlines.committed));
        let (decided_on, accepted_on) = (date(w.outcome.decided_on), date(w.outcome.accepted_on));
        let suspended_since = c.suspended.as_ref().map(|s| s.from.to_string());
        let rectify_by = date(c.rectification_due());
        let days = |d: Option<u32>| Cell::opt_int(d.map(i64::from));
        cases.push(&[
            Cell::Text(o.receipt.as_str()),
            Cell::Text(o.power.as_str()),
            Cell::Int(o.power_version),
            Cell::Text(o.region.as_str()),
            Cell::Text(o.department.as_str()),
            Cell::Text(c.status.as_str()),
            Cell::Int(c.version as i64),
            Cell::Int(sql::millis(c.submitted_at)),
            Cell::opt_text(statutory.as_deref()),
            Cell::opt_text(committed.as_deref()),
            Cell::opt_int(c.finished_at.map(sql::millis)),
            Cell::Text(o.query_code_hash.as_str()),
            Cell::Int(i64::from(c.supplement_notices)),
            Cell::opt_text(decided_on.as_deref()),
            Cell::Int(i64::from(c.delivery.is_some())),
            Cell::opt_text(suspended_since.as_deref()),
            Cell::opt_text(c.suspended.as_ref().map(|s| s.reason.as_str())),
            Cell::opt_text(accepted_on.as_deref()),
            days(w.outcome.committed_days),
            days(w.outcome.statutory_days),
            days(w.outcome.actual_days),
            Cell::opt_int(w.outcome.on_time.map(i64::from)),
            Cell::opt_int(w.outcome.rating.map(i64::from)),
            Cell::opt_text(w.outcome.decided_by.as_ref().map(|u| u.as_str())),
            Cell::opt_int(c.timer().map(|(at, _)| sql::millis(at))),
            Cell::opt_text(w.owner.as_deref()),
            Cell::opt_text(rectify_by.as_deref()),
        ]);
        for t in &w.tasks {
            let due = date(t.due);
            tasks.push(&[
                Cell::Text(o.receipt.as_str()),
                Cell::Int(i64::from(t.id)),
                Cell::Text(&t.node),
                Cell::Text(&t.name),
                Cell::Text(&t.role),
                Cell::Text(t.department.as_str()),
                Cell::Text(status_str(t.status)),
                Cell::opt_text(t.assignee.as_deref()),
                Cell::opt_text(due.as_deref()),
                Cell::Int(sql::millis(t.opened_at)),
            ]);
        }
    }
    const CASE_COLS: [(&str, Col); 27] = [
        ("receipt", Col::Text),
        ("power", Col::Text),
        ("power_version", Col::Int),
        ("region", Col::Text),
        ("department", Col::Text),
        ("status", Col::Text),
        ("version", Col::Int),
        ("submitted_at", Col::Int),
        ("statutory_due", Col::Text),
        ("committed_due", Col::Text),
        ("finished_at", Col::Int),
        ("query_code_hash", Col::Text),
        ("supplement_notices", Col::Int),
        ("decided_on", Col::Text),
        ("delivered", Col::Int),
        ("suspended_since", Col::Text),
        ("suspended_reason", Col::Text),
        ("accepted_on", Col::Text),
        ("committed_days", Col::Int),
        ("statutory_days", Col::Int),
        ("actual_days", Col::Int),
        ("on_time", Col::Int),
        ("rating", Col::Int),
        ("decided_by", Col::Text),
        ("timer_at", Col::Int),
        ("owner", Col::Text),
        ("rectify_by", Col::Text),
    ];
    sqlx::query(sql::dynamic(format!(
        "{}
         ON CONFLICT (receipt) DO UPDATE SET status = excluded.status, version = excluded.version,
            statutory_due = excluded.statutory_due, committed_due = excluded.committed_due,
            finished_at = excluded.finished_at, supplement_notices = excluded.supplement_notices,
            decided_on = excluded.decided_on, delivered = excluded.delivered,
            suspended_since = excluded.suspended_since, suspended_reason = excluded.suspended_reason,
            accepted_on = excluded.accepted_on, committed_days = excluded.committed_days,
            statutory_days = excluded.statutory_days, actual_days = excluded.actual_days,
            on_time = excluded.on_time, rating = excluded.rating, decided_by = excluded.decided_by,
            timer_at = excluded.timer_at, rectify_by = excluded.rectify_by,
            query_code_hash = excluded.query_code_hash",
        sql::insert_json(marks, "cases", &CASE_COLS)
    )))
    .bind(cases.finish())
    .execute(&mut **tx)
    .await?;
    crate::documents::write_documents(tx, marks, writes).await?;
    if tasks.is_empty() {
        return Ok(());
    }
    const TASK_COLS: [(&str, Col); 10] = [
        ("receipt", Col::Text),
        ("task", Col::Int),
        ("node", Col::Text),
        ("name", Col::Text),
        ("role", Col::Text),
        ("department", Col::Text),
        ("status", Col::Text),
        ("assignee", Col::Text),
        ("due", Col::Text),
        ("opened_at", Col::Int),
    ];
    sqlx::query(sql::dynamic(format!(
        "{}
         ON CONFLICT (receipt, task) DO UPDATE SET status = excluded.status, assignee = excluded.assignee,
            due = excluded.due",
        sql::insert_json(marks, "case_tasks", &TASK_COLS)
    )))
    .bind(tasks.finish())
    .execute(&mut **tx)
    .await?;
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
