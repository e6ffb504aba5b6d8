//! Personal data beside the ledger: leaves hold commitments, `ledger_private` the openings.

use crate::harness::now;
use serde_json::{Value, json};
use sunlight_core::personal::ERASED;
use sunlight_store::{NewEntry, Store};

const STREAM: &str = "case/330183-261123-PRIVA-CY001";
const SECRETS: [&str; 7] = [
    "王建华",
    "330183198003124511",
    "13905712468",
    "wjh@example.cn",
    "建华小吃店",
    "两天拿证",
    "不再开店",
];

fn submitted() -> Value {
    json!({
        "type": "submitted",
        "receipt": "330183-261123-PRIVA-CY001",
        "applicant": {"kind": "person", "name": "王建华", "id_number": "330183198003124511", "phone": "13905712468", "email": "wjh@example.cn"},
        "form": {"shop": "建华小吃店", "area_m2": 86},
        "power": "330183-XK-00001"
    })
}

fn entry(kind: &str, payload: &Value) -> NewEntry {
    NewEntry {
        stream: STREAM.into(),
        kind: kind.into(),
        actor: "applicant".into(),
        at: now(),
        payload: sunlight_ledger::entry::canonical_json(payload),
    }
}

/// Appends a submission, a task completion (nothing personal), a rating and a withdrawal
/// reason; answers the payloads as given.
async fn appended(store: &Store) -> Vec<Value> {
    let payloads = vec![
        submitted(),
        json!({"type": "task_completed", "task": 1, "opinion": "符合要求", "outcome": "同意"}),
        json!({"type": "rated", "level": 5, "comment": "网上申请，两天拿证"}),
        json!({"type": "withdrawn", "reason": "不再开店"}),
    ];
    let kinds = [
        "case.submitted",
        "case.task_completed",
        "case.rated",
        "case.withdrawn",
    ];
    let entries: Vec<NewEntry> = kinds
        .iter()
        .zip(&payloads)
        .map(|(k, p)| entry(k, p))
        .collect();
    store.append_standalone(&entries).await.unwrap();
    payloads
}

fn revealed(e: &sunlight_store::StoredEntry) -> Value {
    serde_json::from_str(&e.revealed().unwrap()).unwrap()
}

pub async fn leaves_hold_commitments_and_readers_get_the_values_back(store: &Store) {
    let payloads = appended(store).await;
    let back = store.stream_entries(STREAM).await.unwrap();
    assert_eq!(back.len(), 4);
    for e in &back {
        for s in SECRETS {
            assert!(
                !e.payload.contains(s),
                "{s} in leaf {}: {}",
                e.seq,
                e.payload
            );
        }
        assert_eq!(sunlight_ledger::to_hex(&e.recomputed_leaf()), e.leaf);
    }
    let public: Value = serde_json::from_str(&back[0].payload).unwrap();
    for p in sunlight_core::personal::CASE_SUBMITTED {
        if *p != "/applicant/representative" {
            let c = public.pointer(p).unwrap();
            assert!(
                sunlight_ledger::personal::commitment_of(c).is_some(),
                "{p}: {c}"
            );
        }
    }
    assert_eq!(
        public["power"], "330183-XK-00001",
        "the rest stays as it was"
    );
    assert_eq!(
        back[1].payload,
        sunlight_ledger::entry::canonical_json(&payloads[1]),
        "a kind with nothing personal is stored as given"
    );
    assert!(back[1].openings.is_none());
    for (e, p) in back.iter().zip(&payloads) {
        assert_eq!(&revealed(e), p, "entry {}", e.seq);
    }
    // One entry read alone comes with its openings too.
    let one = store.entry(back[2].seq).await.unwrap().unwrap();
    assert_eq!(revealed(&one)["comment"], "网上申请，两天拿证");
    let report = store.verify_ledger(None).await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

pub async fn erased_openings_read_as_erased_and_the_log_still_verifies(store: &Store) {
    appended(store).await;
    let back = store.stream_entries(STREAM).await.unwrap();
    let seqs: Vec<String> = back.iter().map(|e| e.seq.to_string()).collect();
    store
        .execute_raw(&format!(
            "DELETE FROM ledger_private WHERE seq IN ({})",
            seqs.join(",")
        ))
        .await
        .unwrap();
    let report = store.verify_ledger(None).await.unwrap();
    assert!(report.ok(), "erasure broke the log: {:?}", report.problems);
    let after = store.stream_entries(STREAM).await.unwrap();
    let submitted = revealed(&after[0]);
    assert_eq!(submitted["applicant"]["name"], ERASED);
    assert_eq!(submitted["applicant"]["id_number"], ERASED);
    assert_eq!(submitted["form"], ERASED);
    assert_eq!(submitted["applicant"]["kind"], "person");
    assert_eq!(revealed(&after[2])["comment"], ERASED);
    assert_eq!(revealed(&after[3])["reason"], ERASED);
    // Tampering is still caught afterwards: a leaf rewritten, and a value smuggled back in.
    store
        .execute_raw(&format!(
            "UPDATE ledger_entries SET payload = replace(payload, '符合要求', '不符合要求') WHERE seq = {}",
            after[1].seq
        ))
        .await
        .unwrap();
    let problems = store.verify_ledger(None).await.unwrap().problems;
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(&format!("entry {} ", after[1].seq))),
        "{problems:?}"
    );
}

pub async fn altered_or_stray_personal_values_are_named_by_verify(store: &Store) {
    appended(store).await;
    let first = store.stream_entries(STREAM).await.unwrap()[0].seq;
    store
        .execute_raw(&format!(
            "UPDATE ledger_private SET openings = replace(openings, '王建华', '王建国') WHERE seq = {first}"
        ))
        .await
        .unwrap();
    let problems = store.verify_ledger(None).await.unwrap().problems;
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(&format!("entry {first} "))
                && p.contains("personal values")
                && p.contains("/applicant/name")),
        "{problems:?}"
    );
    // A reader does not take an altered value for the applicant's.
    let e = store.entry(first).await.unwrap().unwrap();
    assert!(e.revealed().is_err());
    store
        .execute_raw("INSERT INTO ledger_private (seq, openings) VALUES (9999, '{}')")
        .await
        .unwrap();
    let problems = store.verify_ledger(None).await.unwrap().problems;
    assert!(
        problems.iter().any(|p| p.contains("entry 9999")),
        "{problems:?}"
    );
}

/// A relation staff declare (for conflict-of-interest checks) names a relative: the leaf holds
/// commitments, the table keeps the values the checks match on.
pub async fn a_declared_relatives_id_number_stays_out_of_the_leaf(store: &Store) {
    let at = now();
    let r = store
        .declare_relation("chen.jing", "330183199001011234", "陈某某", "配偶", at)
        .await
        .unwrap();
    let entries = store
        .stream_entries(&format!("relation/{}", r.id))
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    let leaf = &entries[0].payload;
    assert!(!leaf.contains("330183199001011234"), "{leaf}");
    assert!(!leaf.contains("陈某某"), "{leaf}");
    assert!(leaf.contains("commitment"), "{leaf}");
    assert!(
        entries[0]
            .revealed()
            .unwrap()
            .contains("330183199001011234")
    );
    assert_eq!(
        store.relations(Some("chen.jing")).await.unwrap()[0].party,
        "330183199001011234"
    );
    assert!(store.verify_ledger(None).await.unwrap().ok());
}
