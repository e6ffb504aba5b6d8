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

#[derive(Debug, Default, Clone)]
pub(super) struct ApplyFields {
    name: String,
    id_number: String,
    credit_code: String,
    representative: String,
    phone: String,
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
    let page = ApplyPage {
        v: &v,
        code: p.code.to_string(),
        name: p.name.clone(),
        materials: p
            .guide
            .materials
            .iter()
            .map(|m| (m.name.clone(), m.required, false))
            .collect(),
        kind: "person".into(),
        f: ApplyFields::default(),
        idem: crate::pages::random_hex(16),
        errors: Vec::new(),
    };
    render(&v, StatusCode::OK, &page)
}

pub async fn apply(
    State(state): State<SharedState>,
    Path(code): Path<String>,
    Posted { v, form }: Posted,
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
        note: form.get("note").to_string(),
    };
    let applicant = if kind == "organisation" {
        Applicant::Organisation {
            name: f.name.clone(),
            credit_code: f.credit_code.clone(),
            representative: f.representative.clone(),
            phone: f.phone.clone(),
        }
    } else {
        Applicant::Person {
            name: f.name.clone(),
            id_number: f.id_number.clone(),
            phone: f.phone.clone(),
        }
    };
    let materials = form.all("materials");
    let idem = form.get("idem").to_string();
    let sub = Submission {
        power: p.code.to_string(),
        region: None,
        applicant,
        form: serde_json::json!({ "note": f.note }),
        materials: materials.clone(),
    };
    let key = (!idem.is_empty()).then(|| format!("online-form:{idem}"));
    match state
        .engine
        .submit(sub, Channel::Online, Actor::Applicant, key)
        .await
    {
        Ok(ack) => render(
            &v,
            StatusCode::CREATED,
            &Applied {
                v: &v,
                receipt: ack.receipt.to_string(),
                // A retried form gets the first answer without the code again.
                query_code: ack.query_code.unwrap_or_default(),
                power: p.name.clone(),
            },
        ),
        Err(e) => {
            let (status, errors) = match refusal(&v, e) {
                Ok(x) => x,
                Err(page) => return page,
            };
            let page = ApplyPage {
                v: &v,
                code: p.code.to_string(),
                name: p.name.clone(),
                materials: p
                    .guide
                    .materials
                    .iter()
                    .map(|m| (m.name.clone(), m.required, materials.contains(&m.name)))
                    .collect(),
                kind: kind.into(),
                f,
                idem: crate::pages::random_hex(16),
                errors,
            };
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
}

pub(super) struct Found {
    receipt: String,
    query_code: String,
    power: String,
    department: String,
    applicant: String,
    status: String,
    colour: String,
    colour_label: String,
    submitted: String,
    committed: String,
    statutory: String,
    steps: Vec<(String, String)>,
    open: Vec<(String, String)>,
    decision: Option<String>,
    rated: Option<String>,
    can_rate: bool,
}

pub async fn lookup_form(v: Visitor) -> Response {
    render(
        &v,
        StatusCode::OK,
        &LookupPage {
            v: &v,
            receipt: String::new(),
            error: None,
            found: None,
            notice: None,
        },
    )
}

/// The client's address for rate limiting (the socket's peer; no proxy header is trusted).
pub(super) fn client(ext: &axum::http::Extensions) -> String {
    ext.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "local".into())
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
    code: &str,
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
    Found {
        receipt: c.opened.receipt.to_string(),
        query_code: code.to_string(),
        power: c.opened.power_name.clone(),
        department,
        applicant: if sunlight_core::personal::is_erased(c.opened.applicant.name()) {
            lang.personal(c.opened.applicant.name())
        } else {
            c.opened.applicant.masked().name().to_string()
        },
        status: c.status.zh().to_string(),
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
        rated: c
            .rating
            .as_ref()
            .map(|r| format!("{} / 5 {}", r.level, lang.personal(&r.comment))),
        can_rate: c.status.is_finished() && c.rating.is_none() && c.decision.is_some(),
    }
}

pub(crate) fn colour_label(lang: Lang, colour: &str) -> &'static str {
    match colour {
        "green" => lang.t("绿灯 已办结", "Green: finished"),
        "yellow" => lang.t("黄灯 临近时限", "Yellow: deadline near"),
        "red" => lang.t("红灯 已超时", "Red: overdue"),
        "red_card" => lang.t("红牌 超法定时限", "Red card: past the statutory limit"),
        "late" => lang.t("超时办结", "Finished late"),
        _ => lang.t("蓝灯 正常办理", "Blue: in progress"),
    }
}

pub async fn lookup(
    State(state): State<SharedState>,
    req_ext: axum::http::Extensions,
    Posted { v, form }: Posted,
) -> Response {
    let receipt = form.get("receipt").to_string();
    let who = client(&req_ext);
    let (status, error, found_case) =
        match open_case(&state, &v, &who, &receipt, form.get("code")).await {
            Err(page) => return page,
            Ok(Ok(c)) => (
                StatusCode::OK,
                None,
                Some(found(&state, &v, &c, form.get("code")).await),
            ),
            Ok(Err(e)) => (StatusCode::UNPROCESSABLE_ENTITY, Some(e), None),
        };
    render(
        &v,
        status,
        &LookupPage {
            v: &v,
            receipt,
            error,
            found: found_case,
            notice: None,
        },
    )
}

pub async fn rate(
    State(state): State<SharedState>,
    req_ext: axum::http::Extensions,
    Posted { v, form }: Posted,
) -> Response {
    let receipt = form.get("receipt").to_string();
    let code = form.get("code").to_string();
    let who = client(&req_ext);
    let c = match open_case(&state, &v, &who, &receipt, &code).await {
        Err(page) => return page,
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            return render(
                &v,
                StatusCode::UNPROCESSABLE_ENTITY,
                &LookupPage {
                    v: &v,
                    receipt,
                    error: Some(e),
                    found: None,
                    notice: None,
                },
            );
        }
    };
    let level: u8 = form.get("level").parse().unwrap_or(0);
    let result = state
        .engine
        .act(
            c.opened.receipt.clone(),
            CaseCommand::Rate(Rating {
                level,
                comment: form.get("comment").chars().take(500).collect(),
            }),
            Actor::Applicant,
            None,
        )
        .await;
    let (status, error, notice) = match result {
        Ok(_) => (
            StatusCode::OK,
            None,
            Some(
                v.t("感谢您的评价。", "Thank you for your rating.")
                    .to_string(),
            ),
        ),
        Err(e) => match refusal_text(&v, e) {
            Ok((status, text)) => (status, Some(text), None),
            Err(page) => return page,
        },
    };
    let c = state
        .engine
        .case(&c.opened.receipt)
        .await
        .ok()
        .flatten()
        .unwrap_or(c);
    let f = found(&state, &v, &c, &code).await;
    render(
        &v,
        status,
        &LookupPage {
            v: &v,
            receipt,
            error,
            found: Some(f),
            notice,
        },
    )
}
