use crate::harness::now;
use sunlight_ledger::checkpoint::Signer;
use sunlight_ledger::{from_hex, leaf_hash, verify_consistency, verify_inclusion};
use sunlight_store::{NewEntry, Store};

fn entry(i: usize) -> NewEntry {
    NewEntry {
        stream: format!("case/330183-261123-AAAA{}-BBBBB", i % 7),
        kind: "case.task_completed".into(),
        actor: "shi.jian".into(),
        at: now(),
        payload: format!(r#"{{"opinion":"符合条件","task":{i}}}"#),
    }
}

/// A ledger of `n` entries written in batches of uneven size, with a checkpoint per batch.
async fn filled(store: &Store, n: usize, signer: &Signer) {
    let mut i = 0;
    for size in [1usize, 2, 13, 40, 3, 77].iter().cycle() {
        if i >= n {
            break;
        }
        let batch: Vec<NewEntry> = (i..(i + size).min(n)).map(entry).collect();
        i += batch.len();
        store.append_standalone(&batch).await.unwrap();
        store
            .sign_checkpoint(signer, "sunlight 330183", now())
            .await
            .unwrap();
    }
}

pub async fn proofs_from_the_store_verify(store: &Store) {
    let signer = Signer::from_secret([3; 32]);
    filled(store, 300, &signer).await;
    let (size, root) = store.ledger_head().await.unwrap();
    assert_eq!(size, 300);
    assert_eq!(store.ledger_root(300).await.unwrap(), root);
    for seq in [0u64, 1, 15, 16, 255, 256, 299] {
        let e = store.entry(seq).await.unwrap().unwrap();
        let leaf = e.recomputed_leaf();
        assert_eq!(sunlight_ledger::to_hex(&leaf), e.leaf);
        let proof = store.inclusion_proof(seq, size).await.unwrap();
        verify_inclusion(&leaf, seq, size, &proof, &root).unwrap();
        assert!(verify_inclusion(&leaf_hash(b"x"), seq, size, &proof, &root).is_err());
    }
    // Every checkpoint is consistent with the head.
    let cps = store.checkpoints().await.unwrap();
    assert!(cps.len() > 5);
    for cp in &cps {
        let proof = store.consistency_proof(cp.size, size).await.unwrap();
        verify_consistency(cp.size, size, &proof, &from_hex(&cp.root).unwrap(), &root).unwrap();
    }
    let report = store.verify_ledger(Some(&signer.verifier())).await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!(
        (report.entries, report.checkpoints as usize),
        (300, cps.len())
    );
    // Another key's checkpoints are not ours.
    let other = Signer::from_secret([4; 32]).verifier();
    assert!(!store.verify_ledger(Some(&other)).await.unwrap().ok());
}

async fn tampered(store: &Store, sql: &[&str]) -> Vec<String> {
    let signer = Signer::from_secret([3; 32]);
    filled(store, 100, &signer).await;
    assert!(
        store
            .verify_ledger(Some(&signer.verifier()))
            .await
            .unwrap()
            .ok()
    );
    for statement in sql {
        store.execute_raw(statement).await.unwrap();
    }
    let report = store.verify_ledger(Some(&signer.verifier())).await.unwrap();
    assert!(!report.ok(), "tampering went unnoticed: {sql:?}");
    report.problems
}

pub async fn verify_names_an_edited_entry(store: &Store) {
    let problems = tampered(store, &["UPDATE ledger_entries SET payload = '{\"opinion\":\"不符合\",\"task\":41}' WHERE seq = 41"]).await;
    assert!(problems[0].starts_with("entry 41 "), "{problems:?}");
}

pub async fn verify_names_a_deleted_entry(store: &Store) {
    let problems = tampered(store, &["DELETE FROM ledger_entries WHERE seq = 57"]).await;
    assert!(
        problems[0].contains("entries 57–57 are missing"),
        "{problems:?}"
    );
}

pub async fn verify_names_a_swapped_pair(store: &Store) {
    // Swap two entries' places, leaves and all.
    let problems = tampered(
        store,
        &[
            "UPDATE ledger_entries SET seq = -1 WHERE seq = 20",
            "UPDATE ledger_entries SET seq = 20 WHERE seq = 21",
            "UPDATE ledger_entries SET seq = 21 WHERE seq = -1",
        ],
    )
    .await;
    assert!(
        problems.iter().any(|p| p.starts_with("entry 20 ")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.starts_with("entry 21 ")),
        "{problems:?}"
    );
}

pub async fn verify_notices_a_truncated_log(store: &Store) {
    let problems = tampered(store, &["DELETE FROM ledger_entries WHERE seq >= 90"]).await;
    assert!(
        problems.iter().any(|p| p.contains("truncated")),
        "{problems:?}"
    );
}

/// Entries travel to the database as one JSON text per statement: whatever a payload, actor
/// or stream holds comes back byte for byte, and the leaves stored beside them verify.
pub async fn awkward_text_survives_the_batch_write(store: &Store) {
    let texts = [
        r#"{"opinion":"含\"引号\"、换行\n、制表\t、\u0001 与 \\ 反斜杠"}"#.to_string(),
        "{\"emoji\":\"𠮷🙂\",\"nul\":\"\\u0000\",\"big\":9223372036854775807,\"neg\":-1}".into(),
        String::new(),
        "'; DROP TABLE ledger_entries; --".into(),
    ];
    let batch: Vec<NewEntry> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| NewEntry {
            stream: format!("case/330183-261123-QUOTE-{i}\"'"),
            kind: "case.task_completed".into(),
            actor: "张三 \"三\" \\ 'x'".into(),
            at: now(),
            payload: t.clone(),
        })
        .collect();
    store.append_standalone(&batch).await.unwrap();
    for (i, e) in batch.iter().enumerate() {
        let back = store.stream_entries(&e.stream).await.unwrap();
        assert_eq!(back.len(), 1, "entry {i}");
        let b = &back[0];
        assert_eq!(
            (&b.stream, &b.kind, &b.actor, &b.payload, b.at_ms),
            (
                &e.stream,
                &e.kind,
                &e.actor,
                &e.payload,
                e.at.as_millisecond()
            )
        );
        assert_eq!(sunlight_ledger::to_hex(&b.recomputed_leaf()), b.leaf);
    }
    let report = store.verify_ledger(None).await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}
