//! Small helpers shared by the queries: placeholders, instants, JSON columns.

use crate::{Result, StoreError};
use sunlight_core::Timestamp;

/// `($1, $2, …), (…)` for a multi-row insert of `rows` rows of `cols` columns. `$N` is
/// understood by both backends (sqlx's SQLite driver maps it to the N-th argument).
pub fn values(rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push(',');
            }
            s.push('$');
            s.push_str(&(r * cols + c + 1).to_string());
        }
        s.push(')');
    }
    s
}

/// `$start, $start+1, …` for an `IN (…)` list of `n` items.
pub fn list(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The largest batch of rows per statement: SQLite allows 32,766 bound values.
pub fn batch_rows(cols: usize) -> usize {
    (30_000 / cols).max(1)
}

pub fn millis(t: Timestamp) -> i64 {
    t.as_millisecond()
}

pub fn instant(ms: i64) -> Result<Timestamp> {
    Timestamp::from_millisecond(ms).map_err(|e| StoreError::Corrupt(format!("instant {ms}: {e}")))
}

pub fn json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

pub fn to_json<T: serde::Serialize>(v: &T) -> String {
    // Our types serialise infallibly (no maps with non-string keys, no failing impls).
    serde_json::to_string(v).unwrap_or_default()
}

pub fn date(text: &str) -> Result<sunlight_core::Date> {
    text.parse()
        .map_err(|e| StoreError::Corrupt(format!("date {text}: {e}")))
}

/// Marks a statement built at run time as safe. Every dynamic statement here is assembled from
/// constant fragments and `$N` placeholders only; values are always bound, never spliced in.
pub fn dynamic(statement: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(statement)
}
