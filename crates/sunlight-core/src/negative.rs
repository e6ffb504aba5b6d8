//! The negative list (负面清单) for enterprise investment.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Measure {
    /// 禁止准入
    Prohibited,
    /// 许可准入 (needs approval)
    NeedsApproval,
}

impl Measure {
    pub fn zh(self) -> &'static str {
        match self {
            Self::Prohibited => "禁止准入",
            Self::NeedsApproval => "许可准入",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match crate::text::comparison_key(s).as_str() {
            "prohibited" | "禁止" | "禁止准入" | "禁止类" => Some(Self::Prohibited),
            "needs_approval" | "许可" | "许可准入" | "限制" | "限制类" | "许可类" => {
                Some(Self::NeedsApproval)
            }
            _ => None,
        }
    }
}

/// One entry of the negative list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NegativeItem {
    /// 行业, e.g. 农、林、牧、渔业
    pub industry: String,
    /// 类别
    pub category: String,
    /// 子类
    #[serde(default)]
    pub sub_category: String,
    /// 事项 (the restricted activity)
    pub item: String,
    pub measure: Measure,
    /// 设立依据
    #[serde(default)]
    pub basis: String,
}
