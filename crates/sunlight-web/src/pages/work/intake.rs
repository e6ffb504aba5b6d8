//! The window intake (窗口受理): a clerk enters an application handed in at the counter.

use super::*;

#[derive(Template)]
#[template(path = "intake.html")]
pub(super) struct IntakePage<'a> {
    v: &'a Visitor,
    /// The department's powers in force: (code, name).
    powers: Vec<(String, String)>,
    /// The power chosen: (code, name); the form to register comes once one is.
    chosen: Option<(String, String)>,
    /// The chosen power's materials as its guide lists them: (name, required, ticked).
    materials: Vec<(String, bool, bool)>,
    /// What was typed, kept when the form comes back refused.
    typed: Typed,
    error: Option<String>,
    idem: String,
}

/// The applicant's fields and the rest of the form as typed.
#[derive(Debug, Default)]
pub(super) struct Typed {
    organisation: bool,
    name: String,
    id_number: String,
    credit_code: String,
    representative: String,
    phone: String,
    email: String,
    /// Materials the guide does not name, one per line (其他材料).
    other: String,
    note: String,
}

impl Typed {
    fn of(form: &FormData) -> Self {
        Self {
            organisation: form.get("kind") == "organisation",
            name: form.get("name").into(),
            id_number: form.get("id_number").into(),
            credit_code: form.get("credit_code").into(),
            representative: form.get("representative").into(),
            phone: form.get("phone").into(),
            email: form.get("email").into(),
            other: form.get("other_materials").into(),
            note: form.get("note").into(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Chosen {
    #[serde(default)]
    power: String,
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

/// The intake page for `code` among the department's `powers` (the only one, if there is just
/// one and none is named): the guide's materials to tick, those in `ticked` ticked.
async fn intake_page<'a>(
    state: &SharedState,
    v: &'a Visitor,
    powers: Vec<(String, String)>,
    code: &str,
    ticked: &[String],
) -> Result<IntakePage<'a>, Response> {
    let code = match code.trim() {
        "" if powers.len() == 1 => powers[0].0.clone(),
        c => c.to_string(),
    };
    let chosen = powers.iter().find(|(c, _)| *c == code).cloned();
    let materials = match &chosen {
        Some((c, _)) => match state.store.power(c, None).await {
            Ok(p) => p
                .map(|p| {
                    p.power
                        .guide
                        .materials
                        .into_iter()
                        .map(|m| {
                            let on = ticked.contains(&m.name);
                            (m.name, m.required, on)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            Err(e) => return Err(PageError::new(v, e).into_response()),
        },
        None => vec![],
    };
    Ok(IntakePage {
        v,
        powers,
        chosen,
        materials,
        typed: Typed::default(),
        error: None,
        idem: crate::pages::random_hex(16),
    })
}

pub async fn intake_form(
    State(state): State<SharedState>,
    v: Visitor,
    q: Result<Query<Chosen>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let user = match v.staff() {
        Ok(u) => u.clone(),
        Err(r) => return r,
    };
    if !user.roles.contains(&Role::WindowClerk) {
        return forbidden(&v);
    }
    let code = q.map(|Query(c)| c.power).unwrap_or_default();
    let powers = department_powers(&state, &user).await;
    match intake_page(&state, &v, powers, &code, &[]).await {
        Ok(page) => render(&v, StatusCode::OK, &page),
        Err(r) => r,
    }
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
    // The guide's materials ticked, then any others the clerk wrote, one per line.
    let ticked = form.all("materials");
    let mut materials = ticked.clone();
    materials.extend(
        form.get("other_materials")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string),
    );
    let sub = Submission {
        power: form.get("power").to_string(),
        region: None,
        applicant,
        form: serde_json::json!({ "note": form.get("note") }),
        materials,
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
            match intake_page(&state, &v, powers, form.get("power"), &ticked).await {
                Ok(page) => render(
                    &v,
                    status,
                    &IntakePage {
                        typed: Typed::of(&form),
                        error: Some(text),
                        ..page
                    },
                ),
                Err(r) => r,
            }
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
