//! 我的办件: an applicant signed in with their mobile number and a one-time code sees their
//! cases and messages. Signing in is post/redirect/get in two steps — the number (kept for ten
//! minutes in a signed cookie, never in the address bar), then the code — and every answer is
//! the same whether or not the number has cases.

use super::*;
use sunlight_app::signin::CodeRequest;

/// The number a code was sent to, between the two steps.
const PENDING: SignedCookie = SignedCookie {
    name: "sl_signin",
    path: "/my",
    minutes: 10,
};

/// Signed in: the owner key of the number, for two hours.
pub(crate) const MINE: SignedCookie = SignedCookie {
    name: "sl_my",
    path: "/",
    minutes: 120,
};

#[derive(Template)]
#[template(path = "mine.html")]
struct MinePage<'a> {
    v: &'a Visitor,
    /// Step two: the masked number a code was sent to.
    pending: Option<String>,
    error: Option<String>,
    notice: Option<String>,
    signed_in: bool,
    cases: Vec<MyCase>,
    messages: Vec<MyMessage>,
}

struct MyCase {
    receipt: String,
    power: String,
    status: String,
    colour: String,
    colour_label: String,
    clock: String,
    submitted: String,
    needs_me: bool,
    finished: bool,
}

struct MyMessage {
    at: String,
    topic: String,
    text: String,
    unread: bool,
}

fn page<'a>(v: &'a Visitor) -> MinePage<'a> {
    MinePage {
        v,
        pending: None,
        error: None,
        notice: None,
        signed_in: false,
        cases: vec![],
        messages: vec![],
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct MineQuery {
    #[serde(default)]
    sent: String,
}

pub async fn mine(
    State(state): State<SharedState>,
    v: Visitor,
    headers: HeaderMap,
    q: Result<Query<MineQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let sent = q.map(|Query(q)| q.sent).unwrap_or_default();
    let Some(owner) = MINE.read(&state, &headers, 1).map(|mut v| v.remove(0)) else {
        let mut p = page(&v);
        p.pending = PENDING
            .read(&state, &headers, 1)
            .map(|values| sunlight_core::case::mask_phone(&values[0]));
        if p.pending.is_some() && sent == "1" {
            p.notice = Some(
                v.t(
                    "验证码已发送，请查看短信（10 分钟内有效）。",
                    "A code is on its way by SMS (valid for 10 minutes).",
                )
                .into(),
            );
        }
        return render(&v, StatusCode::OK, &p);
    };
    match signed_in_page(&state, &v, &owner).await {
        Ok(p) => render(&v, StatusCode::OK, &p),
        Err(e) => PageError::new(&v, e).into_response(),
    }
}

async fn signed_in_page<'a>(
    state: &SharedState,
    v: &'a Visitor,
    owner: &str,
) -> Result<MinePage<'a>, ApiError> {
    let lang = v.lang;
    let mut p = page(v);
    p.signed_in = true;
    for r in state.store.cases_of_owner(owner, 100).await? {
        let Ok(receipt) = ReceiptNumber::parse(&r) else {
            continue;
        };
        let Some(c) = state.engine.case(&receipt).await? else {
            continue;
        };
        let colour = crate::pages::colour_of(state, &c).await;
        p.cases.push(MyCase {
            receipt: r,
            power: c.opened.power_name.clone(),
            status: crate::pages::status_label(lang, c.status).to_string(),
            colour: colour.to_string(),
            colour_label: super::apply::colour_label(lang, colour).to_string(),
            clock: c.clock().label(lang),
            submitted: state.zone.date(c.submitted_at).to_string(),
            needs_me: c.supplement.is_some(),
            finished: c.status.is_finished(),
        });
    }
    let messages = state.store.messages(owner, 50).await?;
    for m in &messages {
        let at = sunlight_core::Timestamp::from_millisecond(m.at_ms)
            .map(|t| crate::pages::minute(state.zone, t))
            .unwrap_or_default();
        p.messages.push(MyMessage {
            at,
            topic: sunlight_core::notice::Topic::parse(&m.topic)
                .map(|t| t.label().get(lang).to_string())
                .unwrap_or_default(),
            text: lang.t(&m.zh, &m.en).to_string(),
            unread: !m.read,
        });
    }
    if messages.iter().any(|m| !m.read) {
        state.store.read_messages(owner, state.clock.now()).await?;
    }
    Ok(p)
}

/// Step one: the number. A code goes to any mobile number; the answer never says whether it
/// has cases.
pub async fn request_code(
    State(state): State<SharedState>,
    crate::client::Client(who): crate::client::Client,
    Posted { v, form }: Posted,
) -> Response {
    let who = format!("signin:{who}");
    let mut p = page(&v);
    if let Err(wait) = state.limiter.check(&[&who]) {
        p.error = Some(format!(
            "{} {} {}",
            v.t("请求过于频繁，请", "Too many requests; try again in"),
            wait.as_secs().div_ceil(60),
            v.t("分钟后再试。", "minute(s).")
        ));
        return render(&v, StatusCode::TOO_MANY_REQUESTS, &p);
    }
    let phone = form.get("phone").trim().to_string();
    let mobile = sunlight_core::notice::normalise_mobile(&phone);
    let answer = match &mobile {
        Some(m) => state.app.request_sign_in_code(m).await,
        None => state.app.request_sign_in_code(&phone).await,
    };
    match answer {
        Ok(CodeRequest::Sent) | Ok(CodeRequest::TooSoon { .. }) => {
            // Asking again within the minute is answered like a send: the code sent a moment
            // ago is the one to type.
            state.limiter.fail(&[&who]);
            let mobile = mobile.unwrap_or_default();
            (
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, "/my?sent=1".to_string()),
                    (header::SET_COOKIE, PENDING.issue(&state, &[&mobile])),
                ],
            )
                .into_response()
        }
        Ok(CodeRequest::HourlyLimit) => {
            p.error = Some(
                v.t(
                    "该号码一小时内已发送 5 次验证码，请稍后再试。",
                    "Five codes went to this number this hour; try again later.",
                )
                .into(),
            );
            render(&v, StatusCode::TOO_MANY_REQUESTS, &p)
        }
        Err(e) => match refusal_text(&v, e) {
            Ok((status, message)) => {
                p.error = Some(message);
                render(&v, status, &p)
            }
            Err(page) => page,
        },
    }
}

/// Step two: the code.
pub async fn verify_code(
    State(state): State<SharedState>,
    crate::client::Client(who): crate::client::Client,
    headers: HeaderMap,
    Posted { v, form }: Posted,
) -> Response {
    let who = format!("verify:{who}");
    let mut p = page(&v);
    let Some(phone) = PENDING.read(&state, &headers, 1).map(|mut x| x.remove(0)) else {
        p.error = Some(
            v.t(
                "验证码已过期，请重新获取。",
                "The code has expired; ask for a new one.",
            )
            .into(),
        );
        return render(&v, StatusCode::UNPROCESSABLE_ENTITY, &p);
    };
    p.pending = Some(sunlight_core::case::mask_phone(&phone));
    if let Err(wait) = state.limiter.check(&[&who]) {
        p.error = Some(format!(
            "{} {} {}",
            v.t("错误次数过多，请", "Too many wrong tries; try again in"),
            wait.as_secs().div_ceil(60),
            v.t("分钟后再试。", "minute(s).")
        ));
        return render(&v, StatusCode::TOO_MANY_REQUESTS, &p);
    }
    match state.app.sign_in(&phone, form.get("code")).await {
        Ok(Some(owner)) => (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, "/my".to_string()),
                (header::SET_COOKIE, MINE.issue(&state, &[&owner])),
            ],
        )
            .into_response(),
        Ok(None) => {
            state.limiter.fail(&[&who]);
            p.error = Some(
                v.t(
                    "验证码不正确或已失效，请核对短信或重新获取。",
                    "The code is wrong or no longer valid; check the SMS or ask for a new one.",
                )
                .into(),
            );
            render(&v, StatusCode::UNPROCESSABLE_ENTITY, &p)
        }
        Err(e) => match refusal_text(&v, e) {
            Ok((status, message)) => {
                p.error = Some(message);
                render(&v, status, &p)
            }
            Err(page) => page,
        },
    }
}

pub async fn sign_out(Posted { .. }: Posted) -> Response {
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, "/my".to_string()),
            (
                header::SET_COOKIE,
                format!("{}=; Path={}; Max-Age=0", MINE.name, MINE.path),
            ),
        ],
    )
        .into_response()
}

/// One of the signed-in applicant's cases, opened on the lookup page (with its acts).
pub async fn open_mine(
    State(state): State<SharedState>,
    v: Visitor,
    headers: HeaderMap,
    Path(receipt): Path<String>,
) -> Response {
    let Some(owner) = MINE.read(&state, &headers, 1).map(|mut v| v.remove(0)) else {
        return Redirect::to("/my").into_response();
    };
    match state.store.cases_of_owner(&owner, 100).await {
        Ok(list) if list.contains(&receipt) => (
            StatusCode::SEE_OTHER,
            [
                (header::LOCATION, "/lookup/case".to_string()),
                (
                    header::SET_COOKIE,
                    super::apply::grant_cookie(&state, &receipt),
                ),
            ],
        )
            .into_response(),
        Ok(_) => Redirect::to("/my").into_response(),
        Err(e) => PageError::new(&v, e).into_response(),
    }
}
