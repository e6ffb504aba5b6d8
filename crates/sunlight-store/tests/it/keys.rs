use crate::harness::now;
use jiff::SignedDuration;
use sunlight_core::Timestamp;
use sunlight_store::{CaseBatch, Claim, KEY_RETENTION_DAYS, Store};

fn days_ago(days: i64) -> Timestamp {
    now() - SignedDuration::from_hours(24 * days)
}

/// Results are remembered for a week: older ones are forgotten, newer ones still answer.
pub async fn remembered_results_are_forgotten_after_a_week(store: &Store) {
    for (key, at) in [("old-command", days_ago(8)), ("new-command", days_ago(1))] {
        let batch = CaseBatch {
            keys: vec![(key.into(), format!(r#"{{"kind":"{key}"}}"#))],
            at: Some(at),
            ..Default::default()
        };
        store.commit(&batch).await.unwrap();
    }
    for (key, at) in [("old-call", days_ago(9)), ("new-call", days_ago(2))] {
        let claim = store
            .idempotency_claim("chuangkou.chen", key, "hash", at)
            .await
            .unwrap();
        assert_eq!(claim, Claim::Fresh);
    }
    let cutoff = now() - SignedDuration::from_hours(24 * KEY_RETENTION_DAYS);
    assert_eq!(store.forget_keys(cutoff).await.unwrap(), 2);
    let left = store
        .command_results(&["old-command", "new-command"])
        .await
        .unwrap();
    assert_eq!(left.keys().collect::<Vec<_>>(), ["new-command"]);
    // The forgotten call's key is free again; the remembered one is still in progress.
    assert_eq!(
        store
            .idempotency_claim("chuangkou.chen", "old-call", "hash", now())
            .await
            .unwrap(),
        Claim::Fresh
    );
    assert_eq!(
        store
            .idempotency_claim("chuangkou.chen", "new-call", "hash", now())
            .await
            .unwrap(),
        Claim::InProgress
    );
    assert_eq!(store.forget_keys(cutoff).await.unwrap(), 0, "nothing twice");
}
