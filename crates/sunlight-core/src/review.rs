//! Review of changes to the list: proposed by the registry office, approved by a reviewer
//! (法制审核), then published. Nothing is edited in place; a published proposal becomes new
//! versions of the powers it touches.
//!
//! ```text
//!   proposed ──approve (reviewer ≠ proposer)──▶ approved ──publish──▶ published
//!      │  └──reject (reviewer ≠ proposer)──▶ rejected
//!      └──withdraw (proposer)──▶ withdrawn
//! ```

use crate::error::{DomainError, ErrorCode};
use crate::lifecycle::PowerChange;
use crate::staff::{Role, User};
use crate::{Date, Timestamp};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ProposalState {
    Proposed,
    Approved,
    Rejected,
    Withdrawn,
    Published,
}

impl ProposalState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proposed => "proposed",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
            Self::Published => "published",
        }
    }

    /// The state in Chinese (待审核, 已通过 …).
    pub fn zh(self) -> &'static str {
        match self {
            Self::Proposed => "待审核",
            Self::Approved => "已通过",
            Self::Rejected => "已退回",
            Self::Withdrawn => "已撤回",
            Self::Published => "已公布",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Proposed,
            Self::Approved,
            Self::Rejected,
            Self::Withdrawn,
            Self::Published,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// Where a proposal came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Origin {
    /// Typed in through the API or pages.
    Manual,
    /// Read from a file; its SHA-256 identifies exactly what was read.
    Import {
        file: String,
        sha256: String,
        rows: usize,
    },
}

/// What a proposer submits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposalDraft {
    pub title: String,
    /// Why the list changes: the decision or document behind it.
    pub reason: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub effective_from: Date,
    pub changes: Vec<PowerChange>,
}

impl ProposalDraft {
    pub fn validated(mut self) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        self.title = crate::text::tidy(&self.title);
        self.reason = crate::text::tidy(&self.reason);
        if self.title.is_empty() {
            errors.push(crate::FieldError::new(
                "title",
                crate::zh_en!("请填写调整方案标题", "a proposal needs a title"),
            ));
        }
        if self.reason.is_empty() {
            errors.push(crate::FieldError::new(
                "reason",
                crate::zh_en!(
                    "请写明调整依据（决定或文件）",
                    "say why the list changes (the decision or document)"
                ),
            ));
        }
        if self.changes.is_empty() {
            errors.push(crate::FieldError::new(
                "changes",
                crate::zh_en!(
                    "调整方案至少应调整一项权力",
                    "a proposal changes at least one power"
                ),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, c) in self.changes.iter().enumerate() {
            if !seen.insert(c.code().clone()) {
                errors.push(crate::FieldError::new(
                    format!("changes[{i}]"),
                    crate::zh_en!(
                        "事项 {code} 在同一方案中被调整了两次",
                        "power {code} is changed twice in one proposal",
                        code = c.code(),
                    ),
                ));
            }
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

/// A proposal and its review trail (without its changes, which can be many).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Proposal {
    pub id: i64,
    pub title: String,
    pub reason: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub effective_from: Date,
    pub state: ProposalState,
    pub origin: Origin,
    pub change_count: usize,
    pub proposed_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub proposed_at: Timestamp,
    pub reviewed_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub reviewed_at: Option<Timestamp>,
    pub review_note: Option<String>,
    pub published_by: Option<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub published_at: Option<Timestamp>,
}

/// An act on a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewAct {
    Approve,
    Reject,
    Withdraw,
    Publish,
}

impl ReviewAct {
    /// The state the act leads to, checking that `actor` may do it to `proposal` now.
    pub fn check(self, proposal: &Proposal, actor: &User) -> Result<ProposalState, DomainError> {
        let (from, to, role) = match self {
            Self::Approve => (
                ProposalState::Proposed,
                ProposalState::Approved,
                Role::Reviewer,
            ),
            Self::Reject => (
                ProposalState::Proposed,
                ProposalState::Rejected,
                Role::Reviewer,
            ),
            Self::Withdraw => (
                ProposalState::Proposed,
                ProposalState::Withdrawn,
                Role::RegistryEditor,
            ),
            Self::Publish => (
                ProposalState::Approved,
                ProposalState::Published,
                Role::RegistryEditor,
            ),
        };
        actor.require(role)?;
        if proposal.state != from {
            return Err(DomainError::rule(
                ErrorCode::ProposalState,
                crate::zh_en!(
                    "调整方案 {id} 当前为“{is}”，只有“{from}”的方案才能改为“{to}”",
                    "proposal {id} is {is_en}; only a {from_en} proposal can be {to_en}",
                    id = proposal.id,
                    is_en = proposal.state.as_str(),
                    from_en = from.as_str(),
                    to_en = to.as_str(),
                    is = proposal.state.zh(),
                    from = from.zh(),
                    to = to.zh(),
                ),
            ));
        }
        let is_proposer = actor.username.as_str() == proposal.proposed_by;
        match self {
            Self::Approve | Self::Reject if is_proposer => Err(DomainError::rule(
                ErrorCode::SeparationOfDuties,
                crate::zh_en!(
                    "{user} 是本方案的提出人，不能同时审核（法制审核须由他人进行）",
                    "{user} proposed this change and cannot also review it (法制审核 is someone else's)",
                    user = &actor.username,
                ),
            )),
            Self::Withdraw if !is_proposer => Err(DomainError::rule(
                ErrorCode::SeparationOfDuties,
                crate::zh_en!(
                    "只有提出人（{by}）才能撤回调整方案 {id}",
                    "only the proposer ({by}) can withdraw proposal {id}",
                    by = &proposal.proposed_by,
                    id = proposal.id,
                ),
            )),
            _ => Ok(to),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::user;

    fn proposal(state: ProposalState) -> Proposal {
        Proposal {
            id: 7,
            title: "调整食品经营许可".into(),
            reason: "富政办发〔2026〕12号".into(),
            effective_from: jiff::civil::date(2026, 12, 1),
            state,
            origin: Origin::Manual,
            change_count: 1,
            proposed_by: "li.na".into(),
            proposed_at: jiff::Timestamp::UNIX_EPOCH,
            reviewed_by: None,
            reviewed_at: None,
            review_note: None,
            published_by: None,
            published_at: None,
        }
    }

    #[test]
    fn an_editor_cannot_approve_their_own_proposal() {
        let both = user("li.na", &[Role::RegistryEditor, Role::Reviewer]);
        let err = ReviewAct::Approve
            .check(&proposal(ProposalState::Proposed), &both)
            .unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::SeparationOfDuties);
        let err = ReviewAct::Reject
            .check(&proposal(ProposalState::Proposed), &both)
            .unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::SeparationOfDuties);
    }

    #[test]
    fn each_act_needs_its_role_and_state() {
        let reviewer = user("wang.fang", &[Role::Reviewer]);
        let editor = user("li.na", &[Role::RegistryEditor]);
        let other_editor = user("zhao.lei", &[Role::RegistryEditor]);
        assert_eq!(
            ReviewAct::Approve.check(&proposal(ProposalState::Proposed), &reviewer),
            Ok(ProposalState::Approved)
        );
        assert_eq!(
            ReviewAct::Reject.check(&proposal(ProposalState::Proposed), &reviewer),
            Ok(ProposalState::Rejected)
        );
        assert_eq!(
            ReviewAct::Approve
                .check(&proposal(ProposalState::Proposed), &editor)
                .unwrap_err()
                .code(),
            crate::ErrorCode::RoleRequired
        );
        assert_eq!(
            ReviewAct::Publish
                .check(&proposal(ProposalState::Proposed), &editor)
                .unwrap_err()
                .code(),
            crate::ErrorCode::ProposalState
        );
        assert_eq!(
            ReviewAct::Publish.check(&proposal(ProposalState::Approved), &other_editor),
            Ok(ProposalState::Published)
        );
        assert_eq!(
            ReviewAct::Publish
                .check(&proposal(ProposalState::Approved), &reviewer)
                .unwrap_err()
                .code(),
            crate::ErrorCode::RoleRequired
        );
        assert_eq!(
            ReviewAct::Withdraw.check(&proposal(ProposalState::Proposed), &editor),
            Ok(ProposalState::Withdrawn)
        );
        assert_eq!(
            ReviewAct::Withdraw
                .check(&proposal(ProposalState::Proposed), &other_editor)
                .unwrap_err()
                .code(),
            crate::ErrorCode::SeparationOfDuties
        );
        assert_eq!(
            ReviewAct::Approve
                .check(&proposal(ProposalState::Published), &reviewer)
                .unwrap_err()
                .code(),
            crate::ErrorCode::ProposalState
        );
    }

    #[test]
    fn drafts_say_everything_that_is_missing() {
        let p = crate::fixtures::power("A1");
        let draft = ProposalDraft {
            title: " ".into(),
            reason: "".into(),
            effective_from: jiff::civil::date(2026, 12, 1),
            changes: vec![
                crate::lifecycle::PowerChange::Create {
                    power: Box::new(p.clone()),
                },
                crate::lifecycle::PowerChange::Cancel {
                    code: p.code.clone(),
                },
            ],
        };
        let err = draft.validated().unwrap_err();
        let fields: Vec<_> = err
            .field_errors()
            .iter()
            .map(|e| e.field.as_str())
            .collect();
        assert_eq!(fields, ["title", "reason", "changes[1]"]);
    }
}
