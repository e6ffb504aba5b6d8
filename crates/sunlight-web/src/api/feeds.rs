//! Outside feeds (业务系统接入): administrators register a department's business system and
//! hand it a token once; the system posts its case events to `POST /api/feeds/events` with
//! `X-Feed-Token`. The event format is `supervision::feed::FeedEvent` (documented there and
//! in the OpenAPI schema). A batch with any malformed event is refused whole, every problem
//! named by `events[i].field`; events taken before (same `source_id`) are listed as
//! duplicates and change nothing.

use crate::SharedState;
use crate::auth::Staff;
use crate::error::{ApiError, ApiJson, ApiResult, Problem};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use sunlight_core::Role;
use sunlight_core::supervision::feed::FeedEvent;
use sunlight_store::{FeedReceipt, FeedSource};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewFeed {
    /// A short name: lower-case letters, digits and hyphens (`zjb-jst`).
    pub name: String,
    /// The department's unified social credit code.
    pub department: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedCreated {
    pub feed: FeedSource,
    /// Shown this once; keep it in the business system's configuration.
    pub token: String,
}

/// Register a department's business system (admin).
#[utoipa::path(post, path = "/api/feeds", tag = "supervision", request_body = NewFeed,
    responses((status = 201, body = FeedCreated), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn create(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiJson(body): ApiJson<NewFeed>,
) -> ApiResult<(StatusCode, ApiJson<FeedCreated>)> {
    user.require(Role::Admin)?;
    let r = state
        .register_feed(&body.name, &body.department, &user)
        .await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(FeedCreated {
            feed: r.feed,
            token: r.token,
        }),
    ))
}

/// The registered business systems (admin, supervisors).
#[utoipa::path(get, path = "/api/feeds", tag = "supervision",
    responses((status = 200, body = Vec<FeedSource>), (status = 403, body = Problem)))]
pub async fn list(
    State(state): State<SharedState>,
    Staff(user): Staff,
) -> ApiResult<ApiJson<Vec<FeedSource>>> {
    if !user.has(Role::Supervisor) {
        user.require(Role::Admin)?;
    }
    Ok(ApiJson(state.store.feed_sources().await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct FeedBatch {
    pub events: Vec<FeedEvent>,
}

/// Take a batch of case events from a business system (`X-Feed-Token`). The same rules as
/// for the engine's cases watch them; their alerts are raised at once, and the fed cases are
/// timed (colours, deadlines) like any other.
#[utoipa::path(post, path = "/api/feeds/events", tag = "supervision", request_body = FeedBatch,
    responses((status = 200, body = FeedReceipt), (status = 401, body = Problem), (status = 422, body = Problem)))]
pub async fn ingest(
    State(state): State<SharedState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<ApiJson<FeedReceipt>> {
    let token = headers
        .get("x-feed-token")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(ApiError::unauthenticated_feed)?;
    let source = state
        .store
        .feed_source_by_token(token)
        .await?
        .ok_or_else(ApiError::unauthenticated_feed)?;
    let receipt = state.ingest_feed(&source, &body).await?;
    Ok(ApiJson(receipt))
}
