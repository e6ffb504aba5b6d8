//! The power list in force, written out as a file (`GET /api/exports/powers.xlsx`,
//! `sunlight export powers`).

use crate::{AppError, AppResult};
use std::collections::HashMap;
use sunlight_core::CreditCode;
use sunlight_exchange::Format;
use sunlight_store::Store;

/// Powers read from the store per page while exporting.
const PAGE: u32 = 2_000;

/// Streams the list out of the store in pages and writes it in `format`, each power with its
/// department's name.
pub async fn powers(store: &Store, format: Format) -> AppResult<Vec<u8>> {
    let names: HashMap<String, String> = store
        .departments()
        .await?
        .into_iter()
        .map(|d| (d.credit_code.to_string(), d.name))
        .collect();
    let mut powers = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let chunk = store.current_powers_after(after.as_deref(), PAGE).await?;
        let Some(last) = chunk.last() else { break };
        after = Some(last.code.to_string());
        powers.extend(chunk);
    }
    let name_of = |c: &CreditCode| names.get(c.as_str()).cloned();
    sunlight_exchange::write_powers(&powers, format, &name_of).map_err(AppError::Internal)
}
