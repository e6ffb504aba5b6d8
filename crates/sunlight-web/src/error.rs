//! Every error leaves here: the API's as `application/problem+json` (RFC 9457), the pages' as an
//! HTML page ([`crate::pages::PageError`]) built from the same [`ApiError`].
//!
//! A problem's `code` is a [`Code`] — the one list of codes, with the HTTP status of each — so
//! nothing can answer with a code that is not listed (and in the OpenAPI document). Its `title`,
//! `detail` and each field's `message` are in the language of the request: the API reads
//! `Accept-Language` (Chinese unless English is preferred), the pages the visitor's choice.
//!
//! Every server error is logged once, by [`layer`], and says nothing to the client.

use axum::extract::Request;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use sunlight_core::{DomainError, FieldError, zh_en};
use sunlight_exchange::ImportError;
use sunlight_store::StoreError;

pub use sunlight_core::{Code, Lang, Text};

tokio::task_local! {
    /// The language of the request being answered.
    static LANG: Lang;
}

/// The language of the request being answered (Chinese outside a request).
pub fn lang() -> Lang {
    LANG.try_with(|l| *l).unwrap_or_default()
}

/// A refusal or failure, in both languages, with its code.
#[derive(Debug)]
pub struct ApiError {
    pub code: Code,
    pub detail: Text,
    pub errors: Vec<FieldError>,
    /// What failed inside, for `internal`: logged once by [`layer`], never shown.
    cause: Option<String>,
}

/// The body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:sunlight:problem:{code}`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The code's title, in the request's language.
    pub title: String,
    pub status: u16,
    /// What happened, in the request's language.
    pub detail: String,
    /// Stable machine-readable reason, e.g. `power_not_in_list`.
    pub code: Code,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// One field's problem.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    /// 1-based row of a sheet, when the input was a sheet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// 1-based line of a text file (CSV, JSON, flow source), when the input was text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The field, as a path (`guide.materials[2].copies`) or a sheet column heading.
    pub field: String,
    /// What a form calls the field (`办事指南 · 申请材料第3项 · 份数`), when it has words for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The problem, in the request's language.
    pub message: String,
}

impl ApiError {
    pub fn new(code: Code, detail: Text) -> Self {
        Self {
            code,
            detail,
            errors: Vec::new(),
            cause: None,
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            Code::Unauthenticated,
            zh_en!(
                "请先登录：使用 POST /api/auth/login 取得的令牌，在 Authorization: Bearer <令牌> 中发送",
                "sign in first: send Authorization: Bearer <token> from POST /api/auth/login"
            ),
        )
    }

    pub fn unauthenticated_feed() -> Self {
        Self::new(
            Code::Unauthenticated,
            zh_en!(
                "请在 X-Feed-Token 中发送数据接入的令牌（由 POST /api/feeds 取得）",
                "send the feed's token in X-Feed-Token (from POST /api/feeds)"
            ),
        )
    }

    pub fn forbidden(why: Text) -> Self {
        Self::new(Code::Forbidden, why)
    }

    pub fn not_found(what: Text) -> Self {
        Self::new(Code::NotFound, what)
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        Self {
            detail: DomainError::Invalid(errors.clone()).text(),
            ..Self::new(Code::InvalidInput, Text::fixed("", ""))
        }
        .with_errors(errors)
    }

    pub fn field(field: &str, message: Text) -> Self {
        Self::invalid(vec![FieldError::new(field, message)])
    }

    /// A failure on our side. `cause` is logged once (by [`layer`]); the client learns only
    /// that something failed.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Self {
            cause: Some(cause.to_string()),
            ..Self::new(Code::Internal, Code::Internal.title())
        }
    }

    fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    /// What failed inside, for an internal error (for operators' tools; never for clients).
    pub fn cause(&self) -> Option<&str> {
        self.cause.as_deref()
    }

    pub fn is_internal(&self) -> bool {
        self.code == Code::Internal
    }

    /// The problem in `lang`. An internal error says nothing but that it happened.
    pub fn problem(&self, lang: Lang) -> Problem {
        let title = self.code.title().get(lang).to_string();
        let (detail, errors) = if self.is_internal() {
            (title.clone(), Vec::new())
        } else {
            (
                self.detail.get(lang).to_string(),
                self.errors
                    .iter()
                    .map(|e| ProblemField {
                        row: e.row,
                        line: e.line,
                        field: e.field.clone(),
                        label: e.label().map(|l| l.get(lang).to_string()),
                        message: e.message.get(lang).to_string(),
                    })
                    .collect(),
            )
        };
        Problem {
            kind: format!("urn:sunlight:problem:{}", self.code),
            title,
            status: self.code.status(),
            detail,
            code: self.code,
            errors,
        }
    }

    /// What a page says about the problem, line by line, in `lang`: each field's problem with
    /// its label (never its path), else the detail.
    pub fn lines(&self, lang: Lang) -> Vec<String> {
        if self.is_internal() {
            vec![self.code.title().get(lang).to_string()]
        } else if self.errors.is_empty() {
            vec![self.detail.get(lang).to_string()]
        } else {
            self.errors.iter().map(|e| e.describe(lang)).collect()
        }
    }

    /// Hands the cause of an internal error to a response, for [`layer`] to log.
    pub(crate) fn mark(&self, resp: &mut Response) {
        if self.is_internal() {
            resp.extensions_mut().insert(Cause(
                self.cause
                    .clone()
                    .unwrap_or_else(|| self.detail.en.to_string()),
            ));
        }
    }
}

/// The cause of a server error, carried from where it happened to [`layer`], which logs it.
#[derive(Debug, Clone)]
pub(crate) struct Cause(pub String);

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        Self {
            detail: e.text(),
            ..Self::new(e.code(), Text::fixed("", ""))
        }
        .with_errors(e.field_errors().to_vec())
    }
}

/// What a store's `what` is called.
fn record_name(what: &str) -> (&'static str, &'static str) {
    match what {
        "accountability" => ("问责措施", "accountability measure"),
        "alert" => ("预警", "alert"),
        "case" => ("办件", "case"),
        "checkout" => ("一事一审申请", "per-use approval"),
        "complaint" => ("投诉", "complaint"),
        "department" => ("部门", "department"),
        "feed" => ("数据接入", "feed"),
        "power" => ("权力事项", "power"),
        "proposal" => ("调整方案", "proposal"),
        "region" => ("行政区划", "region"),
        "user" => ("用户", "user"),
        _ => ("记录", "record"),
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
                    Some(c) if same && c != Code::InvalidInput => c,
                    _ => Code::ChangesRefused,
                };
                let mut errors = Vec::new();
                for c in &list {
                    let prefix = format!("changes[{}]", c.index);
                    match &c.error {
                        DomainError::Invalid(fs) => {
                            errors.extend(fs.iter().map(|f| f.clone().within(&prefix)))
                        }
                        other => errors.push(FieldError::new(prefix, other.text())),
                    }
                }
                let n = list.len();
                Self::new(
                    code,
                    zh_en!(
                        "{n} 项调整未通过，未写入任何内容",
                        "{n} change(s) refused; nothing was written"
                    ),
                )
                .with_errors(errors)
            }
            StoreError::NotFound { what, key } => {
                let (zh, en) = record_name(what);
                Self::not_found(zh_en!("没有{zh}“{key}”", "{en} «{key}» not found"))
            }
            StoreError::Conflict(m) => Self::new(Code::Conflict, m),
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

impl From<sunlight_app::AppError> for ApiError {
    fn from(e: sunlight_app::AppError) -> Self {
        use sunlight_app::AppError;
        match e {
            AppError::Domain(d) => d.into(),
            AppError::File(f) => f.into(),
            AppError::Store(s) => s.into(),
            AppError::Engine(e) => e.into(),
            AppError::Internal(cause) => Self::internal(cause),
        }
    }
}

impl From<ImportError> for ApiError {
    fn from(e: ImportError) -> Self {
        let (n, rows) = (e.errors.len(), e.rows_read);
        Self::new(
            Code::ImportFailed,
            zh_en!(
                "读取 {rows} 行数据后发现 {n} 处问题，未导入任何内容",
                "{n} problem(s) in the file after {rows} data rows; nothing was imported"
            ),
        )
        .with_errors(e.errors)
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonDataError(e) => {
                let why = e.body_text();
                Self::field("body", zh_en!("请求内容与接口不符：{why}", "{why}"))
            }
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                too_large()
            }
            other => {
                let why = other.body_text();
                Self::new(
                    Code::MalformedRequest,
                    zh_en!("无法读取请求内容：{why}", "{why}"),
                )
            }
        }
    }
}

/// The body is larger than we read.
pub(crate) fn too_large() -> ApiError {
    let mb = crate::idempotency::MAX_BODY / (1024 * 1024);
    ApiError::new(
        Code::PayloadTooLarge,
        zh_en!(
            "提交的内容超过 {mb} MB 的上限",
            "the body is larger than the {mb} MB limit"
        ),
    )
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        let why = r.body_text();
        Self::field("query", zh_en!("查询条件有误：{why}", "{why}"))
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        let why = r.body_text();
        Self::new(Code::MalformedRequest, zh_en!("路径有误：{why}", "{why}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem(lang());
        let mut resp = (self.status(), axum::Json(problem)).into_response();
        resp.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        self.mark(&mut resp);
        resp
    }
}

/// Around every request: answers problems in the request's language (`Accept-Language`,
/// Chinese unless English is preferred), and logs every server error once — with the cause
/// its [`ApiError`] or page carried — making sure its body says nothing about our insides.
pub async fn layer(req: Request, next: Next) -> Response {
    let lang = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default();
    let page_lang = match crate::pages::cookie(req.headers(), crate::pages::LANG_COOKIE) {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    };
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let mut resp = LANG.scope(lang, next.run(req)).await;
    if resp.status().is_server_error() {
        let status = resp.status().as_u16();
        match resp.extensions_mut().remove::<Cause>() {
            Some(Cause(cause)) => {
                tracing::error!(%method, %path, status, error = %cause, "internal error");
            }
            None => {
                // Not made by our error types: its body may say anything; replace it.
                tracing::error!(%method, %path, status, "internal error (no cause given)");
                let quiet = ApiError::internal("");
                resp = if path.starts_with("/api/") {
                    let mut r = (resp.status(), axum::Json(quiet.problem(lang))).into_response();
                    r.headers_mut().insert(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/problem+json"),
                    );
                    r
                } else {
                    crate::pages::bare_error_page(page_lang, resp.status())
                };
            }
        }
    }
    resp
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

/// The language the API answers in, for handlers whose successful answers hold text for
/// people (the flow check's problems).
#[derive(Debug, Clone, Copy)]
pub struct AcceptLang(pub Lang);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for AcceptLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(AcceptLang(
            parts
                .headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .map(Lang::from_accept_language)
                .unwrap_or_default(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_says_nothing_and_carries_its_cause() {
        let e = ApiError::internal("disk on fire at /var/lib/x");
        for lang in [Lang::Zh, Lang::En] {
            let p = serde_json::to_string(&e.problem(lang)).unwrap();
            assert!(!p.contains("disk"), "{p}");
        }
        let resp = e.into_response();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(resp.extensions().get::<Cause>().unwrap().0.contains("disk"));
    }

    /// Log lines written while the guard lives, for counting what was logged.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
        }
    }

    #[tokio::test]
    async fn every_server_error_is_logged_once_and_says_nothing() {
        use axum::routing::get;
        use tower::ServiceExt;
        let log = Captured::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = axum::Router::new()
            .route(
                "/api/ours",
                get(|| async { ApiError::internal("pool timed out at db-7") }),
            )
            .route(
                "/api/bare",
                get(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "panic at src/x.rs:12") }),
            )
            .route(
                "/page",
                get(|| async { (StatusCode::BAD_GATEWAY, "upstream 10.0.0.7 refused") }),
            )
            .layer(axum::middleware::from_fn(layer))
            .layer(tower_http::trace::TraceLayer::new_for_http().on_failure(()));
        for (uri, secret) in [
            ("/api/ours", "db-7"),
            ("/api/bare", "src/x.rs"),
            ("/page", "10.0.0.7"),
        ] {
            let before = log.text().matches("internal error").count();
            let resp = app
                .clone()
                .oneshot(
                    Request::builder()
                        .uri(uri)
                        .body(axum::body::Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            assert!(resp.status().is_server_error(), "{uri}");
            let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
                .await
                .unwrap();
            let body = String::from_utf8_lossy(&body);
            assert!(!body.contains(secret), "{uri}: {body}");
            assert!(
                body.contains(Code::Internal.title().zh.as_ref()),
                "{uri}: {body}"
            );
            let logged = log.text();
            assert_eq!(
                logged.matches("internal error").count() - before,
                1,
                "{uri}: {logged}"
            );
        }
        // The cause reaches the log, not the client.
        assert!(log.text().contains("db-7"), "{}", log.text());
    }

    #[test]
    fn every_code_answers_with_its_own_status() {
        for c in Code::ALL {
            let e = ApiError::new(*c, Text::fixed("说明", "detail"));
            assert_eq!(e.status().as_u16(), c.status(), "{c}");
            let p = e.problem(Lang::Zh);
            assert_eq!(p.status, c.status());
            assert_eq!(p.title, c.title().zh);
            assert_eq!(serde_json::to_value(&p).unwrap()["code"], c.as_str());
        }
    }
}
