//! Personal data out of the ledger, through the engine: commitments in the leaves, the values
//! beside them, erased when a finished case's retention has ended.

use super::{Db, accepted, now, submitted};
use sunlight_core::case::{Actor, Applicant, CaseCommand, CaseStatus, Rating};
use sunlight_core::clock::Zone;
use sunlight_core::personal::ERASED;
use sunlight_store::{Erase, NotErasable};
use sunlight_testkit::reference::{self, finish};

/// Every leaf's payload, as stored.
async fn all_payloads(store: &sunlight_store::Store) -> Vec<String> {
    let (size, _) = store.ledger_head().await.unwrap();
    let mut out = Vec::new();
    for seq in 0..size {
        out.push(store.entry(seq).await.unwrap().unwrap().payload);
    }
    out
}

pub(crate) async fn a_finished_case_is_erased_and_the_ledger_still_verifies(db: &Db) {
    let engine = super::engine(db).await;
    let store = &db.store;
    let today = Zone::CHINA.date(now());
    // Case 1 runs to delivery and is rated; case 2 stays open at the window.
    let done = accepted(&engine, 1, today).await;
    loop {
        let open = engine.open_tasks(&done).await.unwrap();
        if open.is_empty() {
            break;
        }
        for t in &open {
            let (cmd, who) = finish(t, today);
            engine
                .act(done.clone(), cmd, Actor::Staff(who), None)
                .await
                .unwrap();
        }
    }
    engine
        .act(
            done.clone(),
            CaseCommand::Rate(Rating {
                level: 4,
                comment: "审批很快，窗口李科长很耐心".into(),
                ..Default::default()
            }),
            Actor::Applicant,
            None,
        )
        .await
        .unwrap();
    let open = submitted(&engine, 2).await;
    let open = open.receipt;

    // No leaf holds the applicants' names, phones, forms or the rating's text.
    let secrets = [
        "杭州富春建设工程有限公司第1项目部",
        "杭州富春建设工程有限公司第2项目部",
        "李建国",
        "0571-63312345",
        "富春湾新城安置房",
        "李科长",
    ];
    for p in all_payloads(store).await {
        for s in secrets {
            assert!(!p.contains(s), "«{s}» is in a leaf: {p}");
        }
    }
    // The engine reads them back.
    let before = engine.case(&done).await.unwrap().unwrap();
    assert_eq!(before.status, CaseStatus::Closed);
    assert_eq!(
        before.opened.applicant.name(),
        "杭州富春建设工程有限公司第1项目部"
    );
    assert_eq!(
        before.rating.as_ref().unwrap().comment,
        "审批很快，窗口李科长很耐心"
    );
    assert_eq!(before.opened.form["project"], "富春湾新城安置房1期");
    // The query code is kept as a keyed hash.
    assert!(before.opened.query_code_hash.starts_with("hmac-sha256:"));

    // Nothing is erased before the retention period has ended.
    let early = store
        .erase_personal(&Erase {
            finished_before: now() - jiff::SignedDuration::from_hours(1),
            receipts: &[],
            basis: "test",
            by: "admin",
            at: now(),
        })
        .await
        .unwrap();
    assert!(early.erased.is_empty());
    let named = [
        done.to_string(),
        open.to_string(),
        "330183-261123-NOSUC-HCASE".into(),
    ];
    let (_, refused) = store
        .erasable(now() - jiff::SignedDuration::from_hours(1), &named)
        .await
        .unwrap();
    assert_eq!(
        refused,
        [
            (named[0].clone(), NotErasable::Retained),
            (named[1].clone(), NotErasable::Open),
            (named[2].clone(), NotErasable::Unknown),
        ]
    );

    // Past the cut-off, the finished case is erased and the open one is not.
    let size_before = store.ledger_head().await.unwrap().0;
    let cutoff = now() + jiff::SignedDuration::from_hours(24);
    let report = store
        .erase_personal(&Erase {
            finished_before: cutoff,
            receipts: &[],
            basis: "《中华人民共和国个人信息保护法》第四十七条第一款第（二）项",
            by: "admin",
            at: now(),
        })
        .await
        .unwrap();
    assert_eq!(report.erased.len(), 1, "{report:?}");
    assert_eq!(report.erased[0].receipt, done.to_string());
    assert_eq!(
        report.erased[0].entries.len(),
        2,
        "the submission and the rating"
    );
    let verified = store.verify_ledger(None).await.unwrap();
    assert!(verified.ok(), "{:?}", verified.problems);
    assert_eq!(
        verified.entries,
        size_before + 1,
        "one entry for the erasure"
    );

    // The erasure is ledgered without personal data.
    let erasure = store
        .stream_entries(&format!("privacy/case/{done}"))
        .await
        .unwrap();
    assert_eq!(erasure.len(), 1);
    assert_eq!(erasure[0].kind, "privacy.erased");
    assert_eq!(erasure[0].actor, "admin");
    let payload: serde_json::Value = serde_json::from_str(&erasure[0].payload).unwrap();
    assert_eq!(payload["stream"], format!("case/{done}"));
    assert_eq!(
        payload["entries"],
        serde_json::json!(report.erased[0].entries)
    );
    for s in secrets {
        assert!(!erasure[0].payload.contains(s));
    }

    // The case still replays, its applicant erased; the open case keeps its own.
    let after = engine.case(&done).await.unwrap().unwrap();
    assert_eq!(after.status, CaseStatus::Closed);
    assert_eq!(after.version, before.version);
    match &after.opened.applicant {
        Applicant::Organisation {
            name,
            credit_code,
            representative,
            phone,
            ..
        } => {
            assert_eq!(
                (name.as_str(), representative.as_str(), phone.as_str()),
                (ERASED, ERASED, ERASED)
            );
            assert_eq!(credit_code, "91330183MA2H0D2X7Q", "not personal data");
        }
        other => panic!("the applicant changed kind: {other:?}"),
    }
    assert_eq!(after.opened.form, serde_json::json!(ERASED));
    assert_eq!(after.rating.as_ref().unwrap().comment, ERASED);
    assert_eq!(after.rating.as_ref().unwrap().level, 4);
    assert_eq!(after.decision, before.decision);
    assert_eq!(after.tasks, before.tasks);
    assert_eq!(engine.replay(&done).await.unwrap().unwrap(), after);
    let history = engine.history(&done).await.unwrap();
    assert_eq!(history[0].event["applicant"]["name"], ERASED);
    assert_eq!(
        history.len(),
        8,
        "submitted, accepted, 3 reviews, decided, delivered, rated"
    );
    let still = engine.case(&open).await.unwrap().unwrap();
    assert_eq!(
        still.opened.applicant,
        reference::submission(2).applicant,
        "an open case is not erased"
    );
    // Staff search no longer finds the erased name; the open case's still is.
    let by_name = |name: &str| sunlight_store::CaseSearch {
        department: reference::department().to_string(),
        applicant: Some(name.into()),
        limit: 10,
        ..Default::default()
    };
    assert!(
        store
            .search_cases(&by_name("第1项目部"))
            .await
            .unwrap()
            .is_empty()
    );
    let found = store.search_cases(&by_name("第2项目部")).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].receipt, open.to_string());
    let listed = store.case_listings(&[done.as_str()]).await.unwrap();
    assert_eq!(listed[0].applicant.as_ref().map(|a| a.name()), Some(ERASED));
    // Asked again by name, the erased case says so.
    let (_, refused) = store.erasable(cutoff, &[done.to_string()]).await.unwrap();
    assert_eq!(refused, [(done.to_string(), NotErasable::AlreadyErased)]);

    // Editing one of the erased case's leaves afterwards is still caught.
    let completed = store
        .stream_entries(&format!("case/{done}"))
        .await
        .unwrap()
        .into_iter()
        .find(|e| e.kind == "case.task_completed")
        .unwrap();
    store
        .execute_raw(&format!(
            "UPDATE ledger_entries SET payload = replace(payload, '符合要求', '不符合要求') WHERE seq = {}",
            completed.seq
        ))
        .await
        .unwrap();
    let problems = store.verify_ledger(None).await.unwrap().problems;
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with(&format!("entry {} ", completed.seq))),
        "{problems:?}"
    );
}
