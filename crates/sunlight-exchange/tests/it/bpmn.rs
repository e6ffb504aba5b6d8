use proptest::prelude::*;
use sunlight_core::flow::*;
use sunlight_exchange::{from_bpmn, to_bpmn};

fn text() -> impl Strategy<Value = String> {
    // CJK, ASCII and the characters XML must escape; no edge whitespace (values are trimmed).
    "[a-z申请受理审查决定送达<>&'\"（）、0-9]{1,12}"
}

fn step() -> impl Strategy<Value = StepKind> {
    prop::sample::select(vec![
        StepKind::Accept,
        StepKind::Review,
        StepKind::OnSiteCheck,
        StepKind::Decide,
        StepKind::Deliver,
        StepKind::Hearing,
        StepKind::Other,
    ])
}

fn flow() -> impl Strategy<Value = Flow> {
    let node = (
        0u8..6,
        text(),
        step(),
        0u32..30,
        1u8..4,
        prop::collection::vec(text(), 0..3),
        any::<bool>(),
    );
    (
        prop::collection::vec(node, 2..12),
        prop::collection::vec((0usize..12, 0usize..12, prop::option::of(text())), 0..16),
        prop::collection::vec(text(), 0..3),
        prop::collection::vec(
            (
                0usize..12,
                0u8..3,
                text(),
                prop::collection::vec(text(), 1..3),
            ),
            0..3,
        ),
    )
        .prop_map(|(nodes, edges, suspensions, risks)| {
            let n = nodes.len();
            let nodes: Vec<Node> = nodes
                .into_iter()
                .enumerate()
                .map(
                    |(i, (k, name, step, days, actors, outputs, other_dept))| Node {
                        id: format!("n{i}"),
                        name,
                        kind: match k {
                            0 => NodeKind::Start,
                            1 => NodeKind::End,
                            2 => NodeKind::ParallelSplit,
                            3 => NodeKind::ParallelJoin,
                            4 => NodeKind::Choice,
                            _ => NodeKind::Task(Task {
                                step,
                                role: "case_officer".into(),
                                department: other_dept.then(|| {
                                    sunlight_core::CreditCode::parse("91350100M000100Y43").unwrap()
                                }),
                                days,
                                legal_basis: "《中华人民共和国行政许可法》第三十四条".into(),
                                outputs,
                                differs_from: vec![format!("n{}", (i + 1) % n)],
                                actors,
                                collective: days % 2 == 1,
                            }),
                        },
                    },
                )
                .collect();
            let mut has_default = std::collections::HashSet::new();
            let edges = edges
                .into_iter()
                .map(|(a, b, cond)| {
                    let (from, to) = (a % n, b % n);
                    let choice = nodes[from].kind == NodeKind::Choice;
                    let (when, default) = match (choice, cond) {
                        (true, Some(c)) => (Some(format!("outcome == '{c}'")), false),
                        (true, None) => (None, has_default.insert(from)),
                        (false, _) => (None, false),
                    };
                    Edge {
                        from: format!("n{from}"),
                        to: format!("n{to}"),
                        when,
                        default,
                    }
                })
                .collect();
            let risks = risks
                .into_iter()
                .map(|(node, level, description, controls)| RiskPoint {
                    node: format!("n{}", node % n),
                    level: [RiskLevel::High, RiskLevel::Medium, RiskLevel::Low][level as usize],
                    description,
                    controls,
                    post: "首席代表".into(),
                })
                .collect();
            Flow {
                suspensions,
                nodes,
                edges,
                risks,
            }
        })
}

proptest! {
    #[test]
    fn export_then_import_is_the_identity(f in flow()) {
        let xml = to_bpmn(&f, "测试流程");
        let back = from_bpmn(&xml).map_err(|e| TestCaseError::fail(format!("{e:?}\n{xml}")))?;
        prop_assert_eq!(back, f);
    }
}

#[test]
fn a_diagram_drawn_in_a_modeler_comes_in() {
    // As bpmn.io saves it: default namespace, plain tasks, a diagram section, no extensions.
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn">
  <process id="Process_1" isExecutable="false">
    <startEvent id="StartEvent_1" name="申请"><outgoing>Flow_1</outgoing></startEvent>
    <userTask id="Activity_accept" name="受理" camunda:candidateGroups="window_clerk"><incoming>Flow_1</incoming></userTask>
    <exclusiveGateway id="Gateway_ok" name="材料齐全？" default="Flow_3" />
    <task id="Activity_fix" name="补正" />
    <endEvent id="End_1" name="办结" />
    <sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Activity_accept" />
    <sequenceFlow id="Flow_2" sourceRef="Activity_accept" targetRef="Gateway_ok" />
    <sequenceFlow id="Flow_3" sourceRef="Gateway_ok" targetRef="End_1" />
    <sequenceFlow id="Flow_4" sourceRef="Gateway_ok" targetRef="Activity_fix"><conditionExpression>outcome == &apos;补正&apos;</conditionExpression></sequenceFlow>
    <sequenceFlow id="Flow_5" sourceRef="Activity_fix" targetRef="Activity_accept" />
  </process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_1"><bpmndi:BPMNPlane id="BPMNPlane_1" bpmnElement="Process_1" /></bpmndi:BPMNDiagram>
</definitions>"#;
    let f = from_bpmn(xml).unwrap();
    assert_eq!(f.nodes.len(), 5);
    assert_eq!(
        f.node("Activity_accept")
            .and_then(|n| n.task())
            .unwrap()
            .role,
        "window_clerk"
    );
    assert!(f.edges.iter().any(|e| e.default && e.to == "End_1"));
    assert_eq!(f.edges[3].when.as_deref(), Some("outcome == '补正'"));
    // The imported flow is checked like any other: the modeler left no budgets or role on 补正.
    let errors = f.validate(Limits::default());
    assert_eq!(
        errors
            .iter()
            .map(|e| (e.node.as_deref(), e.kind))
            .collect::<Vec<_>>(),
        [(Some("Activity_fix"), FlowErrorKind::UnknownRole)]
    );
}

#[test]
fn what_we_cannot_execute_is_refused_by_id_and_line() {
    let xml = r#"<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">
<startEvent id="s"/>
<serviceTask id="call_api" name="调用接口"/>
</process></definitions>"#;
    let errors = from_bpmn(xml).unwrap_err();
    assert_eq!(errors[0].field, "bpmn.call_api");
    assert_eq!(errors[0].line, Some(3));
    assert!(
        from_bpmn("<definitions><process").unwrap_err()[0]
            .message
            .en
            .contains("XML")
    );
}
