//! Flows as BPMN 2.0 XML, for Camunda Modeler and bpmn.io.
//!
//! The subset: `startEvent`, `endEvent`, `userTask` (also `task`, `manualTask`),
//! `parallelGateway` (split or join, by `gatewayDirection` or by its edges), `exclusiveGateway`
//! (with `default`), and `sequenceFlow` with `conditionExpression`. What BPMN has no words for —
//! step kind, role, department, working-day budget, legal basis, outputs, separation of duties,
//! actors, risk points, suspension reasons — travels in `extensionElements` in the
//! `urn:sunlight:flow:1` namespace. A diagram section (BPMNDiagram) with a layered layout is
//! written so the modelers can show what we export; it is ignored on import.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;
use std::fmt::Write;
use sunlight_core::flow::{Edge, Flow, Node, NodeKind, RiskLevel, RiskPoint, StepKind, Task};
use sunlight_core::{CreditCode, FieldError, Text, zh_en};

const NS: &str = "urn:sunlight:flow:1";

/// Escapes an attribute value.
fn esc(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

/// Escapes element text (quotes stay as they are, so conditions read naturally).
fn text_esc(s: &str) -> String {
    quick_xml::escape::partial_escape(s).into_owned()
}

fn step_str(s: StepKind) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn level_str(l: RiskLevel) -> &'static str {
    match l {
        RiskLevel::High => "high",
        RiskLevel::Medium => "medium",
        RiskLevel::Low => "low",
    }
}

/// Writes `flow` as a BPMN 2.0 document named after `process_name`.
pub fn to_bpmn(flow: &Flow, process_name: &str) -> String {
    let mut x = String::new();
    let _ = writeln!(x, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        x,
        r#"<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:sunlight="{NS}" id="definitions" targetNamespace="urn:sunlight" exporter="Sunlight" exporterVersion="{}">"#,
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        x,
        r#"  <bpmn:process id="process" name="{}" isExecutable="false">"#,
        esc(process_name)
    );
    if !flow.suspensions.is_empty() || !flow.risks.is_empty() {
        x.push_str("    <bpmn:extensionElements>\n");
        for s in &flow.suspensions {
            let _ = writeln!(
                x,
                "      <sunlight:suspension>{}</sunlight:suspension>",
                text_esc(s)
            );
        }
        for r in &flow.risks {
            let _ = writeln!(
                x,
                r#"      <sunlight:risk node="{}" level="{}" post="{}" description="{}">"#,
                esc(&r.node),
                level_str(r.level),
                esc(&r.post),
                esc(&r.description)
            );
            for c in &r.controls {
                let _ = writeln!(
                    x,
                    "        <sunlight:control>{}</sunlight:control>",
                    text_esc(c)
                );
            }
            x.push_str("      </sunlight:risk>\n");
        }
        x.push_str("    </bpmn:extensionElements>\n");
    }
    let flow_id = |i: usize| format!("flow_{}", i + 1);
    for n in &flow.nodes {
        let (id, name) = (esc(&n.id), esc(&n.name));
        match &n.kind {
            NodeKind::Start => {
                let _ = writeln!(x, r#"    <bpmn:startEvent id="{id}" name="{name}" />"#);
            }
            NodeKind::End => {
                let _ = writeln!(x, r#"    <bpmn:endEvent id="{id}" name="{name}" />"#);
            }
            NodeKind::ParallelSplit | NodeKind::ParallelJoin => {
                let dir = if n.kind == NodeKind::ParallelSplit {
                    "Diverging"
                } else {
                    "Converging"
                };
                let _ = writeln!(
                    x,
                    r#"    <bpmn:parallelGateway id="{id}" name="{name}" gatewayDirection="{dir}" />"#
                );
            }
            NodeKind::Choice => {
                let default = flow
                    .edges
                    .iter()
                    .position(|e| e.from == n.id && e.default)
                    .map(|i| format!(r#" default="{}""#, flow_id(i)))
                    .unwrap_or_default();
                let _ = writeln!(
                    x,
                    r#"    <bpmn:exclusiveGateway id="{id}" name="{name}"{default} />"#
                );
            }
            NodeKind::Task(t) => {
                let _ = writeln!(x, r#"    <bpmn:userTask id="{id}" name="{name}">"#);
                x.push_str("      <bpmn:extensionElements>\n");
                let mut dept = t
                    .department
                    .as_ref()
                    .map(|d| format!(r#" department="{d}""#))
                    .unwrap_or_default();
                if t.collective {
                    dept.push_str(r#" collective="true""#);
                }
                let _ = writeln!(
                    x,
                    r#"        <sunlight:task step="{}" role="{}" days="{}" actors="{}" legalBasis="{}"{dept} />"#,
                    step_str(t.step),
                    esc(&t.role),
                    t.days,
                    t.actors,
                    esc(&t.legal_basis)
                );
                for o in &t.outputs {
                    let _ = writeln!(
                        x,
                        "        <sunlight:output>{}</sunlight:output>",
                        text_esc(o)
                    );
                }
                for d in &t.differs_from {
                    let _ = writeln!(
                        x,
                        "        <sunlight:differsFrom>{}</sunlight:differsFrom>",
                        text_esc(d)
                    );
                }
                x.push_str("      </bpmn:extensionElements>\n    </bpmn:userTask>\n");
            }
        }
    }
    for (i, e) in flow.edges.iter().enumerate() {
        let (from, to) = (esc(&e.from), esc(&e.to));
        match &e.when {
            Some(w) => {
                let _ = writeln!(
                    x,
                    r#"    <bpmn:sequenceFlow id="{}" sourceRef="{from}" targetRef="{to}">"#,
                    flow_id(i)
                );
                let _ = writeln!(
                    x,
                    r#"      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{}</bpmn:conditionExpression>"#,
                    text_esc(w)
                );
                x.push_str("    </bpmn:sequenceFlow>\n");
            }
            None => {
                let _ = writeln!(
                    x,
                    r#"    <bpmn:sequenceFlow id="{}" sourceRef="{from}" targetRef="{to}" />"#,
                    flow_id(i)
                );
            }
        }
    }
    x.push_str("  </bpmn:process>\n");
    diagram(flow, &mut x);
    x.push_str("</bpmn:definitions>\n");
    x
}

/// A layered layout for the modelers: columns by longest distance from the start.
fn diagram(flow: &Flow, x: &mut String) {
    let mut layer: HashMap<&str, usize> = HashMap::new();
    if let Some(start) = flow.nodes.iter().find(|n| n.kind == NodeKind::Start) {
        layer.insert(start.id.as_str(), 0);
    }
    // Relax along edges a bounded number of times (loops stop growing at the bound).
    for _ in 0..flow.nodes.len() {
        let mut changed = false;
        for e in &flow.edges {
            if let Some(&l) = layer.get(e.from.as_str()) {
                let cur = layer.get(e.to.as_str()).copied();
                if cur.is_none_or(|c| c < l + 1) && l < flow.nodes.len() {
                    layer.insert(e.to.as_str(), l + 1);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut rows: HashMap<usize, usize> = HashMap::new();
    let mut pos: HashMap<&str, (f64, f64, f64, f64)> = HashMap::new();
    for n in &flow.nodes {
        let l = layer.get(n.id.as_str()).copied().unwrap_or(0);
        let row = rows.entry(l).or_insert(0);
        let (w, h) = match n.kind {
            NodeKind::Task(_) => (120.0, 80.0),
            NodeKind::Start | NodeKind::End => (36.0, 36.0),
            _ => (50.0, 50.0),
        };
        let (cx, cy) = (100.0 + l as f64 * 180.0, 100.0 + *row as f64 * 130.0);
        pos.insert(n.id.as_str(), (cx - w / 2.0, cy - h / 2.0, w, h));
        *row += 1;
    }
    x.push_str("  <bpmndi:BPMNDiagram id=\"diagram\">\n    <bpmndi:BPMNPlane id=\"plane\" bpmnElement=\"process\">\n");
    for n in &flow.nodes {
        if let Some(&(px, py, w, h)) = pos.get(n.id.as_str()) {
            let _ = writeln!(
                x,
                r#"      <bpmndi:BPMNShape id="{}_di" bpmnElement="{}"><dc:Bounds x="{px}" y="{py}" width="{w}" height="{h}" /></bpmndi:BPMNShape>"#,
                esc(&n.id),
                esc(&n.id)
            );
        }
    }
    for (i, e) in flow.edges.iter().enumerate() {
        if let (Some(a), Some(b)) = (pos.get(e.from.as_str()), pos.get(e.to.as_str())) {
            let _ = writeln!(
                x,
                r#"      <bpmndi:BPMNEdge id="flow_{}_di" bpmnElement="flow_{}"><di:waypoint x="{}" y="{}" /><di:waypoint x="{}" y="{}" /></bpmndi:BPMNEdge>"#,
                i + 1,
                i + 1,
                a.0 + a.2,
                a.1 + a.3 / 2.0,
                b.0,
                b.1 + b.3 / 2.0
            );
        }
    }
    x.push_str("    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n");
}

fn local(name: &str) -> String {
    name.rsplit(':').next().unwrap_or(name).to_string()
}

fn attrs(e: &BytesStart) -> HashMap<String, String> {
    e.attributes()
        .filter_map(Result::ok)
        .map(|a| {
            let v = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_default();
            (local(a.key.as_ref()), v)
        })
        .collect()
}

/// The text of an entity reference (`amp`, `#38`, `#x26`).
fn entity(name: &str) -> String {
    match name {
        "lt" => "<".into(),
        "gt" => ">".into(),
        "amp" => "&".into(),
        "apos" => "'".into(),
        "quot" => "\"".into(),
        n => {
            let code = n
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| n.strip_prefix('#').and_then(|d| d.parse().ok()));
            code.and_then(char::from_u32)
                .map(String::from)
                .unwrap_or_default()
        }
    }
}

/// Reads a BPMN 2.0 document (ours, or drawn in a modeler) into a flow. Unsupported elements
/// and broken references are reported with their ids and lines.
pub fn from_bpmn(xml: &str) -> Result<Flow, Vec<FieldError>> {
    let mut reader = Reader::from_str(xml);
    let mut flow = Flow::default();
    let mut errors = Vec::new();
    let mut flows: Vec<(String, Edge)> = Vec::new();
    let mut defaults: Vec<(String, String)> = Vec::new(); // (gateway, flow id)
    let mut directions: HashMap<String, String> = HashMap::new();
    let mut stack: Vec<String> = Vec::new();
    let mut current_node: Option<usize> = None;
    let mut current_flow: Option<usize> = None;
    let mut current_risk: Option<usize> = None;
    let mut text_target: Option<String> = None;
    let mut text = String::new();
    let line_of = |pos: u64| xml[..(pos as usize).min(xml.len())].matches('\n').count() + 1;
    loop {
        let pos = reader.buffer_position();
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                let mut fe = FieldError::new(
                    "bpmn",
                    zh_en!("XML 格式不正确：{e}", "not well-formed XML: {e}"),
                );
                fe.line = Some(line_of(reader.buffer_position()));
                return Err(vec![fe]);
            }
        };
        let (start, empty) = match &ev {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            _ => (None, false),
        };
        if let Some(e) = start {
            let name = local(e.name().as_ref());
            let a = attrs(&e);
            let id = a.get("id").cloned().unwrap_or_default();
            let in_process = stack.iter().any(|s| s == "process");
            let parent = stack.last().cloned().unwrap_or_default();
            let mut node = |kind: NodeKind| {
                flow.nodes.push(Node {
                    id: id.clone(),
                    name: a.get("name").cloned().unwrap_or_default(),
                    kind,
                });
                Some(flow.nodes.len() - 1)
            };
            match name.as_str() {
                "startEvent" if in_process => current_node = node(NodeKind::Start),
                "endEvent" if in_process => current_node = node(NodeKind::End),
                "exclusiveGateway" if in_process => {
                    if let Some(d) = a.get("default") {
                        defaults.push((id.clone(), d.clone()));
                    }
                    current_node = node(NodeKind::Choice)
                }
                "parallelGateway" if in_process => {
                    if let Some(d) = a.get("gatewayDirection") {
                        directions.insert(id.clone(), d.clone());
                    }
                    current_node = node(NodeKind::ParallelSplit)
                }
                "userTask" | "task" | "manualTask"
                    if in_process && parent != "extensionElements" =>
                {
                    let role = a.get("candidateGroups").cloned().unwrap_or_default();
                    let task = Task {
                        step: StepKind::Other,
                        role,
                        department: None,
                        days: 0,
                        legal_basis: String::new(),
                        outputs: vec![],
                        differs_from: vec![],
                        actors: 1,
                        collective: false,
                    };
                    current_node = node(NodeKind::Task(task))
                }
                "sequenceFlow" if in_process => {
                    let edge = Edge {
                        from: a.get("sourceRef").cloned().unwrap_or_default(),
                        to: a.get("targetRef").cloned().unwrap_or_default(),
                        when: None,
                        default: false,
                    };
                    flows.push((id.clone(), edge));
                    current_flow = Some(flows.len() - 1);
                }
                "conditionExpression" => {
                    text_target = Some("condition".into());
                    text.clear();
                }
                "task" if parent == "extensionElements" => {
                    if let Some(NodeKind::Task(t)) = current_node.map(|i| &mut flow.nodes[i].kind) {
                        if let Some(s) = a.get("step") {
                            match serde_json::from_value::<StepKind>(serde_json::Value::String(
                                s.clone(),
                            )) {
                                Ok(k) => t.step = k,
                                Err(_) => errors.push(at(
                                    &id,
                                    line_of(pos),
                                    zh_en!("“{s}”不是环节类型", "«{s}» is not a step kind"),
                                )),
                            }
                        }
                        if let Some(r) = a.get("role") {
                            t.role = r.clone();
                        }
                        t.days = a.get("days").and_then(|d| d.parse().ok()).unwrap_or(0);
                        t.actors = a.get("actors").and_then(|d| d.parse().ok()).unwrap_or(1);
                        t.collective = a.get("collective").is_some_and(|c| c == "true");
                        t.legal_basis = a.get("legalBasis").cloned().unwrap_or_default();
                        if let Some(d) = a.get("department") {
                            match CreditCode::parse(d) {
                                Ok(cc) => t.department = Some(cc),
                                Err(e) => errors.push(at(
                                    &flow.nodes[current_node.unwrap_or(0)].id,
                                    line_of(pos),
                                    e.text(),
                                )),
                            }
                        }
                    }
                }
                "output" | "differsFrom" | "suspension" | "control" => {
                    text_target = Some(name.clone());
                    text.clear();
                }
                "risk" if parent == "extensionElements" => {
                    let level = match a.get("level").map(String::as_str) {
                        Some("high") => RiskLevel::High,
                        Some("medium") => RiskLevel::Medium,
                        Some("low") | None => RiskLevel::Low,
                        Some(other) => {
                            errors.push(at(
                                a.get("node").map_or("", String::as_str),
                                line_of(pos),
                                zh_en!("“{other}”不是风险等级", "«{other}» is not a risk level"),
                            ));
                            RiskLevel::Low
                        }
                    };
                    flow.risks.push(RiskPoint {
                        node: a.get("node").cloned().unwrap_or_default(),
                        level,
                        description: a.get("description").cloned().unwrap_or_default(),
                        controls: vec![],
                        post: a.get("post").cloned().unwrap_or_default(),
                    });
                    current_risk = Some(flow.risks.len() - 1);
                }
                "subProcess"
                | "serviceTask"
                | "scriptTask"
                | "intermediateCatchEvent"
                | "intermediateThrowEvent"
                | "boundaryEvent"
                | "inclusiveGateway"
                | "eventBasedGateway"
                | "callActivity"
                    if in_process =>
                {
                    errors.push(at(
                        &id,
                        line_of(pos),
                        zh_en!(
                            "{name} 超出本系统可执行的范围（开始/结束事件、用户任务、并行和排他网关）",
                            "{name} is outside the subset Sunlight executes (start/end events, user tasks, parallel and exclusive gateways)"
                        ),
                    ));
                }
                _ => {}
            }
            if !empty {
                stack.push(name);
            }
            continue;
        }
        match ev {
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t.into_inner()),
            Event::GeneralRef(r) => text.push_str(&entity(r.as_ref())),
            Event::End(e) => {
                let name = local(e.name().as_ref());
                stack.pop();
                let value = std::mem::take(&mut text).trim().to_string();
                match text_target.take().as_deref() {
                    Some("condition") => {
                        if let Some(f) = current_flow {
                            flows[f].1.when = Some(value);
                        }
                    }
                    Some(kind @ ("output" | "differsFrom")) => {
                        if let Some(NodeKind::Task(t)) =
                            current_node.map(|i| &mut flow.nodes[i].kind)
                        {
                            if kind == "output" {
                                t.outputs.push(value)
                            } else {
                                t.differs_from.push(value)
                            }
                        }
                    }
                    Some("suspension") => flow.suspensions.push(value),
                    Some("control") => {
                        if let Some(r) = current_risk {
                            flow.risks[r].controls.push(value);
                        }
                    }
                    _ => {}
                }
                match name.as_str() {
                    "startEvent" | "endEvent" | "exclusiveGateway" | "parallelGateway"
                    | "userTask" | "task" | "manualTask"
                        if stack.iter().any(|s| s == "process")
                            && stack.last().map(String::as_str) == Some("process") =>
                    {
                        current_node = None
                    }
                    "sequenceFlow" => current_flow = None,
                    "risk" => current_risk = None,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    for (gateway, flow_id) in defaults {
        match flows.iter_mut().find(|(id, _)| *id == flow_id) {
            Some((_, e)) if e.from == gateway => e.default = true,
            _ => errors.push(at(
                &gateway,
                0,
                zh_en!(
                    "默认连线“{flow_id}”不是从此网关流出的",
                    "default flow «{flow_id}» does not leave this gateway"
                ),
            )),
        }
    }
    flow.edges = flows.into_iter().map(|(_, e)| e).collect();
    // A parallel gateway without a direction is a split if it fans out, a join if it gathers.
    for n in flow.nodes.iter_mut() {
        if n.kind == NodeKind::ParallelSplit {
            let converging = match directions.get(&n.id).map(String::as_str) {
                Some("Converging") => true,
                Some("Diverging") => false,
                _ => flow.edges.iter().filter(|e| e.from == n.id).count() < 2,
            };
            if converging {
                n.kind = NodeKind::ParallelJoin;
            }
        }
    }
    if flow.nodes.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(
            "bpmn",
            zh_en!(
                "文档中没有包含开始事件、任务和结束事件的流程",
                "the document has no process with start event, tasks and end event"
            ),
        ));
    }
    if errors.is_empty() {
        Ok(flow)
    } else {
        Err(errors)
    }
}

fn at(id: &str, line: usize, message: Text) -> FieldError {
    let mut fe = FieldError::new(
        if id.is_empty() {
            "bpmn".to_string()
        } else {
            format!("bpmn.{id}")
        },
        message,
    );
    fe.line = (line > 0).then_some(line);
    fe
}
