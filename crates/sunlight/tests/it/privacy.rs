//! The sample city's personal data stays out of the ledger, and `sunlight erase` deletes it
//! once a finished case's retention has ended, leaving `ledger verify` green.

use std::collections::BTreeSet;
use sunlight_core::Timestamp;
use sunlight_core::clock::Zone;
use sunlight_core::personal::ERASED;
use sunlight_store::Store;

/// The demo's applicants and complainants as `demo_cases.rs` writes them: names, the first
/// seventeen digits of ID numbers (the check character follows), phones, and what their forms
/// say about them.
const DEMO_PEOPLE: [&str; 18] = [
    "陈国平",
    "33018319880723131",
    "13588120476",
    "王建华",
    "33018319800312451",
    "13905712468",
    "李秀英",
    "33018319751105242",
    "13757129035",
    "张伟",
    "0571-63352718",
    "赵丽娟",
    "33018319920214362",
    "15068193527",
    "王建国",
    "建华小吃店",
    "秀英面馆",
    "丽娟烘焙坊",
];

/// The sample city at 09:00 on Monday 23 November 2026, in a SQLite file in `dir`.
async fn demo_city(dir: &std::path::Path) -> (Store, String) {
    let url = format!("sqlite:{}", dir.join("privacy.db").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let zone = Zone::CHINA;
    let t0: Timestamp = "2026-11-23T09:00:00+08:00".parse().unwrap();
    store.ensure_shipped_calendars(t0).await.unwrap();
    sunlight::demo::load(&store, t0, zone.date(t0))
        .await
        .unwrap();
    sunlight::demo_cases::load(
        &store,
        t0,
        zone,
        sunlight_engine::QueryCodeKey::random(),
        Default::default(),
    )
    .await
    .unwrap();
    (store, url)
}

/// Every entry of the log.
async fn entries(store: &Store) -> Vec<sunlight_store::StoredEntry> {
    let (size, _) = store.ledger_head().await.unwrap();
    let mut out = Vec::new();
    for seq in 0..size {
        out.push(store.entry(seq).await.unwrap().unwrap());
    }
    out
}

/// Every string inside a JSON value.
fn strings(v: &serde_json::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::String(s) if s.chars().count() >= 2 => {
            out.insert(s.clone());
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(m) => m.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// What the store gives back as personal: every value of the entries' openings, revealed.
fn personal_values(all: &[sunlight_store::StoredEntry]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in all {
        if let Some(o) = &e.openings {
            let openings: sunlight_ledger::personal::Openings = serde_json::from_str(o).unwrap();
            for opening in openings.values() {
                strings(&opening.value, &mut out);
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_leaf_of_the_sample_city_holds_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = demo_city(dir.path()).await;
    let all = entries(&store).await;
    assert!(all.len() > 50, "the demo wrote {} entries", all.len());
    // Everything the readers get back as personal, and the demo's people by name.
    let withheld = personal_values(&all);
    for person in [
        "陈国平",
        "王建华",
        "李秀英",
        "赵丽娟",
        "张伟",
        "13905712468",
    ] {
        assert!(
            withheld.iter().any(|w| w.contains(person)),
            "{person} is not among the values kept beside the ledger: {withheld:?}"
        );
    }
    assert!(
        withheld.contains("网上申请，两天拿证，很方便"),
        "the rating's text"
    );
    let mut found = Vec::new();
    for e in &all {
        for s in DEMO_PEOPLE
            .iter()
            .copied()
            .chain(withheld.iter().map(String::as_str))
        {
            if e.payload.contains(s) {
                found.push(format!("entry {} ({} {}): «{s}»", e.seq, e.stream, e.kind));
            }
        }
    }
    assert!(
        found.is_empty(),
        "personal data in leaves:\n{}",
        found.join("\n")
    );
    // The engine's readers see the applicants as they applied.
    let submitted = all
        .iter()
        .filter(|e| e.kind == "case.submitted")
        .map(|e| serde_json::from_str::<serde_json::Value>(&e.revealed().unwrap()).unwrap())
        .collect::<Vec<_>>();
    assert_eq!(submitted.len(), 5);
    assert!(
        submitted.iter().any(|s| s["applicant"]["id_number"]
            .as_str()
            .is_some_and(|id| id.starts_with("33018319800312451"))),
        "{submitted:?}"
    );
    let report = store.verify_ledger(None).await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

fn sunlight(db: &str, config: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_sunlight"))
        .args(["--database", db, "--config", config])
        .args(args)
        .env_remove("SUNLIGHT_DATABASE_URL")
        .output()
        .expect("run sunlight")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sunlight_erase_deletes_finished_cases_personal_data_only() {
    let dir = tempfile::tempdir().unwrap();
    let (store, db) = demo_city(dir.path()).await;
    let receipts = |all: &[sunlight_store::StoredEntry], name: &str| -> String {
        all.iter()
            .find(|e| {
                e.kind == "case.submitted"
                    && serde_json::from_str::<serde_json::Value>(&e.revealed().unwrap()).unwrap()
                        ["applicant"]["name"]
                        == name
            })
            .map(|e| e.stream.trim_start_matches("case/").to_string())
            .unwrap_or_else(|| panic!("no case of {name}"))
    };
    let all = entries(&store).await;
    let done = receipts(&all, "王建华");
    let waiting = receipts(&all, "赵丽娟");
    store.close().await;
    // Keep personal data of finished cases for zero years: everything finished before today.
    let config = dir.path().join("sunlight.toml");
    std::fs::write(&config, "[privacy]\nretention_years = 0\n").unwrap();
    let config = config.display().to_string();
    let text = |o: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };

    let out = sunlight(&db, &config, &["erase", "--before", "2999-01-01"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("保存期限未届满"), "{}", text(&out));
    let out = sunlight(&db, &config, &["erase", "--receipt", &waiting]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        text(&out).contains("尚未办结") && text(&out).contains("still running"),
        "{}",
        text(&out)
    );
    let out = sunlight(&db, &config, &["erase", "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains(&done) && !text(&out).contains(&waiting),
        "{}",
        text(&out)
    );
    let out = sunlight(&db, &config, &["erase"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains(&done), "{}", text(&out));
    let out = sunlight(&db, &config, &["ledger", "verify"]);
    assert!(
        out.status.success() && text(&out).contains("ledger intact"),
        "{}",
        text(&out)
    );

    let store = Store::connect(&db).await.unwrap();
    let all = entries(&store).await;
    let case = |r: &str| -> serde_json::Value {
        let e = all
            .iter()
            .find(|e| e.kind == "case.submitted" && e.stream == format!("case/{r}"))
            .unwrap();
        serde_json::from_str(&e.revealed().unwrap()).unwrap()
    };
    assert_eq!(case(&done)["applicant"]["name"], ERASED);
    assert_eq!(case(&done)["applicant"]["id_number"], ERASED);
    assert_eq!(case(&done)["form"], ERASED);
    assert_eq!(case(&waiting)["applicant"]["name"], "赵丽娟");
    let erasures: Vec<_> = all.iter().filter(|e| e.kind == "privacy.erased").collect();
    assert!(
        erasures
            .iter()
            .any(|e| e.stream == format!("privacy/case/{done}")),
        "{erasures:?}"
    );
    // Erased twice is erased once.
    let out = sunlight(&db, &config, &["erase", "--receipt", &done]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("已删除"), "{}", text(&out));
}
