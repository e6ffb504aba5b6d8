//! Cases (办件) on the write path: the first tenant of [`crate::runtime`].
//!
//! A case is loaded by replaying its ledger entries, decided by `sunlight-core`'s case rules
//! against its power version (cached forever: versions never change) and its region's
//! calendar, and checked by electronic supervision as it is decided: the rules an event
//! breaks (`on_event`) and declared relations (conflict of interest) raise their alerts in
//! the batch's own transaction. Its projection is the case row, its changed task rows and its
//! figures (`Outcome`).

use crate::runtime::{Decision, Job, Kind, Overlay};
use crate::{Ack, EngineConfig, Result, random};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use sunlight_core::calendar::Calendar;
use sunlight_core::case::{
    Actor, Case, CaseCommand, CaseEvent, Env, EventBody, Intake, ReceiptNumber, Submission,
    TaskState,
};
use sunlight_core::checkout::{Checkout, CheckoutEvent, Stamped};
use sunlight_core::clock::Zone;
use sunlight_core::discretion::Benchmark;
use sunlight_core::process::Process;
use sunlight_core::supervision::{Outcome, Prior, Relations, Watched, on_event};
use sunlight_core::{Power, PowerCategory, RegionCode, Timestamp};
use sunlight_ledger::entry::canonical_json;
use sunlight_store::{
    CaseWrite, Change, Commit, NewAlert, NewEntry, Store, StoreError, StoredEntry,
};

/// What can be done to a case.
pub(crate) enum Op {
    Submit {
        sub: Box<Submission>,
        prepared: Box<Prepared>,
    },
    Act {
        receipt: ReceiptNumber,
        cmd: Box<CaseCommand>,
    },
}

/// What a submission needs decided before the writer sees it.
pub(crate) struct Prepared {
    pub power: Arc<Power>,
    pub intake: Intake,
    pub query_code: String,
}

/// What the case kind shares with the engine's reads.
pub(crate) struct Shared {
    pub store: Store,
    pub zone: Zone,
    pub config: EngineConfig,
    pub monitor: Option<crate::Monitor>,
    /// Power versions are immutable: cached forever by (code, version).
    powers: Mutex<HashMap<(String, i64), Arc<Power>>>,
    /// Declared relations, loaded on first use and again after they change.
    relations: Mutex<Option<Arc<Relations>>>,
}

impl Shared {
    pub(crate) fn new(
        store: Store,
        zone: Zone,
        config: EngineConfig,
        monitor: Option<crate::Monitor>,
    ) -> Self {
        Self {
            store,
            zone,
            config,
            monitor,
            powers: Mutex::default(),
            relations: Mutex::default(),
        }
    }

    pub(crate) fn relations_changed(&self) {
        *self.relations.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    async fn relations(&self) -> Result<Arc<Relations>> {
        if let Some(r) = self
            .relations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
        {
            return Ok(r);
        }
        let mut map = Relations::new();
        for r in self.store.relations(None).await? {
            map.entry(r.staff).or_default().insert(r.party);
        }
        let map = Arc::new(map);
        *self.relations.lock().unwrap_or_else(|e| e.into_inner()) = Some(map.clone());
        Ok(map)
    }

    pub(crate) async fn power(&self, code: &str, version: i64) -> Result<Arc<Power>> {
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

    /// A case's state: the fold of its ledger entries.
    pub(crate) async fn replay(&self, entries: &[StoredEntry]) -> Result<Option<Case>> {
        let events: Vec<CaseEvent> = entries
            .iter()
            .map(|e| {
                let body: EventBody = serde_json::from_str(&e.revealed()?)
                    .map_err(|err| StoreError::Corrupt(format!("event {}: {err}", e.seq)))?;
                let at = Timestamp::from_millisecond(e.at_ms)
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
}

/// The case kind.
pub(crate) struct Cases {
    pub shared: Arc<Shared>,
    /// Where committed cases' timers go (a notice to supplement lapsing), if they run here.
    pub timers: Option<tokio::sync::mpsc::UnboundedSender<(String, Timestamp)>>,
}

/// What deciding one batch of cases reads once.
pub(crate) struct Ctx {
    /// Receipt numbers in use among the batch's new ones (and the committing batch's).
    taken: HashSet<String>,
    calendars: HashMap<RegionCode, Arc<Calendar>>,
    relations: Arc<Relations>,
    /// Each touched case's tasks before the batch: its task rows are written if changed.
    before_tasks: HashMap<String, Vec<TaskState>>,
}

impl Cases {
    async fn calendar(
        &self,
        cache: &mut HashMap<RegionCode, Arc<Calendar>>,
        region: &RegionCode,
    ) -> Result<Arc<Calendar>> {
        if let Some(c) = cache.get(region) {
            return Ok(c.clone());
        }
        let c = self.shared.store.calendar(Some(*region)).await?;
        cache.insert(*region, c.clone());
        Ok(c)
    }

    /// Decides one job's event against the batch's states; a new case is put into `states`.
    async fn event(
        &self,
        ctx: &mut Ctx,
        states: &mut HashMap<String, Case>,
        job: &Job<Self>,
        now: Timestamp,
    ) -> Result<(CaseEvent, ReceiptNumber, Option<String>)> {
        let shared = &self.shared;
        match &job.op {
            Op::Submit { sub, prepared } => {
                let calendar = self
                    .calendar(&mut ctx.calendars, &prepared.power.region)
                    .await?;
                let env = Env {
                    now,
                    zone: shared.zone,
                    calendar: &calendar,
                    power: &prepared.power,
                    extension_allowance: shared.config.extension_allowance,
                    benchmark: None,
                    service: &shared.config.service,
                };
                let mut intake = prepared.intake.clone();
                // Re-draw a receipt number already in use (one in 2^50 per case; a re-drawn
                // one that clashed again would fail the commit on the primary key, and be
                // retried).
                while states.contains_key(intake.receipt.as_str())
                    || ctx.taken.contains(intake.receipt.as_str())
                {
                    intake.receipt = ReceiptNumber::generate(
                        &prepared.power.region,
                        shared.zone.date(now),
                        random::<7>(),
                    );
                }
                let event = Case::submit(sub, intake, &job.actor, &env)?;
                let case = <Case as Process>::apply(None, &event, &env)
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
                let power = shared
                    .power(case.opened.power.as_str(), case.opened.power_version)
                    .await?;
                let calendar = self
                    .calendar(&mut ctx.calendars, &case.opened.region)
                    .await?;
                let benchmark: Option<Benchmark> = match cmd.as_ref() {
                    CaseCommand::Decide { .. }
                        if case.opened.category == PowerCategory::Penalty =>
                    {
                        shared
                            .store
                            .benchmark(case.opened.power.as_str())
                            .await?
                            .map(|(_, b)| b)
                    }
                    _ => None,
                };
                let env = Env {
                    now,
                    zone: shared.zone,
                    calendar: &calendar,
                    power: &power,
                    extension_allowance: shared.config.extension_allowance,
                    benchmark: benchmark.as_ref(),
                    service: &shared.config.service,
                };
                let event = case.decide(cmd, &job.actor, &env)?;
                Ok((event, receipt.clone(), None))
            }
        }
    }

    fn alert(case: &Case, finding: sunlight_core::supervision::Finding) -> NewAlert {
        NewAlert {
            finding,
            power: case.opened.power.to_string(),
            region: case.opened.region.to_string(),
            department: case.opened.department.to_string(),
            source: "engine",
        }
    }
}

impl Kind for Cases {
    type State = Case;
    type Op = Op;
    type Ack = Ack;
    type Write = CaseWrite;
    type Ctx = Ctx;

    fn target(op: &Op) -> Option<&str> {
        match op {
            Op::Act { receipt, .. } => Some(receipt.as_str()),
            Op::Submit { .. } => None,
        }
    }

    fn version(case: &Case) -> u64 {
        case.version
    }

    fn written(w: &CaseWrite) -> (Cow<'_, str>, &Arc<Case>) {
        (Cow::Borrowed(w.case.opened.receipt.as_str()), &w.case)
    }

    async fn load(&self, receipts: &[&str]) -> Result<HashMap<String, Case>> {
        let mut out = HashMap::new();
        for (receipt, entries) in self.shared.store.case_entries(receipts).await? {
            if let Some(c) = self.shared.replay(&entries).await? {
                out.insert(receipt, c);
            }
        }
        Ok(out)
    }

    async fn begin(&self, jobs: &[Job<Self>], overlay: &Overlay<Self>) -> Result<Ctx> {
        let submits: Vec<&str> = jobs
            .iter()
            .filter_map(|j| match &j.op {
                Op::Submit { prepared, .. } => Some(prepared.intake.receipt.as_str()),
                Op::Act { .. } => None,
            })
            .collect();
        let mut taken: HashSet<String> = if submits.is_empty() {
            HashSet::new()
        } else {
            self.shared
                .store
                .receipts_taken(&submits)
                .await?
                .into_iter()
                .collect()
        };
        taken.extend(overlay.states.keys().cloned());
        Ok(Ctx {
            taken,
            calendars: HashMap::new(),
            relations: self.shared.relations().await?,
            before_tasks: HashMap::new(),
        })
    }

    async fn decide(
        &self,
        ctx: &mut Ctx,
        states: &mut HashMap<String, Case>,
        job: &Job<Self>,
        now: Timestamp,
    ) -> Result<Decision<Self>> {
        let shared = &self.shared;
        let (event, receipt, query_code) = self.event(ctx, states, job, now).await?;
        let r = receipt.to_string();
        let mut alerts = Vec::new();
        if matches!(job.op, Op::Submit { .. }) {
            ctx.before_tasks.insert(r.clone(), vec![]);
        } else if let Some(case) = states.get_mut(&r) {
            ctx.before_tasks
                .entry(r.clone())
                .or_insert_with(|| case.tasks.clone());
            let prior = Prior::of(case);
            let p = shared
                .power(case.opened.power.as_str(), case.opened.power_version)
                .await?;
            case.apply(&event, p.flow.as_ref().unwrap_or(&Default::default()));
            if let Some(cal) = ctx.calendars.get(&case.opened.region) {
                for f in on_event(
                    Some(&prior),
                    case,
                    &event,
                    cal,
                    shared.zone,
                    &shared.config.supervision,
                ) {
                    alerts.push(Self::alert(case, f));
                }
            }
        }
        let case = &states[&r];
        if let Actor::Staff(u) = &job.actor
            && let Some(f) = sunlight_core::supervision::conflict_of_interest(
                &r,
                u.username.as_str(),
                &case.opened.applicant.party_id(),
                &ctx.relations,
                event.at,
            )
            && shared.config.supervision.applies(
                f.rule,
                case.opened.power.as_str(),
                case.opened.region.as_str(),
            )
        {
            alerts.push(Self::alert(case, f));
        }
        let mut entries = vec![NewEntry {
            stream: Case::stream(&r),
            kind: event.body.kind().to_string(),
            actor: event.actor.clone(),
            at: event.at,
            payload: canonical_json(&Case::evidence(&event)),
        }];
        // A submission under a per-use approval uses it: an act of the approval's process,
        // written in the case's transaction (whose commit checks the approval is still open).
        if let EventBody::Submitted(o) = &event.body
            && let Some(id) = o.checkout
        {
            let used = Stamped {
                at: event.at,
                by: event.actor.clone(),
                event: CheckoutEvent::Used {
                    receipt: o.receipt.to_string(),
                },
            };
            entries.push(NewEntry {
                stream: Checkout::stream(&id.to_string()),
                kind: Checkout::event_kind(&used).to_string(),
                actor: used.by.clone(),
                at: used.at,
                payload: canonical_json(&Checkout::evidence(&used)),
            });
        }
        let notices = crate::notify::rows(
            &sunlight_core::notice::of_case(case, &event.body),
            shared.config.channels,
            &shared.config.query_code_key,
        );
        Ok(Decision {
            notices,
            ack: Ack {
                receipt,
                version: case.version,
                kind: event.body.kind().to_string(),
                query_code,
            },
            id: r,
            entries,
            alerts,
        })
    }

    async fn write(&self, ctx: &mut Ctx, case: Case, expected: u64) -> CaseWrite {
        let r = case.opened.receipt.as_str();
        let tasks = match ctx.before_tasks.get(r) {
            Some(before) => case
                .tasks
                .iter()
                .filter(|t| !before.contains(t))
                .cloned()
                .collect(),
            None => case.tasks.clone(),
        };
        let outcome = match (
            self.shared
                .power(case.opened.power.as_str(), case.opened.power_version)
                .await,
            ctx.calendars.get(&case.opened.region),
        ) {
            (Ok(p), Some(cal)) => Outcome::of(
                &case,
                p.guide.committed_limit.and_then(|l| l.as_working_days()),
                p.guide.statutory_limit.and_then(|l| l.as_working_days()),
                cal,
                self.shared.zone,
            ),
            _ => Outcome::default(),
        };
        let owner = (expected == 0)
            .then(|| sunlight_core::notice::normalise_mobile(case.opened.applicant.phone()))
            .flatten()
            .map(|m| self.shared.config.query_code_key.owner(&m));
        CaseWrite {
            expected,
            tasks,
            case: Arc::new(case),
            outcome,
            owner,
        }
    }

    /// A finished case is not kept: its personal data may be erased by another process
    /// (`sunlight erase`), and reads of it then replay what is left.
    fn cacheable(case: &Case) -> bool {
        !case.status.is_finished()
    }

    fn merge(e: &mut CaseWrite, w: CaseWrite) {
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

    /// Sets the timers of what a committed batch left, and publishes what it changed (the
    /// monitor watches it).
    fn committed(&self, batch: &Commit<CaseWrite>) {
        if let Some(t) = &self.timers {
            for w in &batch.writes {
                if let Some((at, _)) = w.case.timer() {
                    let _ = t.send((w.case.opened.receipt.to_string(), at));
                }
            }
        }
        let bus = self.shared.store.bus();
        if bus.is_empty() {
            return;
        }
        bus.publish(&Change::Cases {
            watched: batch
                .writes
                .iter()
                .map(|w| Watched::of(&w.case, self.shared.zone))
                .collect(),
            alerts: batch.alerts.clone(),
        });
    }
}

/// Keeps the cases' timers ([`crate::timers`]): a due one sends the case's timer command (a
/// notice to supplement lapsing) as the timer, through the case writer.
pub(crate) async fn run_timers(
    store: Store,
    clock: Arc<dyn sunlight_core::clock::Clock>,
    tx: tokio::sync::mpsc::Sender<Job<Cases>>,
    set: tokio::sync::mpsc::UnboundedReceiver<(String, Timestamp)>,
) {
    let initial = store.case_timers().await;
    crate::timers::run(Case::KIND, clock, initial, set, |id| {
        let tx = tx.clone();
        async move {
            let Ok(receipt) = ReceiptNumber::parse(&id) else {
                tracing::error!(receipt = id, "a case timer names no case");
                return true;
            };
            let (reply, answer) = tokio::sync::oneshot::channel();
            let job = Job {
                op: Op::Act {
                    receipt,
                    cmd: Box::new(CaseCommand::LapseSupplement),
                },
                actor: Actor::Timer,
                key: None,
                reply,
            };
            if tx.send(job).await.is_err() {
                return false;
            }
            // Refused (supplied meanwhile): nothing to do, but say so.
            tokio::spawn(async move {
                if let Ok(Err(e)) = answer.await {
                    tracing::debug!(receipt = id, error = %e, "a case timer was refused");
                }
            });
            true
        }
    })
    .await;
}
