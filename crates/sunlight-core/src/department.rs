//! Implementing departments (实施主体) and their unified social credit codes.

use crate::error::{DomainError, FieldError};
use crate::region::RegionCode;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The 31 characters of GB 32100-2015 (no I, O, S, V, Z).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// An 18-character unified social credit code (统一社会信用代码) whose check character is right.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CreditCode(String);

impl CreditCode {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let code = crate::text::fold_width(input.trim()).to_ascii_uppercase();
        let bad = |why: crate::Text| {
            DomainError::field(
                "credit_code",
                why.prefixed(&format!("“{input}”"), &format!("«{input}» ")),
            )
        };
        if code.chars().count() != 18 {
            return Err(bad(crate::zh_en!(
                "为 {n} 位，统一社会信用代码应为 18 位",
                "has {n} characters; a credit code has 18",
                n = code.chars().count(),
            )));
        }
        let mut values = [0u32; 18];
        for (i, b) in code.bytes().enumerate() {
            values[i] = ALPHABET.iter().position(|&a| a == b).ok_or_else(|| {
                bad(crate::zh_en!(
                    "第 {at} 位“{c}”不是 GB 32100 所用的字符",
                    "has «{c}» at position {at}, which GB 32100 does not use",
                    c = b as char,
                    at = i + 1,
                ))
            })? as u32;
        }
        if !code[2..8].bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(crate::zh_en!(
                "第 3–8 位应为 6 位行政区划码",
                "must have a 6-digit region code at positions 3–8"
            )));
        }
        let expected = Self::check_char(&values[..17]);
        if code.as_bytes()[17] != expected {
            return Err(bad(crate::zh_en!(
                "校验码为“{got}”，应为“{want}”",
                "has check character «{got}», expected «{want}»",
                got = &code[17..],
                want = expected as char,
            )));
        }
        Ok(Self(code))
    }

    /// Completes a 17-character body with its check character (for generating sample data).
    pub fn with_check(body: &str) -> Result<Self, DomainError> {
        let mut values = Vec::with_capacity(17);
        for b in body.bytes() {
            let v = ALPHABET.iter().position(|&a| a == b).ok_or_else(|| {
                DomainError::field(
                    "credit_code",
                    crate::zh_en!(
                        "“{body}”含有 GB 32100 不使用的字符",
                        "«{body}» has a character GB 32100 does not use"
                    ),
                )
            })?;
            values.push(v as u32);
        }
        if values.len() != 17 {
            return Err(DomainError::field(
                "credit_code",
                crate::zh_en!(
                    "统一社会信用代码的本体代码应为 17 位",
                    "the body of a credit code has 17 characters"
                ),
            ));
        }
        let mut code = body.to_string();
        code.push(Self::check_char(&values) as char);
        Self::parse(&code)
    }

    fn check_char(values: &[u32]) -> u8 {
        let sum: u32 = values.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
        ALPHABET[((31 - sum % 31) % 31) as usize]
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The GB/T 2260 county code of the registering authority (positions 3–8).
    pub fn region_prefix(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CreditCode {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for CreditCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CreditCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for CreditCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[0-9A-HJ-NPQRTUWXY]{18}$"))
            .description(Some(
                "Unified social credit code (GB 32100-2015), check character verified",
            ))
            .examples(["11330183002500201G"])
            .into()
    }
}
#[cfg(feature = "openapi")]
impl utoipa::ToSchema for CreditCode {}

/// The legal nature of the body exercising a power.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum DepartmentNature {
    /// 法定机关
    LegalAgency,
    /// 法律法规授权组织
    AuthorizedOrganization,
    /// 受委托组织
    EntrustedOrganization,
}

impl DepartmentNature {
    pub fn zh(self) -> &'static str {
        match self {
            Self::LegalAgency => "法定机关",
            Self::AuthorizedOrganization => "授权组织",
            Self::EntrustedOrganization => "受委托组织",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match crate::text::comparison_key(s).as_str() {
            "legal_agency" | "法定机关" | "行政机关" => Some(Self::LegalAgency),
            "authorized_organization" | "授权组织" | "法律法规授权组织" => {
                Some(Self::AuthorizedOrganization)
            }
            "entrusted_organization" | "受委托组织" | "委托组织" => {
                Some(Self::EntrustedOrganization)
            }
            _ => None,
        }
    }
}

/// A department (实施主体) that exercises powers, identified by its credit code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Department {
    pub credit_code: CreditCode,
    pub name: String,
    pub region: RegionCode,
    pub nature: DepartmentNature,
}

impl Department {
    pub fn new(
        credit_code: CreditCode,
        name: &str,
        region: RegionCode,
        nature: DepartmentNature,
    ) -> Result<Self, DomainError> {
        let name = crate::text::tidy(name);
        if name.is_empty() {
            return Err(DomainError::Invalid(vec![FieldError::new(
                "name",
                crate::zh_en!("请填写部门名称", "a department needs a name"),
            )]));
        }
        Ok(Self {
            credit_code,
            name,
            region,
            nature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_published_codes() {
        // Codes of real bodies, as printed on their public notices.
        for code in [
            "91350100M000100Y43",
            "91110000802100433B",
            "12100000400010398P",
        ] {
            CreditCode::parse(code).unwrap_or_else(|e| panic!("{code}: {e}"));
        }
    }

    #[test]
    fn refuses_wrong_check_character_and_says_which() {
        let e = CreditCode::parse("91350100M000100Y44")
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected «3»"), "{e}");
    }

    #[test]
    fn refuses_letters_the_standard_excludes() {
        let e = CreditCode::parse("91350100M0001O0Y43")
            .unwrap_err()
            .to_string();
        assert!(e.contains("«O» at position 14"), "{e}");
        let e = CreditCode::parse("9135010").unwrap_err().to_string();
        assert!(e.contains("18"), "{e}");
    }

    #[test]
    fn completes_a_body_and_folds_width() {
        let c = CreditCode::with_check("11330183002500201").unwrap();
        assert_eq!(c.region_prefix(), "330183");
        let full_width: String = c
            .as_str()
            .chars()
            .map(|ch| char::from_u32(ch as u32 + 0xFEE0).unwrap())
            .collect();
        assert_eq!(CreditCode::parse(&full_width).unwrap(), c);
        assert_eq!(CreditCode::parse(&c.as_str().to_lowercase()).unwrap(), c);
    }
}
