//! Finding a case on the workbench (办件检索): by part of its receipt number, the applicant's
//! name, the power's name or code, its status — among the cases of the searcher's own
//! department only (its own and those with a task of it: whom `User::may_read_case` lets read
//! them), at most [`SHOWN`] of them, newest first.

use super::*;
use sunlight_core::case::CaseStatus;

/// The most results a search shows; past it, the page asks for a narrower search.
pub(super) const SHOWN: u32 = 50;
/// The most characters a search field takes.
pub(super) const FIELD_CHARS: usize = 60;

/// A search as the form sends it (`GET /work/search?receipt=…&applicant=…&power=…&status=…`).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct CaseQuery {
    #[serde(default)]
    pub receipt: String,
    #[serde(default)]
    pub applicant: String,
    #[serde(default)]
    pub power: String,
    #[serde(default)]
    pub status: String,
}

impl CaseQuery {
    fn is_empty(&self) -> bool {
        [&self.receipt, &self.applicant, &self.power, &self.status]
            .iter()
            .all(|f| f.trim().is_empty())
    }
}

/// The statuses a search may ask for: (value, words).
pub(super) fn statuses(v: &Visitor) -> Vec<(&'static str, &'static str)> {
    CaseStatus::ALL
        .iter()
        .map(|s| (s.as_str(), crate::pages::status_label(v.lang, *s)))
        .collect()
}

pub(super) struct FoundRow {
    receipt: String,
    power: String,
    applicant: String,
    submitted: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "case_search.html")]
struct SearchPage<'a> {
    v: &'a Visitor,
    department: String,
    search: CaseQuery,
    statuses: Vec<(&'static str, &'static str)>,
    /// Whether a search was made (a query with at least one part).
    searched: bool,
    rows: Vec<FoundRow>,
    /// What the page says above the results: a problem with the query, nothing found, too many.
    note: Option<String>,
    /// The note is a refusal of the query.
    refused: bool,
}

pub async fn search(
    State(state): State<SharedState>,
    v: Visitor,
    q: Result<Query<CaseQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let (_, dept) = match case_worker(&v) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let search = q.map(|Query(q)| q).unwrap_or_default();
    let department = match state.store.department(&dept).await {
        Ok(d) => d.map(|d| d.name).unwrap_or_else(|| dept.to_string()),
        Err(e) => return PageError::new(&v, e).into_response(),
    };
    let mut page = SearchPage {
        v: &v,
        department,
        statuses: statuses(&v),
        searched: false,
        rows: vec![],
        note: None,
        refused: false,
        search: search.clone(),
    };
    let long = [
        &search.receipt,
        &search.applicant,
        &search.power,
        &search.status,
    ]
    .iter()
    .any(|f| f.trim().chars().count() > FIELD_CHARS);
    let status = search.status.trim();
    let refusal = if search.is_empty() {
        // An empty search shows nothing, not everything.
        page.note = Some(
            v.t(
                "请至少填写一项查询条件：受理编号、申请人、事项或状态。",
                "Fill in at least one of: receipt number, applicant, service or status.",
            )
            .to_string(),
        );
        None
    } else if long {
        Some(format!(
            "{}{FIELD_CHARS}{}",
            v.t("每项查询条件不能超过 ", "Each search field takes at most "),
            v.t(" 个字符。", " characters.")
        ))
    } else if !status.is_empty() && CaseStatus::parse(status).is_none() {
        Some(
            v.t(
                "请从列表中选择办件状态。",
                "Choose the status from the list.",
            )
            .to_string(),
        )
    } else {
        None
    };
    if let Some(r) = refusal {
        page.note = Some(r);
        page.refused = true;
        return render(&v, StatusCode::BAD_REQUEST, &page);
    }
    if search.is_empty() {
        return render(&v, StatusCode::OK, &page);
    }
    let part = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let found = match state
        .store
        .search_cases(&sunlight_store::CaseSearch {
            department: dept.to_string(),
            receipt: part(&search.receipt),
            applicant: part(&search.applicant),
            power: part(&search.power),
            status: part(status),
            // One more than shown tells whether there are more.
            limit: SHOWN + 1,
        })
        .await
    {
        Ok(f) => f,
        Err(e) => return PageError::new(&v, e).into_response(),
    };
    page.searched = true;
    page.note = if found.is_empty() {
        Some(
            v.t(
                "本部门没有符合条件的办件。",
                "No case of your department matches.",
            )
            .to_string(),
        )
    } else if found.len() > SHOWN as usize {
        Some(format!(
            "{}{SHOWN}{}",
            v.t("符合条件的办件超过 ", "More cases match than the "),
            v.t(
                " 件，仅列出最近申请的部分。请补充查询条件以缩小范围。",
                " shown, the most recent first. Add to the search to narrow it.",
            )
        ))
    } else {
        None
    };
    page.rows = found
        .into_iter()
        .take(SHOWN as usize)
        .map(|c| FoundRow {
            applicant: crate::pages::listed_applicant(v.lang, c.applicant.as_ref()),
            submitted: sunlight_core::Timestamp::from_millisecond(c.submitted_at_ms)
                .map(|at| crate::pages::minute(state.zone, at))
                .unwrap_or_default(),
            status: CaseStatus::parse(&c.status)
                .map(|s| crate::pages::status_label(v.lang, s))
                .unwrap_or(""),
            receipt: c.receipt,
            power: c.power_name,
        })
        .collect();
    render(&v, StatusCode::OK, &page)
}
