//! Cases as the first tenant of the process contract.

use super::{Case, CaseCommand, CaseEvent, Env, Intake, Submission};
use crate::DomainError;
use crate::process::{Actor, Process};

/// What can be done to a case: open it, or act on it.
#[derive(Debug, Clone)]
pub enum CaseOp {
    Submit {
        sub: Box<Submission>,
        intake: Box<Intake>,
    },
    Act(CaseCommand),
}

impl Process for Case {
    const KIND: &'static str = "case";
    type Command = CaseOp;
    type Event = CaseEvent;
    type Env<'a> = Env<'a>;

    fn id(&self) -> std::borrow::Cow<'_, str> {
        self.opened.receipt.as_str().into()
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        cmd: &CaseOp,
        by: &Actor,
        env: &Env<'_>,
    ) -> Result<CaseEvent, DomainError> {
        match (state, cmd) {
            (None, CaseOp::Submit { sub, intake }) => {
                Case::submit(sub, intake.as_ref().clone(), by, env)
            }
            (Some(c), CaseOp::Act(cmd)) => c.decide(cmd, by, env),
            (Some(c), CaseOp::Submit { .. }) => Err(DomainError::rule(
                crate::ErrorCode::CaseState,
                crate::zh_en!(
                    "办件 {r} 已经存在",
                    "case {r} is open already",
                    r = &c.opened.receipt,
                ),
            )),
            (None, CaseOp::Act(_)) => Err(DomainError::rule(
                crate::ErrorCode::UnknownReference,
                crate::zh_en!("没有此办件", "no such case"),
            )),
        }
    }

    fn apply(state: Option<Self>, event: &CaseEvent, env: &Env<'_>) -> Option<Self> {
        let empty = crate::flow::Flow::default();
        let flow = env.power.flow.as_ref().unwrap_or(&empty);
        match state {
            None => Case::from_submitted(event, flow),
            Some(mut c) => {
                c.apply(event, flow);
                Some(c)
            }
        }
    }

    fn event_kind(e: &CaseEvent) -> &'static str {
        e.body.kind()
    }

    fn evidence(e: &CaseEvent) -> serde_json::Value {
        serde_json::to_value(&e.body).unwrap_or_default()
    }

    fn timer(&self) -> Option<(crate::Timestamp, CaseOp)> {
        Case::timer(self).map(|(at, cmd)| (at, CaseOp::Act(cmd)))
    }
}
