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

/// What a column of a [`JsonRows`] set holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Int,
    Text,
    /// Bytes, carried as lowercase hex.
    Bytes,
}

/// One value of a [`JsonRows`] row.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Int(i64),
    Text(&'a str),
    Bytes(&'a [u8]),
    Null,
}

impl<'a> Cell<'a> {
    pub fn opt_int(v: Option<i64>) -> Self {
        v.map_or(Self::Null, Self::Int)
    }

    pub fn opt_text(v: Option<&'a str>) -> Self {
        v.map_or(Self::Null, Self::Text)
    }
}

/// Many rows handed to one statement as one bound parameter: a JSON array with an array per
/// row, which the statement unpacks with [`from_json`]. The write path's inserts go this way:
/// one statement per table and commit, whatever the row count, so the statement is prepared
/// once per connection and every commit costs the same few round trips to the database (each
/// is a thread hop on SQLite and a network round trip on PostgreSQL; with a statement per
/// run of rows, the hops cost the engine more than the writing did).
#[derive(Debug, Default)]
pub struct JsonRows {
    text: Vec<u8>,
    rows: usize,
}

impl JsonRows {
    pub fn push(&mut self, cells: &[Cell<'_>]) {
        self.text.push(if self.rows == 0 { b'[' } else { b',' });
        self.text.push(b'[');
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                self.text.push(b',');
            }
            match c {
                Cell::Int(n) => {
                    use std::io::Write;
                    // Writing to a Vec cannot fail.
                    let _ = write!(self.text, "{n}");
                }
                // Writing to a Vec cannot fail, and a &str always serialises.
                Cell::Text(t) => serde_json::to_writer(&mut self.text, t).expect("a string"),
                Cell::Bytes(b) => {
                    self.text.push(b'"');
                    self.text.extend_from_slice(hex::encode(b).as_bytes());
                    self.text.push(b'"');
                }
                Cell::Null => self.text.extend_from_slice(b"null"),
            }
        }
        self.text.push(b']');
        self.rows += 1;
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The JSON text to bind.
    pub fn finish(mut self) -> String {
        if self.rows == 0 {
            self.text.push(b'[');
        }
        self.text.push(b']');
        // Only serde_json's string escaping, digits, hex and ASCII punctuation went in.
        String::from_utf8(self.text).expect("JSON text is UTF-8")
    }
}

/// `SELECT <one expression per named column> FROM <the rows of the JSON bound as the statement's
/// only parameter> WHERE true`, for `INSERT INTO t (…) {from_json}` (the `WHERE` keeps
/// SQLite's parser from reading a following `ON CONFLICT` as a join constraint). `marks` tells
/// the backend: SQLite's `json_each`, PostgreSQL's `json_array_elements`.
pub fn from_json(marks: Marks, cols: &[(&str, Col)]) -> String {
    use std::fmt::Write;
    let mut s = String::from("SELECT ");
    for (i, (name, c)) in cols.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        let _ = match (marks, c) {
            (Marks::Anonymous, Col::Int | Col::Text) => write!(s, "value ->> {i}"),
            (Marks::Anonymous, Col::Bytes) => write!(s, "unhex(value ->> {i})"),
            (Marks::Numbered, Col::Int) => write!(s, "(value ->> {i})::bigint"),
            (Marks::Numbered, Col::Text) => write!(s, "value ->> {i}"),
            (Marks::Numbered, Col::Bytes) => write!(s, "decode(value ->> {i}, 'hex')"),
        };
        let _ = write!(s, " AS {name}");
    }
    s.push_str(match marks {
        Marks::Anonymous => " FROM jsonb_each(?) WHERE true",
        Marks::Numbered => " FROM json_array_elements($1::json) AS j(value) WHERE true",
    });
    s
}

/// `INSERT INTO {table} (…names…) SELECT … FROM <the bound JSON rows> WHERE true`.
pub fn insert_json(marks: Marks, table: &str, cols: &[(&str, Col)]) -> String {
    let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    format!(
        "INSERT INTO {table} ({}) {}",
        names.join(", "),
        from_json(marks, cols)
    )
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

/// `%q%` for `LIKE … ESCAPE '\\'`: the text's own `%`, `_` and `\\` match themselves.
pub fn like_contains(q: &str) -> String {
    let escaped = q
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
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
