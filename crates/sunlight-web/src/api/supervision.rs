//! Electronic supervision (电子监察): the rules (public), the live board and its event stream
//! (supervisors), alerts and their answers (the department concerned and supervisors), and
//! accountability measures.
//!
//! Department staff see and answer only their own department's alerts; supervisors, auditors
//! and administrators see all of them; only supervisors close, dismiss and record measures.

use crate::SharedState;
use crate::auth::Staff;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult, Problem};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use serde::{Deserialize, Serialize};
use sunlight_core::case::Actor;
use sunlight_core::supervision::life::RecordMeasure;
use sunlight_core::supervision::{AlertAct, Measure, RULES, Rule};
use sunlight_core::{Role, User};
use sunlight_engine::{Board, Live};
use sunlight_store::{
    Accountability, Alert, AlertFilter, FigureQuery, Figures, GroupBy, ListLimits, Relation,
};
use utoipa::{IntoParams, ToSchema};

fn require_oversight(user: &User) -> ApiResult<()> {
    if user.oversees() {
        Ok(())
    } else {
        Err(user.require(Role::Supervisor).unwrap_err().into())
    }
}

/// The supervision rules: id, name, legal basis, severity. Public (阳光: the rules are open).
#[utoipa::path(get, path = "/api/supervision/rules", tag = "supervision",
    responses((status = 200, body = Vec<Rule>)))]
pub async fn rules() -> ApiJson<Vec<Rule>> {
    ApiJson(RULES.to_vec())
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct BoardQuery {
    /// How many red-card, red and yellow cases to list (default 100, at most 1,000).
    pub limit: Option<usize>,
}

/// The monitoring centre's board: running cases by colour, per department, and the cases
/// that need attention (supervisors, auditors).
#[utoipa::path(get, path = "/api/supervision/board", tag = "supervision", params(BoardQuery),
    responses((status = 200, body = Board), (status = 403, body = Problem)))]
pub async fn board(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> ApiResult<ApiJson<Board>> {
    require_oversight(&user)?;
    let monitor = state.engine.monitor().ok_or_else(no_monitor)?;
    Ok(ApiJson(
        monitor.board(q.limit.unwrap_or(100).clamp(1, 1000)).await,
    ))
}

/// A live stream (Server-Sent Events) of colour changes (`event: colour`) and alerts
/// (`event: alert`), each `data:` a JSON object (supervisors, auditors). A client that falls
/// behind gets `event: lagged` with how many it missed, and should reload the board.
#[utoipa::path(get, path = "/api/supervision/stream", tag = "supervision",
    responses((status = 200, description = "text/event-stream of Live", content_type = "text/event-stream"), (status = 403, body = Problem)))]
pub async fn stream(
    State(state): State<SharedState>,
    Staff(user): Staff,
) -> ApiResult<Sse<impl futures_util::Stream<Item = Result<Event, std::convert::Infallible>>>> {
    require_oversight(&user)?;
    let monitor = state.engine.monitor().ok_or_else(no_monitor)?;
    let rx = monitor.subscribe();
    let events = futures_util::stream::unfold(rx, |mut rx| async move {
        use tokio::sync::broadcast::error::RecvError;
        let event = match rx.recv().await {
            Ok(live) => {
                let kind = match &live {
                    Live::Colour { .. } => "colour",
                    Live::Alert { .. } => "alert",
                };
                Event::default()
                    .event(kind)
                    .json_data(&live)
                    .unwrap_or_else(|_| Event::default().event("error"))
            }
            Err(RecvError::Lagged(n)) => Event::default().event("lagged").data(n.to_string()),
            Err(RecvError::Closed) => return None,
        };
        Some((Ok(event), rx))
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// Alerts, newest first: supervisors see all, department staff their department's.
#[utoipa::path(get, path = "/api/alerts", tag = "supervision", params(AlertFilter),
    responses((status = 200, body = Vec<Alert>), (status = 403, body = Problem)))]
pub async fn alerts(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiQuery(mut q): ApiQuery<AlertFilter>,
) -> ApiResult<ApiJson<Vec<Alert>>> {
    if !user.oversees() {
        let Some(d) = &user.department else {
            return Err(user.require(Role::Supervisor).unwrap_err().into());
        };
        if q.department.as_deref().is_some_and(|x| x != d.as_str()) {
            return Err(ApiError::forbidden(sunlight_core::zh_en!(
                "部门工作人员只能查看本部门的预警",
                "department staff see only their own department's alerts"
            )));
        }
        q.department = Some(d.to_string());
    }
    Ok(ApiJson(state.store.alerts(&q).await?))
}

fn no_monitor() -> ApiError {
    ApiError::not_found(sunlight_core::zh_en!(
        "本服务器未运行电子监察",
        "this server runs no supervision monitor"
    ))
}

fn no_alert(id: i64) -> ApiError {
    ApiError::not_found(sunlight_core::zh_en!("没有预警 {id}", "no alert {id}"))
}

#[utoipa::path(get, path = "/api/alerts/{id}", tag = "supervision", params(("id" = i64, Path)),
    responses((status = 200, body = Alert), (status = 404, body = Problem)))]
pub async fn alert(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<ApiJson<Alert>> {
    match state.store.alert(id).await? {
        Some(a) if user.may_see_department(&a.department) => Ok(ApiJson(a)),
        // Another department's alert is as good as absent.
        _ => Err(no_alert(id)),
    }
}

/// One step of an alert's life: `{"act":"acknowledge"}`, `{"act":"explain","reason":…,
/// "evidence":…}` (its department); `{"act":"close","note":…}`, `{"act":"dismiss","reason":…}`
/// (a supervisor).
#[utoipa::path(post, path = "/api/alerts/{id}/acts", tag = "supervision", params(("id" = i64, Path)),
    request_body = AlertAct,
    responses((status = 200, body = Alert), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn act(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(act): ApiJson<AlertAct>,
) -> ApiResult<ApiJson<Alert>> {
    match state.store.alert(id).await? {
        Some(a) if user.may_see_department(&a.department) => {}
        _ => return Err(no_alert(id)),
    }
    state
        .engine
        .act_on_alert(id, act, Actor::Staff(user), None)
        .await?;
    state
        .store
        .alert(id)
        .await?
        .map(ApiJson)
        .ok_or_else(|| no_alert(id))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MeasureBody {
    /// The department's unified social credit code.
    pub department: String,
    /// The member of staff held to account, if one.
    #[serde(default)]
    pub staff: Option<String>,
    pub measure: Measure,
    pub reason: String,
    /// The alerts that caused it.
    pub alerts: Vec<i64>,
}

/// Record an accountability measure (效能问责) for some alerts (supervisor).
#[utoipa::path(post, path = "/api/accountability", tag = "supervision", request_body = MeasureBody,
    responses((status = 201, body = Accountability), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn record_measure(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiJson(body): ApiJson<MeasureBody>,
) -> ApiResult<(StatusCode, ApiJson<Accountability>)> {
    let department = body.department.trim().to_string();
    let ack = state
        .engine
        .record_measure(
            RecordMeasure {
                id: 0,
                department: department.clone(),
                staff: body
                    .staff
                    .as_deref()
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from),
                measure: body.measure,
                reason: body.reason,
                alerts: body.alerts,
            },
            Actor::Staff(user),
            None,
        )
        .await?;
    let m = state
        .store
        .measures(Some(&department))
        .await?
        .into_iter()
        .find(|m| m.id.to_string() == ack.id)
        .ok_or_else(|| {
            ApiError::not_found(sunlight_core::zh_en!(
                "没有问责措施 {id}",
                "no measure {id}",
                id = &ack.id,
            ))
        })?;
    Ok((StatusCode::CREATED, ApiJson(m)))
}

#[derive(Debug, Deserialize, Serialize, IntoParams)]
pub struct MeasureQuery {
    pub department: Option<String>,
}

/// Accountability measures, newest first (supervisors, auditors; department staff: their own).
#[utoipa::path(get, path = "/api/accountability", tag = "supervision", params(MeasureQuery),
    responses((status = 200, body = Vec<Accountability>), (status = 403, body = Problem)))]
pub async fn measures(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiQuery(q): ApiQuery<MeasureQuery>,
) -> ApiResult<ApiJson<Vec<Accountability>>> {
    let department = if user.oversees() {
        q.department
    } else {
        match &user.department {
            Some(d) => Some(d.to_string()),
            None => return Err(user.require(Role::Supervisor).unwrap_err().into()),
        }
    };
    Ok(ApiJson(state.store.measures(department.as_deref()).await?))
}

/// Figures per department, power or region over a period `[from, to)`: received, accepted,
/// completed, on-time and early rates, average working days against the limits, ratings, and
/// alerts by rule (definitions: docs/figures.md). Public: 阳光 means the figures are open.
#[utoipa::path(get, path = "/api/figures", tag = "supervision", params(FigureQuery),
    responses((status = 200, body = Vec<Figures>), (status = 422, body = Problem)))]
pub async fn figures(
    State(state): State<SharedState>,
    ApiQuery(q): ApiQuery<FigureQuery>,
) -> ApiResult<ApiJson<Vec<Figures>>> {
    Ok(ApiJson(state.store.figures(&q, state.zone).await?))
}

/// The statutory and committed limits of the power list added up, and the reduction.
#[utoipa::path(get, path = "/api/figures/limits", tag = "supervision",
    responses((status = 200, body = ListLimits)))]
pub async fn limits(State(state): State<SharedState>) -> ApiResult<ApiJson<ListLimits>> {
    Ok(ApiJson(state.store.list_limits().await?))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ScoreQuery {
    /// The month, `YYYY-MM`.
    pub month: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentScore {
    pub department: String,
    pub score: f64,
    pub figures: Figures,
}

/// Each department's monthly score (效能考评), highest first, with the month's figures; the
/// weights are the `[supervision.score]` settings (supervisors, auditors).
#[utoipa::path(get, path = "/api/supervision/scores", tag = "supervision", params(ScoreQuery),
    responses((status = 200, body = Vec<DepartmentScore>), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn scores(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiQuery(q): ApiQuery<ScoreQuery>,
) -> ApiResult<ApiJson<Vec<DepartmentScore>>> {
    require_oversight(&user)?;
    let from: sunlight_core::Date = format!("{}-01", q.month.trim()).parse().map_err(|_| {
        ApiError::field(
            "month",
            sunlight_core::zh_en!(
                "“{m}”不是月份（格式如 2026-11）",
                "«{m}» is not a month such as 2026-11",
                m = &q.month,
            ),
        )
    })?;
    let to = from
        .checked_add(jiff::Span::new().months(1))
        .map_err(|e| ApiError::field("month", sunlight_core::zh_en!("月份超出范围：{e}", "{e}")))?;
    let figures = state
        .store
        .figures(
            &FigureQuery::period(from, to, GroupBy::Department),
            state.zone,
        )
        .await?;
    let weights = &state.engine.config().supervision.score;
    let mut out: Vec<DepartmentScore> = figures
        .into_iter()
        .map(|f| DepartmentScore {
            department: f.key.clone(),
            score: weights.score(&f.alerts, f.early_rate),
            figures: f,
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.department.cmp(&b.department))
    });
    Ok(ApiJson(out))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RelationBody {
    /// The party's ID number or unified social credit code.
    pub party: String,
    #[serde(default)]
    pub party_name: String,
    /// 配偶, 子女, 近亲属, 曾任职, 持股 …
    pub relation: String,
}

/// Declare one's own relation with a person or organisation (any member of staff): acting on
/// their cases afterwards raises a conflict-of-interest alert.
#[utoipa::path(post, path = "/api/relations", tag = "supervision", request_body = RelationBody,
    responses((status = 201, body = Relation), (status = 422, body = Problem)))]
pub async fn declare_relation(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiJson(body): ApiJson<RelationBody>,
) -> ApiResult<(StatusCode, ApiJson<Relation>)> {
    let r = state
        .store
        .declare_relation(
            user.username.as_str(),
            &body.party,
            &body.party_name,
            &body.relation,
            state.clock.now(),
        )
        .await?;
    state.engine.relations_changed();
    Ok((StatusCode::CREATED, ApiJson(r)))
}

/// Declared relations: supervisors and auditors see all, others their own.
#[utoipa::path(get, path = "/api/relations", tag = "supervision",
    responses((status = 200, body = Vec<Relation>)))]
pub async fn relations(
    State(state): State<SharedState>,
    Staff(user): Staff,
) -> ApiResult<ApiJson<Vec<Relation>>> {
    let who = (!user.oversees()).then(|| user.username.to_string());
    Ok(ApiJson(state.store.relations(who.as_deref()).await?))
}
