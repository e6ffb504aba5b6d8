//! Calendars: the official schedules per scope and year, and the compiled calendar of a region.

use crate::sql;
use crate::{Result, Store, StoreError};
use sqlx::Row;
use std::collections::HashMap;
use sunlight_core::calendar::{
    Calendar, DayOverride, SHIPPED_NATIONAL, SHIPPED_PROVISIONAL, YearSchedule,
};
use sunlight_core::{RegionCode, Timestamp};

/// Where a shipped year came from, as the calendar pages show it.
pub const OFFICIAL_SOURCE: &str = "系统内置（国务院办公厅节假日安排通知）";
/// A year shipped before its notice (see [`SHIPPED_PROVISIONAL`]).
pub const PROVISIONAL_SOURCE: &str = "系统内置暂定安排（依《全国年节及纪念日放假办法》第二条、第六条，未含调休；国务院办公厅通知发布后请导入替换）";

/// Whose schedule: the national one, or a region's own overrides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    National,
    Region(RegionCode),
}

impl Scope {
    pub fn key(&self) -> String {
        match self {
            Self::National => "national".into(),
            Self::Region(r) => r.to_string(),
        }
    }

    /// `national` (or `cn`), or a region code.
    pub fn parse(s: &str) -> Result<Self, sunlight_core::DomainError> {
        match s.trim() {
            "national" | "cn" | "CN" => Ok(Self::National),
            other => RegionCode::parse(other).map(Self::Region),
        }
    }
}

/// A loaded year and where it came from.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoadedYear {
    pub scope: String,
    pub year: i16,
    pub source: String,
    pub loaded_by: String,
    pub days: usize,
}

/// Compiled calendars by region, valid while the calendar generation is unchanged.
#[derive(Debug, Default)]
pub(crate) struct CalendarCache {
    generation: i64,
    compiled: HashMap<Option<RegionCode>, std::sync::Arc<Calendar>>,
}

impl Store {
    /// Replaces one year of a scope's schedule, in one transaction.
    pub async fn put_year_schedule(
        &self,
        scope: Scope,
        schedule: &YearSchedule,
        source: &str,
        by: &str,
        now: Timestamp,
    ) -> Result<()> {
        schedule.check()?;
        if let Scope::Region(r) = scope
            && self.region(&r).await?.is_none()
        {
            return Err(StoreError::invalid(
                "region",
                sunlight_core::zh_en!("行政区划 {r} 尚未登记", "region {r} is not registered"),
            ));
        }
        let key = scope.key();
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM calendar_days WHERE scope = $1 AND year = $2")
            .bind(key.as_str())
            .bind(i64::from(schedule.year))
            .execute(&mut *tx)
            .await?;
        for chunk in schedule.days.chunks(500) {
            let stmt = format!(
                "INSERT INTO calendar_days (scope, year, date, off, name) VALUES {}",
                sql::values(sql::Marks::of(&tx), chunk.len(), 5)
            );
            let mut q = sqlx::query(sql::dynamic(stmt));
            for d in chunk {
                q = q
                    .bind(key.as_str())
                    .bind(i64::from(schedule.year))
                    .bind(d.date.to_string())
                    .bind(i64::from(d.off))
                    .bind(d.name.as_str());
            }
            q.execute(&mut *tx).await?;
        }
        sqlx::query(
            "INSERT INTO calendar_years (scope, year, source, loaded_by, loaded_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (scope, year) DO UPDATE SET source = excluded.source, loaded_by = excluded.loaded_by, loaded_at = excluded.loaded_at",
        )
        .bind(key.as_str())
        .bind(i64::from(schedule.year))
        .bind(source)
        .bind(by)
        .bind(sql::millis(now))
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE calendar_generation SET n = n + 1 WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.bus.publish(&crate::Change::Calendars);
        Ok(())
    }

    /// Loads the national schedules shipped with Sunlight for the years not loaded yet.
    /// Answers the years it loaded.
    /// A shipped official year replaces a provisional one; a provisional year is loaded only
    /// where the year is missing (never over an imported notice).
    pub async fn ensure_shipped_calendars(&self, now: Timestamp) -> Result<Vec<i16>> {
        let rows = sqlx::query("SELECT year, source FROM calendar_years WHERE scope = 'national'")
            .fetch_all(&self.pool)
            .await?;
        let mut have: Vec<(i16, bool)> = Vec::with_capacity(rows.len());
        for r in &rows {
            let source: String = r.try_get("source")?;
            have.push((
                r.try_get::<i64, _>("year")? as i16,
                source == PROVISIONAL_SOURCE,
            ));
        }
        let mut loaded = Vec::new();
        let shipped = SHIPPED_NATIONAL
            .iter()
            .map(|(y, j)| (*y, *j, OFFICIAL_SOURCE))
            .chain(
                SHIPPED_PROVISIONAL
                    .iter()
                    .map(|(y, j)| (*y, *j, PROVISIONAL_SOURCE)),
            );
        for (year, json, source) in shipped {
            let loaded_as = have.iter().find(|(y, _)| *y == year).map(|(_, p)| *p);
            let load = match loaded_as {
                None => true,
                // Only an official schedule replaces a provisional one.
                Some(provisional) => provisional && source == OFFICIAL_SOURCE,
            };
            if !load {
                continue;
            }
            let schedule = YearSchedule::from_holiday_cn(json)?;
            self.put_year_schedule(Scope::National, &schedule, source, "system", now)
                .await?;
            have.push((year, source == PROVISIONAL_SOURCE));
            loaded.push(year);
        }
        Ok(loaded)
    }

    /// The years loaded, per scope.
    pub async fn calendar_years(&self) -> Result<Vec<LoadedYear>> {
        let rows = sqlx::query(
            "SELECT y.scope, y.year, y.source, y.loaded_by, (SELECT COUNT(*) FROM calendar_days d WHERE d.scope = y.scope AND d.year = y.year) AS days
             FROM calendar_years y ORDER BY y.scope, y.year",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LoadedYear {
                    scope: r.try_get("scope")?,
                    year: r.try_get::<i64, _>("year")? as i16,
                    source: r.try_get("source")?,
                    loaded_by: r.try_get("loaded_by")?,
                    days: r.try_get::<i64, _>("days")? as usize,
                })
            })
            .collect()
    }

    async fn schedules(&self, scope: &str) -> Result<Vec<YearSchedule>> {
        let rows = sqlx::query(
            "SELECT year, date, off, name FROM calendar_days WHERE scope = $1 ORDER BY date",
        )
        .bind(scope)
        .fetch_all(&self.pool)
        .await?;
        let years: Vec<i64> =
            sqlx::query_scalar("SELECT year FROM calendar_years WHERE scope = $1 ORDER BY year")
                .bind(scope)
                .fetch_all(&self.pool)
                .await?;
        let mut out: Vec<YearSchedule> = years
            .iter()
            .map(|y| YearSchedule {
                year: *y as i16,
                days: Vec::new(),
            })
            .collect();
        for r in rows {
            let year = r.try_get::<i64, _>("year")? as i16;
            let day = DayOverride {
                date: sql::date(&r.try_get::<String, _>("date")?)?,
                off: r.try_get::<i64, _>("off")? != 0,
                name: r.try_get("name")?,
            };
            if let Some(y) = out.iter_mut().find(|y| y.year == year) {
                y.days.push(day);
            }
        }
        Ok(out)
    }

    /// The calendar of a region: the national schedule with the overrides of the region and of
    /// every region above it. `None` gives the national calendar.
    pub async fn calendar(&self, region: Option<RegionCode>) -> Result<std::sync::Arc<Calendar>> {
        let generation: i64 = sqlx::query_scalar("SELECT n FROM calendar_generation WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        {
            let cache = self.calendars.lock().unwrap_or_else(|e| e.into_inner());
            if cache.generation == generation
                && let Some(c) = cache.compiled.get(&region)
            {
                return Ok(c.clone());
            }
        }
        let mut layers = vec![self.schedules("national").await?];
        let mut chain: Vec<RegionCode> = std::iter::successors(region, |r| r.parent()).collect();
        chain.reverse();
        for r in chain {
            layers.push(self.schedules(r.as_str()).await?);
        }
        let refs: Vec<&[YearSchedule]> = layers.iter().map(Vec::as_slice).collect();
        let compiled = std::sync::Arc::new(
            Calendar::compile(&refs).map_err(|e| StoreError::invalid("calendar", e.text()))?,
        );
        let mut cache = self.calendars.lock().unwrap_or_else(|e| e.into_inner());
        if cache.generation != generation {
            cache.generation = generation;
            cache.compiled.clear();
        }
        cache.compiled.insert(region, compiled.clone());
        Ok(compiled)
    }

    /// Counts calendar changes; the case engine recomputes open deadlines when it moves.
    pub async fn calendar_generation(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT n FROM calendar_generation WHERE id = 1")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}
