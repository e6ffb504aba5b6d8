//! Complaints (投诉): filed against a case, a department or a member of staff, tracked with a
//! number and code.

use super::*;

#[derive(Template)]
#[template(path = "complaints.html")]
pub(super) struct ComplaintsPage<'a> {
    v: &'a Visitor,
    /// The form's idempotency key: the same form sent twice files one complaint.
    idem: String,
    departments: Vec<(String, String)>,
    errors: Vec<String>,
    filed: Option<(String, String, String)>,
    tracked: Option<Tracked>,
    form: ComplaintForm,
}

#[derive(Debug, Default)]
pub(super) struct ComplaintForm {
    against: String,
    target: String,
    complainant: String,
    phone: String,
    text: String,
}

pub(super) struct Tracked {
    tracking: String,
    against: String,
    target: String,
    department: String,
    filed: String,
    due: String,
    state: String,
    answer: String,
    answered: String,
}

pub(super) fn complaints_page<'a>(state: &SharedState, v: &'a Visitor) -> ComplaintsPage<'a> {
    ComplaintsPage {
        v,
        idem: crate::pages::random_hex(16),
        departments: state.search.names().departments.clone(),
        errors: Vec::new(),
        filed: None,
        tracked: None,
        form: ComplaintForm {
            against: "case".into(),
            ..Default::default()
        },
    }
}

pub async fn complaints_form(State(state): State<SharedState>, v: Visitor) -> Response {
    let _ = state.search.ensure(&state.store).await;
    render(&v, StatusCode::OK, &complaints_page(&state, &v))
}

/// The department that answers a complaint about `target`.
pub(super) async fn answering_department(
    state: &SharedState,
    against: sunlight_core::complaint::Against,
    target: &str,
) -> Result<String, ApiError> {
    use sunlight_core::complaint::Against;
    let bad = |t: sunlight_core::Text| ApiError::field("target", t);
    match against {
        Against::Case => {
            let r = ReceiptNumber::parse(target.trim()).map_err(|_| {
                bad(zh_en!(
                    "“{target}”不是受理编号",
                    "«{target}» is not a receipt number"
                ))
            })?;
            match state.engine.case(&r).await {
                Ok(Some(c)) => Ok(c.opened.department.to_string()),
                Ok(None) => Err(bad(zh_en!("没有办件“{target}”", "no case «{target}»"))),
                Err(e) => Err(e.into()),
            }
        }
        Against::Department => state
            .search
            .names()
            .department(target.trim())
            .map(|_| target.trim().to_string())
            .ok_or_else(|| bad(zh_en!("没有部门“{target}”", "no department «{target}»"))),
        Against::Staff => match state.store.user(target.trim()).await {
            Ok(Some(u)) => u.department.map(|d| d.to_string()).ok_or_else(|| {
                bad(zh_en!(
                    "{target} 不属于任何部门",
                    "{target} belongs to no department"
                ))
            }),
            Ok(None) => Err(bad(zh_en!(
                "没有工作人员“{target}”",
                "no member of staff «{target}»"
            ))),
            Err(e) => Err(e.into()),
        },
    }
}

pub async fn file_complaint(
    State(state): State<SharedState>,
    Posted { v, form }: Posted,
) -> Response {
    use sunlight_core::complaint::{Against, ComplaintDraft, answer_due};
    let _ = state.search.ensure(&state.store).await;
    let mut page = complaints_page(&state, &v);
    page.form = ComplaintForm {
        against: form.get("against").to_string(),
        target: form.get("target").to_string(),
        complainant: form.get("complainant").to_string(),
        phone: form.get("phone").to_string(),
        text: form.get("text").to_string(),
    };
    let department = match Against::parse(form.get("against")) {
        Some(against) => answering_department(&state, against, form.get("target")).await,
        None => Err(ApiError::field(
            "against",
            zh_en!(
                "请选择投诉对象：办件、部门或工作人员",
                "case, department or staff"
            ),
        )),
    };
    let (against, department) = match department {
        Ok(d) => (
            Against::parse(form.get("against")).unwrap_or(Against::Case),
            d,
        ),
        Err(e) => {
            let (status, lines) = match refusal(&v, e) {
                Ok(x) => x,
                Err(page) => return page,
            };
            page.errors = lines;
            return render(&v, status, &page);
        }
    };
    let now = state.clock.now();
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).expect("the operating system's random source");
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let tail: String = random[..6]
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % 32] as char)
        .collect();
    let tracking = format!(
        "TS{}-{}-{tail}",
        department.get(2..8).unwrap_or("000000"),
        state.zone.date(now).strftime("%y%m%d")
    );
    let code = format!("{:08}", u64::from_le_bytes(random) % 100_000_000);
    let days = state.engine.config().supervision.complaint_answer_days;
    let due = answer_due(now, days, state.zone);
    let draft = ComplaintDraft {
        against,
        target: page.form.target.clone(),
        complainant: page.form.complainant.clone(),
        phone: page.form.phone.clone(),
        text: page.form.text.clone(),
    };
    match state
        .engine
        .file_complaint(
            draft,
            &tracking,
            &state.engine.query_code_hash(&code),
            &department,
            due,
            (!form.get("idem").is_empty()).then(|| format!("complaint-form:{}", form.get("idem"))),
        )
        .await
    {
        // Post/redirect/get: the confirmation is fetched by GET; tracking number and code ride
        // in a short-lived signed cookie. A form sent again gets the first answer (its own
        // tracking number differs, so no new cookie: the first one still holds the code).
        Ok(ack) => {
            let mut r = (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, "/complaints/filed")],
            )
                .into_response();
            if ack.id == tracking
                && let Ok(c) = axum::http::HeaderValue::from_str(
                    &FILED.issue(&state, &[&tracking, &code, &due.to_string()]),
                )
            {
                r.headers_mut().append(header::SET_COOKIE, c);
            }
            r
        }
        Err(e) => {
            let (status, lines) = match refusal(&v, e) {
                Ok(x) => x,
                Err(page) => return page,
            };
            page.errors = lines;
            render(&v, status, &page)
        }
    }
}

/// The confirmation of a complaint just filed, for a few minutes: tracking, code, due day.
const FILED: SignedCookie = SignedCookie {
    name: "sl_complaint",
    path: "/complaints/filed",
    minutes: 10,
};

/// The confirmation of a complaint just filed (tracking number, code, the day it is answered
/// by), from the cookie filing set; without it, the complaints page.
pub async fn complaint_filed(
    State(state): State<SharedState>,
    v: Visitor,
    headers: HeaderMap,
) -> Response {
    let Some([tracking, code, due]) = FILED
        .read(&state, &headers, 3)
        .and_then(|v| <[String; 3]>::try_from(v).ok())
    else {
        return Redirect::to("/complaints").into_response();
    };
    let filed = (tracking, code, due);
    let _ = state.search.ensure(&state.store).await;
    let mut page = complaints_page(&state, &v);
    page.filed = Some(filed);
    render(&v, StatusCode::OK, &page)
}

pub async fn track_complaint(
    State(state): State<SharedState>,
    crate::client::Client(who): crate::client::Client,
    Posted { v, form }: Posted,
) -> Response {
    let _ = state.search.ensure(&state.store).await;
    let mut page = complaints_page(&state, &v);
    let tracking = form.get("tracking").trim().to_uppercase();
    let keys = [format!("complaint:{tracking}"), format!("ip:{who}")];
    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
    if state.limiter.check(&keys).is_err() {
        page.errors.push(
            v.t(
                "错误次数过多，请稍后再试。",
                "Too many wrong tries; try again later.",
            )
            .into(),
        );
        return render(&v, StatusCode::TOO_MANY_REQUESTS, &page);
    }
    match state.store.complaint(&tracking).await {
        Ok(Some(c))
            if state
                .engine
                .query_code_matches(&c.code_hash, form.get("code")) =>
        {
            state.limiter.forget(keys[0]);
            let names = state.search.names();
            let at = |ms: i64| {
                sunlight_core::Timestamp::from_millisecond(ms)
                    .map(|t| {
                        state
                            .zone
                            .format(t)
                            .get(..16)
                            .unwrap_or("")
                            .replace('T', " ")
                    })
                    .unwrap_or_default()
            };
            page.tracked = Some(Tracked {
                against: c.against.zh().to_string(),
                target: c.target.clone(),
                department: names
                    .department(&c.department)
                    .unwrap_or(&c.department)
                    .to_string(),
                filed: at(c.filed_at_ms),
                due: c.due.clone(),
                state: if c.state == "answered" {
                    v.t("已答复", "answered").to_string()
                } else {
                    v.t("办理中", "open").to_string()
                },
                answer: c.answer.clone().unwrap_or_default(),
                answered: c.answered_at_ms.map(at).unwrap_or_default(),
                tracking: c.tracking,
            });
            render(&v, StatusCode::OK, &page)
        }
        _ => {
            state.limiter.fail(&keys);
            page.errors.push(
                v.t(
                    "投诉编号或查询码不正确。",
                    "The tracking number or the code is wrong.",
                )
                .into(),
            );
            render(&v, StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}
