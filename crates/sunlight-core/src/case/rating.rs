//! 好差评: the applicant rates a finished case once, on the national five levels; a 差评 (不满意
//! or 非常不满意) names what was wrong from the national list and opens a 整改 (rectify and
//! call back) the case's department owes by a deadline that supervision watches.

use super::*;

/// The national five levels (非常满意 … 非常不满意), 5 to 1.
pub const LEVELS: [(u8, &str, &str); 5] = [
    (5, "非常满意", "very satisfied"),
    (4, "满意", "satisfied"),
    (3, "基本满意", "fair"),
    (2, "不满意", "dissatisfied"),
    (1, "非常不满意", "very dissatisfied"),
];

/// What 差评 means: 不满意 (2) or 非常不满意 (1).
pub const fn is_poor(level: u8) -> bool {
    level <= 2
}

/// The level in words.
pub fn level_label(level: u8, lang: crate::Lang) -> &'static str {
    LEVELS
        .iter()
        .find(|(l, ..)| *l == level)
        .map_or("", |(_, zh, en)| lang.t(zh, en))
}

/// Why a 差评: the national evaluation content (《政务服务评价工作指南》GB/T 39735—2020 and the
/// 全国一体化在线政务服务平台 “好差评” content — online: 办事效率, 办事指南精确度, 办事便捷度,
/// 平台操作性; at the hall: 服务效率, 服务水平, 服务态度), each as the fault a rater picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RatingReason {
    /// 办事效率 / 服务效率
    SlowHandling,
    /// 办事指南精确度
    GuideInaccurate,
    /// 办事便捷度: materials asked for again, trips.
    RepeatedMaterials,
    /// 平台操作性
    PlatformHardToUse,
    /// 服务态度
    StaffAttitude,
    /// 服务水平
    StaffUnskilled,
    /// 一次性告知不到位
    NotToldAtOnce,
    /// 其他 (the comment says what).
    Other,
}

impl RatingReason {
    pub const ALL: [Self; 8] = [
        Self::SlowHandling,
        Self::GuideInaccurate,
        Self::RepeatedMaterials,
        Self::PlatformHardToUse,
        Self::StaffAttitude,
        Self::StaffUnskilled,
        Self::NotToldAtOnce,
        Self::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SlowHandling => "slow_handling",
            Self::GuideInaccurate => "guide_inaccurate",
            Self::RepeatedMaterials => "repeated_materials",
            Self::PlatformHardToUse => "platform_hard_to_use",
            Self::StaffAttitude => "staff_attitude",
            Self::StaffUnskilled => "staff_unskilled",
            Self::NotToldAtOnce => "not_told_at_once",
            Self::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::SlowHandling => "办理时间长、效率低",
            Self::GuideInaccurate => "办事指南不准确、不清楚",
            Self::RepeatedMaterials => "重复提交材料或多次跑动",
            Self::PlatformHardToUse => "网上办理操作不便",
            Self::StaffAttitude => "工作人员服务态度差",
            Self::StaffUnskilled => "工作人员业务不熟练、解释不清",
            Self::NotToldAtOnce => "未一次性告知所需材料",
            Self::Other => "其他（请在意见中说明）",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Self::SlowHandling => "slow handling",
            Self::GuideInaccurate => "the service guide was wrong or unclear",
            Self::RepeatedMaterials => "materials asked for again, or repeated trips",
            Self::PlatformHardToUse => "the online service was hard to use",
            Self::StaffAttitude => "staff were discourteous",
            Self::StaffUnskilled => "staff did not know the procedure or explain it",
            Self::NotToldAtOnce => "not told everything needed at once",
            Self::Other => "other (say what in the comment)",
        }
    }
}

impl Rating {
    /// In words: 不满意（2 / 5） · 原因：… · the comment (or that it was erased).
    pub fn summary(&self, lang: crate::Lang) -> String {
        let mut line = format!("{}（{} / 5）", level_label(self.level, lang), self.level);
        if !self.reasons.is_empty() {
            let reasons: Vec<&str> = self
                .reasons
                .iter()
                .map(|x| lang.t(x.zh(), x.en()))
                .collect();
            line.push_str(lang.t(" · 原因：", " · because: "));
            line.push_str(&reasons.join(lang.t("；", "; ")));
        }
        if !self.comment.is_empty() {
            line.push_str(" · ");
            line.push_str(&lang.personal(&self.comment));
        }
        line
    }
}

/// What a rater may write.
pub const COMMENT_MAX: usize = 500;

/// What a department writes when it has rectified a 差评.
pub const ANSWER_MAX: usize = 1000;

/// 整改: owed by the case's department after a 差评, until `due`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rectification {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due: Date,
    /// What the rule cites.
    pub basis: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<Rectified>,
}

/// The department's answer to a 差评: what it found, what it changed, what the applicant said
/// when called back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rectified {
    /// 核实情况
    pub verified: String,
    /// 整改措施
    pub measures: String,
    /// 回访情况
    pub revisit: String,
}

/// The rating as the applicant gave it, every problem named at once.
pub(super) fn check_rating(r: &Rating) -> Result<Rating, DomainError> {
    let mut errors = Vec::new();
    if !(1..=5).contains(&r.level) {
        errors.push(FieldError::new(
            "rating.level",
            zh_en!(
                "请选择评价等级：非常满意、满意、基本满意、不满意或非常不满意",
                "choose a level: very satisfied, satisfied, fair, dissatisfied or very dissatisfied"
            ),
        ));
    }
    let comment = r.comment.trim().to_string();
    if comment.chars().count() > COMMENT_MAX {
        errors.push(FieldError::new(
            "rating.comment",
            zh_en!(
                "评价意见不能超过 {COMMENT_MAX} 字",
                "the comment is longer than {COMMENT_MAX} characters"
            ),
        ));
    }
    let mut reasons = r.reasons.clone();
    reasons.sort();
    reasons.dedup();
    if is_poor(r.level) && r.level >= 1 {
        if reasons.is_empty() {
            errors.push(FieldError::new(
                "rating.reasons",
                zh_en!(
                    "差评（不满意、非常不满意）请至少选择一项不满意的原因，以便部门核实整改",
                    "a poor rating needs at least one reason, so the department can put it right"
                ),
            ));
        }
        if reasons.contains(&RatingReason::Other) && comment.chars().count() < 5 {
            errors.push(FieldError::new(
                "rating.comment",
                zh_en!(
                    "选择“其他”时，请在评价意见中说明原因（不少于 5 个字）",
                    "with 'other', say what was wrong in the comment (5 characters or more)"
                ),
            ));
        }
    } else {
        // Reasons belong to a 差评; a good rating's ticks are dropped, not refused.
        reasons.clear();
    }
    if errors.is_empty() {
        Ok(Rating {
            level: r.level,
            comment,
            reasons,
            rectification: None,
        })
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// The department's answer, tidied, every problem named at once.
pub(super) fn check_rectified(r: &Rectified) -> Result<Rectified, DomainError> {
    let mut errors = Vec::new();
    let mut field = |name: &'static str, value: &str, zh: &str, en: &str| -> String {
        let v = value.trim().to_string();
        let n = v.chars().count();
        if n < 5 {
            errors.push(FieldError::new(
                name,
                zh_en!(
                    "请填写{zh}，不少于 5 个字",
                    "write the {en}, 5 characters or more"
                ),
            ));
        } else if n > ANSWER_MAX {
            errors.push(FieldError::new(
                name,
                zh_en!(
                    "{zh}不能超过 {ANSWER_MAX} 字",
                    "the {en} is longer than {ANSWER_MAX} characters"
                ),
            ));
        }
        v
    };
    let out = Rectified {
        verified: field("rectify.verified", &r.verified, "核实情况", "findings"),
        measures: field(
            "rectify.measures",
            &r.measures,
            "整改措施",
            "measures taken",
        ),
        revisit: field(
            "rectify.revisit",
            &r.revisit,
            "回访情况",
            "call-back result",
        ),
    };
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(DomainError::Invalid(errors))
    }
}
