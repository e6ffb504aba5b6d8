//! Notifications survive a crash: the server is killed (SIGKILL) with notices in its outbox
//! while the SMS gateway is down; after a restart each is delivered exactly once. (The window
//! refuses the demo's waiting cases: each refusal tells its applicant by SMS.)

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use sunlight_web::sms_stub::SmsStub;

/// A server that is killed when the test ends, passing or not.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start(config: &str, db: &str) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sunlight"))
        .args([
            "--config",
            config,
            "--database",
            db,
            "demo",
            "--listen",
            "127.0.0.1:0",
        ])
        .env_remove("SUNLIGHT_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("stopped before serving").unwrap();
        if let Some(rest) = line.strip_prefix("Sunlight is serving http://") {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    (Server(child), addr)
}

fn http(addr: &str, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out[9..12].parse().unwrap();
    let body = out.split_once("\r\n\r\n").map(|x| x.1).unwrap_or("");
    // Chunked bodies: the JSON is between the chunk sizes; take from the first '{' or '['.
    let start = body.find(['{', '[']).unwrap_or(0);
    let end = body.rfind(['}', ']']).map(|e| e + 1).unwrap_or(body.len());
    (status, body[start..end.max(start)].to_string())
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn notices_in_the_outbox_of_a_killed_server_are_delivered_exactly_once_after_restart() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let stub = SmsStub::default();
    let url = rt.block_on(async {
        stub.serve(
            tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
            false,
        )
        .unwrap()
    });
    // The gateway is down (answers 503) until the server has been killed.
    stub.fail_next(usize::MAX);
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite:{}", dir.path().join("crash.db").display());
    let config = crate::write(
        dir.path(),
        "sunlight.toml",
        &format!(
            "[notify]\nretry_seconds = 1\nmax_attempts = 100\npoll_seconds = 1\n[notify.sms]\nurl = \"{url}\"\n"
        ),
    );
    let (server, addr) = start(&config, &db);
    let (status, login) = http(
        &addr,
        "POST",
        "/api/auth/login",
        None,
        r#"{"username": "chuangkou.chen", "password": "sunlight-demo"}"#,
    );
    assert_eq!(status, 200, "{login}");
    let token: serde_json::Value = serde_json::from_str(&login).unwrap();
    let token = token["token"].as_str().unwrap().to_string();
    let (status, inbox) = http(&addr, "GET", "/api/inbox", Some(&token), "");
    assert_eq!(status, 200, "{inbox}");
    let inbox: serde_json::Value = serde_json::from_str(&inbox).unwrap();
    let mut accepted = 0;
    for t in inbox.as_array().unwrap() {
        if t["node"] != "accept" {
            continue;
        }
        let (status, body) = http(
            &addr,
            "POST",
            &format!("/api/cases/{}/commands", t["receipt"].as_str().unwrap()),
            Some(&token),
            // Refusing counts no working days (accepting would need next year's calendar in
            // December, and the demo ships the years published so far).
            &format!(
                r#"{{"type": "refuse", "task": {}, "reason": "申请事项依法不需要取得行政许可", "legal_basis": "《中华人民共和国行政许可法》第三十二条第一款第（一）项"}}"#,
                t["task"]
            ),
        );
        // A case waiting for its applicant's supplement cannot be decided on yet.
        match status {
            200 => accepted += 1,
            409 => assert!(body.contains("待补正"), "{body}"),
            _ => panic!("{status}: {body}"),
        }
    }
    assert!(accepted >= 1, "the demo has cases waiting to be accepted");
    // The deliverer has tried (and failed) at least once; then the server dies.
    wait_for("a failed attempt", Duration::from_secs(30), || {
        stub.requests() >= 1
    });
    drop(server);
    let store = rt.block_on(sunlight_store::Store::connect(&db)).unwrap();
    let (pending, sent, failed) = rt.block_on(store.outbox_counts()).unwrap();
    assert!(
        pending >= 1 && sent == 0 && failed == 0,
        "{pending} {sent} {failed}"
    );
    assert!(stub.messages().is_empty());

    stub.fail_next(0);
    let before = stub.requests();
    let (server, _) = start(&config, &db);
    // A row claimed at the moment of the kill waits out its lease (a minute).
    wait_for("every notice", Duration::from_secs(90), || {
        stub.messages().len() as u64 == pending
    });
    std::thread::sleep(Duration::from_secs(3));
    drop(server);
    let messages = stub.messages();
    assert_eq!(messages.len() as u64, pending);
    assert_eq!(
        (stub.requests() - before) as u64,
        pending,
        "each notice sent once after the restart"
    );
    let mut ids: Vec<&str> = messages.iter().map(|m| m.id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len() as u64, pending);
    assert!(messages.iter().all(|m| m.text.contains("不予受理")));
    assert_eq!(rt.block_on(store.outbox_counts()).unwrap(), (0, pending, 0));
}
