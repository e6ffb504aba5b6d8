//! `sunlight bench supervision`: a million running cases in the monitor, the supervised clock
//! moved forward a working day at a time, and how long each alert takes from its deadline
//! instant (the clock passing it) to being committed and published on the live stream.
//! Also: the time and memory to load the cases, and CPU use while nothing is due.
//!
//! The cases are generated straight into the monitor (the engine would take a quarter of an
//! hour to create a million); the alerts go to a real SQLite store, ledger and all.

use std::sync::Arc;
use std::time::{Duration, Instant};
use sunlight_core::case::{CaseStatus, Deadlines};
use sunlight_core::clock::{Clock, ManualClock, Zone};
use sunlight_core::supervision::{Settings, Watched, WatchedTask};
use sunlight_core::{Date, Timestamp};
use sunlight_engine::{Live, Monitor};
use sunlight_store::Store;

/// Process CPU time (user + system) so far.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, r)| r.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 (1-based), i.e. 11 and 12 after the ')'.
    let total = ticks(11) + ticks(12);
    Duration::from_millis(total * 10) // USER_HZ is 100 on Linux
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// Outside events through `Store::ingest_feed` in batches of 1,000: five per case
/// (application, acceptance, step start and end, result), ledgered, rules checked.
async fn bench_feeds(store: &Store, events: usize, t0: Timestamp) -> anyhow::Result<()> {
    use sunlight_core::supervision::feed::{FeedEvent, FeedKind, FeedVerdict};
    let dept = sunlight_testkit::reference::department().to_string();
    let source = store
        .add_feed_source("bench-jst", &dept, "slf_bench", "bench", t0)
        .await?;
    let kinds = [
        FeedKind::Application,
        FeedKind::Acceptance,
        FeedKind::StepStart,
        FeedKind::StepEnd,
        FeedKind::Result,
    ];
    let event = |i: usize| {
        let kind = kinds[i % kinds.len()];
        FeedEvent {
            source_id: format!("EV{i:09}"),
            case: format!("JST-2026-{:06}", i / kinds.len()),
            power: sunlight_testkit::reference::POWER.into(),
            kind,
            at: t0 + jiff::SignedDuration::from_mins((i % kinds.len()) as i64 * 30),
            handler: if kind == FeedKind::Result {
                "zhao.shou".into()
            } else {
                "wang.wu".into()
            },
            actors: vec![],
            step: if matches!(kind, FeedKind::StepStart | FeedKind::StepEnd) {
                "规划审查".into()
            } else {
                String::new()
            },
            reason: String::new(),
            legal_basis: String::new(),
            days: None,
            approver: String::new(),
            verdict: (kind == FeedKind::Result).then_some(FeedVerdict::Approve),
            fee_item: String::new(),
            amount_fen: None,
            violation: String::new(),
            tier: None,
            penalty_fen: None,
            party: String::new(),
        }
    };
    let settings = Settings::default();
    let t = Instant::now();
    let mut done = 0;
    while done < events {
        let batch: Vec<FeedEvent> = (done..(done + 1000).min(events)).map(event).collect();
        let r = store
            .ingest_feed(&source, &batch, &settings, Zone::CHINA, t0)
            .await?;
        anyhow::ensure!(r.accepted == batch.len(), "events refused: {r:?}");
        done += batch.len();
    }
    let secs = t.elapsed().as_secs_f64();
    let rate = events as f64 / secs;
    println!(
        "outside events: {events} ingested in {secs:.1} s ({rate:.0} events/s, batches of 1,000, each ledgered); target ≥ 10,000 events/s … {}",
        crate::bench::verdict(rate >= 10_000.0)
    );
    Ok(())
}

pub async fn bench_supervision(cases: usize, days: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let store = Store::connect(&format!(
        "sqlite:{}",
        dir.path().join("supervision.db").display()
    ))
    .await?;
    store.migrate().await?;
    let t0: Timestamp = "2026-01-05T09:00:00+08:00".parse()?;
    sunlight_testkit::reference::seed(&store, t0).await?;
    let zone = Zone::CHINA;
    let cal = store
        .calendar(Some(sunlight_core::RegionCode::parse("330183")?))
        .await?;
    // Working days from 5 Jan 2026 on: deadlines are spread over the next 200 of them.
    let mut working: Vec<Date> = Vec::new();
    let mut d = zone.date(t0);
    while working.len() < 215 {
        d = d.tomorrow()?;
        if cal.is_working_day(d)? {
            working.push(d);
        }
    }
    bench_feeds(&store, 100_000, t0).await?;
    println!(
        "electronic supervision: {cases} running cases, deadlines spread over 200 working days"
    );
    let clock = Arc::new(ManualClock::new(t0));
    let monitor = Monitor::start(
        store.clone(),
        clock.clone(),
        zone,
        Settings::default(),
        false,
    );
    let mut live = monitor.subscribe();
    let departments: Vec<String> = (0..40).map(|i| format!("11330183MB{i:07}X")).collect();

    let rss_before = crate::bench::peak_rss_kb().unwrap_or(0);
    let t = Instant::now();
    let mut n = 0usize;
    while n < cases {
        let chunk: Vec<Watched> = (n..(n + 10_000).min(cases))
            .map(|i| {
                let committed = working[i % 200];
                let statutory = working[(i % 200) + 10];
                let task_due = working[(i * 7) % 200];
                Watched {
                    receipt: format!("330183-260105-{:05}-{:05}", i / 100_000, i % 100_000),
                    power: "330183-XK-09001".into(),
                    power_name: "建筑工程施工许可".into(),
                    region: "330183".into(),
                    department: departments[i % departments.len()].clone(),
                    status: CaseStatus::InProgress,
                    submitted_at: t0,
                    supplement_notices: 0,
                    deadlines: Deadlines {
                        committed: Some(committed),
                        statutory: Some(statutory),
                    },
                    decided_on: None,
                    delivered: false,
                    finished_at: None,
                    tasks: vec![WatchedTask {
                        id: 2,
                        name: "技术审查".into(),
                        due: Some(task_due),
                    }],
                    suspended: None,
                    rectify_by: None,
                }
            })
            .collect();
        n += chunk.len();
        store.bus().publish(&sunlight_store::Change::Cases {
            watched: chunk,
            alerts: vec![],
        });
    }
    let stats = loop {
        let s = monitor.stats().await;
        if s.watched >= cases {
            break s;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let load = t.elapsed();
    let rss = crate::bench::peak_rss_kb().unwrap_or(0);
    println!(
        "loaded {} cases ({} queued) in {:.1} s; peak RSS {} MB (+{} MB for the cases)",
        stats.watched,
        stats.queued,
        load.as_secs_f64(),
        rss / 1024,
        rss.saturating_sub(rss_before) / 1024
    );
    // Nothing is due (the first yellow is days away): the monitor should sleep.
    while live.try_recv().is_ok() {}
    let wakes = monitor.stats().await.wakeups;
    let (cpu0, wall0) = (cpu_time(), Instant::now());
    tokio::time::sleep(Duration::from_secs(5)).await;
    let idle_cpu = (cpu_time() - cpu0).as_secs_f64() / wall0.elapsed().as_secs_f64();
    let idle_wakes = monitor.stats().await.wakeups - wakes;
    println!(
        "idle for 5 s: CPU {:.2}% of one core, {} wake-ups",
        idle_cpu * 100.0,
        idle_wakes
    );

    // Move the clock to 00:00 of each next working day and time every alert.
    let mut latencies: Vec<Duration> = Vec::new();
    let mut worst_step = (Duration::ZERO, 0usize);
    for day in working.iter().take(days) {
        let at = zone.start_of(*day);
        if at <= clock.now() {
            continue;
        }
        let jumped = Instant::now();
        clock.set(at);
        let mut in_step = 0usize;
        // Alerts come out within the step; a quiet half second means the step is done.
        loop {
            match tokio::time::timeout(Duration::from_millis(500), live.recv()).await {
                Ok(Ok(Live::Alert { breach_at, .. })) => {
                    debug_assert!(breach_at <= at);
                    latencies.push(jumped.elapsed());
                    in_step += 1;
                }
                Ok(Ok(_)) => {}
                Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(k))) => {
                    anyhow::bail!("the live stream dropped {k} events: the bench cannot keep up")
                }
                Ok(Err(_)) => anyhow::bail!("the monitor stopped"),
                Err(_) => break,
            }
        }
        let step = latencies.last().copied().unwrap_or_default();
        if step > worst_step.0 {
            worst_step = (step, in_step);
        }
    }
    latencies.sort();
    let s = monitor.stats().await;
    let p99 = percentile(&latencies, 0.99);
    println!(
        "{} days advanced: {} alerts raised ({} marks fired); deadline → alert committed and published: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms (the worst day raised {} at once)",
        days,
        latencies.len(),
        s.marks_fired,
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        percentile(&latencies, 1.0).as_secs_f64() * 1e3,
        worst_step.1,
    );
    println!(
        "targets: p99 < 1 s … {}; idle CPU near zero (< 1% of a core) … {}",
        crate::bench::verdict(p99 < Duration::from_secs(1)),
        crate::bench::verdict(idle_cpu < 0.01)
    );
    println!(
        "peak RSS of the benchmark process: {} MB",
        crate::bench::peak_rss_kb().unwrap_or(0) / 1024
    );
    Ok(())
}
