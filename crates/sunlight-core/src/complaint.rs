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
                "say which case, department or member of staff the complaint is about",
            ));
        }
        if self.complainant.is_empty() {
            errors.push(FieldError::new("complainant", "a complaint needs a name"));
        }
        if !(5..=20).contains(&self.phone.len())
            || !self
                .phone
                .chars()
                .all(|c| c.is_ascii_digit() || c == '-' || c == '+')
        {
            errors.push(FieldError::new(
                "phone",
                "a telephone number to answer on (digits, 5 to 20)",
            ));
        }
        let n = self.text.chars().count();
        if n < 10 {
            errors.push(FieldError::new(
                "text",
                "say what happened in at least 10 characters",
            ));
        } else if n > 2000 {
            errors.push(FieldError::new("text", "is longer than 2,000 characters"));
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
