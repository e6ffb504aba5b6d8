//! The public portal: home, the searchable power list, each power's service guide, applying
//! online, following a case by receipt number and query code, rating it, open data.

use super::{
    Lang, PageError, Posted, SignedCookie, Uploaded, Visitor, refusal, refusal_text, render,
};
use crate::SharedState;
use crate::auth::Guess;
use crate::error::ApiError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sunlight_core::case::{
    Actor, Applicant, CaseCommand, Channel, Rating, RatingReason, ReceiptNumber, Submission,
};
use sunlight_core::{Date, PowerCategory, PowerStatus, zh_en};
use sunlight_search::SearchQuery;
use sunlight_store::{FigureQuery, GroupBy};

/// A category's label in the page's language.
pub(crate) fn category_label(lang: Lang, code: &str) -> String {
    let zh = PowerCategory::ALL
        .iter()
        .find(|c| c.as_str() == code)
        .map(|c| c.zh())
        .unwrap_or(code);
    match lang {
        Lang::Zh => zh.to_string(),
        Lang::En => match code {
            "licensing" => "Licensing",
            "penalty" => "Penalty",
            "enforcement" => "Coercive measure",
            "levy" => "Levy",
            "benefit" => "Benefit payment",
            "inspection" => "Inspection",
            "confirmation" => "Confirmation",
            "reward" => "Reward",
            "adjudication" => "Adjudication",
            "other" => "Other power",
            "public_service" => "Public service",
            other => other,
        }
        .to_string(),
    }
}

fn status_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "active" => lang.t("有效", "In force"),
        "strictly_controlled" => lang.t("严管", "Strictly controlled"),
        "cancelled" => lang.t("已取消", "Cancelled"),
        "delegated" => lang.t("已下放", "Delegated"),
        "merged" => lang.t("已合并", "Merged"),
        _ => "",
    }
}

fn usage_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "uncommon" => lang.t("非常用（一事一审）", "Uncommon (per-use approval)"),
        _ => lang.t("常用", "Common"),
    }
}

fn percent(x: Option<f64>) -> String {
    x.map(|x| format!("{:.1}%", x * 100.0))
        .unwrap_or_else(|| "—".into())
}

// ---------------------------------------------------------------------------------------------
// Home

#[derive(Template)]
#[template(path = "home.html")]
struct Home<'a> {
    v: &'a Visitor,
    categories: Vec<(&'static str, String)>,
    departments: Vec<(String, String)>,
    powers: u64,
    cases_month: i64,
    on_time: String,
    satisfied: String,
    reduction: String,
}

pub async fn home(State(state): State<SharedState>, v: Visitor) -> Response {
    if let Err(e) = state.search.ensure(&state.store).await {
        tracing::warn!(error = %e, "search index");
    }
    let today = state.zone.date(state.clock.now());
    let (from, to) = (super::month_start(today, 0), super::month_start(today, -1));
    let figures = state
        .store
        .figures(&FigureQuery::period(from, to, GroupBy::Region), state.zone)
        .await
        .unwrap_or_default();
    let sum = |f: fn(&sunlight_store::Figures) -> i64| figures.iter().map(f).sum::<i64>();
    let (received, completed, on_time) = (
        sum(|f| f.received),
        sum(|f| f.completed),
        sum(|f| f.completed_on_time),
    );
    let ratings = sum(|f| f.ratings);
    let satisfied: f64 = figures
        .iter()
        .map(|f| f.satisfied_rate.unwrap_or(0.0) * f.ratings as f64)
        .sum();
    let limits = state.store.list_limits().await.unwrap_or_default();
    let departments = state.search.names().departments.clone();
    let page = Home {
        v: &v,
        categories: PowerCategory::ALL
            .iter()
            .map(|c| (c.as_str(), category_label(v.lang, c.as_str())))
            .collect(),
        departments,
        powers: state.search.index().len(),
        cases_month: received,
        on_time: percent((completed > 0).then(|| on_time as f64 / completed as f64)),
        satisfied: percent((ratings > 0).then(|| satisfied / ratings as f64)),
        reduction: percent(limits.reduction),
    };
    render(&v, StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------------------------
// The power list

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    region: String,
    #[serde(default)]
    department: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    usage: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: Option<usize>,
}

struct PowerRow {
    code: String,
    /// The region holding it, by name (every hit says where it applies).
    region: String,
    name: String,
    category: String,
    department: String,
    usage: &'static str,
    status: &'static str,
    status_class: String,
    moved_to: String,
}

#[derive(Template)]
#[template(path = "powers.html")]
struct PowersPage<'a> {
    v: &'a Visitor,
    p: ListParams,
    categories: Vec<(&'static str, String)>,
    departments: Vec<(String, String)>,
    regions: Vec<(String, String)>,
    total: usize,
    rows: Vec<PowerRow>,
    page: usize,
    pages: usize,
    error: Option<String>,
    prev: Option<String>,
    next: Option<String>,
}

const PAGE_SIZE: usize = 20;

fn some(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

impl ListParams {
    fn link(&self, page: usize) -> String {
        let mut s = format!("/powers?page={page}");
        for (k, v) in [
            ("q", &self.q),
            ("region", &self.region),
            ("department", &self.department),
            ("category", &self.category),
            ("usage", &self.usage),
            ("status", &self.status),
        ] {
            if !v.trim().is_empty() {
                s.push_str(&format!("&{k}={}", super::urlencode(v.trim())));
            }
        }
        s
    }
}

pub async fn powers(
    State(state): State<SharedState>,
    v: Visitor,
    params: Result<Query<ListParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let p = params.map(|Query(p)| p).unwrap_or_default();
    let mut error = None;
    let unavailable = || {
        v.t(
            "检索暂时不可用，请稍后再试。",
            "Search is not available right now; try again later.",
        )
        .to_string()
    };
    if let Err(e) = state.search.ensure(&state.store).await {
        tracing::warn!(error = %e, "search index");
        error = Some(unavailable());
    }
    let page = p.page.unwrap_or(1).clamp(1, 10_000);
    let q = SearchQuery {
        text: p.q.chars().take(100).collect(),
        region: some(&p.region),
        department: some(&p.department),
        category: some(&p.category),
        usage: some(&p.usage),
        status: some(&p.status),
        offset: (page - 1) * PAGE_SIZE,
        limit: PAGE_SIZE,
    };
    let hits = match state.search.index().search(&q) {
        Ok(h) => h,
        Err(e) => {
            tracing::warn!(error = %e, "search");
            error = Some(unavailable());
            Default::default()
        }
    };
    let names = state.search.names();
    let region_name = |code: &str| {
        names
            .regions
            .iter()
            .find(|(c, _)| c == code)
            .map(|(_, n)| n.clone())
            .unwrap_or_else(|| code.to_string())
    };
    let rows = hits
        .items
        .into_iter()
        .map(|h| {
            let d = h.doc;
            PowerRow {
                region: region_name(&d.region),
                category: category_label(v.lang, &d.category),
                usage: usage_label(v.lang, &d.usage),
                status: status_label(v.lang, &d.status),
                status_class: d.status.clone(),
                code: d.code,
                name: d.name,
                department: d.department_name,
                moved_to: d.moved_to,
            }
        })
        .collect();
    let pages = hits.total.div_ceil(PAGE_SIZE).max(1);
    let (departments, regions) = (names.departments.clone(), names.regions.clone());
    let page_view = PowersPage {
        v: &v,
        categories: PowerCategory::ALL
            .iter()
            .map(|c| (c.as_str(), category_label(v.lang, c.as_str())))
            .collect(),
        departments,
        regions,
        total: hits.total,
        rows,
        page,
        pages,
        error,
        prev: (page > 1).then(|| p.link(page - 1)),
        next: (page < pages).then(|| p.link(page + 1)),
        p,
    };
    render(&v, StatusCode::OK, &page_view)
}

// ---------------------------------------------------------------------------------------------
// One power

#[derive(Template)]
#[template(path = "power.html")]
struct PowerPage<'a> {
    v: &'a Visitor,
    code: String,
    name: String,
    category: String,
    department: String,
    status: String,
    status_class: &'static str,
    moved: Option<String>,
    usage: &'static str,
    basis: Vec<(String, String)>,
    conditions: Vec<String>,
    quantity: String,
    procedure: Vec<String>,
    materials: Vec<(String, String)>,
    statutory: String,
    committed: String,
    fees: Vec<String>,
    place: String,
    hours: String,
    phone: String,
    complaint: String,
    /// 即办件 / 承诺件
    case_type: &'static str,
    /// 办理对象, 到办事现场次数, 是否网办 in words ("" when the guide does not say).
    targets: String,
    visits: String,
    online: String,
    /// 中介服务: (name, basis).
    intermediaries: Vec<(String, String)>,
    /// 常见问题: (question, answer).
    faq: Vec<(String, String)>,
    has_flow: bool,
    can_apply: bool,
    duties: Vec<(String, String)>,
    accountability: Vec<(String, String)>,
    history: Vec<(i64, String, String, String)>,
    stats: Option<sunlight_store::Figures>,
    stats_year: i16,
    on_time: String,
    satisfied: String,
}

pub async fn power(
    State(state): State<SharedState>,
    v: Visitor,
    Path(code): Path<String>,
) -> Response {
    let p = match super::listed_power(&state, &v, &code).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let department = match state.store.department(&p.department).await {
        Ok(Some(d)) => d.name,
        _ => p.department.to_string(),
    };
    let today = state.zone.date(state.clock.now());
    let year = today.year();
    let stats = state
        .store
        .figures(
            &FigureQuery {
                power: Some(p.code.to_string()),
                ..FigureQuery::period(
                    Date::new(year, 1, 1).unwrap_or(today),
                    Date::new(year + 1, 1, 1).unwrap_or(today),
                    GroupBy::Power,
                )
            },
            state.zone,
        )
        .await
        .ok()
        .and_then(|f| f.into_iter().next());
    let history = state
        .store
        .power_history(p.code.as_str())
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            (
                m.version,
                m.effective_from.to_string(),
                match v.lang {
                    Lang::Zh => m.change.zh().to_string(),
                    Lang::En => m.change.as_str().replace('_', " "),
                },
                m.reason,
            )
        })
        .collect();
    let g = &p.guide;
    let limit = |l: Option<sunlight_core::TimeLimit>| {
        l.map(|l| l.to_string()).unwrap_or_else(|| "—".into())
    };
    let moved = match &p.status {
        PowerStatus::Active | PowerStatus::StrictlyControlled => None,
        s => Some(s.zh()),
    };
    let page = PowerPage {
        v: &v,
        code: p.code.to_string(),
        name: p.name.clone(),
        category: category_label(v.lang, p.category.as_str()),
        department,
        status: status_label(v.lang, p.status.as_str()).to_string(),
        status_class: p.status.as_str(),
        can_apply: moved.is_none() && p.flow.is_some() && p.category.applied_for(),
        moved,
        usage: usage_label(v.lang, p.usage.as_str()),
        basis: p
            .legal_basis
            .iter()
            .map(|b| (format!("{}{}", b.instrument, b.article), b.text.clone()))
            .collect(),
        conditions: g.conditions.clone(),
        quantity: g.quantity_limit.clone(),
        procedure: g.procedure.clone(),
        materials: g
            .materials
            .iter()
            .map(|m| {
                (
                    m.name.clone(),
                    format!(
                        "{}{}，{}{}",
                        if m.required {
                            "必要，"
                        } else {
                            "非必要，"
                        },
                        m.form.zh(),
                        m.copies,
                        "份"
                    ),
                )
            })
            .collect(),
        statutory: limit(g.statutory_limit),
        committed: limit(g.committed_limit),
        fees: g
            .fees
            .iter()
            .map(|f| format!("{}：{}（{}）", f.item, f.standard, f.basis))
            .collect(),
        place: g.place.clone(),
        hours: g.hours.clone(),
        phone: g.phone.clone(),
        complaint: g.complaint_channel.clone(),
        case_type: match g.case_type {
            sunlight_core::CaseType::Immediate => v.t("即办件", "done on the spot"),
            sunlight_core::CaseType::Committed => v.t("承诺件", "done within the committed time"),
        },
        targets: g
            .targets
            .iter()
            .map(|t| v.t(t.zh(), t.en()))
            .collect::<Vec<_>>()
            .join(v.t("、", ", ")),
        visits: match g.visits {
            None => String::new(),
            Some(0) => v.t("0 次（零跑动）", "none (entirely online)").into(),
            Some(n) => match v.lang {
                sunlight_core::Lang::Zh => format!("最多 {n} 次"),
                sunlight_core::Lang::En => format!("at most {n}"),
            },
        },
        online: match g.online {
            None => String::new(),
            Some(true) => v.t("是（可全程网上办理）", "yes, entirely online").into(),
            Some(false) => v.t("否", "no").into(),
        },
        intermediaries: g
            .intermediaries
            .iter()
            .map(|m| (m.name.clone(), m.basis.clone()))
            .collect(),
        faq: g
            .faq
            .iter()
            .map(|f| (f.question.clone(), f.answer.clone()))
            .collect(),
        has_flow: p.flow.is_some(),
        duties: p
            .responsibility
            .duties
            .iter()
            .map(|d| (d.phase.zh().to_string(), d.text.clone()))
            .collect(),
        accountability: p
            .responsibility
            .accountability
            .iter()
            .map(|a| (a.text.clone(), a.basis.clone()))
            .collect(),
        history,
        on_time: percent(stats.as_ref().and_then(|s| s.on_time_rate)),
        satisfied: percent(stats.as_ref().and_then(|s| s.satisfied_rate)),
        stats,
        stats_year: year,
    };
    render(&v, StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------------------------
// Open data

#[derive(Template)]
#[template(path = "open.html")]
struct OpenData<'a> {
    v: &'a Visitor,
    checkpoint: Option<(u64, String, String, String)>,
}

pub async fn open_data(State(state): State<SharedState>, v: Visitor) -> Response {
    let checkpoint = state
        .store
        .latest_checkpoint()
        .await
        .ok()
        .flatten()
        .map(|c| {
            let at = sunlight_core::Timestamp::from_millisecond(c.timestamp_ms)
                .map(|t| state.zone.format(t))
                .unwrap_or_default();
            (c.size, c.root, at, c.key)
        });
    render(&v, StatusCode::OK, &OpenData { v: &v, checkpoint })
}

mod apply;
mod complaints;
mod mine;
mod verify;

pub use apply::*;
pub use complaints::*;
pub use mine::*;
pub use verify::*;
