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

mod check;
mod condition;

use check::*;
pub use condition::*;

#[cfg(test)]
mod tests;
