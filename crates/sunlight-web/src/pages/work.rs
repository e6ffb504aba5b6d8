//! The staff workbench: sign in and out, the inbox (待办), a case with the acts its viewer may
//! take now, and the window intake form.

use super::portal::{colour_label, public_colour};
use super::{
    FormData, PageError, Posted, SESSION_COOKIE, Visitor, cookie, forbidden, refusal_text, render,
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
    PenaltyInput, ReceiptNumber, Submission, Verdict,
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
    task: String,
    role: String,
    due: String,
    colour: &'static str,
    colour_label: &'static str,
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
}

pub async fn inbox(State(state): State<SharedState>, v: Visitor) -> Response {
    let user = match v.staff() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    let Some(dept) = &user.department else {
        return forbidden(&v);
    };
    let roles: Vec<&str> = user
        .roles
        .iter()
        .filter(|r| matches!(r, Role::WindowClerk | Role::CaseOfficer | Role::Approver))
        .map(|r| r.as_str())
        .collect();
    if roles.is_empty() {
        return forbidden(&v);
    }
    let today = state.zone.date(state.clock.now()).to_string();
    let tasks = match state.store.inbox(dept.as_str(), &roles, 500).await {
        Ok(t) => t,
        Err(e) => return PageError::new(&v, e).into_response(),
    };
    let rows = tasks
        .into_iter()
        .filter(|t| {
            t.assignee
                .as_deref()
                .is_none_or(|a| a == user.username.as_str())
        })
        .map(|t| {
            let due = t.due.clone().unwrap_or_default();
            let colour = match t.due.as_deref() {
                Some(d) if d < today.as_str() => "red",
                Some(d) if d == today.as_str() => "yellow",
                _ => "blue",
            };
            InboxRow {
                receipt: t.receipt,
                task: t.name,
                role: Role::parse(&t.role).map(Role::zh).unwrap_or("").to_string(),
                due,
                colour,
                colour_label: colour_label(v.lang, colour),
                assignee: t.assignee.unwrap_or_default(),
            }
        })
        .collect();
    let department = state
        .store
        .department(dept)
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
        },
    )
}

// ---------------------------------------------------------------------------------------------
// One case

struct TaskLine {
    id: u32,
    name: String,
    department: String,
    status: &'static str,
    due: String,
    by: String,
    outcome: String,
    opinion: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage<'a> {
    v: &'a Visitor,
    receipt: String,
    power: String,
    power_code: String,
    status: String,
    colour: &'static str,
    colour_label: &'static str,
    applicant: Vec<(String, String)>,
    channel: String,
    submitted: String,
    accepted: String,
    committed: String,
    statutory: String,
    suspended: Option<String>,
    materials: Vec<(String, bool, bool)>,
    note: String,
    tasks: Vec<TaskLine>,
    history: Vec<(String, String, String)>,
    actions: Vec<Available>,
    task_names: Vec<(u32, String)>,
    suspensions: Vec<String>,
    decision: Option<String>,
    error: Option<String>,
    done: Option<String>,
    idem: String,
    today: String,
    tiers: Vec<(&'static str, &'static str)>,
    is_penalty: bool,
}

impl CasePage<'_> {
    fn task_name(&self, id: &u32) -> String {
        self.task_names
            .iter()
            .find(|(t, _)| t == id)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Done {
    #[serde(default)]
    done: String,
}

async fn readable(
    state: &SharedState,
    v: &Visitor,
    receipt: &str,
) -> Result<(User, Case), Response> {
    let user = v.staff()?.clone();
    let not_found = || {
        PageError::new(
            v,
            ApiError::not_found(zh_en!("没有办件“{receipt}”", "no case «{receipt}»")),
        )
        .into_response()
    };
    let Ok(r) = ReceiptNumber::parse(receipt) else {
        return Err(not_found());
    };
    match state.engine.case(&r).await {
        Ok(Some(c)) if user.may_read_case(&c) => Ok((user, c)),
        Ok(_) => Err(not_found()),
        Err(e) => Err(PageError::new(v, e).into_response()),
    }
}

async fn case_view(
    state: &SharedState,
    v: &Visitor,
    user: &User,
    c: &Case,
    status: StatusCode,
    error: Option<String>,
    // The kind of the event an act just caused (`?done=`), said in words on the page.
    done: Option<String>,
) -> Response {
    let power = state
        .store
        .power_version(c.opened.power.as_str(), c.opened.power_version)
        .await
        .ok()
        .flatten()
        .map(|p| p.power);
    let today = state.zone.date(state.clock.now());
    let colour = public_colour(c, today);
    let materials = power
        .as_ref()
        .map(|p| {
            p.guide
                .materials
                .iter()
                .map(|m| {
                    (
                        m.name.clone(),
                        m.required,
                        c.opened.materials.contains(&m.name),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut names = std::collections::HashMap::new();
    for t in &c.tasks {
        if !names.contains_key(t.department.as_str()) {
            let n = state
                .store
                .department(&t.department)
                .await
                .ok()
                .flatten()
                .map(|d| d.name)
                .unwrap_or_else(|| t.department.to_string());
            names.insert(t.department.to_string(), n);
        }
    }
    let applicant = match &c.opened.applicant {
        Applicant::Person {
            name,
            id_number,
            phone,
        } => vec![
            (v.t("姓名", "Name").to_string(), v.lang.personal(name)),
            (
                v.t("身份证号", "ID number").to_string(),
                v.lang.personal(id_number),
            ),
            (v.t("电话", "Phone").to_string(), v.lang.personal(phone)),
        ],
        Applicant::Organisation {
            name,
            credit_code,
            representative,
            phone,
        } => vec![
            (v.t("名称", "Name").to_string(), v.lang.personal(name)),
            (
                v.t("统一社会信用代码", "Credit code").to_string(),
                credit_code.clone(),
            ),
            (
                v.t("法定代表人", "Representative").to_string(),
                v.lang.personal(representative),
            ),
            (v.t("电话", "Phone").to_string(), v.lang.personal(phone)),
        ],
    };
    let events = state
        .engine
        .history(&c.opened.receipt)
        .await
        .unwrap_or_default();
    // `?done=<kind>` after an act: say it in words, as the history names the latest such event.
    let done = done.map(|kind| {
        let zh = events
            .iter()
            .rev()
            .find(|h| h.kind == kind && !h.zh.is_empty())
            .map(|h| h.zh.clone())
            .unwrap_or(kind);
        format!("{}{zh}", v.t("已办理：", "Done: "))
    });
    let history = super::timeline(&events, c);
    let date =
        |d: Option<sunlight_core::Date>| d.map(|d| d.to_string()).unwrap_or_else(|| "—".into());
    let page = CasePage {
        v,
        receipt: c.opened.receipt.to_string(),
        power: c.opened.power_name.clone(),
        power_code: c.opened.power.to_string(),
        status: c.status.zh().to_string(),
        colour,
        colour_label: colour_label(v.lang, colour),
        applicant,
        channel: format!("{:?}", c.opened.channel).to_lowercase(),
        submitted: state
            .zone
            .format(c.submitted_at)
            .get(..16)
            .unwrap_or_default()
            .replace('T', " "),
        accepted: date(c.accepted_on),
        committed: date(c.deadlines.committed),
        statutory: date(c.deadlines.statutory),
        suspended: c.suspended.as_ref().map(|s| format!("{:?}", s)),
        materials,
        note: c
            .opened
            .form
            .get("note")
            .and_then(|n| n.as_str())
            .unwrap_or("")
            .to_string(),
        tasks: c
            .tasks
            .iter()
            .map(|t| TaskLine {
                id: t.id,
                name: t.name.clone(),
                department: names
                    .get(t.department.as_str())
                    .cloned()
                    .unwrap_or_default(),
                status: match t.status {
                    sunlight_core::case::TaskStatus::Open => v.t("办理中", "open"),
                    sunlight_core::case::TaskStatus::Done => v.t("已完成", "done"),
                    sunlight_core::case::TaskStatus::Cancelled => v.t("已取消", "cancelled"),
                },
                due: date(t.due),
                by: t
                    .done_by
                    .clone()
                    .or_else(|| t.assignee.clone())
                    .unwrap_or_default(),
                outcome: t.outcome.clone().unwrap_or_default(),
                opinion: t.opinion.clone(),
            })
            .collect(),
        history,
        actions: c.actions(user),
        task_names: c.tasks.iter().map(|t| (t.id, t.name.clone())).collect(),
        suspensions: power
            .as_ref()
            .and_then(|p| p.flow.as_ref())
            .map(|f| f.suspensions.clone())
            .unwrap_or_default(),
        decision: c
            .decision
            .as_ref()
            .map(|d| format!("{} {} {}", d.verdict.outcome(), d.document_no, d.reasons)),
        error,
        done,
        idem: super::random_hex(16),
        today: today.to_string(),
        tiers: Tier::ALL.iter().map(|t| (t.as_str(), t.zh())).collect(),
        is_penalty: c.opened.category == sunlight_core::PowerCategory::Penalty,
    };
    render(v, status, &page)
}

pub async fn case_page(
    State(state): State<SharedState>,
    v: Visitor,
    Path(receipt): Path<String>,
    q: Result<Query<Done>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let (user, c) = match readable(&state, &v, &receipt).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let done = q.map(|Query(d)| d.done).ok().filter(|d| !d.is_empty());
    case_view(&state, &v, &user, &c, StatusCode::OK, None, done).await
}

/// The case's flowchart with the open steps and the steps done marked.
pub async fn case_flow(
    State(state): State<SharedState>,
    v: Visitor,
    Path(receipt): Path<String>,
) -> Response {
    let (_, c) = match readable(&state, &v, &receipt).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(Some(p)) = state
        .store
        .power_version(c.opened.power.as_str(), c.opened.power_version)
        .await
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Some(flow) = p.power.flow else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let open: Vec<&str> = c.open_tasks().map(|t| t.node.as_str()).collect();
    let done: Vec<&str> = c
        .tasks
        .iter()
        .filter(|t| t.status == sunlight_core::case::TaskStatus::Done)
        .map(|t| t.node.as_str())
        .collect();
    let svg = crate::flowsvg::render_position(&flow, crate::flowsvg::View::Flowchart, &open, &done);
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response()
}

fn number(form: &FormData, key: &str) -> Result<u32, ApiError> {
    form.get(key).parse().map_err(|_| {
        ApiError::field(
            key,
            zh_en!("“{n}”不是数字", "«{n}» is not a number", n = form.get(key),),
        )
    })
}

/// The command a work form asks for.
async fn command(state: &SharedState, form: &FormData) -> Result<CaseCommand, ApiError> {
    let task = || number(form, "task");
    let lines = |key: &str| -> Vec<String> {
        form.get(key)
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    Ok(match form.get("action") {
        "claim" => CaseCommand::Claim { task: task()? },
        "accept" => CaseCommand::Accept { task: task()? },
        "request_supplement" => CaseCommand::RequestSupplement {
            task: task()?,
            extra: lines("extra"),
            note: form.get("note").to_string(),
        },
        "refuse" => CaseCommand::Refuse {
            task: task()?,
            reason: form.get("reason").to_string(),
            legal_basis: form.get("legal_basis").to_string(),
        },
        "complete" => {
            let mut co_actors = Vec::new();
            for name in form
                .get("co_actors")
                .split([',', '，', ' '])
                .filter(|s| !s.trim().is_empty())
            {
                match state.store.user(name.trim()).await {
                    Ok(Some(u)) => co_actors.push(u),
                    _ => {
                        return Err(ApiError::field(
                            "co_actors",
                            zh_en!("没有工作人员“{name}”", "no member of staff «{name}»"),
                        ));
                    }
                }
            }
            CaseCommand::Complete {
                task: task()?,
                outcome: form.get("outcome").to_string(),
                opinion: form.get("opinion").to_string(),
                co_actors,
            }
        }
        "decide" => {
            let verdict = if form.get("verdict") == "deny" {
                Verdict::Deny
            } else {
                Verdict::Approve
            };
            let penalty = if form.get("tier").is_empty() {
                None
            } else {
                let tier = Tier::parse(form.get("tier")).ok_or_else(|| {
                    ApiError::field(
                        "tier",
                        zh_en!(
                            "“{t}”不是裁量阶次",
                            "«{t}» is not a tier",
                            t = form.get("tier"),
                        ),
                    )
                })?;
                let yuan: f64 = form.get("amount_yuan").parse().map_err(|_| {
                    ApiError::field(
                        "amount_yuan",
                        zh_en!(
                            "“{a}”不是金额",
                            "«{a}» is not an amount",
                            a = form.get("amount_yuan"),
                        ),
                    )
                })?;
                Some(PenaltyInput {
                    violation: form.get("violation").to_string(),
                    tier,
                    amount_fen: (yuan * 100.0).round() as i64,
                    collective_reason: Some(form.get("collective_reason").to_string())
                        .filter(|s| !s.is_empty()),
                })
            };
            CaseCommand::Decide {
                task: task()?,
                decision: DecisionInput {
                    verdict,
                    document_no: form.get("document_no").to_string(),
                    reasons: form.get("reasons").to_string(),
                    legal_basis: form.get("legal_basis").to_string(),
                    penalty,
                },
                opinion: form.get("opinion").to_string(),
            }
        }
        "deliver" => CaseCommand::Deliver {
            task: task()?,
            method: match form.get("method") {
                "post" => DeliveryMethod::Post,
                "electronic" => DeliveryMethod::Electronic,
                _ => DeliveryMethod::InPerson,
            },
            date: form.get("date").parse().map_err(|_| {
                ApiError::field(
                    "date",
                    zh_en!("“{d}”不是日期", "«{d}» is not a date", d = form.get("date"),),
                )
            })?,
        },
        "suspend" => CaseCommand::Suspend {
            reason: form.get("reason").to_string(),
        },
        "resume" => CaseCommand::Resume,
        "extend" => CaseCommand::Extend {
            days: number(form, "days")?,
            reason: form.get("reason").to_string(),
        },
        other => {
            return Err(ApiError::field(
                "action",
                zh_en!("“{other}”不是办件操作", "«{other}» is not an act on a case"),
            ));
        }
    })
}

pub async fn act(
    State(state): State<SharedState>,
    Path(receipt): Path<String>,
    Posted { v, form }: Posted,
) -> Response {
    let (user, c) = match readable(&state, &v, &receipt).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let cmd = match command(&state, &form).await {
        Ok(cmd) => cmd,
        Err(e) => {
            let (status, text) = match refusal_text(&v, e) {
                Ok(x) => x,
                Err(page) => return page,
            };
            return case_view(&state, &v, &user, &c, status, Some(text), None).await;
        }
    };
    let idem = form.get("idem");
    let key = (!idem.is_empty()).then(|| format!("{}:page:{idem}", user.username));
    match state
        .engine
        .act(
            c.opened.receipt.clone(),
            cmd,
            Actor::Staff(user.clone()),
            key,
        )
        .await
    {
        Ok(ack) => Redirect::to(&format!(
            "/work/cases/{}?done={}",
            c.opened.receipt,
            super::urlencode(&ack.kind)
        ))
        .into_response(),
        Err(e) => {
            let (status, text) = match refusal_text(&v, e) {
                Ok(x) => x,
                Err(page) => return page,
            };
            let c = state
                .engine
                .case(&c.opened.receipt)
                .await
                .ok()
                .flatten()
                .unwrap_or(c);
            case_view(&state, &v, &user, &c, status, Some(text), None).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Window intake

#[derive(Template)]
#[template(path = "intake.html")]
struct IntakePage<'a> {
    v: &'a Visitor,
    powers: Vec<(String, String)>,
    error: Option<String>,
    idem: String,
}

async fn department_powers(state: &SharedState, user: &User) -> Vec<(String, String)> {
    let Some(dept) = &user.department else {
        return Vec::new();
    };
    let q = sunlight_search::SearchQuery {
        department: Some(dept.to_string()),
        status: Some("active".into()),
        limit: 500,
        ..Default::default()
    };
    let _ = state.search.ensure(&state.store).await;
    state
        .search
        .index()
        .search(&q)
        .map(|h| {
            h.items
                .into_iter()
                .map(|h| (h.doc.code, h.doc.name))
                .collect()
        })
        .unwrap_or_default()
}

pub async fn intake_form(State(state): State<SharedState>, v: Visitor) -> Response {
    let user = match v.staff() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    if !user.roles.contains(&Role::WindowClerk) {
        return forbidden(&v);
    }
    let powers = department_powers(&state, &user).await;
    render(
        &v,
        StatusCode::OK,
        &IntakePage {
            v: &v,
            powers,
            error: None,
            idem: super::random_hex(16),
        },
    )
}

pub async fn intake(State(state): State<SharedState>, Posted { v, form }: Posted) -> Response {
    let user = match v.staff() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    if !user.roles.contains(&Role::WindowClerk) {
        return forbidden(&v);
    }
    let applicant = if form.get("kind") == "organisation" {
        Applicant::Organisation {
            name: form.get("name").into(),
            credit_code: form.get("credit_code").to_uppercase(),
            representative: form.get("representative").into(),
            phone: form.get("phone").into(),
        }
    } else {
        Applicant::Person {
            name: form.get("name").into(),
            id_number: form.get("id_number").to_uppercase(),
            phone: form.get("phone").into(),
        }
    };
    let sub = Submission {
        power: form.get("power").to_string(),
        region: None,
        applicant,
        form: serde_json::json!({ "note": form.get("note") }),
        materials: form
            .get("materials")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
    };
    let idem = form.get("idem");
    let key = (!idem.is_empty()).then(|| format!("{}:intake:{idem}", user.username));
    match state
        .engine
        .submit(sub, Channel::Window, Actor::Staff(user.clone()), key)
        .await
    {
        Ok(ack) => {
            let code = ack.query_code.unwrap_or_default();
            render(
                &v,
                StatusCode::CREATED,
                &super::Message {
                    v: &v,
                    title: v.t("已登记", "Registered").to_string(),
                    text: format!(
                        "{} {} · {} {}",
                        v.t("受理编号", "Receipt number"),
                        ack.receipt,
                        v.t(
                            "查询码（请交给申请人）",
                            "Query code (hand it to the applicant)"
                        ),
                        code
                    ),
                    back: Some((
                        format!("/work/cases/{}", ack.receipt),
                        v.t("打开办件", "Open the case").to_string(),
                    )),
                },
            )
        }
        Err(e) => {
            let (status, text) = match refusal_text(&v, e) {
                Ok(x) => x,
                Err(page) => return page,
            };
            let powers = department_powers(&state, &user).await;
            render(
                &v,
                status,
                &IntakePage {
                    v: &v,
                    powers,
                    error: Some(text),
                    idem: super::random_hex(16),
                },
            )
        }
    }
}

/// A department answers a complaint (its staff; once).
pub async fn answer_complaint(
    State(state): State<SharedState>,
    Path(tracking): Path<String>,
    Posted { v, form }: Posted,
) -> Response {
    let user = match v.staff() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    match state
        .engine
        .answer_complaint(
            &tracking,
            form.get("answer"),
            sunlight_core::case::Actor::Staff(user),
            None,
        )
        .await
    {
        Ok(_) => Redirect::to("/work").into_response(),
        Err(e) => PageError::new(&v, e).into_response(),
    }
}
