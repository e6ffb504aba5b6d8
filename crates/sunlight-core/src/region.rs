//! Administrative regions: the 12-digit statistical division code and the region tree.
//!
//! The code is hierarchical: digits 1–2 province, 3–4 city, 5–6 county (together the GB/T 2260
//! county code), 7–9 township, 10–12 village. A region's level and its parent follow from its
//! code, so both are checked rather than trusted.

use crate::error::DomainError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// GB/T 2260 province-level prefixes.
const PROVINCES: [u8; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

/// A valid 12-digit division code. Parsing accepts the 2/4/6/9-digit prefixes people write
/// (`330183` for 富阳区) and full-width digits, and pads with zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode([u8; 12]);

impl RegionCode {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let folded = crate::text::fold_width(input.trim());
        let bad = |why: crate::Text| {
            DomainError::field(
                "region",
                why.prefixed(&format!("“{input}”"), &format!("«{input}» ")),
            )
        };
        if !folded.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(crate::zh_en!(
                "不是行政区划代码：只能由数字组成",
                "is not a region code: only digits are allowed"
            )));
        }
        if ![2, 4, 6, 9, 12].contains(&folded.len()) {
            return Err(bad(crate::zh_en!(
                "不是行政区划代码：应为 12 位（或其 2、4、6、9 位前缀）",
                "is not a region code: it needs 12 digits (or a 2/4/6/9-digit prefix)"
            )));
        }
        let mut digits = [b'0'; 12];
        digits[..folded.len()].copy_from_slice(folded.as_bytes());
        let province = (digits[0] - b'0') * 10 + (digits[1] - b'0');
        if !PROVINCES.contains(&province) {
            return Err(bad(crate::zh_en!(
                "开头两位不是 GB/T 2260 规定的省级代码",
                "does not start with a GB/T 2260 province code"
            )));
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII digits are ever stored.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The six-digit GB/T 2260 county code.
    pub fn county_code(&self) -> &str {
        &self.as_str()[..6]
    }

    pub fn level(&self) -> RegionLevel {
        let zero = |r: std::ops::Range<usize>| self.0[r].iter().all(|&d| d == b'0');
        if zero(2..12) {
            RegionLevel::Province
        } else if zero(4..12) {
            RegionLevel::City
        } else if zero(6..12) {
            RegionLevel::County
        } else if zero(9..12) {
            RegionLevel::Township
        } else {
            RegionLevel::Village
        }
    }

    /// The code of the enclosing region, `None` for a province.
    pub fn parent(&self) -> Option<RegionCode> {
        let keep = match self.level() {
            RegionLevel::Province => return None,
            RegionLevel::City => 2,
            RegionLevel::County => 4,
            RegionLevel::Township => 6,
            RegionLevel::Village => 9,
        };
        let mut digits = self.0;
        digits[keep..].fill(b'0');
        Some(Self(digits))
    }

    /// Whether `self` lies within `ancestor` (or is it).
    pub fn is_within(&self, ancestor: &RegionCode) -> bool {
        let mut cur = Some(*self);
        while let Some(code) = cur {
            if code == *ancestor {
                return true;
            }
            cur = code.parent();
        }
        false
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RegionCode {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for RegionCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for RegionCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[0-9]{12}$"))
            .description(Some(
                "12-digit statistical division code; first 6 digits = GB/T 2260",
            ))
            .examples(["330183000000"])
            .into()
    }
}
#[cfg(feature = "openapi")]
impl utoipa::ToSchema for RegionCode {}

/// The five administrative levels, from the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum RegionLevel {
    Province,
    City,
    County,
    Township,
    Village,
}

impl RegionLevel {
    pub const ALL: [RegionLevel; 5] = [
        Self::Province,
        Self::City,
        Self::County,
        Self::Township,
        Self::Village,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::City => "city",
            Self::County => "county",
            Self::Township => "township",
            Self::Village => "village",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Province => "省级",
            Self::City => "市级",
            Self::County => "县级",
            Self::Township => "乡级",
            Self::Village => "村级",
        }
    }

    /// Reads the English name or the Chinese words sheets use (省级、市级、县级、区级、乡镇级、村级…).
    pub fn parse(s: &str) -> Option<Self> {
        let key = crate::text::comparison_key(s);
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == key)
            .or(match key.as_str() {
                "省" | "省级" | "省本级" => Some(Self::Province),
                "市" | "市级" | "设区市" | "地市级" | "市本级" => Some(Self::City),
                "县" | "县级" | "区" | "区级" | "县(市、区)" | "县(市、区)级" | "县区级" => {
                    Some(Self::County)
                }
                "乡" | "乡级" | "镇" | "乡镇" | "乡镇级" | "街道" | "乡镇(街道)" => {
                    Some(Self::Township)
                }
                "村" | "村级" | "社区" | "村(社区)" => Some(Self::Village),
                _ => None,
            })
    }
}

/// A region of the tree, as the registry keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    pub level: RegionLevel,
    pub parent: Option<RegionCode>,
}

impl Region {
    /// Builds a region, checking that its level and parent agree with its code.
    pub fn new(
        code: RegionCode,
        name: &str,
        level: RegionLevel,
        parent: Option<RegionCode>,
    ) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        let name = crate::text::tidy(name);
        if name.is_empty() {
            errors.push(crate::FieldError::new(
                "name",
                crate::zh_en!("请填写区划名称", "a region needs a name"),
            ));
        }
        if code.level() != level {
            errors.push(crate::FieldError::new(
                "level",
                crate::zh_en!(
                    "代码 {code} 是{is}代码，不是{not}代码",
                    "code {code} is a {is_en} code, not {not_en}",
                    is = code.level().zh(),
                    not = level.zh(),
                    is_en = code.level().as_str(),
                    not_en = level.as_str(),
                ),
            ));
        }
        if let Some(p) = parent
            && (!code.is_within(&p) || p == code)
        {
            errors.push(crate::FieldError::new(
                "parent",
                crate::zh_en!("{p} 不包含 {code}", "{p} does not contain {code}"),
            ));
        }
        if errors.is_empty() {
            Ok(Self {
                code,
                name,
                level,
                parent,
            })
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_full_and_prefix_codes() {
        let fuyang = RegionCode::parse("330183").unwrap();
        assert_eq!(fuyang.as_str(), "330183000000");
        assert_eq!(fuyang.level(), RegionLevel::County);
        assert_eq!(fuyang.parent().unwrap().as_str(), "330100000000");
        assert_eq!(
            RegionCode::parse("３３０１８３１０１２０３")
                .unwrap()
                .level(),
            RegionLevel::Village
        );
    }

    #[test]
    fn refuses_bad_codes_with_reason() {
        let e = RegionCode::parse("3301AB").unwrap_err().to_string();
        assert!(e.contains("only digits"), "{e}");
        let e = RegionCode::parse("33018").unwrap_err().to_string();
        assert!(e.contains("12 digits"), "{e}");
        let e = RegionCode::parse("990100").unwrap_err().to_string();
        assert!(e.contains("province"), "{e}");
    }

    #[test]
    fn levels_walk_up_the_tree() {
        let v = RegionCode::parse("330183101203").unwrap();
        let chain: Vec<_> = std::iter::successors(Some(v), |c| c.parent())
            .map(|c| c.level())
            .collect();
        assert_eq!(
            chain,
            RegionLevel::ALL.iter().rev().copied().collect::<Vec<_>>()
        );
        assert!(v.is_within(&RegionCode::parse("33").unwrap()));
        assert!(!v.is_within(&RegionCode::parse("3302").unwrap()));
    }

    #[test]
    fn region_checks_level_and_parent_against_code() {
        let c = RegionCode::parse("330183").unwrap();
        let wrong_parent = RegionCode::parse("3302").unwrap();
        let err = Region::new(c, "富阳区", RegionLevel::City, Some(wrong_parent)).unwrap_err();
        let fields: Vec<_> = err
            .field_errors()
            .iter()
            .map(|e| e.field.as_str())
            .collect();
        assert_eq!(fields, ["level", "parent"]);
        assert!(Region::new(c, "富阳区", RegionLevel::County, c.parent()).is_ok());
    }

    proptest! {
        #[test]
        fn parent_is_always_one_level_up(tail in "[0-9]{10}", p in prop::sample::select(PROVINCES.to_vec())) {
            let code = RegionCode::parse(&format!("{p:02}{tail}")).unwrap();
            if let Some(parent) = code.parent() {
                prop_assert!(parent.level() < code.level());
                prop_assert!(code.is_within(&parent));
                prop_assert_eq!(RegionCode::parse(parent.as_str()).unwrap(), parent);
            } else {
                prop_assert_eq!(code.level(), RegionLevel::Province);
            }
        }
    }
}
