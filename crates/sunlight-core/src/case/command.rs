//! Who acts and what they ask: actors, submissions, commands, the environment the engine hands in, and whether a power may be exercised at all.

use super::*;

/// Who acts.
#[derive(Debug, Clone)]
pub enum Actor {
    Staff(User),
    /// The applicant, proven at the edge (query code, or their own online session).
    Applicant,
    /// A member of the public, unnamed (a complainant).
    Public,
    /// The engine's clock: a process's timer falling due.
    Timer,
}

impl Actor {
    pub fn name(&self) -> &str {
        match self {
            Self::Staff(u) => u.username.as_str(),
            Self::Applicant => "applicant",
            Self::Public => "public",
            Self::Timer => "timer",
        }
    }

    /// The member of staff acting, or the refusal a non-staff actor gets.
    pub fn staff(&self) -> Result<&User, DomainError> {
        match self {
            Self::Staff(u) => Ok(u),
            Self::Applicant | Self::Public | Self::Timer => Err(DomainError::rule(
                ErrorCode::RoleRequired,
                zh_en!(
                    "此项操作由部门工作人员办理，申请人不能办理",
                    "this act is for department staff, not the applicant"
                ),
            )),
        }
    }
}

/// An application as it arrives.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Submission {
    pub power: String,
    /// The region the applicant applies in; the power's own if absent.
    #[serde(default)]
    pub region: Option<String>,
    pub applicant: Applicant,
    #[serde(default)]
    pub form: serde_json::Value,
    /// Names of the materials handed in (as the guide names them).
    #[serde(default)]
    pub materials: Vec<String>,
    /// Files handed in with them (stored in the blob store first; here by digest).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<MaterialFile>,
}

/// The penalty a decision imposes.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PenaltyInput {
    pub violation: String,
    pub tier: Tier,
    pub amount_fen: i64,
    /// Given only by a collective decision (集体讨论) that goes outside the band: why.
    #[serde(default)]
    pub collective_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionInput {
    pub verdict: Verdict,
    #[serde(default)]
    pub document_no: String,
    #[serde(default)]
    pub reasons: String,
    #[serde(default)]
    pub legal_basis: String,
    #[serde(default)]
    pub penalty: Option<PenaltyInput>,
    /// The documents issued with the decision under the department's seal (filled in by the
    /// application layer, which renders and seals them for the approver who decides).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<SealedDocument>,
}

#[derive(Debug, Clone)]
pub enum CaseCommand {
    Claim {
        task: u32,
    },
    Accept {
        task: u32,
    },
    /// 一次告知: every item to supplement with its reason, and the working days to supply
    /// them in (the rules' default if `None`). Missing required materials are added.
    RequestSupplement {
        task: u32,
        items: Vec<SupplementItem>,
        days: Option<u32>,
        note: String,
    },
    /// The items of the open notice: online as files (the applicant), at the window as files
    /// or paper (`materials`, recorded by the clerk).
    Supplement {
        materials: Vec<String>,
        files: Vec<MaterialFile>,
    },
    /// The notice's last day passed with nothing supplied (the timer only).
    LapseSupplement,
    Refuse {
        task: u32,
        reason: String,
        legal_basis: String,
    },
    /// `co_actors`: the other people of a two-person step, resolved by the engine.
    Complete {
        task: u32,
        outcome: String,
        opinion: String,
        co_actors: Vec<User>,
    },
    Decide {
        task: u32,
        decision: DecisionInput,
        opinion: String,
    },
    Deliver {
        task: u32,
        method: DeliveryMethod,
        date: Date,
    },
    Suspend {
        reason: String,
    },
    Resume,
    Extend {
        days: u32,
        reason: String,
    },
    Withdraw {
        reason: String,
    },
    Rate(Rating),
    /// The department's answer to a 差评: findings, measures, call-back (整改反馈).
    Rectify(Rectified),
    /// A new query code for a lost one, sent to the applicant's mobile; the old one stops
    /// working. The edge makes the code and hands in its keyed hash.
    ReissueQueryCode {
        code_hash: String,
    },
}

/// New query codes a case may be sent in one day (an SMS to the applicant's mobile each; more
/// would let anyone who knows a receipt number flood that phone).
pub const CODES_PER_DAY: u32 = 3;

/// An act a member of staff may take on a case now ([`Case::actions`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Available {
    Claim {
        task: u32,
    },
    Accept {
        task: u32,
    },
    RequestSupplement {
        task: u32,
    },
    /// The applicant's supplement handed in at the window (补正材料已收到).
    ReceiveSupplement {
        task: u32,
    },
    Refuse {
        task: u32,
    },
    Complete {
        task: u32,
    },
    Decide {
        task: u32,
    },
    Deliver {
        task: u32,
    },
    Suspend,
    Resume,
    Extend,
    /// Answer a 差评 (整改反馈).
    Rectify,
}

/// What the engine decides about a new case before the rules see it.
#[derive(Debug, Clone)]
pub struct Intake {
    pub receipt: ReceiptNumber,
    /// The keyed hash of the query code handed to the applicant.
    pub query_code_hash: String,
    /// The open per-use approval this case will use, if any.
    pub checkout: Option<i64>,
    pub channel: Channel,
    pub power_version: i64,
}

/// What the rules need besides the case and the command.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    pub now: Timestamp,
    pub zone: Zone,
    /// The working-day calendar of the case's region.
    pub calendar: &'a Calendar,
    /// The power version the case runs on.
    pub power: &'a Power,
    /// Working days a statutory limit may be extended by (行政许可法 Art. 42: ten).
    pub extension_allowance: u32,
    /// The power's discretion benchmark, for penalties.
    pub benchmark: Option<&'a Benchmark>,
    /// The time to supplement, what a lapse cites, file limits.
    pub service: &'a ServiceRules,
}

impl Env<'_> {
    pub(super) fn today(&self) -> Date {
        self.zone.date(self.now)
    }

    pub(super) fn flow(&self) -> Result<&Flow, DomainError> {
        self.power
            .flow
            .as_ref()
            .ok_or_else(|| no_flow(&self.power.code))
    }
}

pub(super) fn no_flow(code: &PowerCode) -> DomainError {
    DomainError::rule(
        ErrorCode::NoPublishedFlow,
        zh_en!(
            "事项 {code} 尚未公布权力运行流程图，暂不能办理",
            "{code} has no published flow (权力运行流程图); no case can run along it"
        ),
    )
}

pub(super) fn calendar_error(e: CalendarError) -> DomainError {
    DomainError::rule(ErrorCode::CalendarNotLoaded, e.text())
}

/// Whether a case may be opened for `power` in `region` (清单之外无权力): the power must be
/// exercisable, held by that region, have a flow, and — if uncommon — an open per-use approval.
pub fn check_exercisable<'p>(
    power: &'p Power,
    region: Option<&RegionCode>,
    checkout_open: bool,
) -> Result<&'p Flow, DomainError> {
    use crate::power::PowerStatus::*;
    let code = &power.code;
    match &power.status {
        Active | StrictlyControlled => {}
        Cancelled => {
            return Err(DomainError::rule(
                ErrorCode::PowerNotInList,
                zh_en!(
                    "{code}「{name}」已取消，不再行使（清单之外无权力）",
                    "{code} {name} has been cancelled (已取消); it is no longer exercised",
                    name = &power.name,
                ),
            ));
        }
        Delegated { mode, to_level } => {
            return Err(DomainError::rule(
                ErrorCode::PowerNotInList,
                zh_en!(
                    "{code}「{name}」已{mode}至{level}，请向{level}实施机关申请",
                    "{code} {name} has been delegated ({mode}) to the {en_level} level; apply there",
                    name = &power.name,
                    mode = mode.zh(),
                    level = to_level.zh(),
                    en_level = to_level.as_str(),
                ),
            ));
        }
        Merged { into } => {
            return Err(DomainError::rule(
                ErrorCode::PowerNotInList,
                zh_en!(
                    "{code}「{name}」已并入 {into}，请申请该事项",
                    "{code} {name} has been merged into {into}; apply for that power",
                    name = &power.name,
                ),
            ));
        }
    }
    if let Some(r) = region
        && r != &power.region
    {
        return Err(DomainError::rule(
            ErrorCode::PowerNotInList,
            zh_en!(
                "{code} 是区划 {held} 的权力事项，不在 {r} 的权力清单内；请按该地清单办理",
                "{code} is a power of region {held}, not of {r}; that region's own list applies there",
                held = &power.region,
            ),
        ));
    }
    let flow = power.flow.as_ref().ok_or_else(|| no_flow(code))?;
    if power.usage == Usage::Uncommon && !checkout_open {
        return Err(DomainError::rule(
            ErrorCode::CheckoutRequired,
            zh_en!(
                "{code}「{name}」为非常用权力，须经一事一审批准并在有效期内方可行使",
                "{code} {name} is an uncommon power (非常用权力); it is used only while a per-use approval (一事一审) is open",
                name = &power.name,
            ),
        ));
    }
    Ok(flow)
}
