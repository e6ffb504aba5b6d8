//! Rows out of XLSX and CSV files, and finding the header in them.
//!
//! Real sheets start with a title row merged across the page (`富阳区市场监督管理局权责清单`),
//! sometimes a row of notes, then a header of one or two rows (a group heading such as
//! `责任事项` merged over `受理阶段 | 审查阶段 | …`), then data with blank rows and merged cells.
//! The header is the row among the first [`HEADER_SEARCH_ROWS`] whose cells name the most
//! known columns; a following row is a sub-header when it completes group headings.

use crate::ImportError;
use crate::columns::{Col, column_for, combine};
use calamine::{DataRef, Reader, Xlsx};
use std::io::Cursor;
use sunlight_core::{FieldError, zh_en};

pub const HEADER_SEARCH_ROWS: usize = 12;

/// One sheet row: its 1-based row number as the spreadsheet shows it, and its cells as text.
#[derive(Debug, Clone)]
pub struct RawRow {
    pub number: usize,
    pub cells: Vec<String>,
}

impl RawRow {
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.trim().is_empty())
    }
}

/// A merged range of cells, 0-based inclusive (row, col).
#[derive(Debug, Clone, Copy)]
pub struct Merge {
    pub start: (usize, usize),
    pub end: (usize, usize),
}

/// The columns found, and where the data begins.
#[derive(Debug, Clone)]
pub struct Header {
    pub columns: Vec<Option<Col>>,
    /// The heading of each column as the sheet spells it (for error messages).
    pub headings: Vec<String>,
    /// Row number of the last header row; data rows come after it.
    pub last_row: usize,
}

impl Header {
    pub fn index(&self, col: Col) -> Option<usize> {
        self.columns.iter().position(|c| *c == Some(col))
    }

    pub fn heading_of(&self, col: Col) -> String {
        self.index(col)
            .map(|i| self.headings[i].clone())
            .unwrap_or_else(|| crate::columns::heading(col).to_string())
    }
}

fn cell_text(d: &DataRef<'_>) -> String {
    match d {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        DataRef::Float(f) => f.to_string(),
        DataRef::String(s) => s.clone(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        DataRef::DateTime(dt) => dt.to_string(),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

/// Calls `sink` with every non-empty row of the first sheet that has a recognisable header
/// (and with `None` first if no sheet has one). Streams: the sheet is never held whole.
pub fn xlsx_rows(
    bytes: &[u8],
    mut sink: impl FnMut(RawRow, &[Merge]) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let bad = |e: calamine::XlsxError| {
        ImportError::file(zh_en!(
            "不是可读取的 .xlsx 工作簿：{e}",
            "not a readable .xlsx workbook: {e}"
        ))
    };
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(bad)?;
    let names = book.sheet_names();
    let mut chosen = None;
    for name in &names {
        let merges = sheet_merges(&mut book, name)?;
        let mut head = Vec::new();
        read_sheet(&mut book, name, |row| {
            head.push(row);
            head.len() < HEADER_SEARCH_ROWS
        })?;
        if find_header(&head, &merges).is_some() {
            chosen = Some((name.clone(), merges));
            break;
        }
    }
    let Some((name, merges)) = chosen else {
        return Err(ImportError::file(zh_en!(
            "工作簿中（{names}）没有一张表的表头包含权力清单的列名（职权名称、职权类型、实施主体等）",
            "no sheet of this workbook ({names}) has a header row naming the power list's columns (职权名称, 职权类型, 实施主体 …)",
            names = names.join(", "),
        )));
    };
    let mut failed = None;
    read_sheet(&mut book, &name, |row| match sink(row, &merges) {
        Ok(()) => true,
        Err(e) => {
            failed = Some(e);
            false
        }
    })?;
    failed.map_or(Ok(()), Err)
}

fn sheet_merges(book: &mut Xlsx<Cursor<&[u8]>>, name: &str) -> Result<Vec<Merge>, ImportError> {
    let dims = book.merge_cells_by_sheet_name(name).unwrap_or_default();
    Ok(dims
        .into_iter()
        .map(|d| Merge {
            start: (d.start.0 as usize, d.start.1 as usize),
            end: (d.end.0 as usize, d.end.1 as usize),
        })
        .collect())
}

/// Streams rows of one sheet to `each` until it answers false.
fn read_sheet(
    book: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    mut each: impl FnMut(RawRow) -> bool,
) -> Result<(), ImportError> {
    let mut reader = book.worksheet_cells_reader(name).map_err(|e| {
        ImportError::file(zh_en!(
            "无法读取工作表“{name}”：{e}",
            "sheet «{name}» cannot be read: {e}"
        ))
    })?;
    let mut current: Option<RawRow> = None;
    loop {
        let cell = reader
            .next_cell()
            .map_err(|e| ImportError::file(zh_en!("工作表“{name}”：{e}", "sheet «{name}»: {e}")))?;
        let Some(cell) = cell else { break };
        let (r, c) = cell.get_position();
        let (r, c) = (r as usize, c as usize);
        let text = cell_text(cell.get_value());
        if current.as_ref().is_some_and(|row| row.number != r + 1)
            && let Some(row) = current.take()
            && !each(row)
        {
            return Ok(());
        }
        let row = current.get_or_insert_with(|| RawRow {
            number: r + 1,
            cells: Vec::new(),
        });
        if text.is_empty() {
            continue;
        }
        if row.cells.len() <= c {
            row.cells.resize(c + 1, String::new());
        }
        row.cells[c] = text;
    }
    if let Some(row) = current {
        each(row);
    }
    Ok(())
}

/// Decodes CSV bytes (UTF-8 with or without BOM, or GB18030 as Excel writes it on Chinese
/// Windows) and calls `sink` with each row.
pub fn csv_rows(
    bytes: &[u8],
    mut sink: impl FnMut(RawRow, &[Merge]) -> Result<(), ImportError>,
) -> Result<(), ImportError> {
    let text: std::borrow::Cow<str> = match std::str::from_utf8(bytes) {
        Ok(s) => s.into(),
        Err(_) => {
            let (s, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(ImportError::file(zh_en!(
                    "CSV 文件既不是 UTF-8 也不是 GB18030 编码",
                    "the CSV is neither UTF-8 nor GB18030 text"
                )));
            }
            s
        }
    };
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize);
            let mut fe = FieldError::new("file", zh_en!("CSV 格式有误：{e}", "malformed CSV: {e}"));
            fe.line = line;
            ImportError {
                errors: vec![fe],
                rows_read: i,
            }
        })?;
        sink(
            RawRow {
                number: i + 1,
                cells: record.iter().map(str::to_string).collect(),
            },
            &[],
        )?;
    }
    Ok(())
}

/// Reads a cell's value through merged ranges: a merged cell's value is in its top-left cell.
fn merged_value(rows: &[RawRow], merges: &[Merge], row_number: usize, col: usize) -> String {
    let r0 = row_number - 1;
    let own = rows
        .iter()
        .find(|r| r.number == row_number)
        .and_then(|r| r.cells.get(col))
        .cloned()
        .unwrap_or_default();
    if !own.trim().is_empty() {
        return own;
    }
    for m in merges {
        if (m.start.0..=m.end.0).contains(&r0)
            && (m.start.1..=m.end.1).contains(&col)
            && (m.start != (r0, col))
        {
            return rows
                .iter()
                .find(|r| r.number == m.start.0 + 1)
                .and_then(|r| r.cells.get(m.start.1))
                .cloned()
                .unwrap_or_default();
        }
    }
    own
}

/// Finds the header among the first rows. `None` if no row names the name column and at
/// least one other known column.
pub fn find_header(rows: &[RawRow], merges: &[Merge]) -> Option<Header> {
    let width = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    let mut best: Option<(usize, usize)> = None; // (index in rows, score)
    for (i, row) in rows.iter().enumerate().take(HEADER_SEARCH_ROWS) {
        let cols: Vec<Option<Col>> = (0..width)
            .map(|c| column_for(&merged_value(rows, merges, row.number, c)))
            .collect();
        let has_name = cols
            .iter()
            .any(|c| matches!(c, Some(Col::Name) | Some(Col::SubName)));
        let score = cols.iter().filter(|c| c.is_some()).count();
        if has_name && score >= 2 && best.is_none_or(|(_, s)| score > s) {
            best = Some((i, score));
        }
    }
    let (i, _) = best?;
    let top = &rows[i];
    let mut top_cells: Vec<String> = (0..width)
        .map(|c| merged_value(rows, merges, top.number, c))
        .collect();
    // Without merge information (CSV), a blank heading right of a group heading continues it.
    if let Some(next) = rows.get(i + 1) {
        for c in 1..width {
            if top_cells[c].trim().is_empty()
                && next.cells.get(c).is_some_and(|s| !s.trim().is_empty())
            {
                top_cells[c] = top_cells[c - 1].clone();
            }
        }
    }
    let single: Vec<Option<Col>> = top_cells.iter().map(|t| column_for(t)).collect();
    // A sub-header row completes headings that do not stand alone, or splits a group.
    let sub = rows
        .get(i + 1)
        .filter(|next| next.number == top.number + 1)
        .and_then(|next| {
            let sub_cells: Vec<String> = (0..width)
                .map(|c| merged_value(rows, merges, next.number, c))
                .collect();
            let completes = (0..width)
                .filter(|&c| {
                    let s = sub_cells[c].trim();
                    !s.is_empty()
                        && s != top_cells[c].trim()
                        && (single[c].is_none()
                            || (c > 0 && top_cells[c] == top_cells[c - 1])
                            || top_cells.get(c + 1) == Some(&top_cells[c]))
                        && combine(&top_cells[c], s).is_some()
                })
                .count();
            (completes > 0).then_some(sub_cells)
        });
    let (columns, headings, last_row) = match &sub {
        Some(sub_cells) => {
            let mut cols = Vec::with_capacity(width);
            let mut heads = Vec::with_capacity(width);
            for c in 0..width {
                let s = sub_cells[c].trim();
                if !s.is_empty() && s != top_cells[c].trim() {
                    cols.push(combine(&top_cells[c], s));
                    heads.push(format!("{}/{}", top_cells[c].trim(), s));
                } else {
                    cols.push(single[c]);
                    heads.push(top_cells[c].trim().to_string());
                }
            }
            (cols, heads, top.number + 1)
        }
        None => (
            single,
            top_cells.iter().map(|t| t.trim().to_string()).collect(),
            top.number,
        ),
    };
    // The first column of a kind wins; later duplicates are ignored.
    let mut seen = std::collections::HashSet::new();
    let columns = columns
        .into_iter()
        .map(|c| c.filter(|c| seen.insert(*c)))
        .collect();
    Some(Header {
        columns,
        headings,
        last_row,
    })
}

/// Every row of every sheet of a small workbook (or of a CSV file, as one sheet named
/// `csv`), for files that are read whole (discretion benchmarks: hundreds of rows).
pub fn all_rows(
    bytes: &[u8],
    format: crate::Format,
) -> Result<Vec<(String, Vec<RawRow>)>, ImportError> {
    match format {
        crate::Format::Xlsx => {
            let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
                ImportError::file(zh_en!(
                    "不是可读取的 .xlsx 工作簿：{e}",
                    "not a readable .xlsx workbook: {e}"
                ))
            })?;
            let mut out = Vec::new();
            for name in book.sheet_names() {
                let mut rows = Vec::new();
                read_sheet(&mut book, &name, |row| {
                    rows.push(row);
                    true
                })?;
                out.push((name, rows));
            }
            Ok(out)
        }
        crate::Format::Csv => {
            let mut rows = Vec::new();
            csv_rows(bytes, |row, _| {
                rows.push(row);
                Ok(())
            })?;
            Ok(vec![("csv".into(), rows)])
        }
        crate::Format::Json => Err(ImportError::file(zh_en!(
            "JSON 格式的裁量基准直接读取，不按表格读取",
            "a JSON benchmark is read as it is, not as a sheet"
        ))),
    }
}
