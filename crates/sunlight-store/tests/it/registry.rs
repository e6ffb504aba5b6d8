use crate::harness::*;
use sunlight_core::lifecycle::PowerChange;
use sunlight_core::negative::{Measure, NegativeItem};
use sunlight_core::review::{Origin, ProposalDraft, ProposalState, ReviewAct};
use sunlight_core::*;
use sunlight_store::{LoginOutcome, PowerFilter, Store, StoreError};

fn draft(effective: &str, changes: Vec<PowerChange>) -> ProposalDraft {
    ProposalDraft {
        title: "富阳区权力清单调整".into(),
        reason: "富政办发〔2026〕8号".into(),
        effective_from: date(effective),
        changes,
    }
}

fn create(p: Power) -> PowerChange {
    PowerChange::Create { power: Box::new(p) }
}

fn code(s: &str) -> PowerCode {
    PowerCode::parse(s).unwrap()
}

pub async fn regions_need_their_parent_and_departments_their_region(store: &Store) {
    let orphan = region("330212");
    let err = store
        .put_region(&Region::new(orphan, "鄞州区", RegionLevel::County, orphan.parent()).unwrap())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("330200000000"), "{err}");
    let regions = store.regions().await.unwrap();
    assert_eq!(regions.len(), 5);
    assert_eq!(regions[0].name, "浙江省");
    let d = store.department(&scjg()).await.unwrap().unwrap();
    assert_eq!(d.name, "富阳区市场监督管理局");
    assert_eq!(d.region, region(FUYANG));
    let stray = Department::new(
        CreditCode::with_check("11330212MB0000000").unwrap(),
        "鄞州区民政局",
        orphan,
        DepartmentNature::LegalAgency,
    )
    .unwrap();
    assert!(store.put_department(&stray).await.is_err());
    assert_eq!(store.departments().await.unwrap().len(), 3);
}

pub async fn login_locks_after_repeated_failures(store: &Store) {
    let LoginOutcome::Ok(session) = store
        .login("li.na", "sunlight-test-1", now())
        .await
        .unwrap()
    else {
        panic!("login")
    };
    assert_eq!(
        store
            .session_user(&session.token, now())
            .await
            .unwrap()
            .unwrap()
            .username
            .as_str(),
        "li.na"
    );
    let later = now() + jiff::SignedDuration::from_hours(13);
    assert!(
        store
            .session_user(&session.token, later)
            .await
            .unwrap()
            .is_none(),
        "sessions expire"
    );
    store.logout(&session.token).await.unwrap();
    assert!(
        store
            .session_user(&session.token, now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        store.login("nobody", "x", now()).await.unwrap(),
        LoginOutcome::Refused
    ));
    for _ in 0..4 {
        assert!(matches!(
            store.login("li.na", "wrong", now()).await.unwrap(),
            LoginOutcome::Refused
        ));
    }
    assert!(matches!(
        store.login("li.na", "wrong", now()).await.unwrap(),
        LoginOutcome::Locked { .. }
    ));
    // Even the right password waits out the lock.
    assert!(matches!(
        store
            .login("li.na", "sunlight-test-1", now())
            .await
            .unwrap(),
        LoginOutcome::Locked { .. }
    ));
    let after = now() + jiff::SignedDuration::from_mins(16);
    assert!(matches!(
        store
            .login("li.na", "sunlight-test-1", after)
            .await
            .unwrap(),
        LoginOutcome::Ok(_)
    ));
    let dup = store
        .add_user(&editor(), "another-pass", now())
        .await
        .unwrap_err();
    assert!(matches!(dup, StoreError::Conflict(_)));
}

pub async fn propose_review_publish(store: &Store) {
    let p = store
        .propose(
            draft("2026-03-01", vec![create(power("330183-XK-00001"))]),
            Origin::Manual,
            &editor(),
            now(),
        )
        .await
        .unwrap();
    assert_eq!(p.state, ProposalState::Proposed);
    assert_eq!(p.change_count, 1);
    // Proposed is not published: the list is still empty.
    assert_eq!(
        store
            .list_powers(&PowerFilter::default())
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(store.proposal_changes(p.id).await.unwrap().len(), 1);
    let err = store
        .publish(p.id, &editor(), now(), today())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Domain(ref e) if e.code() == ErrorCode::ProposalState),
        "{err}"
    );
    let p = store
        .review(p.id, ReviewAct::Approve, &reviewer(), Some("通过"), now())
        .await
        .unwrap();
    assert_eq!(p.reviewed_by.as_deref(), Some("wang.fang"));
    let p = store
        .publish(p.id, &editor(), now(), today())
        .await
        .unwrap();
    assert_eq!(p.state, ProposalState::Published);
    let page = store.list_powers(&PowerFilter::default()).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].name, "食品经营许可");
    assert_eq!(
        page.items[0].department_name.as_deref(),
        Some("富阳区市场监督管理局")
    );
    let v = store.power("330183-XK-00001", None).await.unwrap().unwrap();
    assert_eq!(v.meta.version, 1);
    assert_eq!(v.meta.reviewed_by.as_deref(), Some("wang.fang"));
    assert_eq!(v.power.guide.materials[0].name, "食品经营许可申请书");
    // Publishing twice is refused.
    assert!(
        store
            .publish(p.id, &editor(), now(), today())
            .await
            .is_err()
    );
    // A rejected proposal never publishes.
    let q = store
        .propose(
            draft(
                "2026-03-01",
                vec![PowerChange::Cancel {
                    code: code("330183-XK-00001"),
                }],
            ),
            Origin::Manual,
            &editor(),
            now(),
        )
        .await
        .unwrap();
    store
        .review(
            q.id,
            ReviewAct::Reject,
            &reviewer(),
            Some("依据不足"),
            now(),
        )
        .await
        .unwrap();
    assert!(
        store
            .publish(q.id, &editor(), now(), today())
            .await
            .is_err()
    );
    assert_eq!(
        store
            .proposals(Some(ProposalState::Rejected), 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

pub async fn an_editor_cannot_approve_their_own_proposal(store: &Store) {
    let both = user("zhao.lei", &[Role::RegistryEditor, Role::Reviewer]);
    let p = store
        .propose(
            draft("2026-03-01", vec![create(power("A-1"))]),
            Origin::Manual,
            &both,
            now(),
        )
        .await
        .unwrap();
    let err = store
        .review(p.id, ReviewAct::Approve, &both, None, now())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Domain(ref e) if e.code() == ErrorCode::SeparationOfDuties),
        "{err}"
    );
    // A reviewer cannot propose.
    let err = store
        .propose(
            draft("2026-03-01", vec![create(power("A-2"))]),
            Origin::Manual,
            &reviewer(),
            now(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Domain(ref e) if e.code() == ErrorCode::RoleRequired),
        "{err}"
    );
    assert_eq!(
        store.proposal(p.id).await.unwrap().state,
        ProposalState::Proposed
    );
}

pub async fn a_refused_batch_writes_nothing_and_names_each_change(store: &Store) {
    let good = power("G-1");
    let mut stray = power("G-2");
    stray.department = CreditCode::with_check("11330183MB9999999").unwrap();
    let mut orphan = power("G-3");
    orphan.parent = Some(code("NOPE"));
    // A parallel review by a department nobody registered.
    orphan.flow = Some(
        sunlight_core::flow::Flow::from_toml(
            r#"
[[nodes]]
id = "s"
type = "start"
name = "申请"
[[nodes]]
id = "fire"
type = "task"
name = "消防审查"
step = "review"
role = "case_officer"
department = "91350100M000100Y43"
days = 1
[[nodes]]
id = "e"
type = "end"
name = "办结"
[[edges]]
from = "s"
to = "fire"
[[edges]]
from = "fire"
to = "e"
"#,
        )
        .unwrap(),
    );
    let err = store
        .propose(
            draft(
                "2026-03-01",
                vec![
                    create(good),
                    create(stray),
                    create(orphan),
                    PowerChange::Cancel { code: code("G-9") },
                ],
            ),
            Origin::Manual,
            &editor(),
            now(),
        )
        .await
        .unwrap_err();
    let StoreError::Rejected(errors) = err else {
        panic!("{err}")
    };
    let found: Vec<_> = errors.iter().map(|e| (e.index, e.error.code())).collect();
    assert_eq!(
        found,
        [
            (1, ErrorCode::InvalidInput),
            (2, ErrorCode::InvalidInput),
            (3, ErrorCode::PowerNotInList)
        ]
    );
    assert!(errors[0].error.to_string().contains("not registered"));
    let orphan_fields: Vec<&str> = errors[1]
        .error
        .field_errors()
        .iter()
        .map(|f| f.field.as_str())
        .collect();
    assert_eq!(orphan_fields, ["flow.fire", "parent"]);
    assert!(
        store.proposals(None, 10).await.unwrap().is_empty(),
        "nothing half-written"
    );
    assert!(store.is_empty().await.unwrap());
}

pub async fn lifecycle_changes_become_versions(store: &Store) {
    publish(
        store,
        draft(
            "2026-01-01",
            vec![
                create(power("L-1")),
                create(power("L-2")),
                create(power("L-3")),
                create(power("L-4")),
            ],
        ),
    )
    .await
    .unwrap();
    let mut amended = power("L-1");
    amended.name = "食品经营许可（含网络经营）".into();
    publish(
        store,
        draft(
            "2026-02-01",
            vec![
                PowerChange::Amend {
                    power: Box::new(amended),
                },
                PowerChange::Cancel { code: code("L-2") },
                PowerChange::Merge {
                    code: code("L-3"),
                    into: code("L-1"),
                },
                PowerChange::Delegate {
                    code: code("L-4"),
                    mode: DelegationMode::Entrusted,
                    to_level: RegionLevel::Township,
                },
            ],
        ),
    )
    .await
    .unwrap();
    let cancelled = store
        .list_powers(&PowerFilter {
            status: Some("cancelled".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        cancelled
            .items
            .iter()
            .map(|p| p.code.as_str())
            .collect::<Vec<_>>(),
        ["L-2"]
    );
    let l3 = store.power("L-3", None).await.unwrap().unwrap();
    assert_eq!(l3.power.status, PowerStatus::Merged { into: code("L-1") });
    assert_eq!(l3.meta.change, sunlight_core::lifecycle::ChangeKind::Merge);
    let history = store.power_history("L-1").await.unwrap();
    assert_eq!(
        history.iter().map(|v| v.version).collect::<Vec<_>>(),
        [1, 2]
    );
    let v1 = store.power_version("L-1", 1).await.unwrap().unwrap();
    let v2 = store.power_version("L-1", 2).await.unwrap().unwrap();
    let d = sunlight_core::diff::diff(&v1.power, &v2.power);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].path, "name");
    // A cancelled power cannot come back through an amendment.
    let err = publish(
        store,
        draft(
            "2026-03-01",
            vec![PowerChange::Amend {
                power: Box::new(power("L-2")),
            }],
        ),
    )
    .await
    .unwrap_err();
    let StoreError::Rejected(errors) = err else {
        panic!("{err}")
    };
    assert_eq!(errors[0].error.code(), ErrorCode::InvalidTransition);
}

pub async fn publications_are_ledger_entries(store: &Store) {
    publish(
        store,
        draft(
            "2026-01-01",
            vec![create(power("L-1")), create(power("L-2"))],
        ),
    )
    .await
    .unwrap();
    publish(
        store,
        draft(
            "2026-02-01",
            vec![PowerChange::Cancel { code: code("L-2") }],
        ),
    )
    .await
    .unwrap();
    let entries = store.stream_entries("power/L-2").await.unwrap();
    assert_eq!(
        entries.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        ["power.create", "power.cancel"]
    );
    assert_eq!(entries[1].actor, editor().username.as_str());
    assert!(entries[1].payload.contains(r#""version":2"#));
    let proposal = store.stream_entries("proposal/2").await.unwrap();
    assert_eq!(proposal[0].kind, "proposal.published");
    assert!(
        proposal[0].payload.contains("富政办发〔2026〕8号"),
        "{}",
        proposal[0].payload
    );
    assert!(store.verify_ledger(None).await.unwrap().ok());
    // An edited document, and a version slipped in behind the registry, are both named.
    store
        .execute_raw(
            "UPDATE power_versions SET doc = REPLACE(doc, '食品', '药品') WHERE code = 'L-1'",
        )
        .await
        .unwrap();
    store
        .execute_raw(
            "INSERT INTO power_versions (code, version, effective_from, change_kind, proposal_id, reason, proposed_by, published_by, published_at, name, category, department, region, status, status_detail, usage, doc)
             SELECT code, 3, effective_from, change_kind, proposal_id, reason, proposed_by, published_by, published_at, name, category, department, region, status, status_detail, usage, doc
             FROM power_versions WHERE code = 'L-2' AND version = 2",
        )
        .await
        .unwrap();
    let problems = store.verify_ledger(None).await.unwrap().problems;
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("power L-1 version 1 was edited")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("power L-2 version 3 has no ledger entry")),
        "{problems:?}"
    );
}

pub async fn as_of_reads_and_future_versions(store: &Store) {
    publish(store, draft("2026-01-01", vec![create(power("T-1"))]))
        .await
        .unwrap();
    let mut renamed = power("T-1");
    renamed.name = "食品经营许可（新）".into();
    // Effective after "today" (2026-03-02): published, but not yet in force.
    publish(
        store,
        draft(
            "2026-06-01",
            vec![PowerChange::Amend {
                power: Box::new(renamed),
            }],
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        store
            .power("T-1", None)
            .await
            .unwrap()
            .unwrap()
            .meta
            .version,
        1
    );
    assert_eq!(
        store
            .power("T-1", Some(date("2026-07-01")))
            .await
            .unwrap()
            .unwrap()
            .power
            .name,
        "食品经营许可（新）"
    );
    assert!(
        store
            .power("T-1", Some(date("2025-12-31")))
            .await
            .unwrap()
            .is_none()
    );
    let as_of = |d: &str| PowerFilter {
        as_of: Some(date(d)),
        ..Default::default()
    };
    assert_eq!(
        store.list_powers(&as_of("2025-12-31")).await.unwrap().total,
        0
    );
    assert_eq!(
        store.list_powers(&as_of("2026-06-01")).await.unwrap().items[0].version,
        2
    );
    assert_eq!(
        store.list_powers(&as_of("2026-05-31")).await.unwrap().items[0].version,
        1
    );
    assert_eq!(store.refresh_current(date("2026-05-31")).await.unwrap(), 0);
    assert_eq!(store.refresh_current(date("2026-06-01")).await.unwrap(), 1);
    assert_eq!(
        store
            .power("T-1", None)
            .await
            .unwrap()
            .unwrap()
            .meta
            .version,
        2
    );
    assert_eq!(
        store
            .list_powers(&PowerFilter::default())
            .await
            .unwrap()
            .items[0]
            .name,
        "食品经营许可（新）"
    );
}

pub async fn effective_dates_never_go_backwards(store: &Store) {
    publish(store, draft("2026-02-01", vec![create(power("E-1"))]))
        .await
        .unwrap();
    let err = publish(
        store,
        draft(
            "2026-01-15",
            vec![PowerChange::StrictlyControl { code: code("E-1") }],
        ),
    )
    .await
    .unwrap_err();
    let StoreError::Rejected(errors) = err else {
        panic!("{err}")
    };
    assert_eq!(errors[0].error.code(), ErrorCode::EffectiveDateRegression);
}

pub async fn list_filters_and_pages_without_gaps(store: &Store) {
    let mut changes = Vec::new();
    for i in 0..130 {
        let mut p = power(&format!("P-{i:03}"));
        if i % 2 == 0 {
            p.category = PowerCategory::Penalty;
            p.name = format!("对违反食品安全法行为的处罚（{i}）");
        }
        if i % 5 == 0 {
            p.department = tonglu_scjg();
            p.region = region(TONGLU);
        }
        changes.push(create(p));
    }
    // Sub-item of an item created in the same batch.
    let mut sub = power("P-000-01");
    sub.parent = Some(code("P-000"));
    changes.push(create(sub));
    publish(store, draft("2026-01-01", changes)).await.unwrap();
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .list_powers(&PowerFilter {
                limit: 40,
                cursor: cursor.clone(),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(page.total, 131);
        seen.extend(page.items.into_iter().map(|p| p.code));
        cursor = page.next;
        if cursor.is_none() {
            break;
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "in order, no repeats");
    assert_eq!(seen.len(), 131);
    let f = |f: PowerFilter| async move { store.list_powers(&f).await.unwrap().total };
    assert_eq!(
        f(PowerFilter {
            category: Some(PowerCategory::Penalty),
            ..Default::default()
        })
        .await,
        65
    );
    assert_eq!(
        f(PowerFilter {
            department: Some(tonglu_scjg().to_string()),
            ..Default::default()
        })
        .await,
        26
    );
    assert_eq!(
        f(PowerFilter {
            region: Some(region(TONGLU).to_string()),
            category: Some(PowerCategory::Penalty),
            ..Default::default()
        })
        .await,
        13
    );
    assert_eq!(
        f(PowerFilter {
            q: Some("处罚（12".into()),
            ..Default::default()
        })
        .await,
        6
    );
    assert_eq!(
        f(PowerFilter {
            q: Some("100%".into()),
            ..Default::default()
        })
        .await,
        0
    );
    assert_eq!(
        f(PowerFilter {
            parent: Some("P-000".into()),
            ..Default::default()
        })
        .await,
        1
    );
    let bad = store
        .list_powers(&PowerFilter {
            cursor: Some("zz".into()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("cursor"));
}

pub async fn concurrent_reviews_have_one_winner(store: &Store) {
    let p = store
        .propose(
            draft("2026-03-01", vec![create(power("C-1"))]),
            Origin::Manual,
            &editor(),
            now(),
        )
        .await
        .unwrap();
    let (r1, r2) = (reviewer(), user("sun.li", &[Role::Reviewer]));
    let (a, b) = tokio::join!(
        store.review(p.id, ReviewAct::Approve, &r1, None, now()),
        store.review(p.id, ReviewAct::Reject, &r2, Some("不同意"), now()),
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
    let loser = match (a, b) {
        (Err(e), Ok(_)) | (Ok(_), Err(e)) => e,
        other => panic!("{other:?}"),
    };
    // The loser learns that the proposal moved on; it never sees a database error.
    assert!(
        matches!(loser, StoreError::Conflict(_))
            || matches!(loser, StoreError::Domain(ref e) if e.code() == ErrorCode::ProposalState),
        "{loser}"
    );
}

pub async fn negative_list_is_replaced_whole(store: &Store) {
    let item = |i: &str, m| NegativeItem {
        industry: "农、林、牧、渔业".into(),
        category: "种业".into(),
        sub_category: String::new(),
        item: i.into(),
        measure: m,
        basis: "《中华人民共和国种子法》第三十二条".into(),
    };
    store
        .replace_negative_list(&[
            item("a", Measure::Prohibited),
            item("b", Measure::NeedsApproval),
        ])
        .await
        .unwrap();
    store
        .replace_negative_list(&[item("c", Measure::NeedsApproval)])
        .await
        .unwrap();
    let list = store.negative_list().await.unwrap();
    assert_eq!(list, [item("c", Measure::NeedsApproval)]);
}

pub async fn consistency_reads_shared_basic_codes(store: &Store) {
    let mut city = power("CITY-1");
    city.department = city_scjg();
    city.region = region("330100");
    city.exercise_level = RegionLevel::City;
    let mut tonglu = power("TL-1");
    tonglu.department = tonglu_scjg();
    tonglu.region = region(TONGLU);
    tonglu.name = "食品经营许可证核发".into();
    let mut lonely = power("X-1");
    lonely.basic_code = Some("OTHER".into());
    publish(
        store,
        draft(
            "2026-01-01",
            vec![
                create(city),
                create(power("FY-1")),
                create(tonglu),
                create(lonely),
            ],
        ),
    )
    .await
    .unwrap();
    let shared = store.powers_sharing_basic_codes().await.unwrap();
    assert_eq!(shared.len(), 3);
    let report = sunlight_core::consistency::report(&shared);
    assert_eq!(report.shared_codes, 1);
    assert_eq!(report.divergences.len(), 1);
    assert_eq!(report.divergences[0].variants[0].holders[0].code, "CITY-1");
    assert_eq!(
        report.divergences[0].variants[1].value,
        "食品经营许可证核发"
    );
}
