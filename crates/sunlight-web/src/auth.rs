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

/// Why an applicant's receipt number and query code did not open their case.
#[derive(Debug)]
pub enum Guess {
    /// Too many wrong codes for this receipt number (or from this address): wait this long.
    Locked(std::time::Duration),
    /// No such case, or the wrong code (the same answer, so receipts cannot be probed).
    Wrong,
    Failed(ApiError),
}

/// The applicant's case if `code` is its query code. Wrong guesses count against the receipt
/// number and, when given, the client's address (`who`), and lock them for a while
/// ([`crate::limiter`]); a right one clears the receipt's count.
pub async fn applicant_case(
    state: &SharedState,
    receipt: &sunlight_core::case::ReceiptNumber,
    code: &str,
    who: Option<&str>,
) -> Result<sunlight_core::case::Case, Guess> {
    // Wrong guesses count per receipt number *from this address* (and per address over all
    // receipts): someone guessing at a receipt locks out themselves, never its holder, who
    // looks it up from elsewhere. Without an address (the API), per receipt number.
    let r_key = match who {
        Some(w) => format!("receipt:{receipt}@{w}"),
        None => format!("receipt:{receipt}"),
    };
    let ip_key = who.map(|w| format!("ip:{w}"));
    let keys: Vec<&str> = std::iter::once(r_key.as_str())
        .chain(ip_key.as_deref())
        .collect();
    state.limiter.check(&keys).map_err(Guess::Locked)?;
    match state.engine.case(receipt).await {
        Ok(Some(c))
            if state
                .engine
                .query_code_matches(&c.opened.query_code_hash, code) =>
        {
            state.limiter.forget(&r_key);
            Ok(c)
        }
        Ok(_) => {
            state.limiter.fail(&keys);
            Err(Guess::Wrong)
        }
        Err(e) => Err(Guess::Failed(e.into())),
    }
}
