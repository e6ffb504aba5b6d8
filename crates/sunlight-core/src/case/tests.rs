use super::*;
use crate::calendar::{SHIPPED_NATIONAL, YearSchedule};
use crate::discretion::{Band, TierBand, Violation};
use crate::flow::Flow;
use crate::power::{Material, MaterialForm, PowerStatus};
use crate::staff::Username;

const MARKET: &str = "11330183MB1682410P";

/// 受理 → 市场监管 / 消防 (another department) / 环保现场核查 (two people) in parallel → 决定
/// (受理 ≠ 决定) → 送达.
const FLOW: &str = r#"
suspensions = ["补正", "现场核查", "专家评审"]
[[nodes]]
id = "start"
type = "start"
name = "申请"
[[nodes]]
id = "accept"
type = "task"
name = "受理"
step = "accept"
role = "window_clerk"
days = 1
[[nodes]]
id = "split"
type = "parallel_split"
name = "并联审查"
[[nodes]]
id = "review_market"
type = "task"
name = "市场监管审查"
step = "review"
role = "case_officer"
days = 3
[[nodes]]
id = "review_fire"
type = "task"
name = "消防审查"
step = "review"
role = "case_officer"
department = "FIRE"
days = 3
[[nodes]]
id = "check_site"
type = "task"
name = "现场核查"
step = "on_site_check"
role = "case_officer"
days = 3
actors = 2
[[nodes]]
id = "join"
type = "parallel_join"
name = "汇总"
[[nodes]]
id = "decide"
type = "task"
name = "决定"
step = "decide"
role = "approver"
days = 2
differs_from = ["accept"]
collective = true
[[nodes]]
id = "deliver"
type = "task"
name = "送达"
step = "deliver"
role = "window_clerk"
days = 1
[[nodes]]
id = "end"
type = "end"
name = "办结"
[[edges]]
from = "start"
to = "accept"
[[edges]]
from = "accept"
to = "split"
[[edges]]
from = "split"
to = "review_market"
[[edges]]
from = "split"
to = "review_fire"
[[edges]]
from = "split"
to = "check_site"
[[edges]]
from = "review_market"
to = "join"
[[edges]]
from = "review_fire"
to = "join"
[[edges]]
from = "check_site"
to = "join"
[[edges]]
from = "join"
to = "decide"
[[edges]]
from = "decide"
to = "deliver"
[[edges]]
from = "deliver"
to = "end"
"#;

pub(crate) fn flow() -> Flow {
    let fire = CreditCode::with_check("11330183MB1234568").unwrap();
    Flow::from_toml(&FLOW.replace("FIRE", fire.as_str())).unwrap()
}

pub(crate) fn fire() -> CreditCode {
    CreditCode::with_check("11330183MB1234568").unwrap()
}

pub(crate) fn market() -> CreditCode {
    CreditCode::parse(MARKET).unwrap()
}

pub(crate) fn power() -> Power {
    let mut p = crate::fixtures::power("330183-XK-00001");
    p.department = market();
    p.guide.materials = vec![
        material("食品经营许可申请书"),
        material("营业执照"),
        material("食品安全管理制度"),
    ];
    p.flow = Some(flow());
    p
}

fn material(name: &str) -> Material {
    Material {
        name: name.into(),
        required: true,
        form: MaterialForm::Original,
        copies: 1,
        source: String::new(),
    }
}

pub(crate) fn calendar() -> Calendar {
    let years: Vec<YearSchedule> = SHIPPED_NATIONAL
        .iter()
        .map(|(_, j)| YearSchedule::from_holiday_cn(j).unwrap())
        .collect();
    Calendar::compile(&[&years]).unwrap()
}

pub(crate) fn staff(name: &str, dept: &CreditCode, roles: &[Role]) -> Actor {
    Actor::Staff(User {
        username: Username::parse(name).unwrap(),
        display_name: name.into(),
        department: Some(dept.clone()),
        roles: roles.to_vec(),
    })
}

pub(crate) fn user(a: &Actor) -> User {
    match a {
        Actor::Staff(u) => u.clone(),
        _ => unreachable!(),
    }
}

pub(crate) fn at(s: &str) -> Timestamp {
    format!("{s}T10:00:00+08:00").parse().unwrap()
}

pub(crate) struct World {
    pub(crate) cal: Calendar,
    pub(crate) power: Power,
    pub(crate) flow: Flow,
    pub(crate) benchmark: Option<Benchmark>,
    pub(crate) now: Timestamp,
}

impl World {
    pub(crate) fn new() -> Self {
        let power = power();
        Self {
            cal: calendar(),
            flow: power.flow.clone().unwrap(),
            power,
            benchmark: None,
            now: at("2026-09-24"),
        }
    }

    pub(crate) fn env(&self) -> Env<'_> {
        Env {
            now: self.now,
            zone: Zone::CHINA,
            calendar: &self.cal,
            power: &self.power,
            extension_allowance: 10,
            benchmark: self.benchmark.as_ref(),
            service: &SERVICE,
        }
    }

    /// Applies online; a power nobody applies for (a penalty) is opened ex officio by a
    /// member of its department instead.
    pub(crate) fn submit(&self, materials: &[&str]) -> Result<Case, DomainError> {
        let (intake, actor) = if self.power.category.applied_for() {
            (intake(), Actor::Applicant)
        } else {
            let staff = Actor::Staff(User {
                department: Some(self.power.department.clone()),
                ..user(&clerk())
            });
            let ex = Intake {
                channel: Channel::Ex,
                ..intake()
            };
            (ex, staff)
        };
        let ev = Case::submit(&submission(materials), intake, &actor, &self.env())?;
        Ok(Case::from_submitted(&ev, &self.flow).unwrap())
    }

    pub(crate) fn run(
        &self,
        case: &mut Case,
        cmd: CaseCommand,
        actor: &Actor,
    ) -> Result<CaseEvent, DomainError> {
        let ev = case.decide(&cmd, actor, &self.env())?;
        case.apply(&ev, &self.flow);
        Ok(ev)
    }
}

pub(crate) fn submission(materials: &[&str]) -> Submission {
    Submission {
        power: "330183-XK-00001".into(),
        region: None,
        applicant: Applicant::Person {
            name: "王小明".into(),
            id_number: "11010519491231002X".into(),
            phone: "13812345678".into(),
            email: String::new(),
        },
        form: serde_json::json!({"area": 120}),
        materials: materials.iter().map(|m| m.to_string()).collect(),
        files: vec![],
    }
}

pub(crate) static SERVICE: std::sync::LazyLock<ServiceRules> =
    std::sync::LazyLock::new(ServiceRules::default);

/// A file handed in as `material` (its digest made up from the name).
pub(crate) fn file(material: &str) -> MaterialFile {
    use sha2::Digest;
    MaterialFile {
        material: material.into(),
        sha256: hex::encode(sha2::Sha256::digest(material.as_bytes())),
        size: 120_000,
        media_type: MediaType::Pdf,
    }
}

pub(crate) fn intake() -> Intake {
    Intake {
        receipt: ReceiptNumber::generate(
            &RegionCode::parse("330183").unwrap(),
            jiff::civil::date(2026, 9, 24),
            [1, 2, 3, 4, 5, 6, 7],
        ),
        query_code_hash: "00".into(),
        checkout: None,
        channel: Channel::Online,
        power_version: 1,
    }
}

pub(crate) const ALL: [&str; 3] = ["食品经营许可申请书", "营业执照", "食品安全管理制度"];

pub(crate) fn clerk() -> Actor {
    staff("chuang.kou", &market(), &[Role::WindowClerk])
}

pub(crate) fn task_of(case: &Case, node: &str) -> u32 {
    case.open_tasks()
        .find(|t| t.node == node)
        .map(|t| t.id)
        .unwrap_or_else(|| panic!("no open {node}"))
}

pub(crate) fn code(r: Result<CaseEvent, DomainError>) -> ErrorCode {
    r.expect_err("should be refused").code()
}

/// Counts working days one by one — independent of the calendar's own deadline arithmetic.
pub(crate) fn nth_working_day_after(
    cal: &Calendar,
    from: Date,
    n: u32,
    skip: &[(Date, Date)],
) -> Date {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d = d.tomorrow().unwrap();
        let stopped = skip.iter().any(|(a, b)| d >= *a && d <= *b);
        if !stopped && cal.is_working_day(d).unwrap() {
            left -= 1;
        }
    }
    d
}

#[test]
fn receipt_numbers_read_back_and_id_numbers_check() {
    let r = intake().receipt;
    assert_eq!(r.as_str().len(), 25);
    assert!(r.as_str().starts_with("330183-260924-"));
    assert_eq!(ReceiptNumber::parse(&r.as_str().to_lowercase()).unwrap(), r);
    assert!(ReceiptNumber::parse("330183-260924-ABCDE").is_err());
    assert!(id_number_is_valid("11010519491231002X"));
    assert!(!id_number_is_valid("110105194912310021"));
    let masked = submission(&[]).applicant.masked();
    assert_eq!(
        masked,
        Applicant::Person {
            name: "王**".into(),
            id_number: "110105********002X".into(),
            phone: "138****5678".into(),
            email: String::new(),
        }
    );
}

#[test]
fn penalties_are_opened_by_the_department_never_applied_for_online() {
    let mut w = World::new();
    w.power.category = crate::PowerCategory::Penalty;
    // An anonymous online application for a penalty power is refused in the rules, whatever
    // page or route it came through (行政处罚法 Art. 54: the organ files the case).
    let e = Case::submit(&submission(&ALL), intake(), &Actor::Applicant, &w.env()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::OpenedByDepartment);
    assert!(e.to_string().contains("第五十四条"), "{e}");
    // The department opens it ex officio.
    let ex = Intake {
        channel: Channel::Ex,
        ..intake()
    };
    let staff = Actor::Staff(User {
        department: Some(w.power.department.clone()),
        ..user(&clerk())
    });
    assert!(Case::submit(&submission(&ALL), ex, &staff, &w.env()).is_ok());
}

#[test]
fn outside_the_list_nothing_opens() {
    let mut w = World::new();
    let refused = |w: &World| w.submit(&ALL).unwrap_err();
    w.power.status = PowerStatus::Cancelled;
    assert!(refused(&w).to_string().contains("cancelled"));
    w.power.status = PowerStatus::Merged {
        into: PowerCode::parse("330183-XK-00002").unwrap(),
    };
    let e = refused(&w);
    assert_eq!(e.code(), ErrorCode::PowerNotInList);
    assert!(e.to_string().contains("330183-XK-00002"), "{e}");
    w.power.status = PowerStatus::Delegated {
        mode: crate::power::DelegationMode::Direct,
        to_level: crate::RegionLevel::Township,
    };
    assert!(refused(&w).to_string().contains("delegated"));
    w.power.status = PowerStatus::Active;
    w.power.flow = None;
    assert_eq!(refused(&w).code(), ErrorCode::NoPublishedFlow);
    w.power.flow = Some(flow());
    w.power.usage = Usage::Uncommon;
    assert_eq!(refused(&w).code(), ErrorCode::CheckoutRequired);
    let with_checkout = Intake {
        checkout: Some(7),
        ..intake()
    };
    assert!(
        Case::submit(
            &submission(&ALL),
            with_checkout,
            &Actor::Applicant,
            &w.env()
        )
        .is_ok()
    );
    w.power.usage = Usage::Common;
    let mut other_region = submission(&ALL);
    other_region.region = Some("330122".into());
    let e = Case::submit(&other_region, intake(), &Actor::Applicant, &w.env()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::PowerNotInList);
    let mut bad = submission(&ALL);
    bad.applicant = Applicant::Person {
        name: " ".into(),
        id_number: "123".into(),
        phone: "x".into(),
        email: String::new(),
    };
    let e = Case::submit(&bad, intake(), &Actor::Applicant, &w.env()).unwrap_err();
    let fields: Vec<&str> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
    assert_eq!(
        fields,
        ["applicant.name", "applicant.id_number", "applicant.phone"]
    );
}

#[test]
fn incomplete_materials_get_one_notice_listing_everything() {
    let w = World::new();
    let mut case = w.submit(&["营业执照"]).unwrap();
    let accept = task_of(&case, "accept");
    assert_eq!(
        code(w.run(&mut case, CaseCommand::Accept { task: accept }, &clerk())),
        ErrorCode::MaterialsIncomplete
    );
    let ev = w
        .run(
            &mut case,
            CaseCommand::RequestSupplement {
                task: accept,
                items: vec![SupplementItem {
                    material: "场所平面图".into(),
                    reason: "未标注操作间面积".into(),
                }],
                days: None,
                note: String::new(),
            },
            &clerk(),
        )
        .unwrap();
    let EventBody::SupplementRequested {
        missing, notice, ..
    } = &ev.body
    else {
        panic!()
    };
    assert_eq!(
        missing,
        &["食品经营许可申请书", "食品安全管理制度", "场所平面图"]
    );
    assert_eq!(*notice, 1);
    assert_eq!(case.status, CaseStatus::AwaitingSupplement);
    assert!(
        case.deadlines.statutory.is_none(),
        "the clock has not started"
    );
    assert_eq!(
        code(w.run(&mut case, CaseCommand::Accept { task: accept }, &clerk())),
        ErrorCode::CaseState
    );
    w.run(
        &mut case,
        CaseCommand::Supplement {
            materials: vec![],
            files: ["食品经营许可申请书", "食品安全管理制度", "场所平面图"]
                .map(file)
                .to_vec(),
        },
        &Actor::Applicant,
    )
    .unwrap();
    assert_eq!(case.files.len(), 3);
    assert!(case.supplement.is_none());
    w.run(&mut case, CaseCommand::Accept { task: accept }, &clerk())
        .unwrap();
    assert_eq!(case.status, CaseStatus::InProgress);
}

#[test]
fn refusal_needs_reason_and_basis_and_ends_the_case() {
    let w = World::new();
    let mut case = w.submit(&ALL).unwrap();
    let accept = task_of(&case, "accept");
    let empty = CaseCommand::Refuse {
        task: accept,
        reason: String::new(),
        legal_basis: String::new(),
    };
    assert_eq!(
        code(w.run(&mut case, empty, &clerk())),
        ErrorCode::InvalidInput
    );
    let refuse = CaseCommand::Refuse {
        task: accept,
        reason: "申请事项不属于本机关职权范围".into(),
        legal_basis: "《中华人民共和国行政许可法》第三十二条第一款第二项".into(),
    };
    w.run(&mut case, refuse, &clerk()).unwrap();
    assert_eq!(case.status, CaseStatus::NotAccepted);
    assert_eq!(case.open_tasks().count(), 0);
}

pub(crate) fn accepted(w: &World) -> Case {
    let mut case = w.submit(&ALL).unwrap();
    let accept = task_of(&case, "accept");
    w.run(&mut case, CaseCommand::Accept { task: accept }, &clerk())
        .unwrap();
    case
}

#[test]
fn deadlines_count_working_days_around_national_day() {
    let w = World::new(); // accepted Thursday 2026-09-24
    let case = accepted(&w);
    let from = jiff::civil::date(2026, 9, 24);
    assert_eq!(
        case.deadlines.committed,
        Some(nth_working_day_after(&w.cal, from, 10, &[]))
    );
    assert_eq!(
        case.deadlines.statutory,
        Some(nth_working_day_after(&w.cal, from, 20, &[]))
    );
    // Ten working days across 国庆 and its make-up days is well past ten calendar days.
    assert!(case.deadlines.committed.unwrap() > jiff::civil::date(2026, 10, 12));
}

#[test]
fn the_join_waits_for_every_branch_and_roles_and_departments_hold() {
    let w = World::new();
    let mut case = accepted(&w);
    let mut open: Vec<&str> = case.open_tasks().map(|t| t.node.as_str()).collect();
    open.sort();
    assert_eq!(open, ["check_site", "review_fire", "review_market"]);
    let officer = staff("shi.jian", &market(), &[Role::CaseOfficer]);
    let officer2 = staff("shi.jian2", &market(), &[Role::CaseOfficer]);
    let fireman = staff("xiao.fang", &fire(), &[Role::CaseOfficer]);
    let done = |task, co: Vec<User>| CaseCommand::Complete {
        task,
        outcome: "同意".into(),
        opinion: "符合条件".into(),
        co_actors: co,
    };
    // 消防审查 belongs to the fire brigade.
    let fire_task = task_of(&case, "review_fire");
    assert_eq!(
        code(w.run(&mut case, done(fire_task, vec![]), &officer)),
        ErrorCode::WrongDepartment
    );
    // A clerk is not a case officer.
    let market_task = task_of(&case, "review_market");
    assert_eq!(
        code(w.run(&mut case, done(market_task, vec![]), &clerk())),
        ErrorCode::RoleRequired
    );
    // 现场核查 needs two people.
    let site = task_of(&case, "check_site");
    assert_eq!(
        code(w.run(&mut case, done(site, vec![]), &officer)),
        ErrorCode::TwoPersonRequired
    );
    assert_eq!(
        code(w.run(&mut case, done(site, vec![user(&officer)]), &officer)),
        ErrorCode::TwoPersonRequired
    );
    w.run(&mut case, done(site, vec![user(&officer2)]), &officer)
        .unwrap();
    w.run(&mut case, done(market_task, vec![]), &officer)
        .unwrap();
    assert!(
        case.open_tasks().all(|t| t.node != "decide"),
        "two of three branches: the join waits"
    );
    assert_eq!(case.joins.get("join"), Some(&2));
    w.run(&mut case, done(fire_task, vec![]), &fireman).unwrap();
    assert!(case.joins.is_empty());
    let open: Vec<&str> = case.open_tasks().map(|t| t.node.as_str()).collect();
    assert_eq!(open, ["decide"]);
    // Done is done.
    assert_eq!(
        code(w.run(&mut case, done(fire_task, vec![]), &fireman)),
        ErrorCode::TaskState
    );
}

pub(crate) fn to_decision(w: &World) -> Case {
    let mut case = accepted(w);
    review_all(w, &mut case);
    case
}

/// The three parallel reviews, each by its department's officers.
pub(crate) fn review_all(w: &World, case: &mut Case) {
    let officer = staff("shi.jian", &market(), &[Role::CaseOfficer]);
    let officer2 = staff("shi.jian2", &market(), &[Role::CaseOfficer]);
    let fireman = staff("xiao.fang", &fire(), &[Role::CaseOfficer]);
    for (node, actor, co) in [
        ("review_market", &officer, vec![]),
        ("review_fire", &fireman, vec![]),
        ("check_site", &officer, vec![user(&officer2)]),
    ] {
        let task = task_of(case, node);
        w.run(
            case,
            CaseCommand::Complete {
                task,
                outcome: "同意".into(),
                opinion: String::new(),
                co_actors: co,
            },
            actor,
        )
        .unwrap();
    }
}

#[test]
fn who_accepted_may_not_decide() {
    let w = World::new();
    let both = staff(
        "chuang.kou",
        &market(),
        &[Role::WindowClerk, Role::Approver],
    );
    let mut case = w.submit(&ALL).unwrap();
    let accept = task_of(&case, "accept");
    w.run(&mut case, CaseCommand::Accept { task: accept }, &both)
        .unwrap();
    review_all(&w, &mut case);
    let decide = CaseCommand::Decide {
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
    let e = w.run(&mut case, decide, &both).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SeparationOfDuties);
    assert!(e.to_string().contains("受理"), "{e}");
}

#[test]
fn a_case_runs_to_the_end_and_its_events_rebuild_it() {
    let mut w = World::new();
    let mut events =
        vec![Case::submit(&submission(&ALL), intake(), &Actor::Applicant, &w.env()).unwrap()];
    let mut case = Case::from_submitted(&events[0], &w.flow).unwrap();
    let accept = task_of(&case, "accept");
    events.push(
        w.run(&mut case, CaseCommand::Accept { task: accept }, &clerk())
            .unwrap(),
    );
    let officer = staff("shi.jian", &market(), &[Role::CaseOfficer]);
    let officer2 = staff("shi.jian2", &market(), &[Role::CaseOfficer]);
    let fireman = staff("xiao.fang", &fire(), &[Role::CaseOfficer]);
    let claim = task_of(&case, "review_market");
    events.push(
        w.run(&mut case, CaseCommand::Claim { task: claim }, &officer)
            .unwrap(),
    );
    assert_eq!(
        code(w.run(&mut case, CaseCommand::Claim { task: claim }, &officer2)),
        ErrorCode::TaskState
    );
    for (node, actor, co) in [
        ("review_market", &officer, vec![]),
        ("review_fire", &fireman, vec![]),
        ("check_site", &officer2, vec![user(&officer)]),
    ] {
        let task = task_of(&case, node);
        events.push(
            w.run(
                &mut case,
                CaseCommand::Complete {
                    task,
                    outcome: "同意".into(),
                    opinion: "符合条件".into(),
                    co_actors: co,
                },
                actor,
            )
            .unwrap(),
        );
    }
    let approver = staff("shou.xi", &market(), &[Role::Approver]);
    let deny_without_reasons = CaseCommand::Decide {
        task: task_of(&case, "decide"),
        decision: DecisionInput {
            verdict: Verdict::Deny,
            document_no: String::new(),
            reasons: String::new(),
            legal_basis: String::new(),
            penalty: None,
            documents: vec![],
        },
        opinion: String::new(),
    };
    let e = w
        .run(&mut case, deny_without_reasons, &approver)
        .unwrap_err();
    assert_eq!(e.field_errors().len(), 2);
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
        opinion: "准予许可".into(),
    };
    events.push(w.run(&mut case, approve, &approver).unwrap());
    w.now = at("2026-09-28");
    let deliver = task_of(&case, "deliver");
    let early = CaseCommand::Deliver {
        task: deliver,
        method: DeliveryMethod::InPerson,
        date: jiff::civil::date(2026, 9, 1),
    };
    assert_eq!(
        code(w.run(&mut case, early, &clerk())),
        ErrorCode::InvalidInput
    );
    let deliver = CaseCommand::Deliver {
        task: deliver,
        method: DeliveryMethod::Electronic,
        date: jiff::civil::date(2026, 9, 28),
    };
    events.push(w.run(&mut case, deliver, &clerk()).unwrap());
    assert_eq!(case.status, CaseStatus::Closed);
    assert_eq!(
        code(w.run(
            &mut case,
            CaseCommand::Rate(Rating {
                level: 5,
                comment: String::new(),
                ..Default::default()
            }),
            &clerk()
        )),
        ErrorCode::RoleRequired
    );
    events.push(
        w.run(
            &mut case,
            CaseCommand::Rate(Rating {
                level: 5,
                comment: "办事快".into(),
                ..Default::default()
            }),
            &Actor::Applicant,
        )
        .unwrap(),
    );
    assert_eq!(
        code(w.run(
            &mut case,
            CaseCommand::Rate(Rating {
                level: 1,
                comment: String::new(),
                ..Default::default()
            }),
            &Actor::Applicant
        )),
        ErrorCode::CaseState
    );
    // The state is the fold of the events, also after a JSON round trip.
    let json = serde_json::to_string(&events).unwrap();
    let back: Vec<CaseEvent> = serde_json::from_str(&json).unwrap();
    assert_eq!(Case::replay(&back, &w.flow).unwrap(), case);
    let state: Case = serde_json::from_str(&serde_json::to_string(&case).unwrap()).unwrap();
    assert_eq!(state, case, "the stored state reads back");
    assert_eq!(case.version, events.len() as u64);
}

#[test]
fn the_clock_stops_for_a_legal_reason_and_extensions_are_bounded() {
    let mut w = World::new();
    w.now = at("2026-03-02"); // Monday
    let mut case = accepted(&w);
    let accepted_on = jiff::civil::date(2026, 3, 2);
    let officer = staff("shi.jian", &market(), &[Role::CaseOfficer]);
    let approver = staff("shou.xi", &market(), &[Role::Approver]);
    w.now = at("2026-03-04");
    assert_eq!(
        code(w.run(
            &mut case,
            CaseCommand::Suspend {
                reason: "领导出差".into()
            },
            &officer
        )),
        ErrorCode::SuspensionReason
    );
    assert_eq!(
        code(w.run(
            &mut case,
            CaseCommand::Suspend {
                reason: "专家评审".into()
            },
            &clerk()
        )),
        ErrorCode::RoleRequired
    );
    w.run(
        &mut case,
        CaseCommand::Suspend {
            reason: "专家评审".into(),
        },
        &officer,
    )
    .unwrap();
    assert_eq!(
        case.deadlines,
        Deadlines::default(),
        "no deadline while the clock is stopped"
    );
    let site = task_of(&case, "review_market");
    let complete = CaseCommand::Complete {
        task: site,
        outcome: String::new(),
        opinion: String::new(),
        co_actors: vec![],
    };
    assert_eq!(
        code(w.run(&mut case, complete, &officer)),
        ErrorCode::CaseState
    );
    w.now = at("2026-03-10");
    w.run(&mut case, CaseCommand::Resume, &officer).unwrap();
    let stop = [(
        jiff::civil::date(2026, 3, 4),
        jiff::civil::date(2026, 3, 10),
    )];
    assert_eq!(
        case.deadlines.committed,
        Some(nth_working_day_after(&w.cal, accepted_on, 10, &stop))
    );
    assert_eq!(
        case.deadlines.statutory,
        Some(nth_working_day_after(&w.cal, accepted_on, 20, &stop))
    );
    // Extensions: approvers only, ten working days in all.
    assert_eq!(
        code(w.run(
            &mut case,
            CaseCommand::Extend {
                days: 5,
                reason: "情况复杂".into()
            },
            &officer
        )),
        ErrorCode::RoleRequired
    );
    w.run(
        &mut case,
        CaseCommand::Extend {
            days: 6,
            reason: "需组织专家论证".into(),
        },
        &approver,
    )
    .unwrap();
    assert_eq!(
        code(w.run(
            &mut case,
            CaseCommand::Extend {
                days: 5,
                reason: "再次延期".into()
            },
            &approver
        )),
        ErrorCode::ExtensionOverAllowance
    );
    w.run(
        &mut case,
        CaseCommand::Extend {
            days: 4,
            reason: "再次延期".into(),
        },
        &approver,
    )
    .unwrap();
    assert_eq!(
        case.deadlines.statutory,
        Some(nth_working_day_after(&w.cal, accepted_on, 30, &stop))
    );
    assert_eq!(
        case.deadlines.committed,
        Some(nth_working_day_after(&w.cal, accepted_on, 10, &stop))
    );
}

#[test]
fn withdrawn_cases_take_no_more_steps() {
    let w = World::new();
    let mut case = accepted(&w);
    w.run(
        &mut case,
        CaseCommand::Withdraw {
            reason: "不再经营".into(),
        },
        &Actor::Applicant,
    )
    .unwrap();
    assert_eq!(case.status, CaseStatus::Withdrawn);
    assert!(
        case.tasks
            .iter()
            .filter(|t| t.node != "accept")
            .all(|t| t.status == TaskStatus::Cancelled)
    );
    let officer = staff("shi.jian", &market(), &[Role::CaseOfficer]);
    assert_eq!(
        code(w.run(
            &mut case,
            CaseCommand::Suspend {
                reason: "补正".into()
            },
            &officer
        )),
        ErrorCode::CaseState
    );
}

pub(crate) fn penalty_world() -> World {
    let mut w = World::new();
    w.power.category = PowerCategory::Penalty;
    w.benchmark = Some(Benchmark {
        power: w.power.code.clone(),
        source: "《浙江省市场监督管理行政处罚裁量基准》".into(),
        violations: vec![Violation {
            code: "unlicensed".into(),
            name: "未取得食品经营许可从事食品经营活动".into(),
            basis: "《中华人民共和国食品安全法》第一百二十二条第一款".into(),
            tiers: vec![TierBand {
                tier: Tier::Ordinary,
                circumstances: "货值金额不足一万元，首次被查处".into(),
                band: Band::Amount {
                    min_fen: 5_000_000,
                    max_fen: 7_500_000,
                },
            }],
        }],
    });
    w
}

#[test]
fn fines_stay_in_their_band_unless_decided_collectively_with_a_reason() {
    let mut w = penalty_world();
    let mut case = to_decision(&w);
    let approver = staff("shou.xi", &market(), &[Role::Approver]);
    let decide = task_of(&case, "decide");
    let fine = |amount, reason: Option<&str>| CaseCommand::Decide {
        task: decide,
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
    let e = w
        .run(&mut case, fine(9_000_000, None), &approver)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::OutsideDiscretionBand);
    assert!(e.to_string().contains("50000.00–75000.00"), "{e}");
    let ev = w
        .run(
            &mut case,
            fine(9_000_000, Some("当事人拒不改正，经集体讨论从重处罚")),
            &approver,
        )
        .unwrap();
    let EventBody::Decided { decision, .. } = &ev.body else {
        panic!()
    };
    let p = decision.penalty.as_ref().unwrap();
    assert!(!p.band.within && p.collective_reason.is_some());
    assert_eq!(decision.remedy.as_ref().unwrap().review_days, 60);
    // Without a benchmark no fine is decided at all.
    w.benchmark = None;
    let mut case = to_decision(&w);
    assert_eq!(task_of(&case, "decide"), decide);
    assert_eq!(
        code(w.run(&mut case, fine(6_000_000, None), &approver)),
        ErrorCode::NoDiscretionBenchmark
    );
}

/// A decided and delivered case, on `w.now`.
fn closed(w: &mut World) -> Case {
    let mut case = to_decision(w);
    let approver = staff("shou.xi", &market(), &[Role::Approver]);
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
        opinion: "准予许可".into(),
    };
    w.run(&mut case, approve, &approver).unwrap();
    let deliver = CaseCommand::Deliver {
        task: task_of(&case, "deliver"),
        method: DeliveryMethod::Electronic,
        date: Zone::CHINA.date(w.now),
    };
    w.run(&mut case, deliver, &clerk()).unwrap();
    assert_eq!(case.status, CaseStatus::Closed);
    case
}

#[test]
fn a_poor_rating_names_its_reasons_and_owes_a_rectification_supervision_watches() {
    let mut w = World::new();
    w.now = at("2026-03-02"); // Monday
    let mut case = closed(&mut w);
    let poor = |reasons: Vec<RatingReason>, comment: &str| {
        CaseCommand::Rate(Rating {
            level: 2,
            comment: comment.into(),
            reasons,
            // Whatever a rater sends here is ignored.
            rectification: Some(Rectification {
                due: jiff::civil::date(2099, 1, 1),
                basis: String::new(),
                done: None,
            }),
        })
    };
    // A 差评 without a reason, or "other" without saying what, is refused with the field.
    let e = w
        .run(&mut case, poor(vec![], ""), &Actor::Applicant)
        .unwrap_err();
    assert_eq!(e.field_errors()[0].field, "rating.reasons");
    let e = w
        .run(
            &mut case,
            poor(vec![RatingReason::Other], "慢"),
            &Actor::Applicant,
        )
        .unwrap_err();
    assert_eq!(e.field_errors()[0].field, "rating.comment");
    // With reasons: the 整改 is owed by five working days later, the basis cited.
    let rated = w
        .run(
            &mut case,
            poor(
                vec![
                    RatingReason::RepeatedMaterials,
                    RatingReason::RepeatedMaterials,
                ],
                "补正了两次",
            ),
            &Actor::Applicant,
        )
        .unwrap();
    assert_eq!(rated.body.kind(), "case.rated");
    let rating = case.rating.clone().unwrap();
    assert_eq!(rating.reasons, [RatingReason::RepeatedMaterials]);
    let due = jiff::civil::date(2026, 3, 9);
    assert_eq!(case.rectification_due(), Some(due));
    assert!(
        rating
            .rectification
            .unwrap()
            .basis
            .contains("国办发〔2019〕51号")
    );

    // Supervision keeps watching the finished case until it is answered.
    let watched = crate::supervision::Watched::of(&case, Zone::CHINA);
    assert_eq!(watched.rectify_by, Some(due));
    let marks = crate::supervision::marks(
        &watched,
        &calendar(),
        Zone::CHINA,
        &crate::supervision::Settings::default(),
    );
    assert_eq!(marks.len(), 1);
    let finding = marks[0]
        .finding(&watched, &crate::supervision::Settings::default())
        .unwrap();
    assert_eq!(
        finding.rule,
        crate::supervision::RuleId::RectificationOverdue
    );
    assert!(finding.detail.contains("2026-03-09"), "{}", finding.detail);

    // Only the case's department answers, with all three parts.
    let answer = Rectified {
        verified: "经核实，窗口首次告知时遗漏了场所平面图的标注要求".into(),
        measures: "已修订办事指南并对窗口人员开展一次性告知培训".into(),
        revisit: "已电话回访申请人，对整改结果表示满意".into(),
    };
    let officer = staff("shi.jian", &market(), &[Role::CaseOfficer]);
    assert!(case.actions(&user(&officer)).contains(&Available::Rectify));
    let fireman = staff("xiao.fang", &fire(), &[Role::CaseOfficer]);
    assert!(case.actions(&user(&fireman)).is_empty());
    assert_eq!(
        code(w.run(
            &mut case,
            CaseCommand::Rectify(answer.clone()),
            &Actor::Applicant
        )),
        ErrorCode::RoleRequired
    );
    assert_eq!(
        code(w.run(&mut case, CaseCommand::Rectify(answer.clone()), &fireman)),
        ErrorCode::WrongDepartment
    );
    let short = Rectified {
        verified: "属实".into(),
        ..answer.clone()
    };
    let e = w
        .run(&mut case, CaseCommand::Rectify(short), &officer)
        .unwrap_err();
    assert_eq!(e.field_errors()[0].field, "rectify.verified");
    w.run(&mut case, CaseCommand::Rectify(answer.clone()), &officer)
        .unwrap();
    assert_eq!(case.rectification_due(), None);
    assert_eq!(
        case.rating
            .as_ref()
            .unwrap()
            .rectification
            .as_ref()
            .unwrap()
            .done,
        Some(answer.clone())
    );
    assert!(case.actions(&user(&officer)).is_empty());
    assert_eq!(
        code(w.run(&mut case, CaseCommand::Rectify(answer), &officer)),
        ErrorCode::CaseState
    );
    assert_eq!(
        crate::supervision::Watched::of(&case, Zone::CHINA).rectify_by,
        None
    );
}

#[test]
fn a_good_rating_owes_nothing_and_drops_stray_reasons() {
    let mut w = World::new();
    w.now = at("2026-03-02");
    let mut case = closed(&mut w);
    w.run(
        &mut case,
        CaseCommand::Rate(Rating {
            level: 4,
            reasons: vec![RatingReason::StaffAttitude],
            ..Default::default()
        }),
        &Actor::Applicant,
    )
    .unwrap();
    let r = case.rating.as_ref().unwrap();
    assert!(r.reasons.is_empty() && r.rectification.is_none());
    assert_eq!(case.rectification_due(), None);
}

#[test]
fn a_lost_query_code_is_replaced_three_times_a_day_at_most() {
    let mut w = World::new();
    w.now = at("2026-03-02");
    let mut case = accepted(&w);
    let hash = |n: u8| format!("{n:02x}").repeat(32);
    let reissue = |n: u8| CaseCommand::ReissueQueryCode { code_hash: hash(n) };
    assert_eq!(
        code(w.run(&mut case, reissue(1), &clerk())),
        ErrorCode::RoleRequired,
        "staff never learn an applicant's code"
    );
    for n in 1..=CODES_PER_DAY as u8 {
        w.run(&mut case, reissue(n), &Actor::Public).unwrap();
        assert_eq!(case.opened.query_code_hash, hash(n));
    }
    assert_eq!(
        code(w.run(&mut case, reissue(9), &Actor::Public)),
        ErrorCode::TooManyRequests
    );
    // The next day it may be asked for again.
    w.now = at("2026-03-03");
    w.run(&mut case, reissue(4), &Actor::Public).unwrap();
    assert_eq!(
        case.codes_reissued,
        Some((jiff::civil::date(2026, 3, 3), 1))
    );
    // Not a keyed hash: refused.
    let e = w
        .run(
            &mut case,
            CaseCommand::ReissueQueryCode {
                code_hash: "12345678".into(),
            },
            &Actor::Public,
        )
        .unwrap_err();
    assert_eq!(e.field_errors()[0].field, "code_hash");
}
