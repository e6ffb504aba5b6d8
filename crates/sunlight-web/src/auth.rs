//! Who is calling: a bearer token from `POST /api/auth/login`, looked up per request.

use crate::SharedState;
use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sunlight_core::User;

/// The signed-in member of staff. Extracting it refuses anonymous calls with 401.
#[derive(Debug, Clone)]
pub struct Staff(pub User);

/// The bearer token of a request, if any.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<SharedState> for Staff {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers).ok_or_else(ApiError::unauthenticated)?;
        let user = state
            .store
            .session_user(token, state.clock.now())
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        Ok(Staff(user))
    }
}
