//! Cases (办件): one application or one penalty case, handled along the flow of the power
//! version it was opened with.
//!
//! Event-sourced and pure. [`Case::submit`] and [`Case::decide`] check a command against the
//! rules (清单之外无权力, 程序固化, 裁量限定, 时限) and answer with exactly one [`CaseEvent`] —
//! a fact that carries its consequences (the tasks it opens, the deadlines it sets), so
//! [`Case::apply`] is mechanical and the state is always the fold of the events
//! ([`Case::replay`]). Nothing here reads a clock, a database or a random source: the engine
//! hands those in through [`Env`].
//!
//! Steps with legal meaning have their own commands: an `accept` step is finished by
//! [`CaseCommand::Accept`], [`CaseCommand::RequestSupplement`] (一次告知: every missing item at
//! once) or [`CaseCommand::Refuse`]; a `decide` step by [`CaseCommand::Decide`]; a `deliver`
//! step by [`CaseCommand::Deliver`]; every other step by [`CaseCommand::Complete`].

use crate::calendar::{Calendar, CalendarError, Stop};
use crate::clock::Zone;
use crate::department::CreditCode;
use crate::discretion::{BandCheck, Benchmark, Tier};
use crate::error::{DomainError, ErrorCode, FieldError};
use crate::flow::{Condition, Flow, NodeKind, StepKind};
use crate::power::{Power, PowerCategory, PowerCode, TimeLimit, Usage};
use crate::region::RegionCode;
use crate::staff::{Role, User};
use crate::zh_en;
use crate::{Date, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

mod applicant;
mod command;
mod decide;
mod rating;
mod receipt;
mod state;
mod supplement;
mod walk;

pub use applicant::*;
pub use command::*;
use decide::{compute_deadlines, dedup, open_tasks};
pub use rating::{
    ANSWER_MAX, COMMENT_MAX, LEVELS, RatingReason, Rectification, Rectified, is_poor, level_label,
};
pub use receipt::*;
pub use state::*;
use supplement::check_files;
pub use supplement::*;
use walk::*;

// ---------------------------------------------------------------------------------------------
// Rules

fn rule(code: ErrorCode, message: crate::Text) -> DomainError {
    DomainError::rule(code, message)
}

/// `what` is the missing thing's name: (中文, English).
fn required(field: &str, value: &str, what: (&str, &str)) -> Result<(), DomainError> {
    if value.trim().is_empty() {
        let (zh, en) = what;
        Err(DomainError::field(
            field,
            zh_en!("请填写{zh}", "{en} is required"),
        ))
    } else {
        Ok(())
    }
}

impl Case {
    /// Opens a case: the first event of its stream.
    pub fn submit(
        sub: &Submission,
        intake: Intake,
        actor: &Actor,
        env: &Env,
    ) -> Result<CaseEvent, DomainError> {
        let Intake {
            receipt,
            query_code_hash,
            checkout,
            channel,
            power_version,
        } = intake;
        let power = env.power;
        let region = match &sub.region {
            Some(r) if !r.trim().is_empty() => Some(RegionCode::parse(r)?),
            _ => None,
        };
        let flow = check_exercisable(power, region.as_ref(), checkout.is_some())?;
        let mut errors = sub.applicant.validate();
        if !(sub.form.is_object() || sub.form.is_null()) {
            errors.push(FieldError::new(
                "form",
                zh_en!("申请表数据应为 JSON 对象", "the form data is a JSON object"),
            ));
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        check_files(&sub.files, &[], &env.service.files)?;
        match (channel, actor) {
            (Channel::Online, _) if !power.category.applied_for() => {
                return Err(rule(
                    ErrorCode::OpenedByDepartment,
                    zh_en!(
                        "{code}（{zh}）不接受申请，由行政机关依职权立案（《中华人民共和国行政处罚法》第五十四条）",
                        "{code} ({en}) is not applied for: the department opens such cases itself (依职权立案，行政处罚法第五十四条)",
                        code = &power.code,
                        zh = power.category.zh(),
                        en = power.category.as_str(),
                    ),
                ));
            }
            (Channel::Online, _) => {}
            (Channel::Window | Channel::Ex, Actor::Staff(u)) => {
                if u.department.as_ref() != Some(&power.department)
                    && !(channel == Channel::Window && u.roles.contains(&Role::WindowClerk))
                {
                    return Err(rule(
                        ErrorCode::WrongDepartment,
                        zh_en!(
                            "{user} 不能为其他部门的事项 {code} 登记办件",
                            "{user} may not open cases for {code} of another department",
                            user = &u.username,
                            code = &power.code,
                        ),
                    ));
                }
            }
            (_, Actor::Applicant | Actor::Public | Actor::Timer) => {
                return Err(rule(
                    ErrorCode::RoleRequired,
                    zh_en!(
                        "窗口受理和依职权立案只能由工作人员办理",
                        "only staff open cases at the window or ex officio"
                    ),
                ));
            }
        }
        let start = flow
            .nodes
            .iter()
            .find(|n| n.kind == NodeKind::Start)
            .ok_or_else(|| corrupt_flow("start"))?;
        let form = if sub.form.is_null() {
            serde_json::json!({})
        } else {
            sub.form.clone()
        };
        let mut walk = Walk {
            flow,
            outcome: None,
            data: &form,
            joins: BTreeMap::new(),
            to_open: vec![],
            finished: false,
        };
        walk.leave(&start.id)?;
        let today = env.today();
        let opened = open_tasks(flow, &walk.to_open, 1, env, today);
        let has_accept = flow
            .nodes
            .iter()
            .any(|n| n.task().is_some_and(|t| t.step == StepKind::Accept));
        let mut opened_case = Opened {
            receipt,
            power: power.code.clone(),
            power_version,
            power_name: power.name.clone(),
            category: power.category,
            region: power.region,
            department: power.department.clone(),
            applicant: sub.applicant.clone(),
            channel,
            form,
            materials: dedup(
                &sub.materials
                    .iter()
                    .chain(sub.files.iter().map(|f| &f.material))
                    .cloned()
                    .collect::<Vec<_>>(),
            ),
            files: sub.files.clone(),
            statutory_limit: power.guide.statutory_limit,
            committed_limit: power.guide.committed_limit,
            query_code_hash,
            checkout,
            opened,
            deadlines: Deadlines::default(),
            accepted_on: None,
        };
        if !has_accept {
            opened_case.deadlines = compute_deadlines(&opened_case, env, env.now, &[], 0)?;
            opened_case.accepted_on = Some(today);
        }
        Ok(CaseEvent {
            at: env.now,
            actor: actor.name().to_string(),
            body: EventBody::Submitted(Box::new(opened_case)),
        })
    }

    /// The state after the first event.
    pub fn from_submitted(ev: &CaseEvent, flow: &Flow) -> Option<Case> {
        let EventBody::Submitted(o) = &ev.body else {
            return None;
        };
        let mut c = Case {
            opened: (**o).clone(),
            status: CaseStatus::Submitted,
            submitted_at: ev.at,
            accepted_on: o.accepted_on,
            deadlines: o.deadlines,
            stops: vec![],
            suspended: None,
            extension_days: 0,
            supplement_notices: 0,
            supplement: None,
            files: o.files.clone(),
            tasks: vec![],
            joins: BTreeMap::new(),
            decision: None,
            delivery: None,
            rating: None,
            codes_reissued: None,
            finished_at: None,
            version: 1,
        };
        c.open(&o.opened, ev.at, flow);
        if o.accepted_on.is_some() {
            c.status = CaseStatus::InProgress;
        }
        c.opened.opened = vec![];
        Some(c)
    }

    /// The state from its events, first to last.
    pub fn replay<'e>(
        events: impl IntoIterator<Item = &'e CaseEvent>,
        flow: &Flow,
    ) -> Option<Case> {
        let mut it = events.into_iter();
        let mut case = Case::from_submitted(it.next()?, flow)?;
        for ev in it {
            case.apply(ev, flow);
        }
        Some(case)
    }

    pub fn task(&self, id: u32) -> Option<&TaskState> {
        self.tasks.iter().find(|t| t.id == id)
    }

    pub fn open_tasks(&self) -> impl Iterator<Item = &TaskState> {
        self.tasks.iter().filter(|t| t.status == TaskStatus::Open)
    }

    fn open(&mut self, opened: &[OpenedTask], at: Timestamp, flow: &Flow) {
        for o in opened {
            // The node's facts are copied into the task: the case's flow version never changes.
            let node = flow.node(&o.node);
            let task = node.and_then(|n| n.task());
            self.tasks.push(TaskState {
                id: o.id,
                node: o.node.clone(),
                name: node.map(|n| n.name.clone()).unwrap_or_default(),
                step: task.map(|t| t.step).unwrap_or(StepKind::Other),
                role: task.map(|t| t.role.clone()).unwrap_or_default(),
                department: task
                    .and_then(|t| t.department.clone())
                    .unwrap_or_else(|| self.opened.department.clone()),
                status: TaskStatus::Open,
                opened_at: at,
                due: o.due,
                assignee: None,
                done_by: None,
                co_actors: vec![],
                outcome: None,
                opinion: String::new(),
                done_at: None,
            });
        }
    }

    fn finish_task(
        &mut self,
        p: &Progress,
        actor: &str,
        outcome: Option<&str>,
        at: Timestamp,
        flow: &Flow,
    ) {
        if let Some(t) = self.tasks.iter_mut().find(|t| t.id == p.task) {
            t.status = TaskStatus::Done;
            t.done_by = Some(actor.to_string());
            t.co_actors = p.co_actors.clone();
            t.outcome = outcome.map(str::to_string);
            t.opinion = p.opinion.clone();
            t.done_at = Some(at);
        }
        self.joins = p.joins.clone();
        self.open(&p.opened, at, flow);
        if p.finished {
            self.end(CaseStatus::Closed, at);
        }
    }

    fn end(&mut self, status: CaseStatus, at: Timestamp) {
        for t in self
            .tasks
            .iter_mut()
            .filter(|t| t.status == TaskStatus::Open)
        {
            t.status = TaskStatus::Cancelled;
        }
        self.status = status;
        self.finished_at = Some(at);
    }

    /// Applies an event this case's [`Case::decide`] produced.
    pub fn apply(&mut self, ev: &CaseEvent, flow: &Flow) {
        self.version += 1;
        match &ev.body {
            EventBody::Submitted(_) => {}
            EventBody::Claimed { task } => {
                if let Some(t) = self.tasks.iter_mut().find(|t| t.id == *task) {
                    t.assignee = Some(ev.actor.clone());
                }
            }
            EventBody::SupplementRequested {
                notice,
                missing,
                items,
                note,
                due,
                lapse_at,
                ..
            } => {
                self.supplement_notices = *notice;
                self.status = CaseStatus::AwaitingSupplement;
                self.supplement = match (due, lapse_at) {
                    (Some(due), Some(lapse_at)) => Some(SupplementNotice {
                        notice: *notice,
                        items: if items.is_empty() {
                            missing
                                .iter()
                                .map(|m| SupplementItem {
                                    material: m.clone(),
                                    reason: String::new(),
                                })
                                .collect()
                        } else {
                            items.clone()
                        },
                        note: note.clone(),
                        requested_at: ev.at,
                        due: *due,
                        lapse_at: *lapse_at,
                    }),
                    // A notice from before notices had a day to supply by: no timer.
                    _ => None,
                };
            }
            EventBody::Supplemented {
                materials,
                files,
                accept_due,
            } => {
                if let Some(due) = accept_due
                    && let Some(t) = self
                        .tasks
                        .iter_mut()
                        .find(|t| t.status == TaskStatus::Open && t.step == StepKind::Accept)
                {
                    t.due = Some(*due);
                }
                let mut all = self.opened.materials.clone();
                all.extend(materials.iter().cloned());
                self.opened.materials = dedup(&all);
                self.files.extend(files.iter().cloned());
                self.supplement = None;
                self.status = CaseStatus::Submitted;
            }
            EventBody::SupplementLapsed { .. } => {
                self.supplement = None;
                self.end(CaseStatus::Withdrawn, ev.at);
            }
            EventBody::Accepted {
                progress,
                accepted_on,
                deadlines,
            } => {
                self.accepted_on = Some(*accepted_on);
                self.deadlines = *deadlines;
                self.status = CaseStatus::InProgress;
                self.finish_task(progress, &ev.actor, Some("受理"), ev.at, flow);
            }
            EventBody::Refused { task, .. } => {
                if let Some(t) = self.tasks.iter_mut().find(|t| t.id == *task) {
                    t.status = TaskStatus::Done;
                    t.done_by = Some(ev.actor.clone());
                    t.outcome = Some("不予受理".into());
                    t.done_at = Some(ev.at);
                }
                self.end(CaseStatus::NotAccepted, ev.at);
            }
            EventBody::TaskCompleted { progress, outcome } => {
                self.finish_task(progress, &ev.actor, Some(outcome), ev.at, flow);
            }
            EventBody::Decided { progress, decision } => {
                self.decision = Some(decision.clone());
                self.finish_task(
                    progress,
                    &ev.actor,
                    Some(decision.verdict.outcome()),
                    ev.at,
                    flow,
                );
            }
            EventBody::Delivered { progress, delivery } => {
                self.delivery = Some(delivery.clone());
                self.finish_task(progress, &ev.actor, Some("已送达"), ev.at, flow);
            }
            EventBody::Suspended { reason, from } => {
                self.suspended = Some(Stop {
                    from: *from,
                    to: *from,
                    reason: reason.clone(),
                });
                self.deadlines = Deadlines::default();
                self.status = CaseStatus::Suspended;
            }
            EventBody::Resumed { on, deadlines } => {
                if let Some(mut s) = self.suspended.take() {
                    s.to = *on;
                    self.stops.push(s);
                }
                self.deadlines = *deadlines;
                self.status = CaseStatus::InProgress;
            }
            EventBody::Extended {
                days, deadlines, ..
            } => {
                self.extension_days += days;
                if self.suspended.is_none() {
                    self.deadlines = *deadlines;
                }
            }
            EventBody::Withdrawn { .. } => self.end(CaseStatus::Withdrawn, ev.at),
            EventBody::Rated(r) => self.rating = Some(r.clone()),
            EventBody::QueryCodeReissued { code_hash, on } => {
                self.opened.query_code_hash = code_hash.clone();
                self.codes_reissued = Some(match self.codes_reissued {
                    Some((day, n)) if day == *on => (day, n + 1),
                    _ => (*on, 1),
                });
            }
            EventBody::Rectified(done) => {
                if let Some(x) = self.rating.as_mut().and_then(|r| r.rectification.as_mut()) {
                    x.done = Some(done.clone());
                }
            }
        }
    }
}

mod process;
pub use process::CaseOp;

#[cfg(test)]
pub(crate) mod tests;
