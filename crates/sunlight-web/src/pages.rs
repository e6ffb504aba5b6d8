//! The pages people read. For now the power list at `/`; the full portal comes later.

use crate::SharedState;
use crate::api::powers::ListQuery;
use crate::error::ApiQuery;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use sunlight_core::PowerCategory;
use sunlight_store::PowerSummary;

#[derive(Template)]
#[template(path = "index.html")]
struct Index {
    q: String,
    category: String,
    categories: Vec<(&'static str, &'static str)>,
    total: i64,
    rows: Vec<Row>,
    next: Option<String>,
    error: Option<String>,
}

struct Row {
    code: String,
    name: String,
    category: &'static str,
    department: String,
    status: String,
    status_class: &'static str,
    usage: &'static str,
}

impl From<PowerSummary> for Row {
    fn from(p: PowerSummary) -> Self {
        Row {
            code: p.code,
            name: p.name,
            category: p.category.zh(),
            department: p.department_name.unwrap_or(p.department),
            status_class: p.status.as_str(),
            status: p.status.zh(),
            usage: p.usage.zh(),
        }
    }
}

pub async fn index(
    State(state): State<SharedState>,
    query: Result<ApiQuery<ListQuery>, crate::error::ApiError>,
) -> Response {
    let q = query.map(|ApiQuery(q)| q).unwrap_or_default();
    let (q_text, category) = (
        q.q.clone().unwrap_or_default(),
        q.category.clone().unwrap_or_default(),
    );
    let mut page = Index {
        q: q_text,
        category,
        categories: PowerCategory::ALL
            .iter()
            .map(|c| (c.as_str(), c.zh()))
            .collect(),
        total: 0,
        rows: Vec::new(),
        next: None,
        error: None,
    };
    let result = match q.into_filter() {
        Ok(filter) => state
            .store
            .list_powers(&filter)
            .await
            .map_err(crate::error::ApiError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(p) => {
            page.total = p.total;
            page.next = p.next;
            page.rows = p.items.into_iter().map(Row::from).collect();
        }
        Err(e) => page.error = Some(e.detail),
    }
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "power.html")]
struct PowerPage {
    code: String,
    name: String,
    category: &'static str,
    department: String,
    status: String,
    basis: Vec<String>,
    conditions: Vec<String>,
    materials: Vec<String>,
    statutory: String,
    committed: String,
    fees: String,
    place: String,
    phone: String,
    complaint: String,
    has_flow: bool,
}

/// One power's service guide with its flowchart and risk map.
pub async fn power(
    State(state): State<SharedState>,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> Response {
    let found = match state.store.power(&code, None).await {
        Ok(Some(v)) => v,
        Ok(None) => {
            return (
                StatusCode::NOT_FOUND,
                Html(format!(
                    "<p>权力事项 {} 不在清单中 · not in the list</p>",
                    askama::filters::escape(&code, askama::filters::Html)
                        .map(|e| e.to_string())
                        .unwrap_or_default()
                )),
            )
                .into_response();
        }
        Err(e) => return crate::error::ApiError::from(e).into_response(),
    };
    let p = found.power;
    let department = match state.store.department(&p.department).await {
        Ok(Some(d)) => d.name,
        _ => p.department.to_string(),
    };
    let g = &p.guide;
    let limit = |l: Option<sunlight_core::TimeLimit>| {
        l.map(|l| l.to_string()).unwrap_or_else(|| "—".into())
    };
    let page = PowerPage {
        code: p.code.to_string(),
        name: p.name.clone(),
        category: p.category.zh(),
        department,
        status: p.status.zh(),
        basis: p
            .legal_basis
            .iter()
            .map(|b| format!("{}{} {}", b.instrument, b.article, b.text))
            .collect(),
        conditions: g.conditions.clone(),
        materials: g
            .materials
            .iter()
            .map(|m| format!("{}（{}，{}份）", m.name, m.form.zh(), m.copies))
            .collect(),
        statutory: limit(g.statutory_limit),
        committed: limit(g.committed_limit),
        fees: if g.fees.is_empty() {
            "不收费".into()
        } else {
            g.fees
                .iter()
                .map(|f| format!("{}：{}", f.item, f.standard))
                .collect::<Vec<_>>()
                .join("；")
        },
        place: g.place.clone(),
        phone: g.phone.clone(),
        complaint: g.complaint_channel.clone(),
        has_flow: p.flow.is_some(),
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
