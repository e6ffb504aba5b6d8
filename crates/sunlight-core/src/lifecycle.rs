//! The lifecycle of a power: every change is a new version, and only these changes exist.
//!
//! ```text
//!            create            amend (any field but status)
//!   (none) ─────────▶ active ◀──────────┐
//!                      │  ▲ release      │
//!      strictly_control│  │              │
//!                      ▼  │              │
//!              strictly_controlled ──────┘
//!   active | strictly_controlled ──cancel──▶ cancelled
//!                                ──delegate─▶ delegated{mode, to_level}
//!                                ──merge────▶ merged{into}
//! ```
//! Cancelled, delegated and merged are final at this level: the power lives on where it went.
//! A power usually enters the list active; one migrated from another system may enter in the
//! status it already had there (a cancelled power's history is still part of the list).

use crate::error::{DomainError, ErrorCode};
use crate::power::{DelegationMode, Power, PowerCode, PowerStatus};
use crate::region::RegionLevel;
use serde::{Deserialize, Serialize};

/// One change to the list, as proposed and, once approved, published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PowerChange {
    /// A power enters the list.
    Create {
        power: Box<Power>,
    },
    /// A new text for a listed power (status is changed only by the other kinds).
    Amend {
        power: Box<Power>,
    },
    Cancel {
        code: PowerCode,
    },
    Delegate {
        code: PowerCode,
        mode: DelegationMode,
        to_level: RegionLevel,
    },
    Merge {
        code: PowerCode,
        into: PowerCode,
    },
    StrictlyControl {
        code: PowerCode,
    },
    Release {
        code: PowerCode,
    },
}

/// The kind of a change, as recorded on each version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ChangeKind {
    Create,
    Amend,
    Cancel,
    Delegate,
    Merge,
    StrictlyControl,
    Release,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Amend => "amend",
            Self::Cancel => "cancel",
            Self::Delegate => "delegate",
            Self::Merge => "merge",
            Self::StrictlyControl => "strictly_control",
            Self::Release => "release",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Self::Create => "新增",
            Self::Amend => "变更",
            Self::Cancel => "取消",
            Self::Delegate => "下放",
            Self::Merge => "合并",
            Self::StrictlyControl => "列入严管",
            Self::Release => "解除严管",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Create,
            Self::Amend,
            Self::Cancel,
            Self::Delegate,
            Self::Merge,
            Self::StrictlyControl,
            Self::Release,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

impl PowerChange {
    pub fn code(&self) -> &PowerCode {
        match self {
            Self::Create { power } | Self::Amend { power } => &power.code,
            Self::Cancel { code }
            | Self::Delegate { code, .. }
            | Self::Merge { code, .. }
            | Self::StrictlyControl { code }
            | Self::Release { code } => code,
        }
    }

    pub fn kind(&self) -> ChangeKind {
        match self {
            Self::Create { .. } => ChangeKind::Create,
            Self::Amend { .. } => ChangeKind::Amend,
            Self::Cancel { .. } => ChangeKind::Cancel,
            Self::Delegate { .. } => ChangeKind::Delegate,
            Self::Merge { .. } => ChangeKind::Merge,
            Self::StrictlyControl { .. } => ChangeKind::StrictlyControl,
            Self::Release { .. } => ChangeKind::Release,
        }
    }

    /// Applies the change to the power's latest version (`None` if not listed), answering the
    /// power's next version or why the change is refused. `merge_target` is the latest version
    /// of the power a merge goes into.
    pub fn apply(
        self,
        current: Option<&Power>,
        merge_target: Option<&Power>,
    ) -> Result<Power, DomainError> {
        let code = self.code().clone();
        let listed = |current: Option<&Power>| {
            current.cloned().ok_or_else(|| {
                DomainError::rule(
                    ErrorCode::PowerNotInList,
                    crate::zh_en!(
                        "事项 {code} 不在权力清单内",
                        "power {code} is not in the list"
                    ),
                )
            })
        };
        // What is to be done: (中文, English).
        let exercisable = |p: Power, (zh, en): (&str, &str)| {
            if p.status.is_exercisable() {
                Ok(p)
            } else {
                Err(DomainError::rule(
                    ErrorCode::InvalidTransition,
                    crate::zh_en!(
                        "事项 {code} 当前状态为“{status}”，不能{zh}",
                        "power {code} is {status}; it cannot be {en}",
                        code = &p.code,
                        status = p.status.zh(),
                    ),
                ))
            }
        };
        match self {
            Self::Create { power } => {
                if let Some(existing) = current {
                    return Err(DomainError::rule(
                        ErrorCode::DuplicatePowerCode,
                        crate::zh_en!(
                            "编码 {code} 已被“{name}”使用",
                            "code {code} is already used by «{name}»",
                            code = &existing.code,
                            name = &existing.name,
                        ),
                    ));
                }
                power.validated()
            }
            Self::Amend { power } => {
                let prev = exercisable(listed(current)?, ("修改", "amended"))?;
                let mut power = power.validated()?;
                if power.status != prev.status && power.status != PowerStatus::Active {
                    return Err(DomainError::rule(
                        ErrorCode::InvalidTransition,
                        crate::zh_en!(
                            "修改事项不能同时改变其状态；请分别办理取消、下放、合并或严管",
                            "an amendment cannot change the status; use cancel, delegate, merge or strictly_control"
                        ),
                    ));
                }
                power.status = prev.status;
                Ok(power)
            }
            Self::Cancel { .. } => {
                let mut p = exercisable(listed(current)?, ("取消", "cancelled"))?;
                p.status = PowerStatus::Cancelled;
                Ok(p)
            }
            Self::Delegate { mode, to_level, .. } => {
                let mut p = exercisable(listed(current)?, ("下放", "delegated"))?;
                if to_level <= p.exercise_level {
                    return Err(DomainError::rule(
                        ErrorCode::InvalidDelegation,
                        crate::zh_en!(
                            "事项 {code} 由{from}行使，只能向下级下放，不能下放至{to}",
                            "power {code} is exercised at the {from} level; it can only be delegated down, not to the {to} level",
                            code = &p.code,
                            from = p.exercise_level.zh(),
                            to = to_level.zh(),
                        ),
                    ));
                }
                p.status = PowerStatus::Delegated { mode, to_level };
                Ok(p)
            }
            Self::Merge { into, .. } => {
                let mut p = exercisable(listed(current)?, ("合并", "merged"))?;
                let target_ok = into != p.code
                    && merge_target.is_some_and(|t| t.code == into && t.status.is_exercisable());
                if !target_ok {
                    return Err(DomainError::rule(
                        ErrorCode::InvalidMergeTarget,
                        crate::zh_en!(
                            "事项 {code} 只能并入清单内另一项有效事项，{into} 不符合",
                            "power {code} can only be merged into another listed, active power; {into} is not",
                            code = &p.code,
                        ),
                    ));
                }
                p.status = PowerStatus::Merged { into };
                Ok(p)
            }
            Self::StrictlyControl { .. } => {
                let mut p = listed(current)?;
                if p.status != PowerStatus::Active {
                    return Err(DomainError::rule(
                        ErrorCode::InvalidTransition,
                        crate::zh_en!(
                            "只有有效事项才能列入严管；{code} 当前为“{status}”",
                            "only an active power can be put under strict control; {code} is {status}",
                            code = &p.code,
                            status = p.status.zh(),
                        ),
                    ));
                }
                p.status = PowerStatus::StrictlyControlled;
                Ok(p)
            }
            Self::Release { .. } => {
                let mut p = listed(current)?;
                if p.status != PowerStatus::StrictlyControlled {
                    return Err(DomainError::rule(
                        ErrorCode::InvalidTransition,
                        crate::zh_en!(
                            "事项 {code} 未列入严管",
                            "power {code} is not under strict control",
                            code = &p.code,
                        ),
                    ));
                }
                p.status = PowerStatus::Active;
                Ok(p)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use crate::fixtures::power;

    fn code(s: &str) -> PowerCode {
        PowerCode::parse(s).unwrap()
    }

    fn refused(change: PowerChange, current: Option<&Power>, target: Option<&Power>) -> ErrorCode {
        change.apply(current, target).unwrap_err().code()
    }

    #[test]
    fn create_needs_a_free_code_and_a_valid_power() {
        let p = power("A1");
        let created = PowerChange::Create {
            power: Box::new(p.clone()),
        }
        .apply(None, None)
        .unwrap();
        assert_eq!(created.status, PowerStatus::Active);
        assert_eq!(
            refused(
                PowerChange::Create {
                    power: Box::new(p.clone())
                },
                Some(&p),
                None
            ),
            ErrorCode::DuplicatePowerCode
        );
        let mut bad = p.clone();
        bad.name = " \u{3000}".into();
        bad.legal_basis.clear();
        let err = PowerChange::Create {
            power: Box::new(bad),
        }
        .apply(None, None)
        .unwrap_err();
        let fields: Vec<_> = err
            .field_errors()
            .iter()
            .map(|e| e.field.as_str())
            .collect();
        assert_eq!(fields, ["name", "legal_basis"]);
    }

    #[test]
    fn amend_keeps_status_and_refuses_unlisted_or_gone_powers() {
        let mut p = power("A1");
        p.status = PowerStatus::StrictlyControlled;
        let mut text = p.clone();
        text.name = "食品经营许可（含小餐饮）".into();
        text.status = PowerStatus::Active;
        let amended = PowerChange::Amend {
            power: Box::new(text.clone()),
        }
        .apply(Some(&p), None)
        .unwrap();
        assert_eq!(amended.status, PowerStatus::StrictlyControlled);
        assert_eq!(amended.name, "食品经营许可（含小餐饮）");
        assert_eq!(
            refused(
                PowerChange::Amend {
                    power: Box::new(text.clone())
                },
                None,
                None
            ),
            ErrorCode::PowerNotInList
        );
        let mut gone = p.clone();
        gone.status = PowerStatus::Cancelled;
        assert_eq!(
            refused(
                PowerChange::Amend {
                    power: Box::new(text.clone())
                },
                Some(&gone),
                None
            ),
            ErrorCode::InvalidTransition
        );
        text.status = PowerStatus::Cancelled;
        assert_eq!(
            refused(
                PowerChange::Amend {
                    power: Box::new(text)
                },
                Some(&p),
                None
            ),
            ErrorCode::InvalidTransition
        );
    }

    #[test]
    fn cancel_is_final() {
        let p = power("A1");
        let cancelled = PowerChange::Cancel { code: code("A1") }
            .apply(Some(&p), None)
            .unwrap();
        assert_eq!(cancelled.status, PowerStatus::Cancelled);
        assert_eq!(
            refused(
                PowerChange::Cancel { code: code("A1") },
                Some(&cancelled),
                None
            ),
            ErrorCode::InvalidTransition
        );
        assert_eq!(
            refused(
                PowerChange::StrictlyControl { code: code("A1") },
                Some(&cancelled),
                None
            ),
            ErrorCode::InvalidTransition
        );
        assert_eq!(
            refused(PowerChange::Cancel { code: code("A1") }, None, None),
            ErrorCode::PowerNotInList
        );
    }

    #[test]
    fn delegation_only_goes_down() {
        let p = power("A1");
        let d = PowerChange::Delegate {
            code: code("A1"),
            mode: DelegationMode::Entrusted,
            to_level: RegionLevel::Township,
        }
        .apply(Some(&p), None)
        .unwrap();
        assert_eq!(
            d.status,
            PowerStatus::Delegated {
                mode: DelegationMode::Entrusted,
                to_level: RegionLevel::Township
            }
        );
        for level in [RegionLevel::County, RegionLevel::City] {
            let c = PowerChange::Delegate {
                code: code("A1"),
                mode: DelegationMode::Direct,
                to_level: level,
            };
            assert_eq!(refused(c, Some(&p), None), ErrorCode::InvalidDelegation);
        }
    }

    #[test]
    fn merge_needs_another_active_target() {
        let a = power("A1");
        let b = power("B1");
        let merged = PowerChange::Merge {
            code: code("A1"),
            into: code("B1"),
        }
        .apply(Some(&a), Some(&b))
        .unwrap();
        assert_eq!(merged.status, PowerStatus::Merged { into: code("B1") });
        assert_eq!(
            refused(
                PowerChange::Merge {
                    code: code("A1"),
                    into: code("A1")
                },
                Some(&a),
                Some(&a)
            ),
            ErrorCode::InvalidMergeTarget
        );
        assert_eq!(
            refused(
                PowerChange::Merge {
                    code: code("A1"),
                    into: code("B1")
                },
                Some(&a),
                None
            ),
            ErrorCode::InvalidMergeTarget
        );
        let mut gone = b.clone();
        gone.status = PowerStatus::Cancelled;
        assert_eq!(
            refused(
                PowerChange::Merge {
                    code: code("A1"),
                    into: code("B1")
                },
                Some(&a),
                Some(&gone)
            ),
            ErrorCode::InvalidMergeTarget
        );
    }

    #[test]
    fn strict_control_and_release_pair_up() {
        let p = power("A1");
        let s = PowerChange::StrictlyControl { code: code("A1") }
            .apply(Some(&p), None)
            .unwrap();
        assert_eq!(s.status, PowerStatus::StrictlyControlled);
        assert_eq!(
            refused(
                PowerChange::StrictlyControl { code: code("A1") },
                Some(&s),
                None
            ),
            ErrorCode::InvalidTransition
        );
        let r = PowerChange::Release { code: code("A1") }
            .apply(Some(&s), None)
            .unwrap();
        assert_eq!(r.status, PowerStatus::Active);
        assert_eq!(
            refused(PowerChange::Release { code: code("A1") }, Some(&r), None),
            ErrorCode::InvalidTransition
        );
    }

    #[test]
    fn committed_limit_may_not_exceed_statutory() {
        let mut p = power("A1");
        p.guide.committed_limit = Some(crate::TimeLimit::working_days(25));
        let err = PowerChange::Create { power: Box::new(p) }
            .apply(None, None)
            .unwrap_err();
        assert_eq!(err.field_errors()[0].field, "guide.committed_limit");
    }
}

/// The change that turns the listed version of a power (`None` = not listed) into `wanted`,
/// as an import of an updated list needs it: `None` when nothing differs. A status change
/// must come alone, not mixed with a new text, so that each version says one thing.
pub fn change_between(
    current: Option<&Power>,
    wanted: Power,
) -> Result<Option<PowerChange>, DomainError> {
    let Some(current) = current else {
        return Ok(Some(PowerChange::Create {
            power: Box::new(wanted),
        }));
    };
    if *current == wanted {
        return Ok(None);
    }
    if current.status == wanted.status {
        return Ok(Some(PowerChange::Amend {
            power: Box::new(wanted),
        }));
    }
    let mut same_text = wanted.clone();
    same_text.status = current.status.clone();
    if same_text != *current {
        return Err(DomainError::rule(
            ErrorCode::InvalidTransition,
            crate::zh_en!(
                "事项 {code} 同时改变了内容和状态（{from} → {to}），请分两次调整",
                "power {code} changes both its text and its status ({from} → {to}); change them in two steps",
                code = &wanted.code,
                from = current.status.zh(),
                to = wanted.status.zh(),
            ),
        ));
    }
    let code = wanted.code.clone();
    Ok(Some(match wanted.status {
        PowerStatus::Active => PowerChange::Release { code },
        PowerStatus::StrictlyControlled => PowerChange::StrictlyControl { code },
        PowerStatus::Cancelled => PowerChange::Cancel { code },
        PowerStatus::Delegated { mode, to_level } => PowerChange::Delegate {
            code,
            mode,
            to_level,
        },
        PowerStatus::Merged { into } => PowerChange::Merge { code, into },
    }))
}

#[cfg(test)]
mod change_between_tests {
    use super::*;
    use crate::fixtures::power;

    #[test]
    fn picks_the_change_an_updated_list_implies() {
        let p = power("A1");
        assert!(matches!(
            change_between(None, p.clone()),
            Ok(Some(PowerChange::Create { .. }))
        ));
        assert_eq!(change_between(Some(&p), p.clone()), Ok(None));
        let mut renamed = p.clone();
        renamed.name = "新名称".into();
        assert!(matches!(
            change_between(Some(&p), renamed.clone()),
            Ok(Some(PowerChange::Amend { .. }))
        ));
        let mut cancelled = p.clone();
        cancelled.status = PowerStatus::Cancelled;
        assert!(matches!(
            change_between(Some(&p), cancelled),
            Ok(Some(PowerChange::Cancel { .. }))
        ));
        renamed.status = PowerStatus::Cancelled;
        assert_eq!(
            change_between(Some(&p), renamed).unwrap_err().code(),
            ErrorCode::InvalidTransition
        );
    }
}
