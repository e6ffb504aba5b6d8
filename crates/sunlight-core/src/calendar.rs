//! Working-day calendars and deadline arithmetic (时限计算).
//!
//! A calendar says, for each date, whether it is a working day: Monday to Friday unless an
//! override says otherwise — public holidays (法定节假日) are off, make-up working days (调休)
//! are working even on a weekend. Overrides come in layers: the national schedule first, then
//! each region down the tree (a province, a city, a county) may override dates for itself.
//!
//! Deadlines follow the statutory conventions:
//! - **working days** (行政许可法 Art. 82): the day of acceptance does not count; counting starts
//!   the next working day; a limit of N working days ends at the close of the Nth working day.
//!   A limit of 0 (即办) ends the same day.
//! - **natural days** (民法典 Arts. 201, 203): the first day does not count; a period whose last
//!   day is a day off ends on the next working day.
//! - **stopped clock** (行政许可法 Art. 45: 补正、听证、检验检测、专家评审、公示 …): days inside a
//!   stop do not count, so a stop only ever moves a deadline later.
//!
//! A calendar covers whole years and refuses, with [`CalendarError::NotCovered`], any date or
//! deadline outside them: a deadline computed on a year whose holidays were never loaded would
//! be silently wrong.
//!
//! [`Calendar`] compiles the layers into per-day tables so that adding working days is two
//! array lookups; [`Calendar::explain`] walks day by day for a person to read.

use crate::Date;
use crate::power::{TimeLimit, TimeUnit};
use jiff::civil::Weekday;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An override of one date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayOverride {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
    /// `true`: a day off (holiday); `false`: a working day (make-up day, 调休上班).
    pub off: bool,
    /// The holiday it belongs to (春节, 国庆节 …).
    pub name: String,
}

/// One year's official schedule (the State Council's notice, or a local one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct YearSchedule {
    pub year: i16,
    pub days: Vec<DayOverride>,
}

impl YearSchedule {
    /// Reads the common holiday-cn JSON format: `{"year": 2025, "days": [{"name": "元旦",
    /// "date": "2025-01-01", "isOffDay": true}, …]}`. Every problem is reported with its place.
    pub fn from_holiday_cn(json: &str) -> Result<Self, crate::DomainError> {
        #[derive(Deserialize)]
        struct File {
            year: i16,
            days: Vec<Day>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Day {
            name: String,
            date: String,
            is_off_day: bool,
        }
        let file: File = serde_json::from_str(json).map_err(|e| {
            let mut fe = crate::FieldError::new(
                "file",
                crate::zh_en!(
                    "不是 holiday-cn 格式的节假日安排：{e}",
                    "not a holiday-cn calendar: {e}"
                ),
            );
            fe.line = Some(e.line());
            crate::DomainError::Invalid(vec![fe])
        })?;
        let mut errors = Vec::new();
        let mut days = Vec::with_capacity(file.days.len());
        let mut seen = std::collections::HashSet::new();
        for (i, d) in file.days.into_iter().enumerate() {
            match d.date.parse::<Date>() {
                Ok(date) if !seen.insert(date) => errors.push(crate::FieldError::new(
                    format!("days[{i}].date"),
                    crate::zh_en!("{date} 重复列出", "{date} is listed twice"),
                )),
                Ok(date) if date.year() == file.year => days.push(DayOverride {
                    date,
                    off: d.is_off_day,
                    name: d.name,
                }),
                Ok(date) => errors.push(crate::FieldError::new(
                    format!("days[{i}].date"),
                    crate::zh_en!(
                        "{date} 不在 {year} 年内",
                        "{date} is not in {year}",
                        year = file.year,
                    ),
                )),
                Err(_) => errors.push(crate::FieldError::new(
                    format!("days[{i}].date"),
                    crate::zh_en!("“{d}”不是日期", "«{d}» is not a date", d = &d.date,),
                )),
            }
        }
        let schedule = Self {
            year: file.year,
            days,
        };
        if errors.is_empty() {
            schedule.check()?;
            Ok(schedule)
        } else {
            Err(crate::DomainError::Invalid(errors))
        }
    }

    /// Writes the holiday-cn format.
    pub fn to_holiday_cn(&self) -> String {
        let days: Vec<serde_json::Value> = self
            .days
            .iter()
            .map(|d| serde_json::json!({"name": d.name, "date": d.date.to_string(), "isOffDay": d.off}))
            .collect();
        serde_json::to_string_pretty(&serde_json::json!({"year": self.year, "days": days}))
            .unwrap_or_default()
    }

    /// Dates within the year, each at most once.
    pub fn check(&self) -> Result<(), crate::DomainError> {
        let mut errors = Vec::new();
        if !(1949..=2200).contains(&self.year) {
            errors.push(crate::FieldError::new(
                "year",
                crate::zh_en!(
                    "{year} 不是合理的年份",
                    "{year} is not a plausible year",
                    year = self.year,
                ),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, d) in self.days.iter().enumerate() {
            if d.date.year() != self.year {
                errors.push(crate::FieldError::new(
                    format!("days[{i}].date"),
                    crate::zh_en!(
                        "{date} 不在 {year} 年内",
                        "{date} is not in {year}",
                        date = d.date,
                        year = self.year,
                    ),
                ));
            }
            if !seen.insert(d.date) {
                errors.push(crate::FieldError::new(
                    format!("days[{i}].date"),
                    crate::zh_en!("{date} 重复列出", "{date} is listed twice", date = d.date,),
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(crate::DomainError::Invalid(errors))
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error(
        "the calendar covers {first}–{last}; {date} is outside it (load that year's schedule first)"
    )]
    NotCovered { date: Date, first: i16, last: i16 },
    #[error("no calendar is loaded")]
    Empty,
    #[error("the loaded years are not consecutive: {0} is missing")]
    Gap(i16),
    #[error("a limit in hours runs from an instant, not a date")]
    HoursNeedAnInstant,
}

impl CalendarError {
    /// What went wrong, in both languages.
    pub fn text(&self) -> crate::Text {
        match self {
            Self::NotCovered { date, first, last } => crate::zh_en!(
                "工作日历只载入了 {first}–{last} 年，{date} 不在其内（请先载入该年度的节假日安排）",
                "the calendar covers {first}–{last}; {date} is outside it (load that year's schedule first)"
            ),
            Self::Empty => crate::zh_en!("尚未载入工作日历", "no calendar is loaded"),
            Self::Gap(year) => crate::zh_en!(
                "已载入的年度不连续：缺少 {year} 年",
                "the loaded years are not consecutive: {year} is missing"
            ),
            Self::HoursNeedAnInstant => crate::zh_en!(
                "以小时计的时限须从具体时刻起算，不能从日期起算",
                "a limit in hours runs from an instant, not a date"
            ),
        }
    }
}

/// A period during which the clock stops (inclusive dates).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stop {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub from: Date,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub to: Date,
    /// 补正, 听证, 检验检测, 专家评审, 公示 …
    pub reason: String,
}

/// Why a day counted or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DayReason {
    /// The day the period starts from; it never counts.
    Start,
    Working,
    /// A weekend day worked in exchange for a holiday (调休上班).
    MakeUpWorkingDay {
        holiday: String,
    },
    Weekend,
    Holiday {
        name: String,
    },
    /// Inside a stopped-clock period.
    Stopped {
        reason: String,
    },
    /// A natural-day period ended on a day off and was carried to the next working day.
    CarriedOver,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExplainedDay {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
    pub counted: bool,
    /// Running count of days counted so far.
    pub count: u32,
    pub reason: DayReason,
}

/// A deadline with every day from the start to it, and why each counted or not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Explanation {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub start: Date,
    pub limit: TimeLimit,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub deadline: Date,
    pub days: Vec<ExplainedDay>,
}

const WORKING: u8 = 0;
const WEEKEND: u8 = 1;
const HOLIDAY: u8 = 2;
const MAKE_UP: u8 = 3;

/// The effective calendar of one region, compiled for fast arithmetic.
#[derive(Debug, Clone)]
pub struct Calendar {
    first_year: i16,
    last_year: i16,
    /// Day index of 1 January of each covered year.
    year_start: Vec<u32>,
    dates: Vec<Date>,
    kinds: Vec<u8>,
    /// Working days up to and including each day.
    rank: Vec<u32>,
    /// Day index of each working day.
    working: Vec<u32>,
    names: BTreeMap<Date, String>,
}

impl Calendar {
    /// Compiles layers of schedules, national first, then each region from the top down; a
    /// later layer's override of a date wins. The years covered are those of the first
    /// (national) layer, which must be consecutive.
    pub fn compile(layers: &[&[YearSchedule]]) -> Result<Self, CalendarError> {
        let base = layers.first().ok_or(CalendarError::Empty)?;
        let mut years: Vec<i16> = base.iter().map(|y| y.year).collect();
        years.sort_unstable();
        years.dedup();
        let (&first_year, &last_year) = years
            .first()
            .zip(years.last())
            .ok_or(CalendarError::Empty)?;
        if let Some(missing) = (first_year..=last_year).find(|y| !years.contains(y)) {
            return Err(CalendarError::Gap(missing));
        }
        let mut overrides: BTreeMap<Date, (bool, &str)> = BTreeMap::new();
        for layer in layers {
            for y in layer
                .iter()
                .filter(|y| (first_year..=last_year).contains(&y.year))
            {
                for d in &y.days {
                    overrides.insert(d.date, (d.off, d.name.as_str()));
                }
            }
        }
        let mut cal = Calendar {
            first_year,
            last_year,
            year_start: Vec::new(),
            dates: Vec::new(),
            kinds: Vec::new(),
            rank: Vec::new(),
            working: Vec::new(),
            names: BTreeMap::new(),
        };
        let mut date = jiff::civil::date(first_year, 1, 1);
        let mut count = 0u32;
        while date.year() <= last_year {
            if date.month() == 1 && date.day() == 1 {
                cal.year_start.push(cal.dates.len() as u32);
            }
            let weekend = matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday);
            let kind = match overrides.get(&date) {
                Some((true, name)) => {
                    cal.names.insert(date, name.to_string());
                    HOLIDAY
                }
                Some((false, name)) => {
                    cal.names.insert(date, name.to_string());
                    if weekend { MAKE_UP } else { WORKING }
                }
                None if weekend => WEEKEND,
                None => WORKING,
            };
            if kind == WORKING || kind == MAKE_UP {
                count += 1;
                cal.working.push(cal.dates.len() as u32);
            }
            cal.dates.push(date);
            cal.kinds.push(kind);
            cal.rank.push(count);
            date = date.tomorrow().map_err(|_| CalendarError::NotCovered {
                date,
                first: first_year,
                last: last_year,
            })?;
        }
        Ok(cal)
    }

    pub fn years(&self) -> (i16, i16) {
        (self.first_year, self.last_year)
    }

    fn index(&self, date: Date) -> Result<usize, CalendarError> {
        let y = date.year();
        if y < self.first_year || y > self.last_year {
            return Err(CalendarError::NotCovered {
                date,
                first: self.first_year,
                last: self.last_year,
            });
        }
        Ok(
            self.year_start[(y - self.first_year) as usize] as usize + date.day_of_year() as usize
                - 1,
        )
    }

    fn not_covered(&self, date: Date) -> CalendarError {
        CalendarError::NotCovered {
            date,
            first: self.first_year,
            last: self.last_year,
        }
    }

    pub fn is_working_day(&self, date: Date) -> Result<bool, CalendarError> {
        let k = self.kinds[self.index(date)?];
        Ok(k == WORKING || k == MAKE_UP)
    }

    /// The Nth working day after `start` (the start itself never counts); `start` for N = 0.
    pub fn add_working_days(&self, start: Date, n: u32) -> Result<Date, CalendarError> {
        let i = self.index(start)?;
        if n == 0 {
            return Ok(start);
        }
        let target = self.rank[i] + n; // rank of the deadline day
        self.working
            .get(target as usize - 1)
            .map(|&j| self.dates[j as usize])
            .ok_or_else(|| self.not_covered(jiff::civil::date(self.last_year + 1, 1, 1)))
    }

    /// The first day of the last `n` working days that end on `end` (inclusive): with `n = 3`
    /// and `end` a Friday of an ordinary week, the Wednesday. Before the calendar's first
    /// working day, that day. `end` itself for `n` ≤ 1 when it is a working day.
    pub fn window_start(&self, end: Date, n: u32) -> Result<Date, CalendarError> {
        let i = self.index(end)?;
        let r = self.rank[i]; // working days on or before `end`
        if r == 0 {
            return Ok(self.dates[0]);
        }
        let k = r.saturating_sub(n.max(1) - 1).max(1); // rank of the window's first day
        Ok(self.dates[self.working[k as usize - 1] as usize])
    }

    /// Working days in `(from, to]` outside `stops` (whole days of stopped clock): how long a
    /// case accepted on `from` and finished on `to` actually took.
    pub fn working_days_taken(
        &self,
        from: Date,
        to: Date,
        stops: &[Stop],
    ) -> Result<u32, CalendarError> {
        let (a, b) = (self.index(from)?, self.index(to)?);
        let mut n = self.working_between(a, b);
        for s in stops {
            let (lo, hi) = (s.from.max(from), s.to.min(to));
            if lo > hi {
                continue;
            }
            // Days of the stop inside (from, to], working ones only.
            let (i, j) = (self.index(lo)?, self.index(hi)?);
            let first = if lo == from { i } else { i.saturating_sub(1) };
            n = n.saturating_sub(self.working_between(first, j));
        }
        Ok(n)
    }

    /// Working days in `(from, to]`.
    fn working_between(&self, from: usize, to: usize) -> u32 {
        if to <= from {
            0
        } else {
            self.rank[to] - self.rank[from]
        }
    }

    /// The first working day on or after `date`.
    fn roll_forward(&self, date: Date) -> Result<Date, CalendarError> {
        let i = self.index(date)?;
        if matches!(self.kinds[i], WORKING | MAKE_UP) {
            return Ok(date);
        }
        self.add_working_days(date, 1)
    }

    /// The deadline of a limit counted from `start`, skipping the days inside `stops`.
    pub fn deadline(
        &self,
        start: Date,
        limit: TimeLimit,
        stops: &[Stop],
    ) -> Result<Date, CalendarError> {
        let stops = merged(stops, start);
        match limit.unit {
            TimeUnit::WorkingDays => {
                let (mut cur, mut remaining) = (self.index(start)?, limit.amount);
                if remaining == 0 {
                    return Ok(start);
                }
                for (from, to) in stops {
                    let candidate =
                        self.index(self.add_working_days(self.dates[cur], remaining)?)?;
                    let (from, to) = (self.index(from)?, self.index(to)?);
                    if from > candidate {
                        break;
                    }
                    // Days counted before the stop begins, then the clock waits out the stop.
                    remaining -= self.working_between(cur, from.saturating_sub(1).max(cur));
                    cur = cur.max(to);
                }
                self.add_working_days(self.dates[cur], remaining)
            }
            TimeUnit::NaturalDays => {
                let span = |d: Date, n: i64| {
                    d.checked_add(jiff::Span::new().days(n))
                        .map_err(|_| self.not_covered(d))
                };
                let mut cur = start;
                let mut remaining = i64::from(limit.amount);
                for (from, to) in stops {
                    let candidate = span(cur, remaining)?;
                    if from > candidate {
                        break;
                    }
                    let before = (from.since(cur).map(|s| s.get_days()).unwrap_or(0) - 1).max(0);
                    remaining -= i64::from(before);
                    cur = cur.max(to);
                }
                let last = span(cur, remaining)?;
                self.roll_forward(last)
            }
            TimeUnit::Hours => Err(CalendarError::HoursNeedAnInstant),
        }
    }

    /// The last day of a case's time limit, its clock started at the instant `start` (the
    /// acceptance, or the submission when the flow has no accept step). The one rule for every
    /// case: the engine's cases and those fed from departments' own systems both ask here.
    ///
    /// Working days (行政许可法 Art. 82) and natural days (民法典 Arts. 201/203) count from the
    /// day of `start` in `zone` ([`Calendar::deadline`]); extensions, granted in working days
    /// (行政许可法 Art. 42), lengthen a working-day limit only. Hours count from the instant
    /// itself ([`Calendar::deadline_in_hours`]); the deadline is the day that instant falls on.
    pub fn limit_deadline(
        &self,
        start: crate::Timestamp,
        zone: crate::clock::Zone,
        limit: TimeLimit,
        extension_days: u32,
        stops: &[Stop],
    ) -> Result<Date, CalendarError> {
        match limit.unit {
            TimeUnit::Hours => self
                .deadline_in_hours(start, limit.amount, stops, zone)
                .map(|t| zone.date(t)),
            TimeUnit::WorkingDays => self.deadline(
                zone.date(start),
                TimeLimit {
                    amount: limit.amount + extension_days,
                    ..limit
                },
                stops,
            ),
            TimeUnit::NaturalDays => self.deadline(zone.date(start), limit, stops),
        }
    }

    /// The deadline of a limit in hours: the instant that many hours after `start`, the clock
    /// not running inside `stops` (whole days, counted in `zone`). Hour limits are natural
    /// hours (即时办结 commitments such as 24小时内办结), not working hours.
    pub fn deadline_in_hours(
        &self,
        start: crate::Timestamp,
        hours: u32,
        stops: &[Stop],
        zone: crate::clock::Zone,
    ) -> Result<crate::Timestamp, CalendarError> {
        let mut end = start + jiff::SignedDuration::from_hours(i64::from(hours));
        for (from, to) in merged(stops, zone.date(start)) {
            let day_start = |d: Date| zone.start_of(d);
            let (stop_start, stop_end) = (
                day_start(from).max(start),
                day_start(to.tomorrow().unwrap_or(to)),
            );
            if stop_start >= end {
                break;
            }
            if stop_end > stop_start {
                end += stop_end.duration_since(stop_start);
            }
        }
        self.index(zone.date(end))?;
        Ok(end)
    }

    /// The same deadline as [`Calendar::deadline`], with every day from the start to it
    /// explained. Slower (day by day); meant for people.
    pub fn explain(
        &self,
        start: Date,
        limit: TimeLimit,
        stops: &[Stop],
    ) -> Result<Explanation, CalendarError> {
        let deadline = self.deadline(start, limit, stops)?;
        let mut days = vec![ExplainedDay {
            date: start,
            counted: false,
            count: 0,
            reason: DayReason::Start,
        }];
        let (mut i, end) = (self.index(start)?, self.index(deadline)?);
        let mut count = 0u32;
        while i < end {
            i += 1;
            let date = self.dates[i];
            let stopped = stops.iter().find(|s| s.from <= date && date <= s.to);
            let name = || self.names.get(&date).cloned().unwrap_or_default();
            let (counts_as_working, reason) = match self.kinds[i] {
                WORKING => (true, DayReason::Working),
                MAKE_UP => (true, DayReason::MakeUpWorkingDay { holiday: name() }),
                WEEKEND => (false, DayReason::Weekend),
                _ => (false, DayReason::Holiday { name: name() }),
            };
            let (counted, reason) = match (stopped, limit.unit) {
                (Some(s), _) => (
                    false,
                    DayReason::Stopped {
                        reason: s.reason.clone(),
                    },
                ),
                (None, TimeUnit::WorkingDays) => (counts_as_working, reason),
                (None, _) if count >= limit.amount => (false, DayReason::CarriedOver),
                (None, _) => (true, reason),
            };
            if counted {
                count += 1;
            }
            days.push(ExplainedDay {
                date,
                counted,
                count,
                reason,
            });
        }
        Ok(Explanation {
            start,
            limit,
            deadline,
            days,
        })
    }

    /// The overrides in force for `year`, as a schedule (for showing and exporting).
    pub fn schedule(&self, year: i16) -> Result<YearSchedule, CalendarError> {
        self.index(jiff::civil::date(year, 1, 1))?;
        let days = self
            .names
            .range(jiff::civil::date(year, 1, 1)..=jiff::civil::date(year, 12, 31))
            .map(|(d, name)| DayOverride {
                date: *d,
                off: self.kinds[self.index(*d).unwrap_or(0)] == HOLIDAY,
                name: name.clone(),
            })
            .collect();
        Ok(YearSchedule { year, days })
    }
}

/// Stops sorted, overlapping ones merged, those over before the start dropped.
fn merged(stops: &[Stop], start: Date) -> Vec<(Date, Date)> {
    let mut v: Vec<(Date, Date)> = stops
        .iter()
        .filter(|s| s.to > start && s.from <= s.to)
        .map(|s| (s.from, s.to))
        .collect();
    v.sort();
    let mut out: Vec<(Date, Date)> = Vec::with_capacity(v.len());
    for (f, t) in v {
        match out.last_mut() {
            Some(last) if f <= last.1.tomorrow().unwrap_or(last.1) => last.1 = last.1.max(t),
            _ => out.push((f, t)),
        }
    }
    out
}

/// The national schedules shipped with Sunlight (`data/calendars/`), in the holiday-cn format.
pub const SHIPPED_NATIONAL: [(i16, &str); 3] = [
    (2024, include_str!("../../../data/calendars/cn-2024.json")),
    (2025, include_str!("../../../data/calendars/cn-2025.json")),
    (2026, include_str!("../../../data/calendars/cn-2026.json")),
];

/// Years shipped before the State Council's notice for them is out, so that deadlines crossing
/// New Year can be counted at all (every December otherwise refuses them): the statutory
/// holidays of 《全国年节及纪念日放假办法》 Art. 2 and the weekday a holiday on a weekend gives
/// (Art. 6), without the make-up working days (调休) only the notice sets. Loaded when the year
/// is missing; an official schedule — imported, or shipped later — replaces it.
pub const SHIPPED_PROVISIONAL: [(i16, &str); 1] =
    [(2027, include_str!("../../../data/calendars/cn-2027.json"))];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn national() -> Vec<YearSchedule> {
        SHIPPED_NATIONAL
            .iter()
            .map(|(_, j)| YearSchedule::from_holiday_cn(j).unwrap())
            .collect()
    }

    fn cal() -> Calendar {
        Calendar::compile(&[&national()]).unwrap()
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn wd(n: u32) -> TimeLimit {
        TimeLimit::working_days(n)
    }

    #[test]
    fn shipped_examples() {
        let c = cal();
        // Friday before National Day 2025: 09-28 (Sunday) is a make-up working day, 10-01…10-08 off,
        // 10-11 (Saturday) a make-up day.
        assert_eq!(
            c.add_working_days(d("2025-09-26"), 10).unwrap(),
            d("2025-10-16")
        );
        // Across the 2024 Spring Festival, with 02-18 (Sunday) worked.
        assert_eq!(
            c.add_working_days(d("2024-02-05"), 20).unwrap(),
            d("2024-03-08")
        );
        assert!(
            c.is_working_day(d("2026-02-14")).unwrap(),
            "make-up Saturday"
        );
        assert!(
            !c.is_working_day(d("2026-02-23")).unwrap(),
            "Spring Festival Monday"
        );
        assert_eq!(
            c.add_working_days(d("2026-05-08"), 0).unwrap(),
            d("2026-05-08")
        );
    }

    #[test]
    fn refuses_years_not_loaded() {
        let c = cal();
        assert!(matches!(
            c.add_working_days(d("2026-12-30"), 5),
            Err(CalendarError::NotCovered { .. })
        ));
        assert!(matches!(
            c.is_working_day(d("2023-12-31")),
            Err(CalendarError::NotCovered { .. })
        ));
        let gap =
            Calendar::compile(&[&[national()[0].clone(), national()[2].clone()]]).unwrap_err();
        assert_eq!(gap, CalendarError::Gap(2025));
    }

    #[test]
    fn natural_days_end_on_a_working_day() {
        let c = cal();
        // 工伤认定: 60 days from 2025-08-08 is 2025-10-07, inside the National Day holiday → 10-09.
        let lim = TimeLimit {
            amount: 60,
            unit: TimeUnit::NaturalDays,
        };
        assert_eq!(
            c.deadline(d("2025-08-08"), lim, &[]).unwrap(),
            d("2025-10-09")
        );
        let e = c.explain(d("2025-08-08"), lim, &[]).unwrap();
        assert_eq!(e.days.iter().filter(|x| x.counted).count(), 60);
        // The 60th day (10-07) is a holiday: 10-08 and 10-09 are carried over, 10-09 a working day.
        let tail: Vec<_> = e
            .days
            .iter()
            .rev()
            .take(2)
            .map(|x| (x.date, x.reason.clone()))
            .collect();
        assert_eq!(
            tail,
            [
                (d("2025-10-09"), DayReason::CarriedOver),
                (d("2025-10-08"), DayReason::CarriedOver)
            ]
        );
    }

    #[test]
    fn stops_push_the_deadline_and_explain_why() {
        let c = cal();
        let stop = Stop {
            from: d("2025-03-05"),
            to: d("2025-03-11"),
            reason: "补正".into(),
        };
        // 5 working days from Monday 03-03: 03-04 counts, then the clock stops for 03-05…03-11.
        let got = c
            .deadline(d("2025-03-03"), wd(5), std::slice::from_ref(&stop))
            .unwrap();
        assert_eq!(got, d("2025-03-17"));
        let e = c.explain(d("2025-03-03"), wd(5), &[stop]).unwrap();
        assert_eq!(e.deadline, got);
        let stopped = e
            .days
            .iter()
            .filter(|x| matches!(x.reason, DayReason::Stopped { .. }))
            .count();
        assert_eq!(stopped, 7);
        assert_eq!(e.days.iter().filter(|x| x.counted).count(), 5);
    }

    #[test]
    fn explanation_names_holidays_and_make_up_days() {
        let e = cal().explain(d("2025-09-26"), wd(10), &[]).unwrap();
        assert_eq!(e.deadline, d("2025-10-16"));
        assert_eq!(
            e.days[2].reason,
            DayReason::MakeUpWorkingDay {
                holiday: "国庆节、中秋节".into()
            }
        );
        assert!(e.days.iter().any(|x| x.reason
            == DayReason::Holiday {
                name: "国庆节、中秋节".into()
            }));
        assert_eq!(e.days.iter().filter(|x| x.counted).count(), 10);
    }

    #[test]
    fn hour_limits_run_from_an_instant_and_wait_out_stops() {
        let c = cal();
        let zone = crate::clock::Zone::CHINA;
        let start: crate::Timestamp = "2025-03-03T10:00:00+08:00".parse().unwrap();
        let end = c.deadline_in_hours(start, 24, &[], zone).unwrap();
        assert_eq!(zone.format(end), "2025-03-04T10:00:00+08:00");
        let stop = Stop {
            from: d("2025-03-04"),
            to: d("2025-03-04"),
            reason: "补正".into(),
        };
        let end = c.deadline_in_hours(start, 24, &[stop], zone).unwrap();
        assert_eq!(zone.format(end), "2025-03-05T10:00:00+08:00");
        assert_eq!(
            c.deadline(
                d("2025-03-03"),
                TimeLimit {
                    amount: 2,
                    unit: TimeUnit::Hours
                },
                &[]
            ),
            Err(CalendarError::HoursNeedAnInstant)
        );
    }

    #[test]
    fn local_layers_override_the_national_base() {
        let local = [YearSchedule {
            year: 2025,
            days: vec![DayOverride {
                date: d("2025-03-10"),
                off: true,
                name: "地方节日".into(),
            }],
        }];
        let c = Calendar::compile(&[&national(), &local]).unwrap();
        assert!(!c.is_working_day(d("2025-03-10")).unwrap());
        assert!(cal().is_working_day(d("2025-03-10")).unwrap());
    }

    #[test]
    fn holiday_cn_round_trips_and_reports_bad_days() {
        let y = national().remove(1);
        assert_eq!(
            YearSchedule::from_holiday_cn(&y.to_holiday_cn()).unwrap(),
            y
        );
        let bad = r#"{"year": 2027, "days": [{"name": "元旦", "date": "2027-01-01", "isOffDay": true},
            {"name": "春节", "date": "2026-02-30", "isOffDay": true}, {"name": "元旦", "date": "2027-01-01", "isOffDay": true}]}"#;
        let e = YearSchedule::from_holiday_cn(bad).unwrap_err();
        let fields: Vec<_> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["days[1].date", "days[2].date"]);
    }

    /// The reference: count day by day.
    fn by_hand(c: &Calendar, start: Date, n: u32, stops: &[Stop]) -> Option<Date> {
        if n == 0 {
            return Some(start);
        }
        let mut date = start;
        let mut counted = 0;
        while counted < n {
            date = date.tomorrow().ok()?;
            let stopped = stops.iter().any(|s| s.from <= date && date <= s.to);
            if c.is_working_day(date).ok()? && !stopped {
                counted += 1;
            }
        }
        Some(date)
    }

    fn arb_date() -> impl Strategy<Value = Date> {
        (0i64..1000).prop_map(|n| {
            jiff::civil::date(2024, 1, 1)
                .checked_add(jiff::Span::new().days(n))
                .unwrap()
        })
    }

    fn arb_stops() -> impl Strategy<Value = Vec<Stop>> {
        prop::collection::vec((arb_date(), 0i64..20), 0..4).prop_map(|v| {
            v.into_iter()
                .map(|(from, len)| Stop {
                    from,
                    to: from.checked_add(jiff::Span::new().days(len)).unwrap(),
                    reason: "补正".into(),
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn adding_working_days_agrees_with_counting_by_hand(start in arb_date(), n in 0u32..60, stops in arb_stops()) {
            let c = cal();
            let fast = c.deadline(start, wd(n), &stops).ok();
            prop_assert_eq!(fast, by_hand(&c, start, n, &stops));
            if let Some(deadline) = fast
                && n > 0 {
                    prop_assert!(c.is_working_day(deadline).unwrap(), "never lands on a day off");
                }
        }

        #[test]
        fn monotonic_in_days_and_in_start(start in arb_date(), n in 0u32..60) {
            let c = cal();
            if let (Ok(a), Ok(b)) = (c.add_working_days(start, n), c.add_working_days(start, n + 1)) {
                prop_assert!(a < b);
            }
            let next = start.tomorrow().unwrap();
            if let (Ok(a), Ok(b)) = (c.add_working_days(start, n), c.add_working_days(next, n)) {
                prop_assert!(a <= b);
            }
        }

        #[test]
        fn stops_only_move_deadlines_later(start in arb_date(), n in 0u32..60, stops in arb_stops(), natural in any::<bool>()) {
            let c = cal();
            let limit = TimeLimit { amount: n, unit: if natural { TimeUnit::NaturalDays } else { TimeUnit::WorkingDays } };
            if let (Ok(free), Ok(stopped)) = (c.deadline(start, limit, &[]), c.deadline(start, limit, &stops)) {
                prop_assert!(stopped >= free);
            }
        }

        #[test]
        fn explanation_agrees_with_the_deadline(start in arb_date(), n in 0u32..40, stops in arb_stops()) {
            let c = cal();
            if let Ok(e) = c.explain(start, wd(n), &stops) {
                prop_assert_eq!(e.days.iter().filter(|d| d.counted).count() as u32, n);
                prop_assert_eq!(e.days.last().unwrap().date, e.deadline);
            }
        }
    }
}
