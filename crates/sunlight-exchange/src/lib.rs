//! Power lists in and out of the files they travel in: XLSX, CSV and JSON.
//!
//! Reading is all or nothing: [`read_powers`] either answers every power of the file or an
//! [`ImportError`] listing every problem with its row and column heading. It does not touch
//! the store; the caller turns the powers into a proposal (or an import) in one transaction.
//! Writing ([`write_powers`]) uses headings and cell formats that read back to the same
//! powers, so export → import is lossless.

mod benchmark;
mod bpmn;
mod cells;
mod columns;
mod export;
mod parse;
mod sheet;

pub use benchmark::{parse_band, read_benchmark};
pub use bpmn::{from_bpmn, to_bpmn};
pub use export::write_powers;
pub use parse::Registry;

use std::collections::HashMap;
use sunlight_core::{FieldError, Power, Text, zh_en};

/// At most this many problems are listed; a file with more has a systematic problem.
pub const MAX_ERRORS: usize = 500;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
    Json,
}

impl Format {
    /// From a file name or extension (`list.xlsx`, `csv`).
    pub fn from_name(name: &str) -> Option<Self> {
        let ext = name.rsplit('.').next().unwrap_or(name).to_ascii_lowercase();
        match ext.as_str() {
            "xlsx" | "xlsm" => Some(Self::Xlsx),
            "csv" | "txt" => Some(Self::Csv),
            "json" => Some(Self::Json),
            _ => None,
        }
    }

    pub fn from_content_type(ct: &str) -> Option<Self> {
        let ct = ct.split(';').next().unwrap_or("").trim();
        match ct {
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => Some(Self::Xlsx),
            "text/csv" => Some(Self::Csv),
            "application/json" => Some(Self::Json),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Json => "application/json",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Xlsx => "xlsx",
            Self::Csv => "csv",
            Self::Json => "json",
        }
    }
}

/// Why a file was not imported: every problem found, located by row (sheets) or line.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{} problem(s) in the file; nothing was imported{}", .errors.len(), .errors.first().map(|e| format!(" (first: {e})")).unwrap_or_default())]
pub struct ImportError {
    pub errors: Vec<FieldError>,
    pub rows_read: usize,
}

impl ImportError {
    pub fn file(message: Text) -> Self {
        Self {
            errors: vec![FieldError::new("file", message)],
            rows_read: 0,
        }
    }
}

/// The powers of a file, each with the row (or array index, 1-based) it came from.
#[derive(Debug)]
pub struct Imported {
    pub powers: Vec<Power>,
    pub rows: Vec<usize>,
    pub rows_read: usize,
}

/// Reads every power of a file. `progress` is told the number of data rows read so far,
/// every 1,000 rows and at the end.
pub fn read_powers(
    bytes: &[u8],
    format: Format,
    registry: &mut Registry,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<Imported, ImportError> {
    match format {
        Format::Json => read_json(bytes, progress),
        Format::Xlsx | Format::Csv => read_sheet(bytes, format, registry, progress),
    }
}

fn read_json(
    bytes: &[u8],
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<Imported, ImportError> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Doc {
        List(Vec<serde_json::Value>),
        Wrapped { powers: Vec<serde_json::Value> },
    }
    let doc: Doc = serde_json::from_slice(bytes).map_err(|e| {
        let mut fe = FieldError::new(
            "file",
            zh_en!(
                "不是权力事项的 JSON 列表：{e}",
                "not a JSON list of powers: {e}"
            ),
        );
        fe.line = Some(e.line());
        ImportError {
            errors: vec![fe],
            rows_read: 0,
        }
    })?;
    let values = match doc {
        Doc::List(v) | Doc::Wrapped { powers: v } => v,
    };
    let mut powers = Vec::with_capacity(values.len());
    let mut errors = Vec::new();
    let n = values.len();
    for (i, v) in values.into_iter().enumerate() {
        let field = format!("powers[{i}]");
        match serde_json::from_value::<Power>(v)
            .map_err(|e| vec![FieldError::new(&field, zh_en!("无法读取：{e}", "{e}"))])
            .and_then(|p| {
                p.validated().map_err(|e| {
                    e.field_errors()
                        .iter()
                        .map(|fe| fe.clone().within(&field))
                        .collect()
                })
            }) {
            Ok(p) => powers.push(p),
            Err(es) => errors.extend(es),
        }
        if (i + 1) % 1000 == 0 {
            progress(i + 1);
        }
    }
    progress(n);
    check_duplicates(
        powers.iter().map(|p| p.code.as_str()),
        &(1..=n).collect::<Vec<_>>(),
        &mut errors,
        "powers[{}].code",
    );
    if errors.is_empty() {
        Ok(Imported {
            rows: (1..=powers.len()).collect(),
            powers,
            rows_read: n,
        })
    } else {
        errors.truncate(MAX_ERRORS);
        Err(ImportError {
            errors,
            rows_read: n,
        })
    }
}

fn check_duplicates<'a>(
    codes: impl Iterator<Item = &'a str>,
    rows: &[usize],
    errors: &mut Vec<FieldError>,
    json_field: &str,
) {
    let mut first: HashMap<&str, usize> = HashMap::new();
    for (i, code) in codes.enumerate() {
        if let Some(&prev) = first.get(code) {
            let msg = zh_en!(
                "编码 {code} 与第 {prev} 行重复",
                "code {code} is also used on row {prev}"
            );
            let fe = if json_field.contains("{}") {
                FieldError::new(json_field.replace("{}", &(rows[i] - 1).to_string()), msg)
            } else {
                FieldError::new(json_field, msg).at_row(rows[i])
            };
            errors.push(fe);
        } else {
            first.insert(code, rows[i]);
        }
    }
}

fn read_sheet(
    bytes: &[u8],
    format: Format,
    registry: &mut Registry,
    progress: &mut (dyn FnMut(usize) + Send),
) -> Result<Imported, ImportError> {
    let mut reader = SheetReader {
        head: Vec::new(),
        merges: Vec::new(),
        parser: None,
        registry: Some(std::mem::take(registry)),
        powers: Vec::new(),
        rows: Vec::new(),
        errors: Vec::new(),
        data_rows: 0,
        progress,
    };
    let outcome = match format {
        Format::Xlsx => sheet::xlsx_rows(bytes, |row, merges| reader.push(row, merges)),
        _ => sheet::csv_rows(bytes, |row, merges| reader.push(row, merges)),
    };
    let result = outcome.and_then(|()| reader.finish());
    // Hand the registry back, with the generated-code sequences it advanced.
    if let Some(r) = reader
        .registry
        .take()
        .or_else(|| reader.parser.take().map(parse::RowParser::into_registry))
    {
        *registry = r;
    }
    result
}

/// Rows are buffered until the header is found, then parsed as they stream by.
struct SheetReader<'p> {
    head: Vec<sheet::RawRow>,
    merges: Vec<sheet::Merge>,
    parser: Option<parse::RowParser>,
    registry: Option<Registry>,
    powers: Vec<Power>,
    rows: Vec<usize>,
    errors: Vec<FieldError>,
    data_rows: usize,
    progress: &'p mut (dyn FnMut(usize) + Send),
}

impl SheetReader<'_> {
    fn push(&mut self, row: sheet::RawRow, merges: &[sheet::Merge]) -> Result<(), ImportError> {
        if self.parser.is_some() {
            self.parse(row);
            return Ok(());
        }
        if self.merges.is_empty() && !merges.is_empty() {
            self.merges = merges.to_vec();
        }
        self.head.push(row);
        if self.head.len() >= sheet::HEADER_SEARCH_ROWS {
            self.start()?;
        }
        Ok(())
    }

    /// Finds the header in the buffered rows and parses the rows after it.
    fn start(&mut self) -> Result<(), ImportError> {
        let header = sheet::find_header(&self.head, &self.merges).ok_or_else(|| {
            ImportError::file(zh_en!(
                "前若干行中没有包含权力清单列名（职权名称、职权类型、实施主体等）的表头",
                "no header row naming the power list's columns (职权名称, 职权类型, 实施主体 …) in the first rows"
            ))
        })?;
        let parser = parse::RowParser::new(header, self.registry.take().unwrap_or_default());
        let missing = parser.missing_columns();
        if !missing.is_empty() {
            return Err(ImportError {
                errors: missing,
                rows_read: 0,
            });
        }
        self.parser = Some(parser);
        for row in std::mem::take(&mut self.head) {
            self.parse(row);
        }
        Ok(())
    }

    fn parse(&mut self, row: sheet::RawRow) {
        let Some(p) = self.parser.as_mut() else {
            return;
        };
        if row.number <= p.header.last_row || row.is_blank() || p.is_note(&row) {
            return;
        }
        self.data_rows += 1;
        if self.data_rows.is_multiple_of(1000) {
            (self.progress)(self.data_rows);
        }
        match p.parse(&row) {
            Ok(parsed) => {
                for item in parsed {
                    self.rows.push(item.row);
                    self.powers.push(item.power);
                }
            }
            Err(es) => {
                if self.errors.len() < MAX_ERRORS {
                    self.errors.extend(es);
                }
            }
        }
    }

    fn finish(&mut self) -> Result<Imported, ImportError> {
        if self.parser.is_none() {
            self.start()?;
        }
        (self.progress)(self.data_rows);
        let mut errors = std::mem::take(&mut self.errors);
        check_duplicates(
            self.powers.iter().map(|p| p.code.as_str()),
            &self.rows,
            &mut errors,
            "code",
        );
        if self.data_rows == 0 && errors.is_empty() {
            errors.push(FieldError::new(
                "file",
                zh_en!(
                    "表格只有表头，没有数据行",
                    "the sheet has a header but no data rows"
                ),
            ));
        }
        if errors.is_empty() {
            Ok(Imported {
                powers: std::mem::take(&mut self.powers),
                rows: std::mem::take(&mut self.rows),
                rows_read: self.data_rows,
            })
        } else {
            errors.truncate(MAX_ERRORS);
            Err(ImportError {
                errors,
                rows_read: self.data_rows,
            })
        }
    }
}
