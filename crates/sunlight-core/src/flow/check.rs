//! Checking a flow: every problem with its node (`Flow::validate`), and the graph algorithms it
//! rests on (reachability, strongly connected components, post-dominators).

use super::*;

impl Flow {
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
}

/// Nodes reachable from `from` along `adj`.
pub(super) fn reach(from: &[usize], adj: &[Vec<usize>]) -> Vec<bool> {
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
pub(super) fn strongly_connected(out: &[Vec<usize>]) -> Vec<Vec<usize>> {
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
pub(super) fn immediate_post_dominators(out: &[Vec<usize>], ends: &[usize]) -> Vec<Option<usize>> {
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
