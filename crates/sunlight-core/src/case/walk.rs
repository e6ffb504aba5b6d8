//! The flow walk: which steps a finished step opens (gateways, joins, the end).

use super::*;

pub(super) struct Walk<'a> {
    pub(super) flow: &'a Flow,
    pub(super) outcome: Option<&'a str>,
    pub(super) data: &'a serde_json::Value,
    pub(super) joins: BTreeMap<String, u32>,
    pub(super) to_open: Vec<String>,
    pub(super) finished: bool,
}

impl Walk<'_> {
    pub(super) fn leave(&mut self, from: &str) -> Result<(), DomainError> {
        let node = self.flow.node(from).ok_or_else(|| corrupt_flow(from))?;
        let edges: Vec<&crate::flow::Edge> =
            self.flow.edges.iter().filter(|e| e.from == from).collect();
        if node.kind == NodeKind::Choice {
            let taken = edges
                .iter()
                .find(|e| {
                    e.when
                        .as_deref()
                        .and_then(|w| Condition::parse(w).ok())
                        .is_some_and(|c| c.holds(self.outcome, self.data))
                })
                .or_else(|| edges.iter().find(|e| e.default))
                .ok_or_else(|| {
                    DomainError::field(
                        "outcome",
                        zh_en!(
                            "办理结果“{outcome}”不符合“{node}”的任何一个去向，请填写其条件所列的结果之一",
                            "no way out of «{node}» fits outcome «{outcome}»: give one of the outcomes its conditions name",
                            node = &node.name,
                            outcome = self.outcome.unwrap_or(""),
                        ),
                    )
                })?;
            return self.enter(&taken.to);
        }
        for e in edges {
            self.enter(&e.to)?;
        }
        Ok(())
    }

    pub(super) fn enter(&mut self, id: &str) -> Result<(), DomainError> {
        let node = self.flow.node(id).ok_or_else(|| corrupt_flow(id))?;
        match &node.kind {
            NodeKind::Task(_) => self.to_open.push(id.to_string()),
            NodeKind::ParallelSplit | NodeKind::Choice => self.leave(id)?,
            NodeKind::ParallelJoin => {
                let want = self.flow.edges.iter().filter(|e| e.to == id).count() as u32;
                let got = self.joins.get(id).copied().unwrap_or(0) + 1;
                if got >= want {
                    self.joins.remove(id);
                    self.leave(id)?;
                } else {
                    self.joins.insert(id.to_string(), got);
                }
            }
            NodeKind::End => self.finished = true,
            NodeKind::Start => return Err(corrupt_flow(id)),
        }
        Ok(())
    }
}

pub(super) fn corrupt_flow(id: &str) -> DomainError {
    DomainError::rule(
        ErrorCode::NoPublishedFlow,
        zh_en!(
            "办件所依流程在“{id}”处有误，须由清单管理部门公布有效流程",
            "the case's flow is broken at «{id}»; the registry must publish a valid flow"
        ),
    )
}
