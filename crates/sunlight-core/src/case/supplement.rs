//! 补正 and materials as files: the one-time notice (一次性告知书) with every item, its reason
//! and the day to supply it by; what happens when nobody supplies; the files a case holds
//! (each known by its SHA-256 digest — the content lives in the blob store, never in the
//! ledger); and the rules those files keep (type checked by content, size, per-case quota).
//!
//! The law, as data:
//! - 行政许可法 Art. 32(4): materials incomplete or not in legal form → tell the applicant
//!   *everything* to supplement at once (一次告知), on the spot or within five days; not told in
//!   time → deemed accepted on receipt (the monitor's `late_acceptance`).
//! - 行政许可法 Art. 32(5): once the applicant supplies all that was asked, the application is
//!   accepted — the clerk accepts, or refuses with a reason, as before the notice.
//! - The processing clock has not started while 补正 runs: the limits count from acceptance
//!   (行政许可法 Art. 42), so a case awaiting supplement shows its clock stopped, not blue.
//! - 市场监督管理行政许可程序暂行规定 Art. 18: the notice sets a reasonable time to
//!   supplement, and an applicant who lets it pass without good reason is deemed to have given
//!   up the application (视为放弃). [`ServiceRules::lapse_basis`] carries that citation; a
//!   region whose own rules say otherwise configures its own.

use super::decide::holds;
use super::*;

/// One item of a one-time notice: what to supply and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupplementItem {
    /// The material, as the service guide names it (or a name the clerk gives).
    pub material: String,
    /// Why it is needed: missing, expired, unsigned, illegible …
    pub reason: String,
}

/// The open one-time notice (一次性告知书) of a case awaiting supplement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupplementNotice {
    /// The notice's number in the case (1 for the first).
    pub notice: u32,
    pub items: Vec<SupplementItem>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub requested_at: Timestamp,
    /// The last day to supply.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due: Date,
    /// The instant the application lapses if nothing came (the start of the day after `due`).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub lapse_at: Timestamp,
}

/// The kinds of file a material may be: checked by content, not by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum MediaType {
    Pdf,
    /// 版式文档 (GB/T 33190-2016): a ZIP package whose root holds `OFD.xml`.
    Ofd,
    Jpeg,
    Png,
}

impl MediaType {
    pub const ALL: [MediaType; 4] = [Self::Pdf, Self::Ofd, Self::Jpeg, Self::Png];

    /// What the bytes are, from their content alone; `None` for anything else.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(Self::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(Self::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Self::Jpeg)
        } else if bytes.starts_with(b"PK\x03\x04") && zip_names_ofd_root(bytes) {
            Some(Self::Ofd)
        } else {
            None
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Ofd => "application/ofd",
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Ofd => "ofd",
            Self::Jpeg => "jpeg",
            Self::Png => "png",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The file name extension to save it under.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            m => m.as_str(),
        }
    }
}

/// Whether a ZIP archive has an entry named `OFD.xml` at its root (the OFD package's entry
/// point, GB/T 33190-2016 §7.2). Reads the central directory's file names; no inflating.
fn zip_names_ofd_root(bytes: &[u8]) -> bool {
    const CENTRAL: &[u8] = b"PK\x01\x02";
    let mut at = 0;
    while let Some(off) = find(&bytes[at..], CENTRAL) {
        let h = at + off;
        // Central directory header: name length at 28, extra at 30, comment at 32, name at 46.
        let Some(head) = bytes.get(h..h + 46) else {
            return false;
        };
        let n = usize::from(u16::from_le_bytes([head[28], head[29]]));
        if bytes.get(h + 46..h + 46 + n) == Some(b"OFD.xml".as_slice()) {
            return true;
        }
        at = h + 4;
    }
    false
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A file handed in as (part of) a material: its digest and facts, never its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MaterialFile {
    /// The material it is, as the guide or the notice names it.
    pub material: String,
    /// SHA-256 of the content, lower-case hex: the blob's address.
    pub sha256: String,
    pub size: u64,
    pub media_type: MediaType,
}

impl MaterialFile {
    fn check(&self, limits: &FileLimits, at: usize) -> Result<(), DomainError> {
        let field = |f: &str| format!("files[{at}].{f}");
        if self.sha256.len() != 64
            || !self
                .sha256
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(DomainError::field(
                field("sha256"),
                zh_en!(
                    "文件摘要应为 64 位小写十六进制 SHA-256",
                    "a file's digest is a SHA-256 in 64 lower-case hex digits"
                ),
            ));
        }
        if self.size == 0 || self.size > limits.max_file_bytes {
            return Err(DomainError::field(
                field("size"),
                zh_en!(
                    "单个文件不能为空，且不超过 {mb} MB",
                    "a file must not be empty nor larger than {mb} MB",
                    mb = limits.max_file_bytes / 1_000_000,
                ),
            ));
        }
        Ok(())
    }
}

/// How large files may be, per file and per case (the upload checks the same before storing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FileLimits {
    pub max_file_bytes: u64,
    pub max_case_bytes: u64,
    pub max_case_files: u32,
}

impl Default for FileLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 20_000_000,
            max_case_bytes: 200_000_000,
            max_case_files: 60,
        }
    }
}

/// The service rules around applications that are not in a power's document: how long a
/// supplement may take and what happens when it does not come, and the file limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceRules {
    /// Working days to supply when the clerk names none.
    pub supplement_days: u32,
    /// The most working days a notice may give.
    pub supplement_max_days: u32,
    /// What a lapsed notice cites.
    pub lapse_basis: String,
    pub files: FileLimits,
    /// Working days a department has to verify, rectify and call back after a 差评.
    pub rectify_days: u32,
    /// What that limit cites.
    pub rectify_basis: String,
}

impl Default for ServiceRules {
    fn default() -> Self {
        Self {
            supplement_days: 20,
            supplement_max_days: 60,
            lapse_basis: "《市场监督管理行政许可程序暂行规定》第十八条：申请人无正当理由逾期不予补正的，视为放弃行政许可申请".into(),
            files: FileLimits::default(),
            rectify_days: 5,
            rectify_basis: "《国务院办公厅关于建立政务服务“好差评”制度提高政务服务水平的意见》（国办发〔2019〕51号）：建立差评问题调查核实、督促整改和反馈机制，实名差评回访整改率达到100%；期限依本地“好差评”工作方案（如 5 个工作日内整改反馈）".into(),
        }
    }
}

/// Where a case's clock stands — what every view shows beside its colour.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaseClock {
    /// Not accepted yet: the limits count from acceptance.
    NotStarted,
    Running,
    /// 补正中: waiting for the applicant until `due`.
    Supplement {
        due: Option<Date>,
    },
    /// 挂起: stopped for a legal reason since `since`.
    Suspended {
        since: Date,
        reason: String,
    },
    Finished,
}

impl CaseClock {
    /// In words, in `lang`.
    pub fn label(&self, lang: crate::Lang) -> String {
        match self {
            Self::NotStarted => lang
                .t(
                    "待受理（受理后开始计时）",
                    "awaiting acceptance (the clock starts on acceptance)",
                )
                .into(),
            Self::Running => lang.t("计时中", "clock running").into(),
            Self::Supplement { due: Some(d) } => match lang {
                crate::Lang::Zh => format!("计时暂停（补正中，请于 {d} 前补正）"),
                crate::Lang::En => format!("clock stopped (awaiting supplement, due {d})"),
            },
            Self::Supplement { due: None } => lang
                .t("计时暂停（补正中）", "clock stopped (awaiting supplement)")
                .into(),
            Self::Suspended { since, reason } => match lang {
                crate::Lang::Zh => format!("计时暂停（{since} 起挂起：{reason}）"),
                crate::Lang::En => format!("clock stopped since {since}: {reason}"),
            },
            Self::Finished => lang.t("已办结", "finished").into(),
        }
    }

    /// Whether the clock is stopped (补正 or a suspension).
    pub fn stopped(&self) -> bool {
        matches!(self, Self::Supplement { .. } | Self::Suspended { .. })
    }
}

impl Case {
    /// Where the case's clock stands.
    pub fn clock(&self) -> CaseClock {
        match self.status {
            s if s.is_finished() => CaseClock::Finished,
            CaseStatus::AwaitingSupplement => CaseClock::Supplement {
                due: self.supplement.as_ref().map(|n| n.due),
            },
            CaseStatus::Suspended => match &self.suspended {
                Some(s) => CaseClock::Suspended {
                    since: s.from,
                    reason: s.reason.clone(),
                },
                None => CaseClock::Running,
            },
            _ if self.accepted_on.is_none() && self.deadlines.committed.is_none() => {
                CaseClock::NotStarted
            }
            _ => CaseClock::Running,
        }
    }

    /// The command the case's timer issues, and when: a notice to supplement lapses the
    /// moment its last day ends.
    pub fn timer(&self) -> Option<(Timestamp, CaseCommand)> {
        match (&self.status, &self.supplement) {
            (CaseStatus::AwaitingSupplement, Some(n)) => {
                Some((n.lapse_at, CaseCommand::LapseSupplement))
            }
            _ => None,
        }
    }

    /// Bytes of files the case holds.
    pub fn file_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.size).sum()
    }

    /// Decides a one-time notice: every missing required material of the guide plus the
    /// items the clerk names (each with a reason), and the day to supply by.
    pub(super) fn decide_request_supplement(
        &self,
        task: u32,
        items: &[SupplementItem],
        days: Option<u32>,
        note: &str,
        actor: &Actor,
        env: &Env,
    ) -> Result<EventBody, DomainError> {
        let receipt = &self.opened.receipt;
        let _ = self.step_task(task, StepKind::Accept, actor, "request_supplement")?;
        if self.status != CaseStatus::Submitted {
            return Err(rule(
                ErrorCode::CaseState,
                zh_en!(
                    "办件 {receipt} 当前为“{status}”，不能要求补正",
                    "case {receipt} is {en}",
                    status = self.status.zh(),
                    en = self.status.as_str(),
                ),
            ));
        }
        let mut all: Vec<SupplementItem> = Vec::new();
        for m in self.missing_materials(env.power) {
            if !all.iter().any(|a| a.material == m) {
                all.push(SupplementItem {
                    material: m,
                    reason: "未提交（办事指南所列必要材料）".into(),
                });
            }
        }
        for (i, it) in items.iter().enumerate() {
            let material = it.material.trim();
            if material.is_empty() {
                continue;
            }
            if it.reason.trim().is_empty() {
                if all.iter().any(|a| a.material == material) {
                    // A missing required material ticked without a reason: not handed in.
                    continue;
                }
                return Err(DomainError::field(
                    format!("items[{i}].reason"),
                    zh_en!(
                        "请写明「{material}」需要补正的原因",
                        "say why «{material}» must be supplied"
                    ),
                ));
            }
            if material.chars().count() > 200 || it.reason.chars().count() > 500 {
                return Err(DomainError::field(
                    format!("items[{i}]"),
                    zh_en!(
                        "材料名称不超过 200 字，原因不超过 500 字",
                        "a material's name is at most 200 characters, its reason 500"
                    ),
                ));
            }
            if let Some(known) = all.iter_mut().find(|a| a.material == material) {
                // A required material the clerk names gets the clerk's reason.
                known.reason = it.reason.trim().to_string();
            } else {
                all.push(SupplementItem {
                    material: material.to_string(),
                    reason: it.reason.trim().to_string(),
                });
            }
        }
        if all.is_empty() {
            return Err(DomainError::field(
                "items",
                zh_en!(
                    "材料已齐全：请列明需要补正的材料及原因，或直接受理",
                    "the materials are complete; name what must be supplied and why, or accept the case"
                ),
            ));
        }
        if all.len() > 100 || note.chars().count() > 2000 {
            return Err(DomainError::field(
                "items",
                zh_en!(
                    "一次告知最多 100 项，说明不超过 2000 字",
                    "a notice lists at most 100 items, with a note of at most 2000 characters"
                ),
            ));
        }
        let rules = env.service;
        let days = days.unwrap_or(rules.supplement_days);
        if days == 0 || days > rules.supplement_max_days {
            return Err(DomainError::field(
                "days",
                zh_en!(
                    "补正期限应为 1 至 {max} 个工作日",
                    "the time to supplement is 1 to {max} working days",
                    max = rules.supplement_max_days,
                ),
            ));
        }
        let today = env.today();
        let due = env
            .calendar
            .add_working_days(today, days)
            .map_err(calendar_error)?;
        let lapse_at = env.zone.start_of(due.tomorrow().unwrap_or(due));
        Ok(EventBody::SupplementRequested {
            task,
            missing: all.iter().map(|i| i.material.clone()).collect(),
            note: note.trim().to_string(),
            notice: self.supplement_notices + 1,
            items: all,
            due: Some(due),
            lapse_at: Some(lapse_at),
        })
    }

    /// Decides a supplement: every item of the open notice supplied — online as files, at the
    /// window as files or on paper (the clerk records it).
    pub(super) fn decide_supplement(
        &self,
        materials: &[String],
        files: &[MaterialFile],
        actor: &Actor,
        env: &Env,
    ) -> Result<EventBody, DomainError> {
        let receipt = &self.opened.receipt;
        if self.status != CaseStatus::AwaitingSupplement {
            return Err(rule(
                ErrorCode::CaseState,
                zh_en!(
                    "办件 {receipt} 当前为“{status}”，无需补正材料",
                    "case {receipt} is {en}; no supplement is awaited",
                    status = self.status.zh(),
                    en = self.status.as_str(),
                ),
            ));
        }
        match actor {
            Actor::Applicant => {
                if materials.iter().any(|m| !m.trim().is_empty()) {
                    return Err(DomainError::field(
                        "materials",
                        zh_en!(
                            "网上补正请上传材料文件；纸质材料请到窗口提交",
                            "online, supply files; paper materials are handed in at the window"
                        ),
                    ));
                }
            }
            Actor::Staff(u) => {
                let accept = self
                    .open_tasks()
                    .find(|t| t.step == StepKind::Accept)
                    .ok_or_else(|| no_accept_task(receipt))?;
                holds(u, accept)?;
            }
            Actor::Public | Actor::Timer => return Err(actor.staff().unwrap_err()),
        }
        check_files(files, &self.files, &env.service.files)?;
        let notice = self.supplement.as_ref();
        let asked: Vec<&str> = notice
            .map(|n| n.items.iter().map(|i| i.material.as_str()).collect())
            .unwrap_or_default();
        let named = materials
            .iter()
            .map(|m| m.trim())
            .filter(|m| !m.is_empty())
            .chain(files.iter().map(|f| f.material.as_str()));
        for m in named.clone() {
            if notice.is_some() && !asked.contains(&m) {
                return Err(DomainError::field(
                    "materials",
                    zh_en!(
                        "「{m}」不在一次性告知书所列补正材料之内",
                        "«{m}» is not among the items the notice asks for"
                    ),
                ));
            }
        }
        let given: Vec<&str> = named.collect();
        if given.is_empty() {
            return Err(DomainError::field(
                "materials",
                zh_en!("请提交需要补正的材料", "hand in the materials asked for"),
            ));
        }
        let lacking: Vec<&str> = asked
            .iter()
            .copied()
            .filter(|a| !given.contains(a))
            .collect();
        if !lacking.is_empty() {
            return Err(DomainError::field(
                "materials",
                zh_en!(
                    "一次性告知书所列材料尚缺：{list}。请全部补齐后一并提交",
                    "still missing from the notice: {list}; hand in every item together",
                    list = lacking.join("、"),
                ),
            ));
        }
        let mut names: Vec<String> = given.iter().map(|s| s.to_string()).collect();
        names = dedup(&names);
        // The accept step's budget did not run while the applicant had the case: it starts
        // again from today.
        let accept = self.open_tasks().find(|t| t.step == StepKind::Accept);
        let accept_due = accept.and_then(|t| {
            let flow = env.flow().ok()?;
            let days = flow.node(&t.node)?.task()?.days;
            env.calendar.add_working_days(env.today(), days).ok()
        });
        Ok(EventBody::Supplemented {
            materials: names,
            files: files.to_vec(),
            accept_due,
        })
    }

    /// Decides the lapse of a notice nobody answered: only the timer, only once its day ended.
    pub(super) fn decide_lapse(&self, actor: &Actor, env: &Env) -> Result<EventBody, DomainError> {
        let receipt = &self.opened.receipt;
        if !matches!(actor, Actor::Timer) {
            return Err(rule(
                ErrorCode::RoleRequired,
                zh_en!(
                    "逾期未补正由系统按补正期限自动办理",
                    "a lapsed supplement is recorded by the system's timer"
                ),
            ));
        }
        let Some(n) = self
            .supplement
            .as_ref()
            .filter(|_| self.status == CaseStatus::AwaitingSupplement)
        else {
            return Err(rule(
                ErrorCode::CaseState,
                zh_en!(
                    "办件 {receipt} 不在补正中",
                    "case {receipt} awaits no supplement"
                ),
            ));
        };
        if env.now < n.lapse_at {
            return Err(rule(
                ErrorCode::CaseState,
                zh_en!(
                    "补正期限 {due} 尚未届满",
                    "the time to supplement runs until {due}",
                    due = n.due,
                ),
            ));
        }
        Ok(EventBody::SupplementLapsed {
            notice: n.notice,
            due: n.due,
            basis: env.service.lapse_basis.clone(),
        })
    }
}

/// New files against the limits, with those the case holds already.
pub(super) fn check_files(
    new: &[MaterialFile],
    held: &[MaterialFile],
    limits: &FileLimits,
) -> Result<(), DomainError> {
    for (i, f) in new.iter().enumerate() {
        f.check(limits, i)?;
        if f.material.trim().is_empty() || f.material.chars().count() > 200 {
            return Err(DomainError::field(
                format!("files[{i}].material"),
                zh_en!(
                    "请写明文件是哪项材料（不超过 200 字）",
                    "name the material a file is (at most 200 characters)"
                ),
            ));
        }
    }
    let count = held.len() + new.len();
    let bytes: u64 = held.iter().chain(new).map(|f| f.size).sum();
    if count > limits.max_case_files as usize || bytes > limits.max_case_bytes {
        return Err(DomainError::field(
            "files",
            zh_en!(
                "一个办件最多 {n} 个文件、共 {mb} MB",
                "a case holds at most {n} files and {mb} MB in all",
                n = limits.max_case_files,
                mb = limits.max_case_bytes / 1_000_000,
            ),
        ));
    }
    Ok(())
}

fn no_accept_task(receipt: &ReceiptNumber) -> DomainError {
    rule(
        ErrorCode::TaskState,
        zh_en!(
            "办件 {receipt} 没有待办的受理环节",
            "case {receipt} has no open accept step"
        ),
    )
}

#[cfg(test)]
mod tests;
