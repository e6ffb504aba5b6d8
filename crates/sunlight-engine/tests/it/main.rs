//! The engine on a real store: SQLite (a temporary file) and PostgreSQL (a fresh database on
//! the server named by `SUNLIGHT_TEST_POSTGRES`; under `CI=true` a missing server fails).

mod privacy;

use privacy::a_finished_case_is_erased_and_the_ledger_still_verifies;
use std::sync::Arc;
use sunlight_core::case::{Actor, CaseCommand, CaseStatus, Channel};
use sunlight_core::clock::{ManualClock, Zone};
use sunlight_core::supervision::{AlertAct, Colour};
use sunlight_core::{ErrorCode, Timestamp};
use sunlight_engine::{Engine, EngineConfig, EngineError};
use sunlight_ledger::verify_inclusion;
use sunlight_store::Store;
use sunlight_testkit::reference::{self, finish};
use sunlight_testkit::{TestDb, on_both_backends};

fn now() -> Timestamp {
    "2026-11-23T09:30:00+08:00".parse().unwrap()
}

type Db = TestDb;

/// The reference city on `db`, and an engine on it at [`now`].
async fn engine(db: &Db) -> Engine {
    reference::seed(&db.store, now()).await.unwrap();
    Engine::start(
        db.store.clone(),
        Arc::new(ManualClock::new(now())),
        Zone::CHINA,
        EngineConfig::default(),
    )
}

on_both_backends!(
    a_case_runs_its_flow_and_every_event_is_in_the_ledger,
    sixteen_clerks_finish_one_task_and_one_wins,
    parallel_reviews_finished_at_once_are_all_written,
    a_retried_command_writes_nothing_new,
    refusals_come_back_with_their_rule,
    an_uncommon_power_needs_a_per_use_approval_each_time,
    the_moved_clock_turns_a_case_yellow_red_and_red_card,
    figures_count_what_happened,
    a_calendar_changed_elsewhere_moves_the_colours,
    a_complaint_is_answered_once_by_its_department,
    a_finished_case_is_erased_and_the_ledger_still_verifies,
    staff_search_their_departments_cases,
);

/// Reference case `n`, submitted online.
async fn submitted(engine: &Engine, n: usize) -> sunlight_engine::Ack {
    engine
        .submit(
            reference::submission(n),
            Channel::Online,
            Actor::Applicant,
            None,
        )
        .await
        .unwrap()
}

/// Reference case `n`, submitted online and accepted at the window on `today`.
async fn accepted(
    engine: &Engine,
    n: usize,
    today: sunlight_core::Date,
) -> sunlight_core::case::ReceiptNumber {
    let ack = submitted(engine, n).await;
    let accept = engine.open_tasks(&ack.receipt).await.unwrap().remove(0);
    let (cmd, who) = finish(&accept, today);
    engine
        .act(ack.receipt.clone(), cmd, Actor::Staff(who), None)
        .await
        .unwrap();
    ack.receipt
}

fn domain_code(e: EngineError) -> ErrorCode {
    match e {
        EngineError::Domain(d) => d.code(),
        EngineError::Store(sunlight_store::StoreError::Domain(d)) => d.code(),
        other => panic!("expected a rule's refusal, got {other}"),
    }
}

async fn a_case_runs_its_flow_and_every_event_is_in_the_ledger(db: &Db) {
    let engine = engine(db).await;
    let today = Zone::CHINA.date(now());
    let calls = reference::drive(&engine, 1, today).await.unwrap();
    assert_eq!(calls, 12, "submit, 4 task lists and 7 completions");
    assert_eq!(db.store.case_count().await.unwrap(), 1);
    let (size, _) = db.store.ledger_head().await.unwrap();
    assert_eq!(
        size,
        2 + 7,
        "the reference power's publication (proposal, version), then submitted, accepted, three reviews, decided, delivered"
    );
    assert_eq!(
        db.store.entry(1).await.unwrap().unwrap().kind,
        "power.create"
    );
    let first = db.store.entry(2).await.unwrap().unwrap();
    let history_receipt =
        sunlight_core::case::ReceiptNumber::parse(first.stream.strip_prefix("case/").unwrap())
            .unwrap();
    let case = engine.case(&history_receipt).await.unwrap().unwrap();
    assert_eq!(case.status, CaseStatus::Closed);
    assert!(case.deadlines.committed.is_some() && case.deadlines.statutory.is_some());
    assert_eq!(
        engine.replay(&history_receipt).await.unwrap().unwrap(),
        case,
        "the projection is the fold of the events"
    );
    let history = engine.history(&history_receipt).await.unwrap();
    let kinds: Vec<&str> = history.iter().map(|h| h.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "case.submitted",
            "case.accepted",
            "case.task_completed",
            "case.task_completed",
            "case.task_completed",
            "case.decided",
            "case.delivered"
        ]
    );
    assert_eq!(history[1].zh, "受理");
    // Every event of the receipt is provably in the tree a checkpoint signs.
    let signer = sunlight_ledger::Signer::from_secret([9; 32]);
    let cp = db
        .store
        .sign_checkpoint(&signer, "sunlight 330183", now())
        .await
        .unwrap();
    let root = sunlight_ledger::from_hex(&cp.root).unwrap();
    for e in db
        .store
        .stream_entries(&format!("case/{history_receipt}"))
        .await
        .unwrap()
    {
        let proof = db.store.inclusion_proof(e.seq, cp.size).await.unwrap();
        verify_inclusion(&e.recomputed_leaf(), e.seq, cp.size, &proof, &root).unwrap();
    }
    assert!(
        db.store
            .verify_ledger(Some(&signer.verifier()))
            .await
            .unwrap()
            .ok()
    );
}

async fn sixteen_clerks_finish_one_task_and_one_wins(db: &Db) {
    let engine = engine(db).await;
    let ack = submitted(&engine, 2).await;
    let accept = engine.open_tasks(&ack.receipt).await.unwrap().remove(0);
    let today = Zone::CHINA.date(now());
    let mut handles = Vec::new();
    for _ in 0..16 {
        let (engine, receipt, task) = (engine.clone(), ack.receipt.clone(), accept.clone());
        handles.push(tokio::spawn(async move {
            let (cmd, who) = finish(&task, today);
            engine.act(receipt, cmd, Actor::Staff(who), None).await
        }));
    }
    let mut wins = 0;
    for h in handles {
        match h.await.unwrap() {
            Ok(_) => wins += 1,
            Err(e) => assert!(matches!(
                domain_code(e),
                ErrorCode::TaskState | ErrorCode::CaseState
            )),
        }
    }
    assert_eq!(wins, 1);
    let case = engine.case(&ack.receipt).await.unwrap().unwrap();
    assert_eq!(case.version, 2, "one submission and one acceptance");
    assert_eq!(engine.open_tasks(&ack.receipt).await.unwrap().len(), 3);
}

/// Three officers finish a case's three parallel reviews at the same moment, on thirty cases
/// at once: commands on one case land in one batch or in batches decided on top of each other
/// while an earlier one commits, and every row written must match the events.
async fn parallel_reviews_finished_at_once_are_all_written(db: &Db) {
    let engine = engine(db).await;
    let today = Zone::CHINA.date(now());
    let mut receipts = Vec::new();
    for n in 0..30 {
        receipts.push(accepted(&engine, 100 + n, today).await);
    }
    let mut handles = Vec::new();
    for r in &receipts {
        let reviews = engine.open_tasks(r).await.unwrap();
        assert_eq!(reviews.len(), 3);
        for t in reviews {
            let (engine, r) = (engine.clone(), r.clone());
            handles.push(tokio::spawn(async move {
                let (cmd, who) = finish(&t, today);
                engine.act(r, cmd, Actor::Staff(who), None).await
            }));
        }
    }
    for h in handles {
        h.await.unwrap().unwrap();
    }
    for r in &receipts {
        let case = engine.replay(r).await.unwrap().unwrap();
        assert_eq!(case.version, 5, "submitted, accepted, three reviews");
        let stored: Vec<(u32, String)> = db
            .store
            .open_tasks(r.as_str())
            .await
            .unwrap()
            .into_iter()
            .map(|t| (t.task, t.node))
            .collect();
        let folded: Vec<(u32, String)> =
            case.open_tasks().map(|t| (t.id, t.node.clone())).collect();
        assert_eq!(stored, folded, "task rows of {r}");
        assert_eq!(folded.len(), 1, "only the decision is open");
    }
    // The case rows carry the right versions: the rest of each flow commits without conflict.
    for r in &receipts {
        loop {
            let open = engine.open_tasks(r).await.unwrap();
            if open.is_empty() {
                break;
            }
            for t in open {
                let (cmd, who) = finish(&t, today);
                engine
                    .act(r.clone(), cmd, Actor::Staff(who), None)
                    .await
                    .unwrap();
            }
        }
        assert_eq!(
            engine.replay(r).await.unwrap().unwrap().status,
            CaseStatus::Closed
        );
    }
    let report = db.store.verify_ledger(None).await.unwrap();
    assert!(report.ok(), "{:?}", report.problems);
}

async fn a_retried_command_writes_nothing_new(db: &Db) {
    let engine = engine(db).await;
    let key = Some("c0ffee-submit-1".to_string());
    let first = engine
        .submit(
            reference::submission(3),
            Channel::Online,
            Actor::Applicant,
            key.clone(),
        )
        .await
        .unwrap();
    let (size, _) = db.store.ledger_head().await.unwrap();
    let again = engine
        .submit(
            reference::submission(3),
            Channel::Online,
            Actor::Applicant,
            key,
        )
        .await
        .unwrap();
    assert_eq!(first, again, "the first result, query code and all");
    assert_eq!(db.store.ledger_head().await.unwrap().0, size);
    assert_eq!(db.store.case_count().await.unwrap(), 1);
    let accept = engine.open_tasks(&first.receipt).await.unwrap().remove(0);
    let (cmd, who) = finish(&accept, Zone::CHINA.date(now()));
    let k = Some("c0ffee-accept-1".to_string());
    let a = engine
        .act(
            first.receipt.clone(),
            cmd.clone(),
            Actor::Staff(who.clone()),
            k.clone(),
        )
        .await
        .unwrap();
    let b = engine
        .act(first.receipt.clone(), cmd, Actor::Staff(who), k)
        .await
        .unwrap();
    assert_eq!(a, b);
    assert_eq!(db.store.ledger_head().await.unwrap().0, size + 1);
}

async fn refusals_come_back_with_their_rule(db: &Db) {
    let engine = engine(db).await;
    let mut sub = reference::submission(4);
    sub.power = "330183-XK-99999".into();
    let e = engine
        .submit(sub, Channel::Online, Actor::Applicant, None)
        .await
        .unwrap_err();
    assert_eq!(domain_code(e), ErrorCode::PowerNotInList);
    let mut sub = reference::submission(5);
    sub.materials.truncate(1);
    let ack = engine
        .submit(sub, Channel::Online, Actor::Applicant, None)
        .await
        .unwrap();
    let accept = engine.open_tasks(&ack.receipt).await.unwrap().remove(0);
    let e = engine
        .act(
            ack.receipt.clone(),
            CaseCommand::Accept { task: accept.task },
            Actor::Staff(reference::clerk()),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(domain_code(e), ErrorCode::MaterialsIncomplete);
    let e = engine
        .act(
            ack.receipt.clone(),
            CaseCommand::Accept { task: accept.task },
            Actor::Staff(reference::officer()),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(domain_code(e), ErrorCode::RoleRequired);
    // Refused commands left no trace but the submission (after the power's publication).
    assert_eq!(db.store.ledger_head().await.unwrap().0, 3);
}

async fn an_uncommon_power_needs_a_per_use_approval_each_time(db: &Db) {
    reference::seed(&db.store, now()).await.unwrap();
    let mut rare = reference::power();
    rare.code = sunlight_core::PowerCode::parse("330183-XK-09002").unwrap();
    rare.name = "建筑工程施工许可（临时建筑，非常用）".into();
    rare.usage = sunlight_core::Usage::Uncommon;
    let today = Zone::CHINA.date(now());
    db.store
        .publish_import(
            sunlight_core::review::ProposalDraft {
                title: "非常用权力".into(),
                reason: "富政办发〔2026〕12号".into(),
                effective_from: today,
                changes: vec![sunlight_core::lifecycle::PowerChange::Create {
                    power: Box::new(rare),
                }],
            },
            sunlight_core::review::Origin::Manual,
            "admin",
            now(),
            today,
        )
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::new(now()));
    let engine = Engine::start(
        db.store.clone(),
        clock.clone(),
        Zone::CHINA,
        EngineConfig::default(),
    );
    let submit = |n| {
        let mut sub = reference::submission(n);
        sub.power = "330183-XK-09002".into();
        engine.submit(sub, Channel::Window, Actor::Staff(reference::clerk()), None)
    };
    assert_eq!(
        domain_code(submit(1).await.unwrap_err()),
        ErrorCode::CheckoutRequired
    );
    let hour = jiff::SignedDuration::from_hours(1);
    let approve = |reason: &'static str| {
        let (engine, store) = (engine.clone(), db.store.clone());
        let clock = clock.clone();
        async move {
            use sunlight_core::clock::Clock;
            let mut asker = reference::officer();
            asker.username = sunlight_core::Username::parse("chuangkou.wang").unwrap();
            let c = engine
                .request_checkout("330183-XK-09002", reason, Actor::Staff(asker.clone()), None)
                .await
                .unwrap();
            let id: i64 = c.id.parse().unwrap();
            // Who asked may not approve.
            asker.roles.push(sunlight_core::Role::Approver);
            assert!(
                engine
                    .decide_checkout(id, true, clock.now(), Actor::Staff(asker), None)
                    .await
                    .is_err()
            );
            let t = clock.now();
            engine
                .decide_checkout(
                    id,
                    true,
                    t.checked_add(hour).unwrap(),
                    Actor::Staff(reference::approver()),
                    None,
                )
                .await
                .unwrap();
            store.checkout(id).await.unwrap().unwrap()
        }
    };
    let c = approve("富春江防汛临时工棚，经分管领导同意").await;
    assert_eq!(c.state, "open");
    submit(2).await.unwrap();
    // Used once, closed: the next case needs its own approval.
    assert_eq!(
        db.store.checkout(c.id).await.unwrap().unwrap().state,
        "used"
    );
    assert_eq!(
        domain_code(submit(3).await.unwrap_err()),
        ErrorCode::CheckoutRequired
    );
    // An approval not used within its window closes by itself.
    let c = approve("汛期临时办公用房").await;
    clock.advance(hour);
    assert_eq!(
        domain_code(submit(4).await.unwrap_err()),
        ErrorCode::CheckoutRequired
    );
    // Its timer expires it, as an act in the ledger.
    let mut state = String::new();
    for _ in 0..2_000 {
        state = db.store.checkout(c.id).await.unwrap().unwrap().state;
        if state == "expired" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(state, "expired");
    // Each request, decision and expiry is in the ledger.
    let kinds: Vec<String> = db
        .store
        .stream_entries(&format!("checkout/{}", c.id))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "checkout.requested",
            "checkout.approved",
            "checkout.expired"
        ]
    );
    assert!(db.store.verify_ledger(None).await.unwrap().ok());
}

/// Waits (up to twenty seconds: a loaded CI machine) until the store holds `n` alerts.
async fn alerts_reach(store: &Store, n: usize) -> Vec<sunlight_store::Alert> {
    for _ in 0..2_000 {
        let a = store
            .alerts(&sunlight_store::AlertFilter::default())
            .await
            .unwrap();
        if a.len() >= n {
            return a;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("fewer than {n} alerts after twenty seconds");
}

async fn the_moved_clock_turns_a_case_yellow_red_and_red_card(db: &Db) {
    // Thursday 24 Sep 2026, before 中秋 and 国庆.
    let t0: Timestamp = "2026-09-24T09:30:00+08:00".parse().unwrap();
    reference::seed(&db.store, t0).await.unwrap();
    let clock = Arc::new(ManualClock::new(t0));
    let engine = Engine::start(
        db.store.clone(),
        clock.clone(),
        Zone::CHINA,
        EngineConfig::default(),
    );
    let monitor = engine.monitor().unwrap().clone();
    let mut live = monitor.subscribe();
    let receipt = accepted(&engine, 1, Zone::CHINA.date(t0)).await;
    let case = engine.case(&receipt).await.unwrap().unwrap();
    // Ten working days over the holidays (make-up Saturday 10 Oct included), fifteen statutory.
    assert_eq!(case.deadlines.committed.unwrap().to_string(), "2026-10-15");
    assert_eq!(case.deadlines.statutory.unwrap().to_string(), "2026-10-22");
    let colour_of = |b: &sunlight_engine::Board| b.attention.first().map(|c| c.colour);
    assert_eq!(colour_of(&monitor.board(10).await), None);

    // The three reviews (3 working days, due 30 Sep) turn red at 00:00 on 1 Oct.
    clock.set("2026-09-30T23:59:59+08:00".parse().unwrap());
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert!(
        db.store
            .alerts(&Default::default())
            .await
            .unwrap()
            .is_empty()
    );
    clock.set("2026-10-01T00:00:00+08:00".parse().unwrap());
    let a = alerts_reach(&db.store, 3).await;
    assert!(
        a.iter()
            .all(|a| a.rule == "task_over_budget" && a.source == "timer")
    );
    // Yellow from the start of the third working day before the committed deadline.
    clock.set("2026-10-12T23:59:59+08:00".parse().unwrap());
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(db.store.alerts(&Default::default()).await.unwrap().len(), 3);
    for (at, rule, colour) in [
        (
            "2026-10-13T00:00:00+08:00",
            "committed_warning",
            Colour::Yellow,
        ),
        (
            "2026-10-16T00:00:00+08:00",
            "committed_overdue",
            Colour::Red,
        ),
        (
            "2026-10-23T00:00:00+08:00",
            "statutory_overdue",
            Colour::RedCard,
        ),
    ] {
        // Count before moving the clock: the monitor may raise the alert before a count taken
        // afterwards, which would then wait for one alert too many.
        let n = db.store.alerts(&Default::default()).await.unwrap().len();
        clock.set(at.parse().unwrap());
        let a = alerts_reach(&db.store, n + 1).await;
        assert_eq!(a[0].rule, rule);
        assert_eq!(a[0].subject, receipt.to_string());
        assert_eq!(
            a[0].breach_at_ms,
            at.parse::<Timestamp>().unwrap().as_millisecond()
        );
        assert_eq!(colour_of(&monitor.board(10).await), Some(colour), "at {at}");
    }
    // The live stream carried each colour change and each alert.
    let mut colours = Vec::new();
    let mut alerts = 0;
    while let Ok(ev) = live.try_recv() {
        match ev {
            sunlight_engine::Live::Colour {
                colour, task: None, ..
            } => colours.push(colour),
            sunlight_engine::Live::Alert { .. } => alerts += 1,
            _ => {}
        }
    }
    assert_eq!(colours, [Colour::Yellow, Colour::Red, Colour::RedCard]);
    assert_eq!(alerts, 6);

    // The department answers, a supervisor closes; every step is in the ledger.
    let red_card = db.store.alerts(&Default::default()).await.unwrap()[0].clone();
    let act = |a: AlertAct, u: sunlight_core::User| {
        let (engine, store) = (engine.clone(), db.store.clone());
        async move {
            engine
                .act_on_alert(red_card.id, a, Actor::Staff(u), None)
                .await?;
            Ok::<_, sunlight_engine::EngineError>(store.alert(red_card.id).await?.unwrap())
        }
    };
    assert!(
        act(
            AlertAct::Close {
                note: String::new()
            },
            reference::supervisor()
        )
        .await
        .is_err()
    );
    act(AlertAct::Acknowledge, reference::clerk())
        .await
        .unwrap();
    act(
        AlertAct::Explain {
            reason: "消防审查意见延迟反馈，已协调加快".into(),
            evidence: "协调会议纪要".into(),
        },
        reference::officer(),
    )
    .await
    .unwrap();
    let closed = act(
        AlertAct::Close {
            note: "情况属实，予以办结".into(),
        },
        reference::supervisor(),
    )
    .await
    .unwrap();
    assert_eq!(closed.state, "closed");
    let kinds: Vec<String> = db
        .store
        .stream_entries(&format!("alert/{}", red_card.id))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "alert.raised",
            "alert.acknowledged",
            "alert.explained",
            "alert.closed"
        ]
    );
    assert!(db.store.verify_ledger(None).await.unwrap().ok());
    // What the monitor loads at start-up is the case as it stands, rebuilt from its row.
    let now_case = engine.case(&receipt).await.unwrap().unwrap();
    assert_eq!(
        db.store.watched_cases().await.unwrap(),
        [sunlight_core::supervision::Watched::of(
            &now_case,
            Zone::CHINA
        )]
    );
    // Restarting raises nothing twice: marks passed fire again, their keys are known.
    let again = Engine::start(
        db.store.clone(),
        clock.clone(),
        Zone::CHINA,
        EngineConfig::default(),
    );
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(db.store.alerts(&Default::default()).await.unwrap().len(), 6);
    assert_eq!(
        again.monitor().unwrap().board(10).await.attention[0].colour,
        Colour::RedCard
    );
}

/// Submits at the clock's time, accepts, then — at `finish_at`, if given — runs every other
/// step and lets the applicant rate it.
async fn case_finished_at(
    engine: &Engine,
    clock: &ManualClock,
    n: usize,
    finish_at: Option<&str>,
    rating: u8,
) -> sunlight_core::case::ReceiptNumber {
    use sunlight_core::clock::Clock;
    let receipt = accepted(engine, n, Zone::CHINA.date(clock.now())).await;
    let Some(at) = finish_at else {
        return receipt;
    };
    let before = clock.now();
    clock.set(at.parse().unwrap());
    loop {
        let open = engine.open_tasks(&receipt).await.unwrap();
        if open.is_empty() {
            break;
        }
        for t in &open {
            let (cmd, who) = finish(t, Zone::CHINA.date(clock.now()));
            engine
                .act(receipt.clone(), cmd, Actor::Staff(who), None)
                .await
                .unwrap();
        }
    }
    engine
        .act(
            receipt.clone(),
            sunlight_core::case::CaseCommand::Rate(sunlight_core::case::Rating {
                level: rating,
                comment: "办事效率高".into(),
                ..Default::default()
            }),
            Actor::Applicant,
            None,
        )
        .await
        .unwrap();
    clock.set(before);
    receipt
}

async fn figures_count_what_happened(db: &Db) {
    let t0: Timestamp = "2026-09-24T09:30:00+08:00".parse().unwrap();
    reference::seed(&db.store, t0).await.unwrap();
    let clock = Arc::new(ManualClock::new(t0));
    let config = EngineConfig {
        monitor: false,
        ..EngineConfig::default()
    };
    let engine = Engine::start(db.store.clone(), clock.clone(), Zone::CHINA, config);
    // Finished the next working day (1 of 10 committed working days): early, on time.
    case_finished_at(&engine, &clock, 1, Some("2026-09-28T15:00:00+08:00"), 5).await;
    // Finished on 20 Oct, after its committed deadline (15 Oct): 13 working days, late.
    case_finished_at(&engine, &clock, 2, Some("2026-10-20T15:00:00+08:00"), 3).await;
    // Still running.
    case_finished_at(&engine, &clock, 3, None, 0).await;
    let q = sunlight_store::FigureQuery {
        from: "2026-09-01".parse().unwrap(),
        to: "2026-11-01".parse().unwrap(),
        group_by: sunlight_store::GroupBy::Department,
        department: None,
        power: None,
        region: None,
    };
    let f = db.store.figures(&q, Zone::CHINA).await.unwrap();
    assert_eq!(f.len(), 1);
    let f = &f[0];
    assert_eq!(f.key, reference::department().to_string());
    assert_eq!((f.received, f.accepted, f.completed), (3, 3, 2));
    assert_eq!((f.completed_on_time, f.completed_early), (1, 1));
    assert_eq!(f.on_time_rate, Some(0.5));
    assert_eq!(f.avg_actual_days, Some(7.0), "(1 + 13) / 2");
    assert_eq!(f.avg_committed_days, Some(10.0));
    assert_eq!(f.avg_statutory_days, Some(15.0));
    assert_eq!(f.faster_than_committed, Some(1.0 - 14.0 / 20.0));
    assert_eq!(
        (f.ratings, f.avg_rating, f.satisfied_rate),
        (2, Some(4.0), Some(0.5))
    );
    // The late case's steps went over their budgets when they were finished.
    assert!(
        f.alerts.get("task_over_budget").is_some_and(|n| *n >= 1),
        "{:?}",
        f.alerts
    );
    // A period that holds none of it.
    let q = sunlight_store::FigureQuery {
        from: "2026-12-01".parse().unwrap(),
        to: "2027-01-01".parse().unwrap(),
        ..q
    };
    assert!(db.store.figures(&q, Zone::CHINA).await.unwrap().is_empty());
    // The month's score: base 100, minus the alerts, plus 5 for 50% early.
    let oct = &db
        .store
        .figures(
            &sunlight_store::FigureQuery {
                from: "2026-09-01".parse().unwrap(),
                to: "2026-11-01".parse().unwrap(),
                ..q
            },
            Zone::CHINA,
        )
        .await
        .unwrap()[0];
    let weights = sunlight_core::supervision::ScoreWeights::default();
    let alerts_only = weights.score(&oct.alerts, None);
    assert_eq!(
        weights.score(&oct.alerts, oct.early_rate),
        alerts_only + 5.0
    );
    assert!(alerts_only < 100.0);
    // Who decided: both finished cases, by the reference approver.
    let decided = db
        .store
        .decisions_by_person(
            "2026-09-01T00:00:00+08:00".parse().unwrap(),
            "2026-11-01T00:00:00+08:00".parse().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        decided,
        [(
            reference::department().to_string(),
            "shouxi.zhao".to_string(),
            2
        )]
    );
    let limits = db.store.list_limits().await.unwrap();
    assert_eq!(
        (limits.powers, limits.statutory_days, limits.committed_days),
        (1, 15, 10)
    );
}

async fn a_calendar_changed_elsewhere_moves_the_colours(db: &Db) {
    use sunlight_core::clock::Clock;
    let t0: Timestamp = "2026-09-24T09:30:00+08:00".parse().unwrap();
    reference::seed(&db.store, t0).await.unwrap();
    let clock = Arc::new(ManualClock::new(t0));
    let mut config = EngineConfig::default();
    config.supervision.calendar_poll_ms = 20;
    let engine = Engine::start(db.store.clone(), clock.clone(), Zone::CHINA, config);
    let monitor = engine.monitor().unwrap().clone();
    // Accepted 24 Sep: committed deadline Thursday 15 Oct, yellow from Tuesday 13 Oct.
    case_finished_at(&engine, &clock, 1, None, 0).await;
    clock.set("2026-10-12T12:00:00+08:00".parse().unwrap());
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(
        monitor.board(10).await.attention.is_empty(),
        "blue on Monday"
    );
    // The county declares Wednesday 14 Oct a local day off, through the store and not through
    // this engine (as `sunlight import calendar` in another process would): the last three
    // working days before the deadline now start on Monday 12 Oct.
    let local = sunlight_core::calendar::YearSchedule::from_holiday_cn(
        r#"{"year": 2026, "days": [{"name": "富阳区地方调休", "date": "2026-10-14", "isOffDay": true}]}"#,
    )
    .unwrap();
    db.store
        .put_year_schedule(
            sunlight_store::Scope::parse("330183").unwrap(),
            &local,
            "富政办发〔2026〕30号",
            "operator",
            clock.now(),
        )
        .await
        .unwrap();
    for _ in 0..500 {
        if monitor.board(10).await.attention.first().map(|c| c.colour) == Some(Colour::Yellow) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the monitor did not notice the new calendar");
}

/// Complaints run on the engine like cases: filed, answered once by their own department,
/// listed when overdue; each act a ledger leaf.
async fn a_complaint_is_answered_once_by_its_department(db: &Db) {
    use sunlight_core::Date;
    use sunlight_core::complaint::{Against, ComplaintDraft};
    let engine = engine(db).await;
    let store = &db.store;
    let staff = reference::officer();
    let dept = staff.department.clone().unwrap();
    let outsider = sunlight_core::User {
        department: None,
        ..reference::clerk()
    };
    let draft = ComplaintDraft {
        against: Against::Department,
        target: dept.to_string(),
        complainant: "张伟".into(),
        phone: "13800001111".into(),
        text: "窗口要求重复提交已经提交过的材料，往返三次仍未受理。".into(),
    };
    let due: Date = "2026-12-23".parse().unwrap();
    engine
        .file_complaint(
            draft.clone(),
            "TS330183-261123-AAAAAA",
            "00",
            dept.as_str(),
            due,
            None,
        )
        .await
        .unwrap();
    let c = store
        .complaint("TS330183-261123-AAAAAA")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(c.state, "open");
    // A bad one names every field and stores nothing.
    let bad = ComplaintDraft {
        text: "慢".into(),
        phone: "x".into(),
        ..draft
    };
    let e = engine
        .file_complaint(
            bad,
            "TS330183-261123-BBBBBB",
            "00",
            dept.as_str(),
            due,
            None,
        )
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

    let answer = |text: &'static str, who: sunlight_core::User| {
        engine.answer_complaint("TS330183-261123-AAAAAA", text, Actor::Staff(who), None)
    };
    let refused = answer("不是本部门的人不能答复这件投诉。", outsider)
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("for department"), "{refused}");
    answer("已核实并当场受理，对窗口人员进行批评教育。", staff.clone())
        .await
        .unwrap();
    let answered = store
        .complaint("TS330183-261123-AAAAAA")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(answered.state, "answered");
    assert!(answer("再次答复的内容不应被接受。", staff).await.is_err());
    assert_eq!(store.overdue_complaints(next).await.unwrap().len(), 0);
    // Filing and answering are both ledger leaves.
    let entries = store
        .stream_entries("complaint/TS330183-261123-AAAAAA")
        .await
        .unwrap();
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["complaint.filed", "complaint.answered"]);
    assert!(store.verify_ledger(None).await.unwrap().ok());
}

/// Staff search (`Store::search_cases`): a department's cases by part of the receipt number,
/// the applicant's name (on its opening), the power and the status; nothing without a
/// criterion, nothing of another department, never more than asked for.
async fn staff_search_their_departments_cases(db: &Db) {
    use sunlight_store::CaseSearch;
    let engine = engine(db).await;
    let today = Zone::CHINA.date(now());
    let first = accepted(&engine, 1, today).await;
    let second = submitted(&engine, 2).await.receipt;
    let dept = reference::department().to_string();
    let search = |f: fn(&mut CaseSearch)| {
        let mut s = CaseSearch {
            department: dept.clone(),
            limit: 10,
            ..Default::default()
        };
        f(&mut s);
        s
    };
    let found = |s: CaseSearch| {
        let store = db.store.clone();
        async move {
            let mut r: Vec<String> = store
                .search_cases(&s)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.receipt)
                .collect();
            r.sort();
            r
        }
    };
    let mut both = vec![first.to_string(), second.to_string()];
    both.sort();

    assert!(
        found(search(|_| {})).await.is_empty(),
        "no criterion, nothing"
    );
    assert_eq!(
        found(search(|s| s.applicant = Some("富春建设".into()))).await,
        both
    );
    assert_eq!(
        found(search(|s| s.applicant = Some("第2项目部".into()))).await,
        [second.to_string()]
    );
    // The representative is not the applicant's name.
    assert!(
        found(search(|s| s.applicant = Some("李建国".into())))
            .await
            .is_empty()
    );
    assert_eq!(
        found(search(|s| s.power = Some("施工许可".into()))).await,
        both
    );
    assert_eq!(
        found(search(|s| s.status = Some("in_progress".into()))).await,
        [first.to_string()]
    );
    let tail = first.as_str()[first.as_str().len() - 8..].to_lowercase();
    let mut s = search(|_| {});
    s.receipt = Some(tail);
    assert_eq!(found(s).await, [first.to_string()]);
    // LIKE's own characters match only themselves.
    assert!(
        found(search(|s| s.applicant = Some("%".into())))
            .await
            .is_empty()
    );
    // Another department sees none of them; a limit is kept.
    let mut other = search(|s| s.power = Some("施工".into()));
    other.department = "11330183MB1682410P".into();
    assert!(found(other).await.is_empty());
    let mut one = search(|s| s.applicant = Some("第2项目部".into()));
    one.limit = 1;
    let listed = db.store.search_cases(&one).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].receipt, second.to_string());
    assert_eq!(listed[0].power_name, "建筑工程施工许可");
    assert_eq!(listed[0].status, "submitted");
    assert_eq!(
        listed[0].applicant,
        Some(reference::submission(2).applicant)
    );
    one.applicant = None;
    one.power = Some("施工".into());
    assert_eq!(db.store.search_cases(&one).await.unwrap().len(), 1);
    let listings = db
        .store
        .case_listings(&[first.as_str(), "330183-261123-NOSUC-HCASE"])
        .await
        .unwrap();
    assert_eq!(listings.len(), 1);
    assert_eq!(listings[0].receipt, first.to_string());
}
