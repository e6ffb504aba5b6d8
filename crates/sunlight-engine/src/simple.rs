//! The processes that need nothing but their own state and the time to be decided: per-use
//! approvals (一事一审), complaints (投诉), alerts' acts and accountability measures (效能问责).
//! One adapter ([`SimpleKind`]) puts any of them on the write path; each says only how its
//! instances are read and numbered ([`Simple`]). Their timers (a per-use approval's window
//! closing) are kept by one task per kind that issues the due command as [`Actor::Timer`]
//! through the same writer, so expiring is an act in the ledger like any other.

use crate::runtime::{self, Decision, Job, Kind, Overlay, Runtime};
use crate::{EngineError, Result};
use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use sunlight_core::checkout::{Checkout, CheckoutCommand};
use sunlight_core::clock::{Clock, Zone};
use sunlight_core::complaint::Complaint;
use sunlight_core::process::{Actor, Now, Process};
use sunlight_core::supervision::life::{AlertLife, MeasureEnv, MeasureRecord, RecordMeasure};
use sunlight_core::{DomainError, ErrorCode, Timestamp};
use sunlight_ledger::entry::canonical_json;
use sunlight_store::{Commit, NewEntry, Store, Write};
use tokio::sync::mpsc;

/// What a simple process kind says about its storage.
pub(crate) trait Simple: Process
where
    Write<Self>: sunlight_store::Projection,
{
    /// Instances as stored, by id, at their versions.
    fn load(
        store: &Store,
        ids: &[&str],
    ) -> impl Future<Output = sunlight_store::Result<HashMap<String, Self>>> + Send;

    /// What deciding `cmd` needs.
    fn env(
        store: &Store,
        cmd: &Self::Command,
        now: Now,
    ) -> impl Future<Output = Result<Self::Env<'static>>> + Send;

    /// A command that opens an instance numbered by the engine, given its number.
    fn numbered(_cmd: &mut Self::Command, _n: i64) -> bool {
        false
    }

    /// The next free number (kinds whose commands are [`Simple::numbered`]).
    fn next_number(_store: &Store) -> impl Future<Output = sunlight_store::Result<i64>> + Send {
        async { Ok(1) }
    }

    /// Instances whose timers are set, at start-up.
    fn timers(
        _store: &Store,
    ) -> impl Future<Output = sunlight_store::Result<Vec<(String, Timestamp)>>> + Send {
        async { Ok(vec![]) }
    }
}

/// A command for a simple kind: on an instance (`target`), or opening one.
pub(crate) enum SimpleOp<P: Process> {
    Given {
        target: Option<String>,
        cmd: P::Command,
    },
    /// The instance's timer fell due: whatever command its state says is due now.
    Timer { target: String },
}

/// The answer to an accepted command of a simple kind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SimpleAck {
    /// The instance (a number, or a tracking number).
    pub id: String,
    pub version: u64,
    /// The event it caused (`checkout.approved` …).
    pub kind: String,
}

/// Puts a [`Simple`] process on the write path.
pub(crate) struct SimpleKind<P> {
    store: Store,
    zone: Zone,
    /// The next number to give (0: read it from the store first).
    next: AtomicI64,
    timers: Option<mpsc::UnboundedSender<(String, Timestamp)>>,
    /// Where notices go and the key portal messages are filed under.
    notices: Option<Notices>,
    _kind: std::marker::PhantomData<fn() -> P>,
}

/// The channels and key [`crate::notify::rows`] needs.
pub(crate) type Notices = Arc<(crate::Channels, crate::QueryCodeKey)>;

impl<P: Simple> SimpleKind<P>
where
    Write<P>: sunlight_store::Projection,
{
    async fn number(&self) -> Result<i64> {
        if self.next.load(Ordering::Acquire) == 0 {
            let n = P::next_number(&self.store).await?;
            let _ = self
                .next
                .compare_exchange(0, n, Ordering::AcqRel, Ordering::Acquire);
        }
        Ok(self.next.fetch_add(1, Ordering::AcqRel))
    }
}

impl<P: Simple> Kind for SimpleKind<P>
where
    Write<P>: sunlight_store::Projection,
    for<'a> P::Env<'a>: Send,
{
    type State = P;
    type Op = SimpleOp<P>;
    type Ack = SimpleAck;
    type Write = Write<P>;
    type Ctx = ();

    fn target(op: &SimpleOp<P>) -> Option<&str> {
        match op {
            SimpleOp::Given { target, .. } => target.as_deref(),
            SimpleOp::Timer { target } => Some(target),
        }
    }

    fn version(s: &P) -> u64 {
        s.version()
    }

    fn written(w: &Write<P>) -> (Cow<'_, str>, &Arc<P>) {
        (w.state.id(), &w.state)
    }

    async fn load(&self, ids: &[&str]) -> Result<HashMap<String, P>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(P::load(&self.store, ids).await?)
    }

    async fn begin(&self, _: &[Job<Self>], _: &Overlay<Self>) -> Result<()> {
        Ok(())
    }

    async fn decide(
        &self,
        _: &mut (),
        states: &mut HashMap<String, P>,
        job: &Job<Self>,
        now: Timestamp,
    ) -> Result<Decision<Self>> {
        let (target, cmd) = match &job.op {
            SimpleOp::Given { target, cmd } => (target.clone(), Cow::Borrowed(cmd)),
            SimpleOp::Timer { target } => {
                let due = states
                    .get(target)
                    .and_then(|s| s.timer())
                    .filter(|(at, _)| *at <= now);
                match due {
                    Some((_, cmd)) => (Some(target.clone()), Cow::Owned(cmd)),
                    None => {
                        return Err(DomainError::rule(
                            ErrorCode::InvalidTransition,
                            sunlight_core::zh_en!(
                                "{kind} {target} 没有到期的计时",
                                "{kind} {target} has no timer due",
                                kind = P::KIND,
                            ),
                        )
                        .into());
                    }
                }
            }
        };
        let state = match &target {
            Some(id) => Some(states.get(id).ok_or_else(|| {
                EngineError::Store(sunlight_store::StoreError::NotFound {
                    what: P::KIND,
                    key: id.clone(),
                })
            })?),
            None => None,
        };
        let mut cmd = cmd.into_owned();
        if state.is_none() && P::numbered(&mut cmd, 0) {
            let n = self.number().await?;
            P::numbered(&mut cmd, n);
        }
        let env = P::env(
            &self.store,
            &cmd,
            Now {
                now,
                zone: self.zone,
            },
        )
        .await?;
        let event = P::decide(state, &cmd, &job.actor, &env)?;
        let prior = target.as_ref().and_then(|id| states.remove(id));
        let next = P::apply(prior, &event, &env).ok_or_else(|| {
            sunlight_store::StoreError::Corrupt(format!("{} event opened nothing", P::KIND))
        })?;
        let id = next.id().into_owned();
        let entry = NewEntry {
            stream: P::stream(&id),
            kind: P::event_kind(&event).to_string(),
            actor: job.actor.name().to_string(),
            at: now,
            payload: canonical_json(&P::evidence(&event)),
        };
        let ack = SimpleAck {
            id: id.clone(),
            version: next.version(),
            kind: entry.kind.clone(),
        };
        let notices = match &self.notices {
            Some(n) => crate::notify::rows(&next.notices(&event), n.0, &n.1),
            None => vec![],
        };
        states.insert(id.clone(), next);
        Ok(Decision {
            id,
            ack,
            entries: vec![entry],
            alerts: vec![],
            notices,
        })
    }

    async fn write(&self, _: &mut (), state: P, expected: u64) -> Write<P> {
        Write {
            state: Arc::new(state),
            expected,
        }
    }

    fn merge(into: &mut Write<P>, later: Write<P>) {
        into.state = later.state;
    }

    fn committed(&self, batch: &Commit<Write<P>>) {
        if let Some(t) = &self.timers {
            for w in &batch.writes {
                if let Some((at, _)) = w.state.timer() {
                    let _ = t.send((w.state.id().into_owned(), at));
                }
            }
        }
    }

    fn conflicted(&self) {
        self.next.store(0, Ordering::Release);
    }
}

/// A simple kind's running write path and its timers.
pub(crate) struct Lane<P: Simple>
where
    Write<P>: sunlight_store::Projection,
    for<'a> P::Env<'a>: Send,
{
    tx: mpsc::Sender<Job<SimpleKind<P>>>,
}

impl<P: Simple> Lane<P>
where
    Write<P>: sunlight_store::Projection,
    for<'a> P::Env<'a>: Send,
{
    /// Starts the writer (and, with `timers`, the timer task) on the current runtime.
    pub(crate) fn start(
        store: Store,
        clock: Arc<dyn Clock>,
        zone: Zone,
        timers: bool,
        notices: Option<Notices>,
    ) -> Self {
        let (ttx, trx) = mpsc::unbounded_channel();
        let kind = SimpleKind {
            store: store.clone(),
            zone,
            next: AtomicI64::new(0),
            timers: timers.then_some(ttx),
            notices,
            _kind: std::marker::PhantomData,
        };
        let rt = Arc::new(Runtime::new(kind, store.clone(), clock.clone(), 64, None));
        let tx = rt.spawn();
        if timers {
            tokio::spawn(run_timers::<P>(store, clock, tx.clone(), trx));
        }
        Self { tx }
    }

    pub(crate) async fn send(
        &self,
        target: Option<String>,
        cmd: P::Command,
        actor: Actor,
        key: Option<String>,
    ) -> Result<SimpleAck> {
        runtime::send(&self.tx, SimpleOp::Given { target, cmd }, actor, key).await
    }
}

/// Keeps a kind's timers ([`crate::timers`]): a due one sends its instance's timer command.
async fn run_timers<P: Simple>(
    store: Store,
    clock: Arc<dyn Clock>,
    tx: mpsc::Sender<Job<SimpleKind<P>>>,
    set: mpsc::UnboundedReceiver<(String, Timestamp)>,
) where
    Write<P>: sunlight_store::Projection,
    for<'a> P::Env<'a>: Send,
{
    let initial = P::timers(&store).await;
    crate::timers::run(P::KIND, clock, initial, set, |id| {
        let tx = tx.clone();
        async move {
            let (reply, _) = tokio::sync::oneshot::channel();
            let job = Job {
                op: SimpleOp::Timer { target: id },
                actor: Actor::Timer,
                key: None,
                reply,
            };
            tx.send(job).await.is_ok()
        }
    })
    .await;
}

// --- the kinds

impl Simple for Checkout {
    async fn load(store: &Store, ids: &[&str]) -> sunlight_store::Result<HashMap<String, Self>> {
        store.checkout_states(ids).await
    }

    async fn env(_: &Store, _: &CheckoutCommand, now: Now) -> Result<Now> {
        Ok(now)
    }

    fn numbered(cmd: &mut CheckoutCommand, n: i64) -> bool {
        match cmd {
            CheckoutCommand::Request { id, .. } => {
                *id = n;
                true
            }
            _ => false,
        }
    }

    async fn next_number(store: &Store) -> sunlight_store::Result<i64> {
        store.next_checkout_id().await
    }

    async fn timers(store: &Store) -> sunlight_store::Result<Vec<(String, Timestamp)>> {
        store.open_checkout_timers().await
    }
}

impl Simple for Complaint {
    async fn load(store: &Store, ids: &[&str]) -> sunlight_store::Result<HashMap<String, Self>> {
        store.complaint_states(ids).await
    }

    async fn env(_: &Store, _: &Self::Command, now: Now) -> Result<Now> {
        Ok(now)
    }
}

impl Simple for AlertLife {
    async fn load(store: &Store, ids: &[&str]) -> sunlight_store::Result<HashMap<String, Self>> {
        store.alert_lives(ids).await
    }

    async fn env(_: &Store, _: &Self::Command, now: Now) -> Result<Now> {
        Ok(now)
    }
}

impl Simple for MeasureRecord {
    async fn load(_: &Store, _: &[&str]) -> sunlight_store::Result<HashMap<String, Self>> {
        // Recorded once and never acted on again.
        Ok(HashMap::new())
    }

    async fn env(store: &Store, cmd: &RecordMeasure, now: Now) -> Result<MeasureEnv> {
        Ok(MeasureEnv {
            now: now.now,
            alert_departments: store.alert_departments(&cmd.alerts).await?,
        })
    }

    fn numbered(cmd: &mut RecordMeasure, n: i64) -> bool {
        cmd.id = n;
        true
    }

    async fn next_number(store: &Store) -> sunlight_store::Result<i64> {
        store.next_measure_id().await
    }
}
