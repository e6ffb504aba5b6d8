//! Erasing personal data whose retention period has ended (个人信息保护法 第四十七条第一款第（二）项):
//! the applicant's name, ID number, phone, form and their own texts of finished cases. Each
//! erasure is itself a ledger entry; the leaves hold only commitments, so `ledger verify` still
//! passes and still detects tampering.

use crate::AppResult;
use sunlight_core::case::ReceiptNumber;
use sunlight_core::clock::Zone;
use sunlight_core::{Date, DomainError, Timestamp, zh_en};
use sunlight_store::{Erasable, EraseReport, NotErasable, Store};

/// What to erase.
pub struct Request<'a> {
    /// Only cases finished before this date, which may not be later than the end of the
    /// retention period; that end if absent.
    pub before: Option<Date>,
    /// Only these cases; every case that qualifies when empty.
    pub receipts: &'a [String],
    /// List what would be erased and erase nothing.
    pub dry_run: bool,
    /// Who erases, recorded in the ledger.
    pub by: &'a str,
    /// How long personal data of a finished case is kept (`[privacy] retention_years`).
    pub retention_years: u32,
}

/// What an erasure did (or, in a dry run, would do).
#[derive(Debug)]
pub enum Outcome {
    /// `before` is later than the end of the retention period: nothing was erased.
    TooEarly {
        asked: Date,
        retention_end: Date,
    },
    /// A dry run: the cases that would be erased.
    WouldErase {
        found: Vec<Erasable>,
        refused: Vec<(String, NotErasable)>,
    },
    Erased(EraseReport),
}

/// Erases (or lists) the personal data of finished cases past their retention period.
pub async fn run(
    store: &Store,
    zone: Zone,
    now: Timestamp,
    request: &Request<'_>,
) -> AppResult<Outcome> {
    let years = request.retention_years;
    let retention_end = zone
        .date(now)
        .checked_sub(jiff::Span::new().years(i64::from(years)))
        .map_err(|_| {
            DomainError::field(
                "retention_years",
                zh_en!(
                    "保存期限 {years} 年早于日历起点",
                    "a retention period of {years} years reaches before the calendar"
                ),
            )
        })?;
    let cutoff = match request.before {
        Some(asked) if asked > retention_end => {
            return Ok(Outcome::TooEarly {
                asked,
                retention_end,
            });
        }
        Some(asked) => asked,
        None => retention_end,
    };
    let named = request
        .receipts
        .iter()
        .map(|r| ReceiptNumber::parse(r).map(|r| r.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    let finished_before = zone.start_of(cutoff);
    if request.dry_run {
        let (found, refused) = store.erasable(finished_before, &named).await?;
        return Ok(Outcome::WouldErase { found, refused });
    }
    let basis = format!(
        "《中华人民共和国个人信息保护法》第四十七条第一款第（二）项：保存期限已届满（办结后 {years} 年，{cutoff} 前办结）"
    );
    let report = store
        .erase_personal(&sunlight_store::Erase {
            finished_before,
            receipts: &named,
            basis: &basis,
            by: request.by,
            at: now,
        })
        .await?;
    Ok(Outcome::Erased(report))
}
