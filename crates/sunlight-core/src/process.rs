//! The contract every process keeps: cases, per-use approvals, complaints, alerts,
//! accountability measures — and, later, projects, tenders, auctions, inspections.
//!
//! A process kind (an aggregate) is its state and two pure functions. [`Process::decide`]
//! judges a command against the state (absent for a command that opens one) and answers with
//! exactly one event or a refusal naming its rule; [`Process::apply`] folds an event into the
//! state and cannot fail, so the state is the fold of its events and a refused command
//! changes nothing. Every instance has a ledger stream (`{KIND}/{id}`) holding its events as
//! evidence ([`Process::evidence`]: what the public ledger may show, never personal data),
//! and may have one timer: the instant its next time-driven command falls due
//! ([`Process::timer`]), which the engine issues as the [`Actor::Timer`] and ledgers like any
//! other act. The engine (`sunlight-engine`) runs every kind on one write path: batched,
//! group-committed, idempotent, version-checked.

use crate::{DomainError, Timestamp};

pub use crate::case::Actor;

/// A process kind: its state, commands, events and rules.
pub trait Process: Clone + Send + Sync + Sized + 'static {
    /// The family of its ledger streams: an instance `id` writes to `{KIND}/{id}`.
    const KIND: &'static str;
    type Command: Clone + Send + Sync + 'static;
    type Event: Clone + Send + Sync + 'static;
    /// What deciding and applying need besides the state (a case's power and calendar; the
    /// time for most others).
    type Env<'a>;

    /// The instance's id within its kind.
    fn id(&self) -> std::borrow::Cow<'_, str>;

    /// How many events the instance has (its stream's length).
    fn version(&self) -> u64;

    /// The instance's ledger stream.
    fn stream(id: &str) -> String {
        format!("{}/{id}", Self::KIND)
    }

    /// Judges `cmd` by `by` against `state` (`None`: no instance yet).
    fn decide(
        state: Option<&Self>,
        cmd: &Self::Command,
        by: &Actor,
        env: &Self::Env<'_>,
    ) -> Result<Self::Event, DomainError>;

    /// Folds an event decided by [`Process::decide`] into the state (`None`: the opening
    /// event). Answers `None` only when the event cannot open an instance.
    fn apply(state: Option<Self>, event: &Self::Event, env: &Self::Env<'_>) -> Option<Self>;

    /// The event's name in the ledger (`complaint.filed` …).
    fn event_kind(event: &Self::Event) -> &'static str;

    /// The event as a ledger leaf shows it: evidence of the act, never personal data.
    fn evidence(event: &Self::Event) -> serde_json::Value;

    /// What the people concerned are told of `event` (`self`: the state it left).
    fn notices(&self, _event: &Self::Event) -> Vec<crate::notice::Notice> {
        vec![]
    }

    /// When the instance's next time-driven command falls due, and that command.
    fn timer(&self) -> Option<(Timestamp, Self::Command)> {
        None
    }
}

/// The facts of time every simple process decides with.
#[derive(Debug, Clone, Copy)]
pub struct Now {
    pub now: Timestamp,
    pub zone: crate::clock::Zone,
}

/// Decides and applies in one step, as a caller outside the engine (a test, a replay) would.
pub fn run<P: Process>(
    state: Option<P>,
    cmd: &P::Command,
    by: &Actor,
    env: &P::Env<'_>,
) -> Result<(P, P::Event), DomainError> {
    let event = P::decide(state.as_ref(), cmd, by, env)?;
    let next = P::apply(state, &event, env).ok_or_else(|| {
        DomainError::rule(
            crate::ErrorCode::InvalidTransition,
            crate::zh_en!(
                "该事件不能开启新的办理实例",
                "the event does not open an instance"
            ),
        )
    })?;
    Ok((next, event))
}
