//! `Idempotency-Key` on every mutating call: a retried request gets the first response back
//! and changes nothing again. Keys are scoped to the caller (their session token's hash).

use crate::SharedState;
use crate::error::{ApiError, Code};
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use sunlight_store::Claim;

pub const HEADER: &str = "idempotency-key";
/// The largest body remembered (an imported sheet).
pub const MAX_BODY: usize = 64 * 1024 * 1024;

pub async fn layer(State(state): State<SharedState>, req: Request, next: Next) -> Response {
    if !matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    ) {
        return next.run(req).await;
    }
    let Some(key) = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
    else {
        return next.run(req).await;
    };
    if key.is_empty() || key.len() > 255 {
        return ApiError::field(
            "Idempotency-Key",
            sunlight_core::zh_en!("长度应为 1 至 255 个字符", "between 1 and 255 characters"),
        )
        .into_response();
    }
    let principal = crate::auth::bearer(req.headers())
        .map(|t| hex::encode(Sha256::digest(t.as_bytes())))
        .unwrap_or_else(|| "anonymous".into());
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return crate::error::too_large().into_response(),
    };
    let mut h = Sha256::new();
    h.update(parts.method.as_str().as_bytes());
    h.update(parts.uri.to_string().as_bytes());
    h.update(&bytes);
    let request_hash = hex::encode(h.finalize());
    let store = &state.store;
    match store
        .idempotency_claim(&principal, &key, &request_hash, state.clock.now())
        .await
    {
        Err(e) => ApiError::from(e).into_response(),
        Ok(Claim::Mismatch) => ApiError::new(
            Code::IdempotencyKeyReused,
            sunlight_core::zh_en!(
                "幂等键“{key}”已用于另一个请求",
                "Idempotency-Key «{key}» was already used for a different request"
            ),
        )
        .into_response(),
        Ok(Claim::InProgress) => ApiError::new(
            Code::IdempotencyInProgress,
            sunlight_core::zh_en!(
                "使用幂等键“{key}”的请求仍在处理中",
                "a request with Idempotency-Key «{key}» is still running"
            ),
        )
        .into_response(),
        Ok(Claim::Replay {
            status,
            content_type,
            body,
        }) => {
            let mut resp = Response::new(Body::from(body));
            *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            if let Ok(ct) = HeaderValue::from_str(&content_type) {
                resp.headers_mut().insert(header::CONTENT_TYPE, ct);
            }
            resp.headers_mut()
                .insert("idempotent-replayed", HeaderValue::from_static("true"));
            resp
        }
        Ok(Claim::Fresh) => {
            let resp = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            let (rparts, rbody) = resp.into_parts();
            let rbytes = match to_bytes(rbody, MAX_BODY).await {
                Ok(b) => b,
                Err(e) => {
                    let _ = store.idempotency_release(&principal, &key).await;
                    return ApiError::internal(format!("reading the response: {e}"))
                        .into_response();
                }
            };
            let outcome = if rparts.status.is_server_error() {
                store.idempotency_release(&principal, &key).await
            } else {
                let ct = rparts
                    .headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                store
                    .idempotency_finish(&principal, &key, rparts.status.as_u16(), ct, &rbytes)
                    .await
            };
            if let Err(e) = outcome {
                tracing::error!(error = %e, "could not record idempotent response");
            }
            Response::from_parts(rparts, Body::from(rbytes))
        }
    }
}
