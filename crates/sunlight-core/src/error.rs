//! The one list of error codes, and the domain's refusals in both languages.
//!
//! Every refusal Sunlight gives — the domain's, the store's, the web's — has a [`Code`]: its HTTP
//! status, its stable snake_case name (`code` in `application/problem+json`; part of the public
//! API: never rename one, only add) and a title in Chinese and English. The list is written
//! once, in the `codes!` table below, so [`Code::ALL`] cannot miss a variant.
//!
//! Every message a person can read is a [`Text`]: Chinese (zh-CN, shown first) and English.
//! Refusals ([`DomainError::rule`]) and field problems ([`FieldError::new`]) take one, usually
//! made with [`zh_en!`](crate::zh_en). A field's path (`applicant.id_number`) is for machines;
//! pages show its [`FieldError::label`] instead.

use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// The language a person reads: Chinese first, English second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The Chinese or the English text.
    pub fn t<'a>(&self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// The BCP 47 tag (`zh-CN`, `en`).
    pub fn tag(&self) -> &'static str {
        self.t("zh-CN", "en")
    }

    pub fn is_en(&self) -> bool {
        *self == Lang::En
    }

    /// A personal value as a page shows it: one erased when its retention ended
    /// ([`crate::personal::ERASED`]) says so in this language.
    pub fn personal(&self, value: &str) -> String {
        if crate::personal::is_erased(value) {
            self.t("已删除（保存期限届满）", "erased (retention period ended)")
                .to_string()
        } else {
            value.to_string()
        }
    }

    /// The language an `Accept-Language` header prefers among ours: English only when an
    /// English tag is weighted above every Chinese one (and above zero); Chinese otherwise.
    pub fn from_accept_language(header: &str) -> Lang {
        let (mut zh, mut en) = (-1.0f32, -1.0f32);
        for (i, item) in header.split(',').enumerate() {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0)
                // Earlier items win ties.
                - i as f32 * 1e-4;
            let primary = tag.split('-').next().unwrap_or("");
            match primary {
                "zh" => zh = zh.max(q),
                "en" => en = en.max(q),
                _ => {}
            }
        }
        if en > 0.0 && en > zh {
            Lang::En
        } else {
            Lang::Zh
        }
    }
}

/// A text in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Text {
    /// 简体中文.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub zh: Cow<'static, str>,
    /// English.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub en: Cow<'static, str>,
}

impl Text {
    pub fn new(zh: impl Into<Cow<'static, str>>, en: impl Into<Cow<'static, str>>) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// Two fixed texts, without allocating.
    pub const fn fixed(zh: &'static str, en: &'static str) -> Self {
        Self {
            zh: Cow::Borrowed(zh),
            en: Cow::Borrowed(en),
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    /// Both texts put before `self`: `{zh}{self.zh}` and `{en}{self.en}`.
    pub fn prefixed(&self, zh: &str, en: &str) -> Self {
        Self::new(format!("{zh}{}", self.zh), format!("{en}{}", self.en))
    }

    /// `self` followed by `zh` and `en`.
    pub fn append(&self, zh: &str, en: &str) -> Self {
        Self::new(format!("{}{zh}", self.zh), format!("{}{en}", self.en))
    }

    /// Texts joined with a separator in each language.
    pub fn join<'a>(items: impl IntoIterator<Item = &'a Text>, zh: &str, en: &str) -> Self {
        let (mut z, mut e) = (String::new(), String::new());
        for (i, t) in items.into_iter().enumerate() {
            if i > 0 {
                z.push_str(zh);
                e.push_str(en);
            }
            z.push_str(&t.zh);
            e.push_str(&t.en);
        }
        Self::new(z, e)
    }
}

/// The English text: the one logs and developer tools show. People see [`Text::get`].
impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// A [`Text`] from a Chinese and an English format string, each formatted like `format!`:
/// `zh_en!("身份证号码校验位应为 {c}", "the check character should be {c}")`. Arguments after
/// the two strings are shared: `zh_en!("{} 不存在", "{} does not exist", code)`; named ones
/// (`n = x.len()`) may be used by either string alone.
#[macro_export]
macro_rules! zh_en {
    ($zh:literal, $en:literal $(,)?) => {
        $crate::Text::new(::std::format!($zh), ::std::format!($en))
    };
    ($zh:literal, $en:literal, $($name:ident = $value:expr),+ $(,)?) => {{
        $(#[allow(unused_variables)] let $name = $value;)+
        $crate::Text::new(::std::format!($zh), ::std::format!($en))
    }};
    ($zh:literal, $en:literal, $($arg:expr),+ $(,)?) => {
        $crate::Text::new(::std::format!($zh, $($arg),+), ::std::format!($en, $($arg),+))
    };
}

macro_rules! codes {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $name:literal, $status:literal, $zh:literal, $en:literal;
    )+) => {
        /// Every reason Sunlight refuses something, each with its HTTP status, its stable name
        /// and its title in both languages. One list for the domain, the store and the web.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "snake_case")]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub enum Code {
            $($(#[$doc])* $variant,)+
        }

        impl Code {
            /// Every code, in the order of the list.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)+];

            /// The stable snake_case name (`code` of a problem): public API, never renamed.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)+
                }
            }

            /// The HTTP status a refusal with this code is answered with.
            pub fn status(self) -> u16 {
                match self {
                    $(Code::$variant => $status,)+
                }
            }

            /// The short title (`title` of a problem, the heading of an error page).
            pub fn title(self) -> Text {
                match self {
                    $(Code::$variant => Text::fixed($zh, $en),)+
                }
            }

            pub fn parse(name: &str) -> Option<Code> {
                Code::ALL.iter().copied().find(|c| c.as_str() == name)
            }
        }
    };
}

codes! {
    /// Some fields of the input are malformed; `errors` says which.
    InvalidInput = "invalid_input", 422, "填写的内容有误", "Some fields are malformed";
    /// The body, path or query could not be read at all.
    MalformedRequest = "malformed_request", 400, "请求无法识别", "The body, path or query could not be read";
    /// The body is larger than the server accepts.
    PayloadTooLarge = "payload_too_large", 413, "提交的内容过大", "The request body is too large";
    /// Nobody is signed in (or the feed's token is missing or wrong).
    Unauthenticated = "unauthenticated", 401, "请先登录", "Sign in first";
    /// Wrong user name or password.
    InvalidCredentials = "invalid_credentials", 401, "用户名或密码不正确", "Wrong user name or password";
    /// Too many failed sign-ins; the account waits a while.
    AccountLocked = "account_locked", 423, "账号已临时锁定", "The account is locked for a while";
    /// The caller may not do or see this.
    Forbidden = "forbidden", 403, "无权进行此项操作", "Not allowed";
    /// A page form's check token (CSRF) is missing or wrong.
    CsrfRejected = "csrf_rejected", 403, "请求已过期", "Request expired";
    /// Too many wrong query codes for a receipt number or from an address (rate limited).
    TooManyGuesses = "too_many_guesses", 429, "错误次数过多，请稍后再试", "Too many wrong tries; try again later";
    /// Asked for too often (a new query code, a sign-in code).
    TooManyRequests = "too_many_requests", 429, "请求过于频繁，请稍后再试", "Asked too often; try again later";
    /// No such record.
    NotFound = "not_found", 404, "未找到相关记录", "No such record";
    /// Someone changed the record meanwhile; reload and try again.
    Conflict = "conflict", 409, "记录已被他人修改，请刷新后重试", "Someone changed the record meanwhile; reload";
    /// The `Idempotency-Key` was used for a different request.
    IdempotencyKeyReused = "idempotency_key_reused", 422, "幂等键已用于其他请求", "This Idempotency-Key was used for a different request";
    /// A request with this `Idempotency-Key` is still running.
    IdempotencyInProgress = "idempotency_in_progress", 409, "相同幂等键的请求正在处理", "A request with this Idempotency-Key is still running";
    /// The file has problems; `errors` lists each with row and column; nothing was imported.
    ImportFailed = "import_failed", 422, "文件有误，未导入任何内容", "The file has problems; nothing was imported";
    /// Some changes of a batch were refused; `errors` lists each; nothing was written.
    ChangesRefused = "changes_refused", 422, "部分调整未通过，未写入任何内容", "Some changes were refused; nothing was written";
    /// A power code is already in the list.
    DuplicatePowerCode = "duplicate_power_code", 409, "权力事项编码已存在", "The power code is already in the list";
    /// The power is not in the list (清单之外无权力).
    PowerNotInList = "power_not_in_list", 422, "该事项不在权力清单内（清单之外无权力）", "The power is not in the list (no power outside the list)";
    /// The requested lifecycle change is not allowed from the power's current status.
    InvalidTransition = "invalid_transition", 409, "当前状态下不能进行此项调整", "The change is not allowed from the current status";
    /// A delegation must go to a lower level than the one exercising the power.
    InvalidDelegation = "invalid_delegation", 422, "权力只能向下级下放", "A power can only be delegated down";
    /// A merge target must be another active power.
    InvalidMergeTarget = "invalid_merge_target", 422, "只能并入清单内另一项有效事项", "A power can only be merged into another active power";
    /// A version's effective date precedes the previous version's.
    EffectiveDateRegression = "effective_date_regression", 422, "生效日期不能早于上一版本", "The effective date precedes that of the previous version";
    /// The actor does not hold the role the act needs.
    RoleRequired = "role_required", 403, "当前用户不具备所需角色", "The signed-in user lacks the role this needs";
    /// The same person may not both propose and approve (法制审核 is someone else's).
    SeparationOfDuties = "separation_of_duties", 403, "同一人不得兼办相互制约的环节", "The same person may not do both steps";
    /// The proposal is not in the state the act needs.
    ProposalState = "proposal_state", 409, "调整方案的当前状态不允许此操作", "The proposal is not in a state that allows this";
    /// A referenced region, department, parent power or user does not exist.
    UnknownReference = "unknown_reference", 422, "引用的区划、部门、事项或人员不存在", "A referenced record does not exist";
    /// The power has no published flow, so no case can run along it.
    NoPublishedFlow = "no_published_flow", 422, "该事项未公布运行流程，暂不能办理", "The power has no published flow; no case can run along it";
    /// An uncommon power (非常用权力) needs an open per-use approval (一事一审).
    CheckoutRequired = "checkout_required", 422, "非常用权力须经一事一审批准后方可行使", "An uncommon power needs an open per-use approval";
    /// The case is not in a state that allows this act (e.g. deciding a withdrawn case).
    CaseState = "case_state", 409, "办件的当前状态不允许此操作", "The case is not in a state that allows this";
    /// The task is not open, or is claimed by someone else.
    TaskState = "task_state", 409, "该环节未开启或已由他人认领", "The task is not open, or someone else has claimed it";
    /// The task belongs to another department.
    WrongDepartment = "wrong_department", 403, "该事项由其他部门办理", "It belongs to another department";
    /// The step needs more distinct people (不能一人入户).
    TwoPersonRequired = "two_person_required", 403, "该环节须由两名以上工作人员共同办理", "This step needs more distinct people";
    /// Required materials are missing; request a supplement listing them (一次告知).
    MaterialsIncomplete = "materials_incomplete", 422, "申请材料不齐全，应一次性告知需补正的全部材料", "Required materials are missing; request a supplement listing them";
    /// The penalty amount lies outside the discretion band of its violation and tier.
    OutsideDiscretionBand = "outside_discretion_band", 422, "罚款数额超出裁量基准的幅度", "The penalty lies outside its discretion band";
    /// A penalty power has no discretion benchmark, so no fine can be checked.
    NoDiscretionBenchmark = "no_discretion_benchmark", 422, "该处罚事项尚无裁量基准", "The penalty power has no discretion benchmark";
    /// The extension exceeds the statutory allowance.
    ExtensionOverAllowance = "extension_over_allowance", 422, "延长期限超过法定允许的范围", "The extension exceeds the statutory allowance";
    /// The flow does not allow stopping the clock for this reason.
    SuspensionReason = "suspension_reason", 422, "流程不允许以此理由暂停计时", "The flow does not allow stopping the clock for this reason";
    /// The deadline cannot be computed: the calendar lacks the years it runs through.
    CalendarNotLoaded = "calendar_not_loaded", 422, "工作日历缺少期限所跨的年份", "The calendar lacks the years the deadline runs through";
    /// Nobody applies for this power: the department opens its cases itself (依职权).
    OpenedByDepartment = "opened_by_department", 403, "该事项由行政机关依职权启动，不接受申请", "Nobody applies for this power: the department opens its cases itself";
    /// Something failed on our side; it has been logged and the answer says nothing more.
    Internal = "internal", 500, "系统内部错误，已记录", "Something failed on our side; it has been logged";
}

/// The former name of [`Code`], kept for callers.
pub type ErrorCode = Code;

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing wrong with one field, optionally located by row (sheet import) or line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// 1-based row of a sheet, when the input was a sheet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// 1-based line of a text file (CSV, JSON, flow source), when the input was text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The field, as a path (`guide.materials[2].copies`) or a sheet column heading. For
    /// machines; pages show [`FieldError::label`].
    pub field: String,
    pub message: Text,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: Text) -> Self {
        Self {
            row: None,
            line: None,
            field: field.into(),
            message,
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

    /// What a page calls the field (「申请人 · 身份证号码」), if it has words for it.
    pub fn label(&self) -> Option<Text> {
        field_label(&self.field)
    }

    /// The problem as a person reads it: where (row, line, the field's label — never its
    /// path) and what, in `lang`. A message that already names its field is not prefixed.
    pub fn describe(&self, lang: Lang) -> String {
        let mut out = String::new();
        if let Some(row) = self.row {
            out.push_str(&match lang {
                Lang::Zh => format!("第 {row} 行 "),
                Lang::En => format!("row {row}, "),
            });
        }
        if let Some(line) = self.line {
            out.push_str(&match lang {
                Lang::Zh => format!("第 {line} 行 "),
                Lang::En => format!("line {line}, "),
            });
        }
        let message = self.message.get(lang);
        if let Some(label) = self.label()
            && !message.starts_with(label.get(lang))
        {
            out.push_str(label.get(lang));
            out.push_str(lang.t("：", ": "));
        }
        out.push_str(message);
        out.trim_end().to_string()
    }
}

/// For logs and developer tools: the path and the English message.
impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(row) = self.row {
            write!(f, "row {row}, ")?;
        }
        if let Some(line) = self.line {
            write!(f, "line {line}, ")?;
        }
        write!(f, "{}: {}", self.field, self.message.en)
    }
}

/// A refusal by the domain's rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("invalid input: {}", join(.0))]
    Invalid(Vec<FieldError>),
    #[error("{message}")]
    Rule { code: Code, message: Text },
}

fn join(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl DomainError {
    pub fn rule(code: Code, message: Text) -> Self {
        Self::Rule { code, message }
    }

    pub fn field(field: impl Into<String>, message: Text) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    pub fn code(&self) -> Code {
        match self {
            Self::Invalid(_) => Code::InvalidInput,
            Self::Rule { code, .. } => *code,
        }
    }

    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Invalid(errors) => errors,
            Self::Rule { .. } => &[],
        }
    }

    /// What the refusal says, in both languages: the rule's message, or each field's problem
    /// with its label.
    pub fn text(&self) -> Text {
        match self {
            Self::Rule { message, .. } => message.clone(),
            Self::Invalid(errors) => Text::new(
                errors
                    .iter()
                    .map(|e| e.describe(Lang::Zh))
                    .collect::<Vec<_>>()
                    .join("；"),
                errors
                    .iter()
                    .map(|e| e.describe(Lang::En))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
        }
    }
}

/// The words for field path segments: (segment, 中文, English). A path's label joins the
/// words of its segments; segments without words are left out, so a path is never shown.
const FIELD_WORDS: &[(&str, &str, &str)] = &[
    ("act", "操作", "act"),
    ("action", "操作", "act"),
    ("against", "投诉对象类别", "complaint about"),
    ("alerts", "预警", "alerts"),
    ("amount_fen", "金额", "amount"),
    ("amount_yuan", "罚款金额", "fine"),
    ("answer", "答复", "answer"),
    ("applicant", "申请人", "applicant"),
    ("as_of", "查询日期", "as of"),
    ("band", "裁量幅度", "band"),
    ("basic_code", "基本编码", "basic code"),
    ("body", "请求内容", "request body"),
    ("bpmn", "BPMN 流程", "BPMN"),
    ("calendar", "工作日历", "calendar"),
    ("case", "办件", "case"),
    ("case_type", "办件类型", "case type"),
    ("category", "职权类型", "category"),
    ("change", "调整类型", "change"),
    ("changes", "调整", "change"),
    ("co_actors", "共同办理人", "co-actors"),
    ("code", "编码", "code"),
    ("committed_limit", "承诺时限", "committed limit"),
    ("complainant", "投诉人", "complainant"),
    ("copies", "份数", "copies"),
    ("credit_code", "统一社会信用代码", "credit code"),
    ("cursor", "翻页游标", "cursor"),
    ("data", "办件数据", "case data"),
    ("date", "日期", "date"),
    ("days", "天数", "days"),
    ("decision", "决定", "decision"),
    ("department", "部门", "department"),
    ("display_name", "姓名", "name"),
    ("document_no", "文书编号", "document number"),
    ("duties", "职责", "duties"),
    ("effective_from", "生效日期", "effective from"),
    ("events", "事件", "event"),
    ("exercise_level", "行使层级", "exercise level"),
    ("extra", "需补正材料", "missing materials"),
    ("files", "材料文件", "files"),
    ("fee_item", "收费项目", "fee item"),
    ("fees", "收费项目", "fee"),
    ("file", "文件", "file"),
    ("flow", "办理流程", "flow"),
    ("form", "申请表", "form"),
    ("format", "格式", "format"),
    ("from", "起始日期", "from"),
    ("guide", "办事指南", "service guide"),
    ("handler", "办理人", "handler"),
    ("id_number", "身份证号码", "ID number"),
    ("Idempotency-Key", "幂等键", "Idempotency-Key"),
    ("industry", "行业", "industry"),
    ("instrument", "法律法规名称", "law or regulation"),
    ("into", "并入事项", "merged into"),
    ("items", "补正事项", "items to supplement"),
    ("item", "收费项目名称", "item"),
    ("legal_basis", "法律依据", "legal basis"),
    ("level", "层级", "level"),
    ("limit", "条数", "limit"),
    ("material", "材料名称", "material"),
    ("materials", "申请材料", "materials"),
    ("measure", "问责措施", "measure"),
    ("month", "月份", "month"),
    ("name", "名称", "name"),
    ("nature", "主体性质", "nature"),
    ("note", "说明", "note"),
    ("outcome", "办理结果", "outcome"),
    ("parent", "上级", "parent"),
    ("party", "当事人", "party"),
    ("password", "密码", "password"),
    ("payload", "记录内容", "payload"),
    ("penalty", "行政处罚", "penalty"),
    ("penalty_fen", "罚款金额", "fine"),
    ("phone", "联系电话", "phone"),
    ("power", "权力事项", "power"),
    ("query", "查询条件", "query"),
    ("reason", "理由", "reason"),
    ("reasons", "理由", "reasons"),
    ("rating", "评价", "rating"),
    ("rectify", "差评整改", "rectification"),
    ("comment", "意见", "comment"),
    ("verified", "核实情况", "findings"),
    ("measures", "整改措施", "measures taken"),
    ("revisit", "回访情况", "call-back result"),
    ("intermediaries", "中介服务", "intermediary services"),
    ("basis", "设定依据", "basis in law"),
    ("faq", "常见问题", "frequently asked questions"),
    ("targets", "办理对象", "who may apply"),
    ("visits", "到办事现场次数", "visits in person"),
    ("online", "是否网办", "online"),
    ("receipt", "受理编号", "receipt number"),
    ("region", "行政区划", "region"),
    ("relation", "关系", "relation"),
    ("representative", "法定代表人", "representative"),
    ("responsibility", "责任清单", "responsibility list"),
    (
        "retention_years",
        "个人信息保存期限",
        "retention period of personal data",
    ),
    ("roles", "角色", "roles"),
    ("seq", "序号", "sequence number"),
    ("sha256", "文件摘要", "file digest"),
    ("size", "规模", "size"),
    ("source_id", "事件编号", "event id"),
    ("state", "状态", "state"),
    ("status", "状态", "status"),
    ("statutory_limit", "法定时限", "statutory limit"),
    ("step", "环节", "step"),
    ("stops", "暂停计时", "clock stops"),
    ("target", "投诉对象", "complaint target"),
    ("task", "办理环节", "task"),
    ("text", "内容", "text"),
    ("tier", "裁量阶次", "tier"),
    ("tiers", "裁量阶次", "tiers"),
    ("title", "标题", "title"),
    ("to", "截止日期", "to"),
    ("token", "令牌", "token"),
    ("unit", "计算单位", "unit"),
    ("documents", "签发文书", "documents"),
    ("email", "电子邮箱", "email"),
    ("usage", "使用频度", "usage"),
    ("username", "用户名", "username"),
    ("verdict", "办理结论", "verdict"),
    ("violation", "违法行为", "violation"),
    ("violations", "违法行为", "violations"),
    ("year", "年份", "year"),
];

/// Whole paths whose label is better said in one phrase than joined from their segments.
const FIELD_PHRASES: &[(&str, &str, &str)] = &[
    ("applicant.name", "申请人姓名或名称", "applicant's name"),
    ("applicant.id_number", "身份证号码", "ID number"),
    ("applicant.credit_code", "统一社会信用代码", "credit code"),
    ("applicant.phone", "联系电话", "phone"),
    ("applicant.email", "电子邮箱", "email"),
    ("applicant.representative", "法定代表人", "representative"),
    (
        "decision.document_no",
        "决定文书编号",
        "decision document number",
    ),
    ("decision.reasons", "决定理由", "reasons of the decision"),
    (
        "decision.legal_basis",
        "决定依据",
        "legal basis of the decision",
    ),
    ("decision.penalty", "处罚内容", "penalty"),
    ("decision.documents", "签发的文书", "documents issued"),
    ("decision.penalty.amount_fen", "罚款金额", "fine"),
    ("guide.committed_limit", "承诺办结时限", "committed limit"),
    ("guide.statutory_limit", "法定办结时限", "statutory limit"),
    ("guide.case_type", "办件类型", "case type"),
    ("rating.level", "评价等级", "rating"),
    ("rating.reasons", "不满意的原因", "what was wrong"),
    ("rating.comment", "评价意见", "comment"),
    ("rectify.verified", "核实情况", "findings"),
    ("rectify.measures", "整改措施", "measures taken"),
    ("rectify.revisit", "回访情况", "call-back result"),
    ("code_hash", "查询码", "query code"),
    ("status.into", "合并至", "merged into"),
];

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// What a page calls the field at `path`: a sheet heading as it is, a known path in words,
/// indexes as ordinals (`guide.materials[2].copies` → 「办事指南 · 申请材料第3项 · 份数」). `None`
/// when no part of the path has words: the page then shows the message alone.
pub fn field_label(path: &str) -> Option<Text> {
    if path.is_empty() {
        return None;
    }
    if has_cjk(path) && !path.contains(['.', '[']) {
        return Some(Text::new(path.to_string(), path.to_string()));
    }
    let (mut zh, mut en) = (Vec::<String>::new(), Vec::<String>::new());
    let mut rest = path;
    // The longest known phrase at the end of the path names its tail.
    let mut tail = None;
    for (p, z, e) in FIELD_PHRASES {
        if let Some(head) = path.strip_suffix(p)
            && (head.is_empty() || head.ends_with('.'))
            && tail.is_none_or(|(len, _, _)| p.len() > len)
        {
            tail = Some((p.len(), *z, *e));
        }
    }
    if let Some((len, _, _)) = tail {
        rest = path[..path.len() - len].trim_end_matches('.');
    }
    let mut after_flow = false;
    for segment in rest.split('.').filter(|s| !s.is_empty()) {
        let (name, indexes) = match segment.find('[') {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        let ordinals: Vec<usize> = indexes
            .split(['[', ']'])
            .filter_map(|n| n.parse::<usize>().ok())
            .collect();
        let word = FIELD_WORDS.iter().find(|(s, _, _)| *s == name);
        let (mut z, mut e) = match word {
            Some((_, z, e)) => (z.to_string(), e.to_string()),
            None if after_flow => (format!("环节“{name}”"), format!("step «{name}»")),
            None if has_cjk(name) => (name.to_string(), name.to_string()),
            None => (String::new(), String::new()),
        };
        for n in ordinals {
            z.push_str(&format!("第{}项", n + 1));
            e.push_str(&format!(" #{}", n + 1));
        }
        after_flow = matches!(name, "flow" | "bpmn");
        if !z.is_empty() {
            zh.push(z);
            en.push(e.trim().to_string());
        }
    }
    if let Some((_, z, e)) = tail {
        zh.push(z.to_string());
        en.push(e.to_string());
    }
    if zh.is_empty() {
        return None;
    }
    Some(Text::new(zh.join(" · "), en.join(" › ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_a_unique_name_a_status_and_both_titles() {
        let mut names = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(names.insert(c.as_str()), "{c} twice");
            assert_eq!(Code::parse(c.as_str()), Some(*c));
            assert!((400..600).contains(&c.status()), "{c}");
            let t = c.title();
            assert!(!t.zh.is_empty() && !t.en.is_empty(), "{c}");
            assert!(has_cjk(&t.zh), "{c}: {}", t.zh);
            assert_eq!(
                serde_json::to_value(c).unwrap(),
                serde_json::json!(c.as_str())
            );
        }
    }

    #[test]
    fn the_former_code_names_stay() {
        // Public API: these strings never change.
        for name in [
            "invalid_input",
            "duplicate_power_code",
            "power_not_in_list",
            "invalid_transition",
            "invalid_delegation",
            "invalid_merge_target",
            "effective_date_regression",
            "role_required",
            "separation_of_duties",
            "proposal_state",
            "unknown_reference",
            "no_published_flow",
            "checkout_required",
            "case_state",
            "task_state",
            "wrong_department",
            "two_person_required",
            "materials_incomplete",
            "outside_discretion_band",
            "no_discretion_benchmark",
            "extension_over_allowance",
            "suspension_reason",
            "calendar_not_loaded",
            "opened_by_department",
            "malformed_request",
            "unauthenticated",
            "invalid_credentials",
            "account_locked",
            "not_found",
            "forbidden",
            "conflict",
            "idempotency_key_reused",
            "idempotency_in_progress",
            "import_failed",
            "changes_refused",
            "too_many_guesses",
            "internal",
        ] {
            assert!(Code::parse(name).is_some(), "{name}");
        }
    }

    #[test]
    fn the_macro_formats_both_languages() {
        let c = 'X';
        let t = crate::zh_en!(
            "身份证号码校验位应为 {c}",
            "the check character should be {c}"
        );
        assert_eq!(t.zh, "身份证号码校验位应为 X");
        assert_eq!(t.en, "the check character should be X");
        let t = crate::zh_en!("共 {} 项", "{} items", 3);
        assert_eq!((t.zh.as_ref(), t.en.as_ref()), ("共 3 项", "3 items"));
        let t = crate::zh_en!("第 {n} 行", "row {n} of {total}", n = 2, total = 9);
        assert_eq!((t.zh.as_ref(), t.en.as_ref()), ("第 2 行", "row 2 of 9"));
    }

    #[test]
    fn labels_never_show_a_path() {
        let l = |p: &str| field_label(p).map(|t| t.zh.into_owned());
        assert_eq!(l("applicant.id_number").as_deref(), Some("身份证号码"));
        assert_eq!(
            l("guide.materials[2].copies").as_deref(),
            Some("办事指南 · 申请材料第3项 · 份数")
        );
        assert_eq!(
            l("changes[0].decision.penalty.amount_fen").as_deref(),
            Some("调整第1项 · 罚款金额")
        );
        assert_eq!(l("flow.review").as_deref(), Some("办理流程 · 环节“review”"));
        assert_eq!(l("事项名称").as_deref(), Some("事项名称"));
        assert_eq!(l("x_unknown"), None);
        let e =
            FieldError::new("applicant.id_number", crate::zh_en!("校验位应为 X", "x")).at_row(3);
        assert_eq!(e.describe(Lang::Zh), "第 3 行 身份证号码：校验位应为 X");
        assert!(!e.describe(Lang::En).contains("applicant.id_number"));
    }

    #[test]
    fn accept_language_prefers_chinese_unless_english_leads() {
        for (h, want) in [
            ("", Lang::Zh),
            ("zh-CN,zh;q=0.9,en;q=0.8", Lang::Zh),
            ("en-US,en;q=0.9", Lang::En),
            ("en-US,zh-CN;q=0.5", Lang::En),
            ("zh, en", Lang::Zh),
            ("en, zh", Lang::En),
            ("fr-FR", Lang::Zh),
            ("en;q=0", Lang::Zh),
            ("de, en;q=0.5, zh;q=0.4", Lang::En),
        ] {
            assert_eq!(Lang::from_accept_language(h), want, "{h}");
        }
    }
}
