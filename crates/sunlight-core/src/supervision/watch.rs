//! What supervision watches of a case (`Watched`), what it finds (`Finding`, `Outcome`) and conflicts of interest.

use super::*;

/// A rule that fired: on what, when the breach began, and why, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub rule: RuleId,
    /// The case's receipt number (or an outside system's case id).
    pub subject: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<u32>,
    /// When the breach began: the deadline instant, or the event's time.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: Timestamp,
    pub detail: String,
    /// The same breach raises one alert: `rule/subject[/task][/n]`.
    pub key: String,
}

impl Finding {
    pub fn new(
        rule: RuleId,
        subject: &str,
        task: Option<u32>,
        at: Timestamp,
        detail: String,
    ) -> Self {
        let mut key = format!("{}/{subject}", rule.as_str());
        if let Some(t) = task {
            key.push_str(&format!("/{t}"));
        }
        Self {
            rule,
            subject: subject.to_string(),
            task,
            at,
            detail,
            key,
        }
    }

    pub(crate) fn nth(mut self, n: u32) -> Self {
        self.key.push_str(&format!("/#{n}"));
        self
    }
}

/// What the timers need of a running case: a few columns of its projection, so that a
/// million of them fit in memory and load at start-up without replaying their events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Watched {
    pub receipt: String,
    pub power: String,
    pub power_name: String,
    pub region: String,
    pub department: String,
    pub status: CaseStatus,
    pub submitted_at: Timestamp,
    pub supplement_notices: u32,
    pub deadlines: crate::case::Deadlines,
    pub decided_on: Option<Date>,
    pub delivered: bool,
    pub finished_at: Option<Timestamp>,
    /// Its open tasks.
    pub tasks: Vec<WatchedTask>,
    /// The clock stop running now: since when, and why.
    #[serde(default)]
    pub suspended: Option<(Date, String)>,
    /// The day a 差评's 整改 is owed by, while it is owed (a finished case stays watched
    /// until it is answered).
    #[serde(default)]
    pub rectify_by: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchedTask {
    pub id: u32,
    pub name: String,
    pub due: Option<Date>,
}

impl Watched {
    pub fn of(case: &Case, zone: Zone) -> Self {
        Self {
            receipt: case.opened.receipt.to_string(),
            power: case.opened.power.to_string(),
            power_name: case.opened.power_name.clone(),
            region: case.opened.region.to_string(),
            department: case.opened.department.to_string(),
            status: case.status,
            submitted_at: case.submitted_at,
            supplement_notices: case.supplement_notices,
            deadlines: case.deadlines,
            decided_on: case.decision.as_ref().and(decided_on(case, zone)),
            delivered: case.delivery.is_some(),
            finished_at: case.finished_at,
            tasks: case
                .tasks
                .iter()
                .filter(|t| t.status == TaskStatus::Open)
                .map(|t| WatchedTask {
                    id: t.id,
                    name: t.name.clone(),
                    due: t.due,
                })
                .collect(),
            suspended: case.suspended.as_ref().map(|s| (s.from, s.reason.clone())),
            rectify_by: case.rectification_due(),
        }
    }
}

/// The figures of one case, kept beside it for the statistics (see `docs/figures.md`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub accepted_on: Option<Date>,
    /// The power's limits in working days.
    pub committed_days: Option<u32>,
    pub statutory_days: Option<u32>,
    /// Working days from acceptance to finishing, stopped clock left out (finished cases).
    pub actual_days: Option<u32>,
    /// Finished on or before the committed deadline.
    pub on_time: Option<bool>,
    pub rating: Option<u8>,
    /// Who took the decision, and on which day.
    pub decided_by: Option<crate::Username>,
    pub decided_on: Option<Date>,
}

impl Outcome {
    pub fn of(
        case: &Case,
        committed_days: Option<u32>,
        statutory_days: Option<u32>,
        cal: &Calendar,
        zone: Zone,
    ) -> Self {
        let finished = case
            .finished_at
            .filter(|_| case.status == CaseStatus::Closed)
            .map(|t| zone.date(t));
        Self {
            rating: case.rating.as_ref().map(|r| r.level),
            decided_by: case
                .tasks
                .iter()
                .filter(|t| t.step == StepKind::Decide && t.status == TaskStatus::Done)
                .filter_map(|t| t.done_by.as_deref())
                .next_back()
                .and_then(|u| crate::Username::parse(u).ok()),
            decided_on: case.decision.as_ref().and(decided_on(case, zone)),
            ..Self::timed(
                case.accepted_on,
                finished,
                &case.stops,
                case.deadlines,
                (committed_days, statutory_days),
                cal,
            )
        }
    }

    /// The figures of time every case has, whoever ran it — the engine or a department's own
    /// system ([`feed::FeedCase::outcome`]): acceptance, the power's limits in working days
    /// `(committed, statutory)`, the working days from acceptance to `finished` (the day a
    /// closed case closed) with the stopped clock left out, and whether that was on or before
    /// the committed deadline (no committed deadline: on time).
    pub(crate) fn timed(
        accepted_on: Option<Date>,
        finished: Option<Date>,
        stops: &[crate::calendar::Stop],
        deadlines: crate::case::Deadlines,
        (committed_days, statutory_days): (Option<u32>, Option<u32>),
        cal: &Calendar,
    ) -> Self {
        let actual_days = match (accepted_on, finished) {
            (Some(a), Some(f)) => cal.working_days_taken(a, f, stops).ok(),
            _ => None,
        };
        Self {
            accepted_on,
            committed_days,
            statutory_days,
            actual_days,
            on_time: finished.map(|f| deadlines.committed.is_none_or(|c| f <= c)),
            ..Self::default()
        }
    }
}

/// Declared relations (亲属、利害关系): each member of staff's parties (ID numbers or credit
/// codes, upper case).
pub type Relations = std::collections::HashMap<String, std::collections::HashSet<String>>;

/// A conflict of interest: `actor` acted on a case of a party they declared a relation with.
pub fn conflict_of_interest(
    subject: &str,
    actor: &str,
    party: &str,
    relations: &Relations,
    at: Timestamp,
) -> Option<Finding> {
    let parties = relations.get(actor)?;
    if party.is_empty() || !parties.contains(party) {
        return None;
    }
    let mut f = Finding::new(
        RuleId::ConflictOfInterest,
        subject,
        None,
        at,
        format!(
            "{actor} 经办了其申报有利害关系的当事人（{}）的案件，应当回避",
            mask_party(party)
        ),
    );
    f.key = format!("conflict_of_interest/{subject}/{actor}");
    Some(f)
}

/// An ID number or credit code with its middle hidden, for alert texts.
pub(super) fn mask_party(p: &str) -> String {
    let chars: Vec<char> = p.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

/// What [`on_event`] needs of the case before the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prior {
    pub status: CaseStatus,
    pub supplement_notices: u32,
    pub open_tasks: Vec<u32>,
}

impl Prior {
    pub fn of(case: &Case) -> Self {
        Self {
            status: case.status,
            supplement_notices: case.supplement_notices,
            open_tasks: case
                .tasks
                .iter()
                .filter(|t| t.status == TaskStatus::Open)
                .map(|t| t.id)
                .collect(),
        }
    }
}
