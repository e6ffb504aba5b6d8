//! Outside feeds: business systems' case events, taken once each, folded into their cases by
//! `supervision::feed`, ledgered (`feed/<source>/<case>`), with the alerts they raise, in one
//! transaction per batch.

use crate::alerts::{NewAlert, insert_alerts};
use crate::ledger::NewEntry;
use crate::{Result, Store, StoreError, sql};
use sha2::Digest;
use sqlx::Row;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use sunlight_core::calendar::Calendar;
use sunlight_core::case::CaseStatus;
use sunlight_core::clock::Zone;
use sunlight_core::discretion::Benchmark;
use sunlight_core::power::Power;
use sunlight_core::supervision::feed::{FeedCase, FeedContext, FeedEvent, FeedKind};
use sunlight_core::supervision::{Finding, Settings, Watched};
use sunlight_core::{RegionCode, Timestamp};
use sunlight_ledger::entry::canonical_json;

/// The columns of a `feed_cases` row, in the order `ingest_feed` binds them.
const FEED_CASE_COLUMNS: &str = "source, case_id, power, department, region, state, watch, status,
    submitted_at, finished_at, accepted_on, committed_days, statutory_days, actual_days, on_time,
    updated_at";
const FEED_CASE_COLS: usize = 16;
const FEED_CASE_UPDATE: &str = "power = excluded.power, region = excluded.region,
    state = excluded.state, watch = excluded.watch, status = excluded.status,
    submitted_at = excluded.submitted_at, finished_at = excluded.finished_at,
    accepted_on = excluded.accepted_on, committed_days = excluded.committed_days,
    statutory_days = excluded.statutory_days, actual_days = excluded.actual_days,
    on_time = excluded.on_time, updated_at = excluded.updated_at";

/// A fed case's columns for the figures: the same as an engine case's in `cases`
/// (`docs/figures.md`), from [`FeedCase::outcome`].
struct FedFigures {
    status: &'static str,
    submitted_at: Option<i64>,
    finished_at: Option<i64>,
    accepted_on: Option<String>,
    committed_days: Option<i64>,
    statutory_days: Option<i64>,
    actual_days: Option<i64>,
    on_time: Option<i64>,
}

impl FedFigures {
    fn of(c: &FeedCase, power: Option<&Power>, cal: &Calendar, zone: Zone) -> Self {
        let o = c.outcome(power, cal);
        let status = c.status();
        Self {
            status: status.as_str(),
            submitted_at: c.received_at(zone).map(sql::millis),
            finished_at: c
                .delivered_on
                .filter(|_| status == CaseStatus::Closed)
                .map(|d| sql::millis(zone.start_of(d))),
            accepted_on: o.accepted_on.map(|d| d.to_string()),
            committed_days: o.committed_days.map(i64::from),
            statutory_days: o.statutory_days.map(i64::from),
            actual_days: o.actual_days.map(i64::from),
            on_time: o.on_time.map(i64::from),
        }
    }
}

/// A registered business system.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedSource {
    pub name: String,
    pub department: String,
    pub region: String,
    pub created_by: String,
    pub created_at_ms: i64,
}

/// What a batch did.
#[derive(Debug, Clone, Default, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedReceipt {
    /// Events taken now.
    pub accepted: usize,
    /// `source_id`s taken before (by an earlier batch or earlier in this one): nothing written.
    pub duplicates: Vec<String>,
    /// Rules the accepted events broke.
    pub findings: Vec<Finding>,
    /// Supervision's view of each case touched, for the monitor.
    #[serde(skip)]
    pub watched: Vec<Watched>,
    /// The alerts raised, for the live stream.
    #[serde(skip)]
    pub alerts: Vec<NewAlert>,
}

pub fn token_hash(token: &str) -> String {
    hex::encode(sha2::Sha256::digest(token.trim().as_bytes()))
}

fn source_row(r: &sqlx::any::AnyRow) -> Result<FeedSource> {
    Ok(FeedSource {
        name: r.try_get("name")?,
        department: r.try_get("department")?,
        region: r.try_get("region")?,
        created_by: r.try_get("created_by")?,
        created_at_ms: r.try_get("created_at")?,
    })
}

impl Store {
    /// Registers a business system of a department; `token` (made by the caller, shown once)
    /// is kept only as its hash.
    pub async fn add_feed_source(
        &self,
        name: &str,
        department: &str,
        token: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<FeedSource> {
        let code = sunlight_core::CreditCode::parse(department)?;
        let dept = self
            .department(&code)
            .await?
            .ok_or_else(|| StoreError::not_found("department", department))?;
        sqlx::query(
            "INSERT INTO feed_sources (name, department, region, token_hash, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(name)
        .bind(department)
        .bind(dept.region.as_str())
        .bind(token_hash(token))
        .bind(by)
        .bind(sql::millis(now))
        .execute(&self.writer)
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::Conflict(sunlight_core::zh_en!(
                    "名为“{name}”的数据接入已存在",
                    "a feed named «{name}» exists already"
                ))
            }
            other => StoreError::from(other),
        })?;
        self.feed_source_named(name)
            .await?
            .ok_or_else(|| StoreError::not_found("feed", name))
    }

    pub async fn feed_sources(&self) -> Result<Vec<FeedSource>> {
        sqlx::query("SELECT * FROM feed_sources ORDER BY name")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(source_row)
            .collect()
    }

    async fn feed_source_named(&self, name: &str) -> Result<Option<FeedSource>> {
        let row = sqlx::query("SELECT * FROM feed_sources WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(source_row).transpose()
    }

    /// The source a token belongs to.
    pub async fn feed_source_by_token(&self, token: &str) -> Result<Option<FeedSource>> {
        let row = sqlx::query("SELECT * FROM feed_sources WHERE token_hash = $1")
            .bind(token_hash(token))
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(source_row).transpose()
    }

    /// Takes a batch of validated events from `source`: each new one is folded into its case,
    /// ledgered, and its findings raised as alerts, all in one transaction. Events whose
    /// `source_id` was taken before are reported as duplicates and change nothing.
    pub async fn ingest_feed(
        &self,
        source: &FeedSource,
        events: &[FeedEvent],
        settings: &Settings,
        zone: Zone,
        now: Timestamp,
    ) -> Result<FeedReceipt> {
        // What the rules need, read before taking the write lock.
        let mut powers: HashMap<&str, Option<Arc<Power>>> = HashMap::new();
        let mut benchmarks: HashMap<&str, Option<Benchmark>> = HashMap::new();
        let mut checkouts: HashMap<&str, Option<i64>> = HashMap::new();
        for e in events {
            let code = e.power.as_str();
            if powers.contains_key(code) {
                continue;
            }
            let p = self.power(code, None).await?.map(|v| Arc::new(v.power));
            if p.as_ref()
                .is_some_and(|p| p.usage == sunlight_core::Usage::Uncommon)
            {
                checkouts.insert(code, self.open_checkout(code, now).await?.map(|c| c.id));
            }
            if p.as_ref()
                .is_some_and(|p| p.category == sunlight_core::PowerCategory::Penalty)
            {
                benchmarks.insert(code, self.benchmark(code).await?.map(|(_, b)| b));
            }
            powers.insert(code, p);
        }
        // A system reports its own department's cases only.
        let foreign: Vec<sunlight_core::FieldError> = events
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let p = powers.get(e.power.as_str())?.as_ref()?;
                (p.department.as_str() != source.department).then(|| {
                    sunlight_core::FieldError::new(
                        format!("events[{i}].power"),
                        sunlight_core::zh_en!(
                            "事项 {power} 属于部门 {d}，不属于本接入所属部门（{mine}）",
                            "{power} belongs to department {d}, not to this feed's ({mine})",
                            power = &e.power,
                            d = &p.department,
                            mine = &source.department,
                        ),
                    )
                })
            })
            .collect();
        if !foreign.is_empty() {
            return Err(sunlight_core::DomainError::Invalid(foreign).into());
        }
        let region = RegionCode::parse(&source.region)
            .map_err(|e| StoreError::Corrupt(format!("feed {} region: {e}", source.name)))?;
        let calendar: Arc<Calendar> = self.calendar(Some(region)).await?;
        let mut relations = sunlight_core::supervision::Relations::new();
        for r in self.relations(None).await? {
            relations.entry(r.staff).or_default().insert(r.party);
        }

        let mut tx = self.begin_ledger().await?;
        let ids: Vec<&str> = events.iter().map(|e| e.source_id.as_str()).collect();
        let mut taken: HashSet<String> = HashSet::new();
        // Ids are unique per source: rows of other sources with the same ids are not ours.
        for r in sql::rows_in(
            &mut tx.tx,
            "SELECT source, source_id FROM feed_events WHERE source_id IN",
            &ids,
            "",
        )
        .await?
        {
            if r.try_get::<String, _>("source")? == source.name {
                taken.insert(r.try_get("source_id")?);
            }
        }
        let case_ids: Vec<&str> = {
            let mut v: Vec<&str> = events.iter().map(|e| e.case.as_str()).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let mut cases: HashMap<String, FeedCase> = HashMap::new();
        for r in sql::rows_in(
            &mut tx.tx,
            "SELECT source, case_id, state FROM feed_cases WHERE case_id IN",
            &case_ids,
            "",
        )
        .await?
        {
            if r.try_get::<String, _>("source")? != source.name {
                continue;
            }
            let id: String = r.try_get("case_id")?;
            cases.insert(
                id,
                sql::json("feed case", &r.try_get::<String, _>("state")?)?,
            );
        }
        let mut receipt = FeedReceipt::default();
        let mut entries: Vec<NewEntry> = Vec::new();
        let mut rows: Vec<&FeedEvent> = Vec::new();
        let mut touched: Vec<String> = Vec::new();
        let mut used_checkouts: Vec<(i64, String)> = Vec::new();
        for e in events {
            if !taken.insert(e.source_id.clone()) {
                receipt.duplicates.push(e.source_id.clone());
                continue;
            }
            let case = cases.entry(e.case.clone()).or_insert_with(|| {
                FeedCase::new(&source.name, &e.case, &source.department, &source.region)
            });
            let power = powers.get(e.power.as_str()).cloned().flatten();
            let checkout = checkouts.get(e.power.as_str()).copied().flatten();
            let ctx = FeedContext {
                power: power.as_deref(),
                calendar: &calendar,
                zone,
                checkout_open: checkout
                    .is_some_and(|id| !used_checkouts.iter().any(|(u, _)| *u == id)),
                benchmark: benchmarks.get(e.power.as_str()).and_then(Option::as_ref),
                settings,
                relations: &relations,
            };
            if e.kind == FeedKind::Application
                && ctx.checkout_open
                && let Some(id) = checkout
            {
                used_checkouts.push((id, case.subject.clone()));
            }
            for f in case.apply(e, &ctx) {
                receipt.alerts.push(NewAlert {
                    finding: f.clone(),
                    power: e.power.clone(),
                    region: source.region.clone(),
                    department: source.department.clone(),
                    source: "feed",
                });
                receipt.findings.push(f);
            }
            entries.push(NewEntry {
                stream: format!("feed/{}/{}", source.name, e.case),
                kind: format!("feed.{}", e.kind.as_str()),
                actor: if e.handler.is_empty() {
                    source.name.clone()
                } else {
                    e.handler.clone()
                },
                at: e.at,
                payload: canonical_json(&serde_json::to_value(e).unwrap_or_default()),
            });
            rows.push(e);
            if !touched.contains(&e.case) {
                touched.push(e.case.clone());
            }
        }
        receipt.accepted = rows.len();
        if rows.is_empty() {
            tx.commit().await?;
            return Ok(receipt);
        }
        let (alert_entries, _) = insert_alerts(&mut tx.tx, &receipt.alerts, now).await?;
        let first = {
            let first_case_entries = entries.len();
            entries.extend(alert_entries);
            let r = tx.append(&entries).await?;
            entries.truncate(first_case_entries);
            r
        };
        let marks = sql::Marks::of(&tx.tx);
        for (n, chunk) in rows.chunks(sql::batch_rows(6)).enumerate() {
            let stmt = format!(
                "INSERT INTO feed_events (source, source_id, case_id, kind, at, seq) VALUES {}",
                sql::values(marks, chunk.len(), 6)
            );
            let mut q = sqlx::query(sql::dynamic(stmt));
            for (i, e) in chunk.iter().enumerate() {
                let k = n * sql::batch_rows(6) + i;
                q = q
                    .bind(source.name.as_str())
                    .bind(e.source_id.as_str())
                    .bind(e.case.as_str())
                    .bind(e.kind.as_str())
                    .bind(sql::millis(e.at))
                    .bind((first + k as u64) as i64);
            }
            q.execute(&mut *tx.tx).await?;
        }
        let touched_cases: Vec<(&String, &FeedCase)> = touched
            .iter()
            .filter_map(|id| cases.get(id).map(|c| (id, c)))
            .collect();
        for chunk in touched_cases.chunks(sql::batch_rows(FEED_CASE_COLS)) {
            let stmt = format!(
                "INSERT INTO feed_cases ({FEED_CASE_COLUMNS}) VALUES {}
                 ON CONFLICT (source, case_id) DO UPDATE SET {FEED_CASE_UPDATE}",
                sql::values(marks, chunk.len(), FEED_CASE_COLS)
            );
            let mut q = sqlx::query(sql::dynamic(stmt));
            for (id, c) in chunk {
                let w = c.watched(zone);
                let watch = (!w.status.is_finished()).then(|| sql::to_json(&w));
                receipt.watched.push(w);
                let power = powers.get(c.power.as_str()).cloned().flatten();
                let f = FedFigures::of(c, power.as_deref(), &calendar, zone);
                q = q
                    .bind(source.name.as_str())
                    .bind(id.as_str())
                    .bind(c.power.as_str())
                    .bind(source.department.as_str())
                    .bind(source.region.as_str())
                    .bind(sql::to_json(c))
                    .bind(watch)
                    .bind(f.status)
                    .bind(f.submitted_at)
                    .bind(f.finished_at)
                    .bind(f.accepted_on)
                    .bind(f.committed_days)
                    .bind(f.statutory_days)
                    .bind(f.actual_days)
                    .bind(f.on_time)
                    .bind(sql::millis(now));
            }
            q.execute(&mut *tx.tx).await?;
        }
        for (id, subject) in &used_checkouts {
            sqlx::query("UPDATE checkouts SET state = 'used', used_by = $1 WHERE id = $2 AND state = 'open'")
                .bind(subject.as_str())
                .bind(*id)
                .execute(&mut *tx.tx)
                .await?;
        }
        tx.commit().await?;
        self.bus.publish(&crate::Change::Cases {
            watched: receipt.watched.clone(),
            alerts: receipt.alerts.clone(),
        });
        Ok(receipt)
    }

    /// Fills the figures of the fed cases stored before they were kept (migration 0008: their
    /// `status` is null) from their state, on their region's calendar; answers how many. `serve`
    /// runs it at start; every ingestion writes them, so afterwards there are none, and finding
    /// that out reads one empty index.
    pub async fn fill_feed_figures(&self, zone: Zone) -> Result<u64> {
        let mut powers: HashMap<String, Option<Power>> = HashMap::new();
        let mut filled = 0;
        loop {
            let rows = sqlx::query(
                "SELECT source, case_id, state FROM feed_cases WHERE status IS NULL
                 ORDER BY source, case_id LIMIT 500",
            )
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                return Ok(filled);
            }
            let mut page = Vec::with_capacity(rows.len());
            for r in &rows {
                let c: FeedCase = sql::json("feed case", &r.try_get::<String, _>("state")?)?;
                if !powers.contains_key(&c.power) {
                    let p = self.power(&c.power, None).await?.map(|v| v.power);
                    powers.insert(c.power.clone(), p);
                }
                let region = RegionCode::parse(&c.region)
                    .map_err(|e| StoreError::Corrupt(format!("feed case {}: {e}", c.subject)))?;
                let calendar = self.calendar(Some(region)).await?;
                let f = FedFigures::of(&c, powers[&c.power].as_ref(), &calendar, zone);
                let (source, case_id): (String, String) =
                    (r.try_get("source")?, r.try_get("case_id")?);
                page.push((source, case_id, c.region, f));
            }
            let mut tx = self.write_tx().await?;
            for (source, case_id, region, f) in page {
                filled += sqlx::query(
                    "UPDATE feed_cases SET region = $1, status = $2, submitted_at = $3,
                        finished_at = $4, accepted_on = $5, committed_days = $6,
                        statutory_days = $7, actual_days = $8, on_time = $9
                     WHERE source = $10 AND case_id = $11 AND status IS NULL",
                )
                .bind(region)
                .bind(f.status)
                .bind(f.submitted_at)
                .bind(f.finished_at)
                .bind(f.accepted_on)
                .bind(f.committed_days)
                .bind(f.statutory_days)
                .bind(f.actual_days)
                .bind(f.on_time)
                .bind(source)
                .bind(case_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
        }
    }

    /// A fed case as its events left it.
    pub async fn feed_case(&self, source: &str, case: &str) -> Result<Option<FeedCase>> {
        let row = sqlx::query("SELECT state FROM feed_cases WHERE source = $1 AND case_id = $2")
            .bind(source)
            .bind(case)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| sql::json("feed case", &r.try_get::<String, _>("state")?))
            .transpose()
    }
}
