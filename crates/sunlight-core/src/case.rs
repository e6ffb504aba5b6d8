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

// ---------------------------------------------------------------------------------------------
// Receipt numbers

/// A case's number (受理编号), given at submission and printed on every notice.
///
/// `{county}-{yymmdd}-{XXXXX}-{XXXXX}`: the six-digit code of the county that holds the power,
/// the submission date, and ten characters of Crockford base32 (0-9, A-Z without I, L, O, U)
/// drawn from 50 random bits. Knowing one number tells nothing about the next: among the
/// 2^50 possible tails a county issuing a million numbers a day has one in a billion of them
/// in use, so the progress lookup cannot be walked. The engine re-draws on the (rare) clash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "330183-261123-7K2M9-QXD4T"))]
pub struct ReceiptNumber(String);

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

impl ReceiptNumber {
    pub fn generate(region: &RegionCode, date: Date, random: [u8; 7]) -> Self {
        let mut bits = u64::from_be_bytes([
            0, random[0], random[1], random[2], random[3], random[4], random[5], random[6],
        ]);
        let mut tail = [0u8; 10];
        for c in tail.iter_mut().rev() {
            *c = CROCKFORD[(bits & 31) as usize];
            bits >>= 5;
        }
        let tail = std::str::from_utf8(&tail).unwrap_or_default();
        Self(format!(
            "{}-{:02}{:02}{:02}-{}-{}",
            &region.as_str()[..6],
            date.year() % 100,
            date.month(),
            date.day(),
            &tail[..5],
            &tail[5..]
        ))
    }

    /// Reads a number as people type it: case and spaces do not matter, and the letters
    /// Crockford base32 leaves out are read as the digits they look like (O→0, I/L→1).
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let bad = || {
            DomainError::field(
                "receipt",
                zh_en!(
                    "“{input}”不是有效的受理编号（格式如 330183-261123-7K2M9-QXD4T）",
                    "«{input}» is not a receipt number such as 330183-261123-7K2M9-QXD4T"
                ),
            )
        };
        let cleaned: String = input
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c.to_ascii_uppercase() {
                'O' => '0',
                'I' | 'L' => '1',
                c => c,
            })
            .collect();
        let parts: Vec<&str> = cleaned.split('-').collect();
        let ok = parts.len() == 4
            && parts[0].len() == 6
            && parts[1].len() == 6
            && parts[0..2]
                .iter()
                .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
            && parts[2..]
                .iter()
                .all(|p| p.len() == 5 && p.bytes().all(|b| CROCKFORD.contains(&b)));
        if ok { Ok(Self(cleaned)) } else { Err(bad()) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReceiptNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for ReceiptNumber {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ReceiptNumber> for String {
    fn from(r: ReceiptNumber) -> Self {
        r.0
    }
}

// ---------------------------------------------------------------------------------------------
// Applicants

/// Who applies, or (for a penalty) the party (当事人). ID numbers and phones are kept for the
/// department and masked in every public view ([`Applicant::masked`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Applicant {
    Person {
        name: String,
        /// 居民身份证号码 (GB 11643, 18 characters with its check character).
        id_number: String,
        #[serde(default)]
        phone: String,
    },
    Organisation {
        name: String,
        /// 统一社会信用代码
        credit_code: String,
        /// 法定代表人
        #[serde(default)]
        representative: String,
        #[serde(default)]
        phone: String,
    },
}

impl Applicant {
    /// The ID number or credit code, upper case: what declared relations are matched on.
    pub fn party_id(&self) -> String {
        match self {
            Self::Person { id_number, .. } => id_number.trim().to_uppercase(),
            Self::Organisation { credit_code, .. } => credit_code.trim().to_uppercase(),
        }
    }
}

/// Checks an 18-character resident ID number's check character (GB 11643-1999).
pub fn id_number_is_valid(id: &str) -> bool {
    let b = id.as_bytes();
    b.len() == 18 && id_check_character(id) == Some(char::from(b[17].to_ascii_uppercase()))
}

/// The check character (GB 11643-1999) the first 17 digits of an ID number call for.
fn id_check_character(id: &str) -> Option<char> {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: &[u8; 11] = b"10X98765432";
    let b = id.as_bytes();
    if b.len() < 17 || !b[..17].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b[..17]
        .iter()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    Some(char::from(C[(sum % 11) as usize]))
}

/// What is wrong with an ID number that is not valid.
fn id_number_problem(id: &str) -> crate::Text {
    let n = id.chars().count();
    match id_check_character(id) {
        _ if id.trim().is_empty() => {
            zh_en!("请填写居民身份证号码", "the resident ID number is required")
        }
        Some(c) if n == 18 => zh_en!(
            "身份证号码校验位应为 {c}，请核对",
            "the check character should be {c}; please check the number"
        ),
        _ if n != 18 => zh_en!(
            "居民身份证号码应为 18 位，现为 {n} 位",
            "a resident ID number has 18 characters, not {n}"
        ),
        _ => zh_en!(
            "居民身份证号码前 17 位应为数字，第 18 位为数字或 X",
            "the first 17 characters are digits, the last a digit or X"
        ),
    }
}

fn phone_problem() -> crate::Text {
    zh_en!(
        "联系电话应为 7 至 13 位数字（可含“-”）",
        "digits and '-' only, 7 to 13 characters"
    )
}

fn mask_middle(s: &str, keep_head: usize, keep_tail: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= keep_head + keep_tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..keep_head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - keep_head - keep_tail));
    out.extend(&chars[chars.len() - keep_tail..]);
    out
}

impl Applicant {
    pub fn name(&self) -> &str {
        match self {
            Self::Person { name, .. } | Self::Organisation { name, .. } => name,
        }
    }

    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.name().trim().is_empty() {
            errors.push(FieldError::new(
                "applicant.name",
                zh_en!("请填写申请人姓名或名称", "the applicant's name is required"),
            ));
        }
        let phone_ok = |p: &str| {
            p.is_empty()
                || (p.len() >= 7
                    && p.len() <= 13
                    && p.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
        };
        match self {
            Self::Person {
                id_number, phone, ..
            } => {
                if !id_number_is_valid(id_number) {
                    errors.push(FieldError::new(
                        "applicant.id_number",
                        id_number_problem(id_number),
                    ));
                }
                if !phone_ok(phone) {
                    errors.push(FieldError::new("applicant.phone", phone_problem()));
                }
            }
            Self::Organisation {
                credit_code, phone, ..
            } => {
                if let Err(e) = CreditCode::parse(credit_code) {
                    errors.extend(
                        e.field_errors()
                            .iter()
                            .map(|f| FieldError::new("applicant.credit_code", f.message.clone())),
                    );
                }
                if !phone_ok(phone) {
                    errors.push(FieldError::new("applicant.phone", phone_problem()));
                }
            }
        }
        errors
    }

    /// As the public may see it: a person's name keeps its first character, ID numbers their
    /// region and last four, phones their first three and last four.
    pub fn masked(&self) -> Applicant {
        match self {
            Self::Person {
                name,
                id_number,
                phone,
            } => Self::Person {
                name: mask_middle(name, 1, 0),
                id_number: mask_middle(id_number, 6, 4),
                phone: mask_middle(phone, 3, 4),
            },
            Self::Organisation {
                name,
                credit_code,
                representative,
                phone,
            } => Self::Organisation {
                name: name.clone(),
                credit_code: credit_code.clone(),
                representative: mask_middle(representative, 1, 0),
                phone: mask_middle(phone, 3, 4),
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// State

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CaseStatus {
    /// Waiting for the accept step.
    Submitted,
    /// 补正: waiting for the applicant's materials.
    AwaitingSupplement,
    InProgress,
    /// Clock stopped for a legal reason.
    Suspended,
    /// Finished along the flow (decided and delivered).
    Closed,
    /// 不予受理
    NotAccepted,
    /// 撤回
    Withdrawn,
}

impl CaseStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Submitted => "submitted",
            Self::AwaitingSupplement => "awaiting_supplement",
            Self::InProgress => "in_progress",
            Self::Suspended => "suspended",
            Self::Closed => "closed",
            Self::NotAccepted => "not_accepted",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Submitted => "待受理",
            Self::AwaitingSupplement => "待补正",
            Self::InProgress => "办理中",
            Self::Suspended => "已挂起",
            Self::Closed => "已办结",
            Self::NotAccepted => "不予受理",
            Self::Withdrawn => "已撤回",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Submitted,
            Self::AwaitingSupplement,
            Self::InProgress,
            Self::Suspended,
            Self::Closed,
            Self::NotAccepted,
            Self::Withdrawn,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    pub fn is_finished(self) -> bool {
        matches!(self, Self::Closed | Self::NotAccepted | Self::Withdrawn)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Channel {
    /// 网上申报
    Online,
    /// 窗口受理
    Window,
    /// 立案 by the department itself (penalties, inspections).
    Ex,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TaskStatus {
    Open,
    Done,
    /// Closed unfinished (the case was withdrawn or ended elsewhere).
    Cancelled,
}

/// A flow node as work for someone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskState {
    pub id: u32,
    pub node: String,
    pub name: String,
    pub step: StepKind,
    pub role: String,
    pub department: CreditCode,
    pub status: TaskStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub opened_at: Timestamp,
    /// The node's budget counted from the day it opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub due: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignee: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_by: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub co_actors: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub opinion: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub done_at: Option<Timestamp>,
}

/// The statutory and committed deadlines: the last day to finish. `None` while the clock is
/// stopped (the day it restarts decides them) or before acceptance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deadlines {
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub statutory: Option<Date>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub committed: Option<Date>,
}

/// The remedies a denial or penalty must name (行政复议法 Art. 20: 60 days; 行政诉讼法 Art. 46:
/// six months).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Remedy {
    pub review_days: u32,
    pub litigation_months: u32,
    pub text: String,
}

impl Remedy {
    pub fn statutory() -> Self {
        Self {
            review_days: 60,
            litigation_months: 6,
            text: "如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法向人民法院提起行政诉讼。".into(),
        }
    }
}

/// A fine as decided, with its check against the benchmark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Penalty {
    pub violation: String,
    pub tier: Tier,
    pub amount_fen: i64,
    pub band: BandCheck,
    /// The reason recorded by a collective decision (集体讨论) that went outside the band.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collective_reason: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Verdict {
    /// 准予 (licensing) / 作出处罚决定 (penalty)
    Approve,
    /// 不予许可 / 不予处罚
    Deny,
}

impl Verdict {
    /// The outcome word flow conditions see.
    pub fn outcome(self) -> &'static str {
        match self {
            Self::Approve => "准予",
            Self::Deny => "不予",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    pub verdict: Verdict,
    /// 决定书文号 / 证书编号
    pub document_no: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reasons: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub legal_basis: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy: Option<Remedy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub penalty: Option<Penalty>,
}

/// 送达方式 (民事诉讼法 Arts. 87–95 as 行政处罚法 Art. 61 applies them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DeliveryMethod {
    /// 直接送达
    InPerson,
    /// 邮寄送达
    Post,
    /// 电子送达
    Electronic,
    /// 留置送达
    LeftAtAddress,
    /// 委托送达
    Entrusted,
    /// 公告送达
    PublicNotice,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delivery {
    pub method: DeliveryMethod,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub date: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rating {
    /// 1 (非常不满意) to 5 (非常满意).
    pub level: u8,
    #[serde(default)]
    pub comment: String,
}

/// A task a step opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenedTask {
    pub id: u32,
    pub node: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub due: Option<Date>,
}

/// What finishing a task did to the flow.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Progress {
    pub task: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub co_actors: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub opinion: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opened: Vec<OpenedTask>,
    /// Arrivals counted at parallel joins after this step.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub joins: BTreeMap<String, u32>,
    /// The flow reached its end.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub finished: bool,
}

/// The facts of a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Opened {
    pub receipt: ReceiptNumber,
    pub power: PowerCode,
    pub power_version: i64,
    pub power_name: String,
    pub category: PowerCategory,
    pub region: RegionCode,
    pub department: CreditCode,
    pub applicant: Applicant,
    pub channel: Channel,
    #[serde(default)]
    pub form: serde_json::Value,
    #[serde(default)]
    pub materials: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statutory_limit: Option<TimeLimit>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committed_limit: Option<TimeLimit>,
    /// The keyed hash of the query code the applicant was given (`sunlight_engine::
    /// QueryCodeKey`: HMAC-SHA256 under a server secret); the code itself is never kept.
    pub query_code_hash: String,
    /// The per-use approval (一事一审) this case used, for an uncommon power.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout: Option<i64>,
    pub opened: Vec<OpenedTask>,
    /// Deadlines run from submission when the flow has no accept step (立案 of a penalty).
    #[serde(default)]
    pub deadlines: Deadlines,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub accepted_on: Option<Date>,
}

/// What happened, one per accepted command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventBody {
    Submitted(Box<Opened>),
    Claimed {
        task: u32,
    },
    SupplementRequested {
        task: u32,
        missing: Vec<String>,
        note: String,
        notice: u32,
    },
    Supplemented {
        materials: Vec<String>,
    },
    Accepted {
        #[serde(flatten)]
        progress: Progress,
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        accepted_on: Date,
        deadlines: Deadlines,
    },
    Refused {
        task: u32,
        reason: String,
        legal_basis: String,
    },
    TaskCompleted {
        #[serde(flatten)]
        progress: Progress,
        outcome: String,
    },
    Decided {
        #[serde(flatten)]
        progress: Progress,
        decision: Decision,
    },
    Delivered {
        #[serde(flatten)]
        progress: Progress,
        delivery: Delivery,
    },
    Suspended {
        reason: String,
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        from: Date,
    },
    Resumed {
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        on: Date,
        deadlines: Deadlines,
    },
    Extended {
        days: u32,
        reason: String,
        deadlines: Deadlines,
    },
    Withdrawn {
        reason: String,
    },
    Rated(Rating),
}

impl EventBody {
    /// The event's kind as the ledger and the history name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Submitted(_) => "case.submitted",
            Self::Claimed { .. } => "case.claimed",
            Self::SupplementRequested { .. } => "case.supplement_requested",
            Self::Supplemented { .. } => "case.supplemented",
            Self::Accepted { .. } => "case.accepted",
            Self::Refused { .. } => "case.refused",
            Self::TaskCompleted { .. } => "case.task_completed",
            Self::Decided { .. } => "case.decided",
            Self::Delivered { .. } => "case.delivered",
            Self::Suspended { .. } => "case.suspended",
            Self::Resumed { .. } => "case.resumed",
            Self::Extended { .. } => "case.extended",
            Self::Withdrawn { .. } => "case.withdrawn",
            Self::Rated(_) => "case.rated",
        }
    }

    pub fn zh(&self) -> &'static str {
        match self {
            Self::Submitted(_) => "提交申请",
            Self::Claimed { .. } => "签收",
            Self::SupplementRequested { .. } => "一次性告知补正",
            Self::Supplemented { .. } => "补正材料",
            Self::Accepted { .. } => "受理",
            Self::Refused { .. } => "不予受理",
            Self::TaskCompleted { .. } => "办理",
            Self::Decided { .. } => "决定",
            Self::Delivered { .. } => "送达",
            Self::Suspended { .. } => "挂起（停止计时）",
            Self::Resumed { .. } => "恢复计时",
            Self::Extended { .. } => "延期",
            Self::Withdrawn { .. } => "撤回",
            Self::Rated(_) => "评价",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseEvent {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub at: Timestamp,
    /// A username, or `applicant`.
    pub actor: String,
    #[serde(flatten)]
    pub body: EventBody,
}

/// A case as its events left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    pub opened: Opened,
    pub status: CaseStatus,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub submitted_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub accepted_on: Option<Date>,
    pub deadlines: Deadlines,
    /// Finished clock stops.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stops: Vec<Stop>,
    /// The stop running now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspended: Option<Stop>,
    #[serde(default)]
    pub extension_days: u32,
    #[serde(default)]
    pub supplement_notices: u32,
    pub tasks: Vec<TaskState>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub joins: BTreeMap<String, u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub finished_at: Option<Timestamp>,
    /// Events applied so far; the optimistic-concurrency version.
    pub version: u64,
}

// ---------------------------------------------------------------------------------------------
// Commands

/// Who acts.
#[derive(Debug, Clone)]
pub enum Actor {
    Staff(User),
    /// The applicant, proven at the edge (query code, or their own online session).
    Applicant,
    /// A member of the public, unnamed (a complainant).
    Public,
    /// The engine's clock: a process's timer falling due.
    Timer,
}

impl Actor {
    pub fn name(&self) -> &str {
        match self {
            Self::Staff(u) => u.username.as_str(),
            Self::Applicant => "applicant",
            Self::Public => "public",
            Self::Timer => "timer",
        }
    }

    /// The member of staff acting, or the refusal a non-staff actor gets.
    pub fn staff(&self) -> Result<&User, DomainError> {
        match self {
            Self::Staff(u) => Ok(u),
            Self::Applicant | Self::Public | Self::Timer => Err(DomainError::rule(
                ErrorCode::RoleRequired,
                zh_en!(
                    "此项操作由部门工作人员办理，申请人不能办理",
                    "this act is for department staff, not the applicant"
                ),
            )),
        }
    }
}

/// An application as it arrives.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Submission {
    pub power: String,
    /// The region the applicant applies in; the power's own if absent.
    #[serde(default)]
    pub region: Option<String>,
    pub applicant: Applicant,
    #[serde(default)]
    pub form: serde_json::Value,
    /// Names of the materials handed in (as the guide names them).
    #[serde(default)]
    pub materials: Vec<String>,
}

/// The penalty a decision imposes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PenaltyInput {
    pub violation: String,
    pub tier: Tier,
    pub amount_fen: i64,
    /// Given only by a collective decision (集体讨论) that goes outside the band: why.
    #[serde(default)]
    pub collective_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionInput {
    pub verdict: Verdict,
    #[serde(default)]
    pub document_no: String,
    #[serde(default)]
    pub reasons: String,
    #[serde(default)]
    pub legal_basis: String,
    #[serde(default)]
    pub penalty: Option<PenaltyInput>,
}

#[derive(Debug, Clone)]
pub enum CaseCommand {
    Claim {
        task: u32,
    },
    Accept {
        task: u32,
    },
    RequestSupplement {
        task: u32,
        extra: Vec<String>,
        note: String,
    },
    Supplement {
        materials: Vec<String>,
    },
    Refuse {
        task: u32,
        reason: String,
        legal_basis: String,
    },
    /// `co_actors`: the other people of a two-person step, resolved by the engine.
    Complete {
        task: u32,
        outcome: String,
        opinion: String,
        co_actors: Vec<User>,
    },
    Decide {
        task: u32,
        decision: DecisionInput,
        opinion: String,
    },
    Deliver {
        task: u32,
        method: DeliveryMethod,
        date: Date,
    },
    Suspend {
        reason: String,
    },
    Resume,
    Extend {
        days: u32,
        reason: String,
    },
    Withdraw {
        reason: String,
    },
    Rate(Rating),
}

/// An act a member of staff may take on a case now ([`Case::actions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Available {
    Claim { task: u32 },
    Accept { task: u32 },
    RequestSupplement { task: u32 },
    Refuse { task: u32 },
    Complete { task: u32 },
    Decide { task: u32 },
    Deliver { task: u32 },
    Suspend,
    Resume,
    Extend,
}

/// What the engine decides about a new case before the rules see it.
#[derive(Debug, Clone)]
pub struct Intake {
    pub receipt: ReceiptNumber,
    /// The keyed hash of the query code handed to the applicant.
    pub query_code_hash: String,
    /// The open per-use approval this case will use, if any.
    pub checkout: Option<i64>,
    pub channel: Channel,
    pub power_version: i64,
}

/// What the rules need besides the case and the command.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    pub now: Timestamp,
    pub zone: Zone,
    /// The working-day calendar of the case's region.
    pub calendar: &'a Calendar,
    /// The power version the case runs on.
    pub power: &'a Power,
    /// Working days a statutory limit may be extended by (行政许可法 Art. 42: ten).
    pub extension_allowance: u32,
    /// The power's discretion benchmark, for penalties.
    pub benchmark: Option<&'a Benchmark>,
}

impl Env<'_> {
    fn today(&self) -> Date {
        self.zone.date(self.now)
    }

    fn flow(&self) -> Result<&Flow, DomainError> {
        self.power
            .flow
            .as_ref()
            .ok_or_else(|| no_flow(&self.power.code))
    }
}

fn no_flow(code: &PowerCode) -> DomainError {
    DomainError::rule(
        ErrorCode::NoPublishedFlow,
        zh_en!(
            "事项 {code} 尚未公布权力运行流程图，暂不能办理",
            "{code} has no published flow (权力运行流程图); no case can run along it"
        ),
    )
}

fn calendar_error(e: CalendarError) -> DomainError {
    DomainError::rule(ErrorCode::CalendarNotLoaded, e.text())
}

/// Whether a case may be opened for `power` in `region` (清单之外无权力): the power must be
/// exercisable, held by that region, have a flow, and — if uncommon — an open per-use approval.
pub fn check_exercisable<'p>(
    power: &'p Power,
    region: Option<&RegionCode>,
    checkout_open: bool,
) -> Result<&'p Flow, DomainError> {
    use crate::power::PowerStatus::*;
    let code = &power.code;
    match &power.status {
        Active | StrictlyControlled => {}
        Cancelled => {
            return Err(DomainError::rule(
                ErrorCode::PowerNotInList,
                zh_en!(
                    "{code}「{name}」已取消，不再行使（清单之外无权力）",
                    "{code} {name} has been cancelled (已取消); it is no longer exercised",
                    name = &power.name,
                ),
            ));
        }
        Delegated { mode, to_level } => {
            return Err(DomainError::rule(
                ErrorCode::PowerNotInList,
                zh_en!(
                    "{code}「{name}」已{mode}至{level}，请向{level}实施机关申请",
                    "{code} {name} has been delegated ({mode}) to the {en_level} level; apply there",
                    name = &power.name,
                    mode = mode.zh(),
                    level = to_level.zh(),
                    en_level = to_level.as_str(),
                ),
            ));
        }
        Merged { into } => {
            return Err(DomainError::rule(
                ErrorCode::PowerNotInList,
                zh_en!(
                    "{code}「{name}」已并入 {into}，请申请该事项",
                    "{code} {name} has been merged into {into}; apply for that power",
                    name = &power.name,
                ),
            ));
        }
    }
    if let Some(r) = region
        && r != &power.region
    {
        return Err(DomainError::rule(
            ErrorCode::PowerNotInList,
            zh_en!(
                "{code} 是区划 {held} 的权力事项，不在 {r} 的权力清单内；请按该地清单办理",
                "{code} is a power of region {held}, not of {r}; that region's own list applies there",
                held = &power.region,
            ),
        ));
    }
    let flow = power.flow.as_ref().ok_or_else(|| no_flow(code))?;
    if power.usage == Usage::Uncommon && !checkout_open {
        return Err(DomainError::rule(
            ErrorCode::CheckoutRequired,
            zh_en!(
                "{code}「{name}」为非常用权力，须经一事一审批准并在有效期内方可行使",
                "{code} {name} is an uncommon power (非常用权力); it is used only while a per-use approval (一事一审) is open",
                name = &power.name,
            ),
        ));
    }
    Ok(flow)
}

// ---------------------------------------------------------------------------------------------
// The flow walk

struct Walk<'a> {
    flow: &'a Flow,
    outcome: Option<&'a str>,
    data: &'a serde_json::Value,
    joins: BTreeMap<String, u32>,
    to_open: Vec<String>,
    finished: bool,
}

impl Walk<'_> {
    fn leave(&mut self, from: &str) -> Result<(), DomainError> {
        let node = self.flow.node(from).ok_or_else(|| corrupt_flow(from))?;
        let edges: Vec<&crate::flow::Edge> =
            self.flow.edges.iter().filter(|e| e.from == from).collect();
        if node.kind == NodeKind::Choice {
            let taken = edges
                .iter()
                .find(|e| {
                    e.when
                        .as_deref()
                        .and_then(|w| Condition::parse(w).ok())
                        .is_some_and(|c| c.holds(self.outcome, self.data))
                })
                .or_else(|| edges.iter().find(|e| e.default))
                .ok_or_else(|| {
                    DomainError::field(
                        "outcome",
                        zh_en!(
                            "办理结果“{outcome}”不符合“{node}”的任何一个去向，请填写其条件所列的结果之一",
                            "no way out of «{node}» fits outcome «{outcome}»: give one of the outcomes its conditions name",
                            node = &node.name,
                            outcome = self.outcome.unwrap_or(""),
                        ),
                    )
                })?;
            return self.enter(&taken.to);
        }
        for e in edges {
            self.enter(&e.to)?;
        }
        Ok(())
    }

    fn enter(&mut self, id: &str) -> Result<(), DomainError> {
        let node = self.flow.node(id).ok_or_else(|| corrupt_flow(id))?;
        match &node.kind {
            NodeKind::Task(_) => self.to_open.push(id.to_string()),
            NodeKind::ParallelSplit | NodeKind::Choice => self.leave(id)?,
            NodeKind::ParallelJoin => {
                let want = self.flow.edges.iter().filter(|e| e.to == id).count() as u32;
                let got = self.joins.get(id).copied().unwrap_or(0) + 1;
                if got >= want {
                    self.joins.remove(id);
                    self.leave(id)?;
                } else {
                    self.joins.insert(id.to_string(), got);
                }
            }
            NodeKind::End => self.finished = true,
            NodeKind::Start => return Err(corrupt_flow(id)),
        }
        Ok(())
    }
}

fn corrupt_flow(id: &str) -> DomainError {
    DomainError::rule(
        ErrorCode::NoPublishedFlow,
        zh_en!(
            "办件所依流程在“{id}”处有误，须由清单管理部门公布有效流程",
            "the case's flow is broken at «{id}»; the registry must publish a valid flow"
        ),
    )
}

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
            materials: dedup(&sub.materials),
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
            tasks: vec![],
            joins: BTreeMap::new(),
            decision: None,
            delivery: None,
            rating: None,
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
            EventBody::SupplementRequested { notice, .. } => {
                self.supplement_notices = *notice;
                self.status = CaseStatus::AwaitingSupplement;
            }
            EventBody::Supplemented { materials } => {
                let mut all = self.opened.materials.clone();
                all.extend(materials.iter().cloned());
                self.opened.materials = dedup(&all);
                self.status = CaseStatus::Submitted;
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
        }
    }

    /// Checks `cmd` against the rules and answers with the event it causes.
    pub fn decide(
        &self,
        cmd: &CaseCommand,
        actor: &Actor,
        env: &Env,
    ) -> Result<CaseEvent, DomainError> {
        let body = self.decide_body(cmd, actor, env)?;
        Ok(CaseEvent {
            at: env.now,
            actor: actor.name().to_string(),
            body,
        })
    }

    fn decide_body(
        &self,
        cmd: &CaseCommand,
        actor: &Actor,
        env: &Env,
    ) -> Result<EventBody, DomainError> {
        use CaseCommand::*;
        let receipt = &self.opened.receipt;
        let live = || -> Result<(), DomainError> {
            if self.status.is_finished() {
                Err(rule(
                    ErrorCode::CaseState,
                    zh_en!(
                        "办件 {receipt} 已经终结（{status}），不能再办理",
                        "case {receipt} is {en} (finished)",
                        status = self.status.zh(),
                        en = self.status.as_str(),
                    ),
                ))
            } else {
                Ok(())
            }
        };
        match cmd {
            Claim { task } => {
                live()?;
                let t = self.open_task(*task)?;
                self.may_do(actor, t)?;
                if let Some(a) = &t.assignee {
                    return Err(rule(
                        ErrorCode::TaskState,
                        zh_en!(
                            "环节“{name}”已由 {a} 认领",
                            "task «{name}» is already claimed by {a}",
                            name = &t.name,
                        ),
                    ));
                }
                Ok(EventBody::Claimed { task: *task })
            }
            Accept { task } => {
                let t = self.step_task(*task, StepKind::Accept, actor, "accept")?;
                if self.status != CaseStatus::Submitted {
                    return Err(rule(
                        ErrorCode::CaseState,
                        zh_en!(
                            "办件 {receipt} 当前为“{status}”，材料齐全后方可受理",
                            "case {receipt} is {en}; accept it once the materials are complete",
                            status = self.status.zh(),
                            en = self.status.as_str(),
                        ),
                    ));
                }
                let missing = self.missing_materials(env.power);
                if !missing.is_empty() {
                    return Err(rule(
                        ErrorCode::MaterialsIncomplete,
                        zh_en!(
                            "缺少必要材料：{list}。请一次性告知申请人需补正的全部材料（一次告知）",
                            "required materials are missing: {list}; request a supplement listing them all at once (一次告知)",
                            list = missing.join("、"),
                        ),
                    ));
                }
                let today = env.today();
                let deadlines = compute_deadlines(&self.opened, env, env.now, &[], 0)?;
                let progress = self.progress(t, Some("受理"), actor, vec![], String::new(), env)?;
                Ok(EventBody::Accepted {
                    progress,
                    accepted_on: today,
                    deadlines,
                })
            }
            RequestSupplement { task, extra, note } => {
                let _ = self.step_task(*task, StepKind::Accept, actor, "request_supplement")?;
                if self.status != CaseStatus::Submitted {
                    return Err(rule(
                        ErrorCode::CaseState,
                        zh_en!(
                            "办件 {receipt} 当前为“{status}”，不能要求补正",
                            "case {receipt} is {en}",
                            status = self.status.zh(),
                            en = self.status.as_str(),
                        ),
                    ));
                }
                let mut missing = self.missing_materials(env.power);
                missing.extend(extra.iter().filter(|e| !e.trim().is_empty()).cloned());
                let missing = dedup(&missing);
                if missing.is_empty() {
                    return Err(DomainError::field(
                        "extra",
                        zh_en!(
                            "材料已齐全：请列明缺少的材料，或直接受理",
                            "the materials are complete; name what is missing or accept the case"
                        ),
                    ));
                }
                Ok(EventBody::SupplementRequested {
                    task: *task,
                    missing,
                    note: note.clone(),
                    notice: self.supplement_notices + 1,
                })
            }
            Supplement { materials } => {
                if self.status != CaseStatus::AwaitingSupplement {
                    return Err(rule(
                        ErrorCode::CaseState,
                        zh_en!(
                            "办件 {receipt} 当前为“{status}”，无需补正材料",
                            "case {receipt} is {en}; no supplement is awaited",
                            status = self.status.zh(),
                            en = self.status.as_str(),
                        ),
                    ));
                }
                if materials.iter().all(|m| m.trim().is_empty()) {
                    return Err(DomainError::field(
                        "materials",
                        zh_en!("请列明补交的材料", "name the materials handed in"),
                    ));
                }
                Ok(EventBody::Supplemented {
                    materials: dedup(materials),
                })
            }
            Refuse {
                task,
                reason,
                legal_basis,
            } => {
                let _ = self.step_task(*task, StepKind::Accept, actor, "refuse")?;
                required("reason", reason, ("不予受理的理由", "a refusal's reason"))?;
                required(
                    "legal_basis",
                    legal_basis,
                    ("不予受理的法律依据", "a refusal's legal basis"),
                )?;
                Ok(EventBody::Refused {
                    task: *task,
                    reason: reason.clone(),
                    legal_basis: legal_basis.clone(),
                })
            }
            Complete {
                task,
                outcome,
                opinion,
                co_actors,
            } => {
                live()?;
                self.not_suspended()?;
                let t = self.open_task(*task)?;
                if matches!(
                    t.step,
                    StepKind::Accept | StepKind::Decide | StepKind::Deliver
                ) {
                    return Err(rule(
                        ErrorCode::TaskState,
                        zh_en!(
                            "“{name}”是{step}环节，应以{acts}办结",
                            "«{name}» is a {step} step: finish it with {en}",
                            name = &t.name,
                            step = t.step.zh(),
                            acts = match t.step {
                                StepKind::Accept => "受理、一次告知补正或不予受理",
                                StepKind::Decide => "作出决定",
                                _ => "送达",
                            },
                            en = match t.step {
                                StepKind::Accept => "accept, request_supplement or refuse",
                                StepKind::Decide => "decide",
                                _ => "deliver",
                            },
                        ),
                    ));
                }
                self.may_do(actor, t)?;
                let outcome = if outcome.trim().is_empty() {
                    "同意".to_string()
                } else {
                    outcome.trim().to_string()
                };
                let progress = self.progress(
                    t,
                    Some(&outcome),
                    actor,
                    co_actors.clone(),
                    opinion.clone(),
                    env,
                )?;
                Ok(EventBody::TaskCompleted { progress, outcome })
            }
            Decide {
                task,
                decision,
                opinion,
            } => {
                self.not_suspended()?;
                let t = self.step_task(*task, StepKind::Decide, actor, "decide")?;
                let decision = self.check_decision(decision, t, env)?;
                let progress = self.progress(
                    t,
                    Some(decision.verdict.outcome()),
                    actor,
                    vec![],
                    opinion.clone(),
                    env,
                )?;
                Ok(EventBody::Decided { progress, decision })
            }
            Deliver { task, method, date } => {
                self.not_suspended()?;
                let t = self.step_task(*task, StepKind::Deliver, actor, "deliver")?;
                let decided_on = self
                    .tasks
                    .iter()
                    .filter(|x| x.step == StepKind::Decide && x.status == TaskStatus::Done)
                    .filter_map(|x| x.done_at)
                    .map(|at| env.zone.date(at))
                    .max();
                if let Some(d) = decided_on
                    && *date < d
                {
                    return Err(DomainError::field(
                        "date",
                        zh_en!(
                            "送达日期 {date} 早于决定日期 {d}",
                            "delivery on {date} precedes the decision of {d}"
                        ),
                    ));
                }
                if *date > env.today() {
                    return Err(DomainError::field(
                        "date",
                        zh_en!("{date} 尚未到来", "{date} is in the future"),
                    ));
                }
                let progress =
                    self.progress(t, Some("已送达"), actor, vec![], String::new(), env)?;
                Ok(EventBody::Delivered {
                    progress,
                    delivery: Delivery {
                        method: *method,
                        date: *date,
                    },
                })
            }
            Suspend { reason } => {
                live()?;
                if self.status != CaseStatus::InProgress {
                    return Err(rule(
                        ErrorCode::CaseState,
                        zh_en!(
                            "办件 {receipt} 当前为“{status}”，只有办理中的办件才能暂停计时",
                            "case {receipt} is {en}; only a case in progress can stop its clock",
                            status = self.status.zh(),
                            en = self.status.as_str(),
                        ),
                    ));
                }
                self.case_staff(actor, &[Role::CaseOfficer, Role::Approver])?;
                let allowed = &env.flow()?.suspensions;
                if !allowed.iter().any(|a| a == reason.trim()) {
                    return Err(rule(
                        ErrorCode::SuspensionReason,
                        zh_en!(
                            "本流程只允许因以下情形暂停计时：{zh_list}；“{reason}”不在其列",
                            "the flow stops the clock only for: {en_list}; «{reason}» is not one of them",
                            zh_list = if allowed.is_empty() {
                                "（无）".to_string()
                            } else {
                                allowed.join("、")
                            },
                            en_list = if allowed.is_empty() {
                                "nothing".to_string()
                            } else {
                                allowed.join("、")
                            },
                        ),
                    ));
                }
                Ok(EventBody::Suspended {
                    reason: reason.trim().to_string(),
                    from: env.today(),
                })
            }
            Resume => {
                let Some(open) = &self.suspended else {
                    return Err(rule(
                        ErrorCode::CaseState,
                        zh_en!(
                            "办件 {receipt} 未暂停计时",
                            "case {receipt} is not suspended"
                        ),
                    ));
                };
                self.case_staff(actor, &[Role::CaseOfficer, Role::Approver])?;
                let today = env.today();
                let mut stops = self.stops.clone();
                stops.push(Stop {
                    from: open.from,
                    to: today,
                    reason: open.reason.clone(),
                });
                let deadlines = self.recompute(env, &stops, self.extension_days)?;
                Ok(EventBody::Resumed {
                    on: today,
                    deadlines,
                })
            }
            Extend { days, reason } => {
                live()?;
                if self.accepted_on.is_none() {
                    return Err(rule(
                        ErrorCode::CaseState,
                        zh_en!(
                            "办件 {receipt} 尚未受理，没有可延长的办理期限",
                            "case {receipt} has not been accepted; there is no time limit to extend"
                        ),
                    ));
                }
                self.case_staff(actor, &[Role::Approver])?;
                required(
                    "reason",
                    reason,
                    ("延长期限的理由", "an extension's reason"),
                )?;
                if *days == 0 {
                    return Err(DomainError::field(
                        "days",
                        zh_en!(
                            "延长期限至少为 1 个工作日",
                            "extend by at least one working day"
                        ),
                    ));
                }
                let total = self.extension_days + days;
                if total > env.extension_allowance {
                    return Err(rule(
                        ErrorCode::ExtensionOverAllowance,
                        zh_en!(
                            "累计延长将达 {total} 个工作日，超过法定可延长的 {allowed} 个工作日（《中华人民共和国行政许可法》第四十二条）",
                            "extensions would total {total} working days; the law allows {allowed} (行政许可法第四十二条)",
                            allowed = env.extension_allowance,
                        ),
                    ));
                }
                let deadlines = self.recompute(env, &self.stops, total)?;
                Ok(EventBody::Extended {
                    days: *days,
                    reason: reason.clone(),
                    deadlines,
                })
            }
            Withdraw { reason } => {
                live()?;
                if let Actor::Staff(u) = actor
                    && !u.roles.contains(&Role::WindowClerk)
                {
                    return Err(rule(
                        ErrorCode::RoleRequired,
                        zh_en!(
                            "撤回申请须由申请人本人或经窗口工作人员办理",
                            "the applicant withdraws, in person or through a window clerk"
                        ),
                    ));
                }
                Ok(EventBody::Withdrawn {
                    reason: reason.clone(),
                })
            }
            Rate(r) => {
                if !matches!(actor, Actor::Applicant) {
                    return Err(rule(
                        ErrorCode::RoleRequired,
                        zh_en!(
                            "只有申请人可以对办件作出评价（好差评）",
                            "only the applicant rates a case (好差评)"
                        ),
                    ));
                }
                if !self.status.is_finished() {
                    return Err(rule(
                        ErrorCode::CaseState,
                        zh_en!(
                            "办件 {receipt} 当前为“{status}”，办结后方可评价",
                            "case {receipt} is {en}; rate it once finished",
                            status = self.status.zh(),
                            en = self.status.as_str(),
                        ),
                    ));
                }
                if self.rating.is_some() {
                    return Err(rule(
                        ErrorCode::CaseState,
                        zh_en!(
                            "办件 {receipt} 已评价，不能重复评价",
                            "case {receipt} has been rated already"
                        ),
                    ));
                }
                if !(1..=5).contains(&r.level) {
                    return Err(DomainError::field(
                        "level",
                        zh_en!(
                            "评价等级为 1（非常不满意）至 5（非常满意）",
                            "from 1 (非常不满意) to 5 (非常满意)"
                        ),
                    ));
                }
                Ok(EventBody::Rated(r.clone()))
            }
        }
    }

    fn not_suspended(&self) -> Result<(), DomainError> {
        if self.status == CaseStatus::Suspended {
            Err(rule(
                ErrorCode::CaseState,
                zh_en!(
                    "办件 {receipt} 正在暂停计时，请先恢复计时",
                    "case {receipt} is suspended; resume it first",
                    receipt = &self.opened.receipt,
                ),
            ))
        } else {
            Ok(())
        }
    }

    fn open_task(&self, id: u32) -> Result<&TaskState, DomainError> {
        let t = self.task(id).ok_or_else(|| {
            DomainError::field(
                "task",
                zh_en!(
                    "办件 {receipt} 没有编号为 {id} 的环节",
                    "case {receipt} has no task {id}",
                    receipt = &self.opened.receipt,
                ),
            )
        })?;
        if t.status != TaskStatus::Open {
            return Err(rule(
                ErrorCode::TaskState,
                zh_en!(
                    "环节“{name}”已结束（办理人：{zh_by}）",
                    "task «{name}» is no longer open (done by {en_by})",
                    name = &t.name,
                    zh_by = t.done_by.as_deref().unwrap_or("无"),
                    en_by = t.done_by.as_deref().unwrap_or("nobody"),
                ),
            ));
        }
        Ok(t)
    }

    fn step_task(
        &self,
        id: u32,
        step: StepKind,
        actor: &Actor,
        verb: &str,
    ) -> Result<&TaskState, DomainError> {
        if self.status.is_finished() {
            return Err(rule(
                ErrorCode::CaseState,
                zh_en!(
                    "办件 {receipt} 已经终结（{status}），不能再办理",
                    "case {receipt} is {en} (finished)",
                    receipt = &self.opened.receipt,
                    status = self.status.zh(),
                    en = self.status.as_str(),
                ),
            ));
        }
        let t = self.open_task(id)?;
        if t.step != step {
            return Err(rule(
                ErrorCode::TaskState,
                zh_en!(
                    "“{name}”是{is}环节，此项操作只能办结{wants}环节",
                    "«{name}» is a {is} step; `{verb}` finishes a {wants} step",
                    name = &t.name,
                    is = t.step.zh(),
                    wants = step.zh(),
                ),
            ));
        }
        self.may_do(actor, t)?;
        Ok(t)
    }

    /// Role, department, claim and separation of duties for one task.
    fn may_do(&self, actor: &Actor, t: &TaskState) -> Result<(), DomainError> {
        let u = actor.staff()?;
        holds(u, t)?;
        if let Some(a) = &t.assignee
            && a != u.username.as_str()
        {
            return Err(rule(
                ErrorCode::TaskState,
                zh_en!(
                    "环节“{name}”已由 {a} 认领",
                    "task «{name}» is claimed by {a}",
                    name = &t.name,
                ),
            ));
        }
        Ok(())
    }

    fn check_separation(
        &self,
        flow: &Flow,
        t: &TaskState,
        people: &[&str],
    ) -> Result<(), DomainError> {
        let Some(task) = flow.node(&t.node).and_then(|n| n.task()) else {
            return Ok(());
        };
        for other in &task.differs_from {
            for done in self
                .tasks
                .iter()
                .filter(|x| &x.node == other && x.status == TaskStatus::Done)
            {
                let mut did: Vec<&str> = done.done_by.iter().map(String::as_str).collect();
                did.extend(done.co_actors.iter().map(String::as_str));
                if let Some(p) = people.iter().find(|p| did.contains(p)) {
                    return Err(rule(
                        ErrorCode::SeparationOfDuties,
                        zh_en!(
                            "{p} 已办理本案“{did}”环节，不得再办理“{this}”环节（岗位分离）",
                            "{p} did «{did}» on this case and may not also do «{this}» ({did}≠{this})",
                            did = &done.name,
                            this = &t.name,
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// Finishing task `t`: who, separation of duties, two-person rule, then the flow walk.
    fn progress(
        &self,
        t: &TaskState,
        outcome: Option<&str>,
        actor: &Actor,
        co_actors: Vec<User>,
        opinion: String,
        env: &Env,
    ) -> Result<Progress, DomainError> {
        let flow = env.flow()?;
        let node = flow
            .node(&t.node)
            .and_then(|n| n.task())
            .ok_or_else(|| corrupt_flow(&t.node))?;
        let me = actor.name();
        let mut people: Vec<&str> = vec![me];
        for c in &co_actors {
            holds(c, t)?;
            if people.contains(&c.username.as_str()) {
                return Err(rule(
                    ErrorCode::TwoPersonRequired,
                    zh_en!(
                        "{user} 被重复列入；“{name}”须由 {n} 名不同的工作人员办理",
                        "{user} is named twice; «{name}» needs {n} different people",
                        user = &c.username,
                        name = &t.name,
                        n = node.actors,
                    ),
                ));
            }
            people.push(c.username.as_str());
        }
        if people.len() < usize::from(node.actors) {
            return Err(rule(
                ErrorCode::TwoPersonRequired,
                zh_en!(
                    "“{name}”须由 {n} 名不同的工作人员共同办理（不能一人办理），请填写共同办理人",
                    "«{name}» needs {n} different people (不能一人办理); name the others as co_actors",
                    name = &t.name,
                    n = node.actors,
                ),
            ));
        }
        self.check_separation(flow, t, &people)?;
        let mut walk = Walk {
            flow,
            outcome,
            data: &self.opened.form,
            joins: self.joins.clone(),
            to_open: vec![],
            finished: false,
        };
        walk.leave(&t.node)?;
        let next_id = self.tasks.iter().map(|t| t.id).max().unwrap_or(0) + 1;
        Ok(Progress {
            task: t.id,
            co_actors: co_actors.iter().map(|c| c.username.to_string()).collect(),
            opinion,
            opened: open_tasks(flow, &walk.to_open, next_id, env, env.today()),
            joins: walk.joins,
            finished: walk.finished,
        })
    }

    fn check_decision(
        &self,
        d: &DecisionInput,
        t: &TaskState,
        env: &Env,
    ) -> Result<Decision, DomainError> {
        let penalty_power = self.opened.category == PowerCategory::Penalty;
        let mut errors = Vec::new();
        match d.verdict {
            Verdict::Approve => {
                if d.document_no.trim().is_empty() {
                    errors.push(FieldError::new(
                        "decision.document_no",
                        zh_en!(
                            "请填写决定文书或证照编号",
                            "the decision's document or certificate number is required"
                        ),
                    ));
                }
            }
            Verdict::Deny => {
                if d.reasons.trim().is_empty() {
                    errors.push(FieldError::new(
                        "decision.reasons",
                        zh_en!(
                            "作出不予许可决定，应当说明理由（《中华人民共和国行政许可法》第三十八条第二款）",
                            "a denial states its reasons (行政许可法第三十八条)"
                        ),
                    ));
                }
                if d.legal_basis.trim().is_empty() {
                    errors.push(FieldError::new(
                        "decision.legal_basis",
                        zh_en!(
                            "作出不予许可决定，应当载明法律依据",
                            "a denial states its legal basis"
                        ),
                    ));
                }
            }
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        let penalty = match (&d.penalty, penalty_power, d.verdict) {
            (Some(p), true, Verdict::Approve) => Some(self.check_penalty(p, t, env)?),
            (None, true, Verdict::Approve) => {
                return Err(DomainError::field(
                    "decision.penalty",
                    zh_en!(
                        "行政处罚决定应载明违法行为、情节阶次和罚款金额",
                        "a penalty decision names the violation, the circumstance tier and the amount"
                    ),
                ));
            }
            (Some(_), _, _) => {
                return Err(DomainError::field(
                    "decision.penalty",
                    zh_en!(
                        "只有行政处罚事项作出处罚决定时才载明处罚内容",
                        "only a penalty power's decision to punish carries a penalty"
                    ),
                ));
            }
            (None, _, _) => None,
        };
        let remedy = (d.verdict == Verdict::Deny || penalty.is_some()).then(Remedy::statutory);
        Ok(Decision {
            verdict: d.verdict,
            document_no: d.document_no.trim().to_string(),
            reasons: d.reasons.clone(),
            legal_basis: d.legal_basis.clone(),
            remedy,
            penalty,
        })
    }

    fn check_penalty(
        &self,
        p: &PenaltyInput,
        t: &TaskState,
        env: &Env,
    ) -> Result<Penalty, DomainError> {
        let b = env.benchmark.ok_or_else(|| {
            rule(
                ErrorCode::NoDiscretionBenchmark,
                zh_en!(
                    "事项 {power} 尚无行政处罚裁量基准，须先公布裁量基准方可决定罚款",
                    "{power} has no discretion benchmark (自由裁量基准); the registry must publish one before fines are decided",
                    power = &self.opened.power,
                ),
            )
        })?;
        if p.amount_fen < 0 {
            return Err(DomainError::field(
                "decision.penalty.amount_fen",
                zh_en!("罚款金额不能为负数", "an amount is not negative"),
            ));
        }
        let band = b.check(&p.violation, p.tier, p.amount_fen, &self.opened.form)?;
        let collective = env
            .flow()?
            .node(&t.node)
            .and_then(|n| n.task())
            .is_some_and(|t| t.collective);
        let reason = p
            .collective_reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        if !band.within {
            let yuan = |f: i64| format!("{}.{:02}", f / 100, f % 100);
            let why = zh_en!(
                "罚款 {amount} 元超出“{violation}”{tier}情节的裁量幅度 {min}–{max} 元",
                "{amount} yuan is outside the {tier} band {min}–{max} yuan for «{violation}»",
                amount = yuan(p.amount_fen),
                tier = p.tier.zh(),
                min = yuan(band.min_fen),
                max = yuan(band.max_fen),
                violation = &p.violation,
            );
            match (collective, reason) {
                (true, Some(_)) => {}
                (true, None) => {
                    return Err(rule(
                        ErrorCode::OutsideDiscretionBand,
                        why.append(
                            "；经集体讨论决定的，可在记录理由后超出幅度",
                            "; a collective decision (集体讨论) may go outside it with a recorded reason",
                        ),
                    ));
                }
                (false, _) => return Err(rule(ErrorCode::OutsideDiscretionBand, why)),
            }
        }
        Ok(Penalty {
            violation: p.violation.clone(),
            tier: p.tier,
            amount_fen: p.amount_fen,
            band,
            collective_reason: reason.map(str::to_string),
        })
    }

    /// Staff of the case's department (or of a department with an open task) with one of `roles`.
    fn case_staff(&self, actor: &Actor, roles: &[Role]) -> Result<(), DomainError> {
        let u = actor.staff()?;
        if !roles.iter().any(|r| u.roles.contains(r)) {
            return Err(rule(
                ErrorCode::RoleRequired,
                zh_en!(
                    "此项操作须由{zh}办理",
                    "this needs the role {en}",
                    zh = roles.iter().map(|r| r.zh()).collect::<Vec<_>>().join("或"),
                    en = roles
                        .iter()
                        .map(|r| r.zh())
                        .collect::<Vec<_>>()
                        .join(" or "),
                ),
            ));
        }
        let ours = u.department.as_ref().is_some_and(|d| {
            d == &self.opened.department || self.open_tasks().any(|t| &t.department == d)
        });
        if !ours {
            return Err(rule(
                ErrorCode::WrongDepartment,
                zh_en!(
                    "办件 {receipt} 由其他部门办理",
                    "case {receipt} belongs to another department",
                    receipt = &self.opened.receipt,
                ),
            ));
        }
        Ok(())
    }

    /// What `user` may do on this case now, and nothing else: the work pages offer exactly
    /// these. The rules of [`Case::decide`] still judge each command (a two-person step, a
    /// fine's band and separation of duties are checked there, with their reasons).
    pub fn actions(&self, user: &User) -> Vec<Available> {
        let mut out = Vec::new();
        if self.status.is_finished() {
            return out;
        }
        let actor = Actor::Staff(user.clone());
        for t in self.open_tasks() {
            if holds(user, t).is_err() {
                continue;
            }
            match &t.assignee {
                Some(a) if a != user.username.as_str() => continue,
                None => out.push(Available::Claim { task: t.id }),
                Some(_) => {}
            }
            let task = t.id;
            match t.step {
                StepKind::Accept if self.status == CaseStatus::Submitted => {
                    out.push(Available::Accept { task });
                    out.push(Available::RequestSupplement { task });
                    out.push(Available::Refuse { task });
                }
                StepKind::Accept => {}
                StepKind::Decide => out.push(Available::Decide { task }),
                StepKind::Deliver => out.push(Available::Deliver { task }),
                _ => out.push(Available::Complete { task }),
            }
        }
        let accepted = self.accepted_on.is_some();
        let officer = self
            .case_staff(&actor, &[Role::CaseOfficer, Role::Approver])
            .is_ok();
        if accepted && officer {
            out.push(if self.suspended.is_some() {
                Available::Resume
            } else {
                Available::Suspend
            });
        }
        if accepted && self.case_staff(&actor, &[Role::Approver]).is_ok() {
            out.push(Available::Extend);
        }
        out
    }

    /// Required materials of the power's guide the case does not have yet.
    pub fn missing_materials(&self, power: &Power) -> Vec<String> {
        power
            .guide
            .materials
            .iter()
            .filter(|m| m.required && !self.opened.materials.iter().any(|h| h == &m.name))
            .map(|m| m.name.clone())
            .collect()
    }

    fn recompute(
        &self,
        env: &Env,
        stops: &[Stop],
        extension: u32,
    ) -> Result<Deadlines, DomainError> {
        if self.accepted_on.is_none() {
            return Ok(Deadlines::default());
        }
        let at = self
            .tasks
            .iter()
            .find(|t| t.step == StepKind::Accept)
            .and_then(|t| t.done_at)
            .unwrap_or(self.submitted_at);
        compute_deadlines(&self.opened, env, at, stops, extension)
    }
}

fn holds(u: &User, t: &TaskState) -> Result<(), DomainError> {
    let role = Role::parse(&t.role);
    if role.is_none_or(|r| !u.roles.contains(&r)) {
        return Err(rule(
            ErrorCode::RoleRequired,
            zh_en!(
                "“{name}”由{role}办理，{user} 不具备该角色",
                "«{name}» is done by a {role}; {user} is not one",
                name = &t.name,
                role = role.map(Role::zh).unwrap_or(t.role.as_str()),
                user = &u.username,
            ),
        ));
    }
    if u.department.as_ref() != Some(&t.department) {
        return Err(rule(
            ErrorCode::WrongDepartment,
            zh_en!(
                "“{name}”由部门 {dept} 办理，{user} 不属于该部门",
                "«{name}» belongs to department {dept}; {user} is not of it",
                name = &t.name,
                dept = &t.department,
                user = &u.username,
            ),
        ));
    }
    Ok(())
}

fn dedup(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for i in items {
        let i = i.trim();
        if !i.is_empty() && !out.iter().any(|o| o == i) {
            out.push(i.to_string());
        }
    }
    out
}

fn open_tasks(
    flow: &Flow,
    nodes: &[String],
    first_id: u32,
    env: &Env,
    today: Date,
) -> Vec<OpenedTask> {
    nodes
        .iter()
        .enumerate()
        .map(|(i, n)| OpenedTask {
            id: first_id + i as u32,
            node: n.clone(),
            due: flow
                .node(n)
                .and_then(|n| n.task())
                .and_then(|t| env.calendar.add_working_days(today, t.days).ok()),
        })
        .collect()
}

/// The statutory limit (plus extensions) and the committed limit, their clock started at
/// `start` on the region's calendar, stopped during `stops` ([`Calendar::limit_deadline`], the
/// rule fed cases follow too).
fn compute_deadlines(
    o: &Opened,
    env: &Env,
    start: Timestamp,
    stops: &[Stop],
    extension: u32,
) -> Result<Deadlines, DomainError> {
    let one = |limit: Option<TimeLimit>, extra: u32| -> Result<Option<Date>, DomainError> {
        limit
            .map(|l| {
                env.calendar
                    .limit_deadline(start, env.zone, l, extra, stops)
            })
            .transpose()
            .map_err(calendar_error)
    };
    Ok(Deadlines {
        statutory: one(o.statutory_limit, extension)?,
        committed: one(o.committed_limit, 0)?,
    })
}

mod process;
pub use process::CaseOp;

#[cfg(test)]
pub(crate) mod tests;
