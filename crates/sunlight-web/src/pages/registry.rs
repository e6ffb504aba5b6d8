//! The registry office (编办/审改办) and legal review (法制审核): proposals with the difference
//! each change makes, the acts each person may take on them (approve or reject if you review
//! and did not propose; withdraw or publish if you edit), and the editor of a power's guide and
//! flow — the flow's text checked as it is typed, with a live flowchart beside it.

use super::{PageError, Posted, Visitor, forbidden, render};
use crate::SharedState;
use crate::error::ApiError;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sunlight_core::lifecycle::PowerChange;
use sunlight_core::review::{Origin, ProposalDraft, ProposalState, ReviewAct};
use sunlight_core::{Role, TimeLimit, User, zh_en};

fn registry_staff(v: &Visitor) -> Result<User, Response> {
    let u = v.staff()?.clone();
    if u.roles
        .iter()
        .any(|r| matches!(r, Role::RegistryEditor | Role::Reviewer))
    {
        Ok(u)
    } else {
        Err(forbidden(v))
    }
}

fn state_label(v: &Visitor, s: ProposalState) -> &'static str {
    match s {
        ProposalState::Proposed => v.t("待审核", "proposed"),
        ProposalState::Approved => v.t("已审核待发布", "approved"),
        ProposalState::Rejected => v.t("已退回", "rejected"),
        ProposalState::Withdrawn => v.t("已撤回", "withdrawn"),
        ProposalState::Published => v.t("已发布", "published"),
    }
}

struct ProposalRow {
    id: i64,
    title: String,
    state: &'static str,
    changes: usize,
    by: String,
    effective: String,
}

#[derive(Template)]
#[template(path = "registry.html")]
struct RegistryPage<'a> {
    v: &'a Visitor,
    proposals: Vec<ProposalRow>,
}

pub async fn index(State(state): State<SharedState>, v: Visitor) -> Response {
    if let Err(r) = registry_staff(&v) {
        return r;
    }
    let proposals = state
        .store
        .proposals(None, 100)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|p| ProposalRow {
            id: p.id,
            title: p.title,
            state: state_label(&v, p.state),
            changes: p.change_count,
            by: p.proposed_by,
            effective: p.effective_from.to_string(),
        })
        .collect();
    render(&v, StatusCode::OK, &RegistryPage { v: &v, proposals })
}

struct ChangeView {
    kind: String,
    code: String,
    name: String,
    fields: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "proposal.html")]
struct ProposalPage<'a> {
    v: &'a Visitor,
    id: i64,
    title: String,
    reason: String,
    state: &'static str,
    effective: String,
    proposed_by: String,
    reviewed: String,
    changes: Vec<ChangeView>,
    acts: Vec<(&'static str, &'static str)>,
}

fn short(v: &Option<serde_json::Value>) -> String {
    match v {
        None => "—".into(),
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => {
            let s = other.to_string();
            if s.chars().count() > 300 {
                format!("{}…", s.chars().take(300).collect::<String>())
            } else {
                s
            }
        }
    }
}

pub async fn proposal(
    State(state): State<SharedState>,
    v: Visitor,
    Path(id): Path<i64>,
) -> Response {
    let user = match registry_staff(&v) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let (p, changes) = match (
        state.store.proposal(id).await,
        state.store.proposal_changes(id).await,
    ) {
        (Ok(p), Ok(c)) => (p, c),
        (Err(e), _) | (_, Err(e)) => return PageError::new(&v, e).into_response(),
    };
    let mut views = Vec::new();
    for c in &changes {
        let (kind, code) = match c {
            PowerChange::Create { power } => ("新增 create", power.code.to_string()),
            PowerChange::Amend { power } => ("修改 amend", power.code.to_string()),
            PowerChange::Cancel { code } => ("取消 cancel", code.to_string()),
            PowerChange::Delegate { code, .. } => ("下放 delegate", code.to_string()),
            PowerChange::Merge { code, .. } => ("合并 merge", code.to_string()),
            PowerChange::StrictlyControl { code } => ("严管 strictly control", code.to_string()),
            PowerChange::Release { code } => ("解除严管 release", code.to_string()),
        };
        let current = state.store.power(&code, None).await.ok().flatten();
        let fields = match (c, &current) {
            (PowerChange::Amend { power }, Some(cur))
            | (PowerChange::Create { power }, Some(cur)) => {
                sunlight_core::diff::diff(&cur.power, power.as_ref())
                    .into_iter()
                    .map(|f| (f.path, short(&f.before), short(&f.after)))
                    .collect()
            }
            (PowerChange::Create { power }, None) => vec![
                ("name".into(), "—".into(), power.name.clone()),
                (
                    "category".into(),
                    "—".into(),
                    power.category.zh().to_string(),
                ),
            ],
            (PowerChange::Merge { into, .. }, _) => {
                vec![("status".into(), "—".into(), format!("合并至 {into}"))]
            }
            _ => Vec::new(),
        };
        views.push(ChangeView {
            kind: kind.into(),
            name: current.map(|c| c.power.name).unwrap_or_default(),
            code,
            fields,
        });
    }
    let mut acts = Vec::new();
    for (act, label) in [
        (ReviewAct::Approve, ("approve", v.t("审核通过", "Approve"))),
        (ReviewAct::Reject, ("reject", v.t("退回", "Reject"))),
        (ReviewAct::Withdraw, ("withdraw", v.t("撤回", "Withdraw"))),
        (ReviewAct::Publish, ("publish", v.t("发布", "Publish"))),
    ] {
        if act.check(&p, &user).is_ok() {
            acts.push(label);
        }
    }
    let page = ProposalPage {
        v: &v,
        id: p.id,
        title: p.title.clone(),
        reason: p.reason.clone(),
        state: state_label(&v, p.state),
        effective: p.effective_from.to_string(),
        proposed_by: p.proposed_by.clone(),
        reviewed: match (&p.reviewed_by, &p.review_note) {
            (Some(by), Some(n)) => format!("{by}：{n}"),
            (Some(by), None) => by.clone(),
            _ => String::new(),
        },
        changes: views,
        acts,
    };
    render(&v, StatusCode::OK, &page)
}

pub async fn act(
    State(state): State<SharedState>,
    Path(id): Path<i64>,
    Posted { v, form }: Posted,
) -> Response {
    let user = match registry_staff(&v) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let now = state.clock.now();
    let note = Some(form.get("note")).filter(|n| !n.is_empty());
    let result = match form.get("act") {
        "publish" => {
            let r = state
                .store
                .publish(id, &user, now, state.zone.date(now))
                .await;
            if r.is_ok() {
                let s = state.clone();
                tokio::spawn(async move {
                    let _ = s.search.ensure(&s.store).await;
                });
            }
            r
        }
        "reject" if note.is_none() => Err(sunlight_core::DomainError::field(
            "note",
            zh_en!("退回应写明理由", "a rejection needs its reasons"),
        )
        .into()),
        a => {
            let act = match a {
                "approve" => ReviewAct::Approve,
                "reject" => ReviewAct::Reject,
                "withdraw" => ReviewAct::Withdraw,
                other => {
                    return PageError::new(
                        &v,
                        ApiError::field(
                            "act",
                            zh_en!(
                                "“{other}”不是审核操作",
                                "«{other}» is not an act on a proposal"
                            ),
                        ),
                    )
                    .into_response();
                }
            };
            state.store.review(id, act, &user, note, now).await
        }
    };
    match result {
        Ok(_) => Redirect::to(&format!("/registry/proposals/{id}")).into_response(),
        Err(e) => PageError::new(&v, e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "power_edit.html")]
struct EditPage<'a> {
    v: &'a Visitor,
    code: String,
    name: String,
    conditions: String,
    materials: String,
    committed: String,
    statutory: String,
    phone: String,
    place: String,
    hours: String,
    complaint: String,
    flow: String,
    today: String,
    error: Option<String>,
}

pub async fn edit_form(
    State(state): State<SharedState>,
    v: Visitor,
    Path(code): Path<String>,
) -> Response {
    let user = match registry_staff(&v) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if !user.roles.contains(&Role::RegistryEditor) {
        return forbidden(&v);
    }
    let p = match super::listed_power(&state, &v, &code).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let g = &p.guide;
    let days = |l: Option<TimeLimit>| l.map(|l| l.amount.to_string()).unwrap_or_default();
    let page = EditPage {
        v: &v,
        code: p.code.to_string(),
        name: p.name.clone(),
        conditions: g.conditions.join("\n"),
        materials: g
            .materials
            .iter()
            .map(|m| m.name.clone())
            .collect::<Vec<_>>()
            .join("\n"),
        committed: days(g.committed_limit),
        statutory: days(g.statutory_limit),
        phone: g.phone.clone(),
        place: g.place.clone(),
        hours: g.hours.clone(),
        complaint: g.complaint_channel.clone(),
        flow: p.flow.as_ref().map(|f| f.to_toml()).unwrap_or_default(),
        today: state.zone.date(state.clock.now()).to_string(),
        error: None,
    };
    render(&v, StatusCode::OK, &page)
}

fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Proposes one change with the form's title, reason and effective date; on success the
/// proposal's page, else what was wrong.
async fn propose_one(
    state: &SharedState,
    v: &Visitor,
    user: &User,
    form: &super::FormData,
    change: PowerChange,
) -> Response {
    let Ok(effective) = form.get("effective_from").parse() else {
        return PageError::new(
            v,
            ApiError::field(
                "effective_from",
                zh_en!(
                    "“{d}”不是日期",
                    "«{d}» is not a date",
                    d = form.get("effective_from"),
                ),
            ),
        )
        .into_response();
    };
    let draft = ProposalDraft {
        title: form.get("title").to_string(),
        reason: form.get("reason").to_string(),
        effective_from: effective,
        changes: vec![change],
    };
    match state
        .store
        .propose(draft, Origin::Manual, user, state.clock.now())
        .await
    {
        Ok(p) => Redirect::to(&format!("/registry/proposals/{}", p.id)).into_response(),
        Err(e) => PageError::new(v, e).into_response(),
    }
}

/// Proposes the edited power as an amendment (it takes effect only once reviewed and published).
pub async fn propose_edit(
    State(state): State<SharedState>,
    Path(code): Path<String>,
    Posted { v, form }: Posted,
) -> Response {
    let user = match registry_staff(&v) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let mut p = match super::listed_power(&state, &v, &code).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let fail = |e: ApiError| PageError::new(&v, e).into_response();
    p.name = form.get("name").to_string();
    p.guide.conditions = lines(form.get("conditions"));
    // Materials keep what the guide said of them (form, copies, source); new ones get defaults.
    let old = std::mem::take(&mut p.guide.materials);
    p.guide.materials = lines(form.get("materials"))
        .into_iter()
        .map(|name| {
            old.iter()
                .find(|m| m.name == name)
                .cloned()
                .unwrap_or(sunlight_core::Material {
                    name,
                    required: true,
                    form: Default::default(),
                    copies: 1,
                    source: "申请人自备".into(),
                })
        })
        .collect();
    for (field, path, slot) in [
        (
            "committed",
            "guide.committed_limit",
            &mut p.guide.committed_limit,
        ),
        (
            "statutory",
            "guide.statutory_limit",
            &mut p.guide.statutory_limit,
        ),
    ] {
        let raw = form.get(field);
        *slot = if raw.is_empty() {
            None
        } else {
            match raw.parse::<u32>() {
                Ok(n) => Some(TimeLimit::working_days(n)),
                Err(_) => {
                    return fail(ApiError::field(
                        path,
                        zh_en!(
                            "“{raw}”不是工作日数",
                            "«{raw}» is not a number of working days"
                        ),
                    ));
                }
            }
        };
    }
    p.guide.phone = form.get("phone").to_string();
    p.guide.place = form.get("place").to_string();
    p.guide.hours = form.get("hours").to_string();
    p.guide.complaint_channel = form.get("complaint").to_string();
    let flow_text = form.get("flow");
    if !flow_text.is_empty() {
        match sunlight_core::flow::Flow::from_toml(flow_text) {
            Ok(f) => p.flow = Some(f),
            Err(e) => return fail(e.into()),
        }
    }
    propose_one(
        &state,
        &v,
        &user,
        &form,
        PowerChange::Amend { power: Box::new(p) },
    )
    .await
}

/// Proposes a change of a power's standing: cancel (取消), strictly control (严管), release
/// (解除严管) or merge into another power (合并).
pub async fn propose_lifecycle(
    State(state): State<SharedState>,
    Path(code): Path<String>,
    Posted { v, form }: Posted,
) -> Response {
    let user = match registry_staff(&v) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let fail = |e: ApiError| PageError::new(&v, e).into_response();
    let power = match sunlight_core::PowerCode::parse(&code) {
        Ok(c) => c,
        Err(e) => return fail(e.into()),
    };
    let change = match form.get("change") {
        "cancel" => PowerChange::Cancel { code: power },
        "strictly_control" => PowerChange::StrictlyControl { code: power },
        "release" => PowerChange::Release { code: power },
        "merge" => match sunlight_core::PowerCode::parse(form.get("into")) {
            Ok(into) => PowerChange::Merge { code: power, into },
            Err(e) => {
                return fail(ApiError::field(
                    "status.into",
                    e.field_errors()
                        .first()
                        .map(|f| f.message.clone())
                        .unwrap_or_else(|| e.text()),
                ));
            }
        },
        other => {
            return fail(ApiError::field(
                "change",
                zh_en!(
                    "“{other}”不是状态调整",
                    "«{other}» is not a change of standing"
                ),
            ));
        }
    };
    propose_one(&state, &v, &user, &form, change).await
}
