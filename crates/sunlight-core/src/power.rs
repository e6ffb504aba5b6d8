//! A power (权力事项) of the list: what it is, who exercises it, on what legal basis, and the
//! service guide that publishes the ten facts (十公开) a citizen needs to use it.

use crate::department::CreditCode;
use crate::error::{DomainError, FieldError};
use crate::region::{RegionCode, RegionLevel};
use crate::text;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The code of a power in the list (实施编码). Codes are kept as given by the list's owner
/// (after width folding); [`PowerCode::generate`] makes new ones by one documented scheme.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct PowerCode(String);

impl PowerCode {
    pub const MAX_LEN: usize = 64;

    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let code = text::fold_width(input).trim().to_string();
        let bad = |why: crate::Text| {
            DomainError::field(
                "code",
                why.prefixed(&format!("“{input}”"), &format!("«{input}» ")),
            )
        };
        if code.is_empty() {
            return Err(DomainError::field(
                "code",
                crate::zh_en!(
                    "请填写事项编码，每项权力都应有编码",
                    "is empty: every power needs a code"
                ),
            ));
        }
        if code.len() > Self::MAX_LEN {
            return Err(bad(crate::zh_en!(
                "超过 64 个字符",
                "is longer than 64 characters"
            )));
        }
        if let Some(c) = code
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || "-_.".contains(*c)))
        {
            return Err(bad(crate::zh_en!(
                "含有“{c}”；编码只能使用字母、数字及“-”“_”“.”",
                "contains «{c}»; codes use letters, digits, '-', '_' and '.'"
            )));
        }
        Ok(Self(code))
    }

    /// The generated-code scheme: `{county code}-{category letters}-{sequence:05}`, e.g.
    /// `330183-XK-00012` for the twelfth licensing power of 富阳区; a sub-power appends
    /// `-{nn}` to its parent's code (`330183-XK-00012-01`).
    pub fn generate(region: &RegionCode, category: PowerCategory, sequence: u32) -> Self {
        Self(format!(
            "{}-{}-{sequence:05}",
            region.county_code(),
            category.letters()
        ))
    }

    pub fn sub(&self, n: u32) -> Self {
        Self(format!("{}-{n:02}", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PowerCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PowerCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The national categories of power (权力类别) with their codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PowerCategory {
    Licensing,
    Penalty,
    Enforcement,
    Levy,
    Benefit,
    Inspection,
    Confirmation,
    Reward,
    Adjudication,
    Other,
    PublicService,
}

impl PowerCategory {
    /// Whether citizens and enterprises apply for this kind of power. Penalties, coercive
    /// measures, inspections and levies are opened by the department itself (依职权; for
    /// penalties 行政处罚法 Art. 54: the organ files the case, 立案), never by an application.
    pub fn applied_for(self) -> bool {
        !matches!(
            self,
            Self::Penalty | Self::Enforcement | Self::Inspection | Self::Levy
        )
    }

    pub const ALL: [PowerCategory; 11] = [
        Self::Licensing,
        Self::Penalty,
        Self::Enforcement,
        Self::Levy,
        Self::Benefit,
        Self::Inspection,
        Self::Confirmation,
        Self::Reward,
        Self::Adjudication,
        Self::Other,
        Self::PublicService,
    ];

    /// The national two-digit code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Licensing => "01",
            Self::Penalty => "02",
            Self::Enforcement => "03",
            Self::Levy => "04",
            Self::Benefit => "05",
            Self::Inspection => "06",
            Self::Confirmation => "07",
            Self::Reward => "08",
            Self::Adjudication => "09",
            Self::Other => "10",
            Self::PublicService => "20",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Licensing => "licensing",
            Self::Penalty => "penalty",
            Self::Enforcement => "enforcement",
            Self::Levy => "levy",
            Self::Benefit => "benefit",
            Self::Inspection => "inspection",
            Self::Confirmation => "confirmation",
            Self::Reward => "reward",
            Self::Adjudication => "adjudication",
            Self::Other => "other",
            Self::PublicService => "public_service",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Licensing => "行政许可",
            Self::Penalty => "行政处罚",
            Self::Enforcement => "行政强制",
            Self::Levy => "行政征收",
            Self::Benefit => "行政给付",
            Self::Inspection => "行政检查",
            Self::Confirmation => "行政确认",
            Self::Reward => "行政奖励",
            Self::Adjudication => "行政裁决",
            Self::Other => "其他行政权力",
            Self::PublicService => "公共服务",
        }
    }

    /// Pinyin initials used in generated codes.
    pub fn letters(self) -> &'static str {
        match self {
            Self::Licensing => "XK",
            Self::Penalty => "CF",
            Self::Enforcement => "QZ",
            Self::Levy => "ZS",
            Self::Benefit => "JF",
            Self::Inspection => "JC",
            Self::Confirmation => "QR",
            Self::Reward => "JL",
            Self::Adjudication => "CJ",
            Self::Other => "QT",
            Self::PublicService => "GG",
        }
    }

    /// Maps the category words found in real sheets (行政许可, 许可, 处罚类, 01, "行政征收(征用)",
    /// "其他权力", licensing…) to a category; `None` if the text names no category.
    pub fn parse(s: &str) -> Option<Self> {
        let key = text::comparison_key(s);
        if key.is_empty() {
            return None;
        }
        if let Some(c) = Self::ALL
            .into_iter()
            .find(|c| c.code() == key || c.as_str() == key)
        {
            return Some(c);
        }
        if let Ok(n) = key.parse::<u32>() {
            return Self::ALL
                .into_iter()
                .find(|c| c.code().parse::<u32>() == Ok(n));
        }
        let key = key.trim_end_matches("类").trim_end_matches("事项");
        let key = key.strip_prefix("行政").unwrap_or(key);
        match key {
            "许可" | "审批" | "许可(审批)" | "审批(许可)" => Some(Self::Licensing),
            "处罚" => Some(Self::Penalty),
            "强制" | "强制措施" | "强制执行" => Some(Self::Enforcement),
            "征收" | "征收(征用)" | "征用" | "征收征用" => Some(Self::Levy),
            "给付" => Some(Self::Benefit),
            "检查" | "监督检查" => Some(Self::Inspection),
            "确认" => Some(Self::Confirmation),
            "奖励" => Some(Self::Reward),
            "裁决" => Some(Self::Adjudication),
            "其他" | "其他权力" | "其他行政权力" | "其它" | "其它权力" | "其它行政权力" => {
                Some(Self::Other)
            }
            "公共服务" | "服务" => Some(Self::PublicService),
            _ => None,
        }
    }
}

/// One legal instrument and article that sets the power (设定依据).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LegalBasis {
    /// The law, regulation or rule, e.g. 《中华人民共和国食品安全法》.
    pub instrument: String,
    /// The article, e.g. 第三十五条第一款; empty when the whole instrument is cited.
    #[serde(default)]
    pub article: String,
    /// The quoted text of the article.
    #[serde(default)]
    pub text: String,
}

impl LegalBasis {
    /// The key under which two citations are the same (width, spaces and 《》 ignored).
    pub fn citation_key(&self) -> String {
        let instrument = text::comparison_key(&self.instrument);
        let instrument = instrument.trim_start_matches('《').trim_end_matches('》');
        let instrument = instrument
            .strip_prefix("中华人民共和国")
            .unwrap_or(instrument);
        format!("{instrument}|{}", text::comparison_key(&self.article))
    }
}

/// Where the power comes from (权力来源).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PowerSource {
    /// 法定本级行使
    Statutory,
    /// 上级下放
    DelegatedFromAbove,
    /// 上级授权
    AuthorizedFromAbove,
    /// 同级授权
    AuthorizedSameLevel,
    /// 上级委托
    EntrustedFromAbove,
    /// 同级委托
    EntrustedSameLevel,
}

impl PowerSource {
    pub const ALL: [PowerSource; 6] = [
        Self::Statutory,
        Self::DelegatedFromAbove,
        Self::AuthorizedFromAbove,
        Self::AuthorizedSameLevel,
        Self::EntrustedFromAbove,
        Self::EntrustedSameLevel,
    ];

    pub fn zh(self) -> &'static str {
        match self {
            Self::Statutory => "法定本级行使",
            Self::DelegatedFromAbove => "上级下放",
            Self::AuthorizedFromAbove => "上级授权",
            Self::AuthorizedSameLevel => "同级授权",
            Self::EntrustedFromAbove => "上级委托",
            Self::EntrustedSameLevel => "同级委托",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Statutory => "statutory",
            Self::DelegatedFromAbove => "delegated_from_above",
            Self::AuthorizedFromAbove => "authorized_from_above",
            Self::AuthorizedSameLevel => "authorized_same_level",
            Self::EntrustedFromAbove => "entrusted_from_above",
            Self::EntrustedSameLevel => "entrusted_same_level",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let key = text::comparison_key(s);
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == key || p.zh() == key)
            .or(match key.as_str() {
                "法定" | "本级" | "本级行使" | "法定行使" => Some(Self::Statutory),
                "下放" => Some(Self::DelegatedFromAbove),
                _ => None,
            })
    }
}

/// Whether a power is used routinely (常用) or only with a per-use approval (非常用, 一事一审).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Usage {
    #[default]
    Common,
    Uncommon,
}

impl Usage {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Common => "common",
            Self::Uncommon => "uncommon",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Common => "常用",
            Self::Uncommon => "非常用",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match text::comparison_key(s).as_str() {
            "common" | "常用" | "是" | "常用权力" => Some(Self::Common),
            "uncommon" | "非常用" | "否" | "非常用权力" | "不常用" => {
                Some(Self::Uncommon)
            }
            _ => None,
        }
    }
}

/// The unit of a time limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TimeUnit {
    WorkingDays,
    NaturalDays,
    Hours,
}

impl TimeUnit {
    pub fn zh(self) -> &'static str {
        match self {
            Self::WorkingDays => "个工作日",
            Self::NaturalDays => "日",
            Self::Hours => "小时",
        }
    }
}

/// A time limit with its unit, e.g. 20 working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeLimit {
    pub amount: u32,
    pub unit: TimeUnit,
}

impl TimeLimit {
    pub fn working_days(amount: u32) -> Self {
        Self {
            amount,
            unit: TimeUnit::WorkingDays,
        }
    }

    /// The amount of a limit in working days — the unit the figures add up (`docs/figures.md`);
    /// `None` for natural days and hours.
    pub fn as_working_days(self) -> Option<u32> {
        (self.unit == TimeUnit::WorkingDays).then_some(self.amount)
    }

    /// Reads what sheets write: `20`, `20个工作日`, `20工作日`, `30日`, `30天`, `30个自然日`,
    /// `24小时`, `即办`/`当场办结` (0 working days). A bare number is working days.
    pub fn parse(s: &str) -> Result<Option<Self>, crate::Text> {
        let key = text::comparison_key(s);
        if key.is_empty() || matches!(key.as_str(), "无" | "-" | "/" | "无时限") {
            return Ok(None);
        }
        if matches!(
            key.as_str(),
            "即办" | "当场办结" | "即时办结" | "立即办结" | "当场"
        ) {
            return Ok(Some(Self::working_days(0)));
        }
        let digits: String = key.chars().take_while(|c| c.is_ascii_digit()).collect();
        let amount: u32 = digits.parse().map_err(|_| {
            crate::zh_en!(
                "“{s}”不是办理时限（应写作如“20个工作日”）",
                "«{s}» is not a time limit (e.g. 20个工作日)"
            )
        })?;
        let unit = match &key[digits.len()..] {
            "" | "个工作日" | "工作日" | "working_days" => TimeUnit::WorkingDays,
            "日" | "天" | "个自然日" | "自然日" | "natural_days" => TimeUnit::NaturalDays,
            "小时" | "个小时" | "hours" => TimeUnit::Hours,
            other => {
                return Err(crate::zh_en!(
                    "“{s}”：无法识别的单位“{other}”（应为工作日、自然日或小时）",
                    "«{s}»: unknown unit «{other}» (工作日, 自然日 or 小时)"
                ));
            }
        };
        Ok(Some(Self { amount, unit }))
    }

    /// Whether `self` is no longer than `other`, when that can be told without a calendar
    /// (same unit, or hours against days at 8 working hours a day).
    pub fn within(self, other: TimeLimit) -> Option<bool> {
        use TimeUnit::*;
        match (self.unit, other.unit) {
            (a, b) if a == b => Some(self.amount <= other.amount),
            // A working day is never longer than a natural day, so n working days fits in
            // n natural days only if n natural days hold n working days — unknown without
            // a calendar, except that committed working days ≤ statutory working days.
            (WorkingDays, NaturalDays) if self.amount <= other.amount * 5 / 7 => Some(true),
            (Hours, WorkingDays) => Some(self.amount <= other.amount * 8),
            _ => None,
        }
    }
}

impl fmt::Display for TimeLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.amount, self.unit.zh())
    }
}

/// Whether the original, a copy, or both are to be handed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MaterialForm {
    #[default]
    Original,
    Copy,
    OriginalAndCopy,
    Electronic,
}

impl MaterialForm {
    pub fn zh(self) -> &'static str {
        match self {
            Self::Original => "原件",
            Self::Copy => "复印件",
            Self::OriginalAndCopy => "原件及复印件",
            Self::Electronic => "电子件",
        }
    }
}

/// One item of the materials list (申请材料).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Material {
    pub name: String,
    #[serde(default = "yes")]
    pub required: bool,
    #[serde(default)]
    pub form: MaterialForm,
    #[serde(default = "one")]
    pub copies: u32,
    /// Where it comes from: 申请人自备, 政府部门核发, 中介机构出具…
    #[serde(default)]
    pub source: String,
}

fn yes() -> bool {
    true
}
fn one() -> u32 {
    1
}

/// One fee item with its legal basis and standard; an empty list means free of charge (不收费).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fee {
    pub item: String,
    /// The standard as published, e.g. 每证10元.
    pub standard: String,
    /// The amount in fen (分), when the standard is a fixed amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_fen: Option<i64>,
    #[serde(default)]
    pub basis: String,
}

/// 即办件 (done on the spot) or 承诺件 (done within the committed limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum CaseType {
    Immediate,
    #[default]
    Committed,
}

impl CaseType {
    pub fn zh(self) -> &'static str {
        match self {
            Self::Immediate => "即办件",
            Self::Committed => "承诺件",
        }
    }
}

/// Who a service is for (办理对象 / 服务对象).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Target {
    /// 自然人
    Person,
    /// 企业法人、事业单位法人、社会组织法人、机关法人
    Legal,
    /// 非法人企业、个体工商户及其他组织
    Other,
}

impl Target {
    pub const ALL: [Target; 3] = [Self::Person, Self::Legal, Self::Other];

    pub fn zh(self) -> &'static str {
        match self {
            Self::Person => "自然人",
            Self::Legal => "法人",
            Self::Other => "其他组织",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Self::Person => "individuals",
            Self::Legal => "legal persons",
            Self::Other => "other organisations",
        }
    }

    /// Reads 自然人, 个人, 法人, 企业法人, 事业单位, 其他组织, 个体工商户 … and the codes.
    pub fn parse(s: &str) -> Option<Self> {
        let k = text::comparison_key(s);
        match k.as_str() {
            "自然人" | "个人" | "公民" | "person" => Some(Self::Person),
            "法人" | "企业法人" | "事业单位法人" | "社会组织法人" | "机关法人" | "企业"
            | "事业单位" | "社会组织" | "legal" => Some(Self::Legal),
            "其他组织" | "非法人组织" | "个体工商户" | "非法人企业" | "other" => {
                Some(Self::Other)
            }
            _ => None,
        }
    }
}

/// A service by an intermediary that the application needs (中介服务), with the law that
/// makes it a condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IntermediaryService {
    /// e.g. 建设工程施工图设计文件审查
    pub name: String,
    /// The law, regulation or State Council decision that requires it.
    pub basis: String,
}

/// One of the guide's frequently asked questions (常见问题).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Faq {
    pub question: String,
    pub answer: String,
}

/// The most questions a guide lists.
pub const MAX_FAQ: usize = 30;

/// Intermediary services without a basis in law may not be made a condition.
pub const INTERMEDIARY_BASIS: &str = "《优化营商环境条例》第四十三条：作为办理行政审批条件的中介服务事项应当有法律、法规或者国务院决定依据；没有依据的，不得作为办理行政审批的条件";

/// The service guide (办事指南): the ten published facts (十公开) beyond name and legal basis,
/// which live on the power itself, plus where and when to apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceGuide {
    /// 申请条件
    #[serde(default)]
    pub conditions: Vec<String>,
    /// 数量限制 (e.g. 无数量限制)
    #[serde(default)]
    pub quantity_limit: String,
    /// 办理流程, one step a line
    #[serde(default)]
    pub procedure: Vec<String>,
    /// 申请材料
    #[serde(default)]
    pub materials: Vec<Material>,
    /// 法定办结时限
    #[serde(default)]
    pub statutory_limit: Option<TimeLimit>,
    /// 承诺办结时限
    #[serde(default)]
    pub committed_limit: Option<TimeLimit>,
    /// 收费项目、依据及标准; empty = free
    #[serde(default)]
    pub fees: Vec<Fee>,
    /// 投诉渠道
    #[serde(default)]
    pub complaint_channel: String,
    /// 办理地点
    #[serde(default)]
    pub place: String,
    /// 办理时间
    #[serde(default)]
    pub hours: String,
    /// 咨询电话
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub case_type: CaseType,
    /// 办理对象
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<Target>,
    /// 到办事现场次数 (跑动次数): 0 is 零跑动.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visits: Option<u32>,
    /// 是否网办: whether the whole application can be made online.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online: Option<bool>,
    /// 中介服务, each with its basis in law ([`INTERMEDIARY_BASIS`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intermediaries: Vec<IntermediaryService>,
    /// 常见问题
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faq: Vec<Faq>,
}

/// The phases a duty of the responsibility list belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DutyPhase {
    Accept,
    Review,
    Decide,
    Deliver,
    Supervise,
    Other,
}

impl DutyPhase {
    pub const ALL: [DutyPhase; 6] = [
        Self::Accept,
        Self::Review,
        Self::Decide,
        Self::Deliver,
        Self::Supervise,
        Self::Other,
    ];

    pub fn zh(self) -> &'static str {
        match self {
            Self::Accept => "受理",
            Self::Review => "审查",
            Self::Decide => "决定",
            Self::Deliver => "送达",
            Self::Supervise => "事后监管",
            Self::Other => "其他",
        }
    }

    /// Reads `受理阶段责任`, `审查责任`, `事后监管责任`, `supervise`…
    pub fn parse(s: &str) -> Option<Self> {
        let key = text::comparison_key(s);
        let key = key.trim_end_matches("责任").trim_end_matches("阶段");
        Self::ALL
            .into_iter()
            .find(|p| p.zh() == key || format!("{p:?}").to_lowercase() == key)
            .or(match key {
                "监管" | "事后监督" | "监督" => Some(Self::Supervise),
                "审核" | "调查" | "审查调查" => Some(Self::Review),
                "执行" | "其它" => Some(Self::Other),
                _ => None,
            })
    }
}

/// A duty of the responsibility list (责任事项).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Duty {
    pub phase: DutyPhase,
    pub text: String,
}

/// A case in which staff are held accountable (追责情形), with its basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountabilityCase {
    pub text: String,
    #[serde(default)]
    pub basis: String,
}

/// The responsibility list entries of one power (责任清单).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Responsibility {
    #[serde(default)]
    pub duties: Vec<Duty>,
    #[serde(default)]
    pub accountability: Vec<AccountabilityCase>,
}

/// How a power was handed down (下放).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DelegationMode {
    /// 直接下放
    Direct,
    /// 委托下放
    Entrusted,
    /// 下放初审权
    InitialReviewOnly,
}

impl DelegationMode {
    pub fn zh(self) -> &'static str {
        match self {
            Self::Direct => "直接下放",
            Self::Entrusted => "委托下放",
            Self::InitialReviewOnly => "下放初审权",
        }
    }
}

/// Where a power stands in its lifecycle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(tag = "state", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PowerStatus {
    #[default]
    Active,
    /// 严管: exercised, under strict control.
    StrictlyControlled,
    /// 取消
    Cancelled,
    /// 下放 to a lower level.
    Delegated {
        mode: DelegationMode,
        to_level: RegionLevel,
    },
    /// 合并 into another power.
    Merged { into: PowerCode },
}

impl PowerStatus {
    /// The short name used for filtering and storage.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::StrictlyControlled => "strictly_controlled",
            Self::Cancelled => "cancelled",
            Self::Delegated { .. } => "delegated",
            Self::Merged { .. } => "merged",
        }
    }

    pub fn zh(&self) -> String {
        match self {
            Self::Active => "有效".into(),
            Self::StrictlyControlled => "严管".into(),
            Self::Cancelled => "已取消".into(),
            Self::Delegated { mode, to_level } => {
                format!("已下放({}至{})", mode.zh(), to_level.zh())
            }
            Self::Merged { into } => format!("已合并至 {into}"),
        }
    }

    /// Whether cases may be opened for it at this level.
    pub fn is_exercisable(&self) -> bool {
        matches!(self, Self::Active | Self::StrictlyControlled)
    }
}

/// A power of the list, as one version of the registry holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Power {
    pub code: PowerCode,
    /// The main item (主项) this sub-item (子项) belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<PowerCode>,
    /// The basic code shared by the same power across regions (基本编码), for 五统一.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basic_code: Option<String>,
    pub name: String,
    pub category: PowerCategory,
    /// The implementing department (实施主体).
    pub department: CreditCode,
    pub region: RegionCode,
    /// The level that exercises it (行使层级).
    pub exercise_level: RegionLevel,
    pub source: PowerSource,
    #[serde(default)]
    pub usage: Usage,
    pub legal_basis: Vec<LegalBasis>,
    #[serde(default)]
    pub guide: ServiceGuide,
    #[serde(default)]
    pub responsibility: Responsibility,
    /// The published procedure with its risk points (权力运行流程图、廉政风险防控图).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow: Option<crate::flow::Flow>,
    #[serde(default)]
    pub status: PowerStatus,
}

impl Power {
    /// Checks what a power must have to be listed, and tidies its text fields.
    /// Returns every problem at once, each with its field path.
    pub fn validated(mut self) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        self.name = text::tidy(&self.name);
        if self.name.is_empty() {
            errors.push(FieldError::new(
                "name",
                crate::zh_en!("请填写事项名称", "a power needs a name"),
            ));
        }
        if self.name.chars().count() > 200 {
            errors.push(FieldError::new(
                "name",
                crate::zh_en!("不能超过 200 个字", "is longer than 200 characters"),
            ));
        }
        if let Some(b) = &self.basic_code {
            let b = text::fold_width(b).trim().to_string();
            self.basic_code = (!b.is_empty()).then_some(b);
        }
        if self.parent.as_ref() == Some(&self.code) {
            errors.push(FieldError::new(
                "parent",
                crate::zh_en!("事项不能是自身的子项", "a power cannot be its own sub-item"),
            ));
        }
        if self.legal_basis.is_empty() {
            errors.push(FieldError::new(
                "legal_basis",
                crate::zh_en!(
                    "每项权力至少应有一项设定依据",
                    "a power needs at least one legal basis (设定依据)"
                ),
            ));
        }
        for (i, b) in self.legal_basis.iter_mut().enumerate() {
            b.instrument = text::tidy(&b.instrument);
            b.article = text::tidy(&b.article);
            if b.instrument.is_empty() {
                errors.push(FieldError::new(
                    format!("legal_basis[{i}].instrument"),
                    crate::zh_en!("未写明法律、法规或规章名称", "names no law or regulation"),
                ));
            }
        }
        if self.region.level() != self.exercise_level && self.exercise_level < self.region.level() {
            errors.push(FieldError::new(
                "exercise_level",
                crate::zh_en!(
                    "区划 {region}（{level}）的权力不能由{at}行使",
                    "a power of region {region} ({level}) cannot be exercised at the {at} level",
                    region = &self.region,
                    level = self.region.level().zh(),
                    at = self.exercise_level.zh(),
                ),
            ));
        }
        let g = &mut self.guide;
        for (i, m) in g.materials.iter_mut().enumerate() {
            m.name = text::tidy(&m.name);
            if m.name.is_empty() {
                errors.push(FieldError::new(
                    format!("guide.materials[{i}].name"),
                    crate::zh_en!("请填写材料名称", "a material needs a name"),
                ));
            }
            if m.copies == 0 {
                errors.push(FieldError::new(
                    format!("guide.materials[{i}].copies"),
                    crate::zh_en!("至少 1 份", "at least 1 copy"),
                ));
            }
        }
        for (i, f) in g.fees.iter().enumerate() {
            if f.item.trim().is_empty() {
                errors.push(FieldError::new(
                    format!("guide.fees[{i}].item"),
                    crate::zh_en!("请填写收费项目名称", "a fee needs an item name"),
                ));
            }
            if f.amount_fen.is_some_and(|a| a < 0) {
                errors.push(FieldError::new(
                    format!("guide.fees[{i}].amount_fen"),
                    crate::zh_en!("不能为负数", "cannot be negative"),
                ));
            }
        }
        for (i, m) in g.intermediaries.iter_mut().enumerate() {
            m.name = text::tidy(&m.name);
            m.basis = text::tidy(&m.basis);
            if m.name.is_empty() {
                errors.push(FieldError::new(
                    format!("guide.intermediaries[{i}].name"),
                    crate::zh_en!("请填写中介服务名称", "an intermediary service needs a name"),
                ));
            }
            if m.basis.is_empty() {
                errors.push(FieldError::new(
                    format!("guide.intermediaries[{i}].basis"),
                    crate::zh_en!(
                        "中介服务「{name}」没有设定依据，不得作为办理条件（{INTERMEDIARY_BASIS}）",
                        "«{name}» has no basis in law, so it may not be required (优化营商环境条例 Art. 43)",
                        name = m.name.clone(),
                    ),
                ));
            }
        }
        if g.faq.len() > MAX_FAQ {
            errors.push(FieldError::new(
                "guide.faq",
                crate::zh_en!("常见问题最多 {MAX_FAQ} 条", "at most {MAX_FAQ} questions"),
            ));
        }
        for (i, f) in g.faq.iter_mut().enumerate() {
            f.question = text::tidy(&f.question);
            f.answer = f.answer.trim().to_string();
            if f.question.is_empty() || f.answer.is_empty() {
                errors.push(FieldError::new(
                    format!("guide.faq[{i}]"),
                    crate::zh_en!(
                        "每条常见问题须有问题和解答",
                        "each question needs its answer"
                    ),
                ));
            } else if f.question.chars().count() > 200 || f.answer.chars().count() > 2000 {
                errors.push(FieldError::new(
                    format!("guide.faq[{i}]"),
                    crate::zh_en!(
                        "问题不超过 200 字，解答不超过 2000 字",
                        "a question up to 200 characters, its answer up to 2,000"
                    ),
                ));
            }
        }
        if g.visits.is_some_and(|v| v > 10) {
            errors.push(FieldError::new(
                "guide.visits",
                crate::zh_en!("到办事现场次数应为 0 至 10 次", "from 0 to 10 visits"),
            ));
        }
        g.targets
            .sort_by_key(|t| Target::ALL.iter().position(|x| x == t));
        g.targets.dedup();
        if let (Some(c), Some(s)) = (g.committed_limit, g.statutory_limit)
            && c.within(s) == Some(false)
        {
            errors.push(FieldError::new(
                "guide.committed_limit",
                crate::zh_en!(
                    "承诺时限 {c} 超过法定时限 {s}",
                    "the committed limit {c} exceeds the statutory limit {s}"
                ),
            ));
        }
        if g.case_type == CaseType::Immediate
            && g.committed_limit
                .is_some_and(|c| c.amount > 0 && c.unit != TimeUnit::Hours)
        {
            errors.push(FieldError::new(
                "guide.case_type",
                crate::zh_en!(
                    "即办件不应有以日计的承诺时限",
                    "an immediate case (即办件) has no committed days"
                ),
            ));
        }
        if let Some(flow) = &self.flow {
            let limits = crate::flow::Limits {
                committed: self.guide.committed_limit,
                statutory: self.guide.statutory_limit,
            };
            for e in flow.validate(limits) {
                let field = match &e.node {
                    Some(n) => format!("flow.{n}"),
                    None => "flow".to_string(),
                };
                errors.push(FieldError::new(field, e.message));
            }
        }
        for (i, d) in self.responsibility.duties.iter().enumerate() {
            if d.text.trim().is_empty() {
                errors.push(FieldError::new(
                    format!("responsibility.duties[{i}].text"),
                    crate::zh_en!("内容为空", "is empty"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_words_from_real_sheets() {
        for (text, cat) in [
            ("行政许可", PowerCategory::Licensing),
            ("许可", PowerCategory::Licensing),
            ("行政审批", PowerCategory::Licensing),
            ("01", PowerCategory::Licensing),
            ("１", PowerCategory::Licensing),
            ("处罚类", PowerCategory::Penalty),
            ("行政征收（征用）", PowerCategory::Levy),
            ("其它行政权力", PowerCategory::Other),
            ("20", PowerCategory::PublicService),
            ("public_service", PowerCategory::PublicService),
            (" 行政 检查 ", PowerCategory::Inspection),
        ] {
            assert_eq!(PowerCategory::parse(text), Some(cat), "{text}");
        }
        assert_eq!(PowerCategory::parse("行政指导"), None);
        assert_eq!(PowerCategory::parse("11"), None);
    }

    #[test]
    fn time_limits_in_the_words_people_write() {
        assert_eq!(
            TimeLimit::parse("20个工作日").unwrap(),
            Some(TimeLimit::working_days(20))
        );
        assert_eq!(
            TimeLimit::parse("２０").unwrap(),
            Some(TimeLimit::working_days(20))
        );
        assert_eq!(
            TimeLimit::parse("30日").unwrap(),
            Some(TimeLimit {
                amount: 30,
                unit: TimeUnit::NaturalDays
            })
        );
        assert_eq!(
            TimeLimit::parse("即办").unwrap(),
            Some(TimeLimit::working_days(0))
        );
        assert_eq!(TimeLimit::parse("").unwrap(), None);
        assert!(
            TimeLimit::parse("20个月")
                .unwrap_err()
                .en
                .contains("unknown unit")
        );
        assert!(TimeLimit::parse("二十日").is_err());
    }

    #[test]
    fn generated_codes_follow_the_scheme() {
        let r = RegionCode::parse("330183").unwrap();
        let c = PowerCode::generate(&r, PowerCategory::Licensing, 12);
        assert_eq!(c.as_str(), "330183-XK-00012");
        assert_eq!(c.sub(1).as_str(), "330183-XK-00012-01");
        assert_eq!(PowerCode::parse("ＸＫ－００１").unwrap().as_str(), "XK-001");
        assert!(
            PowerCode::parse("许可001")
                .unwrap_err()
                .to_string()
                .contains("«许»")
        );
        assert_eq!(
            PowerCode::parse(" ３３０１８３-XK-1 ").unwrap().as_str(),
            "330183-XK-1"
        );
    }

    #[test]
    fn legal_basis_citation_key_ignores_presentation() {
        let a = LegalBasis {
            instrument: "《中华人民共和国食品安全法》".into(),
            article: "第三十五条".into(),
            text: String::new(),
        };
        let b = LegalBasis {
            instrument: "食品安全法".into(),
            article: " 第三十五条".into(),
            text: "…".into(),
        };
        assert_eq!(a.citation_key(), b.citation_key());
    }
}
