//! Complaints: filed, answered once by their own department, listed when overdue.

use sunlight_core::complaint::{Against, ComplaintDraft};
use sunlight_core::{Date, Timestamp};
use sunlight_store::Store;

pub async fn a_complaint_is_answered_once_by_its_department(store: &Store) {
    let now: Timestamp = "2026-11-23T10:00:00+08:00".parse().unwrap();
    let dept = crate::harness::scjg();
    let outsider = crate::harness::user("chen.jing", &[sunlight_core::Role::WindowClerk]);
    let staff = sunlight_core::User {
        department: Some(dept.clone()),
        ..outsider.clone()
    };
    let draft = ComplaintDraft {
        against: Against::Department,
        target: dept.to_string(),
        complainant: "张伟".into(),
        phone: "13800001111".into(),
        text: "窗口要求重复提交已经提交过的材料，往返三次仍未受理。".into(),
    };
    let due: Date = "2026-12-23".parse().unwrap();
    let c = store
        .file_complaint(
            draft.clone(),
            "TS330183-261123-AAAAAA",
            "00",
            dept.as_str(),
            due,
            now,
        )
        .await
        .unwrap();
    assert_eq!(c.state, "open");
    // A bad one names every field and stores nothing.
    let bad = ComplaintDraft {
        text: "慢".into(),
        phone: "x".into(),
        ..draft
    };
    let e = store
        .file_complaint(bad, "TS330183-261123-BBBBBB", "00", dept.as_str(), due, now)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("phone") && e.to_string().contains("text"),
        "{e}"
    );
    assert!(
        store
            .complaint("TS330183-261123-BBBBBB")
            .await
            .unwrap()
            .is_none()
    );

    assert_eq!(store.overdue_complaints(due).await.unwrap().len(), 0);
    let next: Date = "2026-12-24".parse().unwrap();
    assert_eq!(store.overdue_complaints(next).await.unwrap().len(), 1);

    let refused = store
        .answer_complaint(
            "TS330183-261123-AAAAAA",
            "不是本部门的人不能答复这件投诉。",
            &outsider,
            now,
        )
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("for department"), "{refused}");
    let answered = store
        .answer_complaint(
            "TS330183-261123-AAAAAA",
            "已核实并当场受理，对窗口人员进行批评教育。",
            &staff,
            now,
        )
        .await
        .unwrap();
    assert_eq!(answered.state, "answered");
    assert!(
        store
            .answer_complaint(
                "TS330183-261123-AAAAAA",
                "再次答复的内容不应被接受。",
                &staff,
                now
            )
            .await
            .is_err()
    );
    assert_eq!(store.overdue_complaints(next).await.unwrap().len(), 0);
    // Filing and answering are both ledger leaves.
    let entries = store
        .stream_entries("complaint/TS330183-261123-AAAAAA")
        .await
        .unwrap();
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["complaint.filed", "complaint.answered"]);
}
