//! The public portal: home, the searchable power list, each power's service guide, applying
//! online, following a case by receipt number and query code, rating it, open data.

use super::{Lang, PageError, Posted, Visitor, refusal, refusal_text, render};
use crate::SharedState;
use crate::auth::Guess;
use crate::error::ApiError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sunlight_core::case::{
    Actor, Applicant, CaseCommand, Channel, Rating, ReceiptNumber, Submission,
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
    words: Vec<String>,
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
    let rows = hits
        .items
        .into_iter()
        .map(|h| {
            let d = h.doc;
            PowerRow {
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
    let names = state.search.names();
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
        words: hits.words,
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
                format!("{:?}", m.change).to_lowercase(),
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
// Applying online

#[derive(Template)]
#[template(path = "apply.html")]
struct ApplyPage<'a> {
    v: &'a Visitor,
    code: String,
    name: String,
    materials: Vec<(String, bool, bool)>,
    kind: String,
    f: ApplyFields,
    idem: String,
    errors: Vec<String>,
}

#[derive(Debug, Default, Clone)]
struct ApplyFields {
    name: String,
    id_number: String,
    credit_code: String,
    representative: String,
    phone: String,
    note: String,
}

#[derive(Template)]
#[template(path = "applied.html")]
struct Applied<'a> {
    v: &'a Visitor,
    receipt: String,
    query_code: String,
    power: String,
}

pub async fn apply_form(
    State(state): State<SharedState>,
    v: Visitor,
    Path(code): Path<String>,
) -> Response {
    let p = match super::listed_power(&state, &v, &code).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let page = ApplyPage {
        v: &v,
        code: p.code.to_string(),
        name: p.name.clone(),
        materials: p
            .guide
            .materials
            .iter()
            .map(|m| (m.name.clone(), m.required, false))
            .collect(),
        kind: "person".into(),
        f: ApplyFields::default(),
        idem: super::random_hex(16),
        errors: Vec::new(),
    };
    render(&v, StatusCode::OK, &page)
}

pub async fn apply(
    State(state): State<SharedState>,
    Path(code): Path<String>,
    Posted { v, form }: Posted,
) -> Response {
    let p = match super::listed_power(&state, &v, &code).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let kind = if form.get("kind") == "organisation" {
        "organisation"
    } else {
        "person"
    };
    let f = ApplyFields {
        name: form.get("name").to_string(),
        id_number: form.get("id_number").to_uppercase(),
        credit_code: form.get("credit_code").to_uppercase(),
        representative: form.get("representative").to_string(),
        phone: form.get("phone").to_string(),
        note: form.get("note").to_string(),
    };
    let applicant = if kind == "organisation" {
        Applicant::Organisation {
            name: f.name.clone(),
            credit_code: f.credit_code.clone(),
            representative: f.representative.clone(),
            phone: f.phone.clone(),
        }
    } else {
        Applicant::Person {
            name: f.name.clone(),
            id_number: f.id_number.clone(),
            phone: f.phone.clone(),
        }
    };
    let materials = form.all("materials");
    let idem = form.get("idem").to_string();
    let sub = Submission {
        power: p.code.to_string(),
        region: None,
        applicant,
        form: serde_json::json!({ "note": f.note }),
        materials: materials.clone(),
    };
    let key = (!idem.is_empty()).then(|| format!("online-form:{idem}"));
    match state
        .engine
        .submit(sub, Channel::Online, Actor::Applicant, key)
        .await
    {
        Ok(ack) => render(
            &v,
            StatusCode::CREATED,
            &Applied {
                v: &v,
                receipt: ack.receipt.to_string(),
                // A retried form gets the first answer without the code again.
                query_code: ack.query_code.unwrap_or_default(),
                power: p.name.clone(),
            },
        ),
        Err(e) => {
            let (status, errors) = match refusal(&v, e) {
                Ok(x) => x,
                Err(page) => return page,
            };
            let page = ApplyPage {
                v: &v,
                code: p.code.to_string(),
                name: p.name.clone(),
                materials: p
                    .guide
                    .materials
                    .iter()
                    .map(|m| (m.name.clone(), m.required, materials.contains(&m.name)))
                    .collect(),
                kind: kind.into(),
                f,
                idem: super::random_hex(16),
                errors,
            };
            render(&v, status, &page)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Following a case (办件查询)

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage<'a> {
    v: &'a Visitor,
    receipt: String,
    error: Option<String>,
    found: Option<Found>,
    notice: Option<String>,
}

struct Found {
    receipt: String,
    query_code: String,
    power: String,
    department: String,
    applicant: String,
    status: String,
    colour: String,
    colour_label: String,
    submitted: String,
    committed: String,
    statutory: String,
    steps: Vec<(String, String)>,
    open: Vec<(String, String)>,
    decision: Option<String>,
    rated: Option<String>,
    can_rate: bool,
}

pub async fn lookup_form(v: Visitor) -> Response {
    render(
        &v,
        StatusCode::OK,
        &LookupPage {
            v: &v,
            receipt: String::new(),
            error: None,
            found: None,
            notice: None,
        },
    )
}

/// The client's address for rate limiting (the socket's peer; no proxy header is trusted).
fn client(ext: &axum::http::Extensions) -> String {
    ext.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "local".into())
}

/// Checks receipt + query code with the rate limit; the case if they match, else what the
/// page says (the outer error: a failure on our side, as its page).
pub(crate) async fn open_case(
    state: &SharedState,
    v: &Visitor,
    who: &str,
    receipt: &str,
    code: &str,
) -> Result<Result<sunlight_core::case::Case, String>, Response> {
    let wrong = v.t(
        "受理编号或查询码不正确。",
        "The receipt number or the query code is wrong.",
    );
    let locked = |wait: std::time::Duration| {
        format!(
            "{} {} {}",
            v.t(
                "错误次数过多，请稍后再试。",
                "Too many wrong tries; try again later."
            ),
            wait.as_secs().div_ceil(60),
            v.t("分钟后可再试。", "minute(s) to wait.")
        )
    };
    let Ok(r) = ReceiptNumber::parse(receipt.trim()) else {
        // Not even a receipt number: a wrong guess all the same, counted against the address.
        let ip_key = format!("ip:{who}");
        if let Err(wait) = state.limiter.check(&[&ip_key]) {
            return Ok(Err(locked(wait)));
        }
        state.limiter.fail(&[&ip_key]);
        return Ok(Err(wrong.into()));
    };
    match crate::auth::applicant_case(state, &r, code, Some(who)).await {
        Ok(c) => Ok(Ok(c)),
        Err(Guess::Locked(wait)) => Ok(Err(locked(wait))),
        Err(Guess::Wrong) => Ok(Err(wrong.into())),
        Err(Guess::Failed(e)) => Err(PageError::new(v, e).into_response()),
    }
}

async fn found(
    state: &SharedState,
    v: &Visitor,
    c: &sunlight_core::case::Case,
    code: &str,
) -> Found {
    let lang = v.lang;
    let history = state
        .engine
        .history(&c.opened.receipt)
        .await
        .unwrap_or_default();
    // Who acted stays off the public page: only when and what.
    let steps = super::timeline(&history, c)
        .into_iter()
        .map(|(at, what, _)| (at, what))
        .collect();
    let open = c
        .open_tasks()
        .map(|t| {
            (
                t.name.clone(),
                t.due.map(|d| d.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    let department = state
        .search
        .names()
        .department(c.opened.department.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| c.opened.department.to_string());
    let today = state.zone.date(state.clock.now());
    let colour = public_colour(c, today);
    Found {
        receipt: c.opened.receipt.to_string(),
        query_code: code.to_string(),
        power: c.opened.power_name.clone(),
        department,
        applicant: if sunlight_core::personal::is_erased(c.opened.applicant.name()) {
            lang.personal(c.opened.applicant.name())
        } else {
            c.opened.applicant.masked().name().to_string()
        },
        status: c.status.zh().to_string(),
        colour_label: colour_label(lang, colour).to_string(),
        colour: colour.to_string(),
        submitted: state.zone.date(c.submitted_at).to_string(),
        committed: c
            .deadlines
            .committed
            .map(|d| d.to_string())
            .unwrap_or_else(|| "—".into()),
        statutory: c
            .deadlines
            .statutory
            .map(|d| d.to_string())
            .unwrap_or_else(|| "—".into()),
        steps,
        open,
        decision: c.decision.as_ref().map(|d| {
            format!(
                "{} {}",
                match d.verdict {
                    sunlight_core::case::Verdict::Approve => lang.t("准予", "Granted"),
                    sunlight_core::case::Verdict::Deny => lang.t("不予", "Refused"),
                },
                d.document_no
            )
        }),
        rated: c
            .rating
            .as_ref()
            .map(|r| format!("{} / 5 {}", r.level, lang.personal(&r.comment))),
        can_rate: c.status.is_finished() && c.rating.is_none() && c.decision.is_some(),
    }
}

/// The colour a citizen sees: green when finished, else against the committed deadline.
pub(crate) fn public_colour(c: &sunlight_core::case::Case, today: Date) -> &'static str {
    if c.status.is_finished() {
        return "green";
    }
    match c.deadlines.committed {
        Some(d) if today > d => "red",
        Some(d) if today == d => "yellow",
        _ => "blue",
    }
}

pub(crate) fn colour_label(lang: Lang, colour: &str) -> &'static str {
    match colour {
        "green" => lang.t("绿灯 已办结", "Green: finished"),
        "yellow" => lang.t("黄灯 临近时限", "Yellow: deadline near"),
        "red" => lang.t("红灯 已超时", "Red: overdue"),
        "red_card" => lang.t("红牌 超法定时限", "Red card: past the statutory limit"),
        "late" => lang.t("超时办结", "Finished late"),
        _ => lang.t("蓝灯 正常办理", "Blue: in progress"),
    }
}

pub async fn lookup(
    State(state): State<SharedState>,
    req_ext: axum::http::Extensions,
    Posted { v, form }: Posted,
) -> Response {
    let receipt = form.get("receipt").to_string();
    let who = client(&req_ext);
    let (status, error, found_case) =
        match open_case(&state, &v, &who, &receipt, form.get("code")).await {
            Err(page) => return page,
            Ok(Ok(c)) => (
                StatusCode::OK,
                None,
                Some(found(&state, &v, &c, form.get("code")).await),
            ),
            Ok(Err(e)) => (StatusCode::UNPROCESSABLE_ENTITY, Some(e), None),
        };
    render(
        &v,
        status,
        &LookupPage {
            v: &v,
            receipt,
            error,
            found: found_case,
            notice: None,
        },
    )
}

pub async fn rate(
    State(state): State<SharedState>,
    req_ext: axum::http::Extensions,
    Posted { v, form }: Posted,
) -> Response {
    let receipt = form.get("receipt").to_string();
    let code = form.get("code").to_string();
    let who = client(&req_ext);
    let c = match open_case(&state, &v, &who, &receipt, &code).await {
        Err(page) => return page,
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            return render(
                &v,
                StatusCode::UNPROCESSABLE_ENTITY,
                &LookupPage {
                    v: &v,
                    receipt,
                    error: Some(e),
                    found: None,
                    notice: None,
                },
            );
        }
    };
    let level: u8 = form.get("level").parse().unwrap_or(0);
    let result = state
        .engine
        .act(
            c.opened.receipt.clone(),
            CaseCommand::Rate(Rating {
                level,
                comment: form.get("comment").chars().take(500).collect(),
            }),
            Actor::Applicant,
            None,
        )
        .await;
    let (status, error, notice) = match result {
        Ok(_) => (
            StatusCode::OK,
            None,
            Some(
                v.t("感谢您的评价。", "Thank you for your rating.")
                    .to_string(),
            ),
        ),
        Err(e) => match refusal_text(&v, e) {
            Ok((status, text)) => (status, Some(text), None),
            Err(page) => return page,
        },
    };
    let c = state
        .engine
        .case(&c.opened.receipt)
        .await
        .ok()
        .flatten()
        .unwrap_or(c);
    let f = found(&state, &v, &c, &code).await;
    render(
        &v,
        status,
        &LookupPage {
            v: &v,
            receipt,
            error,
            found: Some(f),
            notice,
        },
    )
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

// ---------------------------------------------------------------------------------------------
// Complaints (投诉)

#[derive(Template)]
#[template(path = "complaints.html")]
struct ComplaintsPage<'a> {
    v: &'a Visitor,
    departments: Vec<(String, String)>,
    errors: Vec<String>,
    filed: Option<(String, String, String)>,
    tracked: Option<Tracked>,
    form: ComplaintForm,
}

#[derive(Debug, Default)]
struct ComplaintForm {
    against: String,
    target: String,
    complainant: String,
    phone: String,
    text: String,
}

struct Tracked {
    tracking: String,
    against: String,
    target: String,
    department: String,
    filed: String,
    due: String,
    state: String,
    answer: String,
    answered: String,
}

fn complaints_page<'a>(state: &SharedState, v: &'a Visitor) -> ComplaintsPage<'a> {
    ComplaintsPage {
        v,
        departments: state.search.names().departments.clone(),
        errors: Vec::new(),
        filed: None,
        tracked: None,
        form: ComplaintForm {
            against: "case".into(),
            ..Default::default()
        },
    }
}

pub async fn complaints_form(State(state): State<SharedState>, v: Visitor) -> Response {
    let _ = state.search.ensure(&state.store).await;
    render(&v, StatusCode::OK, &complaints_page(&state, &v))
}

/// The department that answers a complaint about `target`.
async fn answering_department(
    state: &SharedState,
    against: sunlight_core::complaint::Against,
    target: &str,
) -> Result<String, ApiError> {
    use sunlight_core::complaint::Against;
    let bad = |t: sunlight_core::Text| ApiError::field("target", t);
    match against {
        Against::Case => {
            let r = ReceiptNumber::parse(target.trim()).map_err(|_| {
                bad(zh_en!(
                    "“{target}”不是受理编号",
                    "«{target}» is not a receipt number"
                ))
            })?;
            match state.engine.case(&r).await {
                Ok(Some(c)) => Ok(c.opened.department.to_string()),
                Ok(None) => Err(bad(zh_en!("没有办件“{target}”", "no case «{target}»"))),
                Err(e) => Err(e.into()),
            }
        }
        Against::Department => state
            .search
            .names()
            .department(target.trim())
            .map(|_| target.trim().to_string())
            .ok_or_else(|| bad(zh_en!("没有部门“{target}”", "no department «{target}»"))),
        Against::Staff => match state.store.user(target.trim()).await {
            Ok(Some(u)) => u.department.map(|d| d.to_string()).ok_or_else(|| {
                bad(zh_en!(
                    "{target} 不属于任何部门",
                    "{target} belongs to no department"
                ))
            }),
            Ok(None) => Err(bad(zh_en!(
                "没有工作人员“{target}”",
                "no member of staff «{target}»"
            ))),
            Err(e) => Err(e.into()),
        },
    }
}

pub async fn file_complaint(
    State(state): State<SharedState>,
    Posted { v, form }: Posted,
) -> Response {
    use sunlight_core::complaint::{Against, ComplaintDraft, answer_due};
    let _ = state.search.ensure(&state.store).await;
    let mut page = complaints_page(&state, &v);
    page.form = ComplaintForm {
        against: form.get("against").to_string(),
        target: form.get("target").to_string(),
        complainant: form.get("complainant").to_string(),
        phone: form.get("phone").to_string(),
        text: form.get("text").to_string(),
    };
    let department = match Against::parse(form.get("against")) {
        Some(against) => answering_department(&state, against, form.get("target")).await,
        None => Err(ApiError::field(
            "against",
            zh_en!(
                "请选择投诉对象：办件、部门或工作人员",
                "case, department or staff"
            ),
        )),
    };
    let (against, department) = match department {
        Ok(d) => (
            Against::parse(form.get("against")).unwrap_or(Against::Case),
            d,
        ),
        Err(e) => {
            let (status, lines) = match refusal(&v, e) {
                Ok(x) => x,
                Err(page) => return page,
            };
            page.errors = lines;
            return render(&v, status, &page);
        }
    };
    let now = state.clock.now();
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).expect("the operating system's random source");
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let tail: String = random[..6]
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % 32] as char)
        .collect();
    let tracking = format!(
        "TS{}-{}-{tail}",
        department.get(2..8).unwrap_or("000000"),
        state.zone.date(now).strftime("%y%m%d")
    );
    let code = format!("{:08}", u64::from_le_bytes(random) % 100_000_000);
    let days = state.engine.config().supervision.complaint_answer_days;
    let due = answer_due(now, days, state.zone);
    let draft = ComplaintDraft {
        against,
        target: page.form.target.clone(),
        complainant: page.form.complainant.clone(),
        phone: page.form.phone.clone(),
        text: page.form.text.clone(),
    };
    match state
        .engine
        .file_complaint(
            draft,
            &tracking,
            &state.engine.query_code_hash(&code),
            &department,
            due,
            None,
        )
        .await
    {
        Ok(_) => {
            page.filed = Some((tracking, code, due.to_string()));
            page.form = ComplaintForm::default();
            render(&v, StatusCode::CREATED, &page)
        }
        Err(e) => {
            let (status, lines) = match refusal(&v, e) {
                Ok(x) => x,
                Err(page) => return page,
            };
            page.errors = lines;
            render(&v, status, &page)
        }
    }
}

pub async fn track_complaint(
    State(state): State<SharedState>,
    req_ext: axum::http::Extensions,
    Posted { v, form }: Posted,
) -> Response {
    let _ = state.search.ensure(&state.store).await;
    let mut page = complaints_page(&state, &v);
    let tracking = form.get("tracking").trim().to_uppercase();
    let keys = [
        format!("complaint:{tracking}"),
        format!("ip:{}", client(&req_ext)),
    ];
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    if state.limiter.check(&keys).is_err() {
        page.errors.push(
            v.t(
                "错误次数过多，请稍后再试。",
                "Too many wrong tries; try again later.",
            )
            .into(),
        );
        return render(&v, StatusCode::TOO_MANY_REQUESTS, &page);
    }
    match state.store.complaint(&tracking).await {
        Ok(Some(c))
            if state
                .engine
                .query_code_matches(&c.code_hash, form.get("code")) =>
        {
            state.limiter.forget(keys[0]);
            let names = state.search.names();
            let at = |ms: i64| {
                sunlight_core::Timestamp::from_millisecond(ms)
                    .map(|t| {
                        state
                            .zone
                            .format(t)
                            .get(..16)
                            .unwrap_or("")
                            .replace('T', " ")
                    })
                    .unwrap_or_default()
            };
            page.tracked = Some(Tracked {
                against: c.against.zh().to_string(),
                target: c.target.clone(),
                department: names
                    .department(&c.department)
                    .unwrap_or(&c.department)
                    .to_string(),
                filed: at(c.filed_at_ms),
                due: c.due.clone(),
                state: if c.state == "answered" {
                    v.t("已答复", "answered").to_string()
                } else {
                    v.t("办理中", "open").to_string()
                },
                answer: c.answer.clone().unwrap_or_default(),
                answered: c.answered_at_ms.map(at).unwrap_or_default(),
                tracking: c.tracking,
            });
            render(&v, StatusCode::OK, &page)
        }
        _ => {
            state.limiter.fail(&keys);
            page.errors.push(
                v.t(
                    "投诉编号或查询码不正确。",
                    "The tracking number or the code is wrong.",
                )
                .into(),
            );
            render(&v, StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}
