//! The case engine: commands in, events out.
//!
//! Callers ([`Engine::submit`], [`Engine::act`]) hand a command to one writer task and wait
//! for its answer. The writer takes whatever has queued up (up to `max_batch`; while a batch
//! commits, what arrives meanwhile is decided and gathered into the next), loads the
//! cases concerned in one read, lets `sunlight-core` decide each command in order against the
//! state the earlier ones left (so two clerks finishing one task in the same batch: the first
//! wins, the second is refused as the rules say), then writes every event — as a ledger leaf —
//! with the case and task projections and the idempotency results in **one transaction**
//! ([`Store::commit_cases`]). Only then does anyone get an answer: an acknowledged command is
//! durable, and one fsync serves the whole batch (group commit).
//!
//! Several processes may share one PostgreSQL: writers are serialised by an advisory lock and
//! each batch checks that its cases are still at the versions it decided on; if not, its
//! commands are retried one by one against fresh state.

pub mod monitor;
mod query_code;
pub mod reference;

pub use monitor::{Board, BoardCase, Live, Monitor, MonitorStats};
pub use query_code::QueryCodeKey;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use sunlight_core::case::{
    Actor, Case, CaseCommand, CaseEvent, Channel, Env, EventBody, Intake, ReceiptNumber,
    Submission, TaskState,
};
use sunlight_core::clock::{Clock, Zone};
use sunlight_core::discretion::Benchmark;
use sunlight_core::supervision::{Outcome, Prior, Watched, on_event};
use sunlight_core::{DomainError, ErrorCode, Power, PowerCategory, RegionCode, Usage};
use sunlight_ledger::entry::canonical_json;
use sunlight_store::{
    CaseBatch, CaseWrite, NewAlert, NewEntry, Store, StoreError, StoredEntry, TaskRow,
};
use tokio::sync::{mpsc, oneshot};

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
    /// The secret query codes are hashed under (`sunlight` keeps it in a file beside the
    /// database); a fresh random one by default.
    pub query_code_key: QueryCodeKey,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            extension_allowance: 10,
            max_batch: 512,
            supervision: Default::default(),
            monitor: true,
            query_code_key: QueryCodeKey::random(),
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

enum Op {
    Submit {
        sub: Box<Submission>,
        prepared: Box<Prepared>,
    },
    Act {
        receipt: ReceiptNumber,
        cmd: CaseCommand,
    },
}

/// What a submission needs decided before the writer sees it.
struct Prepared {
    power: Arc<Power>,
    intake: Intake,
    query_code: String,
}

struct Job {
    op: Op,
    actor: Actor,
    key: Option<String>,
    reply: oneshot::Sender<Result<Ack>>,
}

struct Inner {
    store: Store,
    clock: Arc<dyn Clock>,
    zone: Zone,
    config: EngineConfig,
    monitor: Option<Monitor>,
    /// Power versions are immutable: cached forever by (code, version).
    powers: Mutex<HashMap<(String, i64), Arc<Power>>>,
    commits: AtomicU64,
    committed_commands: AtomicU64,
    /// Declared relations, loaded on first use and again after [`Engine::relations_changed`].
    relations: Mutex<Option<Arc<sunlight_core::supervision::Relations>>>,
    /// Recently written case states, as committed. The writer starts from them; on SQLite
    /// (one process) reads are served from them too. A state another process moved is caught
    /// by the commit's version check, evicted, and the command retried on the stored state.
    cases: Mutex<StateCache>,
}

/// A bounded map of case states; the oldest insertions go first.
#[derive(Default)]
struct StateCache {
    map: HashMap<String, Arc<Case>>,
    order: std::collections::VecDeque<String>,
}

impl StateCache {
    const CAPACITY: usize = 50_000;

    fn get(&self, receipt: &str) -> Option<Arc<Case>> {
        self.map.get(receipt).cloned()
    }

    fn put(&mut self, receipt: &str, case: Arc<Case>) {
        if self.map.insert(receipt.to_string(), case).is_none() {
            self.order.push_back(receipt.to_string());
        }
        while self.map.len() > Self::CAPACITY {
            match self.order.pop_front() {
                Some(old) => {
                    self.map.remove(&old);
                }
                None => break,
            }
        }
    }

    fn remove(&mut self, receipt: &str) {
        self.map.remove(receipt);
    }
}

/// Counters of the write path.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Transactions committed.
    pub commits: u64,
    /// Commands they carried.
    pub commands: u64,
}

/// The running case engine. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
    tx: mpsc::Sender<Job>,
    runtime: tokio::runtime::Handle,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    // The OS random source failing is not something a case can recover from.
    getrandom::fill(&mut b).expect("the operating system's random source");
    b
}

impl Engine {
    /// Starts the writer task on the current tokio runtime.
    pub fn start(store: Store, clock: Arc<dyn Clock>, zone: Zone, config: EngineConfig) -> Self {
        let (tx, rx) = mpsc::channel(config.max_batch * 4);
        let monitor = config.monitor.then(|| {
            Monitor::start(
                store.clone(),
                clock.clone(),
                zone,
                config.supervision.clone(),
                true,
            )
        });
        let inner = Arc::new(Inner {
            store,
            clock,
            zone,
            config,
            monitor,
            powers: Mutex::default(),
            commits: AtomicU64::new(0),
            committed_commands: AtomicU64::new(0),
            relations: Mutex::default(),
            cases: Mutex::default(),
        });
        tokio::spawn(writer(inner.clone(), rx));
        Self {
            inner,
            tx,
            runtime: tokio::runtime::Handle::current(),
        }
    }

    /// Someone declared a relation: reload them before the next batch.
    pub fn relations_changed(&self) {
        *self
            .inner
            .relations
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = None;
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// The supervision monitor, unless the engine was started without one.
    pub fn monitor(&self) -> Option<&Monitor> {
        self.inner.monitor.as_ref()
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn zone(&self) -> Zone {
        self.inner.zone
    }

    /// A query code as it is stored (keyed hash, see [`QueryCodeKey`]).
    pub fn query_code_hash(&self, code: &str) -> String {
        self.inner.config.query_code_key.hash(code)
    }

    /// Whether `code` is the query code `stored` was made from.
    pub fn query_code_matches(&self, stored: &str, code: &str) -> bool {
        self.inner.config.query_code_key.matches(stored, code)
    }

    pub fn stats(&self) -> EngineStats {
        EngineStats {
            commits: self.inner.commits.load(Ordering::Relaxed),
            commands: self.inner.committed_commands.load(Ordering::Relaxed),
        }
    }

    async fn send(&self, op: Op, actor: Actor, key: Option<String>) -> Result<Ack> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Job {
                op,
                actor,
                key,
                reply,
            })
            .await
            .map_err(|_| EngineError::Stopped)?;
        rx.await.map_err(|_| EngineError::Stopped)?
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
        let store = &self.inner.store;
        let now = self.inner.clock.now();
        let code = sub.power.trim();
        let version = store
            .version_in_force(code, self.inner.zone.date(now))
            .await?
            .ok_or_else(|| {
                DomainError::rule(
                    ErrorCode::PowerNotInList,
                    format!("«{code}» is not in the power list (清单之外无权力)"),
                )
            })?;
        let power = self.inner.power(code, version).await?;
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
            receipt: ReceiptNumber::generate(&region, self.inner.zone.date(now), random::<7>()),
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
        self.send(Op::Act { receipt, cmd }, actor, key).await
    }

    /// The state this process wrote last, when it is the only writer (SQLite).
    fn cached(&self, receipt: &ReceiptNumber) -> Option<Arc<Case>> {
        if self.inner.store.backend() != sunlight_store::Backend::Sqlite {
            return None;
        }
        self.inner
            .cases
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(receipt.as_str())
    }

    pub async fn case(&self, receipt: &ReceiptNumber) -> Result<Option<Case>> {
        if let Some(c) = self.cached(receipt) {
            return Ok(Some(c.as_ref().clone()));
        }
        self.replay(receipt).await
    }

    async fn entries(&self, receipt: &ReceiptNumber) -> Result<Vec<StoredEntry>> {
        let (store, stream) = (self.inner.store.clone(), stream(receipt));
        self.on_engine(async move { Ok(store.stream_entries(&stream).await?) })
            .await
    }

    pub async fn open_tasks(&self, receipt: &ReceiptNumber) -> Result<Vec<TaskRow>> {
        if let Some(c) = self.cached(receipt) {
            return Ok(c.open_tasks().map(|t| task_row(&c, t)).collect());
        }
        let (store, r) = (self.inner.store.clone(), receipt.to_string());
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
                    .map(|t| self.inner.zone.format(t))
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
        let inner = self.inner.clone();
        self.on_engine(async move { inner.replay(&entries).await })
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
    format!("case/{receipt}")
}

impl Inner {
    async fn relations(&self) -> Result<Arc<sunlight_core::supervision::Relations>> {
        if let Some(r) = self
            .relations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        {
            return Ok(r);
        }
        let mut map = sunlight_core::supervision::Relations::new();
        for r in self.store.relations(None).await? {
            map.entry(r.staff).or_default().insert(r.party);
        }
        let map = Arc::new(map);
        *self.relations.lock().unwrap_or_else(|e| e.into_inner()) = Some(map.clone());
        Ok(map)
    }

    /// Tells the monitor what a committed batch changed.
    fn committed(&self, batch: &CaseBatch) {
        if let Some(m) = &self.monitor {
            m.watch(
                batch
                    .cases
                    .iter()
                    .map(|w| Watched::of(&w.case, self.zone))
                    .collect(),
            );
            m.announce(&batch.alerts);
        }
    }

    /// A case's state: the fold of its ledger entries.
    async fn replay(&self, entries: &[StoredEntry]) -> Result<Option<Case>> {
        let events: Vec<CaseEvent> = entries
            .iter()
            .map(|e| {
                let body: EventBody = serde_json::from_str(&e.revealed()?)
                    .map_err(|err| StoreError::Corrupt(format!("event {}: {err}", e.seq)))?;
                let at = sunlight_core::Timestamp::from_millisecond(e.at_ms)
                    .map_err(|err| StoreError::Corrupt(err.to_string()))?;
                Ok(CaseEvent {
                    at,
                    actor: e.actor.clone(),
                    body,
                })
            })
            .collect::<Result<_>>()?;
        let Some(EventBody::Submitted(o)) = events.first().map(|e| &e.body) else {
            return Ok(None);
        };
        let power = self.power(o.power.as_str(), o.power_version).await?;
        Ok(Case::replay(
            &events,
            power.flow.as_ref().unwrap_or(&Default::default()),
        ))
    }

    /// The states of several cases, replayed from their entries in one read.
    async fn load(&self, receipts: &[&str]) -> Result<HashMap<String, Case>> {
        let mut out = HashMap::new();
        for (receipt, entries) in self.store.case_entries(receipts).await? {
            if let Some(c) = self.replay(&entries).await? {
                out.insert(receipt, c);
            }
        }
        Ok(out)
    }

    async fn power(&self, code: &str, version: i64) -> Result<Arc<Power>> {
        if let Some(p) = self
            .powers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(code.to_string(), version))
        {
            return Ok(p.clone());
        }
        let v = self
            .store
            .power_version(code, version)
            .await?
            .ok_or_else(|| {
                StoreError::Corrupt(format!("power {code} version {version} is gone"))
            })?;
        let p = Arc::new(v.power);
        self.powers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert((code.to_string(), version), p.clone());
        Ok(p)
    }
}

/// The writer: a two-stage pipeline. While one batch commits (on the database's own thread),
/// commands that arrive meanwhile are decided as they come, against the states the committing
/// batch and the ones decided before them leave behind, and gathered into the next batch,
/// which starts committing the moment the first one is done. Commits stay in order, and
/// nobody hears about batch N+1 — not even a refusal — before batch N has committed; if N
/// fails, N+1 is decided again on the stored state.
async fn writer(inner: Arc<Inner>, mut rx: mpsc::Receiver<Job>) {
    let mut inflight: Option<InFlight> = None;
    let mut next: Option<Decided> = None;
    // While a batch commits: its states, then those of `next`, as it grows.
    let mut overlay = Overlay::default();
    loop {
        let Some(f) = inflight.as_mut() else {
            // Nothing committing: commit what is decided, or wait for work.
            if let Some(d) = next.take() {
                let f = start_commit(&inner, d);
                overlay = f.overlay();
                inflight = Some(f);
                continue;
            }
            let Some(j) = rx.recv().await else { return };
            let jobs = drain(&mut rx, vec![j], inner.config.max_batch);
            next = Some(decide_batch(&inner, jobs, &Overlay::default()).await);
            continue;
        };
        let room = inner
            .config
            .max_batch
            .saturating_sub(next.as_ref().map_or(0, Decided::len));
        let committed = tokio::select! {
            biased;
            r = f.done() => Some(r),
            j = rx.recv(), if room > 0 => {
                let Some(j) = j else {
                    // Closed: see the last batches through.
                    if let Some(mut f) = inflight.take() {
                        let r = f.done().await;
                        let ok = finish(&inner, f, r).await;
                        if let Some(d) = next.take() {
                            commit_now(&inner, redecide_if_failed(&inner, ok, d).await).await;
                        }
                    }
                    return;
                };
                let jobs = drain(&mut rx, vec![j], room);
                let d = decide_batch(&inner, jobs, &overlay).await;
                overlay.add(&d);
                next = Some(match next.take() {
                    Some(mut n) => {
                        n.merge(d);
                        n
                    }
                    None => d,
                });
                None
            }
        };
        if let Some(r) = committed
            && let Some(f) = inflight.take()
        {
            let ok = finish(&inner, f, r).await;
            if let Some(d) = next.take() {
                next = Some(redecide_if_failed(&inner, ok, d).await);
            }
        }
    }
}

/// Takes what has queued up behind `jobs`, up to `max` in all.
fn drain(rx: &mut mpsc::Receiver<Job>, mut jobs: Vec<Job>, max: usize) -> Vec<Job> {
    while jobs.len() < max {
        match rx.try_recv() {
            Ok(j) => jobs.push(j),
            Err(_) => break,
        }
    }
    jobs
}

/// A batch decided on top of one that then failed to commit is decided again on the store.
async fn redecide_if_failed(inner: &Inner, committed: bool, d: Decided) -> Decided {
    if committed {
        d
    } else {
        decide_batch(inner, d.into_jobs(), &Overlay::default()).await
    }
}

/// What a committing batch leaves behind, for the next one to be decided against.
#[derive(Default)]
struct Overlay {
    cases: HashMap<String, Arc<Case>>,
    keys: HashMap<String, Ack>,
}

impl Overlay {
    /// Puts a decided (not yet committing) batch's states on top.
    fn add(&mut self, d: &Decided) {
        for w in &d.batch.cases {
            self.cases
                .insert(w.case.opened.receipt.to_string(), w.case.clone());
        }
        for p in &d.pending {
            if let Some(k) = &p.job.key {
                self.keys.insert(k.clone(), p.ack.clone());
            }
        }
    }
}

/// A job decided in a batch, waiting for the commit.
struct Pending {
    job: Job,
    ack: Ack,
}

/// A decided batch: its writes, the acks they earn, and the answers that need no write
/// (refusals, remembered results), all held until the batch before it has committed.
struct Decided {
    batch: CaseBatch,
    pending: Vec<Pending>,
    answered: Vec<(Job, Result<Ack>)>,
}

impl Decided {
    fn len(&self) -> usize {
        self.pending.len() + self.answered.len()
    }

    /// Appends `later`, decided on top of this batch's states: a case both touch is written
    /// once, at its later state, checked against the version this batch read it at.
    fn merge(&mut self, later: Decided) {
        let Decided {
            batch,
            pending,
            answered,
        } = later;
        for w in batch.cases {
            let receipt = w.case.opened.receipt.as_str();
            match self
                .batch
                .cases
                .iter_mut()
                .find(|e| e.case.opened.receipt.as_str() == receipt)
            {
                Some(e) => {
                    let changed: Vec<u32> = e.tasks.iter().chain(&w.tasks).map(|t| t.id).collect();
                    e.tasks = w
                        .case
                        .tasks
                        .iter()
                        .filter(|t| changed.contains(&t.id))
                        .cloned()
                        .collect();
                    e.case = w.case;
                    e.outcome = w.outcome;
                }
                None => self.batch.cases.push(w),
            }
        }
        self.batch.entries.extend(batch.entries);
        self.batch.keys.extend(batch.keys);
        self.batch.checkouts_used.extend(batch.checkouts_used);
        self.batch.alerts.extend(batch.alerts);
        self.pending.extend(pending);
        self.answered.extend(answered);
    }

    fn into_jobs(self) -> Vec<Job> {
        self.pending
            .into_iter()
            .map(|p| p.job)
            .chain(self.answered.into_iter().map(|(j, _)| j))
            .collect()
    }
}

struct InFlight {
    commit: Option<tokio::task::JoinHandle<sunlight_store::Result<u64>>>,
    /// The batch's writes, shared with its commit task (`decided.batch` is left empty).
    batch: Arc<CaseBatch>,
    decided: Decided,
}

impl InFlight {
    fn overlay(&self) -> Overlay {
        Overlay {
            cases: self
                .batch
                .cases
                .iter()
                .map(|w| (w.case.opened.receipt.to_string(), w.case.clone()))
                .collect(),
            keys: self
                .decided
                .pending
                .iter()
                .filter_map(|p| p.job.key.clone().map(|k| (k, p.ack.clone())))
                .collect(),
        }
    }
}

impl InFlight {
    /// Resolves when the commit is through (at once for a batch with nothing to write).
    async fn done(&mut self) -> sunlight_store::Result<u64> {
        match &mut self.commit {
            None => Ok(0),
            Some(handle) => handle.await.unwrap_or_else(|e| {
                Err(StoreError::Corrupt(format!("the commit task failed: {e}")))
            }),
        }
    }
}

fn start_commit(inner: &Arc<Inner>, mut decided: Decided) -> InFlight {
    let batch = Arc::new(std::mem::take(&mut decided.batch));
    if decided.pending.is_empty() {
        return InFlight {
            commit: None,
            batch,
            decided,
        };
    }
    let store = inner.store.clone();
    // The commit task and the overlay the next batch is decided against share the writes.
    let shared = batch.clone();
    let commit = tokio::spawn(async move { store.commit_cases(&shared).await });
    InFlight {
        commit: Some(commit),
        batch,
        decided,
    }
}

/// Answers the callers of a batch whose commit ended with `committed`. False if it did not
/// commit.
async fn finish(inner: &Inner, f: InFlight, committed: sunlight_store::Result<u64>) -> bool {
    let batch = f.batch;
    let Decided {
        pending, answered, ..
    } = f.decided;
    {
        let mut cache = inner.cases.lock().unwrap_or_else(|e| e.into_inner());
        for w in &batch.cases {
            let r = w.case.opened.receipt.as_str();
            // A finished case is not kept: its personal data may be erased by another process
            // (`sunlight erase`), and reads of it then replay what is left.
            if committed.is_ok() && !w.case.status.is_finished() {
                cache.put(r, w.case.clone());
            } else {
                cache.remove(r);
            }
        }
    }
    for (job, answer) in answered {
        let _ = job.reply.send(answer);
    }
    if committed.is_ok() {
        inner.committed(&batch);
    }
    match committed {
        Ok(_) => {
            inner.commits.fetch_add(1, Ordering::Relaxed);
            inner
                .committed_commands
                .fetch_add(pending.len() as u64, Ordering::Relaxed);
            for p in pending {
                let _ = p.job.reply.send(Ok(p.ack));
            }
            true
        }
        Err(StoreError::Conflict(m)) => {
            // Another process moved a case under this batch: one by one, on fresh state.
            tracing::debug!(%m, "batch conflicted; retrying its commands one by one");
            for p in pending {
                let decided = decide_batch(inner, vec![p.job], &Overlay::default()).await;
                commit_now(inner, decided).await;
            }
            false
        }
        Err(e) => {
            let msg = format!("the batch failed to commit: {e}");
            for p in pending {
                let _ = p
                    .job
                    .reply
                    .send(Err(StoreError::Corrupt(msg.clone()).into()));
            }
            false
        }
    }
}

/// Commits a decided batch in place (the retry path): conflicts are reported, not retried.
async fn commit_now(inner: &Inner, decided: Decided) {
    let Decided {
        batch,
        pending,
        answered,
    } = decided;
    for (job, answer) in answered {
        let _ = job.reply.send(answer);
    }
    if pending.is_empty() {
        return;
    }
    let committed = inner.store.commit_cases(&batch).await;
    if committed.is_ok() {
        inner.committed(&batch);
    }
    let mut cache = inner.cases.lock().unwrap_or_else(|e| e.into_inner());
    for w in &batch.cases {
        cache.remove(w.case.opened.receipt.as_str());
    }
    drop(cache);
    for p in pending {
        let answer = match &committed {
            Ok(_) => Ok(p.ack),
            Err(StoreError::Conflict(_)) => {
                Err(StoreError::Conflict("the case changed meanwhile; try again".into()).into())
            }
            Err(e) => Err(StoreError::Corrupt(format!("the batch failed to commit: {e}")).into()),
        };
        let _ = p.job.reply.send(answer);
    }
}

/// Decides a batch of jobs in order against `overlay` (the committing batch's states), the
/// cache, and the store.
async fn decide_batch(inner: &Inner, jobs: Vec<Job>, overlay: &Overlay) -> Decided {
    let store = &inner.store;
    let now = inner.clock.now();
    let mut out = Decided {
        batch: CaseBatch {
            at: Some(now),
            ..Default::default()
        },
        pending: vec![],
        answered: vec![],
    };
    let fail_all = |jobs: Vec<Job>, e: EngineError, out: &mut Decided| {
        let msg = e.to_string();
        for j in jobs {
            out.answered
                .push((j, Err(StoreError::Corrupt(msg.clone()).into())));
        }
    };
    // 1. Retries answer from the memory of the first result.
    let keys: Vec<&str> = jobs
        .iter()
        .filter_map(|j| j.key.as_deref())
        .filter(|k| !overlay.keys.contains_key(*k))
        .collect();
    let known = match store.command_results(&keys).await {
        Ok(k) => k,
        Err(e) => {
            fail_all(jobs, e.into(), &mut out);
            return out;
        }
    };
    // 2. The cases concerned: from the committing batch, the cache, or replayed in one read.
    let mut states: HashMap<String, Case> = HashMap::new();
    let mut misses: Vec<&str> = Vec::new();
    {
        let cache = inner.cases.lock().unwrap_or_else(|e| e.into_inner());
        for j in &jobs {
            let Op::Act { receipt, .. } = &j.op else {
                continue;
            };
            let r = receipt.as_str();
            if states.contains_key(r) || misses.contains(&r) {
                continue;
            }
            match overlay.cases.get(r).cloned().or_else(|| cache.get(r)) {
                Some(c) => {
                    states.insert(r.to_string(), c.as_ref().clone());
                }
                None => misses.push(r),
            }
        }
    }
    match inner.load(&misses).await {
        Ok(s) => states.extend(s),
        Err(e) => {
            fail_all(jobs, e, &mut out);
            return out;
        }
    }
    let submits: Vec<&str> = jobs
        .iter()
        .filter_map(|j| match &j.op {
            Op::Submit { prepared, .. } => Some(prepared.intake.receipt.as_str()),
            Op::Act { .. } => None,
        })
        .collect();
    let mut taken: std::collections::HashSet<String> = match store.receipts_taken(&submits).await {
        Ok(t) => t.into_iter().collect(),
        Err(e) => {
            fail_all(jobs, e.into(), &mut out);
            return out;
        }
    };
    taken.extend(overlay.cases.keys().cloned());
    let mut loaded_at: HashMap<String, u64> =
        states.iter().map(|(k, c)| (k.clone(), c.version)).collect();
    let mut touched: Vec<String> = Vec::new();
    let mut before_tasks: HashMap<String, Vec<TaskState>> = HashMap::new();
    let mut in_batch_keys: HashMap<String, Ack> = HashMap::new();
    let mut calendars: HashMap<RegionCode, Arc<sunlight_core::calendar::Calendar>> = HashMap::new();
    let relations = match inner.relations().await {
        Ok(r) => r,
        Err(e) => {
            fail_all(jobs, e, &mut out);
            return out;
        }
    };

    for job in jobs {
        if let Some(k) = &job.key {
            if let Some(r) = known.get(k) {
                let ack = serde_json::from_str::<Ack>(r)
                    .map_err(|e| StoreError::Corrupt(e.to_string()).into());
                out.answered.push((job, ack));
                continue;
            }
            if let Some(a) = in_batch_keys.get(k).or_else(|| overlay.keys.get(k)) {
                let a = a.clone();
                out.answered.push((job, Ok(a)));
                continue;
            }
        }
        let (event, receipt, query_code) =
            match decide(inner, &job, &taken, &mut states, &mut calendars, now).await {
                Ok(d) => d,
                Err(e) => {
                    out.answered.push((job, Err(e)));
                    continue;
                }
            };
        let r = receipt.to_string();
        if matches!(job.op, Op::Submit { .. }) {
            before_tasks.insert(r.clone(), vec![]);
            loaded_at.insert(r.clone(), 0);
        } else if let Some(case) = states.get_mut(&r) {
            before_tasks
                .entry(r.clone())
                .or_insert_with(|| case.tasks.clone());
            let prior = Prior::of(case);
            match inner
                .power(case.opened.power.as_str(), case.opened.power_version)
                .await
            {
                Ok(p) => {
                    case.apply(&event, p.flow.as_ref().unwrap_or(&Default::default()));
                    if let Some(cal) = calendars.get(&case.opened.region) {
                        for f in on_event(
                            Some(&prior),
                            case,
                            &event,
                            cal,
                            inner.zone,
                            &inner.config.supervision,
                        ) {
                            out.batch.alerts.push(NewAlert {
                                finding: f,
                                power: case.opened.power.to_string(),
                                region: case.opened.region.to_string(),
                                department: case.opened.department.to_string(),
                                source: "engine",
                            });
                        }
                    }
                }
                Err(e) => {
                    out.answered.push((job, Err(e)));
                    continue;
                }
            }
        }
        let case = &states[&r];
        if !touched.contains(&r) {
            touched.push(r.clone());
        }
        if let Actor::Staff(u) = &job.actor
            && let Some(f) = sunlight_core::supervision::conflict_of_interest(
                &r,
                u.username.as_str(),
                &case.opened.applicant.party_id(),
                &relations,
                event.at,
            )
            && inner.config.supervision.applies(
                f.rule,
                case.opened.power.as_str(),
                case.opened.region.as_str(),
            )
        {
            out.batch.alerts.push(NewAlert {
                finding: f,
                power: case.opened.power.to_string(),
                region: case.opened.region.to_string(),
                department: case.opened.department.to_string(),
                source: "engine",
            });
        }
        let payload = serde_json::to_value(&event.body)
            .map(|v| canonical_json(&v))
            .unwrap_or_default();
        out.batch.entries.push(NewEntry {
            stream: stream(&receipt),
            kind: event.body.kind().to_string(),
            actor: event.actor.clone(),
            at: event.at,
            payload,
        });
        if let (EventBody::Submitted(o), Some(id)) = (&event.body, event_checkout(&event)) {
            out.batch.checkouts_used.push((id, o.receipt.to_string()));
        }
        let ack = Ack {
            receipt: receipt.clone(),
            version: case.version,
            kind: event.body.kind().to_string(),
            query_code,
        };
        if let Some(k) = &job.key {
            out.batch
                .keys
                .push((k.clone(), serde_json::to_string(&ack).unwrap_or_default()));
            in_batch_keys.insert(k.clone(), ack.clone());
        }
        out.pending.push(Pending { job, ack });
    }
    for r in &touched {
        // Each case is written once per batch: move it out of the working states.
        let Some(case) = states.remove(r) else {
            continue;
        };
        let before = &before_tasks[r];
        let tasks = case
            .tasks
            .iter()
            .filter(|t| !before.contains(t))
            .cloned()
            .collect();
        let outcome = match (
            inner
                .power(case.opened.power.as_str(), case.opened.power_version)
                .await,
            calendars.get(&case.opened.region),
        ) {
            (Ok(p), Some(cal)) => {
                let days = |l: Option<sunlight_core::power::TimeLimit>| {
                    l.filter(|l| l.unit == sunlight_core::power::TimeUnit::WorkingDays)
                        .map(|l| l.amount)
                };
                Outcome::of(
                    &case,
                    days(p.guide.committed_limit),
                    days(p.guide.statutory_limit),
                    cal,
                    inner.zone,
                )
            }
            _ => Outcome::default(),
        };
        out.batch.cases.push(CaseWrite {
            expected: loaded_at[r],
            tasks,
            case: Arc::new(case),
            outcome,
        });
    }
    out
}

fn event_checkout(e: &CaseEvent) -> Option<i64> {
    match &e.body {
        EventBody::Submitted(o) => o.checkout,
        _ => None,
    }
}

/// Decides one job against the batch's current states; a new case is put into `states`.
async fn decide(
    inner: &Inner,
    job: &Job,
    taken: &std::collections::HashSet<String>,
    states: &mut HashMap<String, Case>,
    calendars: &mut HashMap<RegionCode, Arc<sunlight_core::calendar::Calendar>>,
    now: sunlight_core::Timestamp,
) -> Result<(CaseEvent, ReceiptNumber, Option<String>)> {
    match &job.op {
        Op::Submit { sub, prepared } => {
            let calendar = calendar(inner, calendars, &prepared.power.region).await?;
            let benchmark: Option<Benchmark> = None;
            let env = Env {
                now,
                zone: inner.zone,
                calendar: &calendar,
                power: &prepared.power,
                extension_allowance: inner.config.extension_allowance,
                benchmark: benchmark.as_ref(),
            };
            let mut intake = prepared.intake.clone();
            // Re-draw a receipt number already in use (one in 2^50 per case; a re-drawn one
            // that clashed again would fail the commit on the primary key, and be retried).
            while states.contains_key(intake.receipt.as_str())
                || taken.contains(intake.receipt.as_str())
            {
                intake.receipt = ReceiptNumber::generate(
                    &prepared.power.region,
                    inner.zone.date(now),
                    random::<7>(),
                );
            }
            let event = Case::submit(sub, intake, &job.actor, &env)?;
            let empty = sunlight_core::flow::Flow::default();
            let flow = prepared.power.flow.as_ref().unwrap_or(&empty);
            let case = Case::from_submitted(&event, flow)
                .ok_or_else(|| StoreError::Corrupt("submission".into()))?;
            let receipt = case.opened.receipt.clone();
            states.insert(receipt.to_string(), case);
            Ok((event, receipt, Some(prepared.query_code.clone())))
        }
        Op::Act { receipt, cmd } => {
            let case = states
                .get(receipt.as_str())
                .ok_or_else(|| StoreError::NotFound {
                    what: "case",
                    key: receipt.to_string(),
                })?;
            let power = inner
                .power(case.opened.power.as_str(), case.opened.power_version)
                .await?;
            let calendar = calendar(inner, calendars, &case.opened.region).await?;
            let benchmark = match cmd {
                CaseCommand::Decide { .. } if case.opened.category == PowerCategory::Penalty => {
                    inner
                        .store
                        .benchmark(case.opened.power.as_str())
                        .await?
                        .map(|(_, b)| b)
                }
                _ => None,
            };
            let env = Env {
                now,
                zone: inner.zone,
                calendar: &calendar,
                power: &power,
                extension_allowance: inner.config.extension_allowance,
                benchmark: benchmark.as_ref(),
            };
            let event = case.decide(cmd, &job.actor, &env)?;
            Ok((event, receipt.clone(), None))
        }
    }
}

async fn calendar(
    inner: &Inner,
    cache: &mut HashMap<RegionCode, Arc<sunlight_core::calendar::Calendar>>,
    region: &RegionCode,
) -> Result<Arc<sunlight_core::calendar::Calendar>> {
    if let Some(c) = cache.get(region) {
        return Ok(c.clone());
    }
    let c = inner.store.calendar(Some(*region)).await?;
    cache.insert(*region, c.clone());
    Ok(c)
}
