//! Small helpers shared by the queries: placeholders, instants, JSON columns.

use crate::{Result, StoreError};
use sunlight_core::Timestamp;

/// How a statement marks its parameters. Short statements use `$N` on both backends (sqlx's
/// SQLite driver maps it to the N-th argument). Long generated ones must not on SQLite: binding
/// looks each `$N` up by name (`sqlite3_bind_parameter_name` walks a list), which makes a
/// 30,000-value insert quadratic — 26 s instead of a fraction of one for 20,000 powers. There,
/// plain `?` binds positionally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marks {
    Anonymous,
    Numbered,
}

impl Marks {
    pub fn of(conn: &sqlx::AnyConnection) -> Self {
        if conn.backend_name().eq_ignore_ascii_case("sqlite") {
            Self::Anonymous
        } else {
            Self::Numbered
        }
    }

    fn push(self, s: &mut String, n: usize) {
        match self {
            Self::Anonymous => s.push('?'),
            Self::Numbered => {
                s.push('$');
                s.push_str(&n.to_string());
            }
        }
    }
}

/// `(…), (…)` for a multi-row insert of `rows` rows of `cols` columns, the only parameters of
/// its statement.
pub fn values(marks: Marks, rows: usize, cols: usize) -> String {
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
            marks.push(&mut s, r * cols + c + 1);
        }
        s.push(')');
    }
    s
}

/// The `…` of `IN (…)` for `n` items, the only parameters of its statement.
pub fn list(marks: Marks, n: usize) -> String {
    let mut s = String::with_capacity(n * 5);
    for i in 1..=n {
        if i > 1 {
            s.push(',');
        }
        marks.push(&mut s, i);
    }
    s
}

/// `items` cut into runs whose lengths are powers of four (…, 64, 16, 4, 1; none longer than
/// [`batch_rows`]), each with its offset. A multi-row statement's text depends on its row count,
/// and the driver keeps prepared statements by text: with a handful of lengths the statements
/// of the write path are prepared once per connection instead of on almost every commit
/// (preparing was ~10% of `bench engine`'s instructions).
pub fn cached_chunks<T>(items: &[T], cols: usize) -> Vec<(usize, &[T])> {
    let max = batch_rows(cols);
    let mut size = 1;
    while size * 4 <= max {
        size *= 4;
    }
    let mut out = Vec::new();
    let mut at = 0;
    while at < items.len() {
        while size > 1 && items.len() - at < size {
            size /= 4;
        }
        out.push((at, &items[at..at + size]));
        at += size;
    }
    out
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

/// The rows of `{head} ({…keys…}){tail}`, the key list split into statements SQLite accepts.
/// `head` ends in `IN`; rows come chunk by chunk (each chunk in `tail`'s order).
pub async fn rows_in(
    conn: &mut sqlx::AnyConnection,
    head: &str,
    keys: &[&str],
    tail: &str,
) -> Result<Vec<sqlx::any::AnyRow>> {
    let marks = Marks::of(conn);
    let mut rows = Vec::new();
    for (_, chunk) in cached_chunks(keys, 1) {
        let mut q = sqlx::query(dynamic(format!(
            "{head} ({}){tail}",
            list(marks, chunk.len())
        )));
        for k in chunk {
            q = q.bind(*k);
        }
        rows.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_powers_of_four_in_order_and_cover_everything() {
        let items: Vec<usize> = (0..37).collect();
        let runs = cached_chunks(&items, 7);
        let sizes: Vec<usize> = runs.iter().map(|(_, c)| c.len()).collect();
        assert_eq!(sizes, [16, 16, 4, 1]);
        let flat: Vec<usize> = runs.iter().flat_map(|(_, c)| c.iter().copied()).collect();
        assert_eq!(flat, items);
        assert!(runs.iter().all(|(at, c)| items[*at] == c[0]));
        let big: Vec<u8> = vec![0; 10_000];
        assert!(
            cached_chunks(&big, 7)
                .iter()
                .all(|(_, c)| c.len() <= batch_rows(7))
        );
        assert!(cached_chunks::<u8>(&[], 3).is_empty());
    }
}
