//! Cross-level consistency (五统一): the same power, listed by several regions under one basic
//! code, must agree in name, category and legal basis. The report lists every divergence,
//! taking the version held at the highest level (province, then city…) as the reference.

use crate::power::{Power, PowerCategory};
use crate::region::{RegionCode, RegionLevel};
use crate::text::comparison_key;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ConsistencyField {
    Name,
    Category,
    LegalBasis,
}

impl ConsistencyField {
    pub fn zh(self) -> &'static str {
        match self {
            Self::Name => "事项名称",
            Self::Category => "权力类别",
            Self::LegalBasis => "设定依据",
        }
    }
}

/// One power holding one variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Holder {
    pub code: String,
    pub region: RegionCode,
    pub level: RegionLevel,
}

/// One value of a field and the powers that hold it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Variant {
    pub value: String,
    pub holders: Vec<Holder>,
}

/// A field on which the powers of one basic code disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Divergence {
    pub basic_code: String,
    pub field: ConsistencyField,
    /// The first variant is the reference (held at the highest level); the rest diverge from it.
    pub variants: Vec<Variant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsistencyReport {
    /// Basic codes listed by two or more powers.
    pub shared_codes: usize,
    pub divergences: Vec<Divergence>,
}

/// Compares every group of powers that share a basic code. Powers no longer exercised
/// (cancelled, delegated, merged) are left out: they no longer speak for the list.
pub fn report<'a>(powers: impl IntoIterator<Item = &'a Power>) -> ConsistencyReport {
    let mut groups: BTreeMap<&str, Vec<&Power>> = BTreeMap::new();
    for p in powers.into_iter().filter(|p| p.status.is_exercisable()) {
        if let Some(b) = p.basic_code.as_deref() {
            groups.entry(b).or_default().push(p);
        }
    }
    let mut out = ConsistencyReport {
        shared_codes: 0,
        divergences: Vec::new(),
    };
    for (basic, mut group) in groups {
        if group.len() < 2 {
            continue;
        }
        out.shared_codes += 1;
        group.sort_by(|a, b| (a.exercise_level, &a.code).cmp(&(b.exercise_level, &b.code)));
        let fields: [(ConsistencyField, KeyOf); 3] = [
            (ConsistencyField::Name, |p| {
                (comparison_key(&p.name), p.name.clone())
            }),
            (ConsistencyField::Category, |p| {
                (
                    category_key(p.category),
                    format!("{} {}", p.category.code(), p.category.zh()),
                )
            }),
            (ConsistencyField::LegalBasis, |p| {
                let mut keys: Vec<String> =
                    p.legal_basis.iter().map(|b| b.citation_key()).collect();
                keys.sort();
                keys.dedup();
                let shown = p
                    .legal_basis
                    .iter()
                    .map(|b| format!("{}{}", b.instrument, b.article))
                    .collect::<Vec<_>>()
                    .join("；");
                (keys.join(";"), shown)
            }),
        ];
        for (field, key_of) in fields {
            // Variants keep first-seen order, so the highest-level holder's value leads.
            let mut variants: Vec<(String, Variant)> = Vec::new();
            for p in &group {
                let (key, shown) = key_of(p);
                let holder = Holder {
                    code: p.code.to_string(),
                    region: p.region,
                    level: p.exercise_level,
                };
                match variants.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, v)) => v.holders.push(holder),
                    None => variants.push((
                        key,
                        Variant {
                            value: shown,
                            holders: vec![holder],
                        },
                    )),
                }
            }
            if variants.len() > 1 {
                out.divergences.push(Divergence {
                    basic_code: basic.to_string(),
                    field,
                    variants: variants.into_iter().map(|(_, v)| v).collect(),
                });
            }
        }
    }
    out
}

/// The comparison key and the shown value of one field of a power.
type KeyOf = fn(&Power) -> (String, String);

fn category_key(c: PowerCategory) -> String {
    c.code().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::power;
    use crate::{LegalBasis, PowerStatus};

    fn at(code: &str, region: &str, level: RegionLevel) -> Power {
        let mut p = power(code);
        p.region = RegionCode::parse(region).unwrap();
        p.exercise_level = level;
        p
    }

    #[test]
    fn agreeing_powers_give_an_empty_report() {
        let city = at("C1", "330100", RegionLevel::City);
        let mut county = at("X1", "330183", RegionLevel::County);
        // Presentation differences are not divergences.
        county.name = "食品经营 许可".into();
        county.legal_basis[0].instrument = "食品安全法".into();
        let r = report([&city, &county]);
        assert_eq!(r.shared_codes, 1);
        assert!(r.divergences.is_empty(), "{r:?}");
    }

    #[test]
    fn lists_each_divergent_field_with_the_higher_level_as_reference() {
        let city = at("C1", "330100", RegionLevel::City);
        let mut a = at("X1", "330183", RegionLevel::County);
        a.name = "食品经营许可证核发".into();
        a.category = crate::PowerCategory::Confirmation;
        let mut b = at("X2", "330182", RegionLevel::County);
        b.legal_basis.push(LegalBasis {
            instrument: "《食品经营许可管理办法》".into(),
            article: "第二条".into(),
            text: String::new(),
        });
        let mut gone = at("X3", "330122", RegionLevel::County);
        gone.name = "别的名字".into();
        gone.status = PowerStatus::Cancelled;
        let r = report([&a, &b, &city, &gone]);
        let fields: Vec<_> = r.divergences.iter().map(|d| d.field).collect();
        assert_eq!(
            fields,
            [
                ConsistencyField::Name,
                ConsistencyField::Category,
                ConsistencyField::LegalBasis
            ]
        );
        let name = &r.divergences[0];
        assert_eq!(name.variants[0].value, "食品经营许可");
        assert_eq!(name.variants[0].holders[0].code, "C1");
        assert_eq!(name.variants[1].holders[0].code, "X1");
        assert!(r.divergences.iter().all(|d| {
            d.variants
                .iter()
                .all(|v| v.holders.iter().all(|h| h.code != "X3"))
        }));
    }
}
