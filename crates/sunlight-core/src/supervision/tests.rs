use super::*;
use crate::case::tests::*;
use crate::case::{CaseCommand, DecisionInput, DeliveryMethod, PenaltyInput};
use crate::discretion::Tier;
use crate::staff::Role;
use jiff::civil::date;

fn instant(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// Through `colour_now`, the colour every page shows: these tests hold it to the timers'.
fn colour_at(case: &Case, w: &World, settings: &Settings, at: &str) -> Colour {
    colour_now(case, &w.cal, Zone::CHINA, settings, instant(at))
}

fn marks_of(case: &Case, w: &World, settings: &Settings) -> Vec<Mark> {
    marks(
        &Watched::of(case, Zone::CHINA),
        &w.cal,
        Zone::CHINA,
        settings,
    )
}

#[test]
fn colours_turn_at_working_day_instants_around_national_day() {
    // Accepted Thursday 2026-09-24; 中秋 25–27 Sep and 国庆 1–7 Oct are off, Saturday 10 Oct is
    // a make-up working day. Committed (10 working days): 15 Oct; statutory (20): 29 Oct.
    let w = World::new();
    let case = accepted(&w);
    assert_eq!(case.deadlines.committed, Some(date(2026, 10, 15)));
    assert_eq!(case.deadlines.statutory, Some(date(2026, 10, 29)));
    let s = Settings::default();
    for (at, colour) in [
        ("2026-10-12T23:59:59+08:00", Colour::Blue),
        // The last three working days (13, 14, 15 Oct) are yellow.
        ("2026-10-13T00:00:00+08:00", Colour::Yellow),
        ("2026-10-15T23:59:59+08:00", Colour::Yellow),
        ("2026-10-16T00:00:00+08:00", Colour::Red),
        ("2026-10-29T23:59:59+08:00", Colour::Red),
        ("2026-10-30T00:00:00+08:00", Colour::RedCard),
    ] {
        assert_eq!(colour_at(&case, &w, &s, at), colour, "at {at}");
    }
    // A five-day window reaches back over the make-up Saturday, which counts as a working day:
    // yellow from 00:00 on Saturday 10 Oct (13, 14, 15, 12, 10), not from Friday 9 Oct.
    let five = Settings {
        warning_days_by_power: [(w.power.code.to_string(), 5)].into(),
        ..Settings::default()
    };
    assert_eq!(
        colour_at(&case, &w, &five, "2026-10-09T23:59:59+08:00"),
        Colour::Blue
    );
    assert_eq!(
        colour_at(&case, &w, &five, "2026-10-10T00:00:00+08:00"),
        Colour::Yellow
    );
    // Each crossing is a mark with its rule, in time order.
    let m = marks_of(&case, &w, &s);
    let case_marks: Vec<(Timestamp, Option<RuleId>)> = m
        .iter()
        .filter(|m| matches!(m.due, Due::Case(_)))
        .map(|m| (m.at, m.rule()))
        .collect();
    assert_eq!(
        case_marks,
        [
            (
                instant("2026-10-13T00:00:00+08:00"),
                Some(RuleId::CommittedWarning)
            ),
            (
                instant("2026-10-16T00:00:00+08:00"),
                Some(RuleId::CommittedOverdue)
            ),
            (
                instant("2026-10-30T00:00:00+08:00"),
                Some(RuleId::StatutoryOverdue)
            ),
        ]
    );
    let f = m
        .iter()
        .find(|m| m.due == Due::Case(Colour::Red))
        .unwrap()
        .finding(&Watched::of(&case, Zone::CHINA), &s)
        .unwrap();
    assert_eq!(f.key, format!("committed_overdue/{}", case.opened.receipt));
    assert!(f.detail.contains("2026-10-15"), "{}", f.detail);
}

#[test]
fn tasks_turn_red_after_their_budget_and_finishing_late_is_the_same_breach() {
    let mut w = World::new();
    let mut case = accepted(&w);
    // The three reviews opened on 24 Sep with 3 working days: due 30 Sep.
    let review = task_of(&case, "review_market");
    let t = case.tasks.iter().find(|t| t.id == review).unwrap();
    assert_eq!(t.due, Some(date(2026, 9, 30)));
    let s = Settings::default();
    let col =
        |case: &Case, at: &str| task_colour(case, review, instant(at), Zone::CHINA, &s, &w.cal);
    assert_eq!(col(&case, "2026-09-29T23:59:59+08:00"), Colour::Blue);
    assert_eq!(col(&case, "2026-09-30T00:00:00+08:00"), Colour::Yellow);
    assert_eq!(col(&case, "2026-10-01T00:00:00+08:00"), Colour::Red);
    let m = marks_of(&case, &w, &s);
    let red = m
        .iter()
        .find(|m| m.due == Due::Task(review, Colour::Red))
        .unwrap();
    assert_eq!(red.at, instant("2026-10-01T00:00:00+08:00"));
    let by_timer = red.finding(&Watched::of(&case, Zone::CHINA), &s).unwrap();
    // Finished on 9 Oct: late, and the event raises the timer's breach under the same key.
    w.now = instant("2026-10-09T10:00:00+08:00");
    let before = Prior::of(&case);
    let officer = staff("shi.jian", &market(), &[Role::CaseOfficer]);
    let ev = w
        .run(
            &mut case,
            CaseCommand::Complete {
                task: review,
                outcome: "同意".into(),
                opinion: String::new(),
                co_actors: vec![],
            },
            &officer,
        )
        .unwrap();
    let found = on_event(Some(&before), &case, &ev, &w.cal, Zone::CHINA, &s);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].key, by_timer.key);
    assert_eq!(found[0].at, by_timer.at);
    assert_eq!(col(&case, "2026-10-09T10:00:00+08:00"), Colour::Late);
}

/// Submits on Thursday 24 Sep, accepts at `when`: what the acceptance event breaks.
fn accepted_at(when: &str) -> Vec<Finding> {
    let mut w = World::new();
    let mut case = w.submit(&ALL).unwrap();
    w.now = instant(when);
    let before = Prior::of(&case);
    let task = task_of(&case, "accept");
    let ev = w
        .run(&mut case, CaseCommand::Accept { task }, &clerk())
        .unwrap();
    on_event(
        Some(&before),
        &case,
        &ev,
        &w.cal,
        Zone::CHINA,
        &Settings::default(),
    )
}

#[test]
fn acceptance_is_due_within_five_working_days() {
    // Submitted Thursday 24 Sep: five working days end on Friday 9 Oct (28, 29, 30 Sep, 8, 9 Oct).
    let w = World::new();
    let case = w.submit(&ALL).unwrap();
    let m = marks_of(&case, &w, &Settings::default());
    assert_eq!(
        m.iter().find(|m| m.due == Due::Acceptance).unwrap().at,
        instant("2026-10-10T00:00:00+08:00")
    );
    // Accepting on the fifth working day is on time for the law (the accept step's own
    // one-day budget is over, which is another rule).
    let rules = |f: &[Finding]| f.iter().map(|f| f.rule).collect::<Vec<_>>();
    assert_eq!(
        rules(&accepted_at("2026-10-09T17:00:00+08:00")),
        [RuleId::TaskOverBudget]
    );
    // On the make-up Saturday (the sixth working day) it is late.
    let found = accepted_at("2026-10-10T09:00:00+08:00");
    assert_eq!(
        rules(&found),
        [RuleId::LateAcceptance, RuleId::TaskOverBudget]
    );
    assert_eq!(found[0].at, instant("2026-10-10T00:00:00+08:00"));
    assert_eq!(
        found[0].key,
        format!("late_acceptance/{}", intake().receipt)
    );
    // Accepted the next working day: nothing at all.
    assert!(accepted_at("2026-09-28T09:00:00+08:00").is_empty());
}

#[test]
fn a_second_supplement_notice_breaks_the_one_notice_rule() {
    let w = World::new();
    let s = Settings::default();
    let mut case = w.submit(&ALL[..1]).unwrap();
    let task = task_of(&case, "accept");
    let mut notices = Vec::new();
    for extra in [vec![], vec!["场所平面图"]] {
        let before = Prior::of(&case);
        let ev = w
            .run(
                &mut case,
                CaseCommand::RequestSupplement {
                    task,
                    items: extra
                        .iter()
                        .map(|m| crate::case::SupplementItem {
                            material: m.to_string(),
                            reason: "不清晰".into(),
                        })
                        .collect(),
                    days: None,
                    note: String::new(),
                },
                &clerk(),
            )
            .unwrap();
        let asked: Vec<String> = case
            .supplement
            .as_ref()
            .unwrap()
            .items
            .iter()
            .map(|i| i.material.clone())
            .collect();
        notices.push(on_event(Some(&before), &case, &ev, &w.cal, Zone::CHINA, &s));
        let before = Prior::of(&case);
        let ev = w
            .run(
                &mut case,
                CaseCommand::Supplement {
                    materials: asked,
                    files: vec![],
                },
                &clerk(),
            )
            .unwrap();
        assert!(on_event(Some(&before), &case, &ev, &w.cal, Zone::CHINA, &s).is_empty());
    }
    assert!(notices[0].is_empty(), "{:?}", notices[0]);
    assert_eq!(notices[1].len(), 1);
    assert_eq!(notices[1][0].rule, RuleId::RepeatedSupplement);
    assert!(notices[1][0].key.ends_with("/#2"));
}

#[test]
fn fines_outside_their_band_are_always_reviewed_and_delivery_is_due_in_ten_days() {
    let mut w = penalty_world();
    let s = Settings::default();
    let approver = staff("shou.xi", &market(), &[Role::Approver]);
    let fine = |case: &Case, amount, reason: Option<&str>| CaseCommand::Decide {
        task: task_of(case, "decide"),
        decision: DecisionInput {
            verdict: Verdict::Approve,
            document_no: "富市监罚〔2026〕118号".into(),
            reasons: String::new(),
            legal_basis: "《中华人民共和国食品安全法》第一百二十二条".into(),
            penalty: Some(PenaltyInput {
                violation: "unlicensed".into(),
                tier: Tier::Ordinary,
                amount_fen: amount,
                collective_reason: reason.map(String::from),
            }),
            documents: vec![],
        },
        opinion: String::new(),
    };
    // Within the band: nothing.
    let mut case = to_decision(&w);
    let before = Prior::of(&case);
    let cmd = fine(&case, 6_000_000, None);
    let ev = w.run(&mut case, cmd, &approver).unwrap();
    assert!(on_event(Some(&before), &case, &ev, &w.cal, Zone::CHINA, &s).is_empty());
    // Collectively decided outside it: always reviewed.
    let mut case = to_decision(&w);
    let before = Prior::of(&case);
    let cmd = fine(&case, 9_000_000, Some("当事人拒不改正，经集体讨论从重处罚"));
    let ev = w.run(&mut case, cmd, &approver).unwrap();
    let found = on_event(Some(&before), &case, &ev, &w.cal, Zone::CHINA, &s);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].rule, RuleId::PenaltyOutsideBand);
    assert!(found[0].detail.contains("90000"), "{}", found[0].detail);
    // Decided 24 Sep: delivery due by 15 Oct (ten working days), a mark at 16 Oct 00:00.
    let m = marks_of(&case, &w, &s);
    assert_eq!(
        m.iter().find(|m| m.due == Due::Delivery).unwrap().at,
        instant("2026-10-16T00:00:00+08:00")
    );
    w.now = instant("2026-10-20T10:00:00+08:00");
    let before = Prior::of(&case);
    let deliver = CaseCommand::Deliver {
        task: task_of(&case, "deliver"),
        method: DeliveryMethod::InPerson,
        date: date(2026, 10, 20),
    };
    let ev = w.run(&mut case, deliver, &clerk()).unwrap();
    let found = on_event(Some(&before), &case, &ev, &w.cal, Zone::CHINA, &s);
    // Late for the law, and over the deliver step's own budget.
    assert_eq!(
        found.iter().map(|f| f.rule).collect::<Vec<_>>(),
        [RuleId::LateDelivery, RuleId::TaskOverBudget]
    );
    // Closed after its committed deadline (15 Oct): late for good.
    assert_eq!(
        colour_at(&case, &w, &s, "2026-12-01T00:00:00+08:00"),
        Colour::Late
    );
}

#[test]
fn settings_scope_and_switch_off_rules() {
    let w = World::new();
    let case = accepted(&w);
    let m = marks_of(&case, &w, &Settings::default());
    let red = m.iter().find(|m| m.due == Due::Case(Colour::Red)).unwrap();
    let watched = Watched::of(&case, Zone::CHINA);
    let off = Settings {
        disabled: vec![RuleId::CommittedOverdue],
        ..Settings::default()
    };
    assert!(red.finding(&watched, &off).is_none());
    let elsewhere = Settings {
        scopes: [(
            RuleId::CommittedOverdue,
            Scope {
                powers: vec!["330183-CF-".into()],
                regions: vec![],
            },
        )]
        .into(),
        ..Settings::default()
    };
    assert!(red.finding(&watched, &elsewhere).is_none());
    let here = Settings {
        scopes: [(
            RuleId::CommittedOverdue,
            Scope {
                powers: vec!["330183-XK-".into()],
                regions: vec!["330183".into()],
            },
        )]
        .into(),
        ..Settings::default()
    };
    assert!(red.finding(&watched, &here).is_some());
    // Every rule has a unique id that reads back.
    for r in RULES {
        assert_eq!(RuleId::parse(r.id.as_str()), Some(r.id));
        assert!(!r.basis.is_empty() && !r.name.is_empty());
    }
}

#[test]
fn alerts_go_raised_acknowledged_explained_closed_by_the_right_people() {
    let dept = market().to_string();
    let clerk = user(&clerk());
    let other = user(&staff("xiao.fang", &fire(), &[Role::CaseOfficer]));
    let sup = crate::User {
        department: None,
        ..user(&staff("jian.cha", &market(), &[Role::Supervisor]))
    };
    let explain = AlertAct::Explain {
        reason: "申请人补充材料延误，已电话催办".into(),
        evidence: "通话记录".into(),
    };
    let close = AlertAct::Close {
        note: String::new(),
    };
    // Another department's staff may not answer; nobody explains before acknowledging.
    let e = AlertAct::Acknowledge
        .check(AlertState::Raised, &dept, &other)
        .unwrap_err();
    assert_eq!(e.code(), crate::ErrorCode::WrongDepartment);
    assert_eq!(
        explain
            .check(AlertState::Raised, &dept, &clerk)
            .unwrap_err()
            .code(),
        crate::ErrorCode::InvalidTransition
    );
    assert_eq!(
        AlertAct::Acknowledge.check(AlertState::Raised, &dept, &clerk),
        Ok(AlertState::Acknowledged)
    );
    assert_eq!(
        explain.check(AlertState::Acknowledged, &dept, &clerk),
        Ok(AlertState::Explained)
    );
    // Only a supervisor closes, and only what was explained.
    assert_eq!(
        close
            .check(AlertState::Explained, &dept, &clerk)
            .unwrap_err()
            .code(),
        crate::ErrorCode::RoleRequired
    );
    assert_eq!(
        close
            .check(AlertState::Acknowledged, &dept, &sup)
            .unwrap_err()
            .code(),
        crate::ErrorCode::InvalidTransition
    );
    assert_eq!(
        close.check(AlertState::Explained, &dept, &sup),
        Ok(AlertState::Closed)
    );
    // Dismissal needs a reason and an open alert.
    let dismiss = |r: &str| AlertAct::Dismiss { reason: r.into() };
    assert!(dismiss(" ").check(AlertState::Raised, &dept, &sup).is_err());
    assert_eq!(
        dismiss("系统时钟配置错误导致误报").check(AlertState::Raised, &dept, &sup),
        Ok(AlertState::Dismissed)
    );
    assert!(
        dismiss("重复")
            .check(AlertState::Closed, &dept, &sup)
            .is_err()
    );
}

mod feeds {
    use super::*;
    use crate::power::{Fee, Usage};
    use crate::supervision::feed::*;

    fn event(kind: FeedKind, at: &str) -> FeedEvent {
        FeedEvent {
            source_id: format!("{}-{at}", kind.as_str()),
            case: "JST-2026-000123".into(),
            power: "330183-XK-00001".into(),
            kind,
            at: instant(&format!("{at}T10:00:00+08:00")),
            handler: "wang.wu".into(),
            actors: vec![],
            step: String::new(),
            reason: String::new(),
            legal_basis: String::new(),
            days: None,
            approver: String::new(),
            verdict: None,
            fee_item: String::new(),
            amount_fen: None,
            violation: String::new(),
            tier: None,
            penalty_fen: None,
            party: String::new(),
        }
    }

    struct Feed {
        w: World,
        case: FeedCase,
        settings: Settings,
        checkout_open: bool,
        in_list: bool,
        relations: Relations,
    }

    impl Feed {
        fn new() -> Self {
            let mut w = World::new();
            w.power.guide.fees = vec![Fee {
                item: "工本费".into(),
                standard: "每证10元".into(),
                amount_fen: Some(1000),
                basis: String::new(),
            }];
            Self {
                w,
                case: FeedCase::new("jst", "JST-2026-000123", MARKET_DEPT, "330183"),
                settings: Settings::default(),
                checkout_open: false,
                in_list: true,
                relations: Relations::new(),
            }
        }

        fn send(&mut self, e: FeedEvent) -> Vec<RuleId> {
            let ctx = FeedContext {
                power: self.in_list.then_some(&self.w.power),
                calendar: &self.w.cal,
                zone: Zone::CHINA,
                checkout_open: self.checkout_open,
                benchmark: self.w.benchmark.as_ref(),
                settings: &self.settings,
                relations: &self.relations,
            };
            self.case
                .apply(&e, &ctx)
                .into_iter()
                .map(|f| f.rule)
                .collect()
        }
    }

    const MARKET_DEPT: &str = "11330183MB1682410P";

    #[test]
    fn a_clean_run_breaks_nothing_and_gets_deadlines() {
        let mut f = Feed::new();
        assert!(
            f.send(event(FeedKind::Application, "2026-09-24"))
                .is_empty()
        );
        assert!(f.send(event(FeedKind::Acceptance, "2026-09-28")).is_empty());
        // Ten working days from Monday 28 Sep: 29, 30 Sep, 8, 9, 10 (make-up Saturday), 12–16 Oct.
        assert_eq!(f.case.deadlines.committed, Some(date(2026, 10, 16)));
        let mut site = event(FeedKind::StepEnd, "2026-09-29");
        site.step = "现场核查".into();
        site.actors = vec!["wang.wu".into(), "li.qiang".into()];
        assert!(f.send(site).is_empty());
        let mut fee = event(FeedKind::Fee, "2026-09-30");
        fee.fee_item = "工本费".into();
        fee.amount_fen = Some(1000);
        assert!(f.send(fee).is_empty());
        let mut result = event(FeedKind::Result, "2026-10-09");
        result.handler = "zhao.shou".into();
        result.verdict = Some(FeedVerdict::Approve);
        assert!(f.send(result).is_empty());
        assert!(f.send(event(FeedKind::Delivery, "2026-10-12")).is_empty());
        assert_eq!(f.case.status(), CaseStatus::Closed);
    }

    #[test]
    fn fed_limits_in_natural_days_and_hours_run_out_as_the_engines_do() {
        use crate::power::{TimeLimit, TimeUnit};
        let limit = |amount, unit| Some(TimeLimit { amount, unit });
        // Accepted Thursday 2026-09-24 at 10:00, by the engine and by the outside system alike.
        let cases = [
            // 15 natural days: Friday 9 Oct. 30: Saturday 24 Oct, carried to Monday 26 Oct.
            (
                limit(15, TimeUnit::NaturalDays),
                limit(30, TimeUnit::NaturalDays),
                date(2026, 10, 9),
                date(2026, 10, 26),
            ),
            // 24 and 72 natural hours from 10:00: the 25th (中秋, a day off) and the 27th.
            (
                limit(24, TimeUnit::Hours),
                limit(72, TimeUnit::Hours),
                date(2026, 9, 25),
                date(2026, 9, 27),
            ),
        ];
        for (committed, statutory, committed_day, statutory_day) in cases {
            let mut f = Feed::new();
            f.w.power.guide.committed_limit = committed;
            f.w.power.guide.statutory_limit = statutory;
            f.send(event(FeedKind::Application, "2026-09-24"));
            f.send(event(FeedKind::Acceptance, "2026-09-24"));
            let engine = accepted(&f.w);
            assert_eq!(f.case.deadlines.committed, Some(committed_day));
            assert_eq!(f.case.deadlines.statutory, Some(statutory_day));
            assert_eq!(f.case.deadlines, engine.deadlines, "one rule for both");
            // The fed case turns red and red card at the same instants as the engine's.
            let settings = Settings::default();
            let colour = |w: &Watched, at: Timestamp| {
                let m = marks(w, &f.w.cal, Zone::CHINA, &settings);
                case_colour(w, &m, at, Zone::CHINA)
            };
            let fed = f.case.watched(Zone::CHINA);
            let ours = Watched::of(&engine, Zone::CHINA);
            let red = Zone::CHINA.start_of(committed_day.tomorrow().unwrap());
            let red_card = Zone::CHINA.start_of(statutory_day.tomorrow().unwrap());
            let second = jiff::SignedDuration::from_secs(1);
            for (at, want) in [
                (red - second, None),
                (red, Some(Colour::Red)),
                (red_card - second, Some(Colour::Red)),
                (red_card, Some(Colour::RedCard)),
            ] {
                assert_eq!(colour(&fed, at), colour(&ours, at), "at {at}");
                if let Some(want) = want {
                    assert_eq!(colour(&fed, at), want, "at {at}");
                }
            }
        }
    }

    #[test]
    fn a_fed_case_counts_in_the_figures_as_an_engine_case_does() {
        // Accepted Thursday 24 Sep, decided and delivered Tuesday 20 Oct, after the committed
        // deadline (15 Oct): 13 working days, late — by the engine and by an outside system.
        use crate::power::{Power, TimeLimit};
        let mut w = World::new();
        let mut case = to_decision(&w);
        w.now = instant("2026-10-20T10:00:00+08:00");
        let approve = CaseCommand::Decide {
            task: task_of(&case, "decide"),
            decision: DecisionInput {
                verdict: Verdict::Approve,
                document_no: "JY13301830012345".into(),
                reasons: String::new(),
                legal_basis: String::new(),
                penalty: None,
                documents: vec![],
            },
            opinion: String::new(),
        };
        let approver = staff("shou.xi", &market(), &[Role::Approver]);
        w.run(&mut case, approve, &approver).unwrap();
        let deliver = CaseCommand::Deliver {
            task: task_of(&case, "deliver"),
            method: DeliveryMethod::InPerson,
            date: date(2026, 10, 20),
        };
        w.run(&mut case, deliver, &clerk()).unwrap();
        assert_eq!(case.status, CaseStatus::Closed);
        let limits = |p: &Power| {
            (
                p.guide.committed_limit.and_then(TimeLimit::as_working_days),
                p.guide.statutory_limit.and_then(TimeLimit::as_working_days),
            )
        };
        let (committed, statutory) = limits(&w.power);
        let ours = Outcome::of(&case, committed, statutory, &w.cal, Zone::CHINA);

        let mut f = Feed::new();
        f.send(event(FeedKind::Application, "2026-09-24"));
        f.send(event(FeedKind::Acceptance, "2026-09-24"));
        let mut result = event(FeedKind::Result, "2026-10-20");
        result.handler = "zhao.shou".into();
        result.verdict = Some(FeedVerdict::Approve);
        f.send(result);
        f.send(event(FeedKind::Delivery, "2026-10-20"));
        let fed = f.case.outcome(Some(&f.w.power), &f.w.cal);

        assert_eq!(fed.actual_days, Some(13));
        assert_eq!(fed.on_time, Some(false));
        assert_eq!(
            (
                fed.accepted_on,
                fed.committed_days,
                fed.statutory_days,
                fed.actual_days,
                fed.on_time,
                fed.decided_on
            ),
            (
                ours.accepted_on,
                ours.committed_days,
                ours.statutory_days,
                ours.actual_days,
                ours.on_time,
                ours.decided_on
            )
        );
        // Running, a fed case has no figures of finishing yet.
        let mut g = Feed::new();
        g.send(event(FeedKind::Application, "2026-09-24"));
        g.send(event(FeedKind::Acceptance, "2026-09-24"));
        let running = g.case.outcome(Some(&g.w.power), &g.w.cal);
        assert_eq!((running.actual_days, running.on_time), (None, None));
        assert_eq!(running.accepted_on, Some(date(2026, 9, 24)));
        // Refused before acceptance, the refusal delivered: not accepted, never completed.
        let mut r = Feed::new();
        r.send(event(FeedKind::Application, "2026-09-24"));
        let mut deny = event(FeedKind::Result, "2026-09-25");
        deny.verdict = Some(FeedVerdict::Deny);
        deny.reason = "不属于本机关职权范围".into();
        r.send(deny);
        r.send(event(FeedKind::Delivery, "2026-09-28"));
        assert_eq!(r.case.status(), CaseStatus::NotAccepted);
        let refused = r.case.outcome(Some(&r.w.power), &r.w.cal);
        assert_eq!((refused.accepted_on, refused.on_time), (None, None));
    }

    #[test]
    fn each_rule_fires_on_fed_events() {
        let mut f = Feed::new();
        f.in_list = false;
        assert_eq!(
            f.send(event(FeedKind::Application, "2026-09-24")),
            [RuleId::PowerNotInList]
        );
        let mut f = Feed::new();
        f.w.power.usage = Usage::Uncommon;
        assert_eq!(
            f.send(event(FeedKind::Application, "2026-09-24")),
            [RuleId::UncommonWithoutApproval]
        );
        f.checkout_open = true;
        let mut g = Feed::new();
        g.w.power.usage = Usage::Uncommon;
        g.checkout_open = true;
        assert!(
            g.send(event(FeedKind::Application, "2026-09-24"))
                .is_empty()
        );

        let mut f = Feed::new();
        f.send(event(FeedKind::Application, "2026-09-24"));
        // A supplement notice on the sixth working day: late; a second one: 一次告知 broken.
        assert_eq!(
            f.send(event(FeedKind::Supplement, "2026-10-10")),
            [RuleId::LateAcceptance]
        );
        assert_eq!(
            f.send(event(FeedKind::Supplement, "2026-10-12")),
            [RuleId::RepeatedSupplement]
        );
        f.send(event(FeedKind::Acceptance, "2026-10-13"));
        // One inspector where the flowchart wants two.
        let mut site = event(FeedKind::StepEnd, "2026-10-14");
        site.step = "现场核查".into();
        assert_eq!(f.send(site), [RuleId::TwoPersonBreach]);
        // Stopping the clock for a reason the flowchart does not allow; then an allowed one.
        let mut stop = event(FeedKind::Suspend, "2026-10-15");
        stop.reason = "领导出差".into();
        assert_eq!(f.send(stop), [RuleId::SuspensionWithoutReason]);
        assert_eq!(
            f.case.deadlines.committed, None,
            "no deadline while stopped"
        );
        f.send(event(FeedKind::Resume, "2026-10-19"));
        assert!(f.case.deadlines.committed.is_some());
        let mut stop = event(FeedKind::Suspend, "2026-10-20");
        stop.reason = "专家评审".into();
        assert!(f.send(stop).is_empty());
        f.send(event(FeedKind::Resume, "2026-10-21"));
        // Extensions: over ten days in all, and one without an approver.
        let mut ext = event(FeedKind::Extend, "2026-10-22");
        ext.days = Some(8);
        ext.approver = "zhao.shou".into();
        assert!(f.send(ext.clone()).is_empty());
        ext.approver.clear();
        ext.source_id.push('b');
        assert_eq!(
            f.send(ext),
            [
                RuleId::ExtensionOverAllowance,
                RuleId::ExtensionWithoutApprover
            ]
        );
        // A fee not in the standard, and one at the wrong amount.
        let mut fee = event(FeedKind::Fee, "2026-10-23");
        fee.fee_item = "加急费".into();
        fee.amount_fen = Some(5000);
        assert_eq!(f.send(fee.clone()), [RuleId::FeeMismatch]);
        fee.fee_item = "工本费".into();
        fee.amount_fen = Some(2000);
        assert_eq!(f.send(fee), [RuleId::FeeMismatch]);
        // The one who accepted also decides, a denial without reasons.
        let mut result = event(FeedKind::Result, "2026-10-26");
        result.verdict = Some(FeedVerdict::Deny);
        assert_eq!(
            f.send(result),
            [RuleId::RefusalWithoutReasons, RuleId::SeparationOfDuties]
        );
        // Delivered eleven working days after the decision.
        assert_eq!(
            f.send(event(FeedKind::Delivery, "2026-11-10")),
            [RuleId::LateDelivery]
        );
    }

    #[test]
    fn fed_fines_are_checked_against_the_benchmark() {
        let mut f = Feed::new();
        f.w = penalty_world();
        f.send(event(FeedKind::Application, "2026-09-24"));
        f.send(event(FeedKind::Acceptance, "2026-09-24"));
        let fine = |amount| {
            let mut r = event(FeedKind::Result, "2026-09-30");
            r.handler = "zhao.shou".into();
            r.verdict = Some(FeedVerdict::Approve);
            r.violation = "unlicensed".into();
            r.tier = Some(Tier::Ordinary);
            r.penalty_fen = Some(amount);
            r
        };
        assert!(f.send(fine(6_000_000)).is_empty());
        assert_eq!(f.send(fine(9_000_000)), [RuleId::PenaltyOutsideBand]);
        f.w.benchmark = None;
        assert_eq!(f.send(fine(6_000_000)), [RuleId::PenaltyOutsideBand]);
    }

    #[test]
    fn events_name_each_missing_field() {
        let mut e = event(FeedKind::Extend, "2026-09-24");
        e.source_id.clear();
        e.days = None;
        let errors = e.validate("events[3]");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["events[3].source_id", "events[3].days"]);
        let mut r = event(FeedKind::Result, "2026-09-24");
        r.handler.clear();
        r.penalty_fen = Some(100);
        let fields: Vec<String> = r.validate("e").into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["e.handler", "e.verdict", "e.violation", "e.tier"]);
    }
}

#[test]
fn one_person_deciding_most_of_a_department_is_flagged_once_a_month() {
    let limit = ConcentrationLimit::default(); // more than 60% of at least 20 decisions
    let at = instant("2026-11-23T00:00:00+08:00");
    let counts = [
        ("11330183MB1682410P".to_string(), "ju.zhang".to_string(), 15),
        ("11330183MB1682410P".to_string(), "fu.li".to_string(), 5),
        // Too few decisions to judge.
        (
            "11330183MB1234568".to_string(),
            "zhuren.wang".to_string(),
            10,
        ),
        // Spread enough.
        ("11330183MB7654321".to_string(), "a.one".to_string(), 12),
        ("11330183MB7654321".to_string(), "b.two".to_string(), 10),
    ];
    let found = limit.check(&counts, at, Zone::CHINA);
    assert_eq!(found.len(), 1, "{found:?}");
    let (dept, f) = &found[0];
    assert_eq!(dept, "11330183MB1682410P");
    assert_eq!(f.rule, RuleId::Concentration);
    assert_eq!(f.key, "concentration/11330183MB1682410P/ju.zhang/2026-11");
    assert!(f.detail.contains("75%"), "{}", f.detail);
}

#[test]
fn staff_acting_for_a_declared_relation_is_a_conflict_of_interest() {
    use crate::supervision::feed::*;
    let mut relations = Relations::new();
    relations
        .entry("wang.wu".into())
        .or_default()
        .insert("11010519491231002X".into());
    let f = conflict_of_interest(
        "jst:1",
        "wang.wu",
        "11010519491231002X",
        &relations,
        instant(T_CONFLICT),
    );
    let f = f.expect("a declared relation");
    assert_eq!(f.key, "conflict_of_interest/jst:1/wang.wu");
    assert!(f.detail.contains("1101**********002X"), "{}", f.detail);
    assert!(
        conflict_of_interest(
            "jst:1",
            "li.si",
            "11010519491231002X",
            &relations,
            instant(T_CONFLICT)
        )
        .is_none()
    );
    assert!(
        conflict_of_interest(
            "jst:1",
            "wang.wu",
            "91330183MA2H0D2X7Q",
            &relations,
            instant(T_CONFLICT)
        )
        .is_none()
    );
    let _ = FeedKind::Application;
}

const T_CONFLICT: &str = "2026-11-23T10:00:00+08:00";

#[test]
fn a_clock_stopped_too_long_is_flagged_and_a_running_one_is_not() {
    let mut w = World::new();
    let mut case = accepted(&w);
    let officer = staff("shi.jian", &market(), &[Role::CaseOfficer]);
    w.now = instant("2026-10-12T10:00:00+08:00");
    w.run(
        &mut case,
        CaseCommand::Suspend {
            reason: "专家评审".into(),
        },
        &officer,
    )
    .unwrap();
    let s = Settings {
        suspension_days_by_reason: [("专家评审".to_string(), 5)].into(),
        ..Settings::default()
    };
    // Stopped on Monday 12 Oct, five working days allowed: flagged from 00:00 on 20 Oct.
    let m = marks_of(&case, &w, &s);
    let stop = m.iter().find(|m| m.due == Due::Suspension).unwrap();
    assert_eq!(stop.at, instant("2026-10-20T00:00:00+08:00"));
    let f = stop.finding(&Watched::of(&case, Zone::CHINA), &s).unwrap();
    assert_eq!(f.rule, RuleId::SuspensionTooLong);
    assert!(f.detail.contains("专家评审"), "{}", f.detail);
    // The default allows thirty working days.
    let m = marks_of(&case, &w, &Settings::default());
    assert_eq!(
        m.iter().find(|m| m.due == Due::Suspension).unwrap().at,
        instant("2026-11-24T00:00:00+08:00")
    );
    // Resumed: no such mark any more, and the deadlines are back.
    w.now = instant("2026-10-14T10:00:00+08:00");
    w.run(&mut case, CaseCommand::Resume, &officer).unwrap();
    assert!(
        marks_of(&case, &w, &s)
            .iter()
            .all(|m| m.due != Due::Suspension)
    );
}
