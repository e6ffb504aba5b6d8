//! A case's state and its events: status, tasks, deadlines, decisions, deliveries, ratings.

use super::*;

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

    /// Every status, in the order a case may pass through them.
    pub const ALL: [Self; 7] = [
        Self::Submitted,
        Self::AwaitingSupplement,
        Self::InProgress,
        Self::Suspended,
        Self::Closed,
        Self::NotAccepted,
        Self::Withdrawn,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
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
    /// 决定书 and 证照 issued with it, each sealed (the ledger keeps their digests and seals).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<SealedDocument>,
}

/// What a sealed document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DocumentKind {
    /// 准予／不予行政许可决定书 (or a penalty decision)
    Decision,
    /// 证照: the licence certificate itself (电子证照)
    Certificate,
}

impl DocumentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Decision => "decision",
            Self::Certificate => "certificate",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Decision, Self::Certificate]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Decision => "决定书",
            Self::Certificate => "证照",
        }
    }
}

/// A document issued under a department's 行政审批专用章: a PDF kept by its SHA-256, whose SM3
/// digest the department's SM2 key signed. Evidence only: no personal data (the holder of a
/// certificate is in the store's `documents` row, erasable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SealedDocument {
    pub kind: DocumentKind,
    /// 文号, or a certificate's 证照编号.
    pub number: String,
    /// SHA-256 of the PDF (where the store keeps it), lower-case hex.
    pub sha256: String,
    /// SM3 of the PDF (what the seal signs), lower-case hex.
    pub sm3: String,
    /// The sealing key's fingerprint.
    pub key: String,
    /// The SM2 signature (DER), hex.
    pub signature: String,
    /// A certificate's validity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub valid_from: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub valid_to: Option<Date>,
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

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rating {
    /// 1 (非常不满意) to 5 (非常满意).
    pub level: u8,
    #[serde(default)]
    pub comment: String,
    /// What was wrong, for a 差评 (level 1 or 2): required there, dropped otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<RatingReason>,
    /// The 整改 a 差评 opens. Set by the rules when the rating is recorded; whatever a rater
    /// sends here is ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rectification: Option<Rectification>,
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
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<MaterialFile>,
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
        /// The items' materials (kept for readers of notices before items had reasons).
        missing: Vec<String>,
        note: String,
        notice: u32,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        items: Vec<SupplementItem>,
        /// The last day to supply.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
        due: Option<Date>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
        lapse_at: Option<Timestamp>,
    },
    Supplemented {
        materials: Vec<String>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        files: Vec<MaterialFile>,
        /// The accept step's new due day: its budget counts again from the supplement.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
        accept_due: Option<Date>,
    },
    /// The notice's last day passed with nothing supplied: deemed given up (视为放弃申请).
    SupplementLapsed {
        notice: u32,
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        due: Date,
        basis: String,
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
    /// The department's answer to a 差评 (整改反馈).
    Rectified(Rectified),
    /// A new query code replaced the old one (sent to the applicant's mobile).
    QueryCodeReissued {
        code_hash: String,
        #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
        on: Date,
    },
}

impl EventBody {
    /// The event's kind as the ledger and the history name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Submitted(_) => "case.submitted",
            Self::Claimed { .. } => "case.claimed",
            Self::SupplementRequested { .. } => "case.supplement_requested",
            Self::Supplemented { .. } => "case.supplemented",
            Self::SupplementLapsed { .. } => "case.supplement_lapsed",
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
            Self::Rectified(_) => "case.rectified",
            Self::QueryCodeReissued { .. } => "case.query_code_reissued",
        }
    }

    pub fn zh(&self) -> &'static str {
        match self {
            Self::Submitted(_) => "提交申请",
            Self::Claimed { .. } => "签收",
            Self::SupplementRequested { .. } => "一次性告知补正",
            Self::Supplemented { .. } => "补正材料",
            Self::SupplementLapsed { .. } => "逾期未补正（视为放弃申请）",
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
            Self::Rectified(_) => "差评整改反馈",
            Self::QueryCodeReissued { .. } => "重新发送查询码",
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
    /// The open one-time notice while the case awaits supplement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplement: Option<SupplementNotice>,
    /// Every file handed in, at submission and with supplements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<MaterialFile>,
    pub tasks: Vec<TaskState>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub joins: BTreeMap<String, u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<Delivery>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    /// Query codes reissued: the day of the last, and how many that day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub codes_reissued: Option<(Date, u32)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub finished_at: Option<Timestamp>,
    /// Events applied so far; the optimistic-concurrency version.
    pub version: u64,
}
