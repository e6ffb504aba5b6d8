//! The reference case of the engine's tests and benchmark: 富阳区 approves a 建设工程施工许可
//! along accept → three parallel reviews (规划、消防、质量安全) → decide (受理 ≠ 决定) → deliver —
//! six tasks — on a fresh store. Staff: one per role, and a second approver for conflicts.

use sunlight_core::case::{
    Actor, Applicant, CaseCommand, DecisionInput, DeliveryMethod, Submission, Verdict,
};
use sunlight_core::flow::Flow;
use sunlight_core::lifecycle::PowerChange;
use sunlight_core::review::{Origin, ProposalDraft};
use sunlight_core::*;
use sunlight_engine::Engine;
use sunlight_store::{Store, TaskRow};

pub const POWER: &str = "330183-XK-09001";
pub const PASSWORD: &str = "sunlight-reference-1";

/// 富阳区住房和城乡建设局
pub fn department() -> CreditCode {
    CreditCode::with_check("11330183002519830").expect("a valid credit code")
}

const FLOW: &str = r#"
suspensions = ["补正", "专家评审", "现场核查"]
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
id = "review_plan"
type = "task"
name = "规划审查"
step = "review"
role = "case_officer"
days = 3
[[nodes]]
id = "review_fire"
type = "task"
name = "消防审查"
step = "review"
role = "case_officer"
days = 3
[[nodes]]
id = "review_safety"
type = "task"
name = "质量安全审查"
step = "review"
role = "case_officer"
days = 3
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
to = "review_plan"
[[edges]]
from = "split"
to = "review_fire"
[[edges]]
from = "split"
to = "review_safety"
[[edges]]
from = "review_plan"
to = "join"
[[edges]]
from = "review_fire"
to = "join"
[[edges]]
from = "review_safety"
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

pub const MATERIALS: [&str; 3] = [
    "建筑工程施工许可申请表",
    "建设工程规划许可证",
    "施工图审查合格书",
];

fn staff(name: &str, display: &str, roles: &[Role]) -> User {
    User {
        username: Username::parse(name).unwrap(),
        display_name: display.into(),
        department: Some(department()),
        roles: roles.to_vec(),
    }
}

pub fn clerk() -> User {
    staff("chuangkou.chen", "陈窗口", &[Role::WindowClerk])
}
pub fn officer() -> User {
    staff("chengban.zhou", "周承办", &[Role::CaseOfficer])
}
pub fn approver() -> User {
    staff("shouxi.zhao", "赵首席", &[Role::Approver])
}
pub fn approver2() -> User {
    staff("shenhe.qian", "钱审核", &[Role::Approver])
}

/// A supervisor of the county's supervision office (监察), attached to no department it watches.
pub fn supervisor() -> User {
    User {
        department: None,
        ..staff("jiancha.sun", "孙监察", &[Role::Supervisor])
    }
}

/// The county's system administrator.
pub fn admin() -> User {
    User {
        department: None,
        ..staff("xitong.admin", "系统管理员", &[Role::Admin])
    }
}

pub fn power() -> Power {
    let region = RegionCode::parse("330183").unwrap();
    Power {
        code: PowerCode::parse(POWER).unwrap(),
        parent: None,
        basic_code: Some("000174001000".into()),
        name: "建筑工程施工许可".into(),
        category: PowerCategory::Licensing,
        department: department(),
        region,
        exercise_level: RegionLevel::County,
        source: PowerSource::Statutory,
        usage: Usage::Common,
        legal_basis: vec![LegalBasis {
            instrument: "《中华人民共和国建筑法》".into(),
            article: "第七条".into(),
            text: "建筑工程开工前，建设单位应当按照国家有关规定向工程所在地县级以上人民政府建设行政主管部门申请领取施工许可证。".into(),
        }],
        guide: ServiceGuide {
            statutory_limit: Some(TimeLimit::working_days(15)),
            committed_limit: Some(TimeLimit::working_days(10)),
            materials: MATERIALS
                .iter()
                .map(|m| Material { name: (*m).into(), required: true, form: MaterialForm::Original, copies: 1, source: "申请人自备".into() })
                .collect(),
            ..Default::default()
        },
        responsibility: Responsibility::default(),
        flow: Some(Flow::from_toml(FLOW).expect("the reference flow")),
        status: PowerStatus::Active,
    }
}

/// Regions, the department, its staff, the calendars and the reference power.
pub async fn seed(store: &Store, now: Timestamp) -> sunlight_engine::Result<()> {
    let today = sunlight_core::clock::Zone::CHINA.date(now);
    for (code, name, level) in [
        ("330000", "浙江省", RegionLevel::Province),
        ("330100", "杭州市", RegionLevel::City),
        ("330183", "富阳区", RegionLevel::County),
    ] {
        let c = RegionCode::parse(code)?;
        store
            .put_region(&Region::new(c, name, level, c.parent())?)
            .await?;
    }
    let dept = Department::new(
        department(),
        "富阳区住房和城乡建设局",
        RegionCode::parse("330183")?,
        DepartmentNature::LegalAgency,
    )?;
    store.put_department(&dept).await?;
    for u in [
        clerk(),
        officer(),
        approver(),
        approver2(),
        supervisor(),
        admin(),
    ] {
        store.add_user(&u, PASSWORD, now).await?;
    }
    store.ensure_shipped_calendars(now).await?;
    let draft = ProposalDraft {
        title: "建筑工程施工许可（基准）".into(),
        reason: "富政发〔2026〕1号".into(),
        effective_from: today,
        changes: vec![PowerChange::Create {
            power: Box::new(power()),
        }],
    };
    store
        .publish_import(draft, Origin::Manual, "admin", now, today)
        .await?;
    Ok(())
}

pub fn submission(n: usize) -> Submission {
    Submission {
        power: POWER.into(),
        region: None,
        applicant: Applicant::Organisation {
            name: format!("杭州富春建设工程有限公司第{n}项目部"),
            credit_code: "91330183MA2H0D2X7Q".into(),
            representative: "李建国".into(),
            phone: "0571-63312345".into(),
            email: String::new(),
        },
        form: serde_json::json!({"project": format!("富春湾新城安置房{n}期"), "area_m2": 12000 + n as i64}),
        materials: MATERIALS.iter().map(|m| m.to_string()).collect(),
        files: vec![],
    }
}

/// The command that finishes an open task of the reference flow, and who gives it.
pub fn finish(task: &TaskRow, today: Date) -> (CaseCommand, User) {
    match task.node.as_str() {
        "accept" => (CaseCommand::Accept { task: task.task }, clerk()),
        "decide" => (
            CaseCommand::Decide {
                task: task.task,
                decision: DecisionInput {
                    verdict: Verdict::Approve,
                    document_no: format!("330183202611{:06}", task.task),
                    reasons: String::new(),
                    legal_basis: String::new(),
                    penalty: None,
                    documents: vec![],
                },
                opinion: "经审查，符合法定条件，准予许可".into(),
            },
            approver(),
        ),
        "deliver" => (
            CaseCommand::Deliver {
                task: task.task,
                method: DeliveryMethod::Electronic,
                date: today,
            },
            clerk(),
        ),
        _ => (
            CaseCommand::Complete {
                task: task.task,
                outcome: "同意".into(),
                opinion: "符合要求".into(),
                co_actors: vec![],
            },
            officer(),
        ),
    }
}

/// Drives one case from submission to delivery through the engine's public interface:
/// submit, then list the open tasks and finish each until none is left. Returns the calls made.
pub async fn drive(
    engine: &Engine,
    n: usize,
    today: Date,
) -> Result<usize, sunlight_engine::EngineError> {
    let ack = engine
        .submit(
            submission(n),
            sunlight_core::case::Channel::Online,
            Actor::Applicant,
            None,
        )
        .await?;
    let mut calls = 1;
    loop {
        let open = engine.open_tasks(&ack.receipt).await?;
        calls += 1;
        if open.is_empty() {
            return Ok(calls);
        }
        for t in &open {
            let (cmd, who) = finish(t, today);
            engine
                .act(ack.receipt.clone(), cmd, Actor::Staff(who), None)
                .await?;
            calls += 1;
        }
    }
}
