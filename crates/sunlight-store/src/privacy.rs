//! Erasing personal data whose retention period has ended (个人信息保护法 Art. 47 para. 1
//! item 2: 保存期限已届满).
//!
//! A case's personal values live in `ledger_private` as openings of the commitments its
//! leaves carry (see `ledger.rs`). [`Store::erase_personal`] deletes the openings of finished
//! cases (closed, not accepted, withdrawn) that finished before a cut-off — the caller's
//! retention period back from today — and ledgers each erasure (`privacy/case/<receipt>`,
//! `privacy.erased`: which stream, which entries, on what ground; no personal data) in the
//! same transaction. Entries are never touched: the log verifies as before, and a leaf edited
//! afterwards is still caught. Replayed cases then read the erased values as
//! [`sunlight_core::personal::ERASED`].

use crate::ledger::NewEntry;
use crate::{Result, Store, sql};
use sqlx::Row;
use sunlight_core::Timestamp;

/// Which cases to erase.
#[derive(Debug, Clone)]
pub struct Erase<'a> {
    /// Only cases finished before this instant (today less the retention period).
    pub finished_before: Timestamp,
    /// Only these receipts; every case that qualifies when empty.
    pub receipts: &'a [String],
    /// The legal ground, recorded in each erasure's ledger entry.
    pub basis: &'a str,
    /// Who erases (recorded as the entries' actor).
    pub by: &'a str,
    pub at: Timestamp,
}

/// A case whose personal values may be erased.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Erasable {
    pub receipt: String,
    /// When it finished (milliseconds since the epoch).
    pub finished_at_ms: i64,
}

/// Why a named case is not erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotErasable {
    /// No such case.
    Unknown,
    /// It is still running.
    Open,
    /// It finished after the cut-off: its retention period has not ended.
    Retained,
    /// Nothing personal is kept for it any more.
    AlreadyErased,
}

impl NotErasable {
    pub fn zh(self) -> &'static str {
        match self {
            Self::Unknown => "无此办件",
            Self::Open => "尚未办结，不能删除",
            Self::Retained => "保存期限未届满，不能删除",
            Self::AlreadyErased => "个人信息已删除",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Self::Unknown => "no such case",
            Self::Open => "the case is still running",
            Self::Retained => "its retention period has not ended",
            Self::AlreadyErased => "its personal data was erased already",
        }
    }
}

/// One case's erasure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Erased {
    pub receipt: String,
    /// The entries whose personal values were deleted.
    pub entries: Vec<u64>,
}

/// What [`Store::erase_personal`] did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct EraseReport {
    pub erased: Vec<Erased>,
    /// Named receipts left as they are, and why.
    pub refused: Vec<(String, NotErasable)>,
}

/// Cases per erasing transaction.
const CHUNK: usize = 256;

/// Finished statuses as the `cases` projection writes them (`CaseStatus::is_finished`).
const FINISHED: &str = "('closed', 'not_accepted', 'withdrawn')";

/// How many openings are kept for the case `c`'s stream.
const KEPT: &str = "(SELECT COUNT(*) FROM ledger_entries e JOIN ledger_private p ON p.seq = e.seq
      WHERE e.stream = 'case/' || c.receipt)";

impl Store {
    /// The cases [`Store::erase_personal`] would erase now, and the named ones it would not.
    pub async fn erasable(
        &self,
        finished_before: Timestamp,
        receipts: &[String],
    ) -> Result<(Vec<Erasable>, Vec<(String, NotErasable)>)> {
        let cutoff = sql::millis(finished_before);
        if receipts.is_empty() {
            let rows = sqlx::query(sql::dynamic(format!(
                "SELECT c.receipt, c.finished_at FROM cases c
                 WHERE c.finished_at < $1 AND c.status IN {FINISHED} AND {KEPT} > 0
                 ORDER BY c.finished_at, c.receipt"
            )))
            .bind(cutoff)
            .fetch_all(&self.pool)
            .await?;
            let found = rows
                .iter()
                .map(|r| {
                    Ok(Erasable {
                        receipt: r.try_get("receipt")?,
                        finished_at_ms: r.try_get("finished_at")?,
                    })
                })
                .collect::<Result<_>>()?;
            return Ok((found, vec![]));
        }
        let (mut found, mut refused) = (vec![], vec![]);
        for receipt in receipts {
            let row = sqlx::query(sql::dynamic(format!(
                "SELECT c.status, c.finished_at, {KEPT} AS kept FROM cases c WHERE c.receipt = $1"
            )))
            .bind(receipt.as_str())
            .fetch_optional(&self.pool)
            .await?;
            let Some(row) = row else {
                refused.push((receipt.clone(), NotErasable::Unknown));
                continue;
            };
            let status: String = row.try_get("status")?;
            let finished_at: Option<i64> = row.try_get("finished_at")?;
            let kept: i64 = row.try_get("kept")?;
            let finished =
                sunlight_core::case::CaseStatus::parse(&status).is_some_and(|s| s.is_finished());
            match finished_at {
                Some(at) if finished && at < cutoff && kept > 0 => found.push(Erasable {
                    receipt: receipt.clone(),
                    finished_at_ms: at,
                }),
                Some(at) if finished && at < cutoff => {
                    refused.push((receipt.clone(), NotErasable::AlreadyErased));
                }
                Some(_) if finished => refused.push((receipt.clone(), NotErasable::Retained)),
                _ => refused.push((receipt.clone(), NotErasable::Open)),
            }
        }
        Ok((found, refused))
    }

    /// Deletes the personal values of the finished cases `what` selects and ledgers each
    /// erasure, a few hundred cases per transaction.
    pub async fn erase_personal(&self, what: &Erase<'_>) -> Result<EraseReport> {
        let (found, refused) = self.erasable(what.finished_before, what.receipts).await?;
        let mut report = EraseReport {
            erased: vec![],
            refused,
        };
        for chunk in found.chunks(CHUNK) {
            let mut tx = self.begin_ledger().await?;
            let mut entries = Vec::with_capacity(chunk.len());
            let mut erased = Vec::with_capacity(chunk.len());
            for c in chunk {
                let stream = format!("case/{}", c.receipt);
                let seqs: Vec<i64> = sqlx::query_scalar(
                    "DELETE FROM ledger_private
                     WHERE seq IN (SELECT seq FROM ledger_entries WHERE stream = $1)
                     RETURNING seq",
                )
                .bind(stream.as_str())
                .fetch_all(&mut *tx.tx)
                .await?;
                if seqs.is_empty() {
                    // Erased meanwhile by another process.
                    continue;
                }
                // What was told the applicant, where, and the key their number is found by.
                for sql in [
                    "DELETE FROM outbox WHERE reference = $1",
                    "DELETE FROM messages WHERE reference = $1",
                    "UPDATE cases SET owner = NULL WHERE receipt = $1",
                    "UPDATE documents SET holder = '已删除' WHERE receipt = $1",
                ] {
                    sqlx::query(sql)
                        .bind(c.receipt.as_str())
                        .execute(&mut *tx.tx)
                        .await?;
                }
                let mut seqs: Vec<u64> = seqs.into_iter().map(|s| s as u64).collect();
                seqs.sort_unstable();
                let finished_at = sql::instant(c.finished_at_ms)?;
                entries.push(NewEntry {
                    stream: format!("privacy/{stream}"),
                    kind: "privacy.erased".into(),
                    actor: what.by.to_string(),
                    at: what.at,
                    payload: sunlight_ledger::entry::canonical_json(&serde_json::json!({
                        "stream": stream,
                        "entries": seqs,
                        "finished_at": finished_at.to_string(),
                        "basis": what.basis,
                    })),
                });
                erased.push(Erased {
                    receipt: c.receipt.clone(),
                    entries: seqs,
                });
            }
            if entries.is_empty() {
                tx.commit().await?;
                continue;
            }
            tx.append(&entries).await?;
            tx.commit().await?;
            report.erased.extend(erased);
        }
        Ok(report)
    }
}
