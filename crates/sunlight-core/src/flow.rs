//! The procedure of a power (权力运行流程图) and its integrity-risk points (廉政风险防控图).
//!
//! A flow is a graph: one start, tasks, parallel splits and joins (并联审批), exclusive choices
//! whose outgoing edges carry conditions, and ends. A task says what step it is, which role in
//! which department performs it, its time budget in working days, its legal basis and outputs,
//! and its constraints: separation of duties (`differs_from`: the actor must not be the actor of
//! those nodes — 受理≠决定, 管审分离) and two-person steps (`actors`: distinct people needed —
//! 入户核查 may not be done alone).
//!
//! [`Flow::validate`] lists every problem with the node it concerns. Flows are authored as TOML
//! ([`Flow::from_toml`]):
//!
//! ```toml
//! suspensions = ["补正", "现场核查"]        # stopped-clock reasons the case engine will accept
//!
//! [[nodes]]
//! id = "start"
//! type = "start"
//! name = "申请"
//!
//! [[nodes]]
//! id = "accept"
//! type = "task"
//! name = "受理"
//! step = "accept"
//! role = "window_clerk"
//! days = 1
//! outputs = ["受理通知书"]
//!
//! [[nodes]]
//! id = "decide"
//! type = "task"
//! name = "决定"
//! step = "decide"
//! role = "approver"
//! days = 2
//! differs_from = ["accept"]               # 受理 ≠ 决定
//!
//! [[nodes]]
//! id = "end"
//! type = "end"
//! name = "办结"
//!
//! [[edges]]
//! from = "start"
//! to = "accept"
//! # … and on; an edge out of a choice has `when = "outcome == '准予'"` or `default = true`
//!
//! [[risks]]
//! node = "decide"
//! level = "high"                            # high / medium / low (红 / 橙 / 黄)
//! description = "违规作出许可决定"
//! controls = ["集体研究", "全程留痕"]
//! post = "首席代表"
//! ```

use crate::department::CreditCode;
use crate::power::{TimeLimit, TimeUnit};
use crate::staff::Role;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// What kind of step a task is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum StepKind {
    /// 受理
    Accept,
    /// 审查
    Review,
    /// 现场核查 / 入户核查
    OnSiteCheck,
    /// 专家评审
    ExpertReview,
    /// 公示
    PublicNotice,
    /// 听证
    Hearing,
    /// 决定
    Decide,
    /// 送达
    Deliver,
    /// 立案
    FileCase,
    /// 调查取证
    Investigate,
    /// 告知 (陈述申辩、听证权利)
    Inform,
    /// 执行
    Execute,
    /// 其他
    Other,
}

impl StepKind {
    pub fn zh(self) -> &'static str {
        match self {
            Self::Accept => "受理",
            Self::Review => "审查",
            Self::OnSiteCheck => "现场核查",
            Self::ExpertReview => "专家评审",
            Self::PublicNotice => "公示",
            Self::Hearing => "听证",
            Self::Decide => "决定",
            Self::Deliver => "送达",
            Self::FileCase => "立案",
            Self::Investigate => "调查取证",
            Self::Inform => "告知",
            Self::Execute => "执行",
            Self::Other => "其他",
        }
    }
}

/// A task node's particulars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    pub step: StepKind,
    /// The role that performs it (`window_clerk`, `case_officer`, `approver` …).
    pub role: String,
    /// Another department for parallel multi-department review; the power's own if absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<CreditCode>,
    /// Time budget in working days.
    pub days: u32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub legal_basis: String,
    /// Required outputs: opinions, documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outputs: Vec<String>,
    /// Separation of duties: the actor must differ from the actors of these nodes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub differs_from: Vec<String>,
    /// Distinct people needed (2 for 入户核查).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub actors: u8,
    /// A decision here may be taken collectively (集体讨论, 行政处罚法 Art. 57 ¶2): a penalty
    /// outside its discretion band is then accepted with the recorded reason and flagged for
    /// supervision instead of refused.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub collective: bool,
}

fn one() -> u8 {
    1
}
fn is_one(n: &u8) -> bool {
    *n == 1
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum NodeKind {
    Start,
    End,
    Task(Task),
    ParallelSplit,
    ParallelJoin,
    /// Exclusive choice: exactly one outgoing edge is taken, by its condition.
    Choice,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Node {
    pub id: String,
    pub name: String,
    #[serde(flatten)]
    pub kind: NodeKind,
}

impl Node {
    pub fn task(&self) -> Option<&Task> {
        match &self.kind {
            NodeKind::Task(t) => Some(t),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Edge {
    pub from: String,
    pub to: String,
    /// Condition of an edge out of a choice, e.g. `outcome == '不予受理'` or `data.area > 500`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// The edge a choice takes when no condition holds.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub default: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RiskLevel {
    High,
    Medium,
    Low,
}

impl RiskLevel {
    pub fn zh(self) -> &'static str {
        match self {
            Self::High => "高风险（红）",
            Self::Medium => "中风险（橙）",
            Self::Low => "低风险（黄）",
        }
    }
}

/// An integrity-risk point (廉政风险点) on a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskPoint {
    pub node: String,
    pub level: RiskLevel,
    pub description: String,
    /// 防控措施
    #[serde(default)]
    pub controls: Vec<String>,
    /// 责任岗位
    #[serde(default)]
    pub post: String,
}

/// A power's procedure with its risk map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Flow {
    /// Stopped-clock reasons a case of this flow may be suspended for (补正, 听证 …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suspensions: Vec<String>,
    pub nodes: Vec<Node>,
    #[serde(default)]
    pub edges: Vec<Edge>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risks: Vec<RiskPoint>,
}

/// What is wrong with a flow, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FlowErrorKind {
    NoStart,
    SeveralStarts,
    NoEnd,
    DuplicateId,
    UnknownNode,
    BadDegree,
    Unreachable,
    NoWayToEnd,
    UnmatchedSplit,
    UnmatchedJoin,
    CycleWithoutExit,
    ChoiceWithoutCondition,
    BadCondition,
    OverBudget,
    CommittedOverStatutory,
    UnknownRole,
    BadSeparationOfDuties,
    BadActors,
    BadRisk,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlowError {
    /// The node (or edge `from→to`) concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    pub kind: FlowErrorKind,
    pub message: crate::Text,
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.node {
            Some(n) => write!(f, "{n}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

fn err(node: Option<&str>, kind: FlowErrorKind, message: crate::Text) -> FlowError {
    FlowError {
        node: node.map(str::to_string),
        kind,
        message,
    }
}

/// The limits a flow must fit within (from its power's service guide).
#[derive(Debug, Clone, Copy, Default)]
pub struct Limits {
    pub committed: Option<TimeLimit>,
    pub statutory: Option<TimeLimit>,
}

impl Flow {
    /// Reads the TOML authoring format; errors carry their line.
    pub fn from_toml(text: &str) -> Result<Self, crate::DomainError> {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].lines().count().max(1));
            let m = e.message();
            let mut fe = crate::FieldError::new("flow", crate::zh_en!("流程文本有误：{m}", "{m}"));
            fe.line = line;
            crate::DomainError::Invalid(vec![fe])
        })
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// Every problem of the flow, each with its node. Empty means valid.
    pub fn validate(&self, limits: Limits) -> Vec<FlowError> {
        use FlowErrorKind::*;
        let mut errors = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, n) in self.nodes.iter().enumerate() {
            if index.insert(n.id.as_str(), i).is_some() {
                errors.push(err(
                    Some(&n.id),
                    DuplicateId,
                    crate::zh_en!("该编号已被其他节点使用", "this id is used by another node"),
                ));
            }
            if n.id.trim().is_empty() {
                errors.push(err(
                    None,
                    DuplicateId,
                    crate::zh_en!("有节点的编号为空", "a node has an empty id"),
                ));
            }
        }
        let starts: Vec<&Node> = self
            .nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Start)
            .collect();
        match starts.len() {
            0 => errors.push(err(
                None,
                NoStart,
                crate::zh_en!("流程没有开始节点", "the flow has no start node"),
            )),
            1 => {}
            _ => errors.push(err(
                Some(&starts[1].id),
                SeveralStarts,
                crate::zh_en!("流程只能有一个开始节点", "a flow has exactly one start"),
            )),
        }
        if !self.nodes.iter().any(|n| n.kind == NodeKind::End) {
            errors.push(err(
                None,
                NoEnd,
                crate::zh_en!("流程没有结束节点", "the flow has no end node"),
            ));
        }
        let n = self.nodes.len();
        let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut inc: Vec<Vec<usize>> = vec![Vec::new(); n];
        for e in &self.edges {
            let here = format!("{}→{}", e.from, e.to);
            match (index.get(e.from.as_str()), index.get(e.to.as_str())) {
                (Some(&a), Some(&b)) => {
                    out[a].push(b);
                    inc[b].push(a);
                }
                (None, _) => errors.push(err(
                    Some(&here),
                    UnknownNode,
                    crate::zh_en!(
                        "连线起点“{from}”不是流程中的节点",
                        "edge from unknown node «{from}»",
                        from = &e.from,
                    ),
                )),
                (_, None) => errors.push(err(
                    Some(&here),
                    UnknownNode,
                    crate::zh_en!(
                        "连线终点“{to}”不是流程中的节点",
                        "edge to unknown node «{to}»",
                        to = &e.to,
                    ),
                )),
            }
            if let Some(w) = &e.when
                && let Err(m) = Condition::parse(w)
            {
                errors.push(err(Some(&here), BadCondition, m));
            }
        }
        // Degrees by kind.
        for (i, node) in self.nodes.iter().enumerate() {
            let (i_n, o_n) = (inc[i].len(), out[i].len());
            let want = match node.kind {
                NodeKind::Start => (
                    i_n == 0 && o_n == 1,
                    crate::zh_en!(
                        "开始节点不能有流入连线，且只有一条流出连线",
                        "a start has no incoming and one outgoing edge"
                    ),
                ),
                NodeKind::End => (
                    o_n == 0 && i_n >= 1,
                    crate::zh_en!(
                        "结束节点应有流入连线，且不能有流出连线",
                        "an end has incoming edges and no outgoing one"
                    ),
                ),
                NodeKind::Task(_) => (
                    i_n >= 1 && o_n == 1,
                    crate::zh_en!(
                        "办理环节应有流入连线，且只有一条流出连线",
                        "a task has incoming edges and exactly one outgoing edge"
                    ),
                ),
                NodeKind::ParallelSplit => (
                    i_n >= 1 && o_n >= 2,
                    crate::zh_en!(
                        "并行分支应有流入连线和两条以上流出连线",
                        "a parallel split has one way in and two or more ways out"
                    ),
                ),
                NodeKind::ParallelJoin => (
                    i_n >= 2 && o_n == 1,
                    crate::zh_en!(
                        "并行汇合应有两条以上流入连线和一条流出连线",
                        "a parallel join has two or more ways in and one way out"
                    ),
                ),
                NodeKind::Choice => (
                    i_n >= 1 && o_n >= 2,
                    crate::zh_en!(
                        "条件分支应有流入连线和两条以上流出连线",
                        "a choice has a way in and two or more ways out"
                    ),
                ),
            };
            if !want.0 {
                errors.push(err(
                    Some(&node.id),
                    BadDegree,
                    want.1.append(
                        &format!("（现有流入 {i_n} 条、流出 {o_n} 条）"),
                        &format!(" (it has {i_n} in, {o_n} out)"),
                    ),
                ));
            }
            if node.kind == NodeKind::Choice {
                let edges: Vec<&Edge> = self.edges.iter().filter(|e| e.from == node.id).collect();
                let unconditioned = edges
                    .iter()
                    .filter(|e| e.when.is_none() && !e.default)
                    .count();
                let defaults = edges.iter().filter(|e| e.default).count();
                if unconditioned > 0 || defaults > 1 {
                    errors.push(err(Some(&node.id), ChoiceWithoutCondition, crate::zh_en!("条件分支的每条流出连线都应有 `when` 条件，至多一条可设为 `default`", "every edge out of a choice needs a `when` condition, except at most one `default`")));
                }
            }
            if let Some(t) = node.task() {
                if Role::parse(&t.role).is_none() {
                    errors.push(err(
                        Some(&node.id),
                        UnknownRole,
                        crate::zh_en!(
                            "“{role}”不是角色（可用：{list}）",
                            "«{role}» is not a role ({list})",
                            role = &t.role,
                            list = Role::ALL.map(Role::as_str).join(", "),
                        ),
                    ));
                }
                if !(1..=5).contains(&t.actors) {
                    errors.push(err(
                        Some(&node.id),
                        BadActors,
                        crate::zh_en!(
                            "一个环节的办理人数应为 1 至 5 人",
                            "a step needs between 1 and 5 distinct actors"
                        ),
                    ));
                }
                for other in &t.differs_from {
                    match index.get(other.as_str()).map(|&j| &self.nodes[j]) {
                        Some(o) if o.task().is_some() && o.id != node.id => {}
                        Some(o) if o.id == node.id => errors.push(err(
                            Some(&node.id),
                            BadSeparationOfDuties,
                            crate::zh_en!(
                                "环节不能与自身分离",
                                "a step cannot be separated from itself"
                            ),
                        )),
                        Some(_) => errors.push(err(
                            Some(&node.id),
                            BadSeparationOfDuties,
                            crate::zh_en!(
                                "“{other}”不是办理环节，只有办理环节才有办理人",
                                "«{other}» is not a task; only tasks have actors"
                            ),
                        )),
                        None => errors.push(err(
                            Some(&node.id),
                            BadSeparationOfDuties,
                            crate::zh_en!(
                                "“{other}”不是本流程的节点",
                                "«{other}» is not a node of this flow"
                            ),
                        )),
                    }
                }
            }
        }
        for r in &self.risks {
            if !index.contains_key(r.node.as_str()) {
                errors.push(err(
                    Some(&r.node),
                    BadRisk,
                    crate::zh_en!(
                        "风险点所指的节点不在流程中",
                        "a risk point names a node that is not in the flow"
                    ),
                ));
            }
            if r.description.trim().is_empty() || r.controls.is_empty() {
                errors.push(err(
                    Some(&r.node),
                    BadRisk,
                    crate::zh_en!(
                        "风险点应有描述和至少一项防控措施",
                        "a risk point needs a description and at least one control measure"
                    ),
                ));
            }
        }
        if errors
            .iter()
            .any(|e| matches!(e.kind, NoStart | SeveralStarts | DuplicateId | UnknownNode))
        {
            return errors; // the graph checks below need a well-formed graph
        }
        let start = self
            .nodes
            .iter()
            .position(|n| n.kind == NodeKind::Start)
            .unwrap_or(0);
        let ends: Vec<usize> = (0..n)
            .filter(|&i| self.nodes[i].kind == NodeKind::End)
            .collect();
        let forward = reach(&[start], &out);
        let backward = reach(&ends, &inc);
        for (i, node) in self.nodes.iter().enumerate() {
            if !forward[i] {
                errors.push(err(
                    Some(&node.id),
                    Unreachable,
                    crate::zh_en!(
                        "从开始节点无法到达此节点",
                        "no path from the start reaches this node"
                    ),
                ));
            } else if !backward[i] {
                errors.push(err(
                    Some(&node.id),
                    NoWayToEnd,
                    crate::zh_en!(
                        "从此节点无法到达结束节点",
                        "no path from this node reaches an end"
                    ),
                ));
            }
        }
        // Cycles must have a way out through a choice.
        let sccs = strongly_connected(&out);
        let mut comp = vec![0usize; n];
        for (c, members) in sccs.iter().enumerate() {
            for &m in members {
                comp[m] = c;
            }
        }
        for members in &sccs {
            let cyclic = members.len() > 1 || out[members[0]].contains(&members[0]);
            if !cyclic {
                continue;
            }
            let exits = members.iter().any(|&m| {
                self.nodes[m].kind == NodeKind::Choice && out[m].iter().any(|&t| comp[t] != comp[m])
            });
            if !exits {
                let mut ids: Vec<&str> =
                    members.iter().map(|&m| self.nodes[m].id.as_str()).collect();
                ids.sort();
                errors.push(err(
                    Some(ids[0]),
                    CycleWithoutExit,
                    crate::zh_en!(
                        "经过 {ids} 的循环没有可以离开它的条件分支",
                        "the cycle through {ids} has no choice that leaves it",
                        ids = ids.join(", "),
                    ),
                ));
            }
        }
        if errors.iter().any(|e| {
            matches!(
                e.kind,
                Unreachable | NoWayToEnd | BadDegree | CycleWithoutExit
            )
        }) {
            return errors;
        }
        // Splits and joins pair up: a split's branches meet first at a join, and that join
        // closes no other split.
        let ipdom = immediate_post_dominators(&out, &ends);
        let mut closed: HashMap<usize, usize> = HashMap::new();
        for (i, node) in self.nodes.iter().enumerate() {
            if node.kind != NodeKind::ParallelSplit {
                continue;
            }
            match ipdom[i] {
                Some(j)
                    if self.nodes[j].kind == NodeKind::ParallelJoin
                        && inc[j].len() == out[i].len() =>
                {
                    if let Some(other) = closed.insert(j, i) {
                        errors.push(err(
                            Some(&node.id),
                            UnmatchedSplit,
                            crate::zh_en!(
                                "汇合“{join}”已用于闭合分支“{split}”",
                                "join «{join}» already closes split «{split}»",
                                join = &self.nodes[j].id,
                                split = &self.nodes[other].id,
                            ),
                        ));
                    }
                }
                Some(j) if self.nodes[j].kind == NodeKind::ParallelJoin => errors.push(err(
                    Some(&node.id),
                    UnmatchedSplit,
                    crate::zh_en!(
                        "其 {n} 条分支在汇合“{join}”处汇合，但该汇合等待 {m} 条",
                        "its {n} branches meet at join «{join}», which waits for {m}",
                        n = out[i].len(),
                        join = &self.nodes[j].id,
                        m = inc[j].len(),
                    ),
                )),
                _ => errors.push(err(
                    Some(&node.id),
                    UnmatchedSplit,
                    crate::zh_en!(
                        "其各分支没有在并行汇合处汇合",
                        "its branches do not meet at a parallel join"
                    ),
                )),
            }
        }
        for (j, node) in self.nodes.iter().enumerate() {
            if node.kind == NodeKind::ParallelJoin && !closed.contains_key(&j) {
                errors.push(err(
                    Some(&node.id),
                    UnmatchedJoin,
                    crate::zh_en!(
                        "没有并行分支开启此汇合所等待的各分支",
                        "no parallel split opens the branches this join waits for"
                    ),
                ));
            }
        }
        // Time: the longest way through (parallel branches run side by side, a loop counts once)
        // fits the committed limit, which fits the statutory one.
        let longest = self.critical_path_days(&out, &comp, &sccs, start);
        if let Some(c) = limits.committed
            && c.unit == TimeUnit::WorkingDays
            && longest > c.amount
        {
            errors.push(err(
                None,
                OverBudget,
                crate::zh_en!(
                    "流程最长路径需 {longest} 个工作日，超过承诺时限 {c}",
                    "the longest way through takes {longest} working days; the committed limit is {c}"
                ),
            ));
        }
        if let (Some(c), Some(s)) = (limits.committed, limits.statutory)
            && c.within(s) == Some(false)
        {
            errors.push(err(
                None,
                CommittedOverStatutory,
                crate::zh_en!(
                    "承诺时限 {c} 超过法定时限 {s}",
                    "the committed limit {c} exceeds the statutory limit {s}"
                ),
            ));
        }
        errors
    }

    /// Working days of the longest path from the start, over the condensation of the graph.
    fn critical_path_days(
        &self,
        out: &[Vec<usize>],
        comp: &[usize],
        sccs: &[Vec<usize>],
        start: usize,
    ) -> u32 {
        let weight = |c: usize| -> u32 {
            sccs[c]
                .iter()
                .filter_map(|&m| self.nodes[m].task())
                .map(|t| t.days)
                .sum()
        };
        // Tarjan yields components in reverse topological order.
        let mut best = vec![0u32; sccs.len()];
        for c in 0..sccs.len() {
            let next = sccs[c]
                .iter()
                .flat_map(|&m| out[m].iter())
                .map(|&t| comp[t])
                .filter(|&d| d != c)
                .map(|d| best[d])
                .max()
                .unwrap_or(0);
            best[c] = weight(c) + next;
        }
        best[comp[start]]
    }

    /// The budget in working days from the start to the end of each task along its longest way.
    pub fn total_days(&self) -> u32 {
        let index: HashMap<&str, usize> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id.as_str(), i))
            .collect();
        let mut out: Vec<Vec<usize>> = vec![Vec::new(); self.nodes.len()];
        for e in &self.edges {
            if let (Some(&a), Some(&b)) = (index.get(e.from.as_str()), index.get(e.to.as_str())) {
                out[a].push(b);
            }
        }
        let sccs = strongly_connected(&out);
        let mut comp = vec![0usize; self.nodes.len()];
        for (c, members) in sccs.iter().enumerate() {
            for &m in members {
                comp[m] = c;
            }
        }
        let start = self
            .nodes
            .iter()
            .position(|n| n.kind == NodeKind::Start)
            .unwrap_or(0);
        if self.nodes.is_empty() {
            0
        } else {
            self.critical_path_days(&out, &comp, &sccs, start)
        }
    }
}

/// Nodes reachable from `from` along `adj`.
fn reach(from: &[usize], adj: &[Vec<usize>]) -> Vec<bool> {
    let mut seen = vec![false; adj.len()];
    let mut stack: Vec<usize> = from.to_vec();
    while let Some(i) = stack.pop() {
        if !std::mem::replace(&mut seen[i], true) {
            stack.extend(adj[i].iter().copied().filter(|&j| !seen[j]));
        }
    }
    seen
}

/// Tarjan's algorithm (iterative); components come out in reverse topological order.
fn strongly_connected(out: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = out.len();
    let (mut index, mut low, mut on) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut stack, mut sccs, mut next) = (Vec::new(), Vec::new(), 0);
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut call: Vec<(usize, usize)> = vec![(root, 0)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on[root] = true;
        while let Some(&mut (v, ref mut pos)) = call.last_mut() {
            if *pos < out[v].len() {
                let w = out[v][*pos];
                *pos += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on[w] = true;
                    call.push((w, 0));
                } else if on[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                call.pop();
                if let Some(&(u, _)) = call.last() {
                    low[u] = low[u].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut comp = Vec::new();
                    while let Some(w) = stack.pop() {
                        on[w] = false;
                        comp.push(w);
                        if w == v {
                            break;
                        }
                    }
                    sccs.push(comp);
                }
            }
        }
    }
    sccs
}

/// Immediate post-dominator of each node (towards any end), by iterating the dataflow
/// equations over sets — flows are small.
fn immediate_post_dominators(out: &[Vec<usize>], ends: &[usize]) -> Vec<Option<usize>> {
    let n = out.len();
    let all: HashSet<usize> = (0..n).collect();
    let mut pdom: Vec<HashSet<usize>> = (0..n)
        .map(|i| {
            if ends.contains(&i) {
                HashSet::from([i])
            } else {
                all.clone()
            }
        })
        .collect();
    let mut changed = true;
    while changed {
        changed = false;
        for i in 0..n {
            if ends.contains(&i) || out[i].is_empty() {
                continue;
            }
            let mut inter: HashSet<usize> = pdom[out[i][0]].clone();
            for &s in &out[i][1..] {
                inter.retain(|x| pdom[s].contains(x));
            }
            inter.insert(i);
            if inter != pdom[i] {
                pdom[i] = inter;
                changed = true;
            }
        }
    }
    (0..n)
        .map(|i| {
            let strict: Vec<usize> = pdom[i].iter().copied().filter(|&d| d != i).collect();
            // The immediate one is post-dominated by all the other strict post-dominators.
            strict
                .iter()
                .copied()
                .find(|&d| strict.iter().all(|&o| o == d || pdom[d].contains(&o)))
        })
        .collect()
}

/// A condition on an edge out of a choice: `outcome == '不予受理'`, `data.area > 500`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub subject: Subject,
    pub op: Op,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The previous task's outcome.
    Outcome,
    /// A field of the case's form data.
    Data(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(f64),
    Bool(bool),
}

impl Condition {
    pub fn parse(s: &str) -> Result<Self, crate::Text> {
        let bad = |why: crate::Text| {
            why.prefixed(&format!("“{s}”："), &format!("«{s}»: "))
                .append(
                    "（应写作如 outcome == '准予' 或 data.area > 500）",
                    " (write e.g. outcome == '准予' or data.area > 500)",
                )
        };
        let t = s.trim();
        let ops = [
            ("==", Op::Eq),
            ("!=", Op::Ne),
            ("<=", Op::Le),
            (">=", Op::Ge),
            ("<", Op::Lt),
            (">", Op::Gt),
        ];
        let (at, op, len) = ops
            .iter()
            .filter_map(|(sym, op)| t.find(sym).map(|i| (i, *op, sym.len())))
            .min_by_key(|(i, _, _)| *i)
            .ok_or_else(|| bad(crate::zh_en!("缺少比较符", "no comparison")))?;
        let (lhs, rhs) = (t[..at].trim(), t[at + len..].trim());
        let subject = match lhs {
            "outcome" => Subject::Outcome,
            l if l.starts_with("data.")
                && l.len() > 5
                && l[5..].chars().all(|c| c.is_alphanumeric() || c == '_') =>
            {
                Subject::Data(l[5..].to_string())
            }
            _ => {
                return Err(bad(crate::zh_en!(
                    "左边应为 `outcome` 或 `data.<字段>`",
                    "the left side is `outcome` or `data.<field>`"
                )));
            }
        };
        let value = if let Some(q) = rhs.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) {
            Value::Text(q.to_string())
        } else if let Some(q) = rhs.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            Value::Text(q.to_string())
        } else if rhs == "true" || rhs == "false" {
            Value::Bool(rhs == "true")
        } else {
            Value::Number(rhs.parse().map_err(|_| {
                bad(crate::zh_en!(
                    "右边应为带引号的文字、数字、true 或 false",
                    "the right side is a quoted text, a number, true or false"
                ))
            })?)
        };
        if matches!(value, Value::Text(_) | Value::Bool(_)) && !matches!(op, Op::Eq | Op::Ne) {
            return Err(bad(crate::zh_en!(
                "文字和 true/false 只能用 == 或 != 比较",
                "texts and true/false compare only with == or !="
            )));
        }
        Ok(Self { subject, op, value })
    }
}

impl Condition {
    /// Whether the condition holds for the outcome of the task just done and the case's data.
    /// A missing data field, or one of another type, does not satisfy it.
    pub fn holds(&self, outcome: Option<&str>, data: &serde_json::Value) -> bool {
        use std::cmp::Ordering;
        let ordering = match (&self.subject, &self.value) {
            (Subject::Outcome, Value::Text(t)) => outcome.map(|o| o.cmp(t.as_str())),
            (Subject::Data(f), Value::Text(t)) => data
                .get(f)
                .and_then(|v| v.as_str())
                .map(|v| v.cmp(t.as_str())),
            (Subject::Data(f), Value::Number(n)) => data
                .get(f)
                .and_then(serde_json::Value::as_f64)
                .and_then(|v| v.partial_cmp(n)),
            (Subject::Data(f), Value::Bool(b)) => data
                .get(f)
                .and_then(serde_json::Value::as_bool)
                .map(|v| v.cmp(b)),
            (Subject::Outcome, _) => None,
        };
        let Some(o) = ordering else { return false };
        match self.op {
            Op::Eq => o == Ordering::Equal,
            Op::Ne => o != Ordering::Equal,
            Op::Lt => o == Ordering::Less,
            Op::Le => o != Ordering::Greater,
            Op::Gt => o == Ordering::Greater,
            Op::Ge => o != Ordering::Less,
        }
    }
}

#[cfg(test)]
mod tests {
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
        let e = Flow::from_toml("[[nodes]]\nid = \"a\"\ntype = \"teleport\"\nname = \"x\"\n")
            .unwrap_err();
        let fe = &e.field_errors()[0];
        assert!(fe.line.is_some(), "{fe:?}");
    }
}
