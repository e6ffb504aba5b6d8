//! Every error leaves the API here, as `application/problem+json` (RFC 9457) with a stable
//! `code`. The codes are listed in [`CODES`] and in the OpenAPI document; never rename one.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sunlight_core::{DomainError, ErrorCode, FieldError};
use sunlight_exchange::ImportError;
use sunlight_store::StoreError;

/// The stable error codes of the API besides the domain's ([`ErrorCode`]).
pub const CODES: &[(&str, u16, &str)] = &[
    (
        "invalid_input",
        422,
        "Some fields are malformed; `errors` lists each",
    ),
    (
        "malformed_request",
        400,
        "The body, path or query could not be read",
    ),
    (
        "unauthenticated",
        401,
        "Sign in first (Authorization: Bearer <token>)",
    ),
    ("invalid_credentials", 401, "Wrong user name or password"),
    (
        "account_locked",
        423,
        "Too many failed sign-ins; try again later",
    ),
    (
        "role_required",
        403,
        "The signed-in user lacks the role this needs",
    ),
    (
        "separation_of_duties",
        403,
        "The same person may not do both steps",
    ),
    ("not_found", 404, "No such record"),
    (
        "no_published_flow",
        422,
        "The power has no published flow; no case can run along it",
    ),
    (
        "checkout_required",
        422,
        "An uncommon power needs an open per-use approval (一事一审)",
    ),
    (
        "case_state",
        409,
        "The case is not in a state that allows this",
    ),
    (
        "task_state",
        409,
        "The task is not open, or someone else has claimed it",
    ),
    (
        "wrong_department",
        403,
        "The task belongs to another department",
    ),
    (
        "two_person_required",
        403,
        "This step needs more distinct people (不能一人入户)",
    ),
    (
        "materials_incomplete",
        422,
        "Required materials are missing; request a supplement listing them",
    ),
    (
        "outside_discretion_band",
        422,
        "The penalty lies outside its discretion band",
    ),
    (
        "no_discretion_benchmark",
        422,
        "The penalty power has no discretion benchmark",
    ),
    (
        "extension_over_allowance",
        422,
        "The extension exceeds the statutory allowance",
    ),
    (
        "suspension_reason",
        422,
        "The flow does not allow stopping the clock for this reason",
    ),
    (
        "calendar_not_loaded",
        422,
        "The calendar lacks the years the deadline runs through",
    ),
    (
        "opened_by_department",
        403,
        "Nobody applies for this power: the department opens its cases itself",
    ),
    (
        "conflict",
        409,
        "Someone changed the record meanwhile; reload",
    ),
    (
        "idempotency_key_reused",
        422,
        "This Idempotency-Key was used for a different request",
    ),
    (
        "idempotency_in_progress",
        409,
        "A request with this Idempotency-Key is still running",
    ),
    (
        "import_failed",
        422,
        "The file has problems; `errors` lists each with row and column; nothing was imported",
    ),
    (
        "changes_refused",
        422,
        "Some changes of the batch were refused; `errors` lists each",
    ),
    (
        "internal",
        500,
        "Something failed on our side; it has been logged",
    ),
];

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    pub errors: Vec<FieldError>,
}

/// The body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable reason, e.g. `power_not_in_list`.
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            code,
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "sign in first: send Authorization: Bearer <token> from POST /api/auth/login",
        )
    }

    pub fn unauthenticated_feed() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "send the feed's token in X-Feed-Token (from POST /api/feeds)",
        )
    }

    pub fn forbidden(why: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", why)
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", what)
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_input",
            detail,
            errors,
        }
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, message)])
    }

    fn internal(what: impl std::fmt::Display) -> Self {
        // Logged once here; the client learns nothing about our insides.
        tracing::error!(error = %what, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something failed on our side; it has been logged",
        )
    }

    fn title(&self) -> String {
        CODES
            .iter()
            .find(|(c, _, _)| *c == self.code)
            .map(|(_, _, t)| t.to_string())
            .unwrap_or_else(|| self.code.replace('_', " "))
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let code = e.code();
        let status = match code {
            ErrorCode::InvalidInput
            | ErrorCode::UnknownReference
            | ErrorCode::EffectiveDateRegression
            | ErrorCode::InvalidDelegation
            | ErrorCode::InvalidMergeTarget
            | ErrorCode::PowerNotInList
            | ErrorCode::NoPublishedFlow
            | ErrorCode::CheckoutRequired
            | ErrorCode::MaterialsIncomplete
            | ErrorCode::OutsideDiscretionBand
            | ErrorCode::NoDiscretionBenchmark
            | ErrorCode::ExtensionOverAllowance
            | ErrorCode::SuspensionReason
            | ErrorCode::CalendarNotLoaded => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::RoleRequired
            | ErrorCode::OpenedByDepartment
            | ErrorCode::SeparationOfDuties
            | ErrorCode::WrongDepartment
            | ErrorCode::TwoPersonRequired => StatusCode::FORBIDDEN,
            ErrorCode::DuplicatePowerCode
            | ErrorCode::InvalidTransition
            | ErrorCode::ProposalState
            | ErrorCode::CaseState
            | ErrorCode::TaskState => StatusCode::CONFLICT,
        };
        let errors = e.field_errors().to_vec();
        Self {
            status,
            code: code.as_str(),
            detail: e.to_string(),
            errors,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Domain(d) => d.into(),
            StoreError::Rejected(list) => {
                let first_code = list.first().map(|c| c.error.code());
                let same = list.iter().all(|c| Some(c.error.code()) == first_code);
                let code = match first_code {
                    Some(c) if same && c != ErrorCode::InvalidInput => c.as_str(),
                    _ => "changes_refused",
                };
                let mut errors = Vec::new();
                for c in &list {
                    let prefix = format!("changes[{}]", c.index);
                    match &c.error {
                        DomainError::Invalid(fs) => {
                            errors.extend(fs.iter().map(|f| f.clone().within(&prefix)))
                        }
                        other => errors.push(FieldError::new(prefix, other.to_string())),
                    }
                }
                let detail = format!("{} change(s) refused; nothing was written", list.len());
                Self {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    code,
                    detail,
                    errors,
                }
            }
            StoreError::NotFound { what, key } => {
                Self::not_found(format!("{what} «{key}» not found"))
            }
            StoreError::Conflict(m) => Self::new(StatusCode::CONFLICT, "conflict", m),
            other => Self::internal(other),
        }
    }
}

impl From<sunlight_engine::EngineError> for ApiError {
    fn from(e: sunlight_engine::EngineError) -> Self {
        match e {
            sunlight_engine::EngineError::Domain(d) => d.into(),
            sunlight_engine::EngineError::Store(s) => s.into(),
            sunlight_engine::EngineError::Stopped => Self::internal("the case engine has stopped"),
        }
    }
}

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "import_failed",
            detail: format!(
                "{} problem(s) in the file after {} data rows; nothing was imported",
                e.errors.len(),
                e.rows_read
            ),
            errors: e.errors,
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => Self::field("body", e.body_text()),
            other => Self::new(
                StatusCode::BAD_REQUEST,
                "malformed_request",
                other.body_text(),
            ),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        Self::field("query", r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "malformed_request", r.body_text())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = Problem {
            kind: format!("urn:sunlight:problem:{}", self.code),
            title: self.title(),
            status: self.status.as_u16(),
            detail: self.detail,
            code: self.code.to_string(),
            errors: self.errors,
        };
        let mut resp = (self.status, axum::Json(problem)).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        resp
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// `Json` whose rejections come back as problems.
#[derive(Debug, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `Query` whose rejections come back as problems.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// `Path` whose rejections come back as problems.
#[derive(Debug, axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);
