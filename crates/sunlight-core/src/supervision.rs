//! Electronic supervision (电子监察): the colour of every case and task, the instants those
//! colours change, and the typed rules that raise alerts — on each event and on time passing.
//!
//! Colours (the reports' 红黄蓝绿灯):
//! - **blue** (蓝灯): in progress, on time;
//! - **yellow** (黄灯, 预警): inside the warning window — the last `warning_days` working days up
//!   to and including the committed deadline;
//! - **red** (红灯): past the committed deadline (from 00:00 of the day after it);
//! - **red card** (红牌): past the statutory deadline;
//! - **green** (绿灯): finished on or before the committed deadline; **late** (超时办结):
//!   finished after it — a late case stays marked late.
//!
//! Tasks get the same colours against their node budget (`TaskState::due`), with their own
//! (shorter) warning window, and never a red card.
//!
//! Everything here is pure: [`marks`] lists the instants at which a case changes colour or a
//! time rule fires (the timer queue keeps only the next one of each case), [`case_colour`] and
//! [`task_colour`] answer for any instant, and [`on_event`] checks one event.

use crate::calendar::{Calendar, CalendarError};
use crate::case::{Case, CaseEvent, CaseStatus, EventBody, TaskStatus, Verdict};
use crate::clock::Zone;
use crate::flow::StepKind;
use crate::{Date, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub mod feed;
pub mod life;

/// 行政许可法第三十二条: the acceptance decision within five (working) days of the application.
pub const ACCEPTANCE_DAYS: u32 = 5;
/// 行政许可法第四十四条: the licence issued and delivered within ten (working) days of the decision.
pub const DELIVERY_DAYS: u32 = 10;
/// 行政许可法第四十二条: an extension of at most ten working days.
pub const EXTENSION_ALLOWANCE: u32 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Colour {
    Blue,
    Yellow,
    Red,
    RedCard,
    Green,
    Late,
}

impl Colour {
    pub const ALL: [Colour; 6] = [
        Self::Blue,
        Self::Yellow,
        Self::Red,
        Self::RedCard,
        Self::Green,
        Self::Late,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Blue => "blue",
            Self::Yellow => "yellow",
            Self::Red => "red",
            Self::RedCard => "red_card",
            Self::Green => "green",
            Self::Late => "late",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Blue => "蓝灯（正常办理）",
            Self::Yellow => "黄灯（临近承诺时限）",
            Self::Red => "红灯（超承诺时限）",
            Self::RedCard => "红牌（超法定时限）",
            Self::Green => "绿灯（按时办结）",
            Self::Late => "超时办结",
        }
    }

    /// Still running (blue, yellow, red, red card).
    pub fn is_running(self) -> bool {
        matches!(self, Self::Blue | Self::Yellow | Self::Red | Self::RedCard)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Severity {
    /// 提醒
    Notice,
    /// 预警
    Warning,
    /// 违规
    Breach,
    /// 严重违规
    Grave,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Notice => "notice",
            Self::Warning => "warning",
            Self::Breach => "breach",
            Self::Grave => "grave",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Notice => "提醒",
            Self::Warning => "预警",
            Self::Breach => "违规",
            Self::Grave => "严重违规",
        }
    }
}

/// The supervision rules. Each has a stable id (its snake_case name), a name, its legal basis
/// and a severity: see [`RuleId::rule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RuleId {
    TaskOverBudget,
    CommittedWarning,
    CommittedOverdue,
    StatutoryOverdue,
    LateAcceptance,
    RepeatedSupplement,
    SuspensionWithoutReason,
    SuspensionTooLong,
    ExtensionOverAllowance,
    ExtensionWithoutApprover,
    LateDelivery,
    PenaltyOutsideBand,
    FeeMismatch,
    RefusalWithoutReasons,
    PowerNotInList,
    UncommonWithoutApproval,
    SeparationOfDuties,
    TwoPersonBreach,
    ConflictOfInterest,
    Concentration,
    ComplaintUnanswered,
}

/// What a rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rule {
    pub id: RuleId,
    pub name: &'static str,
    pub name_en: &'static str,
    pub basis: &'static str,
    pub severity: Severity,
}

const fn rule(
    id: RuleId,
    name: &'static str,
    name_en: &'static str,
    basis: &'static str,
    severity: Severity,
) -> Rule {
    Rule {
        id,
        name,
        name_en,
        basis,
        severity,
    }
}

/// Every rule, in the order the docs list them.
pub const RULES: [Rule; 21] = {
    use RuleId::*;
    use Severity::*;
    [
        rule(
            TaskOverBudget,
            "环节超时",
            "Task over its node budget",
            "《浙江省行政权力运行监察办法》：各办理环节按流程图规定时限办结",
            Warning,
        ),
        rule(
            CommittedWarning,
            "临近承诺时限（黄灯预警）",
            "Committed deadline near (yellow)",
            "承诺办结时限（《行政许可法》第四十二条、第八十二条）",
            Notice,
        ),
        rule(
            CommittedOverdue,
            "超承诺时限（红灯）",
            "Past the committed deadline (red)",
            "承诺办结时限（《行政许可法》第四十二条、第八十二条）",
            Breach,
        ),
        rule(
            StatutoryOverdue,
            "超法定时限（红牌）",
            "Past the statutory deadline (red card)",
            "《中华人民共和国行政许可法》第四十二条",
            Grave,
        ),
        rule(
            LateAcceptance,
            "受理超期",
            "Acceptance decided late",
            "《中华人民共和国行政许可法》第三十二条：五日内不告知的，自收到申请材料之日起即为受理",
            Breach,
        ),
        rule(
            RepeatedSupplement,
            "多次补正（违反一次性告知）",
            "A second supplement notice",
            "《中华人民共和国行政许可法》第三十二条第一款第（四）项",
            Breach,
        ),
        rule(
            SuspensionWithoutReason,
            "无法定事由停止计时",
            "Clock stopped without an allowed reason",
            "《中华人民共和国行政许可法》第四十五条",
            Breach,
        ),
        rule(
            SuspensionTooLong,
            "停止计时超期",
            "Clock stopped longer than allowed",
            "《中华人民共和国行政许可法》第四十五条",
            Warning,
        ),
        rule(
            ExtensionOverAllowance,
            "延期超过法定期限",
            "Extension over the statutory allowance",
            "《中华人民共和国行政许可法》第四十二条：延长十日",
            Breach,
        ),
        rule(
            ExtensionWithoutApprover,
            "延期未经负责人批准",
            "Extension without an approver",
            "《中华人民共和国行政许可法》第四十二条：经本行政机关负责人批准",
            Breach,
        ),
        rule(
            LateDelivery,
            "送达超期",
            "Delivered late",
            "《中华人民共和国行政许可法》第四十四条：十日内颁发、送达",
            Breach,
        ),
        rule(
            PenaltyOutsideBand,
            "处罚金额超出裁量基准",
            "Penalty outside the discretion band",
            "《中华人民共和国行政处罚法》第三十四条（裁量基准）、第五十七条（集体讨论）",
            Breach,
        ),
        rule(
            FeeMismatch,
            "违规收费",
            "Fee differs from the fee standard",
            "《中华人民共和国行政许可法》第五十八条、第五十九条",
            Grave,
        ),
        rule(
            RefusalWithoutReasons,
            "不予许可未说明理由",
            "Refusal without reasons",
            "《中华人民共和国行政许可法》第三十八条第二款",
            Breach,
        ),
        rule(
            PowerNotInList,
            "清单外行使权力",
            "Power not in the list",
            "权力清单制度：法无授权不可为",
            Grave,
        ),
        rule(
            UncommonWithoutApproval,
            "非常用权力未经一事一审",
            "Uncommon power used without a per-use approval",
            "非常用权力一事一审制度",
            Grave,
        ),
        rule(
            SeparationOfDuties,
            "违反岗位分离",
            "Separation of duties broken",
            "《中华人民共和国行政处罚法》第五十七条、第五十八条（审查与决定分离）",
            Grave,
        ),
        rule(
            TwoPersonBreach,
            "执法人员少于两人",
            "Fewer than two officers",
            "《中华人民共和国行政处罚法》第四十二条",
            Grave,
        ),
        rule(
            ConflictOfInterest,
            "应回避未回避",
            "Conflict of interest",
            "《中华人民共和国行政许可法》第四十八条、《行政处罚法》第四十三条",
            Grave,
        ),
        rule(
            Concentration,
            "权力过度集中",
            "Concentration of decisions in one person",
            "“一把手”权力制约：分事行权、分岗设权、分级授权",
            Warning,
        ),
        rule(
            ComplaintUnanswered,
            "投诉逾期未答复",
            "Complaint not answered in time",
            "《信访工作条例》（2022年）关于按期办理、答复的规定；答复期限按本级配置（默认30日）",
            Breach,
        ),
    ]
};

impl RuleId {
    pub fn rule(self) -> &'static Rule {
        RULES
            .iter()
            .find(|r| r.id == self)
            .expect("every rule is listed")
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TaskOverBudget => "task_over_budget",
            Self::CommittedWarning => "committed_warning",
            Self::CommittedOverdue => "committed_overdue",
            Self::StatutoryOverdue => "statutory_overdue",
            Self::LateAcceptance => "late_acceptance",
            Self::RepeatedSupplement => "repeated_supplement",
            Self::SuspensionWithoutReason => "suspension_without_reason",
            Self::SuspensionTooLong => "suspension_too_long",
            Self::ExtensionOverAllowance => "extension_over_allowance",
            Self::ExtensionWithoutApprover => "extension_without_approver",
            Self::LateDelivery => "late_delivery",
            Self::PenaltyOutsideBand => "penalty_outside_band",
            Self::FeeMismatch => "fee_mismatch",
            Self::RefusalWithoutReasons => "refusal_without_reasons",
            Self::PowerNotInList => "power_not_in_list",
            Self::UncommonWithoutApproval => "uncommon_without_approval",
            Self::SeparationOfDuties => "separation_of_duties",
            Self::TwoPersonBreach => "two_person_breach",
            Self::ConflictOfInterest => "conflict_of_interest",
            Self::Concentration => "concentration",
            Self::ComplaintUnanswered => "complaint_unanswered",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        RULES.iter().map(|r| r.id).find(|id| id.as_str() == s)
    }
}

/// Which cases a rule watches: power codes (or code prefixes such as `330183-XK-`) and region
/// codes; empty means all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Scope {
    pub powers: Vec<String>,
    pub regions: Vec<String>,
}

impl Scope {
    pub fn covers(&self, power: &str, region: &str) -> bool {
        (self.powers.is_empty() || self.powers.iter().any(|p| power.starts_with(p.as_str())))
            && (self.regions.is_empty() || self.regions.iter().any(|r| within(region, r)))
    }
}

/// Whether `region` lies within the area `code` names: region codes are hierarchical, so
/// `330000` (浙江省) holds `330183` (富阳区) and its townships `330183001…`.
pub fn within(region: &str, code: &str) -> bool {
    let mut prefix = code;
    while prefix.len() > 2 && prefix.ends_with("00") {
        prefix = &prefix[..prefix.len() - 2];
    }
    region.starts_with(prefix)
}

/// Supervision settings (the `[supervision]` table of `sunlight.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Working days of the yellow window before a committed deadline (default 3).
    pub warning_days: u32,
    /// Per region or power code (a power's setting wins over its region's).
    pub warning_days_by_region: BTreeMap<String, u32>,
    pub warning_days_by_power: BTreeMap<String, u32>,
    /// Working days of a task's yellow window before its due day (default 1: the due day).
    pub task_warning_days: u32,
    /// Rules switched off.
    pub disabled: Vec<RuleId>,
    /// Rules limited to some powers or regions.
    pub scopes: BTreeMap<RuleId, Scope>,
    /// Working days a clock stop may last (default 30), and per reason (`专家评审 = 20`).
    pub suspension_days: u32,
    pub suspension_days_by_reason: BTreeMap<String, u32>,
    /// How the monthly score of a department is counted.
    pub score: ScoreWeights,
    /// When one person's share of a department's decisions is too large.
    pub concentration: ConcentrationLimit,
    /// Days a department has to answer a complaint before it becomes an alert (default 30).
    pub complaint_answer_days: u32,
    /// How often (milliseconds) the monitor looks for calendar changes made by another
    /// process (a `sunlight import calendar` beside a running server); default a minute.
    pub calendar_poll_ms: u64,
}

/// 一把手 power concentration: over the last `days` days, one person deciding more than
/// `share` of a department's decisions, once the department took at least `min_decisions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConcentrationLimit {
    pub share: f64,
    pub min_decisions: u32,
    pub days: u32,
}

impl Default for ConcentrationLimit {
    fn default() -> Self {
        Self {
            share: 0.6,
            min_decisions: 20,
            days: 30,
        }
    }
}

impl ConcentrationLimit {
    /// The findings over `(department, person, decisions)` counts of the window ending `at`.
    pub fn check(
        &self,
        counts: &[(String, String, i64)],
        at: Timestamp,
        zone: Zone,
    ) -> Vec<(String, Finding)> {
        let mut totals: BTreeMap<&str, i64> = BTreeMap::new();
        for (d, _, n) in counts {
            *totals.entry(d.as_str()).or_default() += n;
        }
        let month = zone.date(at).strftime("%Y-%m").to_string();
        counts
            .iter()
            .filter_map(|(d, person, n)| {
                let total = totals[d.as_str()];
                let share = *n as f64 / total as f64;
                (total >= i64::from(self.min_decisions) && share > self.share).then(|| {
                    let mut f = Finding::new(
                        RuleId::Concentration,
                        d,
                        None,
                        at,
                        format!(
                            "近 {} 日本部门 {total} 件决定中，{person} 一人作出 {n} 件（{:.0}%，超过 {:.0}%）",
                            self.days,
                            share * 100.0,
                            self.share * 100.0
                        ),
                    );
                    f.key = format!("concentration/{d}/{person}/{month}");
                    (d.clone(), f)
                })
            })
            .collect()
    }
}

/// The monthly score (效能考评): `base`, plus each alert's points (by rule, else by
/// severity), plus `early_bonus` for each full 10% of cases completed early; never below 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoreWeights {
    pub base: f64,
    pub by_rule: BTreeMap<RuleId, f64>,
    pub by_severity: BTreeMap<Severity, f64>,
    pub early_bonus: f64,
}

impl Default for ScoreWeights {
    fn default() -> Self {
        Self {
            base: 100.0,
            by_rule: [
                (RuleId::CommittedWarning, -5.0),
                (RuleId::CommittedOverdue, -10.0),
                (RuleId::StatutoryOverdue, -20.0),
            ]
            .into(),
            by_severity: [
                (Severity::Notice, 0.0),
                (Severity::Warning, -2.0),
                (Severity::Breach, -5.0),
                (Severity::Grave, -10.0),
            ]
            .into(),
            early_bonus: 1.0,
        }
    }
}

impl ScoreWeights {
    /// The score of a month with these alerts (rule id → count) and this early-completion rate.
    pub fn score(&self, alerts: &BTreeMap<String, i64>, early_rate: Option<f64>) -> f64 {
        let mut s = self.base;
        for (rule, n) in alerts {
            let Some(id) = RuleId::parse(rule) else {
                continue;
            };
            let w = self
                .by_rule
                .get(&id)
                .or_else(|| self.by_severity.get(&id.rule().severity))
                .copied()
                .unwrap_or(0.0);
            s += w * *n as f64;
        }
        if let Some(r) = early_rate {
            s += (r * 10.0).floor() * self.early_bonus;
        }
        s.max(0.0)
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            warning_days: 3,
            warning_days_by_region: BTreeMap::new(),
            warning_days_by_power: BTreeMap::new(),
            task_warning_days: 1,
            disabled: Vec::new(),
            scopes: BTreeMap::new(),
            suspension_days: 30,
            suspension_days_by_reason: BTreeMap::new(),
            score: ScoreWeights::default(),
            concentration: ConcentrationLimit::default(),
            complaint_answer_days: 30,
            calendar_poll_ms: 60_000,
        }
    }
}

impl Settings {
    /// The yellow window of a power's cases: the power's own setting, else that of the
    /// smallest configured area holding the region, else the default.
    pub fn warning_days(&self, power: &str, region: &str) -> u32 {
        self.warning_days_by_power
            .get(power)
            .or_else(|| {
                self.warning_days_by_region
                    .iter()
                    .filter(|(code, _)| within(region, code))
                    .max_by_key(|(code, _)| code.trim_end_matches('0').len())
                    .map(|(_, days)| days)
            })
            .copied()
            .unwrap_or(self.warning_days)
    }

    /// Working days a clock stop for `reason` may last.
    pub fn suspension_days(&self, reason: &str) -> u32 {
        self.suspension_days_by_reason
            .get(reason)
            .copied()
            .unwrap_or(self.suspension_days)
    }

    /// Whether `rule` watches this case.
    pub fn applies(&self, rule: RuleId, power: &str, region: &str) -> bool {
        !self.disabled.contains(&rule)
            && self
                .scopes
                .get(&rule)
                .is_none_or(|s| s.covers(power, region))
    }
}

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
fn mask_party(p: &str) -> String {
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
        };
        Some(Finding::new(rule, receipt, task, self.at, detail))
    }
}

fn show(d: Option<Date>) -> String {
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
/// breaks a time rule, in time order. A finished case has none; a suspended one only its
/// delivery and task marks (its deadlines are unknown while the clock is stopped). A mark
/// that falls outside the loaded calendar years is left out (and reappears once the year is
/// loaded and the case is recomputed).
pub fn marks(case: &Watched, cal: &Calendar, zone: Zone, settings: &Settings) -> Vec<Mark> {
    let mut out = Vec::new();
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
    for t in &case.tasks {
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

/// The rules one event breaks, judged on the case before and after it. Time rules that the
/// event settles late (an acceptance or delivery after its limit, a task finished over its
/// budget) fire here too, with the same key as their timer, so a breach raises one alert
/// however it is noticed.
pub fn on_event(
    before: Option<&Prior>,
    after_: &Case,
    event: &CaseEvent,
    cal: &Calendar,
    zone: Zone,
    settings: &Settings,
) -> Vec<Finding> {
    let receipt = after_.opened.receipt.to_string();
    let (power, region) = (after_.opened.power.as_str(), after_.opened.region.as_str());
    let mut out = Vec::new();
    let mut fire = |f: Finding| {
        if settings.applies(f.rule, power, region) {
            out.push(f);
        }
    };
    let day = zone.date(event.at);
    let first_acceptance_decision =
        before.is_some_and(|b| b.status == CaseStatus::Submitted && b.supplement_notices == 0);
    match &event.body {
        EventBody::SupplementRequested {
            notice, missing, ..
        } if *notice >= 2 => fire(
            Finding::new(
                RuleId::RepeatedSupplement,
                &receipt,
                None,
                event.at,
                format!(
                    "第 {notice} 次补正告知（{}）：补正材料应一次性告知",
                    missing.join("、")
                ),
            )
            .nth(*notice),
        ),
        EventBody::Refused { reason, .. } if reason.trim().is_empty() => fire(Finding::new(
            RuleId::RefusalWithoutReasons,
            &receipt,
            None,
            event.at,
            "不予受理未说明理由".into(),
        )),
        EventBody::Decided { decision, .. } => {
            if decision.verdict == Verdict::Deny && decision.reasons.trim().is_empty() {
                fire(Finding::new(
                    RuleId::RefusalWithoutReasons,
                    &receipt,
                    None,
                    event.at,
                    "不予许可决定未说明理由".into(),
                ));
            }
            if let Some(p) = &decision.penalty
                && (!p.band.within || p.collective_reason.is_some())
            {
                fire(Finding::new(
                    RuleId::PenaltyOutsideBand,
                    &receipt,
                    None,
                    event.at,
                    format!(
                        "罚款 {} 元，裁量基准（{}）为 {}–{} 元{}",
                        yuan(p.amount_fen),
                        p.tier.zh(),
                        yuan(p.band.min_fen),
                        yuan(p.band.max_fen),
                        p.collective_reason
                            .as_deref()
                            .map(|r| format!("；集体讨论决定，理由：{r}"))
                            .unwrap_or_default()
                    ),
                ));
            }
        }
        EventBody::Extended { days, .. } if after_.extension_days > EXTENSION_ALLOWANCE => {
            fire(Finding::new(
                RuleId::ExtensionOverAllowance,
                &receipt,
                None,
                event.at,
                format!(
                    "延期 {days} 个工作日，累计 {} 个工作日，超过法定的 {EXTENSION_ALLOWANCE} 个工作日",
                    after_.extension_days
                ),
            ))
        }
        EventBody::Delivered { delivery, .. } => {
            if let Some(d) = decided_on(after_, zone)
                && let Ok(limit) = cal.add_working_days(d, DELIVERY_DAYS)
                && delivery.date > limit
            {
                fire(Finding::new(
                    RuleId::LateDelivery,
                    &receipt,
                    None,
                    after(zone, limit),
                    format!(
                        "{d} 作出决定，{} 送达，超过十个工作日（应于 {limit} 前）",
                        delivery.date
                    ),
                ));
            }
        }
        _ => {}
    }
    if first_acceptance_decision
        && matches!(
            event.body,
            EventBody::Accepted { .. }
                | EventBody::Refused { .. }
                | EventBody::SupplementRequested { .. }
        )
        && let Ok(limit) = cal.add_working_days(zone.date(after_.submitted_at), ACCEPTANCE_DAYS)
        && day > limit
    {
        fire(Finding::new(
            RuleId::LateAcceptance,
            &receipt,
            None,
            after(zone, limit),
            format!(
                "{} 提交，{day} 才作出受理决定（应于 {limit} 前）",
                zone.date(after_.submitted_at)
            ),
        ));
    }
    // A task finished after its budget: the same breach its timer raises.
    if let Some(b) = before {
        for t in after_.tasks.iter().filter(|t| t.status == TaskStatus::Done) {
            let was_open = b.open_tasks.contains(&t.id);
            if was_open
                && let (Some(due), Some(done)) = (t.due, t.done_at)
                && zone.date(done) > due
            {
                fire(Finding::new(
                    RuleId::TaskOverBudget,
                    &receipt,
                    Some(t.id),
                    after(zone, due),
                    format!(
                        "{}：环节「{}」应于 {due} 前办结，{} 才办结",
                        after_.opened.power_name,
                        t.name,
                        zone.date(done)
                    ),
                ));
            }
        }
    }
    out
}

/// Where an alert stands: raised → acknowledged by its department → explained (reason,
/// evidence) → closed by a supervisor; or dismissed by a supervisor, with a reason, at any
/// point before it is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AlertState {
    Raised,
    Acknowledged,
    Explained,
    Closed,
    Dismissed,
}

impl AlertState {
    pub const ALL: [AlertState; 5] = [
        Self::Raised,
        Self::Acknowledged,
        Self::Explained,
        Self::Closed,
        Self::Dismissed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Raised => "raised",
            Self::Acknowledged => "acknowledged",
            Self::Explained => "explained",
            Self::Closed => "closed",
            Self::Dismissed => "dismissed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Raised => "待签收",
            Self::Acknowledged => "已签收",
            Self::Explained => "已说明",
            Self::Closed => "已办结",
            Self::Dismissed => "已撤销",
        }
    }

    pub fn is_open(self) -> bool {
        !matches!(self, Self::Closed | Self::Dismissed)
    }
}

/// What someone does to an alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "act", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum AlertAct {
    /// 签收, by staff of the alert's department.
    Acknowledge,
    /// 情况说明, by staff of the alert's department.
    Explain {
        reason: String,
        #[serde(default)]
        evidence: String,
    },
    /// 办结, by a supervisor once the department has explained.
    Close {
        #[serde(default)]
        note: String,
    },
    /// 撤销, by a supervisor, with the reason.
    Dismiss { reason: String },
}

impl AlertAct {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Acknowledge => "acknowledged",
            Self::Explain { .. } => "explained",
            Self::Close { .. } => "closed",
            Self::Dismiss { .. } => "dismissed",
        }
    }

    /// The act in Chinese (签收, 说明 …).
    pub fn zh(&self) -> &'static str {
        match self {
            Self::Acknowledge => "签收",
            Self::Explain { .. } => "作出情况说明",
            Self::Close { .. } => "办结",
            Self::Dismiss { .. } => "撤销",
        }
    }

    /// The state this act moves an alert of `department` in `state` to, when `by` does it;
    /// or why not.
    pub fn check(
        &self,
        state: AlertState,
        department: &str,
        by: &crate::User,
    ) -> Result<AlertState, crate::DomainError> {
        use crate::{DomainError, ErrorCode, Role};
        let of_department = || {
            if by
                .department
                .as_ref()
                .is_some_and(|d| d.as_str() == department)
            {
                Ok(())
            } else {
                Err(DomainError::rule(
                    ErrorCode::WrongDepartment,
                    crate::zh_en!(
                        "预警由部门 {department} 的工作人员答复，{user} 不属于该部门",
                        "only staff of department {department} answer its alerts; {user} is not one of them",
                        user = &by.username,
                    ),
                ))
            }
        };
        // What the alert must be first: (中文, English).
        let wrong = |(want_zh, want_en): (&str, &str)| {
            Err(DomainError::rule(
                ErrorCode::InvalidTransition,
                crate::zh_en!(
                    "预警当前为“{zh}”，不能{act}；须先{want_zh}",
                    "an alert that is {en} ({zh}) cannot be {act_en}; it must be {want_en}",
                    en = state.as_str(),
                    zh = state.zh(),
                    act = self.zh(),
                    act_en = self.as_str(),
                ),
            ))
        };
        match self {
            Self::Acknowledge => {
                of_department()?;
                if state != AlertState::Raised {
                    return wrong(("处于待签收状态", "raised"));
                }
                Ok(AlertState::Acknowledged)
            }
            Self::Explain { reason, .. } => {
                of_department()?;
                if reason.trim().is_empty() {
                    return Err(DomainError::field(
                        "reason",
                        crate::zh_en!(
                            "情况说明应写明发生了什么及其原因",
                            "an explanation says what happened and why (情况说明)"
                        ),
                    ));
                }
                if !matches!(state, AlertState::Acknowledged | AlertState::Explained) {
                    return wrong(("签收", "acknowledged first"));
                }
                Ok(AlertState::Explained)
            }
            Self::Close { .. } => {
                by.require(Role::Supervisor)?;
                if state != AlertState::Explained {
                    return wrong(("由责任部门作出情况说明", "explained by its department"));
                }
                Ok(AlertState::Closed)
            }
            Self::Dismiss { reason } => {
                by.require(Role::Supervisor)?;
                if reason.trim().is_empty() {
                    return Err(DomainError::field(
                        "reason",
                        crate::zh_en!(
                            "撤销预警应记录撤销理由",
                            "a dismissed alert records why it was dismissed"
                        ),
                    ));
                }
                if !state.is_open() {
                    return wrong(("处于未办结状态", "open"));
                }
                Ok(AlertState::Dismissed)
            }
        }
    }
}

/// 效能问责 measures, mildest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Measure {
    /// 提醒
    Reminder,
    /// 诫勉谈话
    AdmonitoryTalk,
    /// 通报批评
    Criticism,
    /// 效能告诫
    EfficiencyWarning,
    /// 责令公开道歉
    PublicApology,
    /// 停职检查
    Suspension,
}

impl Measure {
    pub const ALL: [Measure; 6] = [
        Self::Reminder,
        Self::AdmonitoryTalk,
        Self::Criticism,
        Self::EfficiencyWarning,
        Self::PublicApology,
        Self::Suspension,
    ];

    /// The name used in forms and JSON (`admonitory_talk` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reminder => "reminder",
            Self::AdmonitoryTalk => "admonitory_talk",
            Self::Criticism => "criticism",
            Self::EfficiencyWarning => "efficiency_warning",
            Self::PublicApology => "public_apology",
            Self::Suspension => "suspension",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Reminder => "提醒",
            Self::AdmonitoryTalk => "诫勉谈话",
            Self::Criticism => "通报批评",
            Self::EfficiencyWarning => "效能告诫",
            Self::PublicApology => "责令公开道歉",
            Self::Suspension => "停职检查",
        }
    }
}

pub(crate) fn yuan(fen: i64) -> String {
    if fen % 100 == 0 {
        format!("{}", fen / 100)
    } else {
        format!("{}.{:02}", fen / 100, (fen % 100).abs())
    }
}

#[cfg(test)]
mod tests;
