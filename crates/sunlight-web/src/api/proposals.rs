//! Changing the list: propose, review (法制审核), publish; and importing a file as a proposal.

use crate::SharedState;
use crate::auth::Staff;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult, Problem};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use serde::{Deserialize, Serialize};
use sunlight_app::import::Imported;
use sunlight_core::Role;
use sunlight_core::lifecycle::PowerChange;
use sunlight_core::review::{Origin, Proposal, ProposalDraft, ProposalState, ReviewAct};
use sunlight_exchange::Format;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProposalQuery {
    /// proposed, approved, rejected, withdrawn or published
    pub state: Option<String>,
    pub limit: Option<u32>,
}

/// Proposals, newest first.
#[utoipa::path(get, path = "/api/proposals", tag = "review", params(ProposalQuery),
    responses((status = 200, body = Vec<Proposal>), (status = 401, body = Problem)))]
pub async fn list(
    State(state): State<SharedState>,
    _staff: Staff,
    ApiQuery(q): ApiQuery<ProposalQuery>,
) -> ApiResult<ApiJson<Vec<Proposal>>> {
    let st = match q.state.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(ProposalState::parse(s).ok_or_else(|| {
            ApiError::field(
                "state",
                sunlight_core::zh_en!("“{s}”不是调整方案的状态", "«{s}» is not a proposal state"),
            )
        })?),
        None => None,
    };
    Ok(ApiJson(
        state
            .store
            .proposals(st, q.limit.unwrap_or(100).clamp(1, 500))
            .await?,
    ))
}

/// Propose changes to the list (registry editor). Every change is checked now and again at publication.
#[utoipa::path(post, path = "/api/proposals", tag = "review", request_body = ProposalDraft,
    params(("Idempotency-Key" = Option<String>, Header, description = "retry safely")),
    responses((status = 201, body = Proposal), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiJson(draft): ApiJson<ProposalDraft>,
) -> ApiResult<(StatusCode, ApiJson<Proposal>)> {
    let p = state
        .store
        .propose(draft, Origin::Manual, &user, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, ApiJson(p)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProposalDetail {
    #[serde(flatten)]
    pub proposal: Proposal,
    pub changes: Vec<PowerChange>,
}

/// One proposal with its changes.
#[utoipa::path(get, path = "/api/proposals/{id}", tag = "review", params(("id" = i64, Path)),
    responses((status = 200, body = ProposalDetail), (status = 404, body = Problem)))]
pub async fn get(
    State(state): State<SharedState>,
    _staff: Staff,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<ApiJson<ProposalDetail>> {
    let proposal = state.store.proposal(id).await?;
    let changes = state.store.proposal_changes(id).await?;
    Ok(ApiJson(ProposalDetail { proposal, changes }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReviewNote {
    /// The reviewer's opinion (审核意见).
    #[serde(default)]
    pub note: Option<String>,
}

/// The optional `{"note": …}` body of a review act.
fn note(body: &[u8]) -> ApiResult<Option<String>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice::<ReviewNote>(body)
        .map(|n| n.note)
        .map_err(|e| {
            ApiError::field(
                "body",
                sunlight_core::zh_en!("不是审核意见：{e}", "not a review note: {e}"),
            )
        })
}

async fn act(
    state: &SharedState,
    id: i64,
    act: ReviewAct,
    user: &sunlight_core::User,
    note: Option<String>,
) -> ApiResult<ApiJson<Proposal>> {
    if act == ReviewAct::Reject && note.as_deref().is_none_or(|n| n.trim().is_empty()) {
        return Err(ApiError::field(
            "note",
            sunlight_core::zh_en!("退回应写明理由", "a rejection needs its reasons"),
        ));
    }
    Ok(ApiJson(
        state
            .store
            .review(id, act, user, note.as_deref(), state.clock.now())
            .await?,
    ))
}

/// Approve a proposal (reviewer; not the proposer).
#[utoipa::path(post, path = "/api/proposals/{id}/approve", tag = "review", params(("id" = i64, Path)), request_body = ReviewNote,
    responses((status = 200, body = Proposal), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn approve(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiPath(id): ApiPath<i64>,
    body: Bytes,
) -> ApiResult<ApiJson<Proposal>> {
    act(&state, id, ReviewAct::Approve, &user, note(&body)?).await
}

/// Reject a proposal with reasons (reviewer; not the proposer).
#[utoipa::path(post, path = "/api/proposals/{id}/reject", tag = "review", params(("id" = i64, Path)), request_body = ReviewNote,
    responses((status = 200, body = Proposal), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn reject(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiPath(id): ApiPath<i64>,
    body: Bytes,
) -> ApiResult<ApiJson<Proposal>> {
    act(&state, id, ReviewAct::Reject, &user, note(&body)?).await
}

/// Withdraw one's own proposal while it is still proposed.
#[utoipa::path(post, path = "/api/proposals/{id}/withdraw", tag = "review", params(("id" = i64, Path)),
    responses((status = 200, body = Proposal), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn withdraw(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<ApiJson<Proposal>> {
    act(&state, id, ReviewAct::Withdraw, &user, None).await
}

/// Publish an approved proposal: its changes become new versions of the list.
#[utoipa::path(post, path = "/api/proposals/{id}/publish", tag = "review", params(("id" = i64, Path)),
    responses((status = 200, body = Proposal), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn publish(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<ApiJson<Proposal>> {
    let now = state.clock.now();
    let published = state
        .store
        .publish(id, &user, now, state.zone.date(now))
        .await?;
    // The search index follows the list: rebuilt in the background, searched meanwhile as it was.
    let s = state.clone();
    tokio::spawn(async move {
        if let Err(e) = s.search.ensure(&s.store).await {
            tracing::warn!(error = %e, "search index");
        }
    });
    Ok(ApiJson(published))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// xlsx, csv or json (default: from Content-Type)
    pub format: Option<String>,
    /// The file's name, recorded with the proposal.
    pub file_name: Option<String>,
    pub title: Option<String>,
    /// The decision or document behind the list (e.g. 富政办发〔2026〕8号).
    pub reason: String,
    /// YYYY-MM-DD (default: today)
    pub effective_from: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOutcome {
    pub proposal: Proposal,
    pub rows_read: usize,
    pub unchanged: usize,
}

/// Import a power-list file (XLSX, CSV or JSON) as a proposal (registry editor).
/// A file with any problem imports nothing; the problem lists every row and column at fault.
#[utoipa::path(post, path = "/api/imports/powers", tag = "exchange", params(ImportQuery),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 201, body = ImportOutcome), (status = 422, body = Problem)))]
pub async fn import(
    State(state): State<SharedState>,
    Staff(user): Staff,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: Bytes,
) -> ApiResult<(StatusCode, ApiJson<ImportOutcome>)> {
    user.require(Role::RegistryEditor)?;
    let format = match q.format.as_deref() {
        Some(f) => Format::from_name(f).ok_or_else(|| {
            ApiError::field(
                "format",
                sunlight_core::zh_en!("“{f}”：应为 xlsx、csv 或 json", "«{f}»: xlsx, csv or json"),
            )
        })?,
        None => headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(Format::from_content_type)
            .ok_or_else(|| {
                ApiError::field(
                    "format",
                    sunlight_core::zh_en!(
                        "请在查询参数中写明 ?format=xlsx|csv|json，或发送相应的 Content-Type",
                        "say ?format=xlsx|csv|json or send a matching Content-Type"
                    ),
                )
            })?,
    };
    let effective = q
        .effective_from
        .as_deref()
        .map(|d| super::powers::parse_date("effective_from", d))
        .transpose()?;
    let file_name = q
        .file_name
        .unwrap_or_else(|| format!("upload.{}", format.extension()));
    let file = sunlight_app::import::PowersFile {
        name: &file_name,
        bytes: &body,
        format,
        title: q.title,
        reason: &q.reason,
        effective_from: effective,
    };
    let filing = sunlight_app::import::Filing::Propose(&user);
    let imported = sunlight_app::import::powers(
        &state.store,
        file,
        filing,
        state.now(),
        state.today(),
        &mut |_| {},
    )
    .await?;
    match imported {
        Imported::Unchanged { unchanged, .. } => Err(ApiError::field(
            "file",
            sunlight_core::zh_en!(
                "文件中的 {n} 项权力均已按原样列入清单，无需调整",
                "all {n} powers of the file are already listed as given; nothing to propose",
                n = unchanged,
            ),
        )),
        Imported::Filed {
            proposal,
            rows_read,
            unchanged,
            ..
        } => Ok((
            StatusCode::CREATED,
            ApiJson(ImportOutcome {
                proposal: *proposal,
                rows_read,
                unchanged,
            }),
        )),
    }
}
