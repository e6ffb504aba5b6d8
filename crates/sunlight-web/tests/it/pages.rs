//! The pages driven in-process as a browser would: cookies kept, CSRF tokens read from the
//! forms, redirects looked at. The end-to-end run in a real browser is in the `sunlight`
//! crate's tests; here are the rules that must hold whatever the browser does.

use super::*;
use std::collections::HashMap;
use sunlight_testkit::reference;

pub(crate) async fn page_api() -> (Api, Arc<ManualClock>, Store) {
    let (api, clock, store, _) = page_api_with(Default::default()).await;
    (api, clock, store)
}

/// The same, with the engine configured; the application too (for its server duties).
pub(crate) async fn page_api_with(
    config: sunlight_engine::EngineConfig,
) -> (Api, Arc<ManualClock>, Store, Arc<sunlight_app::App>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("pages.db").display()))
        .await
        .unwrap();
    let store = store.with_password_cost(sunlight_core::staff::HashCost::TESTING);
    store.migrate().await.unwrap();
    let now: Timestamp = "2026-11-23T09:00:00+08:00".parse().unwrap();
    reference::seed(&store, now).await.unwrap();
    // A clerk of another department, to show a department sees only its own cases.
    let other = CreditCode::with_check("11330183MB1682410").unwrap();
    store
        .put_department(
            &Department::new(
                other.clone(),
                "富阳区市场监督管理局",
                RegionCode::parse("330183").unwrap(),
                DepartmentNature::LegalAgency,
            )
            .unwrap(),
        )
        .await
        .unwrap();
    add_staff(
        &store,
        "shichang.wu",
        "吴窗口",
        Some(other),
        &[Role::WindowClerk, Role::CaseOfficer],
    )
    .await;
    // The registry office (编办), legal review (司法局) and audit (审计局): no case department.
    add_staff(
        &store,
        "bianban.li",
        "李编办",
        None,
        &[Role::RegistryEditor],
    )
    .await;
    add_staff(&store, "fazhi.wang", "王法制", None, &[Role::Reviewer]).await;
    add_staff(&store, "shenji.wu", "吴审计", None, &[Role::Auditor]).await;
    let clock = Arc::new(ManualClock::new(now));
    let application = Arc::new(sunlight_app::App::start(
        store.clone(),
        clock.clone(),
        Zone::CHINA,
        config,
    ));
    let state = AppState::of(application.clone());
    (
        Api {
            router: app(state),
            _dir: dir,
        },
        clock,
        store,
        application,
    )
}

/// A member of staff with the reference password.
async fn add_staff(
    store: &Store,
    name: &str,
    display: &str,
    department: Option<CreditCode>,
    roles: &[Role],
) {
    let now: Timestamp = "2026-11-23T09:00:00+08:00".parse().unwrap();
    let user = User {
        username: Username::parse(name).unwrap(),
        display_name: display.into(),
        department,
        roles: roles.to_vec(),
    };
    store
        .add_user(&user, reference::PASSWORD, now)
        .await
        .unwrap();
}

/// A reference case applied for online; its receipt number.
pub(crate) async fn apply_online(api: &Api) -> String {
    let r = api
        .call(
            "POST",
            "/api/cases",
            None,
            Some(serde_json::to_value(reference::submission(1)).unwrap()),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["receipt"].as_str().unwrap().to_string()
}

/// A visitor with a cookie jar.
pub(crate) struct Browser<'a> {
    api: &'a Api,
    cookies: HashMap<String, String>,
    /// The client's address as the server sees it (none: "local").
    addr: Option<std::net::SocketAddr>,
}

/// The value of the first `name="csrf"` field of a page.
pub(crate) fn csrf_of(html: &str) -> String {
    let at = html
        .find(r#"name="csrf" value=""#)
        .unwrap_or_else(|| panic!("no CSRF field in {html}"));
    let rest = &html[at + r#"name="csrf" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

const MULTIPART_BOUNDARY: &str = "sunlight-test-boundary-7f3a";
const MULTIPART_BOUNDARY_LINE: &str = "--sunlight-test-boundary-7f3a";

fn form(fields: &[(&str, &str)]) -> String {
    fields
        .iter()
        .map(|(k, v)| {
            format!(
                "{}={}",
                k,
                form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>()
            )
        })
        .collect::<Vec<_>>()
        .join("&")
}

impl<'a> Browser<'a> {
    pub(crate) fn new(api: &'a Api) -> Self {
        Self {
            api,
            cookies: HashMap::new(),
            addr: None,
        }
    }

    /// A visitor from `addr`.
    pub(crate) fn from(api: &'a Api, addr: &str) -> Self {
        Self {
            addr: Some(addr.parse().unwrap()),
            ..Self::new(api)
        }
    }

    async fn send(&mut self, method: &str, uri: &str, body: Option<Vec<u8>>) -> Resp {
        let mut req = Request::builder().method(method).uri(uri);
        if !self.cookies.is_empty() {
            let jar = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req = req.header(header::COOKIE, jar);
        }
        let body = match body {
            Some(b) if b.starts_with(MULTIPART_BOUNDARY_LINE.as_bytes()) => {
                req = req.header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={MULTIPART_BOUNDARY}"),
                );
                Body::from(b)
            }
            Some(b) => {
                req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(b)
            }
            None => Body::empty(),
        };
        let mut req = req.body(body).unwrap();
        if let Some(a) = self.addr {
            req.extensions_mut().insert(axum::extract::ConnectInfo(a));
        }
        let r = self.api.send(req).await;
        for c in r.headers.get_all(header::SET_COOKIE) {
            let c = c.to_str().unwrap();
            let (kv, _) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = kv.split_once('=').unwrap();
            if v.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
        }
        r
    }

    pub(crate) async fn get(&mut self, uri: &str) -> Resp {
        self.send("GET", uri, None).await
    }

    pub(crate) async fn post(&mut self, uri: &str, fields: &[(&str, &str)]) -> Resp {
        self.send("POST", uri, Some(form(fields).into_bytes()))
            .await
    }

    /// A cookie's value in this browser's jar.
    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.get(name).cloned()
    }

    /// Sets (or forges) a cookie.
    pub(crate) fn set_cookie(&mut self, name: &str, value: &str) {
        self.cookies.insert(name.into(), value.into());
    }

    /// The lookup form filled with `receipt` and `code`, posted.
    pub(crate) async fn look_up(&mut self, receipt: &str, code: &str) -> Resp {
        self.submit(
            "/lookup",
            "/lookup",
            &[("receipt", receipt), ("code", code)],
        )
        .await
    }

    /// Posts a multipart form: text fields and (field, file name, bytes) files.
    pub(crate) async fn post_multipart(
        &mut self,
        uri: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Resp {
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend(format!(
                "{MULTIPART_BOUNDARY_LINE}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
            ).into_bytes());
        }
        for (k, name, bytes) in files {
            body.extend(format!(
                "{MULTIPART_BOUNDARY_LINE}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            ).into_bytes());
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend(format!("{MULTIPART_BOUNDARY_LINE}--\r\n").into_bytes());
        self.send("POST", uri, Some(body)).await
    }

    /// Fills the form of the page at `page` (CSRF token included) and posts it to `action`.
    pub(crate) async fn submit(
        &mut self,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Resp {
        let html = self.get(page).await.text();
        let token = csrf_of(&html);
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }

    pub(crate) async fn sign_in(&mut self, user: &str) {
        let r = self
            .submit(
                "/login",
                "/login",
                &[("username", user), ("password", reference::PASSWORD)],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    }
}

pub(crate) fn location(r: &Resp) -> &str {
    r.headers
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap())
        .unwrap_or("")
}

#[tokio::test]
async fn the_power_list_is_searched_by_chinese_words_and_hostile_input_is_inert() {
    let (api, _, _) = page_api().await;
    let mut b = Browser::new(&api);
    let r = b
        .get("/powers?q=%E6%96%BD%E5%B7%A5%E8%AE%B8%E5%8F%AF")
        .await; // 施工许可
    assert_eq!(r.status, StatusCode::OK);
    let html = r.text();
    assert!(html.contains("建筑工程施工许可"), "{html}");
    assert!(html.contains("共 <b>1</b> 项"), "{html}");
    assert!(
        r.headers
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    for hostile in [
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "'%20OR%201%3D1%20--",
        "%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E",
        "name%3A*%20AND%20(",
    ] {
        let r = b
            .get(&format!("/powers?q={hostile}&category=%27%3B--"))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{hostile}");
        let html = r.text();
        assert!(!html.contains("<script>alert"), "{hostile}: {html}");
        assert!(!html.contains("<img src=x"), "{hostile}");
        assert!(html.contains("共 <b>0</b> 项"), "{hostile}");
    }
    // The English switch remembers itself.
    let r = b.get("/lang?to=en&back=/powers").await;
    assert_eq!(location(&r), "/powers");
    assert!(b.get("/powers").await.text().contains("Power list"));
    let r = b.get("/lang?to=en&back=//evil.example").await;
    assert_eq!(location(&r), "/", "no open redirect");
    let r = b
        .get("/lang?to=en&back=/powers%0D%0ASet-Cookie:%20sl_session=x")
        .await;
    assert_eq!(location(&r), "/", "no header splitting, no panic");
}

#[tokio::test]
async fn every_form_needs_its_csrf_token() {
    let (api, _, _) = page_api().await;
    let mut b = Browser::new(&api);
    b.get("/").await; // the anonymous token cookie is set
    for (uri, fields) in [
        (
            "/login",
            vec![
                ("username", "chuangkou.chen"),
                ("password", reference::PASSWORD),
            ],
        ),
        ("/lookup", vec![("receipt", "X"), ("code", "1")]),
        ("/lookup/rate", vec![("level", "5")]),
        ("/powers/330183-XK-09001/apply", vec![("name", "张三")]),
        ("/logout", vec![]),
    ] {
        let r = b.post(uri, &fields).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri} without a token");
        let mut wrong = fields.clone();
        wrong.push(("csrf", "0123456789abcdef0123456789abcdef"));
        let r = b.post(uri, &wrong).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri} with another token");
    }
    b.sign_in("chuangkou.chen").await;
    let token = csrf_of(&b.get("/work").await.text());
    for uri in [
        "/work/intake",
        "/work/cases/X/act",
        "/watch/alerts/1",
        "/logout",
    ] {
        let r = b.post(uri, &[("action", "claim")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{uri} signed in, no token");
    }
    // The signed-in token is bound to the session, not to the anonymous cookie.
    let mut other = Browser::new(&api);
    other.get("/").await;
    let r = other.post("/logout", &[("csrf", &token)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn signing_in_sets_a_strict_cookie_and_repeated_failures_lock_the_account() {
    let (api, _, _) = page_api().await;
    let mut b = Browser::new(&api);
    let html = b.get("/login?next=/work").await.text();
    let token = csrf_of(&html);
    let r = b
        .post(
            "/login",
            &[
                ("csrf", &token),
                ("username", "chuangkou.chen"),
                ("password", reference::PASSWORD),
                ("next", "/work"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/work");
    let cookie = r.headers.get(header::SET_COOKIE).unwrap().to_str().unwrap();
    assert!(
        cookie.starts_with("sl_session=")
            && cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    assert!(b.get("/work").await.text().contains("陈窗口"));
    // The cookie reads the API but cannot change anything through it.
    assert_eq!(b.get("/api/me").await.status, StatusCode::OK);
    let r = b.send("POST", "/api/auth/logout", None).await;
    assert_eq!(
        r.status,
        StatusCode::UNAUTHORIZED,
        "a change through the API needs the bearer token, not the cookie"
    );
    assert_eq!(
        b.get("/api/me").await.status,
        StatusCode::OK,
        "still signed in"
    );
    let token = csrf_of(&b.get("/work").await.text());
    let r = b.post("/logout", &[("csrf", &token)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        location(&b.get("/work").await),
        "/login?next=%2Fwork",
        "signed out"
    );

    // Five wrong passwords lock the account, and then even the right one is refused.
    let mut m = Browser::new(&api);
    for i in 0..5 {
        let r = m
            .submit(
                "/login",
                "/login",
                &[("username", "chengban.zhou"), ("password", "wrong")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        if i == 4 {
            assert!(r.text().contains("已锁定"), "{}", r.text());
        }
    }
    let r = m
        .submit(
            "/login",
            "/login",
            &[
                ("username", "chengban.zhou"),
                ("password", reference::PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.text().contains("已锁定"));
    // Sign-in does not redirect off the site.
    let r = Browser::new(&api)
        .submit(
            "/login",
            "/login",
            &[
                ("username", "shouxi.zhao"),
                ("password", reference::PASSWORD),
                ("next", "//evil.example/x"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/work");
}

pub(crate) fn between<'h>(html: &'h str, from: &str, to: &str) -> &'h str {
    let a = html
        .find(from)
        .unwrap_or_else(|| panic!("{from} not in {html}"))
        + from.len();
    let b = html[a..].find(to).unwrap() + a;
    &html[a..b]
}

#[tokio::test]
async fn a_citizen_applies_follows_and_wrong_codes_are_rate_limited() {
    let (api, _, _) = page_api().await;
    let mut citizen = Browser::new(&api);
    let power = "/powers/330183-XK-09001";
    let guide = citizen.get(power).await.text();
    assert!(guide.contains("在线申请") && guide.contains("权力运行流程图"));
    let materials = [
        "建筑工程施工许可申请表",
        "建设工程规划许可证",
        "施工图审查合格书",
    ];
    let page = format!("{power}/apply");
    let html = citizen.get(&page).await.text();
    let (token, idem) = (
        csrf_of(&html),
        between(&html, r#"name="idem" value=""#, "\"").to_string(),
    );
    let mut fields = vec![
        ("csrf", token.as_str()),
        ("idem", idem.as_str()),
        ("kind", "person"),
        ("name", "王建华"),
        ("id_number", "330183198503150019"),
        ("phone", "13957112345"),
        ("note", "新建厂房一栋"),
    ];
    for m in &materials {
        fields.push(("materials", m));
    }
    let r = citizen.post(&page, &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(location(&r), "/applied");
    let done = citizen.get("/applied").await.text();
    let receipt = between(&done, r#"<code id="receipt">"#, "<").to_string();
    let code = between(&done, r#"<code id="query-code">"#, "<").to_string();
    // Refresh shows the same receipt page (GET, nothing posted again).
    assert_eq!(citizen.get("/applied").await.text(), done);
    // The same form posted twice (a double click, back and send) makes one case.
    let again = citizen.post(&page, &fields).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert!(citizen.get("/applied").await.text().contains(&receipt));
    // Another browser has no receipt page to see.
    let r = Browser::new(&api).get("/applied").await;
    assert_eq!(location(&r), "/lookup");

    // Following it shows the timeline and no personal data (post/redirect/get: the page of
    // the case is fetched again on refresh, without the code).
    let r = citizen.look_up(&receipt, &code).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(location(&r), "/lookup/case");
    let html = citizen.get("/lookup/case").await.text();
    assert_eq!(html, citizen.get("/lookup/case").await.text(), "refresh");
    assert!(
        !html.contains(&code),
        "the query code never travels in the page"
    );
    assert!(
        html.contains("建筑工程施工许可") && html.contains("申请"),
        "{html}"
    );
    for secret in ["330183198503150019", "13957112345", "王建华"] {
        assert!(!html.contains(secret), "{secret} shown in full");
    }
    assert!(html.contains("王"), "the masked name");

    // Wrong codes: five, then this address is locked out of the receipt even with the right code…
    for _ in 0..5 {
        let r = citizen.look_up(&receipt, "00000000").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = citizen.look_up(&receipt, &code).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("错误次数过多"), "{}", r.text());
    // …from that address only: the holder of the code, elsewhere, is not locked out.
    let mut guesser = Browser::from(&api, "203.0.113.7:50000");
    for _ in 0..5 {
        let r = guesser.look_up(&receipt, "00000000").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = guesser.look_up(&receipt, &code).await;
    assert!(
        r.text().contains("错误次数过多"),
        "the guesser is locked out"
    );
    let mut holder = Browser::from(&api, "198.51.100.20:41000");
    let r = holder.look_up(&receipt, &code).await;
    assert_eq!(
        r.status,
        StatusCode::SEE_OTHER,
        "the holder gets in: {}",
        r.text()
    );
    // Injection strings in the lookup are only wrong guesses.
    let r = Browser::new(&api)
        .submit(
            "/lookup",
            "/lookup",
            &[
                ("receipt", "' OR '1'='1"),
                ("code", "<script>alert(1)</script>"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!r.text().contains("<script>alert"));
}

#[tokio::test]
async fn staff_see_their_department_s_cases_and_only_the_acts_they_may_take() {
    let (api, _, _) = page_api().await;
    let receipt = apply_online(&api).await;
    let case = format!("/work/cases/{receipt}");

    let mut clerk = Browser::new(&api);
    clerk.sign_in("chuangkou.chen").await;
    let inbox = clerk.get("/work").await.text();
    assert!(inbox.contains(&receipt), "{inbox}");
    let html = clerk.get(&case).await.text();
    for act in [
        r#"data-act="accept""#,
        r#"data-act="supplement""#,
        r#"data-act="refuse""#,
    ] {
        assert!(html.contains(act), "{act}");
    }
    assert!(!html.contains(r#"data-act="decide""#));

    // The officer of the same department has nothing to do before acceptance.
    let mut officer = Browser::new(&api);
    officer.sign_in("chengban.zhou").await;
    assert!(
        officer
            .get(&case)
            .await
            .text()
            .contains(r#"id="no-actions""#)
    );

    // Another department's clerk does not see it at all.
    let mut other = Browser::new(&api);
    other.sign_in("shichang.wu").await;
    assert!(!other.get("/work").await.text().contains(&receipt));
    assert_eq!(other.get(&case).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        other.get(&format!("{case}/flow.svg")).await.status,
        StatusCode::NOT_FOUND
    );

    // The clerk accepts; the page shows it done and the officer's review opens.
    let r = clerk
        .submit(
            &case,
            &format!("{case}/act"),
            &[("action", "accept"), ("task", "1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(clerk.get(location(&r)).await.text().contains("已办理"));
    let html = officer.get(&case).await.text();
    assert!(
        html.contains("data-act=\"claim-") || html.contains("data-act=\"complete-"),
        "{html}"
    );
    // A refused act says why, on the page.
    let r = clerk
        .submit(
            &case,
            &format!("{case}/act"),
            &[("action", "accept"), ("task", "1")],
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert!(r.text().contains(r#"id="error""#));
    let svg = clerk.get(&format!("{case}/flow.svg")).await;
    assert_eq!(svg.content_type, "image/svg+xml");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_complaint_is_answered_by_its_department_or_becomes_an_alert_when_late() {
    let (api, clock, _) = page_api().await;
    let receipt = apply_online(&api).await;
    let mut citizen = Browser::new(&api);
    let file = |target: String| {
        vec![
            ("against", "case".to_string()),
            ("target", target),
            ("complainant", "李秀英".to_string()),
            ("phone", "13700002222".to_string()),
            (
                "text",
                "提交材料后三天无人联系，电话咨询也无人接听，请尽快处理。".to_string(),
            ),
        ]
    };
    // A bad complaint says what is wrong, field by field.
    let r = citizen
        .submit(
            "/complaints",
            "/complaints",
            &[
                ("against", "case"),
                ("target", "330183-000000-XXXXX-XXXXX"),
                ("complainant", "李"),
                ("phone", "1"),
                ("text", "慢"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().contains("没有办件"), "{}", r.text());

    let fields = file(receipt.clone());
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = citizen.submit("/complaints", "/complaints", &pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert_eq!(location(&r), "/complaints/filed");
    let html = citizen.get("/complaints/filed").await.text();
    // Refresh: the same confirmation, nothing filed again.
    let again = citizen.get("/complaints/filed").await.text();
    assert_eq!(
        between(
            &again,
            r#"<section class="card notice" id="filed">"#,
            "</section>"
        ),
        between(
            &html,
            r#"<section class="card notice" id="filed">"#,
            "</section>"
        )
    );
    let tracking = between(&html, r#"<code id="tracking">"#, "<").to_string();
    let code = between(&html, r#"<code id="complaint-code">"#, "<").to_string();
    assert!(html.contains("2026-12-23"), "due in 30 days: {html}");

    // The case's department sees it in its inbox and answers.
    let mut clerk = Browser::new(&api);
    clerk.sign_in("chuangkou.chen").await;
    let inbox = clerk.get("/work").await.text();
    assert!(
        inbox.contains(&tracking) && inbox.contains("13700002222"),
        "{inbox}"
    );
    let r = clerk
        .submit(
            "/work",
            &format!("/work/complaints/{tracking}/answer"),
            &[(
                "answer",
                "经核查，承办人已于今日联系申请人，材料齐全，已进入审查环节。",
            )],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    // Another department cannot answer it.
    let mut other = Browser::new(&api);
    other.sign_in("shichang.wu").await;
    assert!(!other.get("/work").await.text().contains(&tracking));

    // The complainant reads the answer; the public page shows no phone number.
    let r = citizen
        .submit(
            "/complaints",
            "/complaints/track",
            &[("tracking", &tracking), ("code", &code)],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let html = r.text();
    assert!(
        html.contains("已答复") && html.contains("已进入审查环节"),
        "{html}"
    );
    assert!(!html.contains("13700002222"));

    // A second complaint left unanswered past its day becomes an alert.
    let r = citizen.submit("/complaints", "/complaints", &pairs).await;
    let late = citizen.get(location(&r)).await.text();
    let late = between(&late, r#"<code id="tracking">"#, "<").to_string();
    assert_ne!(late, tracking, "another form, another complaint");
    clock.set("2026-12-24T08:00:00+08:00".parse().unwrap());
    let key = format!("complaint_unanswered/{late}");
    let mut found = false;
    for _ in 0..300 {
        let token = api.login_as("jiancha.sun", reference::PASSWORD).await;
        let alerts = api
            .call("GET", "/api/alerts?state=open", Some(&token), None, &[])
            .await
            .json();
        if alerts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["key"] == key.as_str())
        {
            found = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(found, "no alert {key}");
    let alerts = api
        .call(
            "GET",
            "/api/alerts?state=open",
            Some(&api.login_as("jiancha.sun", reference::PASSWORD).await),
            None,
            &[],
        )
        .await
        .json();
    assert!(
        !alerts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["key"] == format!("complaint_unanswered/{tracking}").as_str()),
        "the answered one raises nothing"
    );
}

#[tokio::test]
async fn open_data_downloads_every_list_in_every_format() {
    let (api, _, _) = page_api().await;
    let mut b = Browser::new(&api);
    for (name, heading) in [
        ("responsibility", "事项编码"),
        ("negative-list", "管理措施"),
        ("figures", "按时办结率"),
    ] {
        let csv = b.get(&format!("/open-data/{name}.csv")).await;
        assert_eq!(csv.status, StatusCode::OK, "{name}");
        assert!(csv.content_type.starts_with("text/csv"));
        assert!(
            csv.text().starts_with('\u{feff}'),
            "a byte-order mark for spreadsheets"
        );
        assert!(
            csv.text().lines().next().unwrap().contains(heading),
            "{name}: {}",
            csv.text()
        );
        let xlsx = b.get(&format!("/open-data/{name}.xlsx")).await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.body.starts_with(b"PK"), "an xlsx is a zip");
        let json = b.get(&format!("/open-data/{name}.json")).await;
        assert!(json.json()["rows"].is_array());
    }
    assert_eq!(
        b.get("/open-data/secrets.csv").await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        b.get("/open-data/figures.exe").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_registry_office_proposes_a_change_that_is_reviewed_diffed_and_published() {
    let (api, _, _) = page_api().await;
    let edit = "/registry/powers/330183-XK-09001/edit";
    let mut editor = Browser::new(&api);
    editor.sign_in("bianban.li").await;
    let form = editor.get(edit).await.text();
    assert!(
        form.contains(r#"id="flow-source""#) && form.contains("accept"),
        "{form}"
    );
    let flow = between(&form, r#"spellcheck="false" rows="24" style="font-family: ui-monospace, monospace; font-size: .85rem">"#, "</textarea>")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#x22;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    let r = editor
        .submit(
            edit,
            edit,
            &[
                ("title", "建筑工程施工许可 承诺时限压缩"),
                ("reason", "富政办发〔2026〕12号"),
                ("effective_from", "2026-11-23"),
                ("name", "建筑工程施工许可证核发"),
                ("conditions", "已经办理该建筑工程用地批准手续\n依法应当办理建设工程规划许可证的，已经取得规划许可证"),
                ("materials", "建筑工程施工许可申请表\n建设工程规划许可证\n施工图审查合格书"),
                ("committed", "8"),
                ("statutory", "15"),
                ("place", "富阳区民生综合体行政服务中心"),
                ("hours", "工作日 8:30-17:00"),
                ("phone", "0571-63322710"),
                ("complaint", "12345"),
                ("flow", &flow),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let proposal = location(&r).to_string();
    let html = editor.get(&proposal).await.text();
    assert!(
        html.contains("guide.committed_limit") && html.contains("建筑工程施工许可证核发"),
        "{html}"
    );
    assert!(html.contains(r#"data-act="withdraw""#) && !html.contains(r#"data-act="approve""#));

    // Legal review approves (the proposer could not); the editor publishes.
    let mut reviewer = Browser::new(&api);
    reviewer.sign_in("fazhi.wang").await;
    let page = reviewer.get(&proposal).await.text();
    assert!(page.contains(r#"data-act="approve""#) && !page.contains(r#"data-act="publish""#));
    let act = format!("{proposal}/act");
    let r = reviewer
        .submit(
            &proposal,
            &act,
            &[("act", "approve"), ("note", "合法性审核通过")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = editor.submit(&proposal, &act, &[("act", "publish")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    assert!(editor.get(&proposal).await.text().contains("已发布"));
    let guide = Browser::new(&api)
        .get("/powers/330183-XK-09001")
        .await
        .text();
    assert!(
        guide.contains("建筑工程施工许可证核发") && guide.contains("8个工作日"),
        "{guide}"
    );

    // Cancelling the power: proposed, reviewed, published; the guide then says so and offers
    // no application.
    let r = editor
        .submit(
            edit,
            "/registry/powers/330183-XK-09001/standing",
            &[
                ("change", "cancel"),
                ("effective_from", "2026-11-23"),
                ("title", "取消建筑工程施工许可（试点）"),
                ("reason", "富政发〔2026〕30号"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let cancel = location(&r).to_string();
    assert!(editor.get(&cancel).await.text().contains("取消 cancel"));
    let act = format!("{cancel}/act");
    let r = reviewer
        .submit(&cancel, &act, &[("act", "approve"), ("note", "同意")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = editor.submit(&cancel, &act, &[("act", "publish")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let guide = Browser::new(&api)
        .get("/powers/330183-XK-09001")
        .await
        .text();
    assert!(
        guide.contains("已取消") && !guide.contains(r#"id="apply""#),
        "{guide}"
    );

    // A reviewer may not open the editor; a clerk may not open the registry.
    assert_eq!(reviewer.get(edit).await.status, StatusCode::FORBIDDEN);
    let mut clerk = Browser::new(&api);
    clerk.sign_in("chuangkou.chen").await;
    assert_eq!(clerk.get("/registry").await.status, StatusCode::FORBIDDEN);

    // The flow check the editor calls answers every problem and the flowchart to preview.
    let flow = reference::power().flow.unwrap().to_toml();
    let req = Request::builder()
        .method("POST")
        .uri("/api/flows/check?format=toml&committed_days=1")
        .header(header::CONTENT_TYPE, "application/toml")
        .body(Body::from(flow))
        .unwrap();
    let r = api.send(req).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let check = r.json();
    assert!(
        check["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["message"].as_str().unwrap().contains("承诺时限")),
        "{check}"
    );
    let svg = check["svg"].as_str().unwrap();
    assert!(svg.contains("<svg") && svg.contains("规划审查"), "{check}");
}

#[tokio::test]
async fn the_administrator_adds_staff_who_can_then_sign_in() {
    let (api, _, _) = page_api().await;
    let mut admin = Browser::new(&api);
    admin.sign_in("xitong.admin").await;
    assert!(admin.get("/admin").await.text().contains("chuangkou.chen"));
    let dept = reference::department().to_string();
    let r = admin
        .submit(
            "/admin",
            "/admin/users",
            &[
                ("username", "zhang.wei"),
                ("display_name", "张伟"),
                ("department", &dept),
                ("password", "zhang-wei-2026"),
                ("roles", "window_clerk"),
                ("roles", "case_officer"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let r = admin
        .submit(
            "/admin",
            "/admin/users",
            &[
                ("username", "li.si"),
                ("display_name", "李四"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut zhang = Browser::new(&api);
    let r = zhang
        .submit(
            "/login",
            "/login",
            &[("username", "zhang.wei"), ("password", "zhang-wei-2026")],
        )
        .await;
    assert_eq!(location(&r), "/work");
    assert_eq!(zhang.get("/admin").await.status, StatusCode::FORBIDDEN);

    // Next year's calendar, loaded from the page (the State Council's notice as holiday-cn JSON).
    let year = r#"{"year": 2027, "days": [
        {"name": "元旦", "date": "2027-01-01", "isOffDay": true},
        {"name": "春节", "date": "2027-02-06", "isOffDay": true},
        {"name": "春节", "date": "2027-02-07", "isOffDay": false}]}"#;
    let r = admin
        .submit(
            "/admin",
            "/admin/calendars",
            &[("scope", "national"), ("schedule", year)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let html = admin.get("/admin").await.text();
    assert!(html.contains("<td>2027</td>"), "{html}");
    let r = admin
        .submit(
            "/admin",
            "/admin/calendars",
            &[("scope", "national"), ("schedule", "{not json")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_search_index_follows_a_publication_by_another_process() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!(
        "sqlite:{}",
        dir.path().join("follow.db").display()
    ))
    .await
    .unwrap();
    let store = store.with_password_cost(sunlight_core::staff::HashCost::TESTING);
    store.migrate().await.unwrap();
    let now: Timestamp = "2026-11-23T09:00:00+08:00".parse().unwrap();
    reference::seed(&store, now).await.unwrap();
    let state = AppState::new(store.clone(), Arc::new(ManualClock::new(now)), Zone::CHINA);
    let search = state.search.clone();
    let _router = app(state);
    let q = |t: &str| sunlight_search::SearchQuery {
        text: t.into(),
        limit: 10,
        ..Default::default()
    };
    search.ensure(&store).await.unwrap();
    assert_eq!(search.index().search(&q("施工许可")).unwrap().total, 1);
    // Another process (the CLI) cancels the power: only the database knows (a store of its
    // own, so this process's bus hears nothing).
    let other = Store::connect(&format!(
        "sqlite:{}",
        dir.path().join("follow.db").display()
    ))
    .await
    .unwrap();
    let draft = sunlight_core::review::ProposalDraft {
        title: "取消".into(),
        reason: "富政发〔2026〕30号".into(),
        effective_from: "2026-11-23".parse().unwrap(),
        changes: vec![sunlight_core::lifecycle::PowerChange::Cancel {
            code: PowerCode::parse(reference::POWER).unwrap(),
        }],
    };
    other
        .publish_import(
            draft,
            sunlight_core::review::Origin::Manual,
            "bianban.li",
            now,
            Zone::CHINA.date(now),
        )
        .await
        .unwrap();
    search.ensure(&store).await.unwrap();
    let stale = search.index().search(&q("施工许可")).unwrap();
    assert_eq!(
        stale.items[0].doc.status, "active",
        "nothing told this process"
    );
    search.follow(&store).await.unwrap();
    let fresh = search.index().search(&q("施工许可")).unwrap();
    assert_eq!(fresh.items[0].doc.status, "cancelled");
}

/// A citizen on the Chinese apply page who mistypes the ID number reads what is wrong in
/// Chinese — the check character it should have — and no field path.
#[tokio::test]
async fn a_wrong_id_number_is_explained_in_chinese_without_field_paths() {
    let (api, _, _) = page_api().await;
    let mut citizen = Browser::new(&api);
    let page = "/powers/330183-XK-09001/apply";
    let html = citizen.get(page).await.text();
    assert!(html.contains(r#"<html lang="zh-CN">"#));
    let token = csrf_of(&html);
    let r = citizen
        .post(
            page,
            &[
                ("csrf", token.as_str()),
                ("kind", "person"),
                ("name", "王建华"),
                ("id_number", "330183198503150010"),
                ("phone", "13957112345"),
                ("materials", "建筑工程施工许可申请表"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let html = r.text();
    let refusal = between(&html, r#"<div class="error" role="alert">"#, "</div>");
    assert!(refusal.contains("身份证号码校验位应为 9"), "{refusal}");
    for path in ["applicant.", "id_number:", "not a valid", "check character"] {
        assert!(!refusal.contains(path), "{path} shown: {refusal}");
    }
    // In English the same refusal reads in English, still without the path.
    citizen.get("/lang?to=en&back=/").await;
    let html = citizen.get(page).await.text();
    let token = csrf_of(&html);
    let r = citizen
        .post(
            page,
            &[
                ("csrf", token.as_str()),
                ("kind", "person"),
                ("name", "王建华"),
                ("id_number", "330183198503150010"),
                ("phone", "13957112345"),
            ],
        )
        .await;
    let html = r.text();
    let refusal = between(&html, r#"<div class="error" role="alert">"#, "</div>");
    assert!(refusal.contains("check character should be 9"), "{refusal}");
    assert!(!refusal.contains("applicant."), "{refusal}");
}
