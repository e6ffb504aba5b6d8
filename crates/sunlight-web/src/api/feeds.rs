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
use sunlight_core::supervision::feed::FeedEvent;
use sunlight_core::{FieldError, Role};
use sunlight_store::{FeedReceipt, FeedSource};
use utoipa::ToSchema;

/// At most this many events in one batch.
pub const MAX_EVENTS: usize = 10_000;

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
    let name = body.name.trim();
    if name.len() < 2
        || name.len() > 32
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(ApiError::field(
            "name",
            sunlight_core::zh_en!(
                "名称应为 2–32 位小写字母、数字或连字符，如 zjb-jst",
                "2–32 lower-case letters, digits and hyphens, e.g. zjb-jst"
            ),
        ));
    }
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(format!("random token: {e}")))?;
    let token = format!("slf_{}", hex::encode(bytes));
    let feed = state
        .store
        .add_feed_source(
            name,
            body.department.trim(),
            &token,
            user.username.as_str(),
            state.clock.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, ApiJson(FeedCreated { feed, token })))
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

/// Reads `{"events": [...]}` event by event, so that each problem names its event and field.
fn parse_batch(body: &[u8]) -> Result<Vec<FeedEvent>, ApiError> {
    let doc: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        ApiError::field(
            "body",
            sunlight_core::zh_en!("不是 JSON：{e}", "not JSON: {e}"),
        )
    })?;
    let Some(items) = doc.get("events").and_then(|v| v.as_array()) else {
        return Err(ApiError::field(
            "events",
            sunlight_core::zh_en!(
                "请求内容应为 {{\"events\": [ … ]}}，即事件数组",
                "the body is {{\"events\": [ … ]}}, an array of events"
            ),
        ));
    };
    if items.is_empty() || items.len() > MAX_EVENTS {
        return Err(ApiError::field(
            "events",
            sunlight_core::zh_en!(
                "每批 1 至 {MAX_EVENTS} 个事件，本批有 {n} 个",
                "1 to {MAX_EVENTS} events per batch; this one has {n}",
                n = items.len(),
            ),
        ));
    }
    let mut errors: Vec<FieldError> = Vec::new();
    let mut events = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = format!("events[{i}]");
        match serde_path_to_error::deserialize::<_, FeedEvent>(item) {
            Ok(e) => {
                errors.extend(e.validate(&path));
                events.push(e);
            }
            Err(err) => {
                let at = err.path().to_string();
                let field = if at == "." || at.is_empty() {
                    path
                } else {
                    format!("{path}.{at}")
                };
                let why = err.into_inner().to_string();
                errors.push(FieldError::new(
                    field,
                    sunlight_core::zh_en!("格式不符：{why}", "{why}"),
                ));
            }
        }
        if errors.len() >= 500 {
            break;
        }
    }
    if errors.is_empty() {
        Ok(events)
    } else {
        Err(ApiError::invalid(errors))
    }
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
    let events = parse_batch(&body)?;
    let receipt = state
        .store
        .ingest_feed(
            &source,
            &events,
            &state.engine.config().supervision,
            state.zone,
            state.clock.now(),
        )
        .await?;
    Ok(ApiJson(receipt))
}
