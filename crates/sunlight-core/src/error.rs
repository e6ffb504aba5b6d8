//! The domain's error type and its stable error codes.
//!
//! Every refusal the rules can give has a [`ErrorCode`] whose string form is part of the public
//! API (`code` in `application/problem+json`); never rename one, only add.

use serde::Serialize;
use std::fmt;

/// Stable, documented reasons for a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ErrorCode {
    /// Some fields of the input are malformed; `errors` says which.
    InvalidInput,
    /// A power code is already in the list.
    DuplicatePowerCode,
    /// The power is not in the list (清单之外无权力).
    PowerNotInList,
    /// The requested lifecycle change is not allowed from the power's current status.
    InvalidTransition,
    /// A delegation must go to a lower level than the one exercising the power.
    InvalidDelegation,
    /// A merge target must be another active power.
    InvalidMergeTarget,
    /// A version's effective date precedes the previous version's.
    EffectiveDateRegression,
    /// The actor does not hold the role the act needs.
    RoleRequired,
    /// The same person may not both propose and approve (法制审核 is someone else's).
    SeparationOfDuties,
    /// The proposal is not in the state the act needs.
    ProposalState,
    /// A referenced region, department, parent power or user does not exist.
    UnknownReference,
    /// The power has no published flow, so no case can run along it.
    NoPublishedFlow,
    /// An uncommon power (非常用权力) needs an open per-use approval (一事一审).
    CheckoutRequired,
    /// The case is not in a state that allows this act (e.g. deciding a withdrawn case).
    CaseState,
    /// The task is not open, or is claimed by someone else.
    TaskState,
    /// The task belongs to another department.
    WrongDepartment,
    /// The step needs more distinct people (不能一人入户).
    TwoPersonRequired,
    /// Required materials are missing; request a supplement listing them (一次告知).
    MaterialsIncomplete,
    /// The penalty amount lies outside the discretion band of its violation and tier.
    OutsideDiscretionBand,
    /// A penalty power has no discretion benchmark, so no fine can be checked.
    NoDiscretionBenchmark,
    /// The extension exceeds the statutory allowance.
    ExtensionOverAllowance,
    /// The flow does not allow stopping the clock for this reason.
    SuspensionReason,
    /// The deadline cannot be computed: the calendar lacks the years it runs through.
    CalendarNotLoaded,
    /// Nobody applies for this power: the department opens its cases itself (依职权).
    OpenedByDepartment,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidInput => "invalid_input",
            Self::DuplicatePowerCode => "duplicate_power_code",
            Self::PowerNotInList => "power_not_in_list",
            Self::InvalidTransition => "invalid_transition",
            Self::InvalidDelegation => "invalid_delegation",
            Self::InvalidMergeTarget => "invalid_merge_target",
            Self::EffectiveDateRegression => "effective_date_regression",
            Self::RoleRequired => "role_required",
            Self::SeparationOfDuties => "separation_of_duties",
            Self::ProposalState => "proposal_state",
            Self::UnknownReference => "unknown_reference",
            Self::NoPublishedFlow => "no_published_flow",
            Self::CheckoutRequired => "checkout_required",
            Self::CaseState => "case_state",
            Self::TaskState => "task_state",
            Self::WrongDepartment => "wrong_department",
            Self::TwoPersonRequired => "two_person_required",
            Self::MaterialsIncomplete => "materials_incomplete",
            Self::OutsideDiscretionBand => "outside_discretion_band",
            Self::NoDiscretionBenchmark => "no_discretion_benchmark",
            Self::ExtensionOverAllowance => "extension_over_allowance",
            Self::SuspensionReason => "suspension_reason",
            Self::CalendarNotLoaded => "calendar_not_loaded",
            Self::OpenedByDepartment => "opened_by_department",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing wrong with one field, optionally located by row (sheet import) or line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    /// 1-based row of a sheet, when the input was a sheet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// 1-based line of a text file (CSV, JSON, flow source), when the input was text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The field, as a path (`guide.materials[2].copies`) or a sheet column heading.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            row: None,
            line: None,
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn at_row(mut self, row: usize) -> Self {
        self.row = Some(row);
        self
    }

    /// Prefixes the field path, for errors found inside a nested value.
    pub fn within(mut self, prefix: &str) -> Self {
        self.field = if self.field.is_empty() {
            prefix.to_string()
        } else {
            format!("{prefix}.{}", self.field)
        };
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(row) = self.row {
            write!(f, "row {row}, ")?;
        }
        if let Some(line) = self.line {
            write!(f, "line {line}, ")?;
        }
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// A refusal by the domain's rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("invalid input: {}", join(.0))]
    Invalid(Vec<FieldError>),
    #[error("{message}")]
    Rule { code: ErrorCode, message: String },
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl DomainError {
    pub fn rule(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Rule {
            code,
            message: message.into(),
        }
    }

    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Invalid(_) => ErrorCode::InvalidInput,
            Self::Rule { code, .. } => *code,
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Invalid(errors) => errors,
            Self::Rule { .. } => &[],
        }
    }
}
