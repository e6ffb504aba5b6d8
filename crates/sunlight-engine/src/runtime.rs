//! The one write path, generic over process kinds.
//!
//! A [`Kind`] says how to load its instances, how to decide one command (with the pure rules
//! of its process in `sunlight-core`) and what its projection writes; everything else is
//! here, once: a writer task per kind takes whatever has queued up, answers retries from the
//! memory of their first result (idempotency keys), decides each command in order against
//! the state the earlier ones left, and hands the batch to [`Store::commit`] — entries,
//! projections, alerts and keys in one transaction, refused whole if an instance moved
//! (optimistic version check), then retried one by one on fresh state. Nobody hears back
//! before the commit: an acknowledged command is durable, and one fsync serves the batch.
//!
//! While a batch commits, commands arriving meanwhile are decided as they come, against the
//! states it and the commands decided before them leave (the overlay), and merged into the
//! next batch (an instance touched twice is written once, checked against the version first
//! read), which starts committing the moment the one ahead is through: a two-stage pipeline
//! that never waits to fill. Nobody hears about a batch before the one ahead of it has
//! committed; if that one fails, the next is decided again on stored state.

use crate::{EngineError, Result};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use sunlight_core::Timestamp;
use sunlight_core::case::Actor;
use sunlight_core::clock::Clock;
use sunlight_store::{Commit, NewAlert, NewEntry, NewNotice, Projection, Store, StoreError};
use tokio::sync::{mpsc, oneshot};

/// A command waiting for its writer.
pub(crate) struct Job<K: Kind> {
    pub op: K::Op,
    pub actor: Actor,
    pub key: Option<String>,
    pub reply: oneshot::Sender<Result<K::Ack>>,
}

/// One command decided: the instance it changed, the answer it earns, what it writes.
pub(crate) struct Decision<K: Kind> {
    pub id: String,
    pub ack: K::Ack,
    pub entries: Vec<NewEntry>,
    pub alerts: Vec<NewAlert>,
    pub notices: Vec<NewNotice>,
}

/// What a process kind tells the write path.
pub(crate) trait Kind: Send + Sync + Sized + 'static {
    type State: Clone + Send + Sync + 'static;
    type Op: Send + Sync + 'static;
    type Ack: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static;
    type Write: Projection + Send + Sync + 'static;
    /// What deciding one batch reads once (calendars, relations, numbers taken …).
    type Ctx: Send;

    /// The instance `op` acts on; `None` for a command that opens one.
    fn target(op: &Self::Op) -> Option<&str>;
    fn version(state: &Self::State) -> u64;
    /// The id and state a write carries.
    fn written(w: &Self::Write) -> (Cow<'_, str>, &Arc<Self::State>);
    /// Instances as stored, by id (absent ones are left out).
    fn load(
        &self,
        ids: &[&str],
    ) -> impl Future<Output = Result<HashMap<String, Self::State>>> + Send;
    /// Reads what deciding `jobs` needs, on top of `overlay`.
    fn begin(
        &self,
        jobs: &[Job<Self>],
        overlay: &Overlay<Self>,
    ) -> impl Future<Output = Result<Self::Ctx>> + Send;
    /// Decides one job against `states` (and leaves the new state there).
    fn decide(
        &self,
        ctx: &mut Self::Ctx,
        states: &mut HashMap<String, Self::State>,
        job: &Job<Self>,
        now: Timestamp,
    ) -> impl Future<Output = Result<Decision<Self>>> + Send;
    /// The projection write of an instance the batch changed, read at `expected`.
    fn write(
        &self,
        ctx: &mut Self::Ctx,
        state: Self::State,
        expected: u64,
    ) -> impl Future<Output = Self::Write> + Send;
    /// Whether a committed state may be kept in the cache.
    fn cacheable(_state: &Self::State) -> bool {
        true
    }
    /// Folds `later`, decided on top of `into`, into it.
    fn merge(into: &mut Self::Write, later: Self::Write);
    /// A batch has committed: tell the subscribers (before anyone is answered).
    fn committed(&self, batch: &Commit<Self::Write>);
    /// Forget what deciding depends on after a conflict (numbers drawn, …).
    fn conflicted(&self) {}
}

/// A bounded map of instance states as committed; the oldest insertions go first.
pub(crate) struct StateCache<S> {
    map: HashMap<String, Arc<S>>,
    order: VecDeque<String>,
    capacity: usize,
}

impl<S> StateCache<S> {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    pub(crate) fn get(&self, id: &str) -> Option<Arc<S>> {
        self.map.get(id).cloned()
    }

    fn put(&mut self, id: &str, state: Arc<S>) {
        if self.map.insert(id.to_string(), state).is_none() {
            self.order.push_back(id.to_string());
        }
        while self.map.len() > self.capacity {
            match self.order.pop_front() {
                Some(old) => {
                    self.map.remove(&old);
                }
                None => break,
            }
        }
    }

    fn remove(&mut self, id: &str) {
        self.map.remove(id);
    }
}

/// A kind's write path: its writer task's shared part.
pub(crate) struct Runtime<K: Kind> {
    pub kind: K,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub max_batch: usize,
    /// States as committed, for kinds whose instances only this write path changes (cases);
    /// a state another process moved is caught by the commit's version check, evicted, and
    /// the command retried on the stored state.
    pub cache: Option<Mutex<StateCache<K::State>>>,
    pub commits: AtomicU64,
    pub committed_commands: AtomicU64,
}

impl<K: Kind> Runtime<K> {
    pub(crate) fn new(
        kind: K,
        store: Store,
        clock: Arc<dyn Clock>,
        max_batch: usize,
        cache: Option<usize>,
    ) -> Self {
        Self {
            kind,
            store,
            clock,
            max_batch,
            cache: cache.map(|n| Mutex::new(StateCache::new(n))),
            commits: AtomicU64::new(0),
            committed_commands: AtomicU64::new(0),
        }
    }

    /// The state as last committed here, if cached.
    pub(crate) fn cached(&self, id: &str) -> Option<Arc<K::State>> {
        self.cache
            .as_ref()
            .and_then(|c| c.lock().unwrap_or_else(|e| e.into_inner()).get(id))
    }

    fn cache_with(&self, f: impl FnOnce(&mut StateCache<K::State>)) {
        if let Some(c) = &self.cache {
            f(&mut c.lock().unwrap_or_else(|e| e.into_inner()));
        }
    }

    /// Starts the writer task on the current runtime; commands go to the answer's sender.
    pub(crate) fn spawn(self: &Arc<Self>) -> mpsc::Sender<Job<K>> {
        let (tx, rx) = mpsc::channel(self.max_batch * 4);
        tokio::spawn(writer(self.clone(), rx));
        tx
    }
}

/// Sends a command to a writer and waits for its answer.
pub(crate) async fn send<K: Kind>(
    tx: &mpsc::Sender<Job<K>>,
    op: K::Op,
    actor: Actor,
    key: Option<String>,
) -> Result<K::Ack> {
    let (reply, rx) = oneshot::channel();
    tx.send(Job {
        op,
        actor,
        key,
        reply,
    })
    .await
    .map_err(|_| EngineError::Stopped)?;
    rx.await.map_err(|_| EngineError::Stopped)?
}

/// The writer: see the module doc.
async fn writer<K: Kind>(rt: Arc<Runtime<K>>, mut rx: mpsc::Receiver<Job<K>>) {
    let rt = rt.as_ref();
    let mut inflight: Option<InFlight<K>> = None;
    let mut next: Option<Decided<K>> = None;
    // While a batch commits: its states, then those of `next`, as it grows.
    let mut overlay = Overlay::default();
    loop {
        let Some(f) = inflight.as_mut() else {
            // Nothing committing: commit what is decided, or wait for work.
            if let Some(d) = next.take() {
                let f = start_commit(rt, d);
                overlay = f.overlay();
                inflight = Some(f);
                continue;
            }
            let Some(j) = rx.recv().await else { return };
            let jobs = drain(&mut rx, vec![j], rt.max_batch);
            next = Some(decide_batch(rt, jobs, &Overlay::default()).await);
            continue;
        };
        let room = rt
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
                        let ok = finish(rt, f, r).await;
                        if let Some(d) = next.take() {
                            commit_now(rt, redecide_if_failed(rt, ok, d).await).await;
                        }
                    }
                    return;
                };
                let jobs = drain(&mut rx, vec![j], room);
                let d = decide_batch(rt, jobs, &overlay).await;
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
            let ok = finish(rt, f, r).await;
            if let Some(d) = next.take() {
                next = Some(redecide_if_failed(rt, ok, d).await);
            }
        }
    }
}

/// Takes what has queued up behind `jobs`, up to `max` in all.
fn drain<K: Kind>(
    rx: &mut mpsc::Receiver<Job<K>>,
    mut jobs: Vec<Job<K>>,
    max: usize,
) -> Vec<Job<K>> {
    while jobs.len() < max {
        match rx.try_recv() {
            Ok(j) => jobs.push(j),
            Err(_) => break,
        }
    }
    jobs
}

/// A batch decided on top of one that then failed to commit is decided again on the store.
async fn redecide_if_failed<K: Kind>(
    rt: &Runtime<K>,
    committed: bool,
    d: Decided<K>,
) -> Decided<K> {
    if committed {
        d
    } else {
        decide_batch(rt, d.into_jobs(), &Overlay::default()).await
    }
}

/// What a committing batch leaves behind, for the next one to be decided against.
pub(crate) struct Overlay<K: Kind> {
    pub states: HashMap<String, Arc<K::State>>,
    keys: HashMap<String, K::Ack>,
}

impl<K: Kind> Default for Overlay<K> {
    fn default() -> Self {
        Self {
            states: HashMap::new(),
            keys: HashMap::new(),
        }
    }
}

impl<K: Kind> Overlay<K> {
    /// Puts a decided (not yet committing) batch's states on top.
    fn add(&mut self, d: &Decided<K>) {
        for w in &d.batch.writes {
            let (id, state) = K::written(w);
            self.states.insert(id.into_owned(), state.clone());
        }
        for p in &d.pending {
            if let Some(k) = &p.job.key {
                self.keys.insert(k.clone(), p.ack.clone());
            }
        }
    }
}

/// A job decided in a batch, waiting for the commit.
struct Pending<K: Kind> {
    job: Job<K>,
    ack: K::Ack,
}

/// A decided batch: its writes, the acks they earn, and the answers that need no write
/// (refusals, remembered results), all held until the batch before it has committed.
struct Decided<K: Kind> {
    batch: Commit<K::Write>,
    pending: Vec<Pending<K>>,
    answered: Vec<(Job<K>, Result<K::Ack>)>,
}

impl<K: Kind> Decided<K> {
    fn len(&self) -> usize {
        self.pending.len() + self.answered.len()
    }

    /// Appends `later`, decided on top of this batch's states: an instance both touch is
    /// written once, at its later state, checked against the version this batch read it at.
    fn merge(&mut self, later: Decided<K>) {
        let Decided {
            batch,
            pending,
            answered,
        } = later;
        for w in batch.writes {
            let id = K::written(&w).0.into_owned();
            match self
                .batch
                .writes
                .iter_mut()
                .find(|e| K::written(e).0 == id.as_str())
            {
                Some(e) => K::merge(e, w),
                None => self.batch.writes.push(w),
            }
        }
        self.batch.entries.extend(batch.entries);
        self.batch.keys.extend(batch.keys);
        self.batch.alerts.extend(batch.alerts);
        self.batch.notices.extend(batch.notices);
        self.pending.extend(pending);
        self.answered.extend(answered);
    }

    fn into_jobs(self) -> Vec<Job<K>> {
        self.pending
            .into_iter()
            .map(|p| p.job)
            .chain(self.answered.into_iter().map(|(j, _)| j))
            .collect()
    }
}

struct InFlight<K: Kind> {
    commit: Option<tokio::task::JoinHandle<sunlight_store::Result<u64>>>,
    /// The batch's writes, shared with its commit task (`decided.batch` is left empty).
    batch: Arc<Commit<K::Write>>,
    decided: Decided<K>,
}

impl<K: Kind> InFlight<K> {
    fn overlay(&self) -> Overlay<K> {
        Overlay {
            states: self
                .batch
                .writes
                .iter()
                .map(|w| {
                    let (id, s) = K::written(w);
                    (id.into_owned(), s.clone())
                })
                .collect(),
            keys: self
                .decided
                .pending
                .iter()
                .filter_map(|p| p.job.key.clone().map(|k| (k, p.ack.clone())))
                .collect(),
        }
    }

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

fn start_commit<K: Kind>(rt: &Runtime<K>, mut decided: Decided<K>) -> InFlight<K> {
    let batch = Arc::new(std::mem::take(&mut decided.batch));
    if decided.pending.is_empty() {
        return InFlight {
            commit: None,
            batch,
            decided,
        };
    }
    let store = rt.store.clone();
    // The commit task and the overlay the next batch is decided against share the writes.
    let shared = batch.clone();
    let commit = tokio::spawn(async move { store.commit(&shared).await });
    InFlight {
        commit: Some(commit),
        batch,
        decided,
    }
}

/// Answers the callers of a batch whose commit ended with `committed`. False if it did not
/// commit.
async fn finish<K: Kind>(
    rt: &Runtime<K>,
    f: InFlight<K>,
    committed: sunlight_store::Result<u64>,
) -> bool {
    let batch = f.batch;
    let Decided {
        pending, answered, ..
    } = f.decided;
    rt.cache_with(|cache| {
        for w in &batch.writes {
            let (id, state) = K::written(w);
            if committed.is_ok() && K::cacheable(state) {
                cache.put(&id, state.clone());
            } else {
                cache.remove(&id);
            }
        }
    });
    for (job, answer) in answered {
        let _ = job.reply.send(answer);
    }
    if committed.is_ok() {
        rt.kind.committed(&batch);
    }
    match committed {
        Ok(_) => {
            rt.commits.fetch_add(1, Ordering::Relaxed);
            rt.committed_commands
                .fetch_add(pending.len() as u64, Ordering::Relaxed);
            for p in pending {
                let _ = p.job.reply.send(Ok(p.ack));
            }
            true
        }
        Err(StoreError::Conflict(m)) => {
            // Another process moved an instance under this batch: one by one, on fresh state.
            tracing::debug!(%m, "batch conflicted; retrying its commands one by one");
            rt.kind.conflicted();
            for p in pending {
                let decided = decide_batch(rt, vec![p.job], &Overlay::default()).await;
                commit_now(rt, decided).await;
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
async fn commit_now<K: Kind>(rt: &Runtime<K>, decided: Decided<K>) {
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
    let committed = rt.store.commit(&batch).await;
    if committed.is_ok() {
        rt.kind.committed(&batch);
    } else {
        rt.kind.conflicted();
    }
    rt.cache_with(|cache| {
        for w in &batch.writes {
            cache.remove(&K::written(w).0);
        }
    });
    for p in pending {
        let answer = match &committed {
            Ok(_) => Ok(p.ack),
            Err(StoreError::Conflict(_)) => Err(StoreError::Conflict(sunlight_core::zh_en!(
                "已被他人更新，请重试",
                "it changed meanwhile; try again"
            ))
            .into()),
            Err(e) => Err(StoreError::Corrupt(format!("the batch failed to commit: {e}")).into()),
        };
        let _ = p.job.reply.send(answer);
    }
}

/// Decides a batch of jobs in order against `overlay` (the committing batch's states), the
/// cache, and the store.
async fn decide_batch<K: Kind>(
    rt: &Runtime<K>,
    jobs: Vec<Job<K>>,
    overlay: &Overlay<K>,
) -> Decided<K> {
    let now = rt.clock.now();
    let mut out = Decided {
        batch: Commit {
            at: Some(now),
            ..Default::default()
        },
        pending: vec![],
        answered: vec![],
    };
    let fail_all = |jobs: Vec<Job<K>>, e: EngineError, out: &mut Decided<K>| {
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
    let known = match rt.store.command_results(&keys).await {
        Ok(k) => k,
        Err(e) => {
            fail_all(jobs, e.into(), &mut out);
            return out;
        }
    };
    // 2. The instances concerned: from the committing batch, the cache, or the store.
    let mut states: HashMap<String, K::State> = HashMap::new();
    let mut misses: Vec<&str> = Vec::new();
    for j in &jobs {
        let Some(id) = K::target(&j.op) else {
            continue;
        };
        if states.contains_key(id) || misses.contains(&id) {
            continue;
        }
        match overlay.states.get(id).cloned().or_else(|| rt.cached(id)) {
            Some(s) => {
                states.insert(id.to_string(), s.as_ref().clone());
            }
            None => misses.push(id),
        }
    }
    match rt.kind.load(&misses).await {
        Ok(s) => states.extend(s),
        Err(e) => {
            fail_all(jobs, e, &mut out);
            return out;
        }
    }
    let mut ctx = match rt.kind.begin(&jobs, overlay).await {
        Ok(c) => c,
        Err(e) => {
            fail_all(jobs, e, &mut out);
            return out;
        }
    };
    let mut loaded_at: HashMap<String, u64> = states
        .iter()
        .map(|(k, s)| (k.clone(), K::version(s)))
        .collect();
    let mut touched: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut in_batch_keys: HashMap<String, K::Ack> = HashMap::new();

    for job in jobs {
        if let Some(k) = &job.key {
            if let Some(r) = known.get(k) {
                let ack = serde_json::from_str::<K::Ack>(r)
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
        let d = match rt.kind.decide(&mut ctx, &mut states, &job, now).await {
            Ok(d) => d,
            Err(e) => {
                out.answered.push((job, Err(e)));
                continue;
            }
        };
        loaded_at.entry(d.id.clone()).or_insert(0);
        if seen.insert(d.id.clone()) {
            touched.push(d.id);
        }
        out.batch.entries.extend(d.entries);
        out.batch.alerts.extend(d.alerts);
        out.batch.notices.extend(d.notices);
        if let Some(k) = &job.key {
            out.batch
                .keys
                .push((k.clone(), serde_json::to_string(&d.ack).unwrap_or_default()));
            in_batch_keys.insert(k.clone(), d.ack.clone());
        }
        out.pending.push(Pending { job, ack: d.ack });
    }
    for id in &touched {
        // Each instance is written once per batch: move it out of the working states.
        let Some(state) = states.remove(id) else {
            continue;
        };
        let w = rt.kind.write(&mut ctx, state, loaded_at[id]).await;
        out.batch.writes.push(w);
    }
    out
}
