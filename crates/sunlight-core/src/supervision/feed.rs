//! Outside feeds: the case events of a department's own business system (业务系统), in a
//! documented JSON format, watched by the same rules as the engine's cases.
//!
//! One event:
//!
//! ```json
//! {"source_id": "JST-2026-000123-07", "case": "JST-2026-000123", "power": "330183-XK-09001",
//!  "kind": "step_end", "at": "2026-11-23T10:15:00+08:00", "step": "现场核查",
//!  "handler": "zhang.wei", "actors": ["zhang.wei", "li.qiang"]}
//! ```
//!
//! `kind` is one of `application`, `acceptance`, `supplement`, `step_start`, `step_end`,
//! `suspend`, `resume`, `extend`, `result`, `fee`, `delivery`. What each needs besides the
//! common fields is checked by [`FeedEvent::validate`]; [`FeedCase::apply`] folds an event into
//! the case as the outside system ran it and answers the rules it breaks.

use super::{
    ACCEPTANCE_DAYS, DELIVERY_DAYS, EXTENSION_ALLOWANCE, Finding, Outcome, RuleId, Settings,
    Watched, WatchedTask,
};
use crate::calendar::{Calendar, Stop};
use crate::case::{CaseStatus, Deadlines};
use crate::clock::Zone;
use crate::discretion::{Benchmark, Tier};
use crate::power::{Power, PowerStatus, TimeLimit, Usage};
use crate::{Date, FieldError, Timestamp};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FeedKind {
    Application,
    Acceptance,
    Supplement,
    StepStart,
    StepEnd,
    Suspend,
    Resume,
    Extend,
    Result,
    Fee,
    Delivery,
}

impl FeedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Application => "application",
            Self::Acceptance => "acceptance",
            Self::Supplement => "supplement",
            Self::StepStart => "step_start",
            Self::StepEnd => "step_end",
            Self::Suspend => "suspend",
            Self::Resume => "resume",
            Self::Extend => "extend",
            Self::Result => "result",
            Self::Fee => "fee",
            Self::Delivery => "delivery",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum FeedVerdict {
    Approve,
    Deny,
}

/// One event of an outside system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FeedEvent {
    /// The event's id in its system: an event is taken once per source.
    pub source_id: String,
    /// The case's id in its system.
    pub case: String,
    /// The power's code in the list.
    pub power: String,
    pub kind: FeedKind,
    /// RFC 3339 with offset.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: Timestamp,
    /// Who acted (a username of that system).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub handler: String,
    /// Everyone who took part (two for an inspection).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actors: Vec<String>,
    /// The step's name, as in the power's flowchart (`step_start`, `step_end`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub step: String,
    /// Suspension reason, extension reason, refusal reasons.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub legal_basis: String,
    /// Working days of an extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days: Option<u32>,
    /// Who approved an extension.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub approver: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<FeedVerdict>,
    /// Fee item (as in the power's fee standard) and amount charged.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fee_item: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_fen: Option<i64>,
    /// The applicant's ID number or unified social credit code (on `application`): declared
    /// relations of the staff who act on the case are matched against it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub party: String,
    /// A penalty result: the benchmark's violation code, the tier, the fine.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub violation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<Tier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub penalty_fen: Option<i64>,
}

impl FeedEvent {
    /// Every missing or malformed field, each named `{path}.{field}`.
    pub fn validate(&self, path: &str) -> Vec<FieldError> {
        let mut e = Vec::new();
        let mut need = |ok: bool, field: &str, msg: crate::Text| {
            if !ok {
                e.push(FieldError::new(format!("{path}.{field}"), msg));
            }
        };
        let id_ok = |s: &str| !s.trim().is_empty() && s.len() <= 128;
        need(
            id_ok(&self.source_id),
            "source_id",
            crate::zh_en!(
                "请提供事件在本部门系统中的编号（1–128 个字符）",
                "the event's id in its system (1–128 characters)"
            ),
        );
        need(
            id_ok(&self.case),
            "case",
            crate::zh_en!(
                "请提供办件在本部门系统中的编号（1–128 个字符）",
                "the case's id in its system (1–128 characters)"
            ),
        );
        need(
            !self.power.trim().is_empty(),
            "power",
            crate::zh_en!("请提供权力清单中的事项编码", "the power's code in the list"),
        );
        use FeedKind::*;
        match self.kind {
            Acceptance | Result | StepEnd => need(
                !self.handler.trim().is_empty(),
                "handler",
                crate::zh_en!("请提供办理人", "who acted"),
            ),
            _ => {}
        }
        match self.kind {
            StepStart | StepEnd => need(
                !self.step.trim().is_empty(),
                "step",
                crate::zh_en!(
                    "请提供与流程图一致的环节名称",
                    "the step's name as in the flowchart"
                ),
            ),
            Extend => need(
                self.days.is_some_and(|d| d > 0),
                "days",
                crate::zh_en!(
                    "请提供延长的工作日数（不少于 1）",
                    "working days of the extension (≥ 1)"
                ),
            ),
            Result => need(
                self.verdict.is_some(),
                "verdict",
                crate::zh_en!("请提供准予或不予", "approve or deny"),
            ),
            Fee => {
                need(
                    !self.fee_item.trim().is_empty(),
                    "fee_item",
                    crate::zh_en!(
                        "请提供与事项收费标准一致的收费项目",
                        "the fee item as the power's fee standard names it"
                    ),
                );
                need(
                    self.amount_fen.is_some_and(|a| a >= 0),
                    "amount_fen",
                    crate::zh_en!(
                        "请提供收费金额，以分计（不小于 0）",
                        "the amount charged in fen (≥ 0)"
                    ),
                );
            }
            _ => {}
        }
        if self.penalty_fen.is_some() {
            need(
                !self.violation.trim().is_empty(),
                "violation",
                crate::zh_en!(
                    "罚款应写明裁量基准中的违法行为编码",
                    "a fine names the benchmark's violation code"
                ),
            );
            need(
                self.tier.is_some(),
                "tier",
                crate::zh_en!(
                    "罚款应写明情节阶次（轻微、一般、较重、严重）",
                    "a fine names its tier (minor, ordinary, serious, grave)"
                ),
            );
            need(
                self.penalty_fen.is_some_and(|a| a >= 0),
                "penalty_fen",
                crate::zh_en!(
                    "请提供罚款金额，以分计（不小于 0）",
                    "the fine in fen (≥ 0)"
                ),
            );
        }
        e
    }
}

/// A case of an outside system as its events left it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedCase {
    /// `source:case`, the subject of its alerts.
    pub subject: String,
    pub power: String,
    pub power_name: String,
    pub region: String,
    pub department: String,
    pub applied_at: Option<Timestamp>,
    pub accepted_on: Option<Date>,
    /// The acceptance's instant: an hour limit counts from it (states stored before it was
    /// kept count from the start of `accepted_on`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_at: Option<Timestamp>,
    pub accepted_by: String,
    pub supplements: u32,
    pub suspended: Option<(Date, String)>,
    pub stops: Vec<Stop>,
    pub extension_days: u32,
    pub deadlines: Deadlines,
    pub decided_on: Option<Date>,
    pub delivered_on: Option<Date>,
    pub refused: bool,
    pub events: u32,
    /// The applicant's ID number or credit code, upper case.
    #[serde(default)]
    pub party: String,
}

/// What [`FeedCase::apply`] needs to know.
pub struct FeedContext<'a> {
    /// The power as listed now; `None` when it is not in the list.
    pub power: Option<&'a Power>,
    pub calendar: &'a Calendar,
    pub zone: Zone,
    /// An open per-use approval (一事一审) for the power.
    pub checkout_open: bool,
    pub benchmark: Option<&'a Benchmark>,
    pub settings: &'a Settings,
    pub relations: &'a super::Relations,
}

impl FeedCase {
    pub fn new(source: &str, case: &str, department: &str, region: &str) -> Self {
        Self {
            subject: format!("{source}:{case}"),
            department: department.to_string(),
            region: region.to_string(),
            ..Default::default()
        }
    }

    /// As an engine case's: a refusal to accept (不予受理) stays not accepted, its notice
    /// delivered or not; a case closes with its delivery.
    pub fn status(&self) -> CaseStatus {
        if self.refused {
            CaseStatus::NotAccepted
        } else if self.delivered_on.is_some() {
            CaseStatus::Closed
        } else if self.suspended.is_some() {
            CaseStatus::Suspended
        } else if self.accepted_on.is_some() {
            CaseStatus::InProgress
        } else {
            CaseStatus::Submitted
        }
    }

    /// Supervision's view of it, for the timers.
    pub fn watched(&self, zone: Zone) -> Watched {
        Watched {
            receipt: self.subject.clone(),
            power: self.power.clone(),
            power_name: self.power_name.clone(),
            region: self.region.clone(),
            department: self.department.clone(),
            status: self.status(),
            submitted_at: self
                .applied_at
                .unwrap_or_else(|| zone.start_of(self.accepted_on.unwrap_or_default())),
            supplement_notices: self.supplements,
            deadlines: self.deadlines,
            decided_on: self.decided_on,
            delivered: self.delivered_on.is_some(),
            finished_at: self.delivered_on.map(|d| zone.start_of(d)),
            tasks: Vec::<WatchedTask>::new(),
            suspended: self.suspended.clone(),
            rectify_by: None,
        }
    }

    /// Its figures, counted as an engine case's are (`docs/figures.md`): a fed case closes with
    /// its delivery; `power` is the power as listed (its limits in working days). Fed systems
    /// send no ratings, and their handlers are not Sunlight's staff, so neither is counted.
    pub fn outcome(&self, power: Option<&Power>, cal: &Calendar) -> Outcome {
        let finished = self
            .delivered_on
            .filter(|_| self.status() == CaseStatus::Closed);
        let limits = power.map_or((None, None), |p| {
            (
                p.guide.committed_limit.and_then(TimeLimit::as_working_days),
                p.guide.statutory_limit.and_then(TimeLimit::as_working_days),
            )
        });
        Outcome {
            decided_on: self.decided_on,
            ..Outcome::timed(
                self.accepted_on,
                finished,
                &self.stops,
                self.deadlines,
                limits,
                cal,
            )
        }
    }

    /// The instant it was received, for the figures: the application, else the acceptance.
    pub fn received_at(&self, zone: Zone) -> Option<Timestamp> {
        self.applied_at
            .or(self.accepted_at)
            .or_else(|| self.accepted_on.map(|d| zone.start_of(d)))
    }

    /// The power's limits counted from acceptance, as an engine case's are
    /// ([`Calendar::limit_deadline`]); a limit the loaded calendar years do not reach stays
    /// unknown (an outside fact is never refused).
    fn deadlines(&self, ctx: &FeedContext<'_>) -> Deadlines {
        let (Some(power), Some(on)) = (ctx.power, self.accepted_on) else {
            return Deadlines::default();
        };
        if self.suspended.is_some() {
            return Deadlines::default();
        }
        let start = self.accepted_at.unwrap_or_else(|| ctx.zone.start_of(on));
        let one = |limit: Option<TimeLimit>, extra: u32| {
            ctx.calendar
                .limit_deadline(start, ctx.zone, limit?, extra, &self.stops)
                .ok()
        };
        Deadlines {
            statutory: one(power.guide.statutory_limit, self.extension_days),
            committed: one(power.guide.committed_limit, 0),
        }
    }

    /// Folds one event in; answers the rules it breaks.
    pub fn apply(&mut self, e: &FeedEvent, ctx: &FeedContext<'_>) -> Vec<Finding> {
        let mut out = Vec::new();
        let subject = self.subject.clone();
        let day = ctx.zone.date(e.at);
        let fire = |rule: RuleId, at: Timestamp, detail: String, out: &mut Vec<Finding>| {
            if ctx.settings.applies(rule, &e.power, &self.region) {
                out.push(Finding::new(rule, &subject, None, at, detail));
            }
        };
        self.events += 1;
        if self.power.is_empty() {
            self.power = e.power.clone();
        }
        if let Some(p) = ctx.power {
            self.power_name = p.name.clone();
        }
        let after = |d: Date| super::after(ctx.zone, d);
        if !e.party.trim().is_empty() {
            self.party = e.party.trim().to_uppercase();
        }
        let mut people: Vec<&str> = e.actors.iter().map(String::as_str).collect();
        people.push(&e.handler);
        for who in people.into_iter().filter(|p| !p.is_empty()) {
            if let Some(f) =
                super::conflict_of_interest(&subject, who, &self.party, ctx.relations, e.at)
                && ctx.settings.applies(f.rule, &e.power, &self.region)
                && !out.iter().any(|o: &Finding| o.key == f.key)
            {
                out.push(f);
            }
        }
        match e.kind {
            FeedKind::Application => {
                self.applied_at.get_or_insert(e.at);
                match ctx.power {
                    None => fire(
                        RuleId::PowerNotInList,
                        e.at,
                        format!("业务系统受理了清单之外的事项「{}」", e.power),
                        &mut out,
                    ),
                    Some(p) if p.status != PowerStatus::Active => fire(
                        RuleId::PowerNotInList,
                        e.at,
                        format!("「{}」已{}，不得再行使", p.name, p.status.zh()),
                        &mut out,
                    ),
                    Some(p) if p.usage == Usage::Uncommon && !ctx.checkout_open => fire(
                        RuleId::UncommonWithoutApproval,
                        e.at,
                        format!("非常用权力「{}」未经一事一审即受理", p.name),
                        &mut out,
                    ),
                    _ => {}
                }
            }
            FeedKind::Acceptance | FeedKind::Supplement => {
                let first = self.accepted_on.is_none() && self.supplements == 0;
                if let (true, Some(applied)) = (first, self.applied_at)
                    && let Ok(limit) = ctx
                        .calendar
                        .add_working_days(ctx.zone.date(applied), ACCEPTANCE_DAYS)
                    && day > limit
                {
                    fire(
                        RuleId::LateAcceptance,
                        after(limit),
                        format!(
                            "{} 申请，{day} 才作出受理决定（应于 {limit} 前）",
                            ctx.zone.date(applied)
                        ),
                        &mut out,
                    );
                }
                if e.kind == FeedKind::Supplement {
                    self.supplements += 1;
                    if self.supplements >= 2 {
                        let n = self.supplements;
                        let mut f = Vec::new();
                        fire(
                            RuleId::RepeatedSupplement,
                            e.at,
                            format!("第 {n} 次补正告知：补正材料应一次性告知"),
                            &mut f,
                        );
                        out.extend(f.into_iter().map(|f| f.nth(n)));
                    }
                } else {
                    self.accepted_on = Some(day);
                    self.accepted_at = Some(e.at);
                    self.accepted_by = e.handler.clone();
                }
            }
            FeedKind::StepStart => {}
            FeedKind::StepEnd => {
                let needed = ctx
                    .power
                    .and_then(|p| p.flow.as_ref())
                    .and_then(|f| f.nodes.iter().find(|n| n.name == e.step))
                    .and_then(|n| n.task())
                    .map_or(1, |t| t.actors);
                let mut people: Vec<&str> = e.actors.iter().map(String::as_str).collect();
                if !e.handler.is_empty() {
                    people.push(&e.handler);
                }
                people.sort_unstable();
                people.dedup();
                if (people.len() as u8) < needed {
                    fire(
                        RuleId::TwoPersonBreach,
                        e.at,
                        format!(
                            "「{}」应由 {needed} 名执法人员进行，记录只有 {} 人",
                            e.step,
                            people.len()
                        ),
                        &mut out,
                    );
                }
            }
            FeedKind::Suspend => {
                let allowed = ctx
                    .power
                    .and_then(|p| p.flow.as_ref())
                    .map(|f| f.suspensions.clone())
                    .unwrap_or_default();
                if e.reason.trim().is_empty() || !allowed.iter().any(|a| a == e.reason.trim()) {
                    fire(
                        RuleId::SuspensionWithoutReason,
                        e.at,
                        format!(
                            "以「{}」停止计时，流程图允许的事由为：{}",
                            e.reason.trim(),
                            if allowed.is_empty() {
                                "无".into()
                            } else {
                                allowed.join("、")
                            }
                        ),
                        &mut out,
                    );
                }
                self.suspended = Some((day, e.reason.trim().to_string()));
            }
            FeedKind::Resume => {
                if let Some((from, reason)) = self.suspended.take() {
                    self.stops.push(Stop {
                        from,
                        to: day,
                        reason,
                    });
                }
            }
            FeedKind::Extend => {
                let days = e.days.unwrap_or(0);
                self.extension_days += days;
                if self.extension_days > EXTENSION_ALLOWANCE {
                    fire(
                        RuleId::ExtensionOverAllowance,
                        e.at,
                        format!(
                            "延期累计 {} 个工作日，超过法定的 {EXTENSION_ALLOWANCE} 个工作日",
                            self.extension_days
                        ),
                        &mut out,
                    );
                }
                if e.approver.trim().is_empty() {
                    fire(
                        RuleId::ExtensionWithoutApprover,
                        e.at,
                        format!("延期 {days} 个工作日未记载批准的负责人"),
                        &mut out,
                    );
                }
            }
            FeedKind::Result => {
                self.decided_on = Some(day);
                if e.verdict == Some(FeedVerdict::Deny) && e.reason.trim().is_empty() {
                    fire(
                        RuleId::RefusalWithoutReasons,
                        e.at,
                        "不予许可未说明理由".into(),
                        &mut out,
                    );
                }
                if !self.accepted_by.is_empty() && self.accepted_by == e.handler {
                    fire(
                        RuleId::SeparationOfDuties,
                        e.at,
                        format!("{} 既受理又作出决定（受理与决定应分离）", e.handler),
                        &mut out,
                    );
                }
                if let (Some(fine), Some(tier)) = (e.penalty_fen, e.tier) {
                    let check = ctx
                        .benchmark
                        .map(|b| b.check(&e.violation, tier, fine, &serde_json::Value::Null));
                    match check {
                        Some(Ok(band)) if band.within => {}
                        Some(Ok(band)) => fire(
                            RuleId::PenaltyOutsideBand,
                            e.at,
                            format!(
                                "罚款 {} 元，裁量基准（{}）为 {}–{} 元",
                                super::yuan(fine),
                                tier.zh(),
                                super::yuan(band.min_fen),
                                super::yuan(band.max_fen)
                            ),
                            &mut out,
                        ),
                        Some(Err(why)) => fire(
                            RuleId::PenaltyOutsideBand,
                            e.at,
                            format!("罚款 {} 元无法对照裁量基准：{why}", super::yuan(fine)),
                            &mut out,
                        ),
                        None => fire(
                            RuleId::PenaltyOutsideBand,
                            e.at,
                            format!("罚款 {} 元，该事项没有裁量基准", super::yuan(fine)),
                            &mut out,
                        ),
                    }
                }
            }
            FeedKind::Fee => {
                let amount = e.amount_fen.unwrap_or(0);
                let standard = ctx
                    .power
                    .map(|p| p.guide.fees.as_slice())
                    .unwrap_or_default()
                    .iter()
                    .find(|f| f.item.trim() == e.fee_item.trim());
                let wrong = match standard {
                    None => amount > 0,
                    Some(f) => f.amount_fen.is_some_and(|a| a != amount),
                };
                if wrong {
                    fire(
                        RuleId::FeeMismatch,
                        e.at,
                        match standard {
                            None => format!(
                                "收取「{}」{} 元，收费标准中没有这一项",
                                e.fee_item,
                                super::yuan(amount)
                            ),
                            Some(f) => format!(
                                "收取「{}」{} 元，收费标准为 {}",
                                f.item,
                                super::yuan(amount),
                                f.standard
                            ),
                        },
                        &mut out,
                    );
                }
            }
            FeedKind::Delivery => {
                if let Some(d) = self.decided_on
                    && let Ok(limit) = ctx.calendar.add_working_days(d, DELIVERY_DAYS)
                    && day > limit
                {
                    fire(
                        RuleId::LateDelivery,
                        after(limit),
                        format!("{d} 作出决定，{day} 送达，超过十个工作日"),
                        &mut out,
                    );
                }
                self.delivered_on = Some(day);
            }
        }
        if e.kind == FeedKind::Result
            && e.verdict == Some(FeedVerdict::Deny)
            && self.accepted_on.is_none()
        {
            self.refused = true;
        }
        self.deadlines = self.deadlines(ctx);
        out
    }
}
