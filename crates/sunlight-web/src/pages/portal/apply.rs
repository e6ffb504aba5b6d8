//! Applying online, following a case by receipt number and query code (办件查询), and rating it.

use super::*;

#[derive(Template)]
#[template(path = "apply.html")]
pub(super) struct ApplyPage<'a> {
    v: &'a Visitor,
    code: String,
    name: String,
    materials: Vec<(String, bool, bool)>,
    kind: String,
    f: ApplyFields,
    idem: String,
    errors: Vec<String>,
}

impl<'a> ApplyPage<'a> {
    /// The form for power `p`, the materials in `ticked` ticked, a fresh idempotency key.
    fn new(
        v: &'a Visitor,
        p: &sunlight_core::Power,
        ticked: &[String],
        kind: &str,
        f: ApplyFields,
        errors: Vec<String>,
    ) -> Self {
        Self {
            v,
            code: p.code.to_string(),
            name: p.name.clone(),
            materials: p
                .guide
                .materials
                .iter()
                .map(|m| (m.name.clone(), m.required, ticked.contains(&m.name)))
                .collect(),
            kind: kind.into(),
            f,
            idem: crate::pages::random_hex(16),
            errors,
        }
    }
}

#[derive(Debug, Default, Clone)]
pub(super) struct ApplyFields {
    name: String,
    id_number: String,
    credit_code: String,
    representative: String,
    phone: String,
    email: String,
    note: String,
}

#[derive(Template)]
#[template(path = "applied.html")]
pub(super) struct Applied<'a> {
    v: &'a Visitor,
    receipt: String,
    query_code: String,
    power: String,
}

pub async fn apply_form(
    State(state): State<SharedState>,
    v: Visitor,
    Path(code): Path<String>,
) -> Response {
    let p = match crate::pages::listed_power(&state, &v, &code).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let page = ApplyPage::new(&v, &p, &[], "person", ApplyFields::default(), Vec::new());
    render(&v, StatusCode::OK, &page)
}

pub async fn apply(
    State(state): State<SharedState>,
    Path(code): Path<String>,
    Uploaded { v, form, files }: Uploaded,
) -> Response {
    let p = match crate::pages::listed_power(&state, &v, &code).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let kind = if form.get("kind") == "organisation" {
        "organisation"
    } else {
        "person"
    };
    let f = ApplyFields {
        name: form.get("name").to_string(),
        id_number: form.get("id_number").to_uppercase(),
        credit_code: form.get("credit_code").to_uppercase(),
        representative: form.get("representative").to_string(),
        phone: form.get("phone").to_string(),
        email: form.get("email").trim().to_string(),
        note: form.get("note").to_string(),
    };
    let applicant = if kind == "organisation" {
        Applicant::Organisation {
            name: f.name.clone(),
            credit_code: f.credit_code.clone(),
            representative: f.representative.clone(),
            phone: f.phone.clone(),
            email: f.email.clone(),
        }
    } else {
        Applicant::Person {
            name: f.name.clone(),
            id_number: f.id_number.clone(),
            phone: f.phone.clone(),
            email: f.email.clone(),
        }
    };
    let mut materials = form.all("materials");
    let idem = form.get("idem").to_string();
    // A file chosen for a material hands it in (ticked or not).
    let (uploads, _) = crate::pages::work::supplied(&form, files);
    for u in &uploads {
        if !u.material.is_empty() && !materials.contains(&u.material) {
            materials.push(u.material.clone());
        }
    }
    let key = (!idem.is_empty()).then(|| format!("online-form:{idem}"));
    let result = match state.store_files(&uploads).await {
        Ok(files) => {
            let sub = Submission {
                power: p.code.to_string(),
                region: None,
                applicant,
                form: serde_json::json!({ "note": f.note }),
                materials: materials.clone(),
                files,
            };
            state
                .engine
                .submit(sub, Channel::Online, Actor::Applicant, key)
                .await
                .map_err(ApiError::from)
        }
        Err(e) => Err(ApiError::from(e)),
    };
    match result {
        // Post/redirect/get: the receipt page is fetched by GET (refresh and back never post
        // again). The code rides in a short-lived signed cookie for it; a retried form gets
        // the first answer without the code, and the cookie of the first one still holds it.
        Ok(ack) => {
            let receipt = ack.receipt.to_string();
            let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, "/applied")]).into_response();
            if let Some(code) = ack.query_code {
                for c in [
                    applied_cookie(&state, &receipt, &code),
                    grant_cookie(&state, &receipt),
                ] {
                    if let Ok(c) = axum::http::HeaderValue::from_str(&c) {
                        r.headers_mut().append(header::SET_COOKIE, c);
                    }
                }
            }
            r
        }
        Err(e) => {
            let (status, errors) = match refusal(&v, e) {
                Ok(x) => x,
                Err(page) => return page,
            };
            let page = ApplyPage::new(&v, &p, &materials, kind, f, errors);
            render(&v, status, &page)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Following a case (办件查询)

#[derive(Template)]
#[template(path = "lookup.html")]
pub(super) struct LookupPage<'a> {
    v: &'a Visitor,
    receipt: String,
    error: Option<String>,
    found: Option<Found>,
    notice: Option<String>,
    /// The "lost your code?" form is shown open (after a request for one).
    resend_open: bool,
}

pub(super) struct Found {
    /// Sealed documents: kind, number, link, status.
    documents: Vec<[String; 4]>,
    receipt: String,
    power: String,
    department: String,
    applicant: String,
    status: String,
    colour: String,
    colour_label: String,
    clock: String,
    clock_stopped: bool,
    submitted: String,
    committed: String,
    statutory: String,
    steps: Vec<(String, String)>,
    open: Vec<(String, String)>,
    decision: Option<String>,
    rated: Option<String>,
    can_rate: bool,
    /// What the rating form shows: typed values are kept when it is refused.
    rate: RateForm,
    /// The 整改 a 差评 opened: owed by (day, basis), and the department's answer once given.
    rectification: Option<RectificationView>,
    /// The open one-time notice, which the applicant answers with files on this page.
    notice: Option<crate::pages::work::NoticeView>,
    files: Vec<crate::pages::work::FileLine>,
    max_file_mb: u64,
}

// The applicant's grant: after the right receipt number and query code, a cookie that lets
// this browser see that one case for a while, so the page can be fetched again (refresh, back,
// after a form: post/redirect/get) without the code travelling in forms.
const GRANT: SignedCookie = SignedCookie {
    name: "sl_case",
    path: "/lookup",
    minutes: 30,
};

/// What the receipt page shows after applying, for a few minutes: receipt number and code.
const APPLIED: SignedCookie = SignedCookie {
    name: "sl_applied",
    path: "/applied",
    minutes: 10,
};

pub(super) fn grant_cookie(state: &SharedState, receipt: &str) -> String {
    GRANT.issue(state, &[receipt])
}

fn applied_cookie(state: &SharedState, receipt: &str, code: &str) -> String {
    APPLIED.issue(state, &[receipt, code])
}

/// The receipt page after applying (回执): receipt number and query code, from the cookie the
/// application set; without it, the lookup form.
pub async fn applied(State(state): State<SharedState>, v: Visitor, headers: HeaderMap) -> Response {
    let Some([receipt, code]) = APPLIED
        .read(&state, &headers, 2)
        .and_then(|v| <[String; 2]>::try_from(v).ok())
    else {
        return Redirect::to("/lookup").into_response();
    };
    let power = match ReceiptNumber::parse(&receipt) {
        Ok(r) => match state.engine.case(&r).await {
            Ok(Some(c)) => c.opened.power_name,
            Ok(None) => return Redirect::to("/lookup").into_response(),
            Err(e) => return PageError::new(&v, e).into_response(),
        },
        Err(_) => return Redirect::to("/lookup").into_response(),
    };
    render(
        &v,
        StatusCode::OK,
        &Applied {
            v: &v,
            receipt,
            query_code: code,
            power,
        },
    )
}

/// The case this browser was granted, if the grant holds.
async fn granted(
    state: &SharedState,
    v: &Visitor,
    headers: &HeaderMap,
) -> Result<Option<sunlight_core::case::Case>, Response> {
    let Some(values) = GRANT.read(state, headers, 1) else {
        return Ok(None);
    };
    let receipt = values[0].as_str();
    let Ok(r) = ReceiptNumber::parse(receipt) else {
        return Ok(None);
    };
    match state.engine.case(&r).await {
        Ok(c) => Ok(c),
        Err(e) => Err(PageError::new(v, e).into_response()),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct LookupPrefill {
    #[serde(default)]
    receipt: String,
    /// `1` after a new query code was sent.
    #[serde(default)]
    resent: String,
}

/// The lookup form; `?receipt=` (the receipt page's link) fills the number in.
pub async fn lookup_form(
    v: Visitor,
    q: Result<Query<LookupPrefill>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = q.map(|Query(p)| p).unwrap_or_default();
    let receipt: String = q
        .receipt
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(40)
        .collect();
    let notice = (q.resent == "1").then(|| {
        v.t(
            "新的查询码已通过短信发送到申请时登记的手机号码，原查询码已作废。",
            "A new query code was sent by SMS to the mobile number on the application; the old one no longer works.",
        )
        .to_string()
    });
    render(
        &v,
        StatusCode::OK,
        &LookupPage {
            v: &v,
            receipt,
            error: None,
            found: None,
            notice,
            resend_open: false,
        },
    )
}

/// 忘记查询码: a new code to the applicant's mobile (post/redirect/get). Each request counts
/// against the address (and the receipt number) like a wrong guess, so nobody floods a phone.
pub async fn resend_code(
    State(state): State<SharedState>,
    crate::client::Client(who): crate::client::Client,
    Posted { v, form }: Posted,
) -> Response {
    let receipt: String = form.get("receipt").trim().chars().take(40).collect();
    let keys = [format!("resend:{who}"), format!("resend:{receipt}")];
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    let page = |status: StatusCode, error: String| {
        render(
            &v,
            status,
            &LookupPage {
                v: &v,
                receipt: receipt.clone(),
                error: Some(error),
                found: None,
                notice: None,
                resend_open: true,
            },
        )
    };
    if state.limiter.check(&keys).is_err() {
        return page(
            StatusCode::TOO_MANY_REQUESTS,
            v.t(
                "请求过于频繁，请稍后再试。",
                "Asked too often; try again later.",
            )
            .into(),
        );
    }
    state.limiter.fail(&keys);
    let Ok(r) = ReceiptNumber::parse(&receipt) else {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            v.t(
                "受理编号格式不正确，请核对回执上的编号（如 330183-261123-7K2M9-QXD4T）。",
                "That is not a receipt number; check the one on your receipt (like 330183-261123-7K2M9-QXD4T).",
            )
            .into(),
        );
    };
    match state.app.reissue_query_code(&r).await {
        Ok(()) => Redirect::to(&format!(
            "/lookup?resent=1&receipt={}",
            form_urlencoded::byte_serialize(receipt.as_bytes()).collect::<String>()
        ))
        .into_response(),
        Err(e) => match refusal_text(&v, e) {
            Ok((status, text)) => page(status, text),
            Err(p) => p,
        },
    }
}

/// Checks receipt + query code with the rate limit; the case if they match, else what the
/// page says (the outer error: a failure on our side, as its page).
pub(crate) async fn open_case(
    state: &SharedState,
    v: &Visitor,
    who: &str,
    receipt: &str,
    code: &str,
) -> Result<Result<sunlight_core::case::Case, String>, Response> {
    let wrong = v.t(
        "受理编号或查询码不正确。",
        "The receipt number or the query code is wrong.",
    );
    let locked = |wait: std::time::Duration| {
        format!(
            "{} {} {}",
            v.t(
                "错误次数过多，请稍后再试。",
                "Too many wrong tries; try again later."
            ),
            wait.as_secs().div_ceil(60),
            v.t("分钟后可再试。", "minute(s) to wait.")
        )
    };
    let Ok(r) = ReceiptNumber::parse(receipt.trim()) else {
        // Not even a receipt number: a wrong guess all the same, counted against the address.
        let ip_key = format!("ip:{who}");
        if let Err(wait) = state.limiter.check(&[&ip_key]) {
            return Ok(Err(locked(wait)));
        }
        state.limiter.fail(&[&ip_key]);
        return Ok(Err(wrong.into()));
    };
    match crate::auth::applicant_case(state, &r, code, Some(who)).await {
        Ok(c) => Ok(Ok(c)),
        Err(Guess::Locked(wait)) => Ok(Err(locked(wait))),
        Err(Guess::Wrong) => Ok(Err(wrong.into())),
        Err(Guess::Failed(e)) => Err(PageError::new(v, e).into_response()),
    }
}

pub(super) async fn found(
    state: &SharedState,
    v: &Visitor,
    c: &sunlight_core::case::Case,
) -> Found {
    let lang = v.lang;
    let history = state
        .engine
        .history(&c.opened.receipt)
        .await
        .unwrap_or_default();
    // Who acted stays off the public page: only when and what.
    let steps = crate::pages::timeline(&history, c)
        .into_iter()
        .map(|(at, what, _)| (at, what))
        .collect();
    let open = c
        .open_tasks()
        .map(|t| {
            (
                t.name.clone(),
                t.due.map(|d| d.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    let department = state
        .search
        .names()
        .department(c.opened.department.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| c.opened.department.to_string());
    let colour = crate::pages::colour_of(state, c).await;
    let documents = crate::pages::work::document_lines(state, v, c, "/lookup/documents").await;
    Found {
        documents,
        receipt: c.opened.receipt.to_string(),
        clock: c.clock().label(lang),
        clock_stopped: c.clock().stopped(),
        notice: c
            .supplement
            .as_ref()
            .map(crate::pages::work::NoticeView::of),
        files: crate::pages::work::FileLine::list(c, "/lookup/files"),
        max_file_mb: state.engine.config().service.files.max_file_bytes / 1_000_000,
        power: c.opened.power_name.clone(),
        department,
        applicant: if sunlight_core::personal::is_erased(c.opened.applicant.name()) {
            lang.personal(c.opened.applicant.name())
        } else {
            c.opened.applicant.masked().name().to_string()
        },
        status: crate::pages::status_label(lang, c.status).to_string(),
        colour_label: colour_label(lang, colour).to_string(),
        colour: colour.to_string(),
        submitted: state.zone.date(c.submitted_at).to_string(),
        committed: c
            .deadlines
            .committed
            .map(|d| d.to_string())
            .unwrap_or_else(|| "—".into()),
        statutory: c
            .deadlines
            .statutory
            .map(|d| d.to_string())
            .unwrap_or_else(|| "—".into()),
        steps,
        open,
        decision: c.decision.as_ref().map(|d| {
            format!(
                "{} {}",
                match d.verdict {
                    sunlight_core::case::Verdict::Approve => lang.t("准予", "Granted"),
                    sunlight_core::case::Verdict::Deny => lang.t("不予", "Refused"),
                },
                d.document_no
            )
        }),
        rated: c.rating.as_ref().map(|r| r.summary(lang)),
        can_rate: c.status.is_finished() && c.rating.is_none() && c.decision.is_some(),
        rate: RateForm::default(),
        rectification: c
            .rating
            .as_ref()
            .and_then(|r| r.rectification.as_ref())
            .map(|x| RectificationView::of(x, lang)),
    }
}

pub(crate) fn colour_label(lang: Lang, colour: &str) -> &'static str {
    match colour {
        "green" => lang.t("绿灯 已办结", "Green: finished"),
        "yellow" => lang.t("黄灯 临近时限", "Yellow: deadline near"),
        "red" => lang.t("红灯 已超时", "Red: overdue"),
        "red_card" => lang.t("红牌 超法定时限", "Red card: past the statutory limit"),
        "late" => lang.t("超时办结", "Finished late"),
        "paused" => lang.t("灰灯 暂停计时", "Grey: clock stopped"),
        _ => lang.t("蓝灯 正常办理", "Blue: in progress"),
    }
}

pub async fn lookup(
    State(state): State<SharedState>,
    crate::client::Client(who): crate::client::Client,
    Posted { v, form }: Posted,
) -> Response {
    let receipt = form.get("receipt").to_string();
    match open_case(&state, &v, &who, &receipt, form.get("code")).await {
        Err(page) => page,
        Ok(Ok(c)) => (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, "/lookup/case".to_string()),
                (
                    header::SET_COOKIE,
                    grant_cookie(&state, c.opened.receipt.as_str()),
                ),
            ],
        )
            .into_response(),
        Ok(Err(e)) => render(
            &v,
            StatusCode::UNPROCESSABLE_ENTITY,
            &LookupPage {
                v: &v,
                receipt,
                error: Some(e),
                found: None,
                notice: None,
                resend_open: false,
            },
        ),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct LookupDone {
    #[serde(default)]
    done: String,
}

/// The granted case's page (after the lookup form, and after each act on it).
pub async fn lookup_case(
    State(state): State<SharedState>,
    v: Visitor,
    headers: HeaderMap,
    q: Result<Query<LookupDone>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let c = match granted(&state, &v, &headers).await {
        Err(page) => return page,
        Ok(None) => return Redirect::to("/lookup").into_response(),
        Ok(Some(c)) => c,
    };
    let notice = match q.map(|Query(d)| d.done).unwrap_or_default().as_str() {
        "rated" => Some(v.t("感谢您的评价。", "Thank you for your rating.")),
        "supplemented" => Some(v.t(
            "补正材料已提交，窗口工作人员将尽快审核。",
            "Your supplement is in; the window will check it soon.",
        )),
        _ => None,
    };
    granted_page(
        &state,
        &v,
        &c,
        StatusCode::OK,
        None,
        notice.map(str::to_string),
    )
    .await
}

async fn granted_page(
    state: &SharedState,
    v: &Visitor,
    c: &sunlight_core::case::Case,
    status: StatusCode,
    error: Option<String>,
    notice: Option<String>,
) -> Response {
    let f = found(state, v, c).await;
    render(
        v,
        status,
        &LookupPage {
            v,
            receipt: c.opened.receipt.to_string(),
            error,
            found: Some(f),
            notice,
            resend_open: false,
        },
    )
}

/// An act of the applicant on the granted case: answered with a redirect to the case's page,
/// or the page with the refusal.
async fn applicant_act(
    state: &SharedState,
    v: &Visitor,
    c: sunlight_core::case::Case,
    done: &str,
    result: Result<sunlight_engine::Ack, impl Into<ApiError>>,
) -> Response {
    match result {
        Ok(_) => Redirect::to(&format!("/lookup/case?done={done}")).into_response(),
        Err(e) => match refusal_text(v, e) {
            Ok((status, text)) => {
                let c = crate::pages::as_it_stands(state, c).await;
                granted_page(state, v, &c, status, Some(text), None).await
            }
            Err(page) => page,
        },
    }
}

fn grant_expired(v: &Visitor) -> Response {
    render(
        v,
        StatusCode::UNPROCESSABLE_ENTITY,
        &LookupPage {
            v,
            receipt: String::new(),
            error: Some(
                v.t(
                    "查询已过期，请重新输入受理编号和查询码。",
                    "Your look-up has expired; enter the receipt number and query code again.",
                )
                .into(),
            ),
            found: None,
            notice: None,
            resend_open: false,
        },
    )
}

pub async fn rate(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Posted { v, form }: Posted,
) -> Response {
    let c = match granted(&state, &v, &headers).await {
        Err(page) => return page,
        Ok(None) => return grant_expired(&v),
        Ok(Some(c)) => c,
    };
    let draft = RateForm {
        level: form.get("level").parse().unwrap_or(0),
        reasons: form.all("reasons"),
        comment: form
            .get("comment")
            .chars()
            .take(sunlight_core::case::COMMENT_MAX + 1)
            .collect(),
    };
    let result = state
        .engine
        .act(
            c.opened.receipt.clone(),
            CaseCommand::Rate(Rating {
                level: draft.level,
                comment: draft.comment.clone(),
                reasons: draft
                    .reasons
                    .iter()
                    .filter_map(|r| RatingReason::parse(r))
                    .collect(),
                rectification: None,
            }),
            Actor::Applicant,
            None,
        )
        .await;
    match result {
        Ok(_) => Redirect::to("/lookup/case?done=rated").into_response(),
        Err(e) => match refusal_text(&v, e) {
            Ok((status, text)) => {
                // The page again, with what was chosen and typed still there.
                let c = crate::pages::as_it_stands(&state, c).await;
                let mut f = found(&state, &v, &c).await;
                f.rate = draft;
                render(
                    &v,
                    status,
                    &LookupPage {
                        v: &v,
                        receipt: c.opened.receipt.to_string(),
                        error: Some(text),
                        found: Some(f),
                        notice: None,
                        resend_open: false,
                    },
                )
            }
            Err(page) => page,
        },
    }
}

/// The rating form's values (empty: nothing chosen; no level is preselected).
#[derive(Debug, Default)]
pub(super) struct RateForm {
    level: u8,
    reasons: Vec<String>,
    comment: String,
}

impl RateForm {
    /// The five levels, best first: (level, label, chosen).
    pub fn levels(&self, lang: &sunlight_core::Lang) -> Vec<(u8, &'static str, bool)> {
        sunlight_core::case::LEVELS
            .iter()
            .map(|(l, zh, en)| (*l, lang.t(zh, en), *l == self.level))
            .collect()
    }

    /// The national reasons: (code, label, chosen).
    pub fn reasons(&self, lang: &sunlight_core::Lang) -> Vec<(&'static str, &'static str, bool)> {
        RatingReason::ALL
            .iter()
            .map(|r| {
                (
                    r.as_str(),
                    lang.t(r.zh(), r.en()),
                    self.reasons.iter().any(|x| x == r.as_str()),
                )
            })
            .collect()
    }
}

/// A 差评's 整改 as the applicant sees it.
pub(super) struct RectificationView {
    due: String,
    basis: String,
    /// 核实情况, 整改措施, 回访情况 with their labels.
    answer: Vec<(&'static str, String)>,
}

impl RectificationView {
    fn of(x: &sunlight_core::case::Rectification, lang: sunlight_core::Lang) -> Self {
        Self {
            due: x.due.to_string(),
            basis: x.basis.clone(),
            answer: x
                .done
                .as_ref()
                .map(|d| {
                    vec![
                        (lang.t("核实情况", "Findings"), d.verified.clone()),
                        (lang.t("整改措施", "Measures"), d.measures.clone()),
                        (lang.t("回访情况", "Call-back"), d.revisit.clone()),
                    ]
                })
                .unwrap_or_default(),
        }
    }
}

/// The applicant's supplement: a file for every item of the notice.
pub async fn supplement(
    State(state): State<SharedState>,
    headers: HeaderMap,
    Uploaded { v, form, files }: Uploaded,
) -> Response {
    let c = match granted(&state, &v, &headers).await {
        Err(page) => return page,
        Ok(None) => return grant_expired(&v),
        Ok(Some(c)) => c,
    };
    let (uploads, _) = crate::pages::work::supplied(&form, files);
    let idem = form.get("idem");
    let key = (!idem.is_empty()).then(|| format!("applicant@{}:{idem}", c.opened.receipt));
    let result = state
        .supplement(&c, &uploads, vec![], Actor::Applicant, key)
        .await;
    applicant_act(&state, &v, c, "supplemented", result).await
}

/// A file of the granted case.
pub async fn lookup_document(
    State(state): State<SharedState>,
    v: Visitor,
    headers: HeaderMap,
    Path(number): Path<String>,
) -> Response {
    match granted(&state, &v, &headers).await {
        Err(page) => page,
        Ok(None) => Redirect::to("/lookup").into_response(),
        Ok(Some(c)) => crate::pages::work::document_response(&state, &v, &c, &number).await,
    }
}

pub async fn lookup_file(
    State(state): State<SharedState>,
    v: Visitor,
    headers: HeaderMap,
    Path(sha): Path<String>,
) -> Response {
    match granted(&state, &v, &headers).await {
        Err(page) => page,
        Ok(None) => Redirect::to("/lookup").into_response(),
        Ok(Some(c)) => crate::pages::work::file_response(&state, &v, &c, &sha).await,
    }
}
