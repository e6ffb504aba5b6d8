//! Who may open what: every route of the OpenAPI document and every page, called by every role
//! and by an anonymous visitor, against the table below. A route added without a row here fails
//! the test, so no endpoint ships without someone deciding who may use it.
//!
//! API calls carry a bearer token; a mutating call is sent with an empty body, so "allowed" means
//! the caller got past authentication and authorisation (a 4xx about the body is fine, 401/403
//! is not) and "denied" means 401 (anonymous), 403, or 404 where a resource of another
//! department is as good as absent. Mutating calls whose role check follows the body check are
//! marked `Body`: there only anonymous refusal is asserted here, and the role rules are tested
//! with valid bodies in the API suites.
//!
//! Pages are driven with the session cookie and a valid CSRF token.

use super::pages::{Browser, apply_online, csrf_of, page_api};
use super::*;
use sunlight_testkit::reference;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Clerk,
    Officer,
    Approver,
    Supervisor,
    Auditor,
    Editor,
    Reviewer,
    Admin,
}

const EVERYONE: [Who; 9] = [
    Who::Anonymous,
    Who::Clerk,
    Who::Officer,
    Who::Approver,
    Who::Supervisor,
    Who::Auditor,
    Who::Editor,
    Who::Reviewer,
    Who::Admin,
];

impl Who {
    fn user(self) -> Option<&'static str> {
        Some(match self {
            Who::Anonymous => return None,
            Who::Clerk => "chuangkou.chen",
            Who::Officer => "chengban.zhou",
            Who::Approver => "shouxi.zhao",
            Who::Supervisor => "jiancha.sun",
            Who::Auditor => "shenji.wu",
            Who::Editor => "bianban.li",
            Who::Reviewer => "fazhi.wang",
            Who::Admin => "xitong.admin",
        })
    }
}

/// Who may call a route.
#[derive(Debug, Clone, Copy)]
enum Access {
    Public,
    Staff,
    Only(&'static [Who]),
    /// These roles see it (2xx); everyone else is refused or told it does not exist.
    Scoped(&'static [Who]),
    /// Staff; the role is checked after the body (see the module comment).
    Body,
    /// Departments' systems with their `X-Feed-Token`, not people: everyone else gets 401.
    FeedToken,
}

use Access::*;
use Who::*;

const CASE_STAFF: &[Who] = &[Clerk, Officer, Approver, Supervisor, Auditor];
const OVERSIGHT: &[Who] = &[Supervisor, Auditor, Admin];
const DEPARTMENT_OR_OVERSIGHT: &[Who] = &[Clerk, Officer, Approver, Supervisor, Auditor, Admin];

/// The table: method, path as the OpenAPI document writes it, who may.
const API: &[(&str, &str, Access)] = &[
    ("get", "/api/powers", Public),
    ("get", "/api/powers/{code}", Public),
    ("get", "/api/powers/{code}/versions", Public),
    ("get", "/api/powers/{code}/versions/{version}", Public),
    ("get", "/api/powers/{code}/diff", Public),
    ("get", "/api/powers/{code}/flow", Public),
    ("get", "/api/powers/{code}/flow.svg", Public),
    ("get", "/api/powers/{code}/riskmap.svg", Public),
    ("post", "/api/flows/check", Public),
    ("get", "/api/proposals", Staff),
    ("post", "/api/proposals", Body),
    ("get", "/api/proposals/{id}", Staff),
    ("post", "/api/proposals/{id}/approve", Only(&[Reviewer])),
    ("post", "/api/proposals/{id}/reject", Body),
    ("post", "/api/proposals/{id}/withdraw", Only(&[Editor])),
    ("post", "/api/proposals/{id}/publish", Only(&[Editor])),
    ("post", "/api/imports/powers", Body),
    ("get", "/api/regions", Public),
    ("put", "/api/regions/{code}", Body),
    ("get", "/api/departments", Public),
    ("put", "/api/departments/{credit_code}", Body),
    ("get", "/api/negative-list", Public),
    ("put", "/api/negative-list", Body),
    ("get", "/api/consistency", Public),
    ("post", "/api/auth/login", Public),
    ("post", "/api/auth/logout", Staff),
    ("get", "/api/me", Staff),
    ("get", "/api/users", Only(&[Admin, Auditor])),
    ("post", "/api/users", Body),
    ("get", "/api/exports/{file}", Public),
    ("get", "/api/calendars", Public),
    ("get", "/api/calendars/{region}/{year}", Public),
    ("put", "/api/calendars/{region}/{year}", Only(&[Admin])),
    ("get", "/api/calendars/{region}/deadline", Public),
    ("post", "/api/cases", Public),
    ("get", "/api/cases/{receipt}", Scoped(CASE_STAFF)),
    // Staff with a token, or the applicant with the query code (X-Query-Code).
    ("post", "/api/cases/{receipt}/commands", Public),
    // Its staff with a token (others: 404), or the applicant with the query code.
    ("post", "/api/cases/{receipt}/files", Body),
    ("get", "/api/cases/{receipt}/history", Scoped(CASE_STAFF)),
    ("get", "/api/cases/{receipt}/tasks", Scoped(CASE_STAFF)),
    ("get", "/api/inbox", Staff),
    ("post", "/api/checkouts", Body),
    ("post", "/api/checkouts/{id}/decision", Body),
    ("get", "/api/benchmarks/{power}", Public),
    ("put", "/api/benchmarks/{power}", Body),
    ("get", "/api/ledger/checkpoint", Public),
    (
        "post",
        "/api/ledger/checkpoints",
        Only(&[Supervisor, Admin]),
    ),
    ("get", "/api/ledger/proofs/inclusion", Public),
    ("get", "/api/ledger/receipts/{receipt}", Public),
    // 电子证照核验: anyone, with the number and code or the file.
    ("get", "/api/verify", Public),
    ("post", "/api/verify", Public),
    ("get", "/api/ledger/proofs/consistency", Public),
    ("get", "/api/supervision/rules", Public),
    ("get", "/api/supervision/board", Only(OVERSIGHT)),
    ("get", "/api/supervision/stream", Only(OVERSIGHT)),
    // Department staff see their department's; staff of no watched department see none.
    ("get", "/api/alerts", Only(DEPARTMENT_OR_OVERSIGHT)),
    ("get", "/api/alerts/{id}", Staff),
    ("post", "/api/alerts/{id}/acts", Body),
    ("post", "/api/accountability", Body),
    ("get", "/api/accountability", Only(DEPARTMENT_OR_OVERSIGHT)),
    ("post", "/api/feeds", Body),
    ("get", "/api/feeds", Only(&[Supervisor, Admin])),
    ("post", "/api/feeds/events", FeedToken),
    ("get", "/api/figures", Public),
    ("get", "/api/figures/limits", Public),
    ("get", "/api/supervision/scores", Only(OVERSIGHT)),
    ("post", "/api/relations", Body),
    ("get", "/api/relations", Staff),
];

fn concrete(path: &str, receipt: &str) -> String {
    path.replace("{code}", reference::POWER)
        .replace("{power}", reference::POWER)
        .replace("{version}", "1")
        .replace("{id}", "1")
        .replace("{credit_code}", "11330183002519830")
        .replace("{region}", "330183")
        .replace("{year}", "2026")
        .replace("{file}", "powers.csv")
        .replace("{receipt}", receipt)
}

fn query(path: &str) -> &'static str {
    match path {
        "/api/powers/{code}/diff" => "?from=1&to=1",
        "/api/calendars/{region}/deadline" => "?from=2026-11-23&amount=5",
        "/api/ledger/proofs/inclusion" => "?seq=0",
        "/api/ledger/proofs/consistency" => "?from=1",
        "/api/figures" => "?from=2026-01-01&to=2026-12-01",
        "/api/supervision/scores" => "?month=2026-11",
        _ => "",
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_for_every_role() {
    let (api, _, _) = page_api().await;
    let receipt = apply_online(&api).await;
    // A checkpoint, so the ledger's read routes have something to prove against.
    let mut tokens = std::collections::HashMap::new();
    for who in EVERYONE {
        if let Some(u) = who.user() {
            let r = api
                .call(
                    "POST",
                    "/api/auth/login",
                    None,
                    Some(json!({"username": u, "password": reference::PASSWORD})),
                    &[],
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{u}: {}", r.text());
            tokens.insert(u, r.json()["token"].as_str().unwrap().to_string());
        }
    }

    // Every documented route has a row, and every row a documented route.
    let doc = sunlight_web::openapi();
    let mut documented = Vec::new();
    for (path, item) in &doc.paths.paths {
        for (method, present) in [
            ("get", item.get.is_some()),
            ("post", item.post.is_some()),
            ("put", item.put.is_some()),
            ("delete", item.delete.is_some()),
            ("patch", item.patch.is_some()),
        ] {
            if present {
                documented.push((method.to_string(), path.clone()));
            }
        }
    }
    let mut missing: Vec<String> = documented
        .iter()
        .filter(|(m, p)| !API.iter().any(|(tm, tp, _)| tm == m && tp == p))
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    missing.extend(
        API.iter()
            .filter(|(m, p, _)| !documented.iter().any(|(dm, dp)| dm == m && dp == p))
            .map(|(m, p, _)| format!("{m} {p} (in the table, not in the API)")),
    );
    assert!(missing.is_empty(), "routes without a row: {missing:#?}");

    let mut wrong = Vec::new();
    // Signing out last: it ends the sessions the other rows use.
    let rows = API
        .iter()
        .filter(|(_, p, _)| *p != "/api/auth/logout")
        .chain(API.iter().filter(|(_, p, _)| *p == "/api/auth/logout"));
    for (method, path, access) in rows {
        let uri = format!("{}{}", concrete(path, &receipt), query(path));
        for who in EVERYONE {
            let token = who.user().map(|u| tokens[u].clone());
            let body = (*method != "get").then(|| json!({}));
            let extra: &[(&str, &str)] = if *path == "/api/supervision/stream" {
                &[("accept", "text/event-stream")]
            } else {
                &[]
            };
            let r = if *path == "/api/supervision/stream" && token.is_some() {
                // A stream never ends: look only at the status line.
                let mut req = Request::builder().method("GET").uri(&uri).header(
                    header::AUTHORIZATION,
                    format!("Bearer {}", token.clone().unwrap()),
                );
                for (k, v) in extra {
                    req = req.header(*k, *v);
                }
                let resp = api
                    .router
                    .clone()
                    .oneshot(req.body(axum::body::Body::empty()).unwrap())
                    .await
                    .unwrap();
                resp.status()
            } else {
                api.call(&method.to_uppercase(), &uri, token.as_deref(), body, extra)
                    .await
                    .status
            };
            let denied = matches!(r, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN);
            let ok = match access {
                Public => !denied,
                FeedToken => r == StatusCode::UNAUTHORIZED,
                Staff | Body if who == Anonymous => r == StatusCode::UNAUTHORIZED,
                Staff | Body => !denied,
                Only(_) | Scoped(_) if who == Anonymous => r == StatusCode::UNAUTHORIZED,
                Only(allowed) if allowed.contains(&who) => !denied,
                Only(_) => denied,
                Scoped(allowed) if allowed.contains(&who) => r.is_success(),
                Scoped(_) => denied || r == StatusCode::NOT_FOUND,
            };
            if !ok {
                wrong.push(format!("{method} {uri} as {who:?}: {r} ({access:?})"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Pages: (path, who may). `None` = everyone including anonymous.
#[tokio::test]
async fn every_page_for_every_role() {
    let (api, _, _) = page_api().await;
    let receipt = apply_online(&api).await;
    let case = format!("/work/cases/{receipt}");
    let flow = format!("{case}/flow.svg");
    let pages: Vec<(&str, Option<&[Who]>)> = vec![
        ("/", None),
        ("/powers", None),
        ("/powers/330183-XK-09001", None),
        ("/powers/330183-XK-09001/apply", None),
        ("/lookup", None),
        ("/open-data", None),
        ("/complaints", None),
        ("/my", None),
        ("/verify", None),
        ("/login", None),
        ("/work", Some(&[Clerk, Officer, Approver])),
        ("/work/search", Some(&[Clerk, Officer, Approver])),
        ("/work/intake", Some(&[Clerk])),
        (&case, Some(CASE_STAFF)),
        (&flow, Some(CASE_STAFF)),
        // The board is for those who oversee (`User::oversees`), as in the API.
        ("/watch", Some(OVERSIGHT)),
        ("/registry", Some(&[Editor, Reviewer])),
        ("/admin", Some(&[Admin])),
    ];
    let mut wrong = Vec::new();
    for who in [
        Anonymous, Clerk, Officer, Approver, Supervisor, Auditor, Admin,
    ] {
        let mut b = Browser::new(&api);
        if let Some(u) = who.user() {
            b.sign_in(u).await;
        }
        for (path, allowed) in &pages {
            let r = b.get(path).await;
            let got = r.status;
            let ok = match allowed {
                None => got == StatusCode::OK,
                Some(_) if who == Anonymous => {
                    got == StatusCode::SEE_OTHER
                        && r.headers
                            .get(header::LOCATION)
                            .is_some_and(|l| l.to_str().unwrap().starts_with("/login?next="))
                }
                Some(a) if a.contains(&who) => got == StatusCode::OK,
                Some(_) => got == StatusCode::FORBIDDEN || got == StatusCode::NOT_FOUND,
            };
            if !ok {
                wrong.push(format!("GET {path} as {who:?}: {got}"));
            }
            let html = r.text();
            if got == StatusCode::OK && !path.ends_with(".svg") {
                for word in english_words(&html) {
                    wrong.push(format!(
                        "GET {path} as {who:?}: English «{word}» on a Chinese page"
                    ));
                }
            }
            // Nothing of the page's content in <head>: the title is plain words.
            if let (Some(a), Some(b)) = (html.find("<title>"), html.find("</title>"))
                && html[a + 7..b].contains('<')
            {
                wrong.push(format!("GET {path} as {who:?}: markup in <title>"));
            }
        }
        // Posting work forms: only the roles that work may; the token is always right here.
        if who != Anonymous {
            let token = csrf_of(&b.get("/lookup").await.text());
            let r = b
                .post(
                    "/work/intake",
                    &[("csrf", &token), ("power", reference::POWER), ("name", "x")],
                )
                .await;
            let may = who == Clerk;
            if may == (r.status == StatusCode::FORBIDDEN) {
                wrong.push(format!("POST /work/intake as {who:?}: {}", r.status));
            }
            let r = b
                .post(
                    &format!("{case}/act"),
                    &[("csrf", &token), ("action", "accept"), ("task", "1")],
                )
                .await;
            let may = who == Clerk;
            let accepted = r.status == StatusCode::SEE_OTHER;
            if may != accepted {
                wrong.push(format!("POST {case}/act accept as {who:?}: {}", r.status));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// `html` without its `open … close` elements.
fn without(html: &str, open: &str, close: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(a) = rest.find(open) {
        out.push_str(&rest[..a]);
        rest = rest[a..]
            .find(close)
            .map_or("", |b| &rest[a + b + close.len()..]);
    }
    out.push_str(rest);
    out
}

/// Words of English a Chinese page shows as text (not in tags, scripts, styles or attributes):
/// runs of Latin letters longer than three that are not a file type, a unit or a name we keep.
fn english_words(html: &str) -> Vec<String> {
    const KEPT: &[&str] = &[
        "English", "PDF", "OFD", "JPEG", "PNG", "JPG", "CSV", "XLSX", "JSON", "API", "OpenAPI",
        "SVG", "BPMN", "TOML", "HTTP", "HTTPS", "Sunlight", "OCDS", "SHA", "HMAC",
    ];
    // Code shown as code (a command, an API path) is not prose.
    let html = without(
        &without(&without(html, "<script", "</script>"), "<style", "</style>"),
        "<code",
        "</code>",
    );
    let mut plain = String::new();
    let mut in_tag = false;
    for ch in html.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                plain.push(' ');
            }
            c if !in_tag => plain.push(c),
            _ => {}
        }
    }
    let mut words: Vec<String> = Vec::new();
    // Identifiers are not words: a receipt number, a code, a user name, a path, an entity.
    let identifier = |t: &str| {
        t.chars()
            .any(|c| c.is_ascii_digit() || ".-_@/:&;=".contains(c))
    };
    for token in plain.split_whitespace().filter(|t| !identifier(t)) {
        for w in token.split(|c: char| !c.is_ascii_alphabetic()) {
            if w.len() > 3 && !KEPT.contains(&w) && !words.iter().any(|x| x == w) {
                words.push(w.to_string());
            }
        }
    }
    words
}
