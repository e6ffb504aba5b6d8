//! The staff workbench: sign in and out, the inbox (待办), a case with the acts its viewer may
//! take now, and the window intake form.

use super::portal::colour_label;
use super::{
    FormData, PageError, Posted, SESSION_COOKIE, Uploaded, Visitor, cookie, forbidden,
    refusal_text, render,
};
use crate::SharedState;
use crate::error::ApiError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sunlight_core::case::{
    Actor, Applicant, Available, Case, CaseCommand, Channel, DecisionInput, DeliveryMethod,
    PenaltyInput, ReceiptNumber, Submission, SupplementItem, Verdict,
};
use sunlight_core::discretion::Tier;
use sunlight_core::{Role, User, zh_en};
use sunlight_store::LoginOutcome;

// ---------------------------------------------------------------------------------------------
// Signing in

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    v: &'a Visitor,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Next {
    #[serde(default)]
    next: String,
}

/// Only a local path may be returned to after signing in.
fn local(next: &str) -> Option<&str> {
    super::local_path(next)
}

pub async fn login_form(
    v: Visitor,
    q: Result<Query<Next>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let next = q.map(|Query(n)| n.next).unwrap_or_default();
    render(
        &v,
        StatusCode::OK,
        &LoginPage {
            v: &v,
            next,
            username: String::new(),
            error: None,
        },
    )
}

fn home_of(u: &User) -> &'static str {
    if u.roles
        .iter()
        .any(|r| matches!(r, Role::Supervisor | Role::Auditor))
    {
        "/watch"
    } else if u
        .roles
        .iter()
        .any(|r| matches!(r, Role::WindowClerk | Role::CaseOfficer | Role::Approver))
    {
        "/work"
    } else {
        "/"
    }
}

pub async fn login(State(state): State<SharedState>, Posted { v, form }: Posted) -> Response {
    let (name, next) = (form.get("username"), form.get("next"));
    let again = |error: String| {
        render(
            &v,
            StatusCode::UNAUTHORIZED,
            &LoginPage {
                v: &v,
                next: next.to_string(),
                username: name.to_string(),
                error: Some(error),
            },
        )
    };
    match state
        .store
        .login(name, form.get("password"), state.clock.now())
        .await
    {
        Ok(LoginOutcome::Ok(session)) => {
            let to = local(next).unwrap_or(home_of(&session.user)).to_string();
            let mut r = Redirect::to(&to).into_response();
            if let Ok(c) = HeaderValue::from_str(&format!(
                "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
                session.token,
                sunlight_store::SESSION_HOURS * 3600
            )) {
                r.headers_mut().insert(header::SET_COOKIE, c);
            }
            r
        }
        Ok(LoginOutcome::Locked { until }) => again(format!(
            "{} {}",
            v.t(
                "连续输错密码次数过多，账号已锁定至",
                "Too many wrong passwords; the account is locked until"
            ),
            state.zone.format(until)
        )),
        Ok(LoginOutcome::Refused) => again(
            v.t("用户名或密码不正确。", "Wrong username or password.")
                .to_string(),
        ),
        Err(e) => PageError::new(&v, e).into_response(),
    }
}

pub async fn logout(
    State(state): State<SharedState>,
    headers: HeaderMap,
    _csrf_checked: Posted,
) -> Response {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        let _ = state.store.logout(token).await;
    }
    let mut r = Redirect::to("/").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("sl_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    r
}

// ---------------------------------------------------------------------------------------------
// The inbox

struct InboxRow {
    receipt: String,
    /// 事项: the power's name.
    power: String,
    /// The applicant as lists show them (a person masked: 王**).
    applicant: String,
    /// Date and time of the application, in the configured zone.
    submitted: String,
    task: String,
    role: String,
    due: String,
    colour: &'static str,
    colour_label: &'static str,
    /// Who claimed the step, by name.
    assignee: String,
}

#[derive(Template)]
#[template(path = "inbox.html")]
struct Inbox<'a> {
    v: &'a Visitor,
    department: String,
    rows: Vec<InboxRow>,
    alerts: Vec<super::watch::AlertRow>,
    complaints: Vec<sunlight_store::Complaint>,
    /// The case search form (empty on the inbox).
    search: search::CaseQuery,
    statuses: Vec<(&'static str, &'static str)>,
}

/// The department of a member of staff who works cases, or the refusal page.
fn case_worker(v: &Visitor) -> Result<(User, sunlight_core::CreditCode), Response> {
    let user = v.staff()?.clone();
    let works = user
        .roles
        .iter()
        .any(|r| matches!(r, Role::WindowClerk | Role::CaseOfficer | Role::Approver));
    match user.department.clone() {
        Some(d) if works => Ok((user, d)),
        _ => Err(forbidden(v)),
    }
}

pub async fn inbox(State(state): State<SharedState>, v: Visitor) -> Response {
    let (user, dept) = match case_worker(&v) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let roles: Vec<&str> = user
        .roles
        .iter()
        .filter(|r| matches!(r, Role::WindowClerk | Role::CaseOfficer | Role::Approver))
        .map(|r| r.as_str())
        .collect();
    let today = state.zone.date(state.clock.now()).to_string();
    let tasks: Vec<_> = match state.store.inbox(dept.as_str(), &roles, 500).await {
        Ok(t) => t
            .into_iter()
            .filter(|t| {
                t.assignee
                    .as_deref()
                    .is_none_or(|a| a == user.username.as_str())
            })
            .collect(),
        Err(e) => return PageError::new(&v, e).into_response(),
    };
    let mut receipts: Vec<&str> = tasks.iter().map(|t| t.receipt.as_str()).collect();
    receipts.sort_unstable();
    receipts.dedup();
    let cases: std::collections::HashMap<String, sunlight_store::CaseListing> =
        match state.store.case_listings(&receipts).await {
            Ok(l) => l.into_iter().map(|c| (c.receipt.clone(), c)).collect(),
            Err(e) => return PageError::new(&v, e).into_response(),
        };
    let mut people = super::People::new(&state, v.lang);
    let mut rows = Vec::with_capacity(tasks.len());
    for t in tasks {
        let case = cases.get(&t.receipt);
        let due = t.due.clone().unwrap_or_default();
        let colour = match t.due.as_deref() {
            Some(d) if d < today.as_str() => "red",
            Some(d) if d == today.as_str() => "yellow",
            _ => "blue",
        };
        rows.push(InboxRow {
            power: case.map(|c| c.power_name.clone()).unwrap_or_default(),
            applicant: super::listed_applicant(v.lang, case.and_then(|c| c.applicant.as_ref())),
            submitted: case
                .and_then(|c| sunlight_core::Timestamp::from_millisecond(c.submitted_at_ms).ok())
                .map(|at| super::minute(state.zone, at))
                .unwrap_or_default(),
            receipt: t.receipt,
            task: t.name,
            role: Role::parse(&t.role).map(Role::zh).unwrap_or("").to_string(),
            due,
            colour,
            colour_label: colour_label(v.lang, colour),
            assignee: match &t.assignee {
                Some(a) => people.name(a).await,
                None => String::new(),
            },
        });
    }
    let department = state
        .store
        .department(&dept)
        .await
        .ok()
        .flatten()
        .map(|d| d.name)
        .unwrap_or_else(|| dept.to_string());
    let alerts = state
        .store
        .alerts(&sunlight_store::AlertFilter {
            state: Some("open".into()),
            department: Some(dept.to_string()),
            limit: Some(100),
            ..Default::default()
        })
        .await
        .unwrap_or_default();
    let names = std::collections::HashMap::from([(dept.to_string(), department.clone())]);
    let alerts = super::watch::alert_rows(&v, alerts, &names, state.zone);
    let complaints = state
        .store
        .complaints(dept.as_str(), 50)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c.state == "open")
        .collect();
    render(
        &v,
        StatusCode::OK,
        &Inbox {
            v: &v,
            department,
            rows,
            alerts,
            complaints,
            search: search::CaseQuery::default(),
            statuses: search::statuses(&v),
        },
    )
}

mod case;
mod intake;
mod search;

pub use case::*;
pub use intake::*;
pub use search::*;
