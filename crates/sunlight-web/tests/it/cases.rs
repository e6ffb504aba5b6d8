//! Cases over HTTP: the applicant submits online and follows with the query code, staff act
//! with their tokens, and every event is provably in the ledger.

use super::*;
use sunlight_testkit::reference;

async fn reference_api() -> Api {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite:{}", dir.path().join("cases.db").display()))
        .await
        .unwrap();
    let store = store.with_password_cost(sunlight_core::staff::HashCost::TESTING);
    store.migrate().await.unwrap();
    let now: Timestamp = "2026-11-23T09:00:00+08:00".parse().unwrap();
    reference::seed(&store, now).await.unwrap();
    let mut state = AppState::new(store, Arc::new(ManualClock::new(now)), Zone::CHINA);
    state.ledger.signer = Some(Arc::new(sunlight_ledger::Signer::from_secret([7; 32])));
    Api {
        router: app(state),
        _dir: dir,
    }
}

/// A command on a case, by a member of staff (`token`) or the applicant (`extra` headers).
async fn command(
    api: &Api,
    receipt: &str,
    token: Option<&String>,
    body: Value,
    extra: &[(&str, &str)],
) -> Resp {
    let uri = format!("/api/cases/{receipt}/commands");
    api.call("POST", &uri, token.map(String::as_str), Some(body), extra)
        .await
}

fn submission() -> Value {
    serde_json::to_value(reference::submission(1)).unwrap()
}

#[tokio::test]
async fn a_case_over_http_from_application_to_proof() {
    let api = reference_api().await;
    // Applying online needs no account; the answer gives the receipt number and the query code once.
    let r = api
        .call(
            "POST",
            "/api/cases",
            None,
            Some(submission()),
            &[("Idempotency-Key", "apply-1")],
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let ack = r.json();
    let receipt = ack["receipt"].as_str().unwrap().to_string();
    let code = ack["query_code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 8);
    // The same key again: the same answer, no second case.
    let again = api
        .call(
            "POST",
            "/api/cases",
            None,
            Some(submission()),
            &[("Idempotency-Key", "apply-1")],
        )
        .await;
    assert_eq!(again.json()["receipt"], ack["receipt"]);

    let clerk = reference_token(&api, "chuangkou.chen").await;
    let tasks = api
        .call(
            "GET",
            &format!("/api/cases/{receipt}/tasks"),
            Some(&clerk),
            None,
            &[],
        )
        .await;
    assert_eq!(tasks.status, StatusCode::OK, "{}", tasks.text());
    let accept = tasks.json()[0]["task"].as_u64().unwrap();
    let inbox = api
        .call("GET", "/api/inbox", Some(&clerk), None, &[])
        .await
        .json();
    assert_eq!(inbox[0]["receipt"], json!(receipt));

    // An officer may not accept: the rule answers, with its code.
    let officer = reference_token(&api, "chengban.zhou").await;
    let r = command(
        &api,
        &receipt,
        Some(&officer),
        json!({"type": "accept", "task": accept}),
        &[],
    )
    .await;
    assert_eq!(
        (r.status, r.json()["code"].as_str().unwrap()),
        (StatusCode::FORBIDDEN, "role_required")
    );
    let r = command(
        &api,
        &receipt,
        Some(&clerk),
        json!({"type": "accept", "task": accept}),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = command(
        &api,
        &receipt,
        Some(&clerk),
        json!({"type": "accept", "task": accept}),
        &[],
    )
    .await;
    assert_eq!(
        (r.status, r.json()["code"].as_str().unwrap()),
        (StatusCode::CONFLICT, "task_state")
    );

    let case = api
        .call(
            "GET",
            &format!("/api/cases/{receipt}"),
            Some(&officer),
            None,
            &[],
        )
        .await
        .json();
    assert_eq!(case["status"], "in_progress");
    assert!(case["deadlines"]["statutory"].is_string());

    // The applicant withdraws with the query code; a wrong code learns nothing.
    let wrong = command(
        &api,
        &receipt,
        None,
        json!({"type": "withdraw"}),
        &[("X-Query-Code", "00000000")],
    )
    .await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
    let r = command(
        &api,
        &receipt,
        None,
        json!({"type": "withdraw", "reason": "项目调整"}),
        &[("X-Query-Code", code.as_str())],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());

    let history = api
        .call(
            "GET",
            &format!("/api/cases/{receipt}/history"),
            Some(&officer),
            None,
            &[],
        )
        .await
        .json();
    let kinds: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["case.submitted", "case.accepted", "case.withdrawn"]);

    // Each of those events is in the tree: check the proofs the way a citizen would, against a
    // signed checkpoint.
    let supervisor = reference_token(&api, "jiancha.sun").await;
    let cp = api
        .call(
            "POST",
            "/api/ledger/checkpoints",
            Some(&supervisor),
            None,
            &[],
        )
        .await;
    assert_eq!(cp.status, StatusCode::CREATED, "{}", cp.text());
    let cp = cp.json();
    let size = cp["size"].as_u64().unwrap();
    assert_eq!(
        size,
        2 + 3,
        "the power's publication (proposal and version) and the case's three events"
    );
    let root = sunlight_ledger::from_hex(cp["root"].as_str().unwrap()).unwrap();
    let proofs = api.get(&format!("/api/ledger/receipts/{receipt}")).await;
    assert_eq!(proofs.status, StatusCode::OK, "{}", proofs.text());
    let proofs = proofs.json();
    assert_eq!(proofs.as_array().unwrap().len(), 3);
    for p in proofs.as_array().unwrap() {
        let hashes = |v: &Value| -> Vec<sunlight_ledger::Hash> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|h| sunlight_ledger::from_hex(h.as_str().unwrap()).unwrap())
                .collect()
        };
        let leaf = sunlight_ledger::from_hex(p["leaf"].as_str().unwrap()).unwrap();
        let seq = p["seq"].as_u64().unwrap();
        sunlight_ledger::verify_inclusion(&leaf, seq, size, &hashes(&p["path"]), &root).unwrap();
    }
    let c = api.get("/api/ledger/proofs/consistency?from=1&to=3").await;
    assert_eq!(c.status, StatusCode::OK, "{}", c.text());
    // Without signing in, nobody reads the case itself.
    assert_eq!(
        api.get(&format!("/api/cases/{receipt}")).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn the_query_codes_hash_is_never_served() {
    let api = reference_api().await;
    let r = api
        .call("POST", "/api/cases", None, Some(submission()), &[])
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let receipt = r.json()["receipt"].as_str().unwrap().to_string();
    let code = r.json()["query_code"].as_str().unwrap().to_string();
    // Stored codes are keyed hashes (`hmac-sha256:…`).
    let hash = "hmac-sha256:";
    // The department's staff read the case and its history, the applicant included…
    let officer = reference_token(&api, "chengban.zhou").await;
    let case = api
        .call(
            "GET",
            &format!("/api/cases/{receipt}"),
            Some(&officer),
            None,
            &[],
        )
        .await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.text());
    assert_eq!(case.json()["opened"]["receipt"], json!(receipt));
    assert_eq!(
        case.json()["opened"]["applicant"],
        serde_json::to_value(&reference::submission(1).applicant).unwrap()
    );
    let history = api
        .call(
            "GET",
            &format!("/api/cases/{receipt}/history"),
            Some(&officer),
            None,
            &[],
        )
        .await;
    assert_eq!(history.status, StatusCode::OK, "{}", history.text());
    assert_eq!(history.json()[0]["kind"], "case.submitted");
    assert_eq!(history.json()[0]["event"]["receipt"], json!(receipt));
    // …but neither the query code, its hash nor its name, anywhere.
    for (what, body) in [("case", case.text()), ("history", history.text())] {
        assert!(!body.contains("query_code_hash"), "{what}: {body}");
        assert!(!body.contains(hash), "{what}: {body}");
        assert!(!body.contains(&format!("\"{code}\"")), "{what}: {body}");
    }
    // The OpenAPI document says so.
    let doc = api.get("/api/openapi.json").await.json();
    let schema = &doc["components"]["schemas"]["OpenedView"]["properties"];
    assert!(schema["applicant"].is_object(), "{schema}");
    assert!(schema.get("query_code_hash").is_none(), "{schema}");
    assert_eq!(
        doc["paths"]["/api/cases/{receipt}"]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"]["$ref"],
        "#/components/schemas/CaseView"
    );
    assert!(!doc.to_string().contains("query_code_hash"));
}
