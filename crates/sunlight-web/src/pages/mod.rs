//! The pages people see: the public portal (no login), the staff workbench and the
//! supervision dashboard. Server-rendered with askama (templates checked at compile time),
//! Chinese first with an English switch, every asset embedded in the binary.
//!
//! Sessions: signing in on `/login` sets an HttpOnly, SameSite=Strict cookie holding the same
//! session token the API hands out. Every form carries a CSRF token: for a signed-in visitor it
//! is derived from the session token (so it cannot be planted by another site), for anonymous
//! visitors it is the double-submit value of their `sl_csrf` cookie. The cookie is accepted by
//! the API only for reads (`GET`, the dashboard's live stream); changes through the API still
//! need a bearer token, so no cross-site form can drive it.

// A page handler's early return is a whole response (a redirect to sign in, a refusal page).
#![allow(clippy::result_large_err)]

mod admin;
pub mod charts;
mod opendata;
mod portal;
mod registry;
mod watch;
mod work;

use crate::SharedState;
use crate::error::{ApiError, Code};
use askama::Template;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use sha2::{Digest, Sha256};
use sunlight_core::{Role, User, zh_en};

/// The language of the page: the visitor's choice (the `sl_lang` cookie), Chinese by default.
pub use sunlight_core::Lang;

pub(crate) const SESSION_COOKIE: &str = "sl_session";
const CSRF_COOKIE: &str = "sl_csrf";
pub(crate) const LANG_COOKIE: &str = "sl_lang";

/// A cookie's value from the request headers.
pub(crate) fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    hex::encode(bytes)
}

fn csrf_for_session(token: &str) -> String {
    hex::encode(&Sha256::digest(format!("sunlight csrf\0{token}"))[..16])
}

/// Who is looking at a page: language, the signed-in member of staff if any, the CSRF token.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub lang: Lang,
    pub user: Option<User>,
    pub csrf: String,
    /// The anonymous CSRF cookie must be set with the response.
    new_csrf: bool,
    /// The path and query of this page (the language switch comes back to it).
    pub here: String,
}

impl FromRequestParts<SharedState> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let h = &parts.headers;
        let lang = match cookie(h, LANG_COOKIE) {
            Some("en") => Lang::En,
            _ => Lang::Zh,
        };
        let mut user = None;
        let mut csrf = None;
        if let Some(token) = cookie(h, SESSION_COOKIE)
            && let Ok(Some(u)) = state.store.session_user(token, state.clock.now()).await
        {
            user = Some(u);
            csrf = Some(csrf_for_session(token));
        }
        let (csrf, new_csrf) = match (csrf, cookie(h, CSRF_COOKIE)) {
            (Some(c), _) => (c, false),
            (None, Some(c)) if c.len() == 32 && c.bytes().all(|b| b.is_ascii_hexdigit()) => {
                (c.to_string(), false)
            }
            _ => (random_hex(16), true),
        };
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        Ok(Visitor {
            lang,
            user,
            csrf,
            new_csrf,
            here,
        })
    }
}

impl Visitor {
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        self.lang.t(zh, en)
    }

    pub fn has(&self, role: Role) -> bool {
        self.user.as_ref().is_some_and(|u| u.roles.contains(&role))
    }

    pub fn oversees(&self) -> bool {
        self.user.as_ref().is_some_and(User::oversees)
    }

    pub fn works_cases(&self) -> bool {
        self.has(Role::WindowClerk) || self.has(Role::CaseOfficer) || self.has(Role::Approver)
    }

    pub fn display_name(&self) -> &str {
        self.user
            .as_ref()
            .map(|u| u.display_name.as_str())
            .unwrap_or("")
    }

    /// Whether a submitted form's token is this visitor's.
    pub fn csrf_ok(&self, submitted: &str) -> bool {
        !self.new_csrf && constant_time_eq(self.csrf.as_bytes(), submitted.trim().as_bytes())
    }

    /// The signed-in member of staff, or a redirect to the sign-in page.
    pub fn staff(&self) -> Result<&User, Response> {
        self.user.as_ref().ok_or_else(|| {
            Redirect::to(&format!("/login?next={}", urlencode(&self.here))).into_response()
        })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `path` if it is a path on this site that may be redirected to: it starts with one `/`, has
/// no backslash and no control character (which would make the `Location` header invalid, or
/// split it).
pub(crate) fn local_path(path: &str) -> Option<&str> {
    (path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control))
    .then_some(path)
}

pub(crate) fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Renders a page with the security headers every page carries.
pub(crate) fn render(v: &Visitor, status: StatusCode, page: &impl Template) -> Response {
    match page.render() {
        Ok(html) => {
            let mut resp = (status, html).into_response();
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            secure(h);
            if v.new_csrf
                && let Ok(c) = HeaderValue::from_str(&format!(
                    "{CSRF_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict",
                    v.csrf
                ))
            {
                h.append(header::SET_COOKIE, c);
            }
            resp
        }
        Err(e) => {
            let mut resp = bare_error_page(v.lang, StatusCode::INTERNAL_SERVER_ERROR);
            ApiError::internal(format!("template: {e}")).mark(&mut resp);
            resp
        }
    }
}

/// A problem as a page, in the visitor's language: the code's title as its heading, what
/// happened below it (each field by its label, never its path). A failure on our side says only
/// that it happened; its cause goes to the log, once (`error::layer`).
pub(crate) struct PageError {
    v: Visitor,
    error: ApiError,
}

impl PageError {
    pub fn new(v: &Visitor, e: impl Into<ApiError>) -> Self {
        Self {
            v: v.clone(),
            error: e.into(),
        }
    }
}

#[derive(Template)]
#[template(path = "problem.html")]
struct ProblemPage<'a> {
    v: &'a Visitor,
    code: &'static str,
    title: String,
    lines: Vec<String>,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let v = &self.v;
        let mut resp = render(
            v,
            self.error.status(),
            &ProblemPage {
                v,
                code: self.error.code.as_str(),
                title: self.error.code.title().get(v.lang).to_string(),
                lines: self.error.lines(v.lang),
            },
        );
        self.error.mark(&mut resp);
        resp
    }
}

/// A server error page that needs nothing but the language (for failures that left no
/// page to render).
pub(crate) fn bare_error_page(lang: Lang, status: StatusCode) -> Response {
    let title = Code::Internal.title();
    let html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><link rel=\"stylesheet\" href=\"/assets/app.css\"></head><body><main id=\"main\"><section class=\"card\" id=\"problem\" data-code=\"internal\"><h1>{}</h1><p><a href=\"/\">{}</a></p></section></main></body></html>",
        lang.tag(),
        title.get(lang),
        title.get(lang),
        lang.t("返回首页", "Back to the home page"),
    );
    let mut resp = (status, html).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure(h);
    resp
}

/// What a form that was refused shows above itself: the status to answer with and each
/// problem in the visitor's language. A failure on our side is no refusal: it becomes the
/// error page instead.
pub(crate) fn refusal(
    v: &Visitor,
    e: impl Into<ApiError>,
) -> Result<(StatusCode, Vec<String>), Response> {
    let e = e.into();
    if e.is_internal() {
        Err(PageError::new(v, e).into_response())
    } else {
        Ok((e.status(), e.lines(v.lang)))
    }
}

/// The same, as one line.
pub(crate) fn refusal_text(
    v: &Visitor,
    e: impl Into<ApiError>,
) -> Result<(StatusCode, String), Response> {
    refusal(v, e).map(|(s, lines)| (s, lines.join(v.t("；", "; "))))
}

fn secure(h: &mut axum::http::HeaderMap) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// A page that only says something (an error, a refusal, a confirmation).
#[derive(Template)]
#[template(path = "message.html")]
pub(crate) struct Message<'a> {
    pub v: &'a Visitor,
    pub title: String,
    pub text: String,
    pub back: Option<(String, String)>,
}

/// The refusal of a form whose CSRF token is missing or wrong.
pub(crate) fn csrf_refused(v: &Visitor) -> Response {
    PageError::new(
        v,
        ApiError::new(
            Code::CsrfRejected,
            zh_en!(
                "表单校验码无效或缺失（CSRF）。请返回上一页刷新后重试。",
                "The form's check token (CSRF) is missing or wrong. Go back, reload the page and try again."
            ),
        ),
    )
    .into_response()
}

pub(crate) fn forbidden(v: &Visitor) -> Response {
    PageError::new(
        v,
        ApiError::forbidden(zh_en!(
            "您的角色不能访问此页面。",
            "Your role may not open this page."
        )),
    )
    .into_response()
}

/// A posted form whose CSRF token was checked before the handler runs (a missing or wrong token
/// is answered with the refusal page), with the visitor who posted it.
pub(crate) struct Posted {
    pub v: Visitor,
    pub form: FormData,
}

impl axum::extract::FromRequest<SharedState> for Posted {
    type Rejection = Response;

    async fn from_request(
        req: axum::extract::Request,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let Ok(v) = Visitor::from_request_parts(&mut parts, state).await;
        let req = axum::extract::Request::from_parts(parts, body);
        let axum::extract::RawForm(bytes) = axum::extract::RawForm::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let form = FormData::parse(&bytes);
        if !v.csrf_ok(form.get("csrf")) {
            return Err(csrf_refused(&v));
        }
        Ok(Posted { v, form })
    }
}

/// A posted multipart form (one with files), CSRF-checked like [`Posted`]: its text fields and
/// its non-empty files by field name (a plain form is read too, without files). A body over the route's limit is refused with a page
/// that says so.
pub(crate) struct Uploaded {
    pub v: Visitor,
    pub form: FormData,
    pub files: Vec<(String, Vec<u8>)>,
}

impl axum::extract::FromRequest<SharedState> for Uploaded {
    type Rejection = Response;

    async fn from_request(
        req: axum::extract::Request,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let Ok(v) = Visitor::from_request_parts(&mut parts, state).await;
        let multipart = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|c| c.to_str().ok())
            .is_some_and(|c| c.starts_with("multipart/form-data"));
        let req = axum::extract::Request::from_parts(parts, body);
        if !multipart {
            // A form without files (no file chosen, or a client that never sends any).
            let Posted { v, form } = Posted::from_request(req, state).await?;
            return Ok(Uploaded {
                v,
                form,
                files: vec![],
            });
        }
        let unreadable = |v: &Visitor, detail: String| {
            tracing::info!(%detail, "an upload could not be read");
            PageError::new(
                v,
                ApiError::new(
                    Code::InvalidInput,
                    zh_en!(
                        "上传的表单无法读取（文件可能过大，合计不能超过 {mb} MB）。请返回重新选择文件。",
                        "The uploaded form could not be read (the files may be too large: {mb} MB in all at most). Go back and choose the files again.",
                        mb = crate::idempotency::MAX_BODY / 1_000_000,
                    ),
                ),
            )
            .into_response()
        };
        let mut mp = match axum::extract::Multipart::from_request(req, state).await {
            Ok(m) => m,
            Err(e) => return Err(unreadable(&v, e.to_string())),
        };
        let (mut fields, mut files) = (Vec::new(), Vec::new());
        loop {
            match mp.next_field().await {
                Ok(None) => break,
                Ok(Some(field)) => {
                    let name = field.name().unwrap_or_default().to_string();
                    let is_file = field.file_name().is_some();
                    match field.bytes().await {
                        Ok(b) if is_file => {
                            if !b.is_empty() {
                                files.push((name, b.to_vec()));
                            }
                        }
                        Ok(b) => fields.push((name, String::from_utf8_lossy(&b).into_owned())),
                        Err(e) => return Err(unreadable(&v, e.to_string())),
                    }
                }
                Err(e) => return Err(unreadable(&v, e.to_string())),
            }
        }
        let form = FormData(fields);
        if !v.csrf_ok(form.get("csrf")) {
            return Err(csrf_refused(&v));
        }
        Ok(Uploaded { v, form, files })
    }
}

/// The power in force with this code, or the page saying there is none (清单之外无权力).
pub(crate) async fn listed_power(
    state: &SharedState,
    v: &Visitor,
    code: &str,
) -> Result<sunlight_core::Power, Response> {
    match state.store.power(code.trim(), None).await {
        Ok(Some(found)) => Ok(found.power),
        Ok(None) => Err(PageError::new(
            v,
            ApiError::not_found(zh_en!(
                "清单之外无权力：没有编码为“{code}”的权力事项",
                "Outside the list there is no power: no power has the code «{code}»"
            )),
        )
        .into_response()),
        Err(e) => Err(PageError::new(v, e).into_response()),
    }
}

/// A short-lived signed cookie that carries a few values from a posted form to the page it
/// redirects to (post/redirect/get) or lets a browser see one thing for a while: `name` =
/// `{values joined by '.'}.{until ms}.{mac}`, the mac an HMAC under the server's query-code key
/// over the name, the values and the instant; HttpOnly, SameSite=Strict, only under `path`.
/// Values must not contain '.'.
pub(crate) struct SignedCookie {
    pub name: &'static str,
    pub path: &'static str,
    pub minutes: i64,
}

impl SignedCookie {
    fn message(&self, values: &[&str], until: i64) -> String {
        format!(
            "sunlight cookie\0{}\0{}\0{until}",
            self.name,
            values.join("\0")
        )
    }

    /// The `Set-Cookie` value carrying `values`.
    pub fn issue(&self, state: &SharedState, values: &[&str]) -> String {
        let until = state.clock.now().as_millisecond() + self.minutes * 60_000;
        format!(
            "{}={}.{until}.{}; Path={}; HttpOnly; SameSite=Strict; Max-Age={}",
            self.name,
            values.join("."),
            state.engine.query_code_hash(&self.message(values, until)),
            self.path,
            self.minutes * 60
        )
    }

    /// The `n` values of the cookie in `headers`, if it is there, ours and not expired.
    pub fn read(
        &self,
        state: &SharedState,
        headers: &axum::http::HeaderMap,
        n: usize,
    ) -> Option<Vec<String>> {
        let value = cookie(headers, self.name)?;
        let parts: Vec<&str> = value.split('.').collect();
        let [values @ .., until, mac] = parts.as_slice() else {
            return None;
        };
        let until: i64 = until.parse().ok()?;
        (values.len() == n
            && until >= state.clock.now().as_millisecond()
            && state
                .engine
                .query_code_matches(mac, &self.message(values, until)))
        .then(|| values.iter().map(|v| v.to_string()).collect())
    }
}

/// People as pages name them: staff by their display names — with their department where a
/// page says who acted (周承办（富阳区住房和城乡建设局）) — never by their usernames (the username
/// only if the account is gone); the applicant, the public and the system's clock in words.
/// Each account and department is read once per page.
pub(crate) struct People<'a> {
    state: &'a SharedState,
    lang: Lang,
    users: std::collections::HashMap<String, Option<User>>,
    departments: std::collections::HashMap<String, String>,
}

impl<'a> People<'a> {
    pub fn new(state: &'a SharedState, lang: Lang) -> Self {
        Self {
            state,
            lang,
            users: Default::default(),
            departments: Default::default(),
        }
    }

    async fn user(&mut self, username: &str) -> Option<&User> {
        if !self.users.contains_key(username) {
            let u = self.state.store.user(username).await.ok().flatten();
            self.users.insert(username.to_string(), u);
        }
        self.users.get(username).and_then(Option::as_ref)
    }

    /// A department's name (its code if it is not known).
    pub async fn department(&mut self, code: &sunlight_core::CreditCode) -> String {
        if let Some(n) = self.departments.get(code.as_str()) {
            return n.clone();
        }
        let n = match self.state.store.department(code).await {
            Ok(Some(d)) => d.name,
            _ => code.to_string(),
        };
        self.departments.insert(code.to_string(), n.clone());
        n
    }

    /// Whoever `who` is (a username or one of the actors that are not staff), by name.
    pub async fn name(&mut self, who: &str) -> String {
        match self.not_staff(who) {
            Some(n) => n,
            None => match self.user(who).await {
                Some(u) => u.display_name.clone(),
                None => who.to_string(),
            },
        }
    }

    /// The same, a member of staff with their department: 周承办（富阳区住房和城乡建设局）.
    pub async fn with_department(&mut self, who: &str) -> String {
        if let Some(n) = self.not_staff(who) {
            return n;
        }
        let Some((name, dept)) = self
            .user(who)
            .await
            .map(|u| (u.display_name.clone(), u.department.clone()))
        else {
            return who.to_string();
        };
        match dept {
            Some(d) => {
                let d = self.department(&d).await;
                match self.lang {
                    Lang::Zh => format!("{name}（{d}）"),
                    Lang::En => format!("{name} ({d})"),
                }
            }
            None => name,
        }
    }

    /// Several people, each by name, in one line.
    pub async fn names(&mut self, who: &[String]) -> String {
        let mut out = Vec::with_capacity(who.len());
        for w in who.iter().filter(|w| !w.is_empty()) {
            out.push(self.name(w).await);
        }
        out.join(self.lang.t("、", ", "))
    }

    fn not_staff(&self, who: &str) -> Option<String> {
        let lang = self.lang;
        Some(match who {
            "applicant" => lang.t("申请人", "the applicant").to_string(),
            "public" => lang.t("公众", "the public").to_string(),
            "timer" => lang
                .t("系统（时限到期）", "the system (time limit)")
                .to_string(),
            "" => String::new(),
            _ => return None,
        })
    }
}

/// A timeline's "who" (the acting username, as [`timeline`] leaves it) as a page says it: each
/// person by name and department, with the others who acted with them on a two-person step
/// (the event's `co_actors`).
pub(crate) async fn name_actors(
    people: &mut People<'_>,
    history: &[sunlight_engine::HistoryItem],
    timeline: &mut [(String, String, String)],
) {
    for (h, (_, _, who)) in history.iter().zip(timeline.iter_mut()) {
        let mut all = vec![people.with_department(who).await];
        for co in h
            .event
            .get("co_actors")
            .and_then(|c| c.as_array())
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str())
        {
            all.push(people.with_department(co).await);
        }
        *who = all.join(people.lang.t("、", ", "));
    }
}

/// An instant as lists show it: date and time to the minute, in the configured zone.
pub(crate) fn minute(zone: sunlight_core::clock::Zone, t: sunlight_core::Timestamp) -> String {
    let s = zone.format(t);
    s.get(..16).unwrap_or(&s).replace('T', " ")
}

/// An applicant's name as lists show it: a person's masked (王**), an organisation's whole
/// (`Applicant::masked`); an erased one said so.
pub(crate) fn listed_applicant(lang: Lang, a: Option<&sunlight_core::case::Applicant>) -> String {
    match a {
        None => String::new(),
        Some(a) if sunlight_core::personal::is_erased(a.name()) => lang.personal(a.name()),
        Some(a) => a.masked().name().to_string(),
    }
}

/// `c` as it stands now (a refused act may follow another's), or `c` if it cannot be read.
pub(crate) async fn as_it_stands(
    state: &SharedState,
    c: sunlight_core::case::Case,
) -> sunlight_core::case::Case {
    state
        .engine
        .case(&c.opened.receipt)
        .await
        .ok()
        .flatten()
        .unwrap_or(c)
}

/// A case's status in the page's language.
pub(crate) fn status_label(lang: Lang, s: sunlight_core::case::CaseStatus) -> &'static str {
    use sunlight_core::case::CaseStatus::*;
    match s {
        Submitted => lang.t("待受理", "awaiting acceptance"),
        AwaitingSupplement => lang.t("待补正", "awaiting supplement"),
        InProgress => lang.t("办理中", "in progress"),
        Suspended => lang.t("已挂起", "suspended"),
        Closed => lang.t("已办结", "finished"),
        NotAccepted => lang.t("不予受理", "not accepted"),
        Withdrawn => lang.t("已撤回", "withdrawn"),
    }
}

/// A case's history as a timeline of (when, what, who): a task event names its step
/// (办理：住建部门审查).
pub(crate) fn timeline(
    history: &[sunlight_engine::HistoryItem],
    case: &sunlight_core::case::Case,
) -> Vec<(String, String, String)> {
    history
        .iter()
        .map(|h| {
            let what = if h.zh.is_empty() { &h.kind } else { &h.zh };
            let step = h
                .event
                .get("task")
                .and_then(|t| t.as_u64())
                .and_then(|t| case.task(t as u32))
                .map(|t| t.name.as_str())
                .filter(|n| !what.contains(n));
            (
                h.at.get(..16).unwrap_or(&h.at).replace('T', " "),
                match step {
                    Some(n) => format!("{what}：{n}"),
                    None => what.clone(),
                },
                h.actor.clone(),
            )
        })
        .collect()
}

/// The first day of the month `back` months before `d`'s (negative: after).
pub(crate) fn month_start(d: sunlight_core::Date, back: i32) -> sunlight_core::Date {
    let months = i32::from(d.year()) * 12 + i32::from(d.month()) - 1 - back;
    sunlight_core::Date::new((months / 12) as i16, (months % 12 + 1) as i8, 1).unwrap_or(d)
}

/// A multi-valued form body (`materials=a&materials=b`).
#[derive(Debug, Default)]
pub(crate) struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> Self {
        FormData(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }
    pub fn get(&self, key: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }
    pub fn all(&self, key: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == key && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }
}

const CSS: &str = include_str!("../../assets/app.css");
const JS: &str = include_str!("../../assets/app.js");

fn asset(body: &'static str, kind: &'static str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

#[derive(serde::Deserialize)]
struct LangSwitch {
    to: String,
    #[serde(default)]
    back: String,
}

/// `/lang?to=en&back=/powers`: remembers the language in a cookie and goes back.
async fn switch_lang(axum::extract::Query(q): axum::extract::Query<LangSwitch>) -> Response {
    let lang = if q.to == "en" { "en" } else { "zh" };
    // Only a local path may be returned to.
    let back = local_path(&q.back).unwrap_or("/").to_string();
    let mut r = Redirect::to(&back).into_response();
    if let Ok(c) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={lang}; Path=/; Max-Age=31536000; SameSite=Lax"
    )) {
        r.headers_mut().insert(header::SET_COOKIE, c);
    }
    r
}

/// What answers a path nothing else does: a problem for the API, a page for people.
pub(crate) async fn not_found(uri: axum::http::Uri, v: Visitor) -> Response {
    let e = ApiError::not_found(zh_en!("没有此页面或接口", "no such page or endpoint"));
    if uri.path().starts_with("/api/") || uri.path() == "/api" {
        e.into_response()
    } else {
        PageError::new(&v, e).into_response()
    }
}

/// The page routes.
pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/", get(portal::home))
        .route("/powers", get(portal::powers))
        .route("/powers/{code}", get(portal::power))
        .route(
            "/powers/{code}/apply",
            get(portal::apply_form).post(portal::apply),
        )
        .route("/lookup", get(portal::lookup_form).post(portal::lookup))
        .route("/lookup/resend", post(portal::resend_code))
        .route("/lookup/rate", post(portal::rate))
        .route("/lookup/case", get(portal::lookup_case))
        .route("/applied", get(portal::applied))
        .route("/my", get(portal::mine))
        .route("/my/code", post(portal::request_code))
        .route("/my/verify", post(portal::verify_code))
        .route("/my/signout", post(portal::sign_out))
        .route("/my/cases/{receipt}", get(portal::open_mine))
        .route("/lookup/supplement", post(portal::supplement))
        .route("/lookup/files/{sha}", get(portal::lookup_file))
        .route("/lookup/documents/{number}", get(portal::lookup_document))
        .route(
            "/verify",
            get(portal::verify_form).post(portal::verify_upload),
        )
        .route("/open-data", get(portal::open_data))
        .route("/open-data/{file}", get(opendata::download))
        .route(
            "/complaints",
            get(portal::complaints_form).post(portal::file_complaint),
        )
        .route("/complaints/track", post(portal::track_complaint))
        .route("/complaints/filed", get(portal::complaint_filed))
        .route(
            "/work/complaints/{tracking}/answer",
            post(work::answer_complaint),
        )
        .route("/lang", get(switch_lang))
        .route("/login", get(work::login_form).post(work::login))
        .route("/logout", post(work::logout))
        .route("/work", get(work::inbox))
        .route("/work/search", get(work::search))
        .route("/work/intake", get(work::intake_form).post(work::intake))
        .route("/work/cases/{receipt}", get(work::case_page))
        .route("/work/cases/{receipt}/act", post(work::act))
        .route(
            "/work/cases/{receipt}/supplement",
            post(work::receive_supplement),
        )
        .route("/work/cases/{receipt}/files/{sha}", get(work::case_file))
        .route(
            "/work/cases/{receipt}/documents/{number}",
            get(work::case_document),
        )
        .route("/work/cases/{receipt}/flow.svg", get(work::case_flow))
        .route("/admin", get(admin::index))
        .route("/admin/users", post(admin::add_user))
        .route("/admin/departments", post(admin::put_department))
        .route("/admin/calendars", post(admin::put_calendar))
        .route("/registry", get(registry::index))
        .route("/registry/proposals/{id}", get(registry::proposal))
        .route("/registry/proposals/{id}/act", post(registry::act))
        .route(
            "/registry/powers/{code}/edit",
            get(registry::edit_form).post(registry::propose_edit),
        )
        .route(
            "/registry/powers/{code}/standing",
            post(registry::propose_lifecycle),
        )
        .route("/watch", get(watch::board))
        .route("/watch/alerts/{id}", post(watch::act))
        .route(
            "/assets/app.css",
            get(|| async { asset(CSS, "text/css; charset=utf-8") }),
        )
        .route(
            "/assets/app.js",
            get(|| async { asset(JS, "text/javascript; charset=utf-8") }),
        )
}

/// The colour supervision gives a case now, as every page shows it. Should the calendar not be
/// readable the page still renders (blue), and the failure is logged.
pub(crate) async fn colour_of(state: &SharedState, c: &sunlight_core::case::Case) -> &'static str {
    // A stopped clock (补正, a legal suspension) shows as such, not as "on time".
    if c.clock().stopped() {
        return "paused";
    }
    match state.colour(c).await {
        Ok(colour) => colour.as_str(),
        Err(e) => {
            tracing::error!(error = %e, receipt = %c.opened.receipt, "a case's colour");
            "blue"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_boundaries_cross_the_year() {
        let d = |s: &str| s.parse::<sunlight_core::Date>().unwrap();
        assert_eq!(month_start(d("2026-12-15"), 0), d("2026-12-01"));
        assert_eq!(month_start(d("2026-12-15"), -1), d("2027-01-01"));
        assert_eq!(month_start(d("2026-02-28"), 5), d("2025-09-01"));
        assert_eq!(month_start(d("2026-01-31"), 12), d("2025-01-01"));
    }

    fn visitor(lang: Lang) -> Visitor {
        Visitor {
            lang,
            user: None,
            csrf: "0".repeat(32),
            new_csrf: false,
            here: "/".into(),
        }
    }

    async fn body(resp: Response) -> String {
        let b = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap();
        String::from_utf8(b.to_vec()).unwrap()
    }

    fn has_cjk(s: &str) -> bool {
        s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
    }

    /// Every code: both titles, a Chinese one in Chinese, and the page of a problem with it
    /// says it in the visitor's language, with the code's status.
    #[tokio::test]
    async fn every_code_renders_as_a_page_in_the_visitor_s_language() {
        for code in Code::ALL {
            let title = code.title();
            assert!(
                !title.zh.trim().is_empty() && !title.en.trim().is_empty(),
                "{code}"
            );
            assert!(has_cjk(&title.zh), "{code}: {}", title.zh);
            let e = || ApiError::new(*code, zh_en!("详细说明：{code}", "the details of {code}"));
            let zh = PageError::new(&visitor(Lang::Zh), e()).into_response();
            assert_eq!(zh.status().as_u16(), code.status(), "{code}");
            let html = body(zh).await;
            assert!(
                html.contains(&format!("<h1>{}</h1>", title.zh)),
                "{code}: {html}"
            );
            assert!(html.contains(r#"<html lang="zh-CN">"#), "{code}");
            if *code != Code::Internal {
                assert!(html.contains("详细说明"), "{code}: {html}");
            }
            let en = body(PageError::new(&visitor(Lang::En), e()).into_response()).await;
            assert!(
                en.contains(&format!("<h1>{}</h1>", title.en)),
                "{code}: {en}"
            );
        }
    }

    #[tokio::test]
    async fn a_page_names_fields_by_their_label_never_their_path() {
        let e = ApiError::invalid(vec![
            sunlight_core::FieldError::new(
                "applicant.id_number",
                zh_en!("身份证号码校验位应为 X", "the check character should be X"),
            ),
            sunlight_core::FieldError::new(
                "guide.materials[2].copies",
                zh_en!("至少 1 份", "at least 1 copy"),
            ),
        ]);
        let html = body(PageError::new(&visitor(Lang::Zh), e).into_response()).await;
        assert!(html.contains("身份证号码校验位应为 X"), "{html}");
        assert!(html.contains("申请材料第3项"), "{html}");
        for path in [
            "applicant.id_number",
            "id_number",
            "guide.materials",
            "copies",
        ] {
            assert!(!html.contains(path), "{path} shown: {html}");
        }
    }

    #[test]
    fn only_clean_local_paths_are_returned_to() {
        assert_eq!(local_path("/powers?q=食品"), Some("/powers?q=食品"));
        for bad in [
            "//evil.example",
            "https://x",
            "/a\\b",
            "/a\r\nSet-Cookie: x",
            "",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
