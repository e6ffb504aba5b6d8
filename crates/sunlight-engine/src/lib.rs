//! The running system: every process on one write path.
//!
//! Callers ([`Engine::submit`], [`Engine::act`], and the acts of the other processes:
//! [`Engine::request_checkout`], [`Engine::file_complaint`], [`Engine::act_on_alert`] …) hand a
//! command to the writer task of its process kind and wait for its answer. Each writer is
//! [`runtime`]'s one write path — batched, idempotent, version-checked, group-committed;
//! a kind ([`cases`], [`simple`]) says only how its instances are loaded, decided by the
//! pure rules of `sunlight-core`, and projected. Only after the transaction has committed
//! does anyone get an answer: an acknowledged command is durable, and one fsync serves the
//! whole batch.
//!
//! Several processes may share one PostgreSQL: writers are serialised by an advisory lock and
//! each batch checks that its instances are still at the versions it decided on; if not, its
//! commands are retried one by one against fresh state.

pub mod cases;
pub mod monitor;
mod notify;
mod query_code;
pub(crate) mod runtime;
pub mod simple;
mod timers;

pub use monitor::{Board, BoardCase, Live, Monitor, MonitorStats};
pub use notify::Channels;
pub use query_code::QueryCodeKey;
pub use simple::SimpleAck;

use cases::{Cases, Op, Prepared, Shared};
use runtime::{Job, Runtime};
use simple::Lane;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use sunlight_core::case::{
    Actor, Case, CaseCommand, Channel, EventBody, Intake, ReceiptNumber, Submission, TaskState,
};
use sunlight_core::checkout::{Checkout, CheckoutCommand};
use sunlight_core::clock::{Clock, Zone};
use sunlight_core::complaint::{Complaint, ComplaintCommand, ComplaintDraft};
use sunlight_core::supervision::AlertAct;
use sunlight_core::supervision::life::{AlertLife, MeasureRecord, RecordMeasure};
use sunlight_core::{Date, DomainError, ErrorCode, RegionCode, Timestamp, Usage};
use sunlight_store::{Store, StoreError, StoredEntry, TaskRow};
use tokio::sync::mpsc;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the engine has stopped")]
    Stopped,
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Working days a statutory limit may be extended by (行政许可法 Art. 42: ten).
    pub extension_allowance: u32,
    /// The most commands one transaction carries.
    pub max_batch: usize,
    /// Warning windows and rule scopes of electronic supervision.
    pub supervision: sunlight_core::supervision::Settings,
    /// Run the supervision monitor (timers, live stream) beside the writer.
    pub monitor: bool,
    /// Time to supplement, what a lapse cites, file limits.
    pub service: sunlight_core::case::ServiceRules,
    /// The secret query codes are hashed under (`sunlight` keeps it in a file beside the
    /// database); a fresh random one by default.
    pub query_code_key: QueryCodeKey,
    /// The channels notices are delivered on besides the portal.
    pub channels: notify::Channels,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            extension_allowance: 10,
            max_batch: 512,
            supervision: Default::default(),
            monitor: true,
            service: Default::default(),
            query_code_key: QueryCodeKey::random(),
            channels: Default::default(),
        }
    }
}

/// The answer to an accepted command.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ack {
    pub receipt: ReceiptNumber,
    /// The case's version after the command.
    pub version: u64,
    /// The event it caused (`case.accepted` …).
    pub kind: String,
    /// Given once, at submission: with the receipt number it lets the applicant follow,
    /// supplement, withdraw and rate the case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_code: Option<String>,
}

/// One event of a case's history.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryItem {
    /// Its place in the ledger.
    pub seq: u64,
    pub kind: String,
    pub zh: String,
    pub actor: String,
    /// RFC 3339 in the configured zone.
    pub at: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub event: serde_json::Value,
}

/// Counters of the write path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Transactions committed.
    pub commits: u64,
    /// Commands they carried.
    pub commands: u64,
}

/// The running engine. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    cases: Arc<Runtime<Cases>>,
    shared: Arc<Shared>,
    tx: mpsc::Sender<Job<Cases>>,
    checkouts: Arc<Lane<Checkout>>,
    complaints: Arc<Lane<Complaint>>,
    alerts: Arc<Lane<AlertLife>>,
    measures: Arc<Lane<MeasureRecord>>,
    clock: Arc<dyn Clock>,
    runtime: tokio::runtime::Handle,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

pub(crate) fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    // The OS random source failing is not something a case can recover from.
    getrandom::fill(&mut b).expect("the operating system's random source");
    b
}

impl Engine {
    /// Starts the writers (and the supervision monitor, unless `config` says not) on the
    /// current tokio runtime.
    pub fn start(store: Store, clock: Arc<dyn Clock>, zone: Zone, config: EngineConfig) -> Self {
        let monitor = config.monitor.then(|| {
            Monitor::start(
                store.clone(),
                clock.clone(),
                zone,
                config.supervision.clone(),
                true,
            )
        });
        let max_batch = config.max_batch;
        let shared = Arc::new(Shared::new(store.clone(), zone, config, monitor));
        let (timers, set) = mpsc::unbounded_channel();
        let cases = Arc::new(Runtime::new(
            Cases {
                shared: shared.clone(),
                timers: Some(timers),
            },
            store.clone(),
            clock.clone(),
            max_batch,
            Some(CASE_CACHE),
        ));
        let tx = cases.spawn();
        tokio::spawn(cases::run_timers(
            store.clone(),
            clock.clone(),
            tx.clone(),
            set,
        ));
        let notices = Some(Arc::new((
            shared.config.channels,
            shared.config.query_code_key.clone(),
        )));
        let lane = |timers| (store.clone(), clock.clone(), zone, timers, notices.clone());
        let (s, c, z, t, n) = lane(true);
        let checkouts = Arc::new(Lane::start(s, c, z, t, n));
        let (s, c, z, t, n) = lane(false);
        let complaints = Arc::new(Lane::start(s, c, z, t, n));
        let (s, c, z, t, n) = lane(false);
        let alerts = Arc::new(Lane::start(s, c, z, t, n));
        let (s, c, z, t, n) = lane(false);
        let measures = Arc::new(Lane::start(s, c, z, t, n));
        Self {
            cases,
            shared,
            tx,
            checkouts,
            complaints,
            alerts,
            measures,
            clock,
            runtime: tokio::runtime::Handle::current(),
        }
    }

    /// Someone declared a relation: reload them before the next batch.
    pub fn relations_changed(&self) {
        self.shared.relations_changed();
    }

    pub fn config(&self) -> &EngineConfig {
        &self.shared.config
    }

    /// The supervision monitor, unless the engine was started without one.
    pub fn monitor(&self) -> Option<&Monitor> {
        self.shared.monitor.as_ref()
    }

    pub fn store(&self) -> &Store {
        &self.shared.store
    }

    pub fn zone(&self) -> Zone {
        self.shared.zone
    }

    /// A query code as it is stored (keyed hash, see [`QueryCodeKey`]).
    pub fn query_code_hash(&self, code: &str) -> String {
        self.shared.config.query_code_key.hash(code)
    }

    /// Whether `code` is the query code `stored` was made from.
    pub fn query_code_matches(&self, stored: &str, code: &str) -> bool {
        self.shared.config.query_code_key.matches(stored, code)
    }

    /// The case write path's counters.
    pub fn stats(&self) -> EngineStats {
        EngineStats {
            commits: self.cases.commits.load(Ordering::Relaxed),
            commands: self.cases.committed_commands.load(Ordering::Relaxed),
        }
    }

    async fn send(&self, op: Op, actor: Actor, key: Option<String>) -> Result<Ack> {
        runtime::send(&self.tx, op, actor, key).await
    }

    /// Opens a case (online by the applicant, at the window or ex officio by staff).
    pub async fn submit(
        &self,
        sub: Submission,
        channel: Channel,
        actor: Actor,
        key: Option<String>,
    ) -> Result<Ack> {
        let me = self.clone();
        self.on_engine(async move { me.submit_here(sub, channel, actor, key).await })
            .await
    }

    /// Runs `f` on the engine's runtime. Database connections belong to the runtime that
    /// opened them, and callers may run on another (a client thread's own runtime).
    async fn on_engine<T: Send + 'static>(
        &self,
        f: impl std::future::Future<Output = Result<T>> + Send + 'static,
    ) -> Result<T> {
        self.runtime
            .spawn(f)
            .await
            .map_err(|_| EngineError::Stopped)?
    }

    async fn submit_here(
        &self,
        sub: Submission,
        channel: Channel,
        actor: Actor,
        key: Option<String>,
    ) -> Result<Ack> {
        let store = &self.shared.store;
        let now = self.clock.now();
        let code = sub.power.trim();
        let version = store
            .version_in_force(code, self.shared.zone.date(now))
            .await?
            .ok_or_else(|| {
                DomainError::rule(
                    ErrorCode::PowerNotInList,
                    sunlight_core::zh_en!(
                        "“{code}”不在权力清单内（清单之外无权力）",
                        "«{code}» is not in the power list (清单之外无权力)"
                    ),
                )
            })?;
        let power = self.shared.power(code, version).await?;
        let checkout = if power.usage == Usage::Uncommon {
            store
                .open_checkout(power.code.as_str(), now)
                .await?
                .map(|c| c.id)
        } else {
            None
        };
        let region = match &sub.region {
            Some(r) if !r.trim().is_empty() => RegionCode::parse(r)?,
            _ => power.region,
        };
        let query_code = format!("{:08}", u64::from_le_bytes(random::<8>()) % 100_000_000);
        let intake = Intake {
            receipt: ReceiptNumber::generate(&region, self.shared.zone.date(now), random::<7>()),
            query_code_hash: self.query_code_hash(&query_code),
            checkout,
            channel,
            power_version: version,
        };
        let prepared = Prepared {
            power,
            intake,
            query_code,
        };
        self.send(
            Op::Submit {
                sub: Box::new(sub),
                prepared: Box::new(prepared),
            },
            actor,
            key,
        )
        .await
    }

    /// Runs a command on a case.
    pub async fn act(
        &self,
        receipt: ReceiptNumber,
        cmd: CaseCommand,
        actor: Actor,
        key: Option<String>,
    ) -> Result<Ack> {
        let cmd = Box::new(cmd);
        self.send(Op::Act { receipt, cmd }, actor, key).await
    }

    /// The state this process wrote last, when it is the only writer (SQLite).
    fn cached(&self, receipt: &ReceiptNumber) -> Option<Arc<Case>> {
        if self.shared.store.backend() != sunlight_store::Backend::Sqlite {
            return None;
        }
        self.cases.cached(receipt.as_str())
    }

    pub async fn case(&self, receipt: &ReceiptNumber) -> Result<Option<Case>> {
        if let Some(c) = self.cached(receipt) {
            return Ok(Some(c.as_ref().clone()));
        }
        self.replay(receipt).await
    }

    async fn entries(&self, receipt: &ReceiptNumber) -> Result<Vec<StoredEntry>> {
        let (store, stream) = (self.shared.store.clone(), stream(receipt));
        self.on_engine(async move { Ok(store.stream_entries(&stream).await?) })
            .await
    }

    pub async fn open_tasks(&self, receipt: &ReceiptNumber) -> Result<Vec<TaskRow>> {
        if let Some(c) = self.cached(receipt) {
            return Ok(c.open_tasks().map(|t| task_row(&c, t)).collect());
        }
        let (store, r) = (self.shared.store.clone(), receipt.to_string());
        self.on_engine(async move { Ok(store.open_tasks(&r).await?) })
            .await
    }

    /// Every event of the case, oldest first, as the ledger holds it.
    pub async fn history(&self, receipt: &ReceiptNumber) -> Result<Vec<HistoryItem>> {
        let entries = self.entries(receipt).await?;
        entries
            .into_iter()
            .map(|e| {
                let event: serde_json::Value = serde_json::from_str(&e.revealed()?)
                    .map_err(|err| StoreError::Corrupt(format!("event {}: {err}", e.seq)))?;
                let zh = serde_json::from_value::<EventBody>(event.clone())
                    .map(|b| b.zh())
                    .unwrap_or("");
                let at = sunlight_core::Timestamp::from_millisecond(e.at_ms)
                    .map(|t| self.shared.zone.format(t))
                    .unwrap_or_default();
                Ok(HistoryItem {
                    seq: e.seq,
                    kind: e.kind,
                    zh: zh.to_string(),
                    actor: e.actor,
                    at,
                    event,
                })
            })
            .collect()
    }

    /// The case rebuilt from its ledger entries alone (the projection must equal it).
    pub async fn replay(&self, receipt: &ReceiptNumber) -> Result<Option<Case>> {
        let entries = self.entries(receipt).await?;
        let shared = self.shared.clone();
        self.on_engine(async move { shared.replay(&entries).await })
            .await
    }
}

fn task_row(c: &Case, t: &TaskState) -> TaskRow {
    TaskRow {
        receipt: c.opened.receipt.to_string(),
        task: t.id,
        node: t.node.clone(),
        name: t.name.clone(),
        role: t.role.clone(),
        department: t.department.to_string(),
        status: "open".into(),
        assignee: t.assignee.clone(),
        due: t.due.map(|d| d.to_string()),
        opened_at_ms: t.opened_at.as_millisecond(),
    }
}

fn stream(receipt: &ReceiptNumber) -> String {
    <Case as sunlight_core::process::Process>::stream(receipt.as_str())
}

/// Case states kept as committed (the oldest go first).
const CASE_CACHE: usize = 50_000;

/// The other processes' acts: each a command on its kind's write path. They answer with the
/// instance's number; its projection row is then read back from the store.
impl Engine {
    /// A case officer asks to use an uncommon power once (一事一审).
    pub async fn request_checkout(
        &self,
        power: &str,
        reason: &str,
        by: Actor,
        key: Option<String>,
    ) -> Result<SimpleAck> {
        let lane = self.checkouts.clone();
        let cmd = CheckoutCommand::Request {
            id: 0,
            power: power.to_string(),
            reason: reason.to_string(),
        };
        self.on_engine(async move { lane.send(None, cmd, by, key).await })
            .await
    }

    /// An approver opens a per-use approval's window until `closes_at`, or rejects it.
    pub async fn decide_checkout(
        &self,
        id: i64,
        approve: bool,
        closes_at: Timestamp,
        by: Actor,
        key: Option<String>,
    ) -> Result<SimpleAck> {
        let lane = self.checkouts.clone();
        let cmd = CheckoutCommand::Decide { approve, closes_at };
        self.on_engine(async move { lane.send(Some(id.to_string()), cmd, by, key).await })
            .await
    }

    /// Files a complaint that `department` must answer by `due`.
    #[allow(clippy::too_many_arguments)]
    pub async fn file_complaint(
        &self,
        draft: ComplaintDraft,
        tracking: &str,
        code_hash: &str,
        department: &str,
        due: Date,
        key: Option<String>,
    ) -> Result<SimpleAck> {
        let lane = self.complaints.clone();
        let cmd = ComplaintCommand::File {
            draft,
            tracking: tracking.to_string(),
            code_hash: code_hash.to_string(),
            department: department.to_string(),
            due,
        };
        self.on_engine(async move { lane.send(None, cmd, Actor::Public, key).await })
            .await
    }

    /// The department's answer to a complaint (its staff only; once).
    pub async fn answer_complaint(
        &self,
        tracking: &str,
        answer: &str,
        by: Actor,
        key: Option<String>,
    ) -> Result<SimpleAck> {
        let lane = self.complaints.clone();
        let cmd = ComplaintCommand::Answer {
            text: answer.to_string(),
        };
        let target = Some(tracking.to_string());
        self.on_engine(async move { lane.send(target, cmd, by, key).await })
            .await
    }

    /// One step of an alert's life (acknowledge, explain, close, dismiss).
    pub async fn act_on_alert(
        &self,
        id: i64,
        act: AlertAct,
        by: Actor,
        key: Option<String>,
    ) -> Result<SimpleAck> {
        let lane = self.alerts.clone();
        self.on_engine(async move { lane.send(Some(id.to_string()), act, by, key).await })
            .await
    }

    /// Records an accountability measure (效能问责) for some alerts of one department.
    pub async fn record_measure(
        &self,
        measure: RecordMeasure,
        by: Actor,
        key: Option<String>,
    ) -> Result<SimpleAck> {
        let lane = self.measures.clone();
        self.on_engine(async move { lane.send(None, measure, by, key).await })
            .await
    }
}
