//! Discretion benchmarks (行政处罚裁量基准): for each violation a penalty power punishes, the
//! circumstance tiers (轻微 / 一般 / 较重 / 严重) and, per tier, the band a fine must fall in —
//! fixed amounts, or a share of a figure of the case (工程合同价款的 1%–2%, 货值金额的 10–20 倍).
//!
//! A benchmark is registry data of one penalty power, versioned like the power itself.

use crate::error::{DomainError, ErrorCode, FieldError};
use crate::power::PowerCode;
use serde::{Deserialize, Serialize};

/// 裁量阶次
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Tier {
    /// 轻微: often 不予处罚 or the floor.
    Minor,
    /// 一般
    Ordinary,
    /// 较重
    Serious,
    /// 严重
    Grave,
}

impl Tier {
    pub const ALL: [Tier; 4] = [Self::Minor, Self::Ordinary, Self::Serious, Self::Grave];

    pub fn zh(self) -> &'static str {
        match self {
            Self::Minor => "轻微",
            Self::Ordinary => "一般",
            Self::Serious => "较重",
            Self::Grave => "严重",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Minor => "minor",
            Self::Ordinary => "ordinary",
            Self::Serious => "serious",
            Self::Grave => "grave",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        let t = s.trim();
        Self::ALL
            .into_iter()
            .find(|x| x.as_str() == t || x.zh() == t || t.starts_with(x.zh()))
    }
}

/// Where a fine must fall.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Band {
    /// Between two amounts in fen (inclusive).
    Amount { min_fen: i64, max_fen: i64 },
    /// A share of a figure of the case's form data, in parts per ten thousand (万分之):
    /// 1%–2% of `contract_price_fen` is `{ field: "contract_price_fen", min_bp: 100, max_bp: 200 }`;
    /// ten to twenty times the goods' value is 100000–200000.
    Share {
        field: String,
        min_bp: i64,
        max_bp: i64,
    },
    /// 不予处罚: no fine at all.
    None,
}

impl Band {
    /// The band in fen for a case's form data.
    pub fn resolve(&self, data: &serde_json::Value) -> Result<(i64, i64), DomainError> {
        match self {
            Self::Amount { min_fen, max_fen } => Ok((*min_fen, *max_fen)),
            Self::None => Ok((0, 0)),
            Self::Share {
                field,
                min_bp,
                max_bp,
            } => {
                let base = data.get(field).and_then(serde_json::Value::as_i64).ok_or_else(|| {
                    DomainError::field(
                        format!("data.{field}"),
                        crate::zh_en!(
                            "裁量基准按“{field}”（以分计）计算罚款幅度，本案缺少该数据",
                            "the benchmark computes the fine from this figure (in fen); the case lacks it"
                        ),
                    )
                })?;
                Ok((
                    base.saturating_mul(*min_bp) / 10_000,
                    base.saturating_mul(*max_bp) / 10_000,
                ))
            }
        }
    }
}

/// One tier of one violation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TierBand {
    pub tier: Tier,
    /// 适用情形
    pub circumstances: String,
    pub band: Band,
}

/// A violation the power punishes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Violation {
    /// Short stable id within the benchmark (`unlicensed`, `wq-01`).
    pub code: String,
    /// 违法行为
    pub name: String,
    /// 处罚依据
    pub basis: String,
    pub tiers: Vec<TierBand>,
}

/// A penalty power's discretion benchmark.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Benchmark {
    pub power: PowerCode,
    /// The document that set it (e.g. 《杭州市市场监督管理行政处罚裁量基准》).
    #[serde(default)]
    pub source: String,
    pub violations: Vec<Violation>,
}

/// How a fine compares with its band.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BandCheck {
    pub min_fen: i64,
    pub max_fen: i64,
    pub within: bool,
}

impl Benchmark {
    /// Every problem: empty names, a tier twice, bands upside down.
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.violations.is_empty() {
            errors.push(FieldError::new(
                "violations",
                crate::zh_en!(
                    "裁量基准至少应列明一项违法行为",
                    "a benchmark names at least one violation"
                ),
            ));
        }
        let mut codes = std::collections::HashSet::new();
        for (i, v) in self.violations.iter().enumerate() {
            let at = format!("violations[{i}]");
            if v.code.trim().is_empty() || !codes.insert(v.code.as_str()) {
                errors.push(FieldError::new(
                    format!("{at}.code"),
                    crate::zh_en!("编码为空或重复", "empty or used twice"),
                ));
            }
            if v.name.trim().is_empty() {
                errors.push(FieldError::new(
                    format!("{at}.name"),
                    crate::zh_en!("请填写违法行为名称", "the violation needs a name"),
                ));
            }
            if v.tiers.is_empty() {
                errors.push(FieldError::new(
                    format!("{at}.tiers"),
                    crate::zh_en!("至少应有一个裁量阶次", "at least one tier"),
                ));
            }
            let mut seen = std::collections::HashSet::new();
            for (j, t) in v.tiers.iter().enumerate() {
                let at = format!("{at}.tiers[{j}]");
                if !seen.insert(t.tier) {
                    errors.push(FieldError::new(
                        format!("{at}.tier"),
                        crate::zh_en!(
                            "“{tier}”阶次重复",
                            "{tier} appears twice",
                            tier = t.tier.zh(),
                        ),
                    ));
                }
                let upside_down = match &t.band {
                    Band::Amount { min_fen, max_fen } => min_fen > max_fen || *min_fen < 0,
                    Band::Share {
                        min_bp,
                        max_bp,
                        field,
                    } => min_bp > max_bp || *min_bp < 0 || field.trim().is_empty(),
                    Band::None => false,
                };
                if upside_down {
                    errors.push(FieldError::new(
                        format!("{at}.band"),
                        crate::zh_en!(
                            "幅度下限高于上限，或为负数",
                            "the lower bound exceeds the upper one, or is negative"
                        ),
                    ));
                }
            }
        }
        errors
    }

    pub fn violation(&self, code: &str) -> Option<&Violation> {
        self.violations
            .iter()
            .find(|v| v.code == code || v.name == code)
    }

    /// Checks a fine for a violation and tier against the band, with the case's form data.
    pub fn check(
        &self,
        violation: &str,
        tier: Tier,
        amount_fen: i64,
        data: &serde_json::Value,
    ) -> Result<BandCheck, DomainError> {
        let v = self.violation(violation).ok_or_else(|| {
            DomainError::rule(
                ErrorCode::UnknownReference,
                crate::zh_en!(
                    "{power} 的裁量基准中没有违法行为“{violation}”（现有：{list}）",
                    "the benchmark of {power} names no violation «{violation}» (it has: {list})",
                    power = &self.power,
                    list = self
                        .violations
                        .iter()
                        .map(|v| v.code.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            )
        })?;
        let t = v.tiers.iter().find(|t| t.tier == tier).ok_or_else(|| {
            DomainError::rule(
                ErrorCode::UnknownReference,
                crate::zh_en!(
                    "“{name}”没有“{tier}”阶次",
                    "«{name}» has no tier {tier}",
                    name = &v.name,
                    tier = tier.zh(),
                ),
            )
        })?;
        let (min_fen, max_fen) = t.band.resolve(data)?;
        Ok(BandCheck {
            min_fen,
            max_fen,
            within: (min_fen..=max_fen).contains(&amount_fen),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn construction() -> Benchmark {
        Benchmark {
            power: PowerCode::parse("330183-CF-00006").unwrap(),
            source: "《浙江省住房和城乡建设系统行政处罚裁量基准》".into(),
            violations: vec![Violation {
                code: "no-permit".into(),
                name: "未取得施工许可证擅自施工".into(),
                basis: "《建设工程质量管理条例》第五十七条".into(),
                tiers: vec![
                    TierBand {
                        tier: Tier::Ordinary,
                        circumstances: "已具备施工许可条件，责令改正后及时补办".into(),
                        band: Band::Share {
                            field: "contract_price_fen".into(),
                            min_bp: 100,
                            max_bp: 150,
                        },
                    },
                    TierBand {
                        tier: Tier::Grave,
                        circumstances: "不具备施工许可条件且拒不停工".into(),
                        band: Band::Share {
                            field: "contract_price_fen".into(),
                            min_bp: 180,
                            max_bp: 200,
                        },
                    },
                ],
            }],
        }
    }

    #[test]
    fn shares_resolve_against_the_case_and_bands_bound_the_fine() {
        let b = construction();
        assert!(b.validate().is_empty());
        // 合同价款 500 万元: 一般 1%–1.5% = 5–7.5 万元.
        let data = serde_json::json!({"contract_price_fen": 500_000_000});
        let ok = b
            .check("no-permit", Tier::Ordinary, 6_000_000, &data)
            .unwrap();
        assert_eq!(
            (ok.min_fen, ok.max_fen, ok.within),
            (5_000_000, 7_500_000, true)
        );
        assert!(
            !b.check("no-permit", Tier::Ordinary, 8_000_000, &data)
                .unwrap()
                .within
        );
        assert!(b.check("no-permit", Tier::Serious, 1, &data).is_err());
        assert!(
            b.check("no-permit", Tier::Grave, 1, &serde_json::json!({}))
                .is_err()
        );
        assert_eq!(Tier::parse("较重"), Some(Tier::Serious));
    }

    #[test]
    fn broken_benchmarks_say_where() {
        let mut b = construction();
        b.violations[0].tiers[1].tier = Tier::Ordinary;
        b.violations[0].tiers[0].band = Band::Amount {
            min_fen: 10,
            max_fen: 5,
        };
        let fields: Vec<String> = b.validate().into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["violations[0].tiers[0].band", "violations[0].tiers[1].tier"]
        );
    }
}
