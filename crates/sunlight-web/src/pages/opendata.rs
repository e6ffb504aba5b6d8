//! Open data downloads (`/open-data/{list}.{csv|xlsx|json}`): the responsibility list, the
//! negative list and this year's figures by department, as tables with Chinese headings — the
//! way the government's own sheets look. (The power list itself is `/api/exports/powers.*`.)

use super::Visitor;
use crate::SharedState;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sunlight_core::Date;
use sunlight_store::{FigureQuery, GroupBy};

/// A table: headings and rows of text.
struct Table {
    title: &'static str,
    headings: &'static [&'static str],
    rows: Vec<Vec<String>>,
}

async fn responsibility(state: &SharedState) -> Result<Table, String> {
    let mut rows = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = state
            .store
            .current_powers_after(after.as_deref(), 2_000)
            .await
            .map_err(|e| e.to_string())?;
        let Some(last) = page.last() else { break };
        after = Some(last.code.to_string());
        for p in &page {
            for d in &p.responsibility.duties {
                rows.push(vec![
                    p.code.to_string(),
                    p.name.clone(),
                    "职责".into(),
                    d.phase.zh().to_string(),
                    d.text.clone(),
                    String::new(),
                ]);
            }
            for a in &p.responsibility.accountability {
                rows.push(vec![
                    p.code.to_string(),
                    p.name.clone(),
                    "追责情形".into(),
                    String::new(),
                    a.text.clone(),
                    a.basis.clone(),
                ]);
            }
        }
    }
    Ok(Table {
        title: "责任清单",
        headings: &["事项编码", "事项名称", "类型", "环节", "内容", "依据"],
        rows,
    })
}

async fn negative(state: &SharedState) -> Result<Table, String> {
    let items = state
        .store
        .negative_list()
        .await
        .map_err(|e| e.to_string())?;
    Ok(Table {
        title: "负面清单",
        headings: &["行业", "类别", "子类", "事项", "管理措施", "设立依据"],
        rows: items
            .into_iter()
            .map(|i| {
                vec![
                    i.industry,
                    i.category,
                    i.sub_category,
                    i.item,
                    i.measure.zh().to_string(),
                    i.basis,
                ]
            })
            .collect(),
    })
}

fn rate(x: Option<f64>) -> String {
    x.map(|x| format!("{:.1}%", x * 100.0)).unwrap_or_default()
}

fn days(x: Option<f64>) -> String {
    x.map(|x| format!("{x:.1}")).unwrap_or_default()
}

async fn figures(state: &SharedState) -> Result<Table, String> {
    let today = state.zone.date(state.clock.now());
    let from = Date::new(today.year(), 1, 1).map_err(|e| e.to_string())?;
    let to = today.tomorrow().map_err(|e| e.to_string())?;
    let figures = state
        .store
        .figures(
            &FigureQuery::period(from, to, GroupBy::Department),
            state.zone,
        )
        .await
        .map_err(|e| e.to_string())?;
    let names = state.search.names();
    Ok(Table {
        title: "办件统计",
        headings: &[
            "统计期间",
            "部门代码",
            "部门",
            "受理",
            "办结",
            "按时办结率",
            "提前办结率",
            "平均实际工作日",
            "平均承诺工作日",
            "平均法定工作日",
            "评价数",
            "满意率",
        ],
        rows: figures
            .into_iter()
            .map(|f| {
                vec![
                    format!("{from}至{today}"),
                    f.key.clone(),
                    names.department(&f.key).unwrap_or("").to_string(),
                    f.received.to_string(),
                    f.completed.to_string(),
                    rate(f.on_time_rate),
                    rate(f.early_rate),
                    days(f.avg_actual_days),
                    days(f.avg_committed_days),
                    days(f.avg_statutory_days),
                    f.ratings.to_string(),
                    rate(f.satisfied_rate),
                ]
            })
            .collect(),
    })
}

fn csv_bytes(t: &Table) -> Result<Vec<u8>, String> {
    // A byte-order mark so that spreadsheet programs read the Chinese as UTF-8.
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record(t.headings).map_err(|e| e.to_string())?;
        for r in &t.rows {
            w.write_record(r).map_err(|e| e.to_string())?;
        }
        w.flush().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

fn xlsx_bytes(t: &Table) -> Result<Vec<u8>, String> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(t.title).map_err(|e| e.to_string())?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in t.headings.iter().enumerate() {
        sheet
            .write_string_with_format(0, c as u16, *h, &bold)
            .map_err(|e| e.to_string())?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet
                .write_string(r as u32 + 1, c as u16, v)
                .map_err(|e| e.to_string())?;
        }
    }
    book.save_to_buffer().map_err(|e| e.to_string())
}

fn json_bytes(t: &Table) -> Result<Vec<u8>, String> {
    let rows: Vec<serde_json::Map<String, serde_json::Value>> = t
        .rows
        .iter()
        .map(|r| {
            t.headings
                .iter()
                .zip(r)
                .map(|(h, v)| (h.to_string(), serde_json::Value::String(v.clone())))
                .collect()
        })
        .collect();
    serde_json::to_vec_pretty(&serde_json::json!({"title": t.title, "rows": rows}))
        .map_err(|e| e.to_string())
}

/// `/open-data/{file}`: `responsibility`, `negative-list` or `figures`, as `.csv`, `.xlsx` or
/// `.json`.
pub async fn download(
    State(state): State<SharedState>,
    v: Visitor,
    Path(file): Path<String>,
) -> Response {
    let (name, ext) = file.rsplit_once('.').unwrap_or((file.as_str(), ""));
    let _ = state.search.ensure(&state.store).await;
    let table = match name {
        "responsibility" => responsibility(&state).await,
        "negative-list" => negative(&state).await,
        "figures" => figures(&state).await,
        _ => Err(String::new()),
    };
    let (bytes, kind) = match (table, ext) {
        (Ok(t), "csv") => (csv_bytes(&t), "text/csv; charset=utf-8"),
        (Ok(t), "xlsx") => (
            xlsx_bytes(&t),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (Ok(t), "json") => (json_bytes(&t), "application/json"),
        (Err(e), _) if !e.is_empty() => (Err(e), ""),
        _ => {
            return super::PageError::new(
                &v,
                crate::error::ApiError::not_found(sunlight_core::zh_en!(
                    "没有数据文件“{file}”：可下载 responsibility、negative-list 或 figures，格式为 .csv、.xlsx 或 .json",
                    "no file «{file}»: responsibility, negative-list or figures · .csv, .xlsx or .json"
                )),
            )
            .into_response();
        }
    };
    match bytes {
        Ok(b) => {
            let mut r = b.into_response();
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
            if let Ok(d) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
                h.insert(header::CONTENT_DISPOSITION, d);
            }
            r
        }
        Err(e) => super::PageError::new(
            &v,
            crate::error::ApiError::internal(format!("open data {file}: {e}")),
        )
        .into_response(),
    }
}
