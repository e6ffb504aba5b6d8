use super::*;
use FlowErrorKind::*;

/// 受理 → 三部门并联审查 → 决定 → 送达, with 受理 ≠ 决定 and a high-risk decision.
pub const LICENSING: &str = r#"
suspensions = ["补正", "现场核查"]

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
outputs = ["受理通知书"]

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
department = "91350100M000100Y43"
days = 4

[[nodes]]
id = "review_env"
type = "task"
name = "环保审查"
step = "review"
role = "case_officer"
days = 2

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
to = "review_market"
[[edges]]
from = "split"
to = "review_fire"
[[edges]]
from = "split"
to = "review_env"
[[edges]]
from = "review_market"
to = "join"
[[edges]]
from = "review_fire"
to = "join"
[[edges]]
from = "review_env"
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

[[risks]]
node = "decide"
level = "high"
description = "对不符合条件的申请作出准予许可决定"
controls = ["集体研究", "全程电子留痕", "电子监察"]
post = "首席代表"
"#;

fn licensing() -> Flow {
    Flow::from_toml(LICENSING).unwrap()
}

fn limits(committed: u32, statutory: u32) -> Limits {
    Limits {
        committed: Some(TimeLimit::working_days(committed)),
        statutory: Some(TimeLimit::working_days(statutory)),
    }
}

fn kinds(f: &Flow, l: Limits) -> Vec<(Option<String>, FlowErrorKind)> {
    f.validate(l)
        .into_iter()
        .map(|e| (e.node, e.kind))
        .collect()
}

#[test]
fn a_realistic_licensing_flow_is_valid_and_its_longest_way_counted() {
    let f = licensing();
    assert!(
        f.validate(limits(10, 20)).is_empty(),
        "{:?}",
        f.validate(limits(10, 20))
    );
    // accept 1 + the slowest review 4 + decide 2 + deliver 1
    assert_eq!(f.total_days(), 8);
    assert_eq!(Flow::from_toml(&f.to_toml()).unwrap(), f);
}

#[test]
fn budgets_must_fit_the_limits() {
    let f = licensing();
    assert_eq!(kinds(&f, limits(7, 20)), [(None, OverBudget)]);
    assert_eq!(kinds(&f, limits(10, 8)), [(None, CommittedOverStatutory)]);
}

#[test]
fn each_broken_kind_has_its_own_error() {
    let ok = licensing();
    let case = |edit: &dyn Fn(&mut Flow)| {
        let mut f = ok.clone();
        edit(&mut f);
        kinds(&f, Limits::default())
    };
    assert_eq!(case(&|f| f.nodes.retain(|n| n.id != "start"))[0].1, NoStart);
    assert!(
        case(&|f| f.nodes.retain(|n| n.id != "end"))
            .iter()
            .any(|k| k.1 == NoEnd)
    );
    assert_eq!(
        case(&|f| f.nodes[2].id = "accept".into())[0],
        (Some("accept".into()), DuplicateId)
    );
    assert_eq!(
        case(&|f| f.edges[0].to = "nowhere".into())[0],
        (Some("start→nowhere".into()), UnknownNode)
    );
    // A dangling task no edge reaches.
    let dangling = case(&|f| {
        let mut extra = f.nodes[1].clone();
        extra.id = "orphan".into();
        f.nodes.push(extra);
        f.edges.push(Edge {
            from: "orphan".into(),
            to: "end".into(),
            when: None,
            default: false,
        });
    });
    assert!(
        dangling.contains(&(Some("orphan".into()), BadDegree)),
        "{dangling:?}"
    );
    // A branch of the split that skips the join.
    let skip = case(&|f| {
        f.edges
            .retain(|e| !(e.from == "review_env" && e.to == "join"));
        f.edges.push(Edge {
            from: "review_env".into(),
            to: "end".into(),
            when: None,
            default: false,
        });
    });
    assert!(
        skip.contains(&(Some("join".into()), BadDegree))
            || skip.iter().any(|k| k.1 == UnmatchedSplit),
        "{skip:?}"
    );
    // Two branches into a join that expects three.
    let mismatch = case(&|f| {
        f.nodes.retain(|n| n.id != "review_env");
        f.edges
            .retain(|e| e.from != "review_env" && e.to != "review_env");
        f.nodes.insert(
            2,
            Node {
                id: "split2".into(),
                name: "又一分支".into(),
                kind: NodeKind::ParallelSplit,
            },
        );
    });
    assert!(mismatch.iter().any(|k| k.1 == BadDegree), "{mismatch:?}");
    // A loop with no way out.
    let looped = case(&|f| {
        f.edges.retain(|e| e.from != "deliver");
        f.edges.push(Edge {
            from: "deliver".into(),
            to: "decide".into(),
            when: None,
            default: false,
        });
    });
    assert!(
        looped
            .iter()
            .any(|k| k.1 == NoWayToEnd || k.1 == CycleWithoutExit),
        "{looped:?}"
    );
    assert_eq!(
        case(&|f| if let NodeKind::Task(t) = &mut f.nodes[1].kind {
            t.role = "mayor".into()
        })[0],
        (Some("accept".into()), UnknownRole)
    );
    assert_eq!(
        case(&|f| if let NodeKind::Task(t) = &mut f.nodes[7].kind {
            t.differs_from = vec!["split".into()]
        })[0],
        (Some("decide".into()), BadSeparationOfDuties)
    );
    assert_eq!(
        case(&|f| if let NodeKind::Task(t) = &mut f.nodes[7].kind {
            t.differs_from = vec!["decide".into()]
        })[0],
        (Some("decide".into()), BadSeparationOfDuties)
    );
    assert_eq!(
        case(&|f| if let NodeKind::Task(t) = &mut f.nodes[1].kind {
            t.actors = 0
        })[0],
        (Some("accept".into()), BadActors)
    );
    assert_eq!(
        case(&|f| f.risks[0].node = "ghost".into())[0],
        (Some("ghost".into()), BadRisk)
    );
}

/// 立案 → 调查 → 告知 → (听证?) → 决定 → 送达 → 执行; a choice with a default and a loop back
/// for supplementary investigation that has a way out.
#[test]
fn choices_need_conditions_and_loops_need_exits() {
    let text = r#"
[[nodes]]
id = "s"
type = "start"
name = "线索"
[[nodes]]
id = "file"
type = "task"
name = "立案"
step = "file_case"
role = "case_officer"
days = 1
[[nodes]]
id = "investigate"
type = "task"
name = "调查取证"
step = "investigate"
role = "case_officer"
days = 10
actors = 2
[[nodes]]
id = "inform"
type = "task"
name = "告知"
step = "inform"
role = "case_officer"
days = 1
[[nodes]]
id = "hearing_needed"
type = "choice"
name = "是否听证"
[[nodes]]
id = "hearing"
type = "task"
name = "听证"
step = "hearing"
role = "approver"
days = 5
differs_from = ["investigate"]
[[nodes]]
id = "decide"
type = "task"
name = "决定"
step = "decide"
role = "approver"
days = 2
differs_from = ["investigate"]
[[nodes]]
id = "e"
type = "end"
name = "结案"
[[edges]]
from = "s"
to = "file"
[[edges]]
from = "file"
to = "investigate"
[[edges]]
from = "investigate"
to = "inform"
[[edges]]
from = "inform"
to = "hearing_needed"
[[edges]]
from = "hearing_needed"
to = "hearing"
when = "outcome == '申请听证'"
[[edges]]
from = "hearing_needed"
to = "investigate"
when = "outcome == '补充调查'"
[[edges]]
from = "hearing_needed"
to = "decide"
default = true
[[edges]]
from = "hearing"
to = "decide"
[[edges]]
from = "decide"
to = "e"
"#;
    let f = Flow::from_toml(text).unwrap();
    assert!(
        f.validate(Limits::default()).is_empty(),
        "{:?}",
        f.validate(Limits::default())
    );
    // investigate 10 + inform 1 + hearing 5 + decide 2 + file 1 (the loop counts once)
    assert_eq!(f.total_days(), 19);
    let mut g = f.clone();
    g.edges[6].default = false;
    assert_eq!(
        kinds(&g, Limits::default()),
        [(Some("hearing_needed".into()), ChoiceWithoutCondition)]
    );
    let mut h = f.clone();
    h.edges[4].when = Some("outcome ~ 听证".into());
    assert_eq!(kinds(&h, Limits::default())[0].1, BadCondition);
    // Without the choice's way out the loop traps the case.
    let mut k = f;
    k.nodes[4].kind = NodeKind::ParallelSplit;
    k.edges.iter_mut().for_each(|e| {
        e.when = None;
        e.default = false;
    });
    let got = kinds(&k, Limits::default());
    assert!(
        got.iter()
            .any(|x| x.1 == CycleWithoutExit || x.1 == UnmatchedSplit),
        "{got:?}"
    );
}

#[test]
fn conditions_read_outcomes_and_data() {
    assert_eq!(
        Condition::parse("outcome == '不予受理'").unwrap().value,
        Value::Text("不予受理".into())
    );
    let c = Condition::parse("data.area >= 500").unwrap();
    assert_eq!(
        (c.subject, c.op, c.value),
        (Subject::Data("area".into()), Op::Ge, Value::Number(500.0))
    );
    assert!(Condition::parse("data.x > 'a'").is_err());
    assert!(Condition::parse("who == 1").is_err());
}

#[test]
fn toml_errors_say_the_line() {
    let e =
        Flow::from_toml("[[nodes]]\nid = \"a\"\ntype = \"teleport\"\nname = \"x\"\n").unwrap_err();
    let fe = &e.field_errors()[0];
    assert!(fe.line.is_some(), "{fe:?}");
}
