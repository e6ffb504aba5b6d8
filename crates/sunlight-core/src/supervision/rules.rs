//! The colours, severities and the typed supervision rules (`RULES`), each with its legal basis.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Colour {
    Blue,
    Yellow,
    Red,
    RedCard,
    Green,
    Late,
}

impl Colour {
    pub const ALL: [Colour; 6] = [
        Self::Blue,
        Self::Yellow,
        Self::Red,
        Self::RedCard,
        Self::Green,
        Self::Late,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Blue => "blue",
            Self::Yellow => "yellow",
            Self::Red => "red",
            Self::RedCard => "red_card",
            Self::Green => "green",
            Self::Late => "late",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Blue => "蓝灯（正常办理）",
            Self::Yellow => "黄灯（临近承诺时限）",
            Self::Red => "红灯（超承诺时限）",
            Self::RedCard => "红牌（超法定时限）",
            Self::Green => "绿灯（按时办结）",
            Self::Late => "超时办结",
        }
    }

    /// Still running (blue, yellow, red, red card).
    pub fn is_running(self) -> bool {
        matches!(self, Self::Blue | Self::Yellow | Self::Red | Self::RedCard)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Severity {
    /// 提醒
    Notice,
    /// 预警
    Warning,
    /// 违规
    Breach,
    /// 严重违规
    Grave,
}

impl Severity {
    pub const ALL: [Self; 4] = [Self::Notice, Self::Warning, Self::Breach, Self::Grave];

    /// The stored name back (`warning`).
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Notice => "notice",
            Self::Warning => "warning",
            Self::Breach => "breach",
            Self::Grave => "grave",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Notice => "提醒",
            Self::Warning => "预警",
            Self::Breach => "违规",
            Self::Grave => "严重违规",
        }
    }
}

/// The supervision rules. Each has a stable id (its snake_case name), a name, its legal basis
/// and a severity: see [`RuleId::rule`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RuleId {
    TaskOverBudget,
    CommittedWarning,
    CommittedOverdue,
    StatutoryOverdue,
    LateAcceptance,
    RepeatedSupplement,
    SuspensionWithoutReason,
    SuspensionTooLong,
    ExtensionOverAllowance,
    ExtensionWithoutApprover,
    LateDelivery,
    PenaltyOutsideBand,
    FeeMismatch,
    RefusalWithoutReasons,
    PowerNotInList,
    UncommonWithoutApproval,
    SeparationOfDuties,
    TwoPersonBreach,
    ConflictOfInterest,
    Concentration,
    ComplaintUnanswered,
    RectificationOverdue,
}

/// What a rule is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rule {
    pub id: RuleId,
    pub name: &'static str,
    pub name_en: &'static str,
    pub basis: &'static str,
    pub severity: Severity,
}

pub(super) const fn rule(
    id: RuleId,
    name: &'static str,
    name_en: &'static str,
    basis: &'static str,
    severity: Severity,
) -> Rule {
    Rule {
        id,
        name,
        name_en,
        basis,
        severity,
    }
}

/// Every rule, in the order the docs list them.
pub const RULES: [Rule; 22] = {
    use RuleId::*;
    use Severity::*;
    [
        rule(
            TaskOverBudget,
            "环节超时",
            "Task over its node budget",
            "《浙江省行政权力运行监察办法》：各办理环节按流程图规定时限办结",
            Warning,
        ),
        rule(
            CommittedWarning,
            "临近承诺时限（黄灯预警）",
            "Committed deadline near (yellow)",
            "承诺办结时限（《行政许可法》第四十二条、第八十二条）",
            Notice,
        ),
        rule(
            CommittedOverdue,
            "超承诺时限（红灯）",
            "Past the committed deadline (red)",
            "承诺办结时限（《行政许可法》第四十二条、第八十二条）",
            Breach,
        ),
        rule(
            StatutoryOverdue,
            "超法定时限（红牌）",
            "Past the statutory deadline (red card)",
            "《中华人民共和国行政许可法》第四十二条",
            Grave,
        ),
        rule(
            LateAcceptance,
            "受理超期",
            "Acceptance decided late",
            "《中华人民共和国行政许可法》第三十二条：五日内不告知的，自收到申请材料之日起即为受理",
            Breach,
        ),
        rule(
            RepeatedSupplement,
            "多次补正（违反一次性告知）",
            "A second supplement notice",
            "《中华人民共和国行政许可法》第三十二条第一款第（四）项",
            Breach,
        ),
        rule(
            SuspensionWithoutReason,
            "无法定事由停止计时",
            "Clock stopped without an allowed reason",
            "《中华人民共和国行政许可法》第四十五条",
            Breach,
        ),
        rule(
            SuspensionTooLong,
            "停止计时超期",
            "Clock stopped longer than allowed",
            "《中华人民共和国行政许可法》第四十五条",
            Warning,
        ),
        rule(
            ExtensionOverAllowance,
            "延期超过法定期限",
            "Extension over the statutory allowance",
            "《中华人民共和国行政许可法》第四十二条：延长十日",
            Breach,
        ),
        rule(
            ExtensionWithoutApprover,
            "延期未经负责人批准",
            "Extension without an approver",
            "《中华人民共和国行政许可法》第四十二条：经本行政机关负责人批准",
            Breach,
        ),
        rule(
            LateDelivery,
            "送达超期",
            "Delivered late",
            "《中华人民共和国行政许可法》第四十四条：十日内颁发、送达",
            Breach,
        ),
        rule(
            PenaltyOutsideBand,
            "处罚金额超出裁量基准",
            "Penalty outside the discretion band",
            "《中华人民共和国行政处罚法》第三十四条（裁量基准）、第五十七条（集体讨论）",
            Breach,
        ),
        rule(
            FeeMismatch,
            "违规收费",
            "Fee differs from the fee standard",
            "《中华人民共和国行政许可法》第五十八条、第五十九条",
            Grave,
        ),
        rule(
            RefusalWithoutReasons,
            "不予许可未说明理由",
            "Refusal without reasons",
            "《中华人民共和国行政许可法》第三十八条第二款",
            Breach,
        ),
        rule(
            PowerNotInList,
            "清单外行使权力",
            "Power not in the list",
            "权力清单制度：法无授权不可为",
            Grave,
        ),
        rule(
            UncommonWithoutApproval,
            "非常用权力未经一事一审",
            "Uncommon power used without a per-use approval",
            "非常用权力一事一审制度",
            Grave,
        ),
        rule(
            SeparationOfDuties,
            "违反岗位分离",
            "Separation of duties broken",
            "《中华人民共和国行政处罚法》第五十七条、第五十八条（审查与决定分离）",
            Grave,
        ),
        rule(
            TwoPersonBreach,
            "执法人员少于两人",
            "Fewer than two officers",
            "《中华人民共和国行政处罚法》第四十二条",
            Grave,
        ),
        rule(
            ConflictOfInterest,
            "应回避未回避",
            "Conflict of interest",
            "《中华人民共和国行政许可法》第四十八条、《行政处罚法》第四十三条",
            Grave,
        ),
        rule(
            Concentration,
            "权力过度集中",
            "Concentration of decisions in one person",
            "“一把手”权力制约：分事行权、分岗设权、分级授权",
            Warning,
        ),
        rule(
            ComplaintUnanswered,
            "投诉逾期未答复",
            "Complaint not answered in time",
            "《信访工作条例》（2022年）关于按期办理、答复的规定；答复期限按本级配置（默认30日）",
            Breach,
        ),
        rule(
            RectificationOverdue,
            "差评逾期未整改",
            "Poor rating not rectified in time",
            "《国务院办公厅关于建立政务服务“好差评”制度提高政务服务水平的意见》（国办发〔2019〕51号）：差评核实、整改和反馈；期限按本级配置",
            Breach,
        ),
    ]
};

impl RuleId {
    pub fn rule(self) -> &'static Rule {
        RULES
            .iter()
            .find(|r| r.id == self)
            .expect("every rule is listed")
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::TaskOverBudget => "task_over_budget",
            Self::CommittedWarning => "committed_warning",
            Self::CommittedOverdue => "committed_overdue",
            Self::StatutoryOverdue => "statutory_overdue",
            Self::LateAcceptance => "late_acceptance",
            Self::RepeatedSupplement => "repeated_supplement",
            Self::SuspensionWithoutReason => "suspension_without_reason",
            Self::SuspensionTooLong => "suspension_too_long",
            Self::ExtensionOverAllowance => "extension_over_allowance",
            Self::ExtensionWithoutApprover => "extension_without_approver",
            Self::LateDelivery => "late_delivery",
            Self::PenaltyOutsideBand => "penalty_outside_band",
            Self::FeeMismatch => "fee_mismatch",
            Self::RefusalWithoutReasons => "refusal_without_reasons",
            Self::PowerNotInList => "power_not_in_list",
            Self::UncommonWithoutApproval => "uncommon_without_approval",
            Self::SeparationOfDuties => "separation_of_duties",
            Self::TwoPersonBreach => "two_person_breach",
            Self::ConflictOfInterest => "conflict_of_interest",
            Self::Concentration => "concentration",
            Self::ComplaintUnanswered => "complaint_unanswered",
            Self::RectificationOverdue => "rectification_overdue",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        RULES.iter().map(|r| r.id).find(|id| id.as_str() == s)
    }
}
