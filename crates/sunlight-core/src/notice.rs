//! Notifications (消息通知): what applicants and complainants are told when something happens
//! to what they filed, decided in pure code from the event and the state it leaves.
//!
//! A [`Notice`] is decided with its event and written in the event's transaction (the
//! store's outbox and the portal's messages), so nothing is told that did not happen and
//! nothing that happened goes untold across a crash. Delivery (SMS through a gateway, email
//! over SMTP) is the server's duty, with retries; the in-portal message needs none.
//!
//! The texts are the messages themselves: short enough for one or two SMS segments (70
//! characters each), naming the case by its receipt number and the power by its name, never
//! carrying the query code or anything a stranger reading the phone could use.

use crate::case::{Case, EventBody, Verdict};
use crate::complaint::{Complaint, ComplaintEvent};
use crate::{Text, zh_en};
use serde::{Deserialize, Serialize};

/// What a notice is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    /// 已受理
    Accepted,
    /// 不予受理
    Refused,
    /// 需补正 (the one-time notice)
    SupplementNeeded,
    /// 补正期限将至 (the applicant's own deadline approaching)
    SupplementReminder,
    /// 补正逾期，视为放弃申请
    SupplementLapsed,
    /// 已作出决定
    Decided,
    /// 文书、证照可下载
    DocumentReady,
    /// 投诉已答复
    ComplaintAnswered,
    /// 差评已整改反馈
    RatingAnswered,
    /// 登录验证码
    SignInCode,
    /// 新查询码
    QueryCode,
}

impl Topic {
    pub const ALL: &'static [Topic] = &[
        Topic::Accepted,
        Topic::Refused,
        Topic::SupplementNeeded,
        Topic::SupplementReminder,
        Topic::SupplementLapsed,
        Topic::Decided,
        Topic::DocumentReady,
        Topic::ComplaintAnswered,
        Topic::RatingAnswered,
        Topic::SignInCode,
        Topic::QueryCode,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Refused => "refused",
            Self::SupplementNeeded => "supplement_needed",
            Self::SupplementReminder => "supplement_reminder",
            Self::SupplementLapsed => "supplement_lapsed",
            Self::Decided => "decided",
            Self::DocumentReady => "document_ready",
            Self::ComplaintAnswered => "complaint_answered",
            Self::RatingAnswered => "rating_answered",
            Self::SignInCode => "sign_in_code",
            Self::QueryCode => "query_code",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|t| t.as_str() == s)
    }

    /// The topic as a message list shows it.
    pub fn label(self) -> Text {
        match self {
            Self::Accepted => Text::fixed("已受理", "Accepted"),
            Self::Refused => Text::fixed("不予受理", "Not accepted"),
            Self::SupplementNeeded => Text::fixed("需补正材料", "Materials needed"),
            Self::SupplementReminder => Text::fixed("补正期限将至", "Supplement due soon"),
            Self::SupplementLapsed => Text::fixed("补正逾期", "Supplement lapsed"),
            Self::Decided => Text::fixed("已作出决定", "Decided"),
            Self::DocumentReady => Text::fixed("文书可下载", "Document ready"),
            Self::ComplaintAnswered => Text::fixed("投诉已答复", "Complaint answered"),
            Self::RatingAnswered => Text::fixed("差评已整改反馈", "Rating answered"),
            Self::SignInCode => Text::fixed("登录验证码", "Sign-in code"),
            Self::QueryCode => Text::fixed("新查询码", "New query code"),
        }
    }
}

/// One thing to tell one person, on every channel they can be reached by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub topic: Topic,
    /// The receipt number (or complaint tracking number) the notice is about.
    pub reference: String,
    /// The phone it goes to by SMS, and whose portal messages it joins; empty: none.
    pub phone: String,
    /// The address it goes to by email; empty: none.
    pub email: String,
    pub text: Text,
}

/// Whether `phone` is a mainland mobile number an SMS can reach (11 digits, 1[3-9]…).
pub fn is_mobile(phone: &str) -> bool {
    let b = phone.as_bytes();
    b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
}

/// A phone number as written by someone (spaces, dashes, a +86 prefix) reduced to its digits;
/// `None` unless that is a mobile number.
pub fn normalise_mobile(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let digits = match digits.strip_prefix("86") {
        Some(rest) if rest.len() == 11 => rest.to_string(),
        _ => digits,
    };
    is_mobile(&digits).then_some(digits)
}

fn dm(d: crate::Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// What the applicant of `case` is told of `event` (`case` is the state the event left).
pub fn of_case(case: &Case, event: &EventBody) -> Vec<Notice> {
    let o = &case.opened;
    let (r, power) = (o.receipt.as_str(), o.power_name.as_str());
    let text = match event {
        EventBody::Accepted { deadlines, .. } => {
            match deadlines.committed.or(deadlines.statutory) {
                Some(d) => zh_en!(
                    "您申请的「{power}」（办件编号 {r}）已受理，承诺于 {day} 前办结。",
                    "Your application for {power} ({r}) was accepted and will be decided by {d}.",
                    day = dm(d),
                ),
                None => zh_en!(
                    "您申请的「{power}」（办件编号 {r}）已受理。",
                    "Your application for {power} ({r}) was accepted."
                ),
            }
        }
        EventBody::Refused { reason, .. } => zh_en!(
            "您申请的「{power}」（办件编号 {r}）不予受理，理由：{reason}。",
            "Your application for {power} ({r}) was not accepted: {reason}."
        ),
        EventBody::SupplementRequested { items, due, .. } => {
            let what = items
                .iter()
                .map(|i| i.material.as_str())
                .collect::<Vec<_>>()
                .join("、");
            match due {
                Some(d) => zh_en!(
                    "您申请的「{power}」（办件编号 {r}）需补正：{what}。请于 {day} 前在办件查询页或窗口补正，逾期视为放弃申请。",
                    "Your application for {power} ({r}) needs: {what}. Supply it by {d} online or at the window, or the application lapses.",
                    day = dm(*d),
                ),
                None => zh_en!(
                    "您申请的「{power}」（办件编号 {r}）需补正：{what}。请在办件查询页或窗口补正。",
                    "Your application for {power} ({r}) needs: {what}. Supply it online or at the window."
                ),
            }
        }
        EventBody::SupplementLapsed { due, .. } => zh_en!(
            "您申请的「{power}」（办件编号 {r}）未在 {day} 前补正，依法视为放弃申请，办件已终止。",
            "Your application for {power} ({r}) was not supplemented by {due} and has lapsed.",
            day = dm(*due),
        ),
        EventBody::Decided { decision, .. } => {
            let no = decision.document_no.as_str();
            let text = match decision.verdict {
                Verdict::Approve => zh_en!(
                    "您申请的「{power}」（办件编号 {r}）已办结：准予（{no}）。",
                    "Your application for {power} ({r}) was granted ({no})."
                ),
                Verdict::Deny => zh_en!(
                    "您申请的「{power}」（办件编号 {r}）已作出不予决定（{no}），理由及救济途径见决定书。",
                    "Your application for {power} ({r}) was refused ({no}); the decision states why and how to appeal."
                ),
            };
            if decision.documents.is_empty() {
                text
            } else {
                text.append(
                    "文书已加盖电子印章，可在办件查询或“我的办件”中下载。",
                    " The sealed documents can be downloaded from the case's page.",
                )
            }
        }
        EventBody::Rectified(_) => zh_en!(
            "您对「{power}」（办件编号 {r}）的评价，承办部门已核实整改并反馈，可在办件查询中查看。",
            "The department has looked into your rating of {power} ({r}) and says what it changed; see the case's page."
        ),
        _ => return vec![],
    };
    vec![to_applicant(case, topic_of(event), text)]
}

fn topic_of(event: &EventBody) -> Topic {
    match event {
        EventBody::Accepted { .. } => Topic::Accepted,
        EventBody::Refused { .. } => Topic::Refused,
        EventBody::SupplementRequested { .. } => Topic::SupplementNeeded,
        EventBody::SupplementLapsed { .. } => Topic::SupplementLapsed,
        EventBody::Rectified(_) => Topic::RatingAnswered,
        _ => Topic::Decided,
    }
}

/// A notice to the applicant of `case`.
pub fn to_applicant(case: &Case, topic: Topic, text: Text) -> Notice {
    let a = &case.opened.applicant;
    Notice {
        topic,
        reference: case.opened.receipt.to_string(),
        phone: a.phone().to_string(),
        email: a.email().to_string(),
        text,
    }
}

/// What the complainant is told of `event` (`complaint` is the state it left).
pub fn of_complaint(complaint: &Complaint, event: &ComplaintEvent) -> Vec<Notice> {
    let t = complaint.tracking.as_str();
    match event {
        ComplaintEvent::Answered { .. } => vec![Notice {
            topic: Topic::ComplaintAnswered,
            reference: t.to_string(),
            phone: complaint.phone.clone(),
            email: String::new(),
            text: zh_en!(
                "您的投诉（编号 {t}）已答复，请凭投诉编号和查询码在“投诉查询”中查看。",
                "Your complaint ({t}) has been answered; look it up with its number and code."
            ),
        }],
        ComplaintEvent::Filed { .. } => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobiles_are_recognised_as_people_write_them() {
        assert!(is_mobile("13812345678"));
        assert!(!is_mobile("0571-63352718"));
        assert!(!is_mobile("12812345678"));
        assert_eq!(
            normalise_mobile("+86 138-1234-5678").as_deref(),
            Some("13812345678")
        );
        assert_eq!(
            normalise_mobile("8613812345678").as_deref(),
            Some("13812345678")
        );
        assert_eq!(normalise_mobile("0571 6335 2718"), None);
    }

    #[test]
    fn topics_round_trip() {
        for t in Topic::ALL {
            assert_eq!(Topic::parse(t.as_str()), Some(*t));
        }
    }
}
