//! Who is calling: a bearer token from `POST /api/auth/login`, looked up per request (or, for
//! reads only, the pages' session cookie).

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
        // The pages' session cookie counts for reads only (the dashboard's board and live
        // stream): a change through the API needs the bearer token, which no other site's form
        // can send.
        let read = matches!(
            parts.method,
            axum::http::Method::GET | axum::http::Method::HEAD
        );
        let token = bearer(&parts.headers)
            .or_else(|| {
                read.then(|| crate::pages::cookie(&parts.headers, crate::pages::SESSION_COOKIE))
                    .flatten()
            })
            .ok_or_else(ApiError::unauthenticated)?;
        let user = state
            .store
            .session_user(token, state.clock.now())
            .await?
            .ok_or_else(ApiError::unauthenticated)?;
        Ok(Staff(user))
    }
}
