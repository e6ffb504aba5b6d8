//! Supervision alerts and accountability measures.
//!
//! An alert is raised once per breach (its key is unique; raising it again changes nothing)
//! and every step of its life — raised, acknowledged, explained, closed, dismissed — is a
//! ledger entry on stream `alert/<id>`, written in the transaction that changes its row.
//! Accountability measures are entries on `accountability/<id>`.

use crate::ledger::{NewEntry, Tx};
use crate::{Result, Store, StoreError, sql};
use serde::Serialize;
use sqlx::Row;
use sunlight_core::Timestamp;
use sunlight_core::supervision::life::AlertLife;
use sunlight_core::supervision::{AlertState, Finding, Measure, RuleId};
use sunlight_ledger::entry::canonical_json;

/// A finding to raise, with where it belongs.
#[derive(Debug, Clone)]
pub struct NewAlert {
    pub finding: Finding,
    pub power: String,
    pub region: String,
    pub department: String,
    /// `engine` (an event of a case run here), `timer` (time passing), `feed` (an outside system).
    pub source: &'static str,
}

/// An alert as stored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Alert {
    pub id: i64,
    pub key: String,
    pub rule: String,
    pub rule_name: String,
    pub basis: String,
    pub severity: String,
    pub subject: String,
    pub task: Option<i64>,
    pub power: String,
    pub region: String,
    pub department: String,
    pub source: String,
    pub breach_at_ms: i64,
    pub raised_at_ms: i64,
    pub detail: String,
    pub state: String,
    pub explanation: Option<String>,
    pub evidence: Option<String>,
    pub resolution: Option<String>,
    pub updated_by: Option<String>,
    pub updated_at_ms: Option<i64>,
}

fn alert_row(r: &sqlx::any::AnyRow) -> Result<Alert> {
    let rule: String = r.try_get("rule")?;
    let (rule_name, basis) = RuleId::parse(&rule)
        .map(|id| (id.rule().name.to_string(), id.rule().basis.to_string()))
        .unwrap_or_default();
    Ok(Alert {
        id: r.try_get("id")?,
        key: r.try_get("key")?,
        rule,
        rule_name,
        basis,
        severity: r.try_get("severity")?,
        subject: r.try_get("subject")?,
        task: r.try_get("task")?,
        power: r.try_get("power")?,
        region: r.try_get("region")?,
        department: r.try_get("department")?,
        source: r.try_get("source")?,
        breach_at_ms: r.try_get("breach_at")?,
        raised_at_ms: r.try_get("raised_at")?,
        detail: r.try_get("detail")?,
        state: r.try_get("state")?,
        explanation: r.try_get("explanation")?,
        evidence: r.try_get("evidence")?,
        resolution: r.try_get("resolution")?,
        updated_by: r.try_get("updated_by")?,
        updated_at_ms: r.try_get("updated_at")?,
    })
}

/// Which alerts to list: all filters optional, newest first, `limit` at a time below `before`.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct AlertFilter {
    /// `open` (raised, acknowledged or explained) or one state.
    pub state: Option<String>,
    pub department: Option<String>,
    pub rule: Option<String>,
    pub subject: Option<String>,
    /// Only ids below this (the next page).
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

/// Inserts the alerts not raised before; returns the ledger entries of those it inserted and
/// their ids, for the caller to append in the same transaction.
pub(crate) async fn insert_alerts(
    tx: &mut Tx<'_>,
    alerts: &[NewAlert],
    raised_at: Timestamp,
) -> Result<(Vec<NewEntry>, Vec<i64>)> {
    const COLS: usize = 14;
    let mut entries = Vec::new();
    let mut ids = Vec::new();
    if alerts.is_empty() {
        return Ok((entries, ids));
    }
    let marks = sql::Marks::of(tx);
    let at = sql::millis(raised_at);
    for (_, chunk) in sql::cached_chunks(alerts, COLS) {
        let stmt = format!(
            "INSERT INTO alerts (key, rule, severity, subject, task, power, region, department, source,
                breach_at, raised_at, detail, state, updated_at) VALUES {}
             ON CONFLICT (key) DO NOTHING RETURNING id, key",
            sql::values(marks, chunk.len(), COLS)
        );
        let mut q = sqlx::query(sql::dynamic(stmt));
        for a in chunk {
            let f = &a.finding;
            q = q
                .bind(f.key.as_str())
                .bind(f.rule.as_str())
                .bind(f.rule.rule().severity.as_str())
                .bind(f.subject.as_str())
                .bind(f.task.map(i64::from))
                .bind(a.power.as_str())
                .bind(a.region.as_str())
                .bind(a.department.as_str())
                .bind(a.source)
                .bind(sql::millis(f.at))
                .bind(at)
                .bind(f.detail.as_str())
                .bind(AlertState::Raised.as_str())
                .bind(at);
        }
        let rows = q.fetch_all(&mut **tx).await?;
        for r in rows {
            let id: i64 = r.try_get("id")?;
            let key: String = r.try_get("key")?;
            let Some(a) = chunk.iter().find(|a| a.finding.key == key) else {
                continue;
            };
            let f = &a.finding;
            let payload = serde_json::json!({
                "key": f.key,
                "rule": f.rule.as_str(),
                "subject": f.subject,
                "task": f.task,
                "department": a.department,
                "breach_at": f.at.to_string(),
                "detail": f.detail,
                "source": a.source,
            });
            entries.push(NewEntry {
                stream: format!("alert/{id}"),
                kind: "alert.raised".into(),
                actor: "supervision".into(),
                at: raised_at,
                payload: canonical_json(&payload),
            });
            ids.push(id);
        }
    }
    Ok((entries, ids))
}

impl Store {
    /// Raises the alerts not raised before, with their ledger entries, in one transaction;
    /// answers the ones it raised (an alert raised already is left as it is).
    pub async fn raise_alerts(&self, alerts: &[NewAlert], now: Timestamp) -> Result<Vec<Alert>> {
        if alerts.is_empty() {
            return Ok(vec![]);
        }
        let mut tx = self.begin_ledger().await?;
        let (entries, ids) = insert_alerts(&mut tx.tx, alerts, now).await?;
        tx.append(&entries).await?;
        let raised = fetch_alerts(&mut tx.tx, &ids).await?;
        tx.commit().await?;
        Ok(raised)
    }

    pub async fn alert(&self, id: i64) -> Result<Option<Alert>> {
        let row = sqlx::query("SELECT * FROM alerts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(alert_row).transpose()
    }

    pub async fn alerts(&self, f: &AlertFilter) -> Result<Vec<Alert>> {
        let mut sql = String::from("SELECT * FROM alerts WHERE 1 = 1");
        let mut binds: Vec<String> = Vec::new();
        let mut n = 0;
        let mut bind = |sql: &mut String, col: &str, v: String| {
            n += 1;
            sql.push_str(&format!(" AND {col} = ${n}"));
            binds.push(v);
        };
        match f.state.as_deref() {
            None => {}
            Some("open") => sql.push_str(" AND state IN ('raised', 'acknowledged', 'explained')"),
            Some(s) => {
                let s = AlertState::parse(s).ok_or_else(|| {
                    StoreError::Domain(sunlight_core::DomainError::field(
                        "state",
                        sunlight_core::zh_en!(
                            "“{s}”不是预警状态（open、raised、acknowledged、explained、closed 或 dismissed）",
                            "«{s}» is not open, raised, acknowledged, explained, closed or dismissed"
                        ),
                    ))
                })?;
                bind(&mut sql, "state", s.as_str().into());
            }
        }
        if let Some(d) = &f.department {
            bind(&mut sql, "department", d.clone());
        }
        if let Some(r) = &f.rule {
            bind(&mut sql, "rule", r.clone());
        }
        if let Some(s) = &f.subject {
            bind(&mut sql, "subject", s.clone());
        }
        let limit = f.limit.unwrap_or(50).clamp(1, 500);
        if let Some(b) = f.before {
            sql.push_str(&format!(" AND id < {b}"));
        }
        sql.push_str(&format!(" ORDER BY id DESC LIMIT {limit}"));
        let mut q = sqlx::query(sql::dynamic(sql));
        for b in &binds {
            q = q.bind(b.as_str());
        }
        q.fetch_all(&self.pool)
            .await?
            .iter()
            .map(alert_row)
            .collect()
    }

    /// Alerts' mutable part as their process holds it, by id, at their versions.
    pub async fn alert_lives(
        &self,
        ids: &[&str],
    ) -> Result<std::collections::HashMap<String, AlertLife>> {
        let versions = self.stream_versions("alert", ids).await?;
        let mut out = std::collections::HashMap::new();
        for id in ids {
            let Ok(n) = id.parse::<i64>() else { continue };
            let Some(a) = self.alert(n).await? else {
                continue;
            };
            let state = AlertState::parse(&a.state)
                .ok_or_else(|| StoreError::Corrupt(format!("alert {n} state {}", a.state)))?;
            out.insert(
                id.to_string(),
                AlertLife {
                    id: n,
                    department: a.department,
                    state,
                    explanation: a.explanation,
                    evidence: a.evidence,
                    resolution: a.resolution,
                    updated_by: a.updated_by,
                    updated_at: a.updated_at_ms.map(sql::instant).transpose()?,
                    version: versions.get(*id).copied().unwrap_or(0),
                },
            );
        }
        Ok(out)
    }

    /// The departments of the alerts that exist among `ids`.
    pub async fn alert_departments(
        &self,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, String>> {
        let mut out = std::collections::HashMap::new();
        for id in ids {
            if let Some(a) = self.alert(*id).await? {
                out.insert(a.id, a.department);
            }
        }
        Ok(out)
    }

    pub async fn measures(&self, department: Option<&str>) -> Result<Vec<Accountability>> {
        let rows = match department {
            Some(d) => {
                sqlx::query("SELECT * FROM accountability WHERE department = $1 ORDER BY id DESC")
                    .bind(d)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT * FROM accountability ORDER BY id DESC LIMIT 500")
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter()
            .map(|r| {
                let measure: Measure = sql::json(
                    "measure",
                    &format!("\"{}\"", r.try_get::<String, _>("measure")?),
                )?;
                Ok(Accountability {
                    id: r.try_get("id")?,
                    department: r.try_get("department")?,
                    staff: r.try_get("staff")?,
                    measure,
                    measure_zh: measure.zh().to_string(),
                    reason: r.try_get("reason")?,
                    alerts: sql::json("alerts", &r.try_get::<String, _>("alerts")?)?,
                    recorded_by: r.try_get("recorded_by")?,
                    at_ms: r.try_get("at")?,
                })
            })
            .collect()
    }

    /// Supervision's view of every running case, the engine's (rebuilt from the case row, its
    /// open tasks and its power's name) and the fed ones (for the monitor at start-up).
    pub async fn watched_cases(&self) -> Result<Vec<sunlight_core::supervision::Watched>> {
        use futures_util::TryStreamExt;
        use sunlight_core::case::{CaseStatus, Deadlines};
        use sunlight_core::supervision::{Watched, WatchedTask};
        let date = |s: Option<String>| -> Result<Option<sunlight_core::Date>> {
            s.map(|s| {
                s.parse()
                    .map_err(|e| StoreError::Corrupt(format!("a case date «{s}»: {e}")))
            })
            .transpose()
        };
        let mut tasks: std::collections::HashMap<String, Vec<WatchedTask>> = Default::default();
        {
            let mut rows = sqlx::query(
                "SELECT receipt, task, name, due FROM case_tasks WHERE status = 'open' ORDER BY receipt, task",
            )
            .fetch(&self.pool);
            while let Some(r) = rows.try_next().await? {
                tasks
                    .entry(r.try_get("receipt")?)
                    .or_default()
                    .push(WatchedTask {
                        id: r.try_get::<i64, _>("task")? as u32,
                        name: r.try_get("name")?,
                        due: date(r.try_get("due")?)?,
                    });
            }
        }
        let mut out = Vec::new();
        {
            let mut rows = sqlx::query(
                "SELECT c.receipt, c.power, v.name AS power_name, c.region, c.department, c.status,
                    c.submitted_at, c.supplement_notices, c.statutory_due, c.committed_due,
                    c.decided_on, c.delivered, c.finished_at, c.suspended_since, c.suspended_reason,
                    c.rectify_by
                 FROM cases c JOIN power_versions v ON v.code = c.power AND v.version = c.power_version
                 WHERE c.status NOT IN ('closed', 'not_accepted', 'withdrawn')
                    OR c.rectify_by IS NOT NULL",
            )
            .fetch(&self.pool);
            while let Some(r) = rows.try_next().await? {
                let receipt: String = r.try_get("receipt")?;
                let status: String = r.try_get("status")?;
                let status = CaseStatus::parse(&status).ok_or_else(|| {
                    StoreError::Corrupt(format!("case {receipt} status «{status}»"))
                })?;
                let suspended = match (
                    date(r.try_get("suspended_since")?)?,
                    r.try_get::<Option<String>, _>("suspended_reason")?,
                ) {
                    (Some(d), Some(reason)) => Some((d, reason)),
                    _ => None,
                };
                out.push(Watched {
                    tasks: tasks.remove(&receipt).unwrap_or_default(),
                    power: r.try_get("power")?,
                    power_name: r.try_get("power_name")?,
                    region: r.try_get("region")?,
                    department: r.try_get("department")?,
                    status,
                    submitted_at: sql::instant(r.try_get("submitted_at")?)?,
                    supplement_notices: r.try_get::<i64, _>("supplement_notices")? as u32,
                    deadlines: Deadlines {
                        statutory: date(r.try_get("statutory_due")?)?,
                        committed: date(r.try_get("committed_due")?)?,
                    },
                    decided_on: date(r.try_get("decided_on")?)?,
                    delivered: r.try_get::<i64, _>("delivered")? != 0,
                    finished_at: r
                        .try_get::<Option<i64>, _>("finished_at")?
                        .map(sql::instant)
                        .transpose()?,
                    suspended,
                    rectify_by: date(r.try_get("rectify_by")?)?,
                    receipt,
                });
            }
        }
        let mut rows =
            sqlx::query("SELECT watch FROM feed_cases WHERE watch IS NOT NULL").fetch(&self.pool);
        while let Some(r) = rows.try_next().await? {
            out.push(sql::json("watch", &r.try_get::<String, _>("watch")?)?);
        }
        Ok(out)
    }
}

/// An accountability measure as recorded.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Accountability {
    pub id: i64,
    pub department: String,
    pub staff: Option<String>,
    pub measure: Measure,
    pub measure_zh: String,
    pub reason: String,
    pub alerts: Vec<i64>,
    pub recorded_by: String,
    pub at_ms: i64,
}

async fn fetch_alerts(tx: &mut Tx<'_>, ids: &[i64]) -> Result<Vec<Alert>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let list = chunk
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(sql::dynamic(format!(
            "SELECT * FROM alerts WHERE id IN ({list}) ORDER BY id"
        )))
        .fetch_all(&mut **tx)
        .await?;
        for r in &rows {
            out.push(alert_row(r)?);
        }
    }
    Ok(out)
}

/// A relation a member of staff declared.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Relation {
    pub id: i64,
    pub staff: String,
    /// ID number or unified social credit code.
    pub party: String,
    pub party_name: String,
    pub relation: String,
    pub declared_at_ms: i64,
}

/// Normal form of an ID number or credit code, as relations are matched.
pub fn party_key(s: &str) -> String {
    s.trim().to_uppercase()
}

impl Store {
    /// Records a relation `staff` declares; ledgered (`relation/<id>`).
    pub async fn declare_relation(
        &self,
        staff: &str,
        party: &str,
        party_name: &str,
        relation: &str,
        now: Timestamp,
    ) -> Result<Relation> {
        let mut errors = Vec::new();
        if party.trim().len() < 15 {
            errors.push(sunlight_core::FieldError::new(
                "party",
                sunlight_core::zh_en!(
                    "请填写当事人的身份证号码或统一社会信用代码",
                    "the party's ID number or unified social credit code"
                ),
            ));
        }
        if relation.trim().is_empty() {
            errors.push(sunlight_core::FieldError::new(
                "relation",
                sunlight_core::zh_en!(
                    "请填写关系（配偶、子女、曾任职等）",
                    "the relation (配偶, 子女, 曾任职 …)"
                ),
            ));
        }
        if !errors.is_empty() {
            return Err(sunlight_core::DomainError::Invalid(errors).into());
        }
        let party = party_key(party);
        let mut tx = self.begin_ledger().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO declared_relations (staff, party, party_name, relation, declared_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(staff)
        .bind(party.as_str())
        .bind(party_name.trim())
        .bind(relation.trim())
        .bind(sql::millis(now))
        .fetch_one(&mut *tx.tx)
        .await?;
        let entry = NewEntry {
            stream: format!("relation/{id}"),
            kind: "relation.declared".into(),
            actor: staff.to_string(),
            at: now,
            payload: canonical_json(&serde_json::json!({
                "party": party,
                "party_name": party_name.trim(),
                "relation": relation.trim(),
            })),
        };
        tx.append(&[entry]).await?;
        tx.commit().await?;
        Ok(Relation {
            id,
            staff: staff.to_string(),
            party,
            party_name: party_name.trim().to_string(),
            relation: relation.trim().to_string(),
            declared_at_ms: sql::millis(now),
        })
    }

    /// Declared relations: one person's, or everyone's.
    pub async fn relations(&self, staff: Option<&str>) -> Result<Vec<Relation>> {
        let rows = match staff {
            Some(s) => {
                sqlx::query("SELECT * FROM declared_relations WHERE staff = $1 ORDER BY id")
                    .bind(s)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT * FROM declared_relations ORDER BY id")
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter()
            .map(|r| {
                Ok(Relation {
                    id: r.try_get("id")?,
                    staff: r.try_get("staff")?,
                    party: r.try_get("party")?,
                    party_name: r.try_get("party_name")?,
                    relation: r.try_get("relation")?,
                    declared_at_ms: r.try_get("declared_at")?,
                })
            })
            .collect()
    }
}
