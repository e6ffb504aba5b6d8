//! Complaints (投诉): filed by anyone, answered by the department concerned, each step a ledger
//! leaf (`complaint/<tracking>`). Unanswered past their day, they become alerts (the monitor
//! asks [`Store::overdue_complaints`] once a day).

use crate::{Result, Store, StoreError, sql};
use serde::Serialize;
use sqlx::Row;
use sunlight_core::Date;
use sunlight_core::complaint::Against;

/// A complaint as stored.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Complaint {
    pub tracking: String,
    #[serde(skip)]
    pub code_hash: String,
    pub against: Against,
    pub target: String,
    pub department: String,
    pub complainant: String,
    pub phone: String,
    pub text: String,
    pub filed_at_ms: i64,
    pub due: String,
    pub state: String,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at_ms: Option<i64>,
}

const COLS: &str = "tracking, code_hash, against, target, department, complainant, phone, text, filed_at, due, state, answer, answered_by, answered_at";

fn row(r: &sqlx::any::AnyRow) -> Result<Complaint> {
    let against: String = r.try_get("against")?;
    Ok(Complaint {
        tracking: r.try_get("tracking")?,
        code_hash: r.try_get("code_hash")?,
        against: Against::parse(&against)
            .ok_or_else(|| StoreError::Corrupt(format!("complaint against «{against}»")))?,
        target: r.try_get("target")?,
        department: r.try_get("department")?,
        complainant: r.try_get("complainant")?,
        phone: r.try_get("phone")?,
        text: r.try_get("text")?,
        filed_at_ms: r.try_get("filed_at")?,
        due: r.try_get("due")?,
        state: r.try_get("state")?,
        answer: r.try_get("answer")?,
        answered_by: r.try_get("answered_by")?,
        answered_at_ms: r.try_get("answered_at")?,
    })
}

impl Store {
    pub async fn complaint(&self, tracking: &str) -> Result<Option<Complaint>> {
        let r = sqlx::query(sql::dynamic(format!(
            "SELECT {COLS} FROM complaints WHERE tracking = $1"
        )))
        .bind(tracking)
        .fetch_optional(&self.pool)
        .await?;
        r.as_ref().map(row).transpose()
    }

    /// A department's complaints, open ones first (soonest due), then the latest answered.
    pub async fn complaints(&self, department: &str, limit: i64) -> Result<Vec<Complaint>> {
        let rows = sqlx::query(sql::dynamic(format!(
            "SELECT {COLS} FROM complaints WHERE department = $1
             ORDER BY CASE WHEN state = 'open' THEN 0 ELSE 1 END, due, filed_at DESC LIMIT $2"
        )))
        .bind(department)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row).collect()
    }

    /// Complaints as their process holds them, by tracking number, at their versions.
    pub async fn complaint_states(
        &self,
        ids: &[&str],
    ) -> Result<std::collections::HashMap<String, sunlight_core::complaint::Complaint>> {
        use sunlight_core::complaint::{Complaint as State, ComplaintState};
        let versions = self.stream_versions("complaint", ids).await?;
        let mut out = std::collections::HashMap::new();
        for id in ids {
            let Some(c) = self.complaint(id).await? else {
                continue;
            };
            out.insert(
                id.to_string(),
                State {
                    state: ComplaintState::parse(&c.state).ok_or_else(|| {
                        StoreError::Corrupt(format!("complaint {id} is «{}»", c.state))
                    })?,
                    filed_at: sql::instant(c.filed_at_ms)?,
                    due: sql::date(&c.due)?,
                    answered_at: c.answered_at_ms.map(sql::instant).transpose()?,
                    version: versions.get(*id).copied().unwrap_or(0),
                    tracking: c.tracking,
                    code_hash: c.code_hash,
                    against: c.against,
                    target: c.target,
                    department: c.department,
                    complainant: c.complainant,
                    phone: c.phone,
                    text: c.text,
                    answer: c.answer,
                    answered_by: c.answered_by,
                },
            );
        }
        Ok(out)
    }

    /// Open complaints whose last day to answer is before `today`.
    pub async fn overdue_complaints(&self, today: Date) -> Result<Vec<Complaint>> {
        let rows = sqlx::query(sql::dynamic(format!(
            "SELECT {COLS} FROM complaints WHERE state = 'open' AND due < $1 ORDER BY due"
        )))
        .bind(today.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row).collect()
    }
}
