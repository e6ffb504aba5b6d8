//! Electronic supervision over HTTP: a case turns red as the test clock moves, its department
//! sees and answers the alert, a supervisor closes it and records a measure; the live stream
//! carries the change; each role sees only what it may.

use super::*;
use sunlight_engine::reference;

const T0: &str = "2026-09-24T09:30:00+08:00";

async fn supervised_api() -> (Api, Arc<ManualClock>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("sup.db").display()))
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let t0: Timestamp = T0.parse().unwrap();
    reference::seed(&store, t0).await.unwrap();
    let clock = Arc::new(ManualClock::new(t0));
    let state = AppState::new(store, clock.clone(), Zone::CHINA);
    (
        Api {
            router: app(state),
            _dir: dir,
        },
        clock,
    )
}

async fn token(api: &Api, user: &str) -> String {
    let r = api
        .call(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"username": user, "password": reference::PASSWORD})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()["token"].as_str().unwrap().to_string()
}

/// Polls `uri` until `ready` holds of its JSON (five seconds at most).
async fn until(api: &Api, uri: &str, token: &str, ready: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..500 {
        let r = api.call("GET", uri, Some(token), None, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let v = r.json();
        if ready(&v) {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("{uri} never got there");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_red_case_raises_an_alert_its_department_answers_and_a_supervisor_closes() {
    let (api, clock) = supervised_api().await;
    let clerk = token(&api, "chuangkou.chen").await;
    let supervisor = token(&api, "jiancha.sun").await;
    // The rules are public.
    let rules = api.get("/api/supervision/rules").await.json();
    assert_eq!(rules.as_array().unwrap().len(), 20);
    assert!(
        rules
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "statutory_overdue"
                && r["basis"].as_str().unwrap().contains("行政许可法"))
    );

    // The live stream, opened before anything happens.
    let req = Request::builder()
        .uri("/api/supervision/stream")
        .header(header::AUTHORIZATION, format!("Bearer {supervisor}"))
        .body(Body::empty())
        .unwrap();
    let stream = api.router.clone().oneshot(req).await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(
        stream.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut body = stream.into_body();

    // Submitted and accepted on 24 Sep: committed deadline 15 Oct.
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
    let receipt = r.json()["receipt"].as_str().unwrap().to_string();
    let tasks = api
        .call(
            "GET",
            &format!("/api/cases/{receipt}/tasks"),
            Some(&clerk),
            None,
            &[],
        )
        .await
        .json();
    let r = api
        .call(
            "POST",
            &format!("/api/cases/{receipt}/commands"),
            Some(&clerk),
            Some(json!({"type": "accept", "task": tasks[0]["task"]})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    // 00:00 on 16 Oct: red (and the reviews' budgets long passed). Three weeks on, everyone
    // signs in again.
    clock.set("2026-10-16T00:00:00+08:00".parse().unwrap());
    let clerk = token(&api, "chuangkou.chen").await;
    let officer = token(&api, "chengban.zhou").await;
    let supervisor = token(&api, "jiancha.sun").await;
    let board = until(&api, "/api/supervision/board", &supervisor, |b| {
        b["attention"][0]["colour"] == "red"
    })
    .await;
    assert_eq!(board["attention"][0]["receipt"], receipt.as_str());
    assert_eq!(board["by_colour"]["red"], 1);
    let alerts = until(
        &api,
        "/api/alerts?rule=committed_overdue",
        &supervisor,
        |a| !a.as_array().unwrap().is_empty(),
    )
    .await;
    let id = alerts[0]["id"].as_i64().unwrap();
    assert_eq!(alerts[0]["state"], "raised");
    assert_eq!(alerts[0]["rule_name"], "超承诺时限（红灯）");

    // The stream carried the alert and the colour.
    let mut seen = String::new();
    while !(seen.contains("event: alert") && seen.contains("\"colour\":\"red\"")) {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(5), body.frame())
            .await
            .expect("the stream went quiet")
            .unwrap()
            .unwrap();
        if let Ok(data) = frame.into_data() {
            seen.push_str(&String::from_utf8_lossy(&data));
        }
    }
    assert!(seen.contains("committed_overdue"), "{seen}");

    // Its department sees it; the department answers; anonymous and others do not.
    assert_eq!(
        api.get("/api/alerts").await.status,
        StatusCode::UNAUTHORIZED
    );
    let mine = api
        .call("GET", "/api/alerts?state=open", Some(&clerk), None, &[])
        .await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(
        mine.json()
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == id)
    );
    let uri = format!("/api/alerts/{id}/acts");
    let act = |token: &str, body: Value| {
        let (api, uri, token) = (&api, uri.clone(), token.to_string());
        async move { api.call("POST", &uri, Some(&token), Some(body), &[]).await }
    };
    let r = act(&supervisor, json!({"act": "close"})).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text());
    assert_eq!(r.json()["code"], "invalid_transition");
    assert_eq!(
        act(&clerk, json!({"act": "acknowledge"})).await.status,
        StatusCode::OK
    );
    let r = act(&officer, json!({"act": "explain", "reason": ""})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = act(
        &officer,
        json!({"act": "explain", "reason": "消防审查意见延迟反馈", "evidence": "协调会纪要"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = act(&clerk, json!({"act": "close"})).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
    let r = act(&supervisor, json!({"act": "close", "note": "情况属实"})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["state"], "closed");

    // A measure against the department, for that alert.
    let dept = reference::department().to_string();
    let r = api
        .call(
            "POST",
            "/api/accountability",
            Some(&clerk),
            Some(json!({"department": dept, "measure": "reminder", "reason": "超期", "alerts": [id]})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = api
        .call(
            "POST",
            "/api/accountability",
            Some(&supervisor),
            Some(
                json!({"department": dept, "staff": "chengban.zhou", "measure": "admonitory_talk",
                "reason": "建筑工程施工许可超承诺时限办理", "alerts": [id]}),
            ),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json()["measure_zh"], "诫勉谈话");
    let listed = api
        .call("GET", "/api/accountability", Some(&clerk), None, &[])
        .await
        .json();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    // Department staff cannot read the board.
    assert_eq!(
        api.call("GET", "/api/supervision/board", Some(&clerk), None, &[])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
