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
