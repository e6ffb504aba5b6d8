//! The window intake (窗口受理): a clerk enters an application handed in at the counter.

use super::*;

#[derive(Template)]
#[template(path = "intake.html")]
pub(super) struct IntakePage<'a> {
    v: &'a Visitor,
    powers: Vec<(String, String)>,
    error: Option<String>,
    idem: String,
}

pub(super) async fn department_powers(state: &SharedState, user: &User) -> Vec<(String, String)> {
    let Some(dept) = &user.department else {
        return Vec::new();
    };
    let q = sunlight_search::SearchQuery {
        department: Some(dept.to_string()),
        status: Some("active".into()),
        limit: 500,
        ..Default::default()
    };
    let _ = state.search.ensure(&state.store).await;
    state
        .search
        .index()
        .search(&q)
        .map(|h| {
            h.items
                .into_iter()
                .map(|h| (h.doc.code, h.doc.name))
                .collect()
        })
        .unwrap_or_default()
}

pub async fn intake_form(State(state): State<SharedState>, v: Visitor) -> Response {
    let user = match v.staff() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    if !user.roles.contains(&Role::WindowClerk) {
        return forbidden(&v);
    }
    let powers = department_powers(&state, &user).await;
    render(
        &v,
        StatusCode::OK,
        &IntakePage {
            v: &v,
            powers,
            error: None,
            idem: crate::pages::random_hex(16),
        },
    )
}

pub async fn intake(State(state): State<SharedState>, Posted { v, form }: Posted) -> Response {
    let user = match v.staff() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    if !user.roles.contains(&Role::WindowClerk) {
        return forbidden(&v);
    }
    let applicant = if form.get("kind") == "organisation" {
        Applicant::Organisation {
            name: form.get("name").into(),
            credit_code: form.get("credit_code").to_uppercase(),
            representative: form.get("representative").into(),
            phone: form.get("phone").into(),
            email: form.get("email").trim().into(),
        }
    } else {
        Applicant::Person {
            name: form.get("name").into(),
            id_number: form.get("id_number").to_uppercase(),
            phone: form.get("phone").into(),
            email: form.get("email").trim().into(),
        }
    };
    let sub = Submission {
        power: form.get("power").to_string(),
        region: None,
        applicant,
        form: serde_json::json!({ "note": form.get("note") }),
        materials: form
            .get("materials")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        files: vec![],
    };
    let idem = form.get("idem");
    let key = (!idem.is_empty()).then(|| format!("{}:intake:{idem}", user.username));
    match state
        .engine
        .submit(sub, Channel::Window, Actor::Staff(user.clone()), key)
        .await
    {
        Ok(ack) => {
            let code = ack.query_code.unwrap_or_default();
            render(
                &v,
                StatusCode::CREATED,
                &crate::pages::Message {
                    v: &v,
                    title: v.t("已登记", "Registered").to_string(),
                    text: format!(
                        "{} {} · {} {}",
                        v.t("受理编号", "Receipt number"),
                        ack.receipt,
                        v.t(
                            "查询码（请交给申请人）",
                            "Query code (hand it to the applicant)"
                        ),
                        code
                    ),
                    back: Some((
                        format!("/work/cases/{}", ack.receipt),
                        v.t("打开办件", "Open the case").to_string(),
                    )),
                },
            )
        }
        Err(e) => {
            let (status, text) = match refusal_text(&v, e) {
                Ok(x) => x,
                Err(page) => return page,
            };
            let powers = department_powers(&state, &user).await;
            render(
                &v,
                status,
                &IntakePage {
                    v: &v,
                    powers,
                    error: Some(text),
                    idem: crate::pages::random_hex(16),
                },
            )
        }
    }
}

/// A department answers a complaint (its staff; once).
pub async fn answer_complaint(
    State(state): State<SharedState>,
    Path(tracking): Path<String>,
    Posted { v, form }: Posted,
) -> Response {
    let user = match v.staff() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    match state
        .engine
        .answer_complaint(
            &tracking,
            form.get("answer"),
            sunlight_core::case::Actor::Staff(user),
            None,
        )
        .await
    {
        Ok(_) => Redirect::to("/work").into_response(),
        Err(e) => PageError::new(&v, e).into_response(),
    }
}
