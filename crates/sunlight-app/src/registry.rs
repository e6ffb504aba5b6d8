//! The registry's published files that are not the power list itself: a year's holiday
//! schedule (the State Council's 放假安排, in the holiday-cn JSON format) and a penalty power's
//! discretion benchmark (行政处罚裁量基准). Shared by the API, the admin pages and the command line.

use crate::AppResult;
use sunlight_core::calendar::YearSchedule;
use sunlight_core::discretion::Benchmark;
use sunlight_core::{DomainError, Power, PowerCategory, Timestamp, zh_en};
use sunlight_store::{Scope, Store};

/// Reads a holiday-cn schedule and makes it the year's calendar for `scope` (replacing that
/// year for that scope). With `year`, the file must be that year's. Supervision recomputes its
/// timers through the store's bus; deadlines already computed stay as they were.
pub async fn put_year_schedule(
    store: &Store,
    scope: Scope,
    text: &str,
    year: Option<i16>,
    source: &str,
    by: &str,
    now: Timestamp,
) -> AppResult<YearSchedule> {
    let schedule = YearSchedule::from_holiday_cn(text)?;
    if let Some(year) = year
        && schedule.year != year
    {
        return Err(DomainError::field(
            "year",
            zh_en!(
                "文件是 {file} 年的，路径中为 {year} 年",
                "the file is for {file}, the path says {year}",
                file = schedule.year,
            ),
        )
        .into());
    }
    store
        .put_year_schedule(scope, &schedule, source, by, now)
        .await?;
    Ok(schedule)
}

/// The penalty power in force with this code: a benchmark bounds only a penalty
/// (行政处罚法 第三十四条: 行政机关可以依法制定行政处罚裁量基准).
pub async fn penalty_power(store: &Store, code: &str) -> AppResult<Power> {
    let code = code.trim();
    let listed = store.power(code, None).await?.ok_or_else(|| {
        DomainError::field(
            "power",
            zh_en!("“{code}”不在权力清单内", "«{code}» is not in the list"),
        )
    })?;
    if listed.power.category != PowerCategory::Penalty {
        return Err(DomainError::field(
            "power",
            zh_en!(
                "裁量基准只适用于行政处罚事项，“{name}”不是行政处罚",
                "benchmarks bound penalties; «{name}» is not a penalty power",
                name = &listed.power.name,
            ),
        )
        .into());
    }
    Ok(listed.power)
}

/// Publishes a new version of a penalty power's benchmark, adopted by the document `reason`
/// names; answers the version number.
pub async fn put_benchmark(
    store: &Store,
    benchmark: &Benchmark,
    reason: &str,
    by: &str,
    now: Timestamp,
) -> AppResult<i64> {
    penalty_power(store, benchmark.power.as_str()).await?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(DomainError::field(
            "reason",
            zh_en!(
                "请写明公布裁量基准的文件",
                "name the document that adopts the benchmark"
            ),
        )
        .into());
    }
    Ok(store.put_benchmark(benchmark, reason, by, now).await?)
}
