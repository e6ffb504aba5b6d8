//! Documents issued under a department's seal (决定书, 证照) and the seal keys' public halves.
//! Document rows are written from the case's state in the decision's transaction
//! ([`write_documents`]); keys are registered when a department first seals and live on
//! (rotated keys still verify; revoked ones do not).

use crate::sql::{self, Cell, Col, Marks};
use crate::{Result, Store};
use sqlx::Row;
use sunlight_core::Timestamp;

/// A document as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DocumentRow {
    pub number: String,
    pub kind: String,
    pub receipt: String,
    pub department: String,
    pub matter: String,
    pub holder: String,
    pub sha256: String,
    pub sm3: String,
    pub key_id: String,
    pub signature: String,
    pub issued_at_ms: i64,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub revoked_at_ms: Option<i64>,
    pub revoke_reason: Option<String>,
}

/// A seal key's public half and life.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SealKeyRow {
    pub key_id: String,
    pub department: String,
    pub public_key: String,
    pub created_at_ms: i64,
    pub retired_at_ms: Option<i64>,
    pub revoked_at_ms: Option<i64>,
    pub revoke_reason: Option<String>,
}

/// The document rows of the decided cases among `writes` (new ones only are inserted).
pub(crate) async fn write_documents(
    tx: &mut crate::ledger::Tx<'_>,
    marks: Marks,
    writes: &[crate::cases::CaseWrite],
) -> Result<()> {
    let mut rows = sql::JsonRows::default();
    // The cells borrow their text: what is computed is kept here first.
    let mut owned: Vec<[String; 5]> = Vec::new();
    for w in writes {
        let c = &w.case;
        let Some(d) = &c.decision else { continue };
        for doc in &d.documents {
            let at = c.finished_at.unwrap_or(c.submitted_at);
            owned.push([
                doc.valid_from.map(|d| d.to_string()).unwrap_or_default(),
                doc.valid_to.map(|d| d.to_string()).unwrap_or_default(),
                sql::millis(at).to_string(),
                c.opened.department.to_string(),
                doc.kind.as_str().to_string(),
            ]);
        }
    }
    let mut k = 0;
    for w in writes {
        let c = &w.case;
        let Some(d) = &c.decision else { continue };
        for doc in &d.documents {
            let o = &owned[k];
            k += 1;
            rows.push(&[
                Cell::Text(&doc.number),
                Cell::Text(&o[4]),
                Cell::Text(c.opened.receipt.as_str()),
                Cell::Text(&o[3]),
                Cell::Text(&c.opened.power_name),
                Cell::Text(c.opened.applicant.name()),
                Cell::Text(&doc.sha256),
                Cell::Text(&doc.sm3),
                Cell::Text(&doc.key),
                Cell::Text(&doc.signature),
                Cell::Int(o[2].parse().unwrap_or_default()),
                Cell::opt_text((!o[0].is_empty()).then_some(o[0].as_str())),
                Cell::opt_text((!o[1].is_empty()).then_some(o[1].as_str())),
            ]);
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    sqlx::query(sql::dynamic(format!(
        "{} ON CONFLICT (number) DO NOTHING",
        sql::insert_json(
            marks,
            "documents",
            &[
                ("number", Col::Text),
                ("kind", Col::Text),
                ("receipt", Col::Text),
                ("department", Col::Text),
                ("matter", Col::Text),
                ("holder", Col::Text),
                ("sha256", Col::Text),
                ("sm3", Col::Text),
                ("key_id", Col::Text),
                ("signature", Col::Text),
                ("issued_at", Col::Int),
                ("valid_from", Col::Text),
                ("valid_to", Col::Text),
            ],
        )
    )))
    .bind(rows.finish())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const DOC_COLS: &str = "number, kind, receipt, department, matter, holder, sha256, sm3, key_id, signature, issued_at, valid_from, valid_to, revoked_at, revoke_reason";

fn doc_row(r: &sqlx::any::AnyRow) -> Result<DocumentRow> {
    Ok(DocumentRow {
        number: r.try_get("number")?,
        kind: r.try_get("kind")?,
        receipt: r.try_get("receipt")?,
        department: r.try_get("department")?,
        matter: r.try_get("matter")?,
        holder: r.try_get("holder")?,
        sha256: r.try_get("sha256")?,
        sm3: r.try_get("sm3")?,
        key_id: r.try_get("key_id")?,
        signature: r.try_get("signature")?,
        issued_at_ms: r.try_get("issued_at")?,
        valid_from: r.try_get("valid_from")?,
        valid_to: r.try_get("valid_to")?,
        revoked_at_ms: r.try_get("revoked_at")?,
        revoke_reason: r.try_get("revoke_reason")?,
    })
}

fn key_row(r: &sqlx::any::AnyRow) -> Result<SealKeyRow> {
    Ok(SealKeyRow {
        key_id: r.try_get("key_id")?,
        department: r.try_get("department")?,
        public_key: r.try_get("public_key")?,
        created_at_ms: r.try_get("created_at")?,
        retired_at_ms: r.try_get("retired_at")?,
        revoked_at_ms: r.try_get("revoked_at")?,
        revoke_reason: r.try_get("revoke_reason")?,
    })
}

impl Store {
    /// The document numbered `number`.
    pub async fn document(&self, number: &str) -> Result<Option<DocumentRow>> {
        let r = sqlx::query(sql::dynamic(format!(
            "SELECT {DOC_COLS} FROM documents WHERE number = $1"
        )))
        .bind(number)
        .fetch_optional(&self.pool)
        .await?;
        r.as_ref().map(doc_row).transpose()
    }

    /// Documents whose PDF has this SHA-256.
    pub async fn documents_by_digest(&self, sha256: &str) -> Result<Vec<DocumentRow>> {
        let rows = sqlx::query(sql::dynamic(format!(
            "SELECT {DOC_COLS} FROM documents WHERE sha256 = $1"
        )))
        .bind(sha256)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(doc_row).collect()
    }

    /// A case's documents, in the order issued.
    pub async fn documents_of(&self, receipt: &str) -> Result<Vec<DocumentRow>> {
        let rows = sqlx::query(sql::dynamic(format!(
            "SELECT {DOC_COLS} FROM documents WHERE receipt = $1 ORDER BY issued_at, kind DESC"
        )))
        .bind(receipt)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(doc_row).collect()
    }

    /// Revokes a certificate (行政许可法 Art. 69/70), naming why; `false` if there is no such
    /// document or it was revoked before.
    pub async fn revoke_document(&self, number: &str, reason: &str, at: Timestamp) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE documents SET revoked_at = $1, revoke_reason = $2 WHERE number = $3 AND revoked_at IS NULL",
        )
        .bind(sql::millis(at))
        .bind(reason)
        .bind(number)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Registers a department's key (idempotent).
    pub async fn put_seal_key(
        &self,
        key_id: &str,
        department: &str,
        public_key: &str,
        at: Timestamp,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO seal_keys (key_id, department, public_key, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (key_id) DO NOTHING",
        )
        .bind(key_id)
        .bind(department)
        .bind(public_key)
        .bind(sql::millis(at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn seal_key(&self, key_id: &str) -> Result<Option<SealKeyRow>> {
        let r = sqlx::query(
            "SELECT key_id, department, public_key, created_at, retired_at, revoked_at, revoke_reason
             FROM seal_keys WHERE key_id = $1",
        )
        .bind(key_id)
        .fetch_optional(&self.pool)
        .await?;
        r.as_ref().map(key_row).transpose()
    }

    /// A department's keys, newest first.
    pub async fn seal_keys_of(&self, department: &str) -> Result<Vec<SealKeyRow>> {
        let rows = sqlx::query(
            "SELECT key_id, department, public_key, created_at, retired_at, revoked_at, revoke_reason
             FROM seal_keys WHERE department = $1 ORDER BY created_at DESC",
        )
        .bind(department)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(key_row).collect()
    }

    /// Retires (`revoke: None`) or revokes a key.
    pub async fn end_seal_key(
        &self,
        key_id: &str,
        revoke: Option<&str>,
        at: Timestamp,
    ) -> Result<bool> {
        let done = match revoke {
            None => {
                sqlx::query("UPDATE seal_keys SET retired_at = $1 WHERE key_id = $2 AND retired_at IS NULL")
                    .bind(sql::millis(at))
                    .bind(key_id)
                    .execute(&self.pool)
                    .await?
            }
            Some(reason) => {
                sqlx::query(
                    "UPDATE seal_keys SET revoked_at = $1, revoke_reason = $2, retired_at = COALESCE(retired_at, $1)
                     WHERE key_id = $3 AND revoked_at IS NULL",
                )
                .bind(sql::millis(at))
                .bind(reason)
                .bind(key_id)
                .execute(&self.pool)
                .await?
            }
        };
        Ok(done.rows_affected() == 1)
    }
}
