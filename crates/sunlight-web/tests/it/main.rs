//! The API driven in-process through the real router, on a real SQLite store; one test runs the
//! real server on port 0.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use sunlight_core::clock::{ManualClock, Zone};
use sunlight_core::*;
use sunlight_store::Store;
use sunlight_web::{AppState, app};
use tower::ServiceExt;

mod cases;
mod documents;
mod matrix;
mod notify;
mod pages;
mod rating;
mod staff;
mod supervision;
mod supplement;

struct Api {
    router: axum::Router,
    _dir: tempfile::TempDir,
}

struct Resp {
    status: StatusCode,
    content_type: String,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Resp {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn scjg() -> CreditCode {
    CreditCode::with_check("11330183MB1682410").unwrap()
}

async fn api() -> Api {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("api.db").display()))
        .await
        .unwrap();
    let store = store.with_password_cost(sunlight_core::staff::HashCost::TESTING);
    store.migrate().await.unwrap();
    let now: Timestamp = "2026-03-02T09:00:00+08:00".parse().unwrap();
    for (code, name) in [
        ("330000", "浙江省"),
        ("330100", "杭州市"),
        ("330183", "富阳区"),
    ] {
        let c = RegionCode::parse(code).unwrap();
        store
            .put_region(&Region::new(c, name, c.level(), c.parent()).unwrap())
            .await
            .unwrap();
    }
    store
        .put_department(
            &Department::new(
                scjg(),
                "富阳区市场监督管理局",
                RegionCode::parse("330183").unwrap(),
                DepartmentNature::LegalAgency,
            )
            .unwrap(),
        )
        .await
        .unwrap();
    for (name, roles) in [
        ("li.na", vec![Role::RegistryEditor]),
        ("wang.fang", vec![Role::Reviewer]),
        ("zhao.lei", vec![Role::RegistryEditor, Role::Reviewer]),
        ("admin", vec![Role::Admin]),
        ("chen.jing", vec![Role::WindowClerk]),
    ] {
        let u = User {
            username: Username::parse(name).unwrap(),
            display_name: name.into(),
            department: Some(scjg()),
            roles,
        };
        store.add_user(&u, "sunlight-test-1", now).await.unwrap();
    }
    store.ensure_shipped_calendars(now).await.unwrap();
    let state = AppState::new(store, Arc::new(ManualClock::new(now)), Zone::CHINA);
    Api {
        router: app(state),
        _dir: dir,
    }
}

impl Api {
    async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        body: Option<Value>,
        extra: &[(&str, &str)],
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(serde_json::to_vec(&v).unwrap())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap()).await
    }

    async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = resp
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        Resp {
            status,
            content_type,
            headers,
            body,
        }
    }

    async fn get(&self, uri: &str) -> Resp {
        self.call("GET", uri, None, None, &[]).await
    }

    async fn login_as(&self, user: &str, password: &str) -> String {
        let r = self
            .call(
                "POST",
                "/api/auth/login",
                None,
                Some(json!({"username": user, "password": password})),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()["token"].as_str().unwrap().to_string()
    }

    async fn login(&self, user: &str) -> String {
        let r = self
            .call(
                "POST",
                "/api/auth/login",
                None,
                Some(json!({"username": user, "password": "sunlight-test-1"})),
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()["token"].as_str().unwrap().to_string()
    }

    /// Proposes, approves (someone else) and publishes.
    async fn publish(&self, draft: Value) -> Value {
        let (editor, reviewer) = (self.login("li.na").await, self.login("wang.fang").await);
        let p = self
            .call("POST", "/api/proposals", Some(&editor), Some(draft), &[])
            .await;
        assert_eq!(p.status, StatusCode::CREATED, "{}", p.text());
        let id = p.json()["id"].as_i64().unwrap();
        let a = self
            .call(
                "POST",
                &format!("/api/proposals/{id}/approve"),
                Some(&reviewer),
                Some(json!({"note": "合法"})),
                &[],
            )
            .await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        let r = self
            .call(
                "POST",
                &format!("/api/proposals/{id}/publish"),
                Some(&editor),
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        r.json()
    }
}

fn power(code: &str, name: &str, category: &str) -> Value {
    json!({
        "code": code, "name": name, "category": category,
        "department": scjg().to_string(), "region": "330183000000", "exercise_level": "county", "source": "statutory",
        "legal_basis": [{"instrument": "《中华人民共和国食品安全法》", "article": "第三十五条第一款", "text": "国家对食品生产经营实行许可制度。"}],
        "guide": {"statutory_limit": {"amount": 20, "unit": "working_days"}, "committed_limit": {"amount": 10, "unit": "working_days"},
                  "materials": [{"name": "食品经营许可申请书"}]},
        "responsibility": {"duties": [{"phase": "accept", "text": "一次性告知补正材料"}]}
    })
}

fn draft(effective: &str, changes: Vec<Value>) -> Value {
    json!({"title": "富阳区权力清单调整", "reason": "富政办发〔2026〕8号", "effective_from": effective, "changes": changes})
}

fn create(p: Value) -> Value {
    json!({"kind": "create", "power": p})
}

fn assert_problem(r: &Resp, status: StatusCode, code: &str) -> Value {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(r.content_type, "application/problem+json");
    let p = r.json();
    assert_eq!(p["code"], code, "{p}");
    assert_eq!(p["status"], status.as_u16());
    // Every code answered is one of the list, with its own status and (by default) its
    // Chinese title.
    let listed = Code::parse(code).unwrap_or_else(|| panic!("{code} is not listed"));
    assert_eq!(listed.status(), status.as_u16(), "{code}");
    assert_eq!(p["title"], listed.title().zh.as_ref(), "{p}");
    assert!(p["title"].is_string() && p["detail"].is_string() && p["type"].is_string());
    p
}

#[tokio::test]
async fn openapi_document_describes_every_route() {
    let a = api().await;
    let doc = a.get("/api/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/powers",
        "/api/powers/{code}",
        "/api/powers/{code}/versions",
        "/api/powers/{code}/diff",
        "/api/proposals",
        "/api/proposals/{id}/approve",
        "/api/proposals/{id}/publish",
        "/api/imports/powers",
        "/api/exports/{file}",
        "/api/consistency",
        "/api/negative-list",
        "/api/auth/login",
        "/api/users",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} missing");
    }
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert!(doc["components"]["schemas"]["Power"].is_object());
}

/// The one list of codes is the `code` of every problem and is in the OpenAPI document, whole.
#[tokio::test]
async fn every_code_is_in_the_openapi_document() {
    let a = api().await;
    let doc = a.get("/api/openapi.json").await.json();
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["Problem"]["properties"]["code"]["$ref"], "#/components/schemas/Code",
        "{}",
        schemas["Problem"]
    );
    let listed: Vec<&str> = schemas["Code"]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("no Code enum: {}", schemas["Code"]))
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let ours: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(listed, ours);
}

/// Problems speak Chinese unless the request prefers English; fields keep their path for
/// machines and carry their label and message in the language asked for.
#[tokio::test]
async fn problems_answer_in_the_language_asked_for() {
    let a = api().await;
    let zh = assert_problem(
        &a.get("/api/powers/NOPE-1").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    assert!(
        zh["detail"].as_str().unwrap().contains("不在权力清单内"),
        "{zh}"
    );
    let en = a
        .call(
            "GET",
            "/api/powers/NOPE-1",
            None,
            None,
            &[("accept-language", "en-US,en;q=0.9,zh;q=0.5")],
        )
        .await;
    assert_eq!(en.status, StatusCode::NOT_FOUND);
    let en = en.json();
    assert_eq!(en["title"], Code::NotFound.title().en.as_ref());
    assert_eq!(en["detail"], "power NOPE-1 is not in the list");

    let (city, _, _) = pages::page_api().await;
    let bad = json!({"power": "330183-XK-09001", "applicant": {"kind": "person", "name": "王建华", "id_number": "330183198503150010", "phone": "13957112345"}, "form": {}, "materials": []});
    for (lang, want) in [
        ("zh-CN", "校验位应为 9"),
        ("en", "check character should be 9"),
    ] {
        let r = city
            .call(
                "POST",
                "/api/cases",
                None,
                Some(bad.clone()),
                &[("accept-language", lang)],
            )
            .await;
        let p = r.json();
        assert_eq!(p["code"], "invalid_input", "{p}");
        let e = &p["errors"][0];
        assert_eq!(e["field"], "applicant.id_number", "{p}");
        assert!(e["message"].as_str().unwrap().contains(want), "{lang}: {p}");
        assert!(!p["detail"].as_str().unwrap().contains("applicant."), "{p}");
    }
}

/// A path nothing serves: a problem under /api, a page for people.
#[tokio::test]
async fn unknown_paths_answer_in_their_own_kind() {
    let a = api().await;
    assert_problem(
        &a.get("/api/nothing-here").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
    let page = a.get("/nothing-here").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(
        page.content_type.starts_with("text/html"),
        "{}",
        page.content_type
    );
    assert!(page.text().contains("没有此页面或接口"), "{}", page.text());
}

#[tokio::test]
async fn propose_review_publish_then_read_as_of_and_diff() {
    let a = api().await;
    a.publish(draft(
        "2026-01-01",
        vec![
            create(power("330183-XK-00001", "食品经营许可", "licensing")),
            create(power(
                "330183-CF-00001",
                "对未取得食品经营许可从事食品经营活动的处罚",
                "penalty",
            )),
        ],
    ))
    .await;
    let mut renamed = power("330183-XK-00001", "食品经营许可（含网络经营）", "licensing");
    renamed["guide"]["committed_limit"]["amount"] = json!(8);
    a.publish(draft(
        "2026-02-01",
        vec![json!({"kind": "amend", "power": renamed})],
    ))
    .await;

    let list = a.get("/api/powers?category=行政许可").await.json();
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["name"], "食品经营许可（含网络经营）");
    assert_eq!(list["items"][0]["department_name"], "富阳区市场监督管理局");
    assert_eq!(list["next"], Value::Null);
    let old = a
        .get("/api/powers/330183-XK-00001?as_of=2026-01-15")
        .await
        .json();
    assert_eq!(old["version"], 1);
    assert_eq!(old["power"]["name"], "食品经营许可");
    let listed_then = a.get("/api/powers?as_of=2025-12-31").await.json();
    assert_eq!(listed_then["total"], 0);
    let d = a
        .get("/api/powers/330183-XK-00001/diff?from=1&to=2")
        .await
        .json();
    let paths: Vec<&str> = d["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["name", "guide.committed_limit.amount"]);
    let versions = a.get("/api/powers/330183-XK-00001/versions").await.json();
    assert_eq!(versions.as_array().unwrap().len(), 2);
    assert_eq!(versions[1]["reviewed_by"], "wang.fang");
    assert_problem(
        &a.get("/api/powers/NOPE").await,
        StatusCode::NOT_FOUND,
        "not_found",
    );
}

#[tokio::test]
async fn review_rules_come_back_as_problems() {
    let a = api().await;
    let both = a.login("zhao.lei").await;
    assert_problem(
        &a.call(
            "POST",
            "/api/proposals",
            None,
            Some(draft("2026-01-01", vec![])),
            &[],
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    );
    let p = a
        .call(
            "POST",
            "/api/proposals",
            Some(&both),
            Some(draft(
                "2026-01-01",
                vec![create(power("A-1", "临时救助", "benefit"))],
            )),
            &[],
        )
        .await;
    let id = p.json()["id"].as_i64().unwrap();
    let r = a
        .call(
            "POST",
            &format!("/api/proposals/{id}/approve"),
            Some(&both),
            None,
            &[],
        )
        .await;
    assert_problem(&r, StatusCode::FORBIDDEN, "separation_of_duties");
    let clerk = a.login("chen.jing").await;
    let r = a
        .call(
            "POST",
            "/api/proposals",
            Some(&clerk),
            Some(draft(
                "2026-01-01",
                vec![create(power("A-2", "临时救助", "benefit"))],
            )),
            &[],
        )
        .await;
    assert_problem(&r, StatusCode::FORBIDDEN, "role_required");
    let reviewer = a.login("wang.fang").await;
    let r = a
        .call(
            "POST",
            &format!("/api/proposals/{id}/reject"),
            Some(&reviewer),
            None,
            &[],
        )
        .await;
    let p = assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(p["errors"][0]["field"], "note");
    let r = a
        .call(
            "POST",
            &format!("/api/proposals/{id}/publish"),
            Some(&both),
            None,
            &[],
        )
        .await;
    assert_problem(&r, StatusCode::CONFLICT, "proposal_state");
    // A batch with a bad change names it.
    let mut bad = power("A-3", "临时救助", "benefit");
    bad["department"] = json!(
        CreditCode::with_check("11330183MB9999999")
            .unwrap()
            .to_string()
    );
    let r = a
        .call(
            "POST",
            "/api/proposals",
            Some(&both),
            Some(draft(
                "2026-01-01",
                vec![create(power("A-4", "医疗救助", "benefit")), create(bad)],
            )),
            &[],
        )
        .await;
    let p = assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "changes_refused");
    assert_eq!(p["errors"][0]["field"], "changes[1].department");
    // Malformed bodies and queries, too.
    let r = a
        .call(
            "POST",
            "/api/proposals",
            Some(&both),
            Some(json!({"title": 1})),
            &[],
        )
        .await;
    assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    let r = a
        .get("/api/powers?category=行政指导&as_of=2026-13-01&limit=0")
        .await;
    let p = assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["category", "as_of", "limit"]);
}

#[tokio::test]
async fn login_lockout_and_logout() {
    let a = api().await;
    for _ in 0..4 {
        let r = a
            .call(
                "POST",
                "/api/auth/login",
                None,
                Some(json!({"username": "li.na", "password": "nope"})),
                &[],
            )
            .await;
        assert_problem(&r, StatusCode::UNAUTHORIZED, "invalid_credentials");
    }
    let r = a
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"username": "li.na", "password": "nope"})),
            &[],
        )
        .await;
    assert_problem(&r, StatusCode::LOCKED, "account_locked");
    let t = a.login("wang.fang").await;
    assert_eq!(
        a.call("GET", "/api/me", Some(&t), None, &[]).await.json()["username"],
        "wang.fang"
    );
    assert_eq!(
        a.call("POST", "/api/auth/logout", Some(&t), None, &[])
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_problem(
        &a.call("GET", "/api/me", Some(&t), None, &[]).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    );
}

#[tokio::test]
async fn idempotency_key_replays_and_writes_once() {
    let a = api().await;
    let t = a.login("li.na").await;
    let body = draft(
        "2026-01-01",
        vec![create(power("I-1", "临时救助", "benefit"))],
    );
    let key = [("Idempotency-Key", "3f2c8a9e-0001")];
    let first = a
        .call("POST", "/api/proposals", Some(&t), Some(body.clone()), &key)
        .await;
    let again = a
        .call("POST", "/api/proposals", Some(&t), Some(body.clone()), &key)
        .await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(first.body, again.body);
    assert_eq!(again.headers.get("idempotent-replayed").unwrap(), "true");
    let proposals = a
        .call("GET", "/api/proposals", Some(&t), None, &[])
        .await
        .json();
    assert_eq!(proposals.as_array().unwrap().len(), 1);
    let other = a
        .call(
            "POST",
            "/api/proposals",
            Some(&t),
            Some(draft(
                "2026-01-01",
                vec![create(power("I-2", "医疗救助", "benefit"))],
            )),
            &key,
        )
        .await;
    assert_problem(
        &other,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    );
}

#[tokio::test]
async fn import_reports_rows_and_export_round_trips() {
    let a = api().await;
    let t = a.login("li.na").await;
    let csv = "富阳区市场监督管理局权责清单\n\
               序号,职权名称,职权类型,实施主体,设定依据,承诺时限\n\
               1,食品经营许可,行政许可,富阳区市场监督管理局,《中华人民共和国食品安全法》第三十五条,10个工作日\n\
               ,,,,,\n\
               2,对食品经营者的处罚,行政指导,富阳区市场监督管理局,《中华人民共和国食品安全法》第一百二十六条,\n";
    let req = |body: &str| {
        Request::builder()
            .method("POST")
            .uri("/api/imports/powers?format=csv&reason=%E5%AF%8C%E6%94%BF%E5%8A%9E%E5%8F%91")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let r = a.send(req(csv)).await;
    let p = assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "import_failed");
    assert_eq!(p["errors"][0]["row"], 5);
    assert_eq!(p["errors"][0]["field"], "职权类型");
    let r = a.send(req(&csv.replace("行政指导", "行政处罚"))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let out = r.json();
    assert_eq!(out["rows_read"], 2);
    assert_eq!(out["proposal"]["origin"]["type"], "import");
    let id = out["proposal"]["id"].as_i64().unwrap();
    let reviewer = a.login("wang.fang").await;
    a.call(
        "POST",
        &format!("/api/proposals/{id}/approve"),
        Some(&reviewer),
        None,
        &[],
    )
    .await;
    assert_eq!(
        a.call(
            "POST",
            &format!("/api/proposals/{id}/publish"),
            Some(&t),
            None,
            &[]
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(a.get("/api/powers").await.json()["total"], 2);

    for (file, ct) in [
        ("powers.xlsx", "spreadsheetml"),
        ("powers.csv", "text/csv"),
        ("powers.json", "application/json"),
    ] {
        let e = a.get(&format!("/api/exports/{file}")).await;
        assert_eq!(e.status, StatusCode::OK);
        assert!(e.content_type.contains(ct), "{}", e.content_type);
        let ext = file.rsplit('.').next().unwrap();
        let back = Request::builder()
            .method("POST")
            .uri(format!("/api/imports/powers?format={ext}&reason=x"))
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .body(Body::from(e.body))
            .unwrap();
        let r = a.send(back).await;
        let p = assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
        assert!(
            p["detail"].as_str().unwrap().contains("均已按原样列入清单"),
            "{file}: {p}"
        );
    }
}

#[tokio::test]
async fn real_server_on_port_zero() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let a = api().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sunlight_web::serve(listener, a.router.clone(), async {
        rx.await.ok();
    }));
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).await.unwrap();
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    assert!(out.contains(r#"{"status":"ok"}"#));
    tx.send(()).unwrap();
    server.await.unwrap().unwrap();
}

#[tokio::test]
async fn administrators_keep_regions_departments_and_the_negative_list() {
    let a = api().await;
    let admin = a.login("admin").await;
    let editor = a.login("li.na").await;
    let r = a
        .call(
            "PUT",
            "/api/regions/330122",
            Some(&admin),
            Some(json!({"name": "桐庐县", "level": "county"})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["parent"], "330100000000");
    let r = a
        .call(
            "PUT",
            "/api/regions/330122",
            Some(&admin),
            Some(json!({"name": "桐庐县", "level": "city"})),
            &[],
        )
        .await;
    let p = assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert_eq!(p["errors"][0]["field"], "level");
    let cc = CreditCode::with_check("11330122MB1750220")
        .unwrap()
        .to_string();
    let body = json!({"name": "桐庐县市场监督管理局", "region": "330122", "nature": "法定机关"});
    assert_problem(
        &a.call(
            "PUT",
            &format!("/api/departments/{cc}"),
            Some(&editor),
            Some(body.clone()),
            &[],
        )
        .await,
        StatusCode::FORBIDDEN,
        "role_required",
    );
    let r = a
        .call(
            "PUT",
            &format!("/api/departments/{cc}"),
            Some(&admin),
            Some(body.clone()),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let bad = format!("{}0", &cc[..17]);
    let r = a
        .call(
            "PUT",
            &format!("/api/departments/{bad}"),
            Some(&admin),
            Some(body),
            &[],
        )
        .await;
    let p = assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("校验码"),
        "{p}"
    );
    assert_eq!(
        a.get("/api/departments?region=330122").await.json()["total"],
        1
    );

    let items = json!([{"industry": "制造业", "category": "食品制造", "item": "未获得许可，不得从事食品生产", "measure": "needs_approval", "basis": "《中华人民共和国食品安全法》第三十五条"}]);
    assert_problem(
        &a.call(
            "PUT",
            "/api/negative-list",
            Some(&admin),
            Some(items.clone()),
            &[],
        )
        .await,
        StatusCode::FORBIDDEN,
        "role_required",
    );
    assert_eq!(
        a.call("PUT", "/api/negative-list", Some(&editor), Some(items), &[])
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        a.get("/api/negative-list").await.json()["items"][0]["measure"],
        "needs_approval"
    );
}

#[tokio::test]
async fn deadlines_explain_themselves() {
    let a = api().await;
    let r = a
        .get("/api/calendars/330183/deadline?from=2025-09-26&amount=10")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let e = r.json();
    assert_eq!(e["deadline"], "2025-10-16");
    assert_eq!(e["days"][2]["reason"]["kind"], "make_up_working_day");
    let r = a.get("/api/calendars/national/deadline?from=2025-03-03&amount=5&stops=2025-03-05..2025-03-11:%E8%A1%A5%E6%AD%A3").await.json();
    assert_eq!(r["deadline"], "2025-03-17");
    assert_eq!(
        r["days"][2]["reason"],
        json!({"kind": "stopped", "reason": "补正"})
    );
    // 2027 ships provisionally; past the last loaded year a deadline is refused with the cure.
    let provisional = a
        .get("/api/calendars/330183/deadline?from=2026-12-20&amount=30")
        .await
        .json();
    assert_eq!(provisional["deadline"], "2027-02-01");
    let p = assert_problem(
        &a.get("/api/calendars/330183/deadline?from=2027-12-20&amount=30")
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    );
    assert!(
        p["detail"].as_str().unwrap().contains("请先载入该年度"),
        "{p}"
    );
    assert_problem(
        &a.get("/api/calendars/330183/deadline?from=2025-03-03&amount=5&stops=soon")
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_input",
    );
    assert_eq!(
        a.get("/api/calendars/national/2026").await.json()["days"]
            .as_array()
            .unwrap()
            .len(),
        39
    );

    // Loading 2027 extends the calendar; the admin alone may do it.
    let y2027 =
        r#"{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}"#;
    let put = |token: String| {
        Request::builder()
            .method("PUT")
            .uri("/api/calendars/national/2027")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::from(y2027))
            .unwrap()
    };
    assert_problem(
        &a.send(put(a.login("li.na").await)).await,
        StatusCode::FORBIDDEN,
        "role_required",
    );
    assert_eq!(
        a.send(put(a.login("admin").await)).await.status,
        StatusCode::OK
    );
    let e = a
        .get("/api/calendars/330183/deadline?from=2026-12-20&amount=30")
        .await
        .json();
    assert_eq!(e["deadline"], "2027-02-01");
}

#[tokio::test]
async fn flows_are_part_of_the_power_and_validated_with_it() {
    let a = api().await;
    let flow = json!({
        "suspensions": ["补正"],
        "nodes": [
            {"id": "start", "type": "start", "name": "申请"},
            {"id": "accept", "type": "task", "name": "受理", "step": "accept", "role": "window_clerk", "days": 1},
            {"id": "visit", "type": "task", "name": "入户调查", "step": "on_site_check", "role": "case_officer", "days": 6, "actors": 2},
            {"id": "decide", "type": "task", "name": "审核确认", "step": "decide", "role": "approver", "days": 2, "differs_from": ["visit"]},
            {"id": "end", "type": "end", "name": "办结"}
        ],
        "edges": [{"from": "start", "to": "accept"}, {"from": "accept", "to": "visit"}, {"from": "visit", "to": "decide"}, {"from": "decide", "to": "end"}],
        "risks": [{"node": "visit", "level": "high", "description": "虚报家庭收入", "controls": ["两人入户"], "post": "承办人"}]
    });
    let mut p = power("330183-JF-00001", "最低生活保障金给付", "benefit");
    p["flow"] = flow.clone();
    a.publish(draft("2026-01-01", vec![create(p.clone())]))
        .await;
    let out = a.get("/api/powers/330183-JF-00001/flow").await.json();
    assert_eq!(out["total_days"], 9);
    assert_eq!(out["flow"]["nodes"][2]["actors"], 2);
    for (path, needle) in [
        ("flow.svg", "入户调查"),
        ("riskmap.svg", "【高风险】虚报家庭收入"),
    ] {
        let svg = a.get(&format!("/api/powers/330183-JF-00001/{path}")).await;
        assert_eq!(svg.status, StatusCode::OK);
        assert!(svg.content_type.starts_with("image/svg+xml"));
        let text = svg.text();
        assert!(text.contains(needle) && !text.contains("Times"), "{path}");
    }
    let risk = a
        .get("/api/powers/330183-JF-00001/riskmap.svg")
        .await
        .text();
    assert!(risk.contains("#c62828"), "high risk drawn red");
    let bpmn = a.get("/api/powers/330183-JF-00001/flow?format=bpmn").await;
    assert!(
        bpmn.content_type.starts_with("application/xml")
            && bpmn.text().contains("<bpmn:userTask id=\"visit\""),
        "{}",
        bpmn.text()
    );
    // What a modeler sends back is checked before anyone saves it.
    let check = Request::builder()
        .method("POST")
        .uri("/api/flows/check?committed_days=5")
        .header(header::CONTENT_TYPE, "application/xml")
        .body(Body::from(bpmn.body.clone()))
        .unwrap();
    let checked = a.send(check).await.json();
    assert_eq!(checked["total_days"], 9);
    assert_eq!(checked["errors"][0]["kind"], "over_budget");
    let page = a.get("/powers/330183-JF-00001").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("最低生活保障金给付")
            && html.contains("/api/powers/330183-JF-00001/riskmap.svg")
            && html.contains("《中华人民共和国食品安全法》"),
        "{html}"
    );
    assert_eq!(a.get("/powers/NOPE").await.status, StatusCode::NOT_FOUND);
    let toml = a.get("/api/powers/330183-JF-00001/flow?format=toml").await;
    assert!(
        toml.content_type.starts_with("application/toml") && toml.text().contains("on_site_check"),
        "{}",
        toml.text()
    );

    // Over the committed limit of 10 working days, and an unknown role: both named.
    let mut bad = p.clone();
    bad["code"] = json!("330183-JF-00002");
    bad["flow"]["nodes"][2]["days"] = json!(9);
    bad["flow"]["nodes"][3]["role"] = json!("mayor");
    let editor = a.login("li.na").await;
    let r = a
        .call(
            "POST",
            "/api/proposals",
            Some(&editor),
            Some(draft("2026-01-01", vec![create(bad)])),
            &[],
        )
        .await;
    let problem = assert_problem(&r, StatusCode::UNPROCESSABLE_ENTITY, "changes_refused");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["changes[0].flow.decide", "changes[0].flow"],
        "{problem}"
    );
    assert!(
        problem["errors"][1]["message"]
            .as_str()
            .unwrap()
            .contains("12 个工作日")
    );
}

/// Signs in a user of the reference case (`sunlight_testkit::reference`) and answers the token.
async fn reference_token(api: &Api, user: &str) -> String {
    let r = api
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"username": user, "password": sunlight_testkit::reference::PASSWORD})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["token"].as_str().unwrap().to_string()
}

/// Every field a refusal names anywhere in the workspace has words a page can show instead of
/// its path (a page never shows `applicant.id_number`).
#[test]
fn every_field_a_refusal_names_has_a_label() {
    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut sources = Vec::new();
    for c in std::fs::read_dir(&crates).unwrap().flatten() {
        let src = c.path().join("src");
        if src.is_dir() {
            files(&src, &mut sources);
        }
    }
    let makers = [
        "FieldError::new(",
        "DomainError::field(",
        "ApiError::field(",
        "StoreError::invalid(",
    ];
    let mut seen = 0;
    let mut missing = Vec::new();
    for file in &sources {
        let text = std::fs::read_to_string(file).unwrap();
        for maker in makers {
            for (at, _) in text.match_indices(maker) {
                let rest = text[at + maker.len()..]
                    .trim_start()
                    .trim_start_matches('&')
                    .trim_start_matches("format!(")
                    .trim_start();
                let Some(lit) = rest.strip_prefix('"') else {
                    continue; // a field computed elsewhere (a sheet heading, a prefixed path)
                };
                let path = &lit[..lit.find('"').unwrap()];
                for segment in path.split('.') {
                    let name = segment.split('[').next().unwrap();
                    if name.is_empty() || name.contains('{') {
                        continue;
                    }
                    seen += 1;
                    if field_label(name).is_none() {
                        missing.push(format!("{}: {path}", file.display()));
                    }
                }
            }
        }
    }
    assert!(
        seen > 100,
        "only {seen} field names found: is the scan still right?"
    );
    assert!(missing.is_empty(), "no words for: {missing:#?}");
}
