//! Sunlight's pure domain: the registry of administrative powers (权力清单) and its companion lists.
//!
//! Everything here is plain data and rules — no IO, no async, no database — so it cannot fail
//! for reasons outside its inputs. Values are parsed at the edge into newtypes ([`RegionCode`],
//! [`CreditCode`], [`PowerCode`]) and the rules ([`lifecycle`], [`review`], [`consistency`]) take
//! already-valid values and answer with a [`DomainError`] carrying a stable error code.

pub mod calendar;
pub mod case;
pub mod checkout;
pub mod clock;
pub mod complaint;
pub mod consistency;
pub mod department;
pub mod diff;
pub mod discretion;
pub mod error;
pub mod flow;
pub mod lifecycle;
pub mod negative;
pub mod notice;
pub mod personal;
pub mod power;
pub mod process;
pub mod region;
pub mod review;
pub mod staff;
pub mod supervision;
pub mod text;

pub use department::{CreditCode, Department, DepartmentNature};
pub use error::{Code, DomainError, ErrorCode, FieldError, Lang, Text, field_label};
pub use power::{
    AccountabilityCase, CaseType, DelegationMode, Duty, DutyPhase, Faq, Fee, IntermediaryService,
    LegalBasis, Material, MaterialForm, Power, PowerCategory, PowerCode, PowerSource, PowerStatus,
    Responsibility, ServiceGuide, Target, TimeLimit, TimeUnit, Usage,
};
pub use region::{Region, RegionCode, RegionLevel};
pub use staff::{Role, User, Username};

/// A calendar date (`YYYY-MM-DD`), the unit of effective dates and as-of reads.
pub type Date = jiff::civil::Date;
/// An instant, stored and compared in UTC, shown in the configured zone.
pub type Timestamp = jiff::Timestamp;

#[cfg(test)]
pub(crate) mod fixtures {
    use crate::*;

    /// 食品经营许可 of 富阳区市场监督管理局, as a county list would hold it.
    pub fn power(code: &str) -> Power {
        let region = RegionCode::parse("330183").unwrap();
        Power {
            code: PowerCode::parse(code).unwrap(),
            parent: None,
            basic_code: Some("330217003000".into()),
            name: "食品经营许可".into(),
            category: PowerCategory::Licensing,
            department: CreditCode::with_check("11330183MB1234567").unwrap(),
            region,
            exercise_level: RegionLevel::County,
            source: PowerSource::Statutory,
            usage: Usage::Common,
            legal_basis: vec![LegalBasis {
                instrument: "《中华人民共和国食品安全法》".into(),
                article: "第三十五条第一款".into(),
                text: "国家对食品生产经营实行许可制度。".into(),
            }],
            guide: ServiceGuide {
                statutory_limit: Some(TimeLimit::working_days(20)),
                committed_limit: Some(TimeLimit::working_days(10)),
                ..Default::default()
            },
            responsibility: Responsibility::default(),
            flow: None,
            status: PowerStatus::Active,
        }
    }

    pub fn user(name: &str, roles: &[Role]) -> User {
        User {
            username: Username::parse(name).unwrap(),
            display_name: name.into(),
            department: None,
            roles: roles.to_vec(),
        }
    }
}
