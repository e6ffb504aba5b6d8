//! The supervision monitor: every running case's next colour change or time rule in one
//! ordered queue, a task that sleeps until the first of them (or until the supervised clock
//! jumps, or a case changes), and a live stream of what changed.
//!
//! Nothing scans all cases on a tick: a case is touched when its own next mark comes due,
//! when the engine commits an event of it, or when the calendars change ([`Monitor::recompute`]).
//! Raising is idempotent (one alert per breach key), so marks already passed fire again safely
//! after a restart or a recompute: at start-up the monitor loads every running case from the
//! store and catches up.

use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use sunlight_core::calendar::Calendar;
use sunlight_core::clock::{Clock, Zone};
use sunlight_core::supervision::{
    Colour, Due, Finding, Mark, Settings, Watched, case_colour, marks,
};
use sunlight_core::{RegionCode, Timestamp};
use sunlight_store::{Change, NewAlert, Store};
use tokio::sync::{broadcast, mpsc, oneshot};

/// What the live stream carries.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Live {
    /// A case (or one of its tasks) changed colour.
    Colour {
        receipt: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        task: Option<u32>,
        department: String,
        power_name: String,
        colour: Colour,
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        at: Timestamp,
    },
    /// An alert was raised.
    Alert {
        key: String,
        rule: String,
        severity: String,
        subject: String,
        department: String,
        detail: String,
        #[cfg_attr(feature = "openapi", schema(value_type = String))]
        breach_at: Timestamp,
    },
}

/// A running case as the board lists it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BoardCase {
    pub receipt: String,
    pub power: String,
    pub power_name: String,
    pub department: String,
    pub colour: Colour,
    pub committed: Option<String>,
    pub statutory: Option<String>,
}

/// Counts by colour, overall and per department, and the red and yellow cases.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Board {
    pub running: u64,
    pub by_colour: HashMap<String, u64>,
    pub by_department: HashMap<String, HashMap<String, u64>>,
    /// Red card first, then red, then yellow; at most `limit`.
    pub attention: Vec<BoardCase>,
}

#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct MonitorStats {
    pub watched: usize,
    pub queued: usize,
    pub wakeups: u64,
    pub marks_fired: u64,
    pub alerts_raised: u64,
}

enum Msg {
    Watch(Vec<Watched>),
    Recompute,
    Board(usize, oneshot::Sender<Board>),
    Stats(oneshot::Sender<MonitorStats>),
}

/// A handle on the monitor task.
#[derive(Clone)]
pub struct Monitor {
    tx: mpsc::UnboundedSender<Msg>,
    live: broadcast::Sender<Live>,
}

impl std::fmt::Debug for Monitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Monitor")
    }
}

impl Monitor {
    /// Starts the monitor on the current runtime. With `load`, it first reads every running
    /// case from the store.
    pub fn start(
        store: Store,
        clock: Arc<dyn Clock>,
        zone: Zone,
        settings: Settings,
        load: bool,
    ) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let (live, _) = broadcast::channel(65_536);
        let jumped = Arc::new(tokio::sync::Notify::new());
        {
            let jumped = jumped.clone();
            clock.on_jump(Arc::new(move || jumped.notify_one()));
        }
        let monitor = Self {
            tx: tx.clone(),
            live: live.clone(),
        };
        // What it watches comes from the store's bus: cases the engine committed or that
        // were fed, and calendar changes — nobody pokes it.
        {
            let m = monitor.clone();
            store.bus().subscribe(move |change| match change {
                Change::Cases { watched, alerts } => {
                    m.watch(watched.clone());
                    m.announce(alerts);
                }
                Change::Calendars => m.recompute(),
                Change::Registry => {}
            });
        }
        let task = Task {
            store,
            clock,
            zone,
            settings,
            live: live.clone(),
            index: Index::default(),
            calendars: HashMap::new(),
            stats: MonitorStats::default(),
            next_daily: None,
            calendar_generation: None,
            generation_checked: None,
        };
        tokio::spawn(task.run(rx, jumped, load));
        monitor
    }

    /// Cases whose state changed (committed): recompute their marks.
    fn watch(&self, cases: Vec<Watched>) {
        if !cases.is_empty() {
            let _ = self.tx.send(Msg::Watch(cases));
        }
    }

    /// The calendars or settings changed: recompute every case's marks.
    fn recompute(&self) {
        let _ = self.tx.send(Msg::Recompute);
    }

    /// Publishes alerts raised elsewhere (by the engine's commit) on the live stream.
    fn announce(&self, alerts: &[NewAlert]) {
        for a in alerts {
            let _ = self.live.send(live_alert(a));
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Live> {
        self.live.subscribe()
    }

    pub async fn board(&self, limit: usize) -> Board {
        let (tx, rx) = oneshot::channel();
        let _ = self.tx.send(Msg::Board(limit, tx));
        rx.await.unwrap_or_default()
    }

    pub async fn stats(&self) -> MonitorStats {
        let (tx, rx) = oneshot::channel();
        let _ = self.tx.send(Msg::Stats(tx));
        rx.await.unwrap_or_default()
    }
}

fn live_alert(a: &NewAlert) -> Live {
    Live::Alert {
        key: a.finding.key.clone(),
        rule: a.finding.rule.as_str().into(),
        severity: a.finding.rule.rule().severity.as_str().into(),
        subject: a.finding.subject.clone(),
        department: a.department.clone(),
        detail: a.finding.detail.clone(),
        breach_at: a.finding.at,
    }
}

struct Item {
    w: Watched,
    marks: Vec<Mark>,
    /// Marks before this one have fired.
    next: usize,
    colour: Colour,
}

impl Item {
    fn next_at(&self) -> Option<Timestamp> {
        self.marks.get(self.next).map(|m| m.at)
    }
}

/// The running cases in slots, and the ordered queue of each one's next mark.
#[derive(Default)]
struct Index {
    slots: Vec<Option<Item>>,
    free: Vec<u32>,
    by_receipt: HashMap<String, u32>,
    queue: BTreeSet<(Timestamp, u32)>,
}

impl Index {
    fn remove(&mut self, receipt: &str) -> Option<Item> {
        let slot = self.by_receipt.remove(receipt)?;
        let item = self.slots[slot as usize].take()?;
        if let Some(at) = item.next_at() {
            self.queue.remove(&(at, slot));
        }
        self.free.push(slot);
        Some(item)
    }

    fn insert(&mut self, item: Item) -> u32 {
        let receipt = item.w.receipt.clone();
        let at = item.next_at();
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = Some(item);
                s
            }
            None => {
                self.slots.push(Some(item));
                (self.slots.len() - 1) as u32
            }
        };
        if let Some(at) = at {
            self.queue.insert((at, slot));
        }
        self.by_receipt.insert(receipt, slot);
        slot
    }
}

struct Task {
    store: Store,
    clock: Arc<dyn Clock>,
    zone: Zone,
    settings: Settings,
    live: broadcast::Sender<Live>,
    index: Index,
    calendars: HashMap<String, Option<Arc<Calendar>>>,
    stats: MonitorStats,
    /// When the daily checks (concentration, unanswered complaints) run next.
    next_daily: Option<Timestamp>,
    /// The calendars' generation the marks were computed on; another process (a CLI import)
    /// moving it makes the monitor recompute. Checked at most once a minute.
    calendar_generation: Option<i64>,
    generation_checked: Option<std::time::Instant>,
}

/// How long the monitor sleeps at most when nothing is due: the wall clock may be set.
const MAX_SLEEP: std::time::Duration = std::time::Duration::from_secs(60);

impl Task {
    async fn run(
        mut self,
        mut rx: mpsc::UnboundedReceiver<Msg>,
        jumped: Arc<tokio::sync::Notify>,
        load: bool,
    ) {
        if load {
            match self.store.watched_cases().await {
                Ok(cases) => {
                    tracing::info!(cases = cases.len(), "supervision: watching running cases");
                    self.watch(cases, false).await;
                }
                Err(e) => tracing::error!(%e, "supervision: could not load running cases"),
            }
        }
        loop {
            // Every change committed before now is in the channel already (the engine sends it
            // before answering the command): take them all before firing, so that a mark is
            // judged on the case as it stands, never on a state an acknowledged command left.
            loop {
                match rx.try_recv() {
                    Ok(m) => self.handle(m).await,
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => return,
                }
            }
            self.calendars_moved().await;
            self.fire_due().await;
            self.daily().await;
            let now = self.clock.now();
            let until = |at: Timestamp| {
                std::time::Duration::try_from(at.duration_since(now)).unwrap_or_default()
            };
            let sleep = self
                .index
                .queue
                .first()
                .map(|(at, _)| until(*at))
                .unwrap_or(MAX_SLEEP)
                .min(self.next_daily.map_or(MAX_SLEEP, until))
                .min(self.calendar_poll())
                .min(MAX_SLEEP);
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = jumped.notified() => {}
                msg = rx.recv() => match msg {
                    None => return,
                    Some(m) => self.handle(m).await,
                },
            }
            self.stats.wakeups += 1;
        }
    }

    async fn handle(&mut self, m: Msg) {
        match m {
            Msg::Watch(cases) => self.watch(cases, true).await,
            Msg::Recompute => {
                self.calendars.clear();
                let all: Vec<Watched> = self
                    .index
                    .slots
                    .iter()
                    .flatten()
                    .map(|i| i.w.clone())
                    .collect();
                self.watch(all, true).await;
            }
            Msg::Board(limit, tx) => {
                let _ = tx.send(self.board(limit));
            }
            Msg::Stats(tx) => {
                let mut s = self.stats;
                s.watched = self.index.by_receipt.len();
                s.queued = self.index.queue.len();
                let _ = tx.send(s);
            }
        }
    }

    async fn calendar(&mut self, region: &str) -> Option<Arc<Calendar>> {
        if let Some(c) = self.calendars.get(region) {
            return c.clone();
        }
        let code = RegionCode::parse(region).ok();
        let cal = match code {
            Some(c) => self.store.calendar(Some(c)).await.ok(),
            None => None,
        };
        if cal.is_none() {
            tracing::warn!(
                region,
                "supervision: no calendar for this region; its cases are not timed"
            );
        }
        self.calendars.insert(region.to_string(), cal.clone());
        cal
    }

    /// (Re)computes each case's marks; a finished case leaves the index (unless it owes a 整改).
    async fn watch(&mut self, cases: Vec<Watched>, announce: bool) {
        let now = self.clock.now();
        for w in cases {
            let old = self.index.remove(&w.receipt);
            let Some(cal) = self.calendar(&w.region).await else {
                continue;
            };
            let m = marks(&w, &cal, self.zone, &self.settings);
            // The colour as of now (an extension can turn red back to blue). Marks already
            // passed still fire below: their alerts are raised once, whatever happens again.
            let colour = case_colour(&w, &m, now, self.zone);
            let changed = old
                .as_ref()
                .map_or(colour != Colour::Blue, |o| o.colour != colour);
            if announce && changed {
                self.publish_colour(&w, None, colour, now);
            }
            // A finished case stays only while a 差评's 整改 is owed.
            if w.status.is_finished() && w.rectify_by.is_none() {
                continue;
            }
            self.index.insert(Item {
                w,
                marks: m,
                next: 0,
                colour,
            });
        }
    }

    fn publish_colour(&self, w: &Watched, task: Option<u32>, colour: Colour, at: Timestamp) {
        let _ = self.live.send(Live::Colour {
            receipt: w.receipt.clone(),
            task,
            department: w.department.clone(),
            power_name: w.power_name.clone(),
            colour,
            at,
        });
    }

    /// Fires every mark that is due, raises their alerts in one transaction, then publishes.
    async fn fire_due(&mut self) {
        let now = self.clock.now();
        let mut alerts: Vec<NewAlert> = Vec::new();
        let mut colours: Vec<(u32, Option<u32>, Colour)> = Vec::new();
        while let Some(&(at, slot)) = self.index.queue.first() {
            if at > now {
                break;
            }
            self.index.queue.pop_first();
            let Some(item) = self.index.slots[slot as usize].as_mut() else {
                continue;
            };
            while let Some(m) = item.marks.get(item.next).copied() {
                if m.at > now {
                    break;
                }
                item.next += 1;
                self.stats.marks_fired += 1;
                match m.due {
                    Due::Case(c) if c > item.colour => {
                        item.colour = c;
                        colours.push((slot, None, c));
                    }
                    Due::Task(t, c) => colours.push((slot, Some(t), c)),
                    _ => {}
                }
                if let Some(f) = m.finding(&item.w, &self.settings) {
                    alerts.push(new_alert(&item.w, f));
                }
            }
            if let Some(next) = item.next_at() {
                self.index.queue.insert((next, slot));
            }
        }
        self.raise(alerts, now).await;
        for (slot, task, colour) in colours {
            if let Some(item) = self.index.slots[slot as usize].as_ref() {
                self.publish_colour(&item.w, task, colour, now);
            }
        }
    }

    fn calendar_poll(&self) -> std::time::Duration {
        std::time::Duration::from_millis(self.settings.calendar_poll_ms.max(10))
    }

    /// Recomputes every mark when the calendars changed in the store since they were read
    /// (an import by another process; this process's own uploads call `recompute` at once).
    async fn calendars_moved(&mut self) {
        if self
            .generation_checked
            .is_some_and(|t| t.elapsed() < self.calendar_poll())
        {
            return;
        }
        self.generation_checked = Some(std::time::Instant::now());
        let Ok(now) = self.store.calendar_generation().await else {
            return;
        };
        match self.calendar_generation.replace(now) {
            Some(before) if before != now => {
                tracing::info!(
                    "supervision: the calendars changed; recomputing every case's marks"
                );
                self.handle(Msg::Recompute).await;
            }
            _ => {}
        }
    }

    /// Once a day (and at start): concentration and unanswered complaints.
    async fn daily(&mut self) {
        let now = self.clock.now();
        if self.next_daily.is_some_and(|t| now < t) {
            return;
        }
        let tomorrow = self
            .zone
            .date(now)
            .tomorrow()
            .unwrap_or(self.zone.date(now));
        self.next_daily = Some(self.zone.start_of(tomorrow));
        self.concentration(now).await;
        self.unanswered_complaints(now).await;
    }

    /// One person deciding too large a share of a department's cases over the last days raises
    /// a concentration alert (once per person and month).
    async fn concentration(&mut self, now: Timestamp) {
        let limit = &self.settings.concentration;
        if !self
            .settings
            .applies(sunlight_core::supervision::RuleId::Concentration, "", "")
        {
            return;
        }
        let from = now - jiff::SignedDuration::from_hours(24 * i64::from(limit.days));
        let counts = match self.store.decisions_by_person(from, now).await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(%e, "supervision: could not count decisions");
                return;
            }
        };
        let alerts: Vec<NewAlert> = limit
            .check(&counts, now, self.zone)
            .into_iter()
            .map(|(department, finding)| NewAlert {
                finding,
                power: String::new(),
                region: String::new(),
                department,
                source: "timer",
            })
            .collect();
        self.raise(alerts, now).await;
    }

    /// Complaints past their day to answer become alerts (once each: the key is the tracking
    /// number).
    async fn unanswered_complaints(&mut self, now: Timestamp) {
        use sunlight_core::supervision::RuleId;
        if !self.settings.applies(RuleId::ComplaintUnanswered, "", "") {
            return;
        }
        let overdue = match self.store.overdue_complaints(self.zone.date(now)).await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(%e, "supervision: could not read complaints");
                return;
            }
        };
        let mut alerts = Vec::with_capacity(overdue.len());
        for c in overdue {
            let Ok(due) = c.due.parse::<sunlight_core::Date>() else {
                continue;
            };
            let name = match sunlight_core::CreditCode::parse(&c.department) {
                Ok(code) => self
                    .store
                    .department(&code)
                    .await
                    .ok()
                    .flatten()
                    .map(|d| d.name)
                    .unwrap_or_else(|| c.department.clone()),
                Err(_) => c.department.clone(),
            };
            alerts.push(NewAlert {
                finding: sunlight_core::complaint::unanswered(&c.tracking, due, &name, self.zone),
                power: String::new(),
                region: String::new(),
                department: c.department,
                source: "timer",
            });
        }
        self.raise(alerts, now).await;
    }

    async fn raise(&mut self, alerts: Vec<NewAlert>, now: Timestamp) {
        if alerts.is_empty() {
            return;
        }
        match self.store.raise_alerts(&alerts, now).await {
            Ok(raised) => {
                self.stats.alerts_raised += raised.len() as u64;
                let fresh: std::collections::HashSet<&str> =
                    raised.iter().map(|a| a.key.as_str()).collect();
                for a in alerts
                    .iter()
                    .filter(|a| fresh.contains(a.finding.key.as_str()))
                {
                    let _ = self.live.send(live_alert(a));
                }
            }
            Err(e) => tracing::error!(%e, n = alerts.len(), "supervision: could not raise alerts"),
        }
    }

    fn board(&self, limit: usize) -> Board {
        let mut b = Board::default();
        let mut attention: Vec<&Item> = Vec::new();
        for item in self.index.slots.iter().flatten() {
            b.running += 1;
            let c = item.colour.as_str().to_string();
            *b.by_colour.entry(c.clone()).or_default() += 1;
            *b.by_department
                .entry(item.w.department.clone())
                .or_default()
                .entry(c)
                .or_default() += 1;
            if matches!(item.colour, Colour::Yellow | Colour::Red | Colour::RedCard) {
                attention.push(item);
            }
        }
        attention.sort_by(|a, b| {
            b.colour
                .cmp(&a.colour)
                .then_with(|| a.w.deadlines.committed.cmp(&b.w.deadlines.committed))
        });
        b.attention = attention
            .into_iter()
            .take(limit)
            .map(|i| BoardCase {
                receipt: i.w.receipt.clone(),
                power: i.w.power.clone(),
                power_name: i.w.power_name.clone(),
                department: i.w.department.clone(),
                colour: i.colour,
                committed: i.w.deadlines.committed.map(|d| d.to_string()),
                statutory: i.w.deadlines.statutory.map(|d| d.to_string()),
            })
            .collect();
        b
    }
}

pub(crate) fn new_alert(w: &Watched, finding: Finding) -> NewAlert {
    NewAlert {
        finding,
        power: w.power.clone(),
        region: w.region.clone(),
        department: w.department.clone(),
        source: "timer",
    }
}
