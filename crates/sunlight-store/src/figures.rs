//! The statistics of electronic supervision, computed from what happened: each case's figures
//! (`cases.accepted_on`, `actual_days`, `on_time`, `rating` …, written with the case; the same
//! columns of `feed_cases`, written with each fed case) and the alerts. Every figure is defined
//! in `docs/figures.md`.

use crate::{Result, Store, sql};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::BTreeMap;
use sunlight_core::power::TimeUnit;
use sunlight_core::{Date, PowerStatus};

/// How to cut the figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum GroupBy {
    #[default]
    Department,
    Power,
    Region,
}

impl GroupBy {
    fn column(self) -> &'static str {
        match self {
            Self::Department => "department",
            Self::Power => "power",
            Self::Region => "region",
        }
    }
}

/// The period `[from, to)` (dates in the zone), what to group by, and optional filters.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
pub struct FigureQuery {
    #[cfg_attr(feature = "openapi", param(value_type = String, format = Date))]
    pub from: Date,
    /// Exclusive.
    #[cfg_attr(feature = "openapi", param(value_type = String, format = Date))]
    pub to: Date,
    #[serde(default)]
    pub group_by: GroupBy,
    pub department: Option<String>,
    pub power: Option<String>,
    pub region: Option<String>,
}

impl FigureQuery {
    /// Every group's figures over `from..to` (no filter).
    pub fn period(from: Date, to: Date, group_by: GroupBy) -> Self {
        Self {
            from,
            to,
            group_by,
            department: None,
            power: None,
            region: None,
        }
    }
}

/// One group's figures over the period.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Figures {
    /// The department, power or region code.
    pub key: String,
    pub received: i64,
    pub accepted: i64,
    pub completed: i64,
    pub completed_on_time: i64,
    pub completed_early: i64,
    /// 按时办结率: completed on or before the committed deadline / completed.
    pub on_time_rate: Option<f64>,
    /// 提前办结率: completed in fewer working days than committed / completed.
    pub early_rate: Option<f64>,
    /// Mean working days taken, committed and statutory, over the completed cases.
    pub avg_actual_days: Option<f64>,
    pub avg_committed_days: Option<f64>,
    pub avg_statutory_days: Option<f64>,
    /// 1 − actual / committed, and 1 − actual / statutory ("62% faster than committed").
    pub faster_than_committed: Option<f64>,
    pub faster_than_statutory: Option<f64>,
    pub ratings: i64,
    pub avg_rating: Option<f64>,
    /// 满意率: ratings of 4 or 5 / ratings.
    pub satisfied_rate: Option<f64>,
    /// Alerts raised in the period, by rule.
    pub alerts: BTreeMap<String, i64>,
}

/// The power list's limits added up (the reports' 5,322 → 2,477 days, −53%).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListLimits {
    /// Powers in force with both limits in working days.
    pub powers: u64,
    pub statutory_days: u64,
    pub committed_days: u64,
    /// 1 − committed / statutory.
    pub reduction: Option<f64>,
}

fn ratio(a: i64, b: i64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

impl Store {
    pub async fn figures(
        &self,
        q: &FigureQuery,
        zone: sunlight_core::clock::Zone,
    ) -> Result<Vec<Figures>> {
        if q.to <= q.from {
            return Err(sunlight_core::DomainError::field(
                "to",
                sunlight_core::zh_en!("截止日期应晚于起始日期", "the period ends after it starts"),
            )
            .into());
        }
        let (from_ms, to_ms) = (
            sql::millis(zone.start_of(q.from)),
            sql::millis(zone.start_of(q.to)),
        );
        let (from_d, to_d) = (q.from.to_string(), q.to.to_string());
        let key = q.group_by.column();
        let mut filters = String::new();
        let mut binds: Vec<&str> = Vec::new();
        for (col, v) in [
            ("department", &q.department),
            ("power", &q.power),
            ("region", &q.region),
        ] {
            if let Some(v) = v {
                binds.push(v.as_str());
                filters.push_str(&format!(" AND {col} = ${}", binds.len()));
            }
        }
        // Dates and instants are typed values written into the statement; the filters are bound.
        // Sums are cast back to BIGINT (PostgreSQL sums BIGINTs as NUMERIC). The engine's cases
        // and fed ones have the same figure columns; fed systems send no ratings.
        let period = format!(
            "((submitted_at >= {from_ms} AND submitted_at < {to_ms})
                OR (accepted_on >= '{from_d}' AND accepted_on < '{to_d}')
                OR (finished_at >= {from_ms} AND finished_at < {to_ms})){filters}"
        );
        let cols = "department, power, region, status, submitted_at, accepted_on, finished_at,
            on_time, actual_days, committed_days, statutory_days";
        let done =
            format!("status = 'closed' AND finished_at >= {from_ms} AND finished_at < {to_ms}");
        let stmt = format!(
            "SELECT {key} AS key,
                CAST(SUM(CASE WHEN submitted_at >= {from_ms} AND submitted_at < {to_ms} THEN 1 ELSE 0 END) AS BIGINT) AS received,
                CAST(SUM(CASE WHEN accepted_on >= '{from_d}' AND accepted_on < '{to_d}' THEN 1 ELSE 0 END) AS BIGINT) AS accepted,
                CAST(SUM(CASE WHEN {done} THEN 1 ELSE 0 END) AS BIGINT) AS completed,
                CAST(SUM(CASE WHEN {done} AND on_time = 1 THEN 1 ELSE 0 END) AS BIGINT) AS on_time,
                CAST(SUM(CASE WHEN {done} AND actual_days < committed_days THEN 1 ELSE 0 END) AS BIGINT) AS early,
                CAST(SUM(CASE WHEN {done} AND actual_days IS NOT NULL AND committed_days IS NOT NULL AND statutory_days IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS timed,
                CAST(SUM(CASE WHEN {done} AND committed_days IS NOT NULL AND statutory_days IS NOT NULL THEN actual_days ELSE 0 END) AS BIGINT) AS actual_sum,
                CAST(SUM(CASE WHEN {done} AND actual_days IS NOT NULL AND statutory_days IS NOT NULL THEN committed_days ELSE 0 END) AS BIGINT) AS committed_sum,
                CAST(SUM(CASE WHEN {done} AND actual_days IS NOT NULL AND committed_days IS NOT NULL THEN statutory_days ELSE 0 END) AS BIGINT) AS statutory_sum,
                CAST(SUM(CASE WHEN {done} AND rating IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) AS ratings,
                CAST(SUM(CASE WHEN {done} AND rating IS NOT NULL THEN rating ELSE 0 END) AS BIGINT) AS rating_sum,
                CAST(SUM(CASE WHEN {done} AND rating >= 4 THEN 1 ELSE 0 END) AS BIGINT) AS satisfied
             FROM (SELECT {cols}, rating FROM cases WHERE {period}
                   UNION ALL
                   SELECT {cols}, CAST(NULL AS BIGINT) AS rating FROM feed_cases WHERE {period}) AS c
             GROUP BY {key} ORDER BY {key}"
        );
        let mut query = sqlx::query(sql::dynamic(stmt));
        for b in &binds {
            query = query.bind(*b);
        }
        let int = |r: &sqlx::any::AnyRow, c: &str| -> Result<i64> {
            Ok(r.try_get::<Option<i64>, _>(c)?.unwrap_or(0))
        };
        let mut out: BTreeMap<String, Figures> = BTreeMap::new();
        for r in query.fetch_all(&self.pool).await? {
            let completed = int(&r, "completed")?;
            let timed = int(&r, "timed")?;
            let (actual, committed, statutory) = (
                int(&r, "actual_sum")?,
                int(&r, "committed_sum")?,
                int(&r, "statutory_sum")?,
            );
            let ratings = int(&r, "ratings")?;
            let f = Figures {
                key: r.try_get("key")?,
                received: int(&r, "received")?,
                accepted: int(&r, "accepted")?,
                completed,
                completed_on_time: int(&r, "on_time")?,
                completed_early: int(&r, "early")?,
                on_time_rate: ratio(int(&r, "on_time")?, completed),
                early_rate: ratio(int(&r, "early")?, completed),
                avg_actual_days: ratio(actual, timed),
                avg_committed_days: ratio(committed, timed),
                avg_statutory_days: ratio(statutory, timed),
                faster_than_committed: ratio(actual, committed).map(|x| 1.0 - x),
                faster_than_statutory: ratio(actual, statutory).map(|x| 1.0 - x),
                ratings,
                avg_rating: ratio(int(&r, "rating_sum")?, ratings),
                satisfied_rate: ratio(int(&r, "satisfied")?, ratings),
                alerts: BTreeMap::new(),
            };
            out.insert(f.key.clone(), f);
        }
        let stmt = format!(
            "SELECT {key} AS key, rule, COUNT(*) AS n FROM alerts
             WHERE raised_at >= {from_ms} AND raised_at < {to_ms}{filters}
             GROUP BY {key}, rule"
        );
        let mut query = sqlx::query(sql::dynamic(stmt));
        for b in &binds {
            query = query.bind(*b);
        }
        for r in query.fetch_all(&self.pool).await? {
            let k: String = r.try_get("key")?;
            let f = out.entry(k.clone()).or_insert_with(|| Figures {
                key: k,
                ..Default::default()
            });
            f.alerts.insert(r.try_get("rule")?, r.try_get("n")?);
        }
        Ok(out.into_values().collect())
    }

    /// Decisions per department and person among cases finished in `[from, to)`.
    pub async fn decisions_by_person(
        &self,
        from: sunlight_core::Timestamp,
        to: sunlight_core::Timestamp,
    ) -> Result<Vec<(String, String, i64)>> {
        let rows = sqlx::query(
            "SELECT department, decided_by, COUNT(*) AS n FROM cases
             WHERE decided_by IS NOT NULL AND finished_at >= $1 AND finished_at < $2
             GROUP BY department, decided_by ORDER BY department, decided_by",
        )
        .bind(sql::millis(from))
        .bind(sql::millis(to))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("department")?,
                    r.try_get("decided_by")?,
                    r.try_get("n")?,
                ))
            })
            .collect()
    }

    /// The statutory and committed limits of the powers in force, added up.
    pub async fn list_limits(&self) -> Result<ListLimits> {
        let mut out = ListLimits::default();
        let mut after: Option<String> = None;
        loop {
            let page = self.current_powers_after(after.as_deref(), 2_000).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.code.to_string());
            for p in &page {
                if p.status != PowerStatus::Active {
                    continue;
                }
                if let (Some(s), Some(c)) = (p.guide.statutory_limit, p.guide.committed_limit)
                    && s.unit == TimeUnit::WorkingDays
                    && c.unit == TimeUnit::WorkingDays
                {
                    out.powers += 1;
                    out.statutory_days += u64::from(s.amount);
                    out.committed_days += u64::from(c.amount);
                }
            }
        }
        out.reduction = (out.statutory_days > 0)
            .then(|| 1.0 - out.committed_days as f64 / out.statutory_days as f64);
        Ok(out)
    }
}
