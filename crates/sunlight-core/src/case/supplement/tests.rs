use super::*;
use crate::case::tests::*;

/// The supplement of every item `awaiting` asks for, as files.
fn every_item_as_files() -> CaseCommand {
    CaseCommand::Supplement {
        materials: vec![],
        files: ["场所平面图", "食品经营许可申请书", "食品安全管理制度"]
            .map(file)
            .to_vec(),
    }
}

/// A case awaiting supplement of every required material but the licence, with a notice
/// that also asks for a clearer floor plan.
fn awaiting(w: &World) -> Case {
    let mut case = w.submit(&["营业执照"]).unwrap();
    let accept = task_of(&case, "accept");
    w.run(
        &mut case,
        CaseCommand::RequestSupplement {
            task: accept,
            items: vec![SupplementItem {
                material: "场所平面图".into(),
                reason: "未标注操作间面积".into(),
            }],
            days: Some(10),
            note: "请一并补正".into(),
        },
        &clerk(),
    )
    .unwrap();
    case
}

#[test]
fn a_notice_lists_every_item_with_its_reason_and_a_day_counted_in_working_days() {
    let w = World::new();
    let case = awaiting(&w);
    let n = case.supplement.as_ref().unwrap();
    let items: Vec<(&str, &str)> = n
        .items
        .iter()
        .map(|i| (i.material.as_str(), i.reason.as_str()))
        .collect();
    assert_eq!(
        items,
        [
            ("食品经营许可申请书", "未提交（办事指南所列必要材料）"),
            ("食品安全管理制度", "未提交（办事指南所列必要材料）"),
            ("场所平面图", "未标注操作间面积"),
        ]
    );
    // Ten working days from Thursday 2026-09-24, over the National Day holiday (Oct 1–7).
    let expected = nth_working_day_after(&w.cal, "2026-09-24".parse().unwrap(), 10, &[]);
    assert_eq!(n.due, expected);
    assert!(n.due > "2026-10-08".parse().unwrap(), "{}", n.due);
    assert_eq!(n.lapse_at, Zone::CHINA.start_of(n.due.tomorrow().unwrap()));
    assert_eq!(case.clock(), CaseClock::Supplement { due: Some(n.due) });
    assert_eq!(
        case.clock().label(crate::Lang::Zh),
        format!("计时暂停（补正中，请于 {} 前补正）", n.due)
    );
    assert_eq!(
        case.timer().map(|(at, _)| at),
        Some(n.lapse_at),
        "the lapse is the case's timer"
    );
}

#[test]
fn a_notice_needs_reasons_and_a_time_within_the_rules() {
    let w = World::new();
    let mut case = w.submit(&["营业执照"]).unwrap();
    let accept = task_of(&case, "accept");
    let ask = |reason: &str, days| CaseCommand::RequestSupplement {
        task: accept,
        items: vec![SupplementItem {
            material: "场所平面图".into(),
            reason: reason.into(),
        }],
        days,
        note: String::new(),
    };
    let e = case.decide(&ask("", None), &clerk(), &w.env()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("场所平面图"), "{e}");
    for days in [Some(0), Some(61)] {
        let e = case
            .decide(&ask("模糊", days), &clerk(), &w.env())
            .unwrap_err();
        assert!(e.text().zh.contains("1 至 60 个工作日"), "{}", e.text().zh);
    }
    w.run(&mut case, ask("模糊", None), &clerk()).unwrap();
    let due = case.supplement.as_ref().unwrap().due;
    assert_eq!(
        due,
        nth_working_day_after(&w.cal, "2026-09-24".parse().unwrap(), 20, &[])
    );
    // The applicant cannot be asked twice at once.
    assert_eq!(
        code(w.run(&mut case, ask("模糊", None), &clerk())),
        ErrorCode::CaseState
    );
}

#[test]
fn online_the_applicant_supplies_every_item_as_a_file() {
    let w = World::new();
    let mut case = awaiting(&w);
    let supply = |files: Vec<MaterialFile>, materials: Vec<String>| CaseCommand::Supplement {
        materials,
        files,
    };
    // Part of the items: refused, naming what is still missing.
    let e = case
        .decide(
            &supply(vec![file("场所平面图")], vec![]),
            &Actor::Applicant,
            &w.env(),
        )
        .unwrap_err();
    assert!(
        e.text().zh.contains("食品经营许可申请书、食品安全管理制度"),
        "{}",
        e.text().zh
    );
    // Paper is for the window.
    let e = case
        .decide(
            &supply(vec![], vec!["场所平面图".into()]),
            &Actor::Applicant,
            &w.env(),
        )
        .unwrap_err();
    assert!(e.text().zh.contains("窗口"), "{}", e.text().zh);
    // Something not asked for.
    let mut files: Vec<MaterialFile> = ["场所平面图", "食品经营许可申请书", "食品安全管理制度"]
        .map(file)
        .to_vec();
    let mut odd = files.clone();
    odd.push(file("户口本"));
    let e = case
        .decide(&supply(odd, vec![]), &Actor::Applicant, &w.env())
        .unwrap_err();
    assert!(e.text().zh.contains("「户口本」不在"), "{}", e.text().zh);
    // Too large a file; a digest that is not one.
    let mut big = files.clone();
    big[0].size = SERVICE.files.max_file_bytes + 1;
    assert!(
        case.decide(&supply(big, vec![]), &Actor::Applicant, &w.env())
            .unwrap_err()
            .text()
            .zh
            .contains("20 MB")
    );
    let mut bad = files.clone();
    bad[1].sha256 = "ABC".into();
    let e = case
        .decide(&supply(bad, vec![]), &Actor::Applicant, &w.env())
        .unwrap_err();
    assert!(e.to_string().contains("SHA-256"), "{e}");
    // Everything: back to the clerk, who accepts.
    files.reverse();
    let ev = w
        .run(&mut case, supply(files, vec![]), &Actor::Applicant)
        .unwrap();
    assert_eq!(ev.body.kind(), "case.supplemented");
    assert_eq!(case.status, CaseStatus::Submitted);
    assert_eq!(case.files.len(), 3);
    assert_eq!(case.clock(), CaseClock::NotStarted);
    assert!(case.timer().is_none());
    let accept = task_of(&case, "accept");
    w.run(&mut case, CaseCommand::Accept { task: accept }, &clerk())
        .unwrap();
    assert_eq!(case.clock(), CaseClock::Running);
}

#[test]
fn at_the_window_the_clerk_records_paper_and_is_offered_that_act() {
    let w = World::new();
    let mut case = awaiting(&w);
    let accept = task_of(&case, "accept");
    let acts = case.actions(&user(&clerk()));
    assert!(
        acts.contains(&Available::ReceiveSupplement { task: accept }),
        "{acts:?}"
    );
    assert!(!acts.contains(&Available::Accept { task: accept }));
    let officer = staff("ke.yuan", &market(), &[Role::CaseOfficer]);
    let paper = CaseCommand::Supplement {
        materials: vec![
            "场所平面图".into(),
            "食品经营许可申请书".into(),
            "食品安全管理制度".into(),
        ],
        files: vec![],
    };
    assert_eq!(
        code(w.run(&mut case, paper.clone(), &officer)),
        ErrorCode::RoleRequired,
        "the accept step's clerk records it"
    );
    w.run(&mut case, paper, &clerk()).unwrap();
    assert!(case.files.is_empty());
    assert!(case.missing_materials(&w.power).is_empty());
    assert!(
        case.actions(&user(&clerk()))
            .contains(&Available::Accept { task: accept })
    );
}

#[test]
fn a_notice_nobody_answers_lapses_by_the_timer_when_its_last_day_ends() {
    let mut w = World::new();
    let mut case = awaiting(&w);
    let n = case.supplement.clone().unwrap();
    let lapse = CaseCommand::LapseSupplement;
    // Nobody but the timer; not before the day ends.
    assert_eq!(
        code(w.run(&mut case, lapse.clone(), &clerk())),
        ErrorCode::RoleRequired
    );
    w.now = Zone::CHINA.start_of(n.due) + jiff::SignedDuration::from_hours(23);
    assert_eq!(
        code(w.run(&mut case, lapse.clone(), &Actor::Timer)),
        ErrorCode::CaseState
    );
    w.now = n.lapse_at;
    let ev = w.run(&mut case, lapse.clone(), &Actor::Timer).unwrap();
    let EventBody::SupplementLapsed { notice, due, basis } = &ev.body else {
        panic!("{ev:?}")
    };
    assert_eq!((*notice, *due), (1, n.due));
    assert!(basis.contains("第十八条"), "{basis}");
    assert_eq!(case.status, CaseStatus::Withdrawn);
    assert!(case.timer().is_none());
    assert_eq!(ev.body.zh(), "逾期未补正（视为放弃申请）");
    // Supplied in time: the lapse, if its timer still fires, is refused.
    let mut w = World::new();
    let mut case = awaiting(&w);
    w.run(&mut case, every_item_as_files(), &Actor::Applicant)
        .unwrap();
    w.now = n.lapse_at;
    assert_eq!(
        code(w.run(&mut case, lapse, &Actor::Timer)),
        ErrorCode::CaseState
    );
}

#[test]
fn files_are_known_by_their_content() {
    assert_eq!(MediaType::sniff(b"%PDF-1.7\n..."), Some(MediaType::Pdf));
    assert_eq!(
        MediaType::sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        Some(MediaType::Png)
    );
    assert_eq!(
        MediaType::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
        Some(MediaType::Jpeg)
    );
    // An OFD package: a ZIP whose central directory names OFD.xml.
    let mut ofd = b"PK\x03\x04rest-of-local-header".to_vec();
    let mut central = b"PK\x01\x02".to_vec();
    central.extend([0u8; 24]);
    central.extend(7u16.to_le_bytes());
    central.extend([0u8; 16]);
    central.extend(b"OFD.xml");
    ofd.extend(&central);
    assert_eq!(MediaType::sniff(&ofd), Some(MediaType::Ofd));
    // Any other ZIP (a .docx, an .xlsx) is not a material.
    let docx = [
        &b"PK\x03\x04"[..],
        &central[..central.len() - 7],
        b"word/xx",
    ]
    .concat();
    assert_eq!(MediaType::sniff(&docx), None);
    assert_eq!(MediaType::sniff(b"MZ\x90\0 an executable"), None);
    assert_eq!(MediaType::sniff(b"<html>%PDF-"), None);
    assert_eq!(MediaType::sniff(b""), None);
    for m in MediaType::ALL {
        assert_eq!(MediaType::parse(m.as_str()), Some(m));
    }
}

#[test]
fn no_step_budget_runs_while_the_applicant_has_the_case() {
    use crate::supervision::{Due, Settings, Watched, marks};
    let mut w = World::new();
    let mut case = awaiting(&w);
    let accept = task_of(&case, "accept");
    let before = case.task(accept).unwrap().due.unwrap();
    let s = Settings::default();
    let m = marks(&Watched::of(&case, Zone::CHINA), &w.cal, Zone::CHINA, &s);
    assert!(
        !m.iter().any(|m| matches!(m.due, Due::Task(..))),
        "no task marks while awaiting supplement: {m:?}"
    );
    // Supplied two weeks later: the accept step's budget counts from that day.
    w.now = at("2026-10-12");
    w.run(&mut case, every_item_as_files(), &Actor::Applicant)
        .unwrap();
    let after = case.task(accept).unwrap().due.unwrap();
    assert!(after > before, "{before} → {after}");
    assert!(after >= "2026-10-12".parse().unwrap(), "{after}");
    let m = marks(&Watched::of(&case, Zone::CHINA), &w.cal, Zone::CHINA, &s);
    assert!(
        m.iter()
            .any(|m| m.due == Due::Task(accept, crate::supervision::Colour::Red))
    );
}
