//! `sunlight bench engine`: the reference flow (accept → three parallel reviews → decide →
//! deliver: six tasks), N cases driven through the engine's public command and query interface
//! in process — submit, list the open tasks, finish each, until none is left (12 calls a case)
//! — from 1 and from 4 client threads, every acknowledged call durable (SQLite `synchronous =
//! FULL`; PostgreSQL's default synchronous commit), history and ledger on. Like the
//! connections of a load generator's thread, each client keeps `in_flight` cases going at once
//! (each case's calls strictly in order); the latency per case includes the queueing that
//! causes.
//!
//! Beside each run, the raw limit: the same rows (one ledger entry, one case row and about two
//! task rows per command) written by a bare loop of multi-row inserts with the same commit
//! pattern (the engine's average commands per commit), without reads, rules or hashing.

use crate::bench::{peak_rss_kb, verdict};
use anyhow::Context;
use std::sync::Arc;
use std::time::{Duration, Instant};
use sunlight_core::Timestamp;
use sunlight_core::clock::{ManualClock, Zone};
use sunlight_engine::{Engine, EngineConfig};
use sunlight_store::{CaseBatch, CaseWrite, NewEntry, Store};
use sunlight_testkit::reference;

pub struct Figures {
    pub cases_per_s: f64,
    pub p50: Duration,
    pub p99: Duration,
    pub calls_per_case: f64,
    pub commands_per_commit: f64,
    pub raw_cases_per_s: f64,
}

fn start() -> Timestamp {
    "2026-11-23T10:00:00+08:00"
        .parse()
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

/// A fresh database for one run: a file under `dir`, or a new database on the server.
pub(crate) async fn fresh(
    backend: &Backend<'_>,
    dir: &std::path::Path,
    n: usize,
) -> anyhow::Result<(Store, Option<String>)> {
    match backend {
        Backend::Sqlite => {
            let store = Store::connect(&format!(
                "sqlite:{}",
                dir.join(format!("engine-{n}.db")).display()
            ))
            .await?;
            store.migrate().await?;
            Ok((store, None))
        }
        Backend::Postgres(admin_url) => {
            let name = format!("sunlight_bench_{}_{n}", hex::encode(rand_bytes()));
            let admin = Store::connect(admin_url).await?;
            admin
                .execute_raw(&format!("CREATE DATABASE {name}"))
                .await?;
            admin.close().await;
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b)
                .unwrap_or(admin_url);
            let store = Store::connect(&format!("{base}/{name}")).await?;
            store.migrate().await?;
            Ok((store, Some(name)))
        }
    }
}

fn rand_bytes() -> [u8; 4] {
    let mut b = [0u8; 4];
    getrandom::fill(&mut b).unwrap_or_default();
    b
}

pub(crate) async fn dispose(
    backend: &Backend<'_>,
    store: Store,
    name: Option<String>,
) -> anyhow::Result<()> {
    store.close().await;
    if let (Backend::Postgres(admin_url), Some(name)) = (backend, name) {
        let admin = Store::connect(admin_url).await?;
        admin
            .execute_raw(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await?;
        admin.close().await;
    }
    Ok(())
}

pub enum Backend<'a> {
    Sqlite,
    Postgres(&'a str),
}

async fn run_once(
    backend: &Backend<'_>,
    dir: &std::path::Path,
    cases: usize,
    clients: usize,
    in_flight: usize,
) -> anyhow::Result<Figures> {
    let (store, name) = fresh(backend, dir, clients).await?;
    reference::seed(&store, start()).await?;
    let engine = Engine::start(
        store.clone(),
        Arc::new(ManualClock::new(start())),
        Zone::CHINA,
        EngineConfig::default(),
    );
    let today = Zone::CHINA.date(start());
    for i in 0..20 {
        reference::drive(&engine, 1_000_000 + i, today).await?;
    }
    let before = engine.stats();
    let t = Instant::now();
    // Each client is an OS thread with its own single-threaded runtime, running `in_flight`
    // cases at a time; all calls go to the one engine.
    let mut handles = Vec::new();
    for c in 0..clients {
        let engine = engine.clone();
        let share = cases / clients + usize::from(c < cases % clients);
        handles.push(std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async move {
                let next = std::rc::Rc::new(std::cell::Cell::new(0usize));
                let mut lanes = Vec::new();
                let local = tokio::task::LocalSet::new();
                for _ in 0..in_flight.min(share.max(1)) {
                    let (engine, next) = (engine.clone(), next.clone());
                    lanes.push(local.spawn_local(async move {
                        let mut lat = Vec::new();
                        let mut calls = 0usize;
                        loop {
                            let i = next.get();
                            if i >= share {
                                break;
                            }
                            next.set(i + 1);
                            let t = Instant::now();
                            calls += reference::drive(&engine, c * 1_000_000 + i, today).await?;
                            lat.push(t.elapsed());
                        }
                        Ok::<_, sunlight_engine::EngineError>((lat, calls))
                    }));
                }
                local
                    .run_until(async move {
                        let mut lat = Vec::new();
                        let mut calls = 0usize;
                        for l in lanes {
                            let (l, c) = l.await??;
                            lat.extend(l);
                            calls += c;
                        }
                        Ok::<_, anyhow::Error>((lat, calls))
                    })
                    .await
            })
        }));
    }
    let mut lat = Vec::with_capacity(cases);
    let mut calls = 0;
    for h in handles {
        let (l, c) = h
            .join()
            .map_err(|_| anyhow::anyhow!("a client thread panicked"))??;
        lat.extend(l);
        calls += c;
    }
    let wall = t.elapsed();
    let after = engine.stats();
    lat.sort();
    let commits = (after.commits - before.commits).max(1);
    let commands = after.commands - before.commands;
    let per_commit = commands as f64 / commits as f64;
    // The raw limit, on the same database, after the engine's rows.
    let raw = raw_limit(
        &engine,
        commands as usize,
        per_commit.round().max(1.0) as usize,
    )
    .await?;
    dispose(backend, store, name).await?;
    Ok(Figures {
        cases_per_s: cases as f64 / wall.as_secs_f64(),
        p50: lat[lat.len() / 2],
        p99: lat[(lat.len() * 99 / 100).min(lat.len() - 1)],
        calls_per_case: calls as f64 / cases as f64,
        commands_per_commit: per_commit,
        raw_cases_per_s: cases as f64 / raw.as_secs_f64(),
    })
}

/// Writes `commands` commands' rows in commits of `per_commit`, as a bare loop.
async fn raw_limit(
    engine: &Engine,
    commands: usize,
    per_commit: usize,
) -> anyhow::Result<Duration> {
    let store = engine.store();
    let (mut seq, _) = store.ledger_head().await?;
    // A real closed case gives the rows their real sizes: the first case in the log (after
    // the registry's publication entries).
    let mut first = None;
    for at in 0..seq {
        let e = store.entry(at).await?.context("an entry of the log")?;
        if let Some(r) = e.stream.strip_prefix("case/") {
            first = Some((sunlight_core::case::ReceiptNumber::parse(r)?, at));
            break;
        }
    }
    let (receipt, at) = first.context("no case in the log to copy")?;
    let template = engine
        .replay(&receipt)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no case to copy"))?;
    let payload = store
        .entry(at + 1)
        .await?
        .map(|e| e.payload)
        .unwrap_or_default();
    let t = Instant::now();
    let mut done = 0;
    let mut n = 0u64;
    while done < commands {
        let k = per_commit.min(commands - done);
        let mut batch = CaseBatch {
            at: Some(start()),
            ..Default::default()
        };
        for _ in 0..k {
            n += 1;
            let mut case = template.clone();
            case.opened.receipt = sunlight_core::case::ReceiptNumber::generate(
                &case.opened.region,
                Zone::CHINA.date(start()),
                [
                    0,
                    0,
                    (n >> 32) as u8,
                    (n >> 24) as u8,
                    (n >> 16) as u8,
                    (n >> 8) as u8,
                    n as u8,
                ],
            );
            batch.entries.push(NewEntry {
                stream: format!("case/{}", case.opened.receipt),
                kind: "case.task_completed".into(),
                actor: "chengban.zhou".into(),
                at: start(),
                payload: payload.clone(),
            });
            let tasks = case.tasks.iter().take(2).cloned().collect();
            batch.writes.push(CaseWrite {
                case: case.into(),
                expected: 0,
                tasks,
                outcome: Default::default(),
                owner: None,
            });
        }
        store.write_raw_batch(&batch, seq).await?;
        seq += k as u64;
        done += k;
    }
    Ok(t.elapsed())
}

pub async fn bench_engine(
    cases: usize,
    clients: &[usize],
    in_flight: usize,
    postgres: Option<&str>,
) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let mut backends = vec![("SQLite", Backend::Sqlite)];
    if let Some(url) = postgres {
        backends.push(("PostgreSQL", Backend::Postgres(url)));
    }
    println!(
        "reference flow: accept → 3 parallel reviews → decide → deliver; {cases} cases per run"
    );
    for (label, backend) in &backends {
        for &c in clients {
            let f = run_once(backend, dir.path(), cases, c, in_flight).await?;
            println!(
                "{label:<10} {c} client(s): {:>7.0} cases/s ({:.0} calls/s, {:.1} calls/case), p50 {:.2} ms, p99 {:.2} ms per case, {:.1} commands per commit; raw limit {:>7.0} cases/s ({:.0}% of it)",
                f.cases_per_s,
                f.cases_per_s * f.calls_per_case,
                f.calls_per_case,
                f.p50.as_secs_f64() * 1e3,
                f.p99.as_secs_f64() * 1e3,
                f.commands_per_commit,
                f.raw_cases_per_s,
                100.0 * f.cases_per_s / f.raw_cases_per_s
            );
            if c == 4 {
                let target = if matches!(backend, Backend::Sqlite) {
                    2000.0
                } else {
                    500.0
                };
                println!(
                    "           target ≥ {target:.0} cases/s with 4 clients … {}; ≥ half the raw limit … {}",
                    verdict(f.cases_per_s >= target),
                    verdict(f.cases_per_s * 2.0 >= f.raw_cases_per_s)
                );
            }
        }
    }
    if let Some(kb) = peak_rss_kb() {
        println!(
            "peak RSS of the benchmark process: {:.0} MB",
            kb as f64 / 1024.0
        );
    }
    Ok(())
}
