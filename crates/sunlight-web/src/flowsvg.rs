//! Flowcharts and risk maps as SVG, laid out in layers by `layout-rs`.
//!
//! The citizen's flowchart shows each step with who does it and its time budget; the
//! supervisor's risk map colours the steps that carry integrity-risk points by level (red,
//! orange, yellow) and lists each point's control measures on the step.

use layout::backends::svg::SVGWriter;
use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::geometry::Point;
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;
use std::collections::HashMap;
use sunlight_core::Role;
use sunlight_core::flow::{Flow, NodeKind, RiskLevel};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// 权力运行流程图, as citizens see it.
    Flowchart,
    /// 廉政风险防控图, as supervisors see it.
    RiskMap,
}

const FONT: usize = 14;
const FONTS: &str = "'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', 'Microsoft YaHei', 'WenQuanYi Micro Hei', sans-serif";

/// Width of a line of text: CJK characters are about a font size wide, others about half.
/// (layout-rs measures every character as narrow, which squeezes Chinese labels.)
fn text_width(line: &str) -> f64 {
    line.chars()
        .map(|c| if c.is_ascii() { 0.58 } else { 1.0 })
        .sum::<f64>()
        * FONT as f64
}

/// Breaks a label line into lines of at most `max` characters.
fn wrap(text: &str, max: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(max).map(|c| c.iter().collect()).collect()
}

fn size_of(lines: &[String]) -> Point {
    let w = lines.iter().map(|l| text_width(l)).fold(0.0, f64::max) + 2.0 * FONT as f64;
    let h = lines.len() as f64 * FONT as f64 * 1.5 + FONT as f64;
    Point::new(w.max(60.0), h.max(36.0))
}

fn colors(level: Option<RiskLevel>) -> (Color, Color) {
    match level {
        Some(RiskLevel::High) => (Color::new(0xc62828ff), Color::new(0xfde0dcff)),
        Some(RiskLevel::Medium) => (Color::new(0xef6c00ff), Color::new(0xffe0b2ff)),
        Some(RiskLevel::Low) => (Color::new(0xf9a825ff), Color::new(0xfff9c4ff)),
        None => (Color::new(0x1f4e79ff), Color::new(0xe8f1fbff)),
    }
}

fn role_zh(role: &str) -> &str {
    Role::parse(role).map(Role::zh).unwrap_or(role)
}

/// Renders `flow` as SVG.
pub fn render(flow: &Flow, view: View) -> String {
    render_position(flow, view, &[], &[])
}

/// The flowchart of one case: the steps open now drawn in bold blue, the steps done in green.
pub fn render_position(flow: &Flow, view: View, open: &[&str], done: &[&str]) -> String {
    let mut graph = VisualGraph::new(Orientation::TopToBottom);
    let mut handles = HashMap::new();
    let mut worst: HashMap<&str, RiskLevel> = HashMap::new();
    for r in &flow.risks {
        let e = worst.entry(r.node.as_str()).or_insert(r.level);
        *e = (*e).min(r.level); // High < Medium < Low
    }
    for node in &flow.nodes {
        let level = if view == View::RiskMap {
            worst.get(node.id.as_str()).copied()
        } else {
            None
        };
        let (line, fill) = if open.contains(&node.id.as_str()) {
            (Color::new(0x0d47a1ff), Color::new(0xbbdefbff))
        } else if done.contains(&node.id.as_str()) {
            (Color::new(0x2e7d32ff), Color::new(0xe8f5e9ff))
        } else {
            colors(level)
        };
        let marked = open.contains(&node.id.as_str());
        let mut lines = vec![node.name.clone()];
        let shape = match &node.kind {
            NodeKind::Start | NodeKind::End | NodeKind::Choice => {
                ShapeKind::Circle(node.name.clone())
            }
            NodeKind::ParallelSplit | NodeKind::ParallelJoin => {
                ShapeKind::Box(format!("⇉ {}", node.name))
            }
            NodeKind::Task(t) => {
                let mut who = format!("{} · {}个工作日", role_zh(&t.role), t.days);
                if t.actors > 1 {
                    who.push_str(&format!(" · {}人", t.actors));
                }
                lines.push(who);
                if view == View::RiskMap {
                    for r in flow.risks.iter().filter(|r| r.node == node.id) {
                        let tag = match r.level {
                            RiskLevel::High => "【高风险】",
                            RiskLevel::Medium => "【中风险】",
                            RiskLevel::Low => "【低风险】",
                        };
                        lines.extend(wrap(&format!("{tag}{}", r.description), 18));
                        lines.extend(wrap(&format!("防控：{}", r.controls.join("；")), 18));
                        if !r.post.is_empty() {
                            lines.push(format!("责任岗位：{}", r.post));
                        }
                    }
                }
                ShapeKind::Box(lines.join("\n"))
            }
        };
        if matches!(node.kind, NodeKind::ParallelSplit | NodeKind::ParallelJoin) {
            lines = vec![format!("⇉ {}", node.name)];
        }
        let look = StyleAttr::new(
            line,
            if level.is_some() || marked { 3 } else { 2 },
            Some(fill),
            8,
            FONT,
        );
        let size = match &shape {
            ShapeKind::Circle(_) => {
                let d = text_width(&node.name).max(40.0) + FONT as f64;
                Point::new(d, d)
            }
            _ => size_of(&lines),
        };
        handles.insert(
            node.id.as_str(),
            graph.add_node(Element::create(shape, look, Orientation::TopToBottom, size)),
        );
    }
    let edge_look = StyleAttr::new(Color::new(0x52606dff), 2, None, 0, FONT - 2);
    for e in &flow.edges {
        let (Some(&from), Some(&to)) = (handles.get(e.from.as_str()), handles.get(e.to.as_str()))
        else {
            continue;
        };
        let label = match (&e.when, e.default) {
            (Some(w), _) => sunlight_core::flow::Condition::parse(w)
                .ok()
                .map(|c| match c.value {
                    sunlight_core::flow::Value::Text(t) => t,
                    _ => w.clone(),
                })
                .unwrap_or_else(|| w.clone()),
            (None, true) => "其他情形".into(),
            (None, false) => String::new(),
        };
        let arrow = Arrow::new(
            LineEndKind::None,
            LineEndKind::Arrow,
            LineStyleKind::Normal,
            &label,
            &edge_look,
            &None,
            &None,
        );
        graph.add_edge(arrow, from, to);
    }
    let mut svg = SVGWriter::new();
    graph.do_it(false, false, false, &mut svg);
    tidy(&svg.finalize())
}

/// Line spacing of multi-line labels, in em (layout-rs sets 1.0, which makes CJK lines touch).
const LINE_SPACING: f64 = 1.3;

/// Fixes what layout-rs leaves for CJK labels: its Times font, lines set 1em apart, and a canvas
/// grown by the byte length of every label (far too tall for UTF-8 Chinese); the canvas is cut
/// to the shapes drawn.
fn tidy(svg: &str) -> String {
    let svg = svg.replace(
        "font-family: Times, serif",
        &format!("font-family: {FONTS}"),
    );
    // Re-space the lines of each label and keep the block centred where layout-rs put it.
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg.as_str();
    while let Some(i) = rest.find("<text ") {
        out.push_str(&rest[..i]);
        let end = rest[i..]
            .find("</text>")
            .map_or(rest.len(), |e| i + e + "</text>".len());
        let block = &rest[i..end];
        let lines = block.matches("<tspan").count();
        let shift = (LINE_SPACING - 1.0) * FONT as f64 * lines.saturating_sub(1) as f64 / 2.0;
        let block = block.replace("dy=\"1.0em\"", &format!("dy=\"{LINE_SPACING}em\""));
        out.push_str(&shift_attr(&block, " y=\"", -shift));
        rest = &rest[end..];
    }
    out.push_str(rest);
    // The canvas: the furthest rectangle or ellipse, plus a margin.
    let (mut w, mut h) = (0.0f64, 0.0f64);
    for (tag, (x, y, dx, dy)) in [
        ("<rect ", ("x", "y", "width", "height")),
        ("<ellipse ", ("cx", "cy", "rx", "ry")),
    ] {
        for part in out.split(tag).skip(1) {
            let head = format!(" {}", &part[..part.find('>').unwrap_or(part.len())]);
            let num = |name: &str| attr(&head, name).unwrap_or(0.0);
            w = w.max(num(x) + num(dx));
            h = h.max(num(y) + num(dy));
        }
    }
    let (w, h) = (w + 30.0, h + 30.0);
    match out
        .find("<svg ")
        .and_then(|s| out[s..].find('>').map(|e| (s, s + e)))
    {
        Some((s, e)) => format!(
            "{}<svg width=\"{w:.0}\" height=\"{h:.0}\" viewBox=\"0 0 {w:.0} {h:.0}\" xmlns=\"http://www.w3.org/2000/svg\">{}",
            &out[..s],
            &out[e + 1..]
        ),
        None => out,
    }
}

/// The number in `name="…"` within a tag's text.
fn attr(head: &str, name: &str) -> Option<f64> {
    let key = format!(" {name}=\"");
    let start = head.find(&key)? + key.len();
    let end = head[start..].find('"')? + start;
    head[start..end].trim().parse().ok()
}

/// Adds `delta` to the first numeric attribute starting with `key` (e.g. ` y="`).
fn shift_attr(block: &str, key: &str, delta: f64) -> String {
    let Some(start) = block.find(key).map(|i| i + key.len()) else {
        return block.to_string();
    };
    let Some(len) = block[start..].find('"') else {
        return block.to_string();
    };
    match block[start..start + len].parse::<f64>() {
        Ok(v) => format!("{}{}{}", &block[..start], v + delta, &block[start + len..]),
        Err(_) => block.to_string(),
    }
}
