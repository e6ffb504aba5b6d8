//! The life of what supervision raises, as processes: an alert (raised → acknowledged →
//! explained → closed, or dismissed) and an accountability measure (效能问责, recorded once).
//! Raising is done by whoever finds the breach, in the transaction of its cause (a case's
//! batch, the monitor's timers, a feed); every later act goes through [`AlertLife`].

use super::{AlertAct, AlertState, Measure};
use crate::process::{Actor, Now, Process};
use crate::{DomainError, ErrorCode, FieldError, Role, Timestamp};
use std::collections::HashMap;

/// What of an alert its acts change (the rest — rule, subject, department, breach — is fixed
/// when it is raised).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertLife {
    pub id: i64,
    pub department: String,
    pub state: AlertState,
    pub explanation: Option<String>,
    pub evidence: Option<String>,
    pub resolution: Option<String>,
    pub updated_by: Option<String>,
    pub updated_at: Option<Timestamp>,
    pub version: u64,
}

/// An act on an alert, stamped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertActed {
    pub act: AlertAct,
    pub next: AlertState,
    pub by: String,
    pub at: Timestamp,
}

impl Process for AlertLife {
    const KIND: &'static str = "alert";
    type Command = AlertAct;
    type Event = AlertActed;
    type Env<'a> = Now;

    fn id(&self) -> std::borrow::Cow<'_, str> {
        self.id.to_string().into()
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        act: &AlertAct,
        by: &Actor,
        env: &Now,
    ) -> Result<AlertActed, DomainError> {
        let Some(a) = state else {
            return Err(DomainError::rule(
                ErrorCode::UnknownReference,
                crate::zh_en!(
                    "预警由电子监察自动发出，不能人工创建",
                    "alerts are raised by supervision, not by an act"
                ),
            ));
        };
        let user = by.staff()?;
        let next = act.check(a.state, &a.department, user)?;
        Ok(AlertActed {
            act: act.clone(),
            next,
            by: user.username.to_string(),
            at: env.now,
        })
    }

    fn apply(state: Option<Self>, e: &AlertActed, _: &Now) -> Option<Self> {
        let mut a = state?;
        match &e.act {
            AlertAct::Acknowledge => {}
            AlertAct::Explain { reason, evidence } => {
                a.explanation = Some(reason.clone());
                a.evidence = Some(evidence.clone());
            }
            AlertAct::Close { note } => a.resolution = Some(note.clone()),
            AlertAct::Dismiss { reason } => a.resolution = Some(reason.clone()),
        }
        a.state = e.next;
        a.updated_by = Some(e.by.clone());
        a.updated_at = Some(e.at);
        a.version += 1;
        Some(a)
    }

    fn event_kind(e: &AlertActed) -> &'static str {
        match e.act {
            AlertAct::Acknowledge => "alert.acknowledged",
            AlertAct::Explain { .. } => "alert.explained",
            AlertAct::Close { .. } => "alert.closed",
            AlertAct::Dismiss { .. } => "alert.dismissed",
        }
    }

    fn evidence(e: &AlertActed) -> serde_json::Value {
        serde_json::to_value(&e.act).unwrap_or_default()
    }
}

/// An accountability measure (效能问责) as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureRecord {
    pub id: i64,
    pub department: String,
    pub staff: Option<String>,
    pub measure: Measure,
    pub reason: String,
    pub alerts: Vec<i64>,
    pub recorded_by: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct RecordMeasure {
    /// The new record's number.
    pub id: i64,
    pub department: String,
    pub staff: Option<String>,
    pub measure: Measure,
    pub reason: String,
    pub alerts: Vec<i64>,
}

/// What recording a measure is checked against: the departments of the alerts it names
/// (an alert absent here does not exist).
#[derive(Debug, Clone, Default)]
pub struct MeasureEnv {
    pub now: Timestamp,
    pub alert_departments: HashMap<i64, String>,
}

impl Process for MeasureRecord {
    const KIND: &'static str = "accountability";
    type Command = RecordMeasure;
    type Event = MeasureRecord;
    type Env<'a> = MeasureEnv;

    fn id(&self) -> std::borrow::Cow<'_, str> {
        self.id.to_string().into()
    }

    fn version(&self) -> u64 {
        1
    }

    fn decide(
        state: Option<&Self>,
        cmd: &RecordMeasure,
        by: &Actor,
        env: &MeasureEnv,
    ) -> Result<MeasureRecord, DomainError> {
        if let Some(m) = state {
            return Err(DomainError::rule(
                ErrorCode::InvalidTransition,
                crate::zh_en!(
                    "问责措施 {id} 已经记录",
                    "accountability measure {id} is recorded already",
                    id = m.id,
                ),
            ));
        }
        let user = by.staff()?;
        user.require(Role::Supervisor)?;
        let reason = cmd.reason.trim();
        let mut errors = Vec::new();
        if reason.is_empty() {
            errors.push(FieldError::new(
                "reason",
                crate::zh_en!(
                    "问责措施应写明所依据的事实",
                    "a measure records the facts it rests on"
                ),
            ));
        }
        if cmd.alerts.is_empty() {
            errors.push(FieldError::new(
                "alerts",
                crate::zh_en!(
                    "问责措施应列明引起问责的预警",
                    "a measure names the alerts that caused it"
                ),
            ));
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        for id in &cmd.alerts {
            match env.alert_departments.get(id) {
                None => {
                    return Err(DomainError::rule(
                        ErrorCode::UnknownReference,
                        crate::zh_en!("没有预警 {id}", "there is no alert {id}"),
                    ));
                }
                Some(d) if d != &cmd.department => {
                    return Err(DomainError::field(
                        "alerts",
                        crate::zh_en!(
                            "预警 {id} 涉及部门 {d}，不是 {dept}",
                            "alert {id} concerns department {d}, not {dept}",
                            dept = &cmd.department,
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        Ok(MeasureRecord {
            id: cmd.id,
            department: cmd.department.clone(),
            staff: cmd.staff.clone(),
            measure: cmd.measure,
            reason: reason.to_string(),
            alerts: cmd.alerts.clone(),
            recorded_by: user.username.to_string(),
            at: env.now,
        })
    }

    fn apply(state: Option<Self>, e: &MeasureRecord, _: &MeasureEnv) -> Option<Self> {
        match state {
            None => Some(e.clone()),
            Some(m) => Some(m),
        }
    }

    fn event_kind(_: &MeasureRecord) -> &'static str {
        "accountability.recorded"
    }

    fn evidence(m: &MeasureRecord) -> serde_json::Value {
        serde_json::json!({
            "department": m.department,
            "staff": m.staff,
            "measure": m.measure.as_str(),
            "reason": m.reason,
            "alerts": m.alerts,
        })
    }
}
