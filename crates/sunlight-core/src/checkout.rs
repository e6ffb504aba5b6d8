//! Per-use approvals (一事一审): an uncommon power (非常用权力) is used only while an approval
//! for one use is open. A case officer requests it with the reason; an approver who is not the
//! requester opens a time-boxed window or rejects it; the first case opened in the window uses
//! it; a window nobody used expires at its closing instant — a timer of the process, ledgered
//! like any other act, not a lazy check at the next submission.

use crate::process::{Actor, Now, Process};
use crate::{DomainError, ErrorCode, FieldError, Role, Timestamp};
use serde::{Deserialize, Serialize};

/// Where a per-use approval stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckoutState {
    Requested,
    Open,
    Used,
    Expired,
    Rejected,
}

impl CheckoutState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Open => "open",
            Self::Used => "used",
            Self::Expired => "expired",
            Self::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Requested,
            Self::Open,
            Self::Used,
            Self::Expired,
            Self::Rejected,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Requested => "待审批",
            Self::Open => "已批准（可使用）",
            Self::Used => "已使用",
            Self::Expired => "已过期",
            Self::Rejected => "未批准",
        }
    }
}

/// A per-use approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    pub id: i64,
    pub power: String,
    pub reason: String,
    pub requested_by: String,
    pub requested_at: Timestamp,
    pub state: CheckoutState,
    pub decided_by: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub closes_at: Option<Timestamp>,
    /// The receipt number of the case that used it.
    pub used_by: Option<String>,
    pub version: u64,
}

impl Checkout {
    /// Open and not yet past its closing instant: usable by a submission at `now`.
    pub fn usable_at(&self, now: Timestamp) -> bool {
        self.state == CheckoutState::Open && self.closes_at.is_some_and(|c| now < c)
    }
}

#[derive(Debug, Clone)]
pub enum CheckoutCommand {
    /// A case officer asks to use an uncommon power once; `id` is the new approval's number.
    Request {
        id: i64,
        power: String,
        reason: String,
    },
    /// An approver opens the window until `closes_at`, or rejects.
    Decide { approve: bool, closes_at: Timestamp },
    /// The window closed unused (the timer).
    Expire,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CheckoutEvent {
    Requested {
        id: i64,
        power: String,
        reason: String,
    },
    Approved {
        closes_at: Timestamp,
    },
    Rejected,
    /// Written by the submission that used it, in the case's transaction.
    Used {
        receipt: String,
    },
    Expired,
}

/// An event with when and by whom, as the fold needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamped<E> {
    pub at: Timestamp,
    pub by: String,
    pub event: E,
}

impl Process for Checkout {
    const KIND: &'static str = "checkout";
    type Command = CheckoutCommand;
    type Event = Stamped<CheckoutEvent>;
    type Env<'a> = Now;

    fn id(&self) -> std::borrow::Cow<'_, str> {
        self.id.to_string().into()
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        cmd: &CheckoutCommand,
        by: &Actor,
        env: &Now,
    ) -> Result<Self::Event, DomainError> {
        let stamp = |event| Stamped {
            at: env.now,
            by: by.name().to_string(),
            event,
        };
        match (state, cmd) {
            (None, CheckoutCommand::Request { id, power, reason }) => {
                by.staff()?.require(Role::CaseOfficer)?;
                if reason.trim().is_empty() {
                    return Err(DomainError::Invalid(vec![FieldError::new(
                        "reason",
                        crate::zh_en!(
                            "请说明行使该权力的理由（一事一审须说明理由）",
                            "say why the power must be used (一事一审须说明理由)"
                        ),
                    )]));
                }
                Ok(stamp(CheckoutEvent::Requested {
                    id: *id,
                    power: power.trim().to_string(),
                    reason: reason.trim().to_string(),
                }))
            }
            (Some(c), CheckoutCommand::Decide { approve, closes_at }) => {
                let user = by.staff()?;
                user.require(Role::Approver)?;
                if c.state != CheckoutState::Requested {
                    return Err(DomainError::rule(
                        ErrorCode::InvalidTransition,
                        crate::zh_en!(
                            "一事一审申请 {id} 已{zh}",
                            "per-use approval {id} is {en} already ({zh})",
                            id = c.id,
                            en = c.state.as_str(),
                            zh = c.state.zh(),
                        ),
                    ));
                }
                if c.requested_by == user.username.as_str() {
                    return Err(DomainError::rule(
                        ErrorCode::SeparationOfDuties,
                        crate::zh_en!(
                            "一事一审的申请人不能自行批准（审批分离）",
                            "who requested a per-use approval may not approve it (审批分离)"
                        ),
                    ));
                }
                Ok(stamp(if *approve {
                    CheckoutEvent::Approved {
                        closes_at: *closes_at,
                    }
                } else {
                    CheckoutEvent::Rejected
                }))
            }
            (Some(c), CheckoutCommand::Expire) => {
                if !matches!(by, Actor::Timer) {
                    return Err(DomainError::rule(
                        ErrorCode::RoleRequired,
                        crate::zh_en!(
                            "一事一审批准到期自动失效，不能由人工操作",
                            "a per-use approval expires by its clock, not by anyone's act"
                        ),
                    ));
                }
                match c.closes_at {
                    Some(at) if c.state == CheckoutState::Open && at <= env.now => {
                        Ok(stamp(CheckoutEvent::Expired))
                    }
                    _ => Err(DomainError::rule(
                        ErrorCode::InvalidTransition,
                        crate::zh_en!(
                            "一事一审批准 {id} 尚未到期",
                            "per-use approval {id} is not due to expire",
                            id = c.id,
                        ),
                    )),
                }
            }
            (None, _) => Err(DomainError::rule(
                ErrorCode::UnknownReference,
                crate::zh_en!("没有此一事一审申请", "no such per-use approval"),
            )),
            (Some(c), CheckoutCommand::Request { .. }) => Err(DomainError::rule(
                ErrorCode::InvalidTransition,
                crate::zh_en!(
                    "一事一审申请 {id} 已经存在",
                    "per-use approval {id} exists already",
                    id = c.id,
                ),
            )),
        }
    }

    fn apply(state: Option<Self>, e: &Self::Event, _: &Now) -> Option<Self> {
        match (state, &e.event) {
            (None, CheckoutEvent::Requested { id, power, reason }) => Some(Checkout {
                id: *id,
                power: power.clone(),
                reason: reason.clone(),
                requested_by: e.by.clone(),
                requested_at: e.at,
                state: CheckoutState::Requested,
                decided_by: None,
                decided_at: None,
                closes_at: None,
                used_by: None,
                version: 1,
            }),
            (None, _) => None,
            (Some(mut c), ev) => {
                match ev {
                    CheckoutEvent::Requested { .. } => {}
                    CheckoutEvent::Approved { closes_at } => {
                        c.state = CheckoutState::Open;
                        c.decided_by = Some(e.by.clone());
                        c.decided_at = Some(e.at);
                        c.closes_at = Some(*closes_at);
                    }
                    CheckoutEvent::Rejected => {
                        c.state = CheckoutState::Rejected;
                        c.decided_by = Some(e.by.clone());
                        c.decided_at = Some(e.at);
                    }
                    CheckoutEvent::Used { receipt } => {
                        c.state = CheckoutState::Used;
                        c.used_by = Some(receipt.clone());
                    }
                    CheckoutEvent::Expired => c.state = CheckoutState::Expired,
                }
                c.version += 1;
                Some(c)
            }
        }
    }

    fn event_kind(e: &Self::Event) -> &'static str {
        match e.event {
            CheckoutEvent::Requested { .. } => "checkout.requested",
            CheckoutEvent::Approved { .. } => "checkout.approved",
            CheckoutEvent::Rejected => "checkout.rejected",
            CheckoutEvent::Used { .. } => "checkout.used",
            CheckoutEvent::Expired => "checkout.expired",
        }
    }

    fn evidence(e: &Self::Event) -> serde_json::Value {
        match &e.event {
            CheckoutEvent::Requested { power, reason, .. } => {
                serde_json::json!({"power": power, "reason": reason})
            }
            CheckoutEvent::Approved { closes_at } => {
                serde_json::json!({"closes_at": closes_at.to_string()})
            }
            CheckoutEvent::Used { receipt } => serde_json::json!({"receipt": receipt}),
            CheckoutEvent::Rejected | CheckoutEvent::Expired => serde_json::json!({}),
        }
    }

    fn timer(&self) -> Option<(Timestamp, CheckoutCommand)> {
        match (self.state, self.closes_at) {
            (CheckoutState::Open, Some(at)) => Some((at, CheckoutCommand::Expire)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::run;
    use crate::{User, Username};

    fn staff(name: &str, roles: &[Role]) -> Actor {
        Actor::Staff(User {
            username: Username::parse(name).unwrap(),
            display_name: name.into(),
            roles: roles.to_vec(),
            department: None,
        })
    }

    fn at(s: &str) -> Now {
        Now {
            now: s.parse().unwrap(),
            zone: crate::clock::Zone::CHINA,
        }
    }

    #[test]
    fn an_approval_opens_one_window_that_expires_by_its_timer() {
        let officer = staff("chuangkou.wang", &[Role::CaseOfficer]);
        let approver = staff("shouxi.zhao", &[Role::Approver]);
        let t0 = at("2026-11-23T02:00:00Z");
        let (c, _) = run::<Checkout>(
            None,
            &CheckoutCommand::Request {
                id: 7,
                power: "330183-XK-09002".into(),
                reason: "台风过后紧急排危".into(),
            },
            &officer,
            &t0,
        )
        .unwrap();
        assert_eq!(c.timer().map(|t| t.0), None);
        // The requester may not approve it.
        let mut both = officer.clone();
        if let Actor::Staff(u) = &mut both {
            u.roles.push(Role::Approver);
        }
        let closes: Timestamp = "2026-11-23T05:00:00Z".parse().unwrap();
        let err = Checkout::decide(
            Some(&c),
            &CheckoutCommand::Decide {
                approve: true,
                closes_at: closes,
            },
            &both,
            &t0,
        )
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::SeparationOfDuties);
        let (c, _) = run(
            Some(c),
            &CheckoutCommand::Decide {
                approve: true,
                closes_at: closes,
            },
            &approver,
            &t0,
        )
        .unwrap();
        assert!(c.usable_at(t0.now));
        assert!(!c.usable_at(closes));
        let (due, cmd) = c.timer().unwrap();
        assert_eq!(due, closes);
        // Nobody but the clock expires it, and not early.
        assert!(Checkout::decide(Some(&c), &cmd, &approver, &at("2026-11-23T06:00:00Z")).is_err());
        assert!(Checkout::decide(Some(&c), &cmd, &Actor::Timer, &t0).is_err());
        let (c, e) = run(Some(c), &cmd, &Actor::Timer, &at("2026-11-23T05:00:00Z")).unwrap();
        assert_eq!(Checkout::event_kind(&e), "checkout.expired");
        assert_eq!(c.state, CheckoutState::Expired);
        assert_eq!(c.version, 3);
        assert!(c.timer().is_none());
    }
}
