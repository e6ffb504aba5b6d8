//! Working-day calendars and deadlines that explain themselves.

use crate::SharedState;
use crate::auth::Staff;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult, Problem};
use axum::extract::State;
use serde::Deserialize;
use sunlight_core::calendar::{Explanation, Stop, YearSchedule};
use sunlight_core::{Role, TimeLimit, TimeUnit, zh_en};
use sunlight_store::{LoadedYear, Scope};
use utoipa::IntoParams;

pub(crate) fn scope(s: &str) -> ApiResult<Scope> {
    Ok(Scope::parse(s)?)
}

fn region_of(scope: Scope) -> Option<sunlight_core::RegionCode> {
    match scope {
        Scope::National => None,
        Scope::Region(r) => Some(r),
    }
}

/// The schedules loaded, per scope (`national` or a region) and year.
#[utoipa::path(get, path = "/api/calendars", tag = "calendar", responses((status = 200, body = Vec<LoadedYear>)))]
pub async fn list(State(state): State<SharedState>) -> ApiResult<ApiJson<Vec<LoadedYear>>> {
    Ok(ApiJson(state.store.calendar_years().await?))
}

/// The days of a year that differ from Monday–Friday, as they apply in a region (its own
/// overrides and those of the regions above it, over the national schedule).
#[utoipa::path(get, path = "/api/calendars/{region}/{year}", tag = "calendar",
    params(("region" = String, Path, description = "national or a region code"), ("year" = i16, Path)),
    responses((status = 200, body = YearSchedule), (status = 422, body = Problem)))]
pub async fn year(
    State(state): State<SharedState>,
    ApiPath((region, year)): ApiPath<(String, i16)>,
) -> ApiResult<ApiJson<YearSchedule>> {
    let cal = state.store.calendar(region_of(scope(&region)?)).await?;
    cal.schedule(year)
        .map(ApiJson)
        .map_err(|e| ApiError::field("year", e.text()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeadlineQuery {
    /// The day counting starts from (e.g. the day of acceptance), YYYY-MM-DD.
    pub from: String,
    pub amount: u32,
    /// working_days (default), natural_days, or hours (then `from` is an RFC 3339 instant)
    pub unit: Option<String>,
    /// Stopped-clock periods: `2025-03-05..2025-03-11:补正;2025-04-01..2025-04-02:听证`
    pub stops: Option<String>,
}

fn parse_stops(s: &str) -> ApiResult<Vec<Stop>> {
    let mut out = Vec::new();
    for (i, part) in s
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        let bad = || {
            ApiError::field(
                &format!("stops[{i}]"),
                zh_en!(
                    "“{part}”：应写作“起..止:理由”，如 2025-03-05..2025-03-11:补正",
                    "«{part}»: write FROM..TO:REASON, e.g. 2025-03-05..2025-03-11:补正"
                ),
            )
        };
        let (range, reason) = part.split_once(':').ok_or_else(bad)?;
        let (from, to) = range.split_once("..").ok_or_else(bad)?;
        let (from, to) = (
            from.trim().parse().map_err(|_| bad())?,
            to.trim().parse().map_err(|_| bad())?,
        );
        if to < from {
            return Err(bad());
        }
        out.push(Stop {
            from,
            to,
            reason: reason.trim().to_string(),
        });
    }
    Ok(out)
}

/// The deadline of a limit counted from a date on a region's calendar, with every day from the
/// start to the deadline and why it counted or not.
#[utoipa::path(get, path = "/api/calendars/{region}/deadline", tag = "calendar",
    params(("region" = String, Path, description = "national or a region code"), DeadlineQuery),
    responses((status = 200, body = Explanation), (status = 422, body = Problem)))]
pub async fn deadline(
    State(state): State<SharedState>,
    ApiPath(region): ApiPath<String>,
    ApiQuery(q): ApiQuery<DeadlineQuery>,
) -> ApiResult<ApiJson<Explanation>> {
    let cal = state.store.calendar(region_of(scope(&region)?)).await?;
    let from = super::powers::parse_date("from", &q.from)?;
    let unit = match q.unit.as_deref().unwrap_or("working_days") {
        "working_days" | "工作日" => TimeUnit::WorkingDays,
        "natural_days" | "自然日" => TimeUnit::NaturalDays,
        other => {
            return Err(ApiError::field(
                "unit",
                zh_en!(
                    "“{other}”：应为 working_days（工作日）或 natural_days（自然日）",
                    "«{other}»: working_days or natural_days"
                ),
            ));
        }
    };
    let stops = parse_stops(q.stops.as_deref().unwrap_or(""))?;
    cal.explain(
        from,
        TimeLimit {
            amount: q.amount,
            unit,
        },
        &stops,
    )
    .map(ApiJson)
    .map_err(|e| ApiError::field("from", e.text()))
}

/// Load a year's schedule for a scope (administrators), in the holiday-cn JSON format:
/// `{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true}, …]}`.
/// Supervision recomputes its timers at once; case deadlines already computed stay as they were.
#[utoipa::path(put, path = "/api/calendars/{region}/{year}", tag = "calendar",
    params(("region" = String, Path, description = "national or a region code"), ("year" = i16, Path)),
    request_body(content = String, content_type = "application/json"),
    responses((status = 200, body = YearSchedule), (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn put_year(
    State(state): State<SharedState>,
    Staff(user): Staff,
    ApiPath((region, year)): ApiPath<(String, i16)>,
    body: String,
) -> ApiResult<ApiJson<YearSchedule>> {
    user.require(Role::Admin)?;
    let scope = scope(&region)?;
    let schedule = sunlight_app::registry::put_year_schedule(
        &state.store,
        scope,
        &body,
        Some(year),
        "API upload",
        user.username.as_str(),
        state.now(),
    )
    .await?;
    Ok(ApiJson(schedule))
}
