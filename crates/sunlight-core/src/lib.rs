//! Sunlight's pure domain: the registry of administrative powers (权力清单) and its companion lists.
//!
//! Everything here is plain data and rules — no IO, no async, no database — so it cannot fail
//! for reasons outside its inputs. Values are parsed at the edge into newtypes ([`RegionCode`],
//! [`CreditCode`], [`PowerCode`]) and the rules ([`lifecycle`], [`review`], [`consistency`]) take
//! already-valid values and answer with a [`DomainError`] carrying a stable error code.

pub mod consistency;
pub mod department;
pub mod diff;
pub mod error;
pub mod lifecycle;
pub mod negative;
pub mod power;
pub mod region;
pub mod review;
pub mod staff;
pub mod text;

pub use department::{CreditCode, Department, DepartmentNature};
pub use error::{DomainError, ErrorCode, FieldError};
pub use power::{
    AccountabilityCase, CaseType, DelegationMode, Duty, DutyPhase, Fee, LegalBasis, Material,
    MaterialForm, Power, PowerCategory, PowerCode, PowerSource, PowerStatus, Responsibility,
    ServiceGuide, TimeLimit, TimeUnit, Usage,
};
pub use region::{Region, RegionCode, RegionLevel};
pub use staff::{Role, User, Username};

/// A calendar date (`YYYY-MM-DD`), the unit of effective dates and as-of reads.
pub type Date = jiff::civil::Date;
/// An instant, stored and compared in UTC, shown in the configured zone.
pub type Timestamp = jiff::Timestamp;
