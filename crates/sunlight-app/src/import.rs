//! Turning a power-list file into changes of the list: read it all or nothing, compare each
//! power with what the list holds, and propose (API) or publish (operator CLI) the difference.
//! Shared by `POST /api/imports/powers` and `sunlight import powers` through [`powers`].

use crate::{AppError, AppResult};
use std::collections::HashMap;
use sunlight_core::lifecycle::{PowerChange, change_between};
use sunlight_core::review::Proposal;
use sunlight_core::review::{Origin, ProposalDraft};
use sunlight_core::{Date, FieldError, Timestamp, User};
use sunlight_exchange::{Format, ImportError, Registry, read_powers};
use sunlight_store::{Store, StoreError};

/// The changes a file implies, and where each came from.
#[derive(Debug)]
pub struct Plan {
    pub changes: Vec<PowerChange>,
    /// Source row of each change.
    pub rows: Vec<usize>,
    pub rows_read: usize,
    /// Powers already listed exactly as the file has them.
    pub unchanged: usize,
    pub origin: Origin,
}

/// Reads `bytes` and works out the changes against the list's latest versions.
pub async fn plan(
    store: &Store,
    file_name: &str,
    bytes: &[u8],
    format: Format,
    progress: &mut (dyn FnMut(usize) + Send),
) -> AppResult<Plan> {
    let codes = store.all_codes().await?;
    let mut registry = Registry::new(
        store.regions().await?,
        store.departments().await?,
        codes.iter().map(String::as_str),
    );
    let imported = read_powers(bytes, format, &mut registry, progress)?;
    let wanted: Vec<&str> = imported.powers.iter().map(|p| p.code.as_str()).collect();
    let listed = store.latest_powers(&wanted).await?;
    let mut changes = Vec::with_capacity(imported.powers.len());
    let mut rows = Vec::with_capacity(imported.powers.len());
    let mut errors = Vec::new();
    let mut unchanged = 0;
    for (power, row) in imported.powers.into_iter().zip(imported.rows) {
        match change_between(listed.get(power.code.as_str()), power) {
            Ok(Some(c)) => {
                changes.push(c);
                rows.push(row);
            }
            Ok(None) => unchanged += 1,
            Err(e) => errors.push(FieldError::new("code", e.text()).at_row(row)),
        }
    }
    if !errors.is_empty() {
        return Err(ImportError {
            errors,
            rows_read: imported.rows_read,
        }
        .into());
    }
    let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(bytes));
    Ok(Plan {
        changes,
        rows,
        rows_read: imported.rows_read,
        unchanged,
        origin: Origin::Import {
            file: file_name.to_string(),
            sha256: sha,
            rows: imported.rows_read,
        },
    })
}

impl Plan {
    /// The proposal draft, moving the changes out of the plan (large imports need no second copy).
    pub fn into_draft(
        self,
        title: &str,
        reason: &str,
        effective_from: Date,
    ) -> (ProposalDraft, Origin, Vec<usize>) {
        (
            ProposalDraft {
                title: title.into(),
                reason: reason.into(),
                effective_from,
                changes: self.changes,
            },
            self.origin,
            self.rows,
        )
    }
}

/// Re-locates a store refusal of change `i` at the file row it came from.
pub fn locate(err: StoreError, rows: &[usize]) -> AppError {
    match err {
        StoreError::Rejected(list) => {
            let errors = list
                .into_iter()
                .flat_map(|c| {
                    let row = rows.get(c.index).copied().unwrap_or(c.index + 1);
                    let fes: Vec<FieldError> = match &c.error {
                        sunlight_core::DomainError::Invalid(fs) => fs.clone(),
                        other => vec![FieldError::new(
                            "code",
                            other
                                .text()
                                .prefixed(&format!("{}：", c.code), &format!("{}: ", c.code)),
                        )],
                    };
                    fes.into_iter().map(move |f| f.at_row(row))
                })
                .collect();
            ImportError {
                errors,
                rows_read: rows.len(),
            }
            .into()
        }
        other => other.into(),
    }
}

/// Counts by change kind, for reporting what an import did.
pub fn summary(changes: &[PowerChange]) -> HashMap<&'static str, usize> {
    let mut m = HashMap::new();
    for c in changes {
        *m.entry(c.kind().as_str()).or_insert(0) += 1;
    }
    m
}

/// What becomes of an imported file's changes.
pub enum Filing<'a> {
    /// A proposal by this registry editor, to be reviewed (法制审核) before it is published.
    Propose(&'a User),
    /// Published at once by the operator named (the command line's `import powers`).
    Publish { by: &'a str },
}

/// A power-list file as it arrived.
pub struct PowersFile<'a> {
    /// The file's name, recorded as the changes' origin.
    pub name: &'a str,
    pub bytes: &'a [u8],
    pub format: Format,
    /// The proposal's title; `导入 {name}` if absent.
    pub title: Option<String>,
    /// The decision or document that approved the list (recorded on every version).
    pub reason: &'a str,
    /// When the changes take effect; today if absent.
    pub effective_from: Option<Date>,
}

/// What importing a file did.
#[derive(Debug)]
pub enum Imported {
    /// Every power of the file is listed exactly as given: nothing was filed.
    Unchanged { rows_read: usize, unchanged: usize },
    Filed {
        proposal: Box<Proposal>,
        rows_read: usize,
        unchanged: usize,
        /// Changes by kind (`add`, `amend`, …), in name order.
        kinds: Vec<(&'static str, usize)>,
    },
}

/// Reads a power-list file all or nothing and files the difference from the list as a
/// proposal or a publication. A file with any problem — or a change the store refuses —
/// files nothing, and every problem names its row and column.
pub async fn powers(
    store: &Store,
    file: PowersFile<'_>,
    filing: Filing<'_>,
    now: Timestamp,
    today: Date,
    progress: &mut (dyn FnMut(usize) + Send),
) -> AppResult<Imported> {
    let plan = plan(store, file.name, file.bytes, file.format, progress).await?;
    let (rows_read, unchanged) = (plan.rows_read, plan.unchanged);
    if plan.changes.is_empty() {
        return Ok(Imported::Unchanged {
            rows_read,
            unchanged,
        });
    }
    let mut kinds: Vec<_> = summary(&plan.changes).into_iter().collect();
    kinds.sort();
    let title = file.title.unwrap_or_else(|| format!("导入 {}", file.name));
    let effective = file.effective_from.unwrap_or(today);
    let (draft, origin, rows) = plan.into_draft(&title, file.reason, effective);
    let filed = match filing {
        Filing::Propose(user) => store.propose(draft, origin, user, now).await,
        Filing::Publish { by } => store.publish_import(draft, origin, by, now, today).await,
    };
    let proposal = filed.map_err(|e| locate(e, &rows))?;
    Ok(Imported::Filed {
        proposal: Box::new(proposal),
        rows_read,
        unchanged,
        kinds,
    })
}
