//! Electronic supervision over HTTP: a case turns red as the test clock moves, its department
//! sees and answers the alert, a supervisor closes it and records a measure; the live stream
//! carries the change; each role sees only what it may.

use super::*;
use sunlight_testkit::reference;

const T0: &str = "2026-09-24T09:30:00+08:00";

async fn supervised_api() -> (Api, Arc<ManualClock>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("sup.db").display()))
        .await
        .unwrap();
    let store = store.with_password_cost(sunlight_core::staff::HashCost::TESTING);
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
    let clerk = reference_token(&api, "chuangkou.chen").await;
    let supervisor = reference_token(&api, "jiancha.sun").await;
    // The rules are public.
    let rules = api.get("/api/supervision/rules").await.json();
    assert_eq!(rules.as_array().unwrap().len(), 22);
    assert!(
        rules
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "rectification_overdue"
                && r["basis"].as_str().unwrap().contains("国办发〔2019〕51号"))
    );
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

    // The window clerk declared that the applicant company is his brother's.
    let r = api
        .call(
            "POST",
            "/api/relations",
            Some(&clerk),
            Some(json!({"party": "91330183ma2h0d2x7q", "party_name": "杭州富春建设工程有限公司", "relation": "兄弟任法定代表人"})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
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

    // He accepted it himself: a conflict of interest, raised with the acceptance.
    let coi = api
        .call(
            "GET",
            "/api/alerts?rule=conflict_of_interest",
            Some(&supervisor),
            None,
            &[],
        )
        .await
        .json();
    assert_eq!(coi.as_array().unwrap().len(), 1, "{coi}");
    assert_eq!(coi[0]["source"], "engine");
    assert!(
        coi[0]["detail"]
            .as_str()
            .unwrap()
            .contains("chuangkou.chen")
    );
    // 00:00 on 16 Oct: red (and the reviews' budgets long passed). Three weeks on, everyone
    // signs in again.
    clock.set("2026-10-16T00:00:00+08:00".parse().unwrap());
    let clerk = reference_token(&api, "chuangkou.chen").await;
    let officer = reference_token(&api, "chengban.zhou").await;
    let supervisor = reference_token(&api, "jiancha.sun").await;
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
    while !(seen.contains("committed_overdue") && seen.contains("\"colour\":\"red\"")) {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(5), body.frame())
            .await
            .expect("the stream went quiet")
            .unwrap()
            .unwrap();
        if let Ok(data) = frame.into_data() {
            seen.push_str(&String::from_utf8_lossy(&data));
        }
    }
    assert!(seen.contains("event: alert"), "{seen}");

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
    // The figures are public; the monthly scores are the supervisors'.
    let f = api.get("/api/figures?from=2026-09-01&to=2026-11-01").await;
    assert_eq!(f.status, StatusCode::OK, "{}", f.text());
    let f = f.json();
    assert_eq!(f[0]["received"], 1);
    assert_eq!(f[0]["alerts"]["committed_overdue"], 1);
    let r = api.get("/api/figures?from=2026-11-01&to=2026-09-01").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = api
        .call(
            "GET",
            "/api/supervision/scores?month=2026-10",
            Some(&supervisor),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(
        r.json()[0]["score"].as_f64().unwrap() < 100.0,
        "{}",
        r.text()
    );
    let r = api
        .call(
            "GET",
            "/api/supervision/scores?month=October",
            Some(&supervisor),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = api
        .call(
            "GET",
            "/api/supervision/scores?month=2026-10",
            Some(&clerk),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let limits = api.get("/api/figures/limits").await.json();
    assert_eq!(limits["statutory_days"], 15);
}

fn fed(source_id: &str, kind: &str, at: &str) -> Value {
    json!({
        "source_id": source_id,
        "case": "JST-2026-000123",
        "power": reference::POWER,
        "kind": kind,
        "at": format!("{at}T10:00:00+08:00"),
        "handler": "wang.wu",
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_business_system_feeds_events_that_the_same_rules_watch() {
    let (api, _clock) = supervised_api().await;
    let admin = reference_token(&api, "xitong.admin").await;
    let supervisor = reference_token(&api, "jiancha.sun").await;
    let dept = reference::department().to_string();
    // Only an administrator registers a system; its token is shown once.
    let body = json!({"name": "zjb-jst", "department": dept});
    let r = api
        .call(
            "POST",
            "/api/feeds",
            Some(&supervisor),
            Some(body.clone()),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = api
        .call("POST", "/api/feeds", Some(&admin), Some(body), &[])
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let feed_token = r.json()["token"].as_str().unwrap().to_string();
    let post = |events: Value, token: Option<&str>| {
        let headers: Vec<(&str, String)> = token
            .map(|t| vec![("x-feed-token", t.to_string())])
            .unwrap_or_default();
        let api = &api;
        async move {
            let extra: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            api.call(
                "POST",
                "/api/feeds/events",
                None,
                Some(json!({"events": events})),
                &extra,
            )
            .await
        }
    };
    assert_eq!(
        post(json!([fed("e1", "application", "2026-09-24")]), None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post(
            json!([fed("e1", "application", "2026-09-24")]),
            Some("slf_wrong")
        )
        .await
        .status,
        StatusCode::UNAUTHORIZED
    );
    // A malformed batch is refused whole, every problem named.
    let mut bad_time = fed("e2", "acceptance", "2026-09-24");
    bad_time["at"] = json!("yesterday");
    let mut no_days = fed("e3", "extend", "2026-09-25");
    no_days["handler"] = json!("");
    let r = post(
        json!([fed("e1", "application", "2026-09-24"), bad_time, no_days, {"source_id": "e4"}]),
        Some(&feed_token),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    let fields: Vec<String> = r.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields[0], "events[1].at", "{fields:?}");
    assert!(fields.contains(&"events[2].days".to_string()), "{fields:?}");
    assert!(
        fields.iter().any(|f| f.starts_with("events[3]")),
        "{fields:?}"
    );
    // Nothing was taken: the same first event is new afterwards.
    let r = post(
        json!([
            fed("e1", "application", "2026-09-24"),
            fed("e2", "supplement", "2026-09-25"),
            fed("e3", "supplement", "2026-09-28"),
            fed("e4", "acceptance", "2026-09-29"),
        ]),
        Some(&feed_token),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let receipt = r.json();
    assert_eq!(receipt["accepted"], 4);
    let rules: Vec<&str> = receipt["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["repeated_supplement"]);
    // Sent again: accepted once.
    let mut review = fed("e5", "step_start", "2026-09-30");
    review["step"] = json!("规划审查");
    let r = post(
        json!([fed("e4", "acceptance", "2026-09-29"), review]),
        Some(&feed_token),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["accepted"], 1, "{}", r.text());
    assert_eq!(r.json()["duplicates"], json!(["e4"]));
    // The alert is the department's like any other, and the fed case runs on the board.
    let alerts = until(
        &api,
        "/api/alerts?rule=repeated_supplement",
        &supervisor,
        |a| !a.as_array().unwrap().is_empty(),
    )
    .await;
    assert_eq!(alerts[0]["source"], "feed");
    assert_eq!(alerts[0]["subject"], "zjb-jst:JST-2026-000123");
    assert_eq!(alerts[0]["department"], dept.as_str());
    until(&api, "/api/supervision/board", &supervisor, |b| {
        b["running"] == 1
    })
    .await;
    // A case of a power outside the list is taken, and raised as a breach.
    let mut foreign = fed("e6", "application", "2026-09-30");
    foreign["power"] = json!("330183-XK-99999");
    let r = post(json!([foreign]), Some(&feed_token)).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "an unlisted power is a breach, not a bad event"
    );
    assert_eq!(r.json()["findings"][0]["rule"], "power_not_in_list");
}
