//! Changing the list: proposals, their review, and publishing them as new versions.
//!
//! Publishing applies each change with [`PowerChange::apply`] to the power's latest version,
//! checks references (department, region, parent, merge target) and effective-date order, and
//! writes versions, heads and the in-force projection in one transaction. Every refusal of a
//! batch is collected, each with the index of its change, and nothing is written.

use crate::ledger::NewEntry;
use crate::powers::{CURRENT_COLS, CURRENT_UPSERT, bump_generation};
use crate::sql;
use crate::{Result, Store, StoreError};
use sqlx::Row;
use std::collections::{HashMap, HashSet};
use std::fmt;
use sunlight_core::lifecycle::{ChangeKind, PowerChange};
use sunlight_core::review::{Origin, Proposal, ProposalDraft, ProposalState, ReviewAct};
use sunlight_core::{
    Date, DomainError, ErrorCode, FieldError, Power, PowerStatus, Role, Timestamp, User,
};

/// A refused change of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeError {
    /// 0-based index of the change in its batch.
    pub index: usize,
    pub code: String,
    pub error: DomainError,
}

impl fmt::Display for ChangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "change {} (power {}): {}",
            self.index, self.code, self.error
        )
    }
}

/// Who publishes what, and from when.
#[derive(Debug, Clone)]
pub struct PublishMeta {
    pub proposal_id: i64,
    pub effective_from: Date,
    pub reason: String,
    pub proposed_by: String,
    pub reviewed_by: Option<String>,
    pub published_by: String,
    pub published_at: Timestamp,
}

impl PublishMeta {
    /// The publication's own ledger entry (stream `proposal/{id}`, kind `proposal.published`):
    /// why, who proposed, reviewed and published it, from when, and how many changes it made.
    /// Each new version follows as an entry of its own.
    fn ledger_entry(&self, changes: usize) -> NewEntry {
        let payload = serde_json::json!({
            "proposal": self.proposal_id,
            "effective_from": self.effective_from.to_string(),
            "reason": self.reason,
            "proposed_by": self.proposed_by,
            "reviewed_by": self.reviewed_by,
            "changes": changes,
        });
        NewEntry {
            stream: format!("proposal/{}", self.proposal_id),
            kind: "proposal.published".into(),
            actor: self.published_by.clone(),
            at: self.published_at,
            payload: sunlight_ledger::entry::canonical_json(&payload),
        }
    }
}

const PROPOSAL_COLS: &str = "id, title, reason, effective_from, state, origin, change_count, proposed_by, \
    proposed_at, reviewed_by, reviewed_at, review_note, published_by, published_at";

fn proposal_from(row: &sqlx::any::AnyRow) -> Result<Proposal> {
    let state: String = row.try_get("state")?;
    let opt_instant = |col: &str| -> Result<Option<Timestamp>> {
        row.try_get::<Option<i64>, _>(col)?
            .map(sql::instant)
            .transpose()
    };
    Ok(Proposal {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        reason: row.try_get("reason")?,
        effective_from: sql::date(&row.try_get::<String, _>("effective_from")?)?,
        state: ProposalState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("proposal state {state}")))?,
        origin: sql::json("origin", &row.try_get::<String, _>("origin")?)?,
        change_count: row.try_get::<i64, _>("change_count")? as usize,
        proposed_by: row.try_get("proposed_by")?,
        proposed_at: sql::instant(row.try_get("proposed_at")?)?,
        reviewed_by: row.try_get("reviewed_by")?,
        reviewed_at: opt_instant("reviewed_at")?,
        review_note: row.try_get("review_note")?,
        published_by: row.try_get("published_by")?,
        published_at: opt_instant("published_at")?,
    })
}

type Tx<'a> = sqlx::Transaction<'a, sqlx::Any>;

impl Store {
    /// Records a proposal after checking that every change would apply to today's list.
    pub async fn propose(
        &self,
        draft: ProposalDraft,
        origin: Origin,
        actor: &User,
        now: Timestamp,
    ) -> Result<Proposal> {
        actor.require(Role::RegistryEditor)?;
        let draft = draft.validated()?;
        let mut tx = self.begin_ledger().await?;
        check_changes(&mut tx.tx, &draft.changes, draft.effective_from).await?;
        let id = insert_proposal(
            &mut tx.tx,
            &draft,
            &origin,
            ProposalState::Proposed,
            &actor.username.to_string(),
            now,
        )
        .await?;
        for (n, chunk) in draft.changes.chunks(sql::batch_rows(5)).enumerate() {
            let stmt = format!(
                "INSERT INTO proposal_changes (proposal_id, seq, code, kind, doc) VALUES {}",
                sql::values(sql::Marks::of(&tx.tx), chunk.len(), 5)
            );
            let mut q = sqlx::query(sql::dynamic(stmt));
            for (i, c) in chunk.iter().enumerate() {
                q = q
                    .bind(id)
                    .bind((n * sql::batch_rows(5) + i) as i64)
                    .bind(c.code().to_string())
                    .bind(c.kind().as_str())
                    .bind(sql::to_json(c));
            }
            q.execute(&mut *tx.tx).await?;
        }
        let proposal = fetch_proposal(&mut tx.tx, id).await?;
        tx.commit().await?;
        Ok(proposal)
    }

    pub async fn proposal(&self, id: i64) -> Result<Proposal> {
        let mut conn = self.pool.acquire().await?;
        let row = sqlx::query(sql::dynamic(format!(
            "SELECT {PROPOSAL_COLS} FROM proposals WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        row.as_ref()
            .map(proposal_from)
            .transpose()?
            .ok_or_else(|| StoreError::not_found("proposal", id))
    }

    pub async fn proposal_changes(&self, id: i64) -> Result<Vec<PowerChange>> {
        let rows =
            sqlx::query("SELECT doc FROM proposal_changes WHERE proposal_id = $1 ORDER BY seq")
                .bind(id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| sql::json("change", &r.try_get::<String, _>("doc")?))
            .collect()
    }

    /// Proposals, newest first, optionally in one state.
    pub async fn proposals(
        &self,
        state: Option<ProposalState>,
        limit: u32,
    ) -> Result<Vec<Proposal>> {
        let rows = match state {
            Some(s) => sqlx::query(sql::dynamic(format!(
                "SELECT {PROPOSAL_COLS} FROM proposals WHERE state = $1 ORDER BY id DESC LIMIT $2"
            )))
            .bind(s.as_str())
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?,
            None => {
                sqlx::query(sql::dynamic(format!(
                    "SELECT {PROPOSAL_COLS} FROM proposals ORDER BY id DESC LIMIT $1"
                )))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter().map(proposal_from).collect()
    }

    /// Approves, rejects or withdraws a proposal. Publishing is [`Store::publish`].
    pub async fn review(
        &self,
        id: i64,
        act: ReviewAct,
        actor: &User,
        note: Option<&str>,
        now: Timestamp,
    ) -> Result<Proposal> {
        if act == ReviewAct::Publish {
            return Err(StoreError::invalid(
                "act",
                sunlight_core::zh_en!("公布请使用公布操作", "publish with Store::publish"),
            ));
        }
        let mut tx = self.write_tx().await?;
        let p = fetch_proposal(&mut tx, id).await?;
        let to = act.check(&p, actor)?;
        let sql = match act {
            ReviewAct::Withdraw => "UPDATE proposals SET state = $1 WHERE id = $2 AND state = $3",
            _ => "UPDATE proposals SET state = $1, reviewed_by = $4, reviewed_at = $5, review_note = $6
                  WHERE id = $2 AND state = $3",
        };
        let mut q = sqlx::query(sql)
            .bind(to.as_str())
            .bind(id)
            .bind(p.state.as_str());
        if act != ReviewAct::Withdraw {
            q = q
                .bind(actor.username.as_str())
                .bind(sql::millis(now))
                .bind(note.map(str::to_string));
        }
        if q.execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::Conflict(sunlight_core::zh_en!(
                "调整方案 {id} 已被他人改动，请刷新后重试",
                "proposal {id} changed meanwhile; reload it"
            )));
        }
        let p = fetch_proposal(&mut tx, id).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Publishes an approved proposal: its changes become new versions, in one transaction.
    /// Changes are checked again against the list as it is now; if another proposal made one
    /// of them impossible meanwhile, nothing is published and every refusal is reported.
    pub async fn publish(
        &self,
        id: i64,
        actor: &User,
        now: Timestamp,
        today: Date,
    ) -> Result<Proposal> {
        let mut tx = self.begin_ledger().await?;
        let p = fetch_proposal(&mut tx.tx, id).await?;
        ReviewAct::Publish.check(&p, actor)?;
        let rows =
            sqlx::query("SELECT doc FROM proposal_changes WHERE proposal_id = $1 ORDER BY seq")
                .bind(id)
                .fetch_all(&mut *tx.tx)
                .await?;
        let changes: Vec<PowerChange> = rows
            .iter()
            .map(|r| sql::json("change", &r.try_get::<String, _>("doc")?))
            .collect::<Result<_>>()?;
        let updated = sqlx::query(
            "UPDATE proposals SET state = 'published', published_by = $1, published_at = $2 WHERE id = $3 AND state = 'approved'",
        )
        .bind(actor.username.as_str())
        .bind(sql::millis(now))
        .bind(id)
        .execute(&mut *tx.tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::Conflict(sunlight_core::zh_en!(
                "调整方案 {id} 已被他人改动，请刷新后重试",
                "proposal {id} changed meanwhile; reload it"
            )));
        }
        let meta = PublishMeta {
            proposal_id: id,
            effective_from: p.effective_from,
            reason: p.reason.clone(),
            proposed_by: p.proposed_by.clone(),
            reviewed_by: p.reviewed_by.clone(),
            published_by: actor.username.to_string(),
            published_at: now,
        };
        let entries = apply_changes(&mut tx.tx, changes, &meta, today).await?;
        tx.append(&entries).await?;
        let p = fetch_proposal(&mut tx.tx, id).await?;
        tx.commit().await?;
        self.bus.publish(&crate::Change::Registry);
        Ok(p)
    }

    /// Loads a list that was approved outside the system (the government's published list,
    /// read from a file by an operator): recorded as a proposal with its origin, published at
    /// once without an in-system review, all or nothing.
    pub async fn publish_import(
        &self,
        draft: ProposalDraft,
        origin: Origin,
        operator: &str,
        now: Timestamp,
        today: Date,
    ) -> Result<Proposal> {
        let draft = draft.validated()?;
        let mut tx = self.begin_ledger().await?;
        let id = insert_proposal(
            &mut tx.tx,
            &draft,
            &origin,
            ProposalState::Published,
            operator,
            now,
        )
        .await?;
        sqlx::query("UPDATE proposals SET published_by = $1, published_at = $2 WHERE id = $3")
            .bind(operator)
            .bind(sql::millis(now))
            .bind(id)
            .execute(&mut *tx.tx)
            .await?;
        let meta = PublishMeta {
            proposal_id: id,
            effective_from: draft.effective_from,
            reason: draft.reason.clone(),
            proposed_by: operator.to_string(),
            reviewed_by: None,
            published_by: operator.to_string(),
            published_at: now,
        };
        let entries = apply_changes(&mut tx.tx, draft.changes, &meta, today).await?;
        tx.append(&entries).await?;
        let p = fetch_proposal(&mut tx.tx, id).await?;
        tx.commit().await?;
        self.bus.publish(&crate::Change::Registry);
        Ok(p)
    }

    /// The latest published version (whatever its effective date) of each listed code.
    pub async fn latest_powers(&self, codes: &[&str]) -> Result<HashMap<String, Power>> {
        let mut tx = self.pool.begin().await?;
        let heads = load_heads(&mut tx, codes).await?;
        tx.rollback().await?;
        Ok(heads.into_iter().map(|(k, h)| (k, h.power)).collect())
    }

    /// Every code in the list, for continuing generated code sequences.
    pub async fn all_codes(&self) -> Result<Vec<String>> {
        let rows = sqlx::query("SELECT code FROM power_heads")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>(0)?))
            .collect()
    }
}

async fn insert_proposal(
    tx: &mut Tx<'_>,
    draft: &ProposalDraft,
    origin: &Origin,
    state: ProposalState,
    by: &str,
    now: Timestamp,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO proposals (title, reason, effective_from, state, origin, change_count, proposed_by, proposed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(&draft.title)
    .bind(&draft.reason)
    .bind(draft.effective_from.to_string())
    .bind(state.as_str())
    .bind(sql::to_json(origin))
    .bind(draft.changes.len() as i64)
    .bind(by)
    .bind(sql::millis(now))
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

async fn fetch_proposal(tx: &mut Tx<'_>, id: i64) -> Result<Proposal> {
    let row = sqlx::query(sql::dynamic(format!(
        "SELECT {PROPOSAL_COLS} FROM proposals WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref()
        .map(proposal_from)
        .transpose()?
        .ok_or_else(|| StoreError::not_found("proposal", id))
}

/// The latest version of a power, as a new change sees it.
struct Head {
    version: i64,
    effective_from: Date,
    power: Power,
}

/// Loads the heads of `codes` (those listed).
async fn load_heads(tx: &mut Tx<'_>, codes: &[&str]) -> Result<HashMap<String, Head>> {
    let mut heads = HashMap::with_capacity(codes.len());
    let rows = sql::rows_in(
        tx,
        "SELECT v.code, v.version, v.effective_from, v.doc FROM power_heads h
         JOIN power_versions v ON v.code = h.code AND v.version = h.version WHERE h.code IN",
        codes,
        "",
    )
    .await?;
    for row in rows {
        let code: String = row.try_get("code")?;
        heads.insert(
            code,
            Head {
                version: row.try_get("version")?,
                effective_from: sql::date(&row.try_get::<String, _>("effective_from")?)?,
                power: sql::json("power", &row.try_get::<String, _>("doc")?)?,
            },
        );
    }
    Ok(heads)
}

async fn string_set(tx: &mut Tx<'_>, sql_text: &'static str) -> Result<HashSet<String>> {
    let rows = sqlx::query(sql_text).fetch_all(&mut **tx).await?;
    rows.iter()
        .map(|r| Ok(r.try_get::<String, _>(0)?))
        .collect()
}

/// Every code a batch touches or refers to (merge targets, parents).
fn referenced_codes(changes: &[PowerChange]) -> Vec<String> {
    let mut codes: HashSet<&str> = HashSet::new();
    for c in changes {
        codes.insert(c.code().as_str());
        match c {
            PowerChange::Merge { into, .. } => {
                codes.insert(into.as_str());
            }
            PowerChange::Create { power } | PowerChange::Amend { power } => {
                if let Some(p) = &power.parent {
                    codes.insert(p.as_str());
                }
                if let PowerStatus::Merged { into } = &power.status {
                    codes.insert(into.as_str());
                }
            }
            _ => {}
        }
    }
    codes.into_iter().map(str::to_string).collect()
}

/// Applies the changes of a batch in order to the heads (and to the earlier changes of the same
/// batch), one [`Walker::step`] at a time, collecting every refusal. The caller writes what a
/// step answers as it goes, so a large batch is never held twice; a batch with any refusal is
/// rolled back whole by the caller.
struct Walker {
    heads: HashMap<String, Head>,
    departments: HashSet<String>,
    regions: HashSet<String>,
    /// Codes a later change of the batch refers to (merge target, parent); they keep their new
    /// version in `heads`.
    referenced_later: HashSet<String>,
    effective_from: Date,
    index: usize,
    errors: Vec<ChangeError>,
}

/// The outcome of applying one change in a batch.
struct Applied {
    version: i64,
    power: Power,
}

impl Walker {
    async fn new(tx: &mut Tx<'_>, changes: &[PowerChange], effective_from: Date) -> Result<Self> {
        let codes = referenced_codes(changes);
        let code_refs: Vec<&str> = codes.iter().map(String::as_str).collect();
        let referenced_later = changes
            .iter()
            .filter_map(|c| match c {
                PowerChange::Merge { into, .. } => Some(into.to_string()),
                PowerChange::Create { power } | PowerChange::Amend { power } => {
                    match (&power.parent, &power.status) {
                        (Some(p), _) => Some(p.to_string()),
                        (None, PowerStatus::Merged { into }) => Some(into.to_string()),
                        _ => None,
                    }
                }
                _ => None,
            })
            .collect();
        Ok(Self {
            heads: load_heads(tx, &code_refs).await?,
            departments: string_set(tx, "SELECT credit_code FROM departments").await?,
            regions: string_set(tx, "SELECT code FROM regions").await?,
            referenced_later,
            effective_from,
            index: 0,
            errors: Vec::new(),
        })
    }

    /// Applies the next change; `None` if it is refused (the refusal is kept).
    fn step(&mut self, change: PowerChange) -> Option<(ChangeKind, Applied)> {
        let index = self.index;
        self.index += 1;
        let code = change.code().clone();
        let refuse = |error: DomainError| ChangeError {
            index,
            code: code.to_string(),
            error,
        };
        let kind = change.kind();
        let head = self.heads.get(code.as_str());
        let target = match &change {
            PowerChange::Merge { into, .. } => self.heads.get(into.as_str()).map(|h| &h.power),
            _ => None,
        };
        let power = match change.apply(head.map(|h| &h.power), target) {
            Ok(p) => p,
            Err(e) => {
                self.errors.push(refuse(e));
                return None;
            }
        };
        let mut problems = Vec::new();
        if !self.departments.contains(power.department.as_str()) {
            problems.push(FieldError::new(
                "department",
                sunlight_core::zh_en!(
                    "部门 {d} 尚未登记",
                    "department {d} is not registered",
                    d = &power.department,
                ),
            ));
        }
        if !self.regions.contains(power.region.as_str()) {
            problems.push(FieldError::new(
                "region",
                sunlight_core::zh_en!(
                    "行政区划 {r} 尚未登记",
                    "region {r} is not registered",
                    r = &power.region,
                ),
            ));
        }
        // Departments of a parallel review (并联审批) must be registered like the power's own.
        for node in power.flow.iter().flat_map(|f| f.nodes.iter()) {
            if let Some(d) = node.task().and_then(|t| t.department.as_ref())
                && !self.departments.contains(d.as_str())
            {
                problems.push(FieldError::new(
                    format!("flow.{}", node.id),
                    sunlight_core::zh_en!("部门 {d} 尚未登记", "department {d} is not registered"),
                ));
            }
        }
        if let Some(parent) = &power.parent
            && !self
                .heads
                .get(parent.as_str())
                .is_some_and(|h| h.power.status.is_exercisable())
        {
            problems.push(FieldError::new(
                "parent",
                sunlight_core::zh_en!(
                    "主项 {parent} 不是清单内的有效事项",
                    "main item {parent} is not an active power of the list"
                ),
            ));
        }
        if let PowerStatus::Merged { into } = &power.status
            && kind == ChangeKind::Create
            && !self.heads.contains_key(into.as_str())
        {
            problems.push(FieldError::new(
                "status.into",
                sunlight_core::zh_en!(
                    "并入的 {into} 不在权力清单内",
                    "merged into {into}, which is not in the list"
                ),
            ));
        }
        if !problems.is_empty() {
            self.errors.push(refuse(DomainError::Invalid(problems)));
            return None;
        }
        if let Some(h) = head
            && self.effective_from < h.effective_from
        {
            let e = DomainError::rule(
                ErrorCode::EffectiveDateRegression,
                sunlight_core::zh_en!(
                    "{code} 第 {v} 版自 {prev} 起生效，后续版本不能更早生效（{now}）",
                    "version {v} of {code} takes effect on {prev}; a later version cannot take effect earlier ({now})",
                    v = h.version,
                    prev = h.effective_from,
                    now = self.effective_from,
                ),
            );
            self.errors.push(refuse(e));
            return None;
        }
        let version = head.map_or(1, |h| h.version + 1);
        if self.referenced_later.contains(code.as_str()) {
            let head = Head {
                version,
                effective_from: self.effective_from,
                power: power.clone(),
            };
            self.heads.insert(code.to_string(), head);
        } else {
            self.heads.remove(code.as_str());
        }
        Some((kind, Applied { version, power }))
    }

    fn finish(self) -> Result<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Rejected(self.errors))
        }
    }
}

async fn check_changes(
    tx: &mut Tx<'_>,
    changes: &[PowerChange],
    effective_from: Date,
) -> Result<()> {
    let mut walker = Walker::new(tx, changes, effective_from).await?;
    for c in changes {
        walker.step(c.clone());
    }
    walker.finish()
}

/// A new version ready to insert: the document serialised once, the filter columns beside it.
struct NewVersion {
    code: String,
    version: i64,
    kind: &'static str,
    parent: Option<String>,
    basic_code: Option<String>,
    name: String,
    category: &'static str,
    department: String,
    region: String,
    status: &'static str,
    status_detail: String,
    usage: &'static str,
    doc: String,
}

impl NewVersion {
    /// The version's ledger entry: stream `power/{code}`, kind `power.{change kind}`, and a
    /// payload naming the version, its proposal (whose own entry carries the reason and who
    /// proposed and reviewed it) and the SHA-256 of the stored document, so an edited
    /// `power_versions.doc` no longer matches its leaf.
    fn ledger_entry(&self, meta: &PublishMeta) -> NewEntry {
        let payload = serde_json::json!({
            "code": self.code,
            "version": self.version,
            "proposal": meta.proposal_id,
            "doc_sha256": version_digest(&self.doc),
        });
        NewEntry {
            stream: format!("power/{}", self.code),
            kind: format!("power.{}", self.kind),
            actor: meta.published_by.clone(),
            at: meta.published_at,
            payload: sunlight_ledger::entry::canonical_json(&payload),
        }
    }

    fn new(kind: ChangeKind, version: i64, p: Power) -> Self {
        Self {
            code: p.code.to_string(),
            version,
            kind: kind.as_str(),
            parent: p.parent.as_ref().map(|c| c.to_string()),
            basic_code: p.basic_code.clone(),
            category: p.category.as_str(),
            department: p.department.to_string(),
            region: p.region.to_string(),
            status: p.status.as_str(),
            status_detail: sql::to_json(&p.status),
            usage: p.usage.as_str(),
            doc: sql::to_json(&p),
            name: p.name,
        }
    }
}

const VERSION_COLS: usize = 20;

/// Hex SHA-256 of a stored version document, as its ledger entry records it.
pub(crate) fn version_digest(doc: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(doc.as_bytes()))
}

/// Applies and writes a batch: versions in multi-row inserts as the walk goes, then heads and
/// the in-force projection from the versions just written. Returns the ledger entry of each
/// new version, for the caller to append in the same transaction.
async fn apply_changes(
    tx: &mut Tx<'_>,
    changes: Vec<PowerChange>,
    meta: &PublishMeta,
    today: Date,
) -> Result<Vec<NewEntry>> {
    let per = sql::batch_rows(VERSION_COLS);
    let mut walker = Walker::new(tx, &changes, meta.effective_from).await?;
    let mut batch = Vec::with_capacity(per.min(changes.len()));
    let mut entries = Vec::with_capacity(changes.len() + 1);
    entries.push(meta.ledger_entry(changes.len()));
    for change in changes {
        if let Some((kind, applied)) = walker.step(change)
            && walker.errors.is_empty()
        {
            let v = NewVersion::new(kind, applied.version, applied.power);
            entries.push(v.ledger_entry(meta));
            batch.push(v);
        }
        if batch.len() == per {
            insert_versions(tx, &batch, meta).await?;
            batch.clear();
        }
    }
    if !batch.is_empty() && walker.errors.is_empty() {
        insert_versions(tx, &batch, meta).await?;
    }
    walker.finish()?;
    sqlx::query(
        "INSERT INTO power_heads (code, version, effective_from)
         SELECT code, version, effective_from FROM power_versions WHERE proposal_id = $1
         ON CONFLICT (code) DO UPDATE SET version = excluded.version, effective_from = excluded.effective_from",
    )
    .bind(meta.proposal_id)
    .execute(&mut **tx)
    .await?;
    // A version in force already (effective today or earlier) is the power's current one: its
    // effective date is never before its predecessor's.
    if meta.effective_from <= today {
        let stmt = format!(
            "INSERT INTO powers_current ({CURRENT_COLS}) SELECT {CURRENT_COLS} FROM power_versions WHERE proposal_id = $1 {CURRENT_UPSERT}"
        );
        sqlx::query(sql::dynamic(stmt))
            .bind(meta.proposal_id)
            .execute(&mut **tx)
            .await?;
    }
    bump_generation(tx).await?;
    Ok(entries)
}

async fn insert_versions(tx: &mut Tx<'_>, rows: &[NewVersion], meta: &PublishMeta) -> Result<()> {
    let eff = meta.effective_from.to_string();
    let published_at = sql::millis(meta.published_at);
    let stmt = format!(
        "INSERT INTO power_versions (code, version, effective_from, change_kind, proposal_id, reason, proposed_by,
            reviewed_by, published_by, published_at, parent, basic_code, name, category, department, region,
            status, status_detail, usage, doc) VALUES {}",
        sql::values(sql::Marks::of(tx), rows.len(), VERSION_COLS)
    );
    let mut q = sqlx::query(sql::dynamic(stmt));
    for r in rows {
        q = q
            .bind(r.code.as_str())
            .bind(r.version)
            .bind(eff.as_str())
            .bind(r.kind)
            .bind(meta.proposal_id)
            .bind(meta.reason.as_str())
            .bind(meta.proposed_by.as_str())
            .bind(meta.reviewed_by.as_deref())
            .bind(meta.published_by.as_str())
            .bind(published_at)
            .bind(r.parent.as_deref())
            .bind(r.basic_code.as_deref())
            .bind(r.name.as_str())
            .bind(r.category)
            .bind(r.department.as_str())
            .bind(r.region.as_str())
            .bind(r.status)
            .bind(r.status_detail.as_str())
            .bind(r.usage)
            .bind(r.doc.as_str());
    }
    q.execute(&mut **tx).await?;
    Ok(())
}
