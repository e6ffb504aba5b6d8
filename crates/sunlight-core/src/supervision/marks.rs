//! Time: the instants a case changes colour or a time rule fires (`marks`), and the colour at any instant.

use super::*;

/// What happens at a [`Mark`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Due {
    /// The case turns this colour (yellow, red, red card).
    Case(Colour),
    /// A task turns this colour (yellow, red).
    Task(u32, Colour),
    /// No acceptance decision within five working days.
    Acceptance,
    /// Decided but not delivered within ten working days.
    Delivery,
    /// The clock stopped longer than allowed.
    Suspension,
    /// A 差评 not rectified by its day.
    Rectification,
}

/// An instant at which something about a running case changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mark {
    pub at: Timestamp,
    pub due: Due,
}

impl Mark {
    /// The rule this mark breaks when it passes (a yellow task only changes colour).
    pub fn rule(&self) -> Option<RuleId> {
        match self.due {
            Due::Case(Colour::Yellow) => Some(RuleId::CommittedWarning),
            Due::Case(Colour::Red) => Some(RuleId::CommittedOverdue),
            Due::Case(Colour::RedCard) => Some(RuleId::StatutoryOverdue),
            Due::Case(_) => None,
            Due::Task(_, Colour::Red) => Some(RuleId::TaskOverBudget),
            Due::Task(..) => None,
            Due::Acceptance => Some(RuleId::LateAcceptance),
            Due::Delivery => Some(RuleId::LateDelivery),
            Due::Suspension => Some(RuleId::SuspensionTooLong),
            Due::Rectification => Some(RuleId::RectificationOverdue),
        }
    }

    /// The finding this mark raises for `case`, if its rule applies.
    pub fn finding(&self, case: &Watched, settings: &Settings) -> Option<Finding> {
        let rule = self.rule()?;
        let (power, region) = (case.power.as_str(), case.region.as_str());
        if !settings.applies(rule, power, region) {
            return None;
        }
        let receipt = case.receipt.as_str();
        let name = &case.power_name;
        let (task, detail) = match self.due {
            Due::Case(Colour::Yellow) => (
                None,
                format!(
                    "{name}：距承诺办结期限 {} 不足 {} 个工作日",
                    show(case.deadlines.committed),
                    settings.warning_days(power, region)
                ),
            ),
            Due::Case(Colour::Red) => (
                None,
                format!(
                    "{name}：已超过承诺办结期限 {}",
                    show(case.deadlines.committed)
                ),
            ),
            Due::Case(_) => (
                None,
                format!(
                    "{name}：已超过法定办结期限 {}",
                    show(case.deadlines.statutory)
                ),
            ),
            Due::Task(id, _) => {
                let t = case.tasks.iter().find(|t| t.id == id)?;
                (
                    Some(id),
                    format!(
                        "{name}：环节「{}」超过流程图规定时限（应于 {} 前办结）",
                        t.name,
                        show(t.due)
                    ),
                )
            }
            Due::Acceptance => (
                None,
                format!("{name}：申请提交后五个工作日内未作出受理决定（视为受理）"),
            ),
            Due::Delivery => (None, format!("{name}：作出决定后十个工作日内未送达")),
            Due::Suspension => {
                let (since, reason) = case.suspended.as_ref()?;
                (
                    None,
                    format!(
                        "{name}：自 {since} 起以「{reason}」停止计时，超过 {} 个工作日",
                        settings.suspension_days(reason)
                    ),
                )
            }
            Due::Rectification => (
                None,
                format!(
                    "{name}：申请人差评，应于 {} 前核实整改并回访反馈，逾期未反馈",
                    show(case.rectify_by)
                ),
            ),
        };
        Some(Finding::new(rule, receipt, task, self.at, detail))
    }
}

pub(super) fn show(d: Option<Date>) -> String {
    d.map_or_else(|| "—".into(), |d| d.to_string())
}

/// The first instant after `date` ends.
pub(crate) fn after(zone: Zone, date: Date) -> Timestamp {
    zone.start_of(date.tomorrow().unwrap_or(date))
}

/// The day a decide step finished, if any.
pub fn decided_on(case: &Case, zone: Zone) -> Option<Date> {
    case.tasks
        .iter()
        .filter(|t| t.step == StepKind::Decide && t.status == TaskStatus::Done)
        .filter_map(|t| t.done_at)
        .max()
        .map(|t| zone.date(t))
}

/// Every instant, past or future, at which this case — as it stands — changes colour or
/// breaks a time rule, in time order. A finished case has none but a 差评's 整改 day; a suspended one only its
/// delivery and task marks (its deadlines are unknown while the clock is stopped). A mark
/// that falls outside the loaded calendar years is left out (and reappears once the year is
/// loaded and the case is recomputed).
pub fn marks(case: &Watched, cal: &Calendar, zone: Zone, settings: &Settings) -> Vec<Mark> {
    let mut out = Vec::new();
    if let Some(d) = case.rectify_by {
        out.push(Mark {
            at: after(zone, d),
            due: Due::Rectification,
        });
    }
    if case.status.is_finished() {
        return out;
    }
    let mut push = |at: Result<Timestamp, CalendarError>, due: Due| {
        if let Ok(at) = at {
            out.push(Mark { at, due });
        }
    };
    if case.status == CaseStatus::Submitted && case.supplement_notices == 0 {
        let submitted = zone.date(case.submitted_at);
        push(
            cal.add_working_days(submitted, ACCEPTANCE_DAYS)
                .map(|d| after(zone, d)),
            Due::Acceptance,
        );
    }
    if case.status == CaseStatus::InProgress {
        if let Some(c) = case.deadlines.committed {
            let w = settings.warning_days(&case.power, &case.region);
            if w > 0 {
                push(
                    cal.window_start(c, w).map(|d| zone.start_of(d)),
                    Due::Case(Colour::Yellow),
                );
            }
            push(Ok(after(zone, c)), Due::Case(Colour::Red));
        }
        if let Some(s) = case.deadlines.statutory {
            push(Ok(after(zone, s)), Due::Case(Colour::RedCard));
        }
    }
    if !case.delivered
        && let Some(d) = case.decided_on
    {
        push(
            cal.add_working_days(d, DELIVERY_DAYS)
                .map(|d| after(zone, d)),
            Due::Delivery,
        );
    }
    if let Some((since, reason)) = &case.suspended {
        push(
            cal.add_working_days(*since, settings.suspension_days(reason))
                .map(|d| after(zone, d)),
            Due::Suspension,
        );
    }
    // While the applicant has the case (补正), no step's budget runs: the accept step's starts
    // again when the supplement comes.
    let tasks = if case.status == CaseStatus::AwaitingSupplement {
        &[][..]
    } else {
        &case.tasks[..]
    };
    for t in tasks {
        let Some(due) = t.due else { continue };
        if settings.task_warning_days > 0 {
            push(
                cal.window_start(due, settings.task_warning_days)
                    .map(|d| zone.start_of(d)),
                Due::Task(t.id, Colour::Yellow),
            );
        }
        push(Ok(after(zone, due)), Due::Task(t.id, Colour::Red));
    }
    out.sort();
    out
}

/// The case's colour at `now`. Running cases take the colour of the last case mark passed
/// (blue before any); finished ones are green, or late when they finished after the committed
/// deadline. Cases that never ran (not accepted, withdrawn before acceptance) are green.
pub fn case_colour(case: &Watched, marks: &[Mark], now: Timestamp, zone: Zone) -> Colour {
    if case.status.is_finished() {
        let finished = case.finished_at.map(|t| zone.date(t));
        return match (finished, case.deadlines.committed) {
            (Some(f), Some(c)) if f > c => Colour::Late,
            _ => Colour::Green,
        };
    }
    marks
        .iter()
        .take_while(|m| m.at <= now)
        .filter_map(|m| match m.due {
            Due::Case(c) => Some(c),
            _ => None,
        })
        .max()
        .unwrap_or(Colour::Blue)
}

/// A task's colour at `now`.
pub fn task_colour(
    case: &Case,
    task: u32,
    now: Timestamp,
    zone: Zone,
    settings: &Settings,
    cal: &Calendar,
) -> Colour {
    let Some(t) = case.tasks.iter().find(|t| t.id == task) else {
        return Colour::Blue;
    };
    if case.status == CaseStatus::AwaitingSupplement && t.status == TaskStatus::Open {
        // The applicant has the case: no step's budget runs.
        return Colour::Blue;
    }
    let Some(due) = t.due else {
        return if t.status == TaskStatus::Open {
            Colour::Blue
        } else {
            Colour::Green
        };
    };
    if let Some(done) = t.done_at {
        return if zone.date(done) > due {
            Colour::Late
        } else {
            Colour::Green
        };
    }
    if t.status != TaskStatus::Open {
        return Colour::Green;
    }
    if now >= after(zone, due) {
        Colour::Red
    } else if settings.task_warning_days > 0
        && cal
            .window_start(due, settings.task_warning_days)
            .is_ok_and(|d| now >= zone.start_of(d))
    {
        Colour::Yellow
    } else {
        Colour::Blue
    }
}

/// The colour supervision gives `case` at `now` — the one colour every view shows: the
/// applicant's lookup page, the case officer's page and the supervision board alike (a case in
/// a clock stop 补正中 stays as its stop leaves it; a case finished late is `Late`, not green).
pub fn colour_now(
    case: &Case,
    cal: &Calendar,
    zone: Zone,
    settings: &Settings,
    now: Timestamp,
) -> Colour {
    let watched = Watched::of(case, zone);
    let marks = marks(&watched, cal, zone, settings);
    case_colour(&watched, &marks, now, zone)
}
