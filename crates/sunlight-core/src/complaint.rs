//! Complaints (投诉): anyone may complain about a case, a department or a member of staff. The
//! department concerned answers within the configured days
//! ([`Settings::complaint_answer_days`](crate::supervision::Settings)); past that day an
//! unanswered complaint becomes a supervision alert. The complainant follows it with a
//! tracking number and a code, like a case.

use crate::clock::Zone;
use crate::error::{DomainError, FieldError};
use crate::supervision::{Finding, RuleId};
use crate::{Date, Timestamp};
use serde::{Deserialize, Serialize};

/// What a complaint is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Against {
    /// A case, by receipt number.
    Case,
    /// A department, by unified social credit code.
    Department,
    /// A member of staff, by username.
    Staff,
}

impl Against {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Case => "case",
            Self::Department => "department",
            Self::Staff => "staff",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Case, Self::Department, Self::Staff]
            .into_iter()
            .find(|a| a.as_str() == s.trim())
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Case => "办件",
            Self::Department => "部门",
            Self::Staff => "工作人员",
        }
    }
}

/// A complaint as filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplaintDraft {
    pub against: Against,
    /// The receipt number, credit code or username.
    pub target: String,
    pub complainant: String,
    pub phone: String,
    pub text: String,
}

impl ComplaintDraft {
    /// Tidies the fields and names every problem at once.
    pub fn validated(mut self) -> Result<Self, DomainError> {
        self.target = self.target.trim().to_string();
        self.complainant = self.complainant.trim().to_string();
        self.phone = self.phone.trim().to_string();
        self.text = self.text.trim().to_string();
        let mut errors = Vec::new();
        if self.target.is_empty() {
            errors.push(FieldError::new(
                "target",
                crate::zh_en!(
                    "请写明投诉的办件、部门或工作人员",
                    "say which case, department or member of staff the complaint is about"
                ),
            ));
        }
        if self.complainant.is_empty() {
            errors.push(FieldError::new(
                "complainant",
                crate::zh_en!("请填写投诉人姓名", "a complaint needs a name"),
            ));
        }
        if !(5..=20).contains(&self.phone.len())
            || !self
                .phone
                .chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c == '+')
        {
            errors.push(FieldError::new(
                "phone",
                crate::zh_en!(
                    "请填写用于答复的联系电话（5 至 20 位数字）",
                    "a telephone number to answer on (digits, 5 to 20)"
                ),
            ));
        }
        let n = self.text.chars().count();
        if n < 10 {
            errors.push(FieldError::new(
                "text",
                crate::zh_en!(
                    "请说明投诉事实，不少于 10 个字",
                    "say what happened in at least 10 characters"
                ),
            ));
        } else if n > 2000 {
            errors.push(FieldError::new(
                "text",
                crate::zh_en!("不能超过 2000 字", "is longer than 2,000 characters"),
            ));
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

/// The last day to answer a complaint filed at `filed`.
pub fn answer_due(filed: Timestamp, days: u32, zone: Zone) -> Date {
    let d = zone.date(filed);
    d.checked_add(jiff::Span::new().days(i64::from(days)))
        .unwrap_or(d)
}

/// The finding of a complaint still unanswered after its day (the alert is raised once).
pub fn unanswered(tracking: &str, due: Date, department_name: &str, zone: Zone) -> Finding {
    let at = zone.start_of(due.tomorrow().unwrap_or(due));
    let mut f = Finding::new(
        RuleId::ComplaintUnanswered,
        tracking,
        None,
        at,
        format!("投诉 {tracking} 应于 {due} 前由{department_name}答复，逾期未答复"),
    );
    f.key = format!("complaint_unanswered/{tracking}");
    f
}

/// Where a complaint stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintState {
    Open,
    Answered,
}

impl ComplaintState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Answered => "answered",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Answered]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// A complaint: filed by anyone, answered once by the department concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complaint {
    pub tracking: String,
    /// Keyed hash of the code the complainant was given; the code itself is never kept.
    pub code_hash: String,
    pub against: Against,
    pub target: String,
    pub department: String,
    pub complainant: String,
    pub phone: String,
    pub text: String,
    pub filed_at: Timestamp,
    pub due: Date,
    pub state: ComplaintState,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<Timestamp>,
    pub version: u64,
}

#[derive(Debug, Clone)]
pub enum ComplaintCommand {
    /// File `draft` against `department`, to be answered by `due`.
    File {
        draft: ComplaintDraft,
        tracking: String,
        code_hash: String,
        department: String,
        due: Date,
    },
    Answer {
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ComplaintEvent {
    Filed {
        draft: ComplaintDraft,
        tracking: String,
        code_hash: String,
        department: String,
        due: Date,
        at: Timestamp,
    },
    Answered {
        text: String,
        by: String,
        at: Timestamp,
        on_time: bool,
    },
}

fn digest(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

impl crate::process::Process for Complaint {
    const KIND: &'static str = "complaint";
    type Command = ComplaintCommand;
    type Event = ComplaintEvent;
    type Env<'a> = crate::process::Now;

    fn id(&self) -> std::borrow::Cow<'_, str> {
        self.tracking.as_str().into()
    }

    fn version(&self) -> u64 {
        self.version
    }

    fn decide(
        state: Option<&Self>,
        cmd: &ComplaintCommand,
        by: &crate::process::Actor,
        env: &crate::process::Now,
    ) -> Result<ComplaintEvent, DomainError> {
        use crate::ErrorCode;
        match (state, cmd) {
            (
                None,
                ComplaintCommand::File {
                    draft,
                    tracking,
                    code_hash,
                    department,
                    due,
                },
            ) => Ok(ComplaintEvent::Filed {
                draft: draft.clone().validated()?,
                tracking: tracking.clone(),
                code_hash: code_hash.clone(),
                department: department.clone(),
                due: *due,
                at: env.now,
            }),
            (Some(c), ComplaintCommand::Answer { text }) => {
                let user = by.staff()?;
                let text = text.trim();
                if text.chars().count() < 10 {
                    return Err(DomainError::field(
                        "answer",
                        crate::zh_en!(
                            "答复应写明调查核实的情况和处理结果，不少于 10 个字",
                            "an answer says what was found and done, in at least 10 characters"
                        ),
                    ));
                }
                if user.department.as_ref().map(|d| d.as_str()) != Some(c.department.as_str()) {
                    return Err(DomainError::rule(
                        ErrorCode::WrongDepartment,
                        crate::zh_en!(
                            "投诉 {t} 应由部门 {d} 答复",
                            "complaint {t} is for department {d} to answer",
                            t = &c.tracking,
                            d = &c.department,
                        ),
                    ));
                }
                if c.state != ComplaintState::Open {
                    return Err(DomainError::rule(
                        ErrorCode::InvalidTransition,
                        crate::zh_en!(
                            "投诉 {t} 已答复",
                            "complaint {t} was already answered",
                            t = &c.tracking,
                        ),
                    ));
                }
                Ok(ComplaintEvent::Answered {
                    text: text.to_string(),
                    by: user.username.to_string(),
                    at: env.now,
                    on_time: env.zone.date(env.now) <= c.due,
                })
            }
            (None, ComplaintCommand::Answer { .. }) => Err(DomainError::rule(
                ErrorCode::UnknownReference,
                crate::zh_en!("没有此投诉", "no such complaint"),
            )),
            (Some(c), ComplaintCommand::File { .. }) => Err(DomainError::rule(
                ErrorCode::InvalidTransition,
                crate::zh_en!(
                    "投诉 {t} 已经存在",
                    "complaint {t} exists already",
                    t = &c.tracking,
                ),
            )),
        }
    }

    fn apply(state: Option<Self>, event: &ComplaintEvent, _: &crate::process::Now) -> Option<Self> {
        match (state, event) {
            (
                None,
                ComplaintEvent::Filed {
                    draft,
                    tracking,
                    code_hash,
                    department,
                    due,
                    at,
                },
            ) => Some(Complaint {
                tracking: tracking.clone(),
                code_hash: code_hash.clone(),
                against: draft.against,
                target: draft.target.clone(),
                department: department.clone(),
                complainant: draft.complainant.clone(),
                phone: draft.phone.clone(),
                text: draft.text.clone(),
                filed_at: *at,
                due: *due,
                state: ComplaintState::Open,
                answer: None,
                answered_by: None,
                answered_at: None,
                version: 1,
            }),
            (Some(mut c), ComplaintEvent::Answered { text, by, at, .. }) => {
                c.state = ComplaintState::Answered;
                c.answer = Some(text.clone());
                c.answered_by = Some(by.clone());
                c.answered_at = Some(*at);
                c.version += 1;
                Some(c)
            }
            (Some(c), ComplaintEvent::Filed { .. }) => Some(c),
            (None, ComplaintEvent::Answered { .. }) => None,
        }
    }

    fn event_kind(e: &ComplaintEvent) -> &'static str {
        match e {
            ComplaintEvent::Filed { .. } => "complaint.filed",
            ComplaintEvent::Answered { .. } => "complaint.answered",
        }
    }

    /// What was complained of and when, not who complained; texts as digests.
    fn evidence(e: &ComplaintEvent) -> serde_json::Value {
        match e {
            ComplaintEvent::Filed {
                draft,
                department,
                due,
                ..
            } => serde_json::json!({
                "against": draft.against.as_str(),
                "target": draft.target,
                "department": department,
                "due": due.to_string(),
                "text_sha256": digest(&draft.text),
            }),
            ComplaintEvent::Answered { text, on_time, .. } => serde_json::json!({
                "answer_sha256": digest(text),
                "on_time": on_time,
            }),
        }
    }

    fn notices(&self, e: &ComplaintEvent) -> Vec<crate::notice::Notice> {
        crate::notice::of_complaint(self, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> ComplaintDraft {
        ComplaintDraft {
            against: Against::Department,
            target: " 11330183MB1682410P ".into(),
            complainant: "张伟".into(),
            phone: "13800001111".into(),
            text: "窗口工作人员要求重复提交已提交的材料，往返三次仍未受理。".into(),
        }
    }

    #[test]
    fn a_complaint_says_who_what_and_how_to_answer() {
        assert_eq!(draft().validated().unwrap().target, "11330183MB1682410P");
        let bad = ComplaintDraft {
            complainant: " ".into(),
            phone: "abc".into(),
            text: "太慢".into(),
            ..draft()
        };
        let e = bad.validated().unwrap_err();
        let fields: Vec<&str> = e.field_errors().iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["complainant", "phone", "text"]);
    }

    #[test]
    fn the_answer_is_due_thirty_days_on_and_the_alert_begins_the_day_after() {
        let zone = Zone::CHINA;
        let filed: Timestamp = "2026-11-23T16:00:00+08:00".parse().unwrap();
        let due = answer_due(filed, 30, zone);
        assert_eq!(due.to_string(), "2026-12-23");
        let f = unanswered("TS330183-1", due, "富阳区市场监督管理局", zone);
        assert_eq!(f.key, "complaint_unanswered/TS330183-1");
        assert_eq!(
            f.at,
            "2026-12-24T00:00:00+08:00".parse::<Timestamp>().unwrap()
        );
    }
}
