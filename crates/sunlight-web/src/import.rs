//! Turning a power-list file into changes of the list: read it all or nothing, compare each
//! power with what the list holds, and propose (API) or publish (operator CLI) the difference.
//! Shared by `POST /api/imports/powers` and `sunlight import powers`.

use std::collections::HashMap;
use sunlight_core::lifecycle::{PowerChange, change_between};
use sunlight_core::review::{Origin, ProposalDraft};
use sunlight_core::{Date, FieldError};
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

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    File(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reads `bytes` and works out the changes against the list's latest versions.
pub async fn plan(
    store: &Store,
    file_name: &str,
    bytes: &[u8],
    format: Format,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<Plan, PlanError> {
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
pub fn locate(err: StoreError, rows: &[usize]) -> PlanError {
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
