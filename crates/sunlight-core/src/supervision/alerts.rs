//! An alert's life (raised → acknowledged → explained → closed | dismissed) and accountability measures.

use super::*;

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
