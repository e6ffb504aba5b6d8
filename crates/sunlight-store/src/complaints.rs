//! Complaints (投诉): filed by anyone, answered by the department concerned, each step a ledger
//! leaf (`complaint/<tracking>`). Unanswered past their day, they become alerts (the monitor
//! asks [`Store::overdue_complaints`] once a day).

use crate::ledger::NewEntry;
use crate::{Result, Store, StoreError, sql};
use serde::Serialize;
use sqlx::Row;
use sunlight_core::complaint::{Against, ComplaintDraft};
use sunlight_core::{Date, Timestamp, User};
use sunlight_ledger::entry::canonical_json;

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

fn digest(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
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
    /// Files a complaint that `department` must answer by `due`.
    pub async fn file_complaint(
        &self,
        draft: ComplaintDraft,
        tracking: &str,
        code_hash: &str,
        department: &str,
        due: Date,
        now: Timestamp,
    ) -> Result<Complaint> {
        let d = draft.validated()?;
        let mut tx = self.ledger_tx().await?;
        sqlx::query(
            "INSERT INTO complaints (tracking, code_hash, against, target, department, complainant, phone, text, filed_at, due, state)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open')",
        )
        .bind(tracking)
        .bind(code_hash)
        .bind(d.against.as_str())
        .bind(d.target.as_str())
        .bind(department)
        .bind(d.complainant.as_str())
        .bind(d.phone.as_str())
        .bind(d.text.as_str())
        .bind(sql::millis(now))
        .bind(due.to_string())
        .execute(&mut *tx)
        .await?;
        // The ledger keeps what was complained of and when, not who complained.
        let payload = serde_json::json!({
            "against": d.against.as_str(),
            "target": d.target,
            "department": department,
            "due": due.to_string(),
            "text_sha256": digest(&d.text),
        });
        let entry = NewEntry {
            stream: format!("complaint/{tracking}"),
            kind: "complaint.filed".into(),
            actor: "complainant".into(),
            at: now,
            payload: canonical_json(&payload),
        };
        let (_, frontier) = self.append_entries(&mut tx, &[entry]).await?;
        tx.commit().await?;
        self.ledger_committed(frontier);
        self.complaint(tracking)
            .await?
            .ok_or_else(|| StoreError::not_found("complaint", tracking))
    }

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

    /// The department's answer (its staff only; once).
    pub async fn answer_complaint(
        &self,
        tracking: &str,
        answer: &str,
        by: &User,
        now: Timestamp,
    ) -> Result<Complaint> {
        let answer = answer.trim();
        if answer.chars().count() < 10 {
            return Err(sunlight_core::DomainError::field(
                "answer",
                "an answer says what was found and done, in at least 10 characters",
            )
            .into());
        }
        let c = self
            .complaint(tracking)
            .await?
            .ok_or_else(|| StoreError::not_found("complaint", tracking))?;
        if by.department.as_ref().map(|d| d.as_str()) != Some(c.department.as_str()) {
            return Err(sunlight_core::DomainError::rule(
                sunlight_core::ErrorCode::WrongDepartment,
                format!(
                    "complaint {tracking} is for department {} to answer",
                    c.department
                ),
            )
            .into());
        }
        let mut tx = self.ledger_tx().await?;
        let done = sqlx::query(
            "UPDATE complaints SET state = 'answered', answer = $1, answered_by = $2, answered_at = $3
             WHERE tracking = $4 AND state = 'open'",
        )
        .bind(answer)
        .bind(by.username.as_str())
        .bind(sql::millis(now))
        .bind(tracking)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict(format!(
                "complaint {tracking} was already answered"
            )));
        }
        let payload = serde_json::json!({
            "answer_sha256": digest(answer),
            "on_time": sunlight_core::clock::Zone::CHINA.date(now).to_string() <= c.due,
        });
        let entry = NewEntry {
            stream: format!("complaint/{tracking}"),
            kind: "complaint.answered".into(),
            actor: by.username.to_string(),
            at: now,
            payload: canonical_json(&payload),
        };
        let (_, frontier) = self.append_entries(&mut tx, &[entry]).await?;
        tx.commit().await?;
        self.ledger_committed(frontier);
        self.complaint(tracking)
            .await?
            .ok_or_else(|| StoreError::not_found("complaint", tracking))
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
