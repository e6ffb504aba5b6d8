//! What a document says: its kind, number, issuer, addressee and body, as plain data.
//!
//! The application layer may compose any body from [`Block`]s, but for the standard documents
//! of a 行政许可 it supplies only the facts and the constructors here write the statutory
//! wording ([`Document::acceptance`], [`Document::supplement_notice`],
//! [`Document::refusal_to_accept`], [`Document::approval`], [`Document::denial`],
//! [`Document::certificate`]).

use crate::zh;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The documents a department issues while it handles an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 受理通知书 (行政许可法第三十二条).
    Acceptance,
    /// 补正材料一次性告知书 (第三十二条第一款第（四）项).
    SupplementNotice,
    /// 不予受理决定书.
    RefusalToAccept,
    /// 准予行政许可决定书 (第三十八条第一款).
    Approval,
    /// 不予行政许可决定书 (第三十八条第二款).
    Denial,
    /// The licence itself (证照, 第三十九条), laid out as a certificate.
    Certificate,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 6] = [
        DocumentKind::Acceptance,
        DocumentKind::SupplementNotice,
        DocumentKind::RefusalToAccept,
        DocumentKind::Approval,
        DocumentKind::Denial,
        DocumentKind::Certificate,
    ];

    /// The document's name, which is also its title unless the document gives another.
    pub fn zh(self) -> &'static str {
        match self {
            DocumentKind::Acceptance => "受理通知书",
            DocumentKind::SupplementNotice => "补正材料一次性告知书",
            DocumentKind::RefusalToAccept => "不予受理决定书",
            DocumentKind::Approval => "准予行政许可决定书",
            DocumentKind::Denial => "不予行政许可决定书",
            DocumentKind::Certificate => "证照",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            DocumentKind::Acceptance => "notice of acceptance",
            DocumentKind::SupplementNotice => "notice to supplement materials",
            DocumentKind::RefusalToAccept => "decision not to accept",
            DocumentKind::Approval => "decision to grant the licence",
            DocumentKind::Denial => "decision to refuse the licence",
            DocumentKind::Certificate => "licence certificate",
        }
    }
}

/// A part of a document's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Block {
    /// A heading (set in bold, indented like a paragraph: 一、……).
    Heading(String),
    /// A paragraph, its first line indented by two characters. A newline starts a new paragraph.
    Paragraph(String),
    /// Labelled values (`label：value`), the value wrapping under itself.
    Fields(Vec<(String, String)>),
    /// Numbered items, each a paragraph starting （一）, （二）, … Text as given.
    List(Vec<String>),
}

/// How a reader checks a document: the portal's address, the number to enter and the check
/// code printed beside it (see [`crate::check_code`]). The QR code holds `link` when given (a
/// deep link that fills both in), else `url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub url: String,
    pub number: String,
    pub check_code: String,
    pub link: Option<String>,
}

impl Verification {
    pub fn new(
        url: impl Into<String>,
        number: impl Into<String>,
        check_code: impl Into<String>,
    ) -> Self {
        Verification {
            url: url.into(),
            number: number.into(),
            check_code: check_code.into(),
            link: None,
        }
    }

    /// The QR code links here instead of the bare `url`.
    pub fn with_link(mut self, link: impl Into<String>) -> Self {
        self.link = Some(link.into());
        self
    }

    /// What the QR code encodes.
    pub fn qr_content(&self) -> &str {
        self.link.as_deref().unwrap_or(&self.url)
    }
}

/// An official document, ready to render.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub kind: DocumentKind,
    /// 文号 (`淳市监许〔2026〕17号`), or a certificate's 证照编号.
    pub number: String,
    /// The issuing department's full name (发文机关), also set on the seal.
    pub issuer: String,
    /// Whom the document is addressed to (the applicant); a certificate's holder.
    pub addressee: String,
    /// Overrides [`DocumentKind::zh`] as the title.
    pub title: Option<String>,
    pub blocks: Vec<Block>,
    /// 成文日期.
    pub date: Date,
    pub verification: Option<Verification>,
    /// The words across the seal under its star.
    pub seal_label: String,
    /// Whether the first page carries the red 版头 (the issuer's name over a red rule).
    pub letterhead: bool,
}

/// The seal every document here carries.
pub const SEAL_LABEL: &str = "行政审批专用章";

/// The facts every document carries: who issues it, under which number, when, and how a
/// reader checks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    /// 文号, or for a certificate its 证照编号.
    pub number: String,
    pub issuer: String,
    pub date: Date,
    pub verification: Option<Verification>,
}

/// The application a document answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    /// 申请人: a person's or an organisation's name.
    pub applicant: String,
    /// What was applied for, as the power list names it (`食品经营许可`).
    pub matter: String,
    pub applied_on: Date,
    /// The application's own number (申请编号 / 受理编号), when it has one.
    pub reference: Option<String>,
}

impl Application {
    /// 你（单位）于2026年5月6日提出的食品经营许可申请（申请编号：…）
    fn opening(&self) -> String {
        let reference = self
            .reference
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(|r| format!("（申请编号：{r}）"))
            .unwrap_or_default();
        format!(
            "你（单位）于{}提出的{}申请{reference}",
            zh::date(self.applied_on),
            self.matter
        )
    }
}

/// Where the applicant may challenge a decision: the administrative review body (复议机关)
/// and the people's court with jurisdiction (full names, e.g. `淳安县人民法院`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remedies {
    pub review_body: String,
    pub court: String,
}

impl Remedies {
    fn paragraph(&self) -> Block {
        Block::Paragraph(format!(
            "如不服本决定，可以自收到本决定书之日起六十日内依照《中华人民共和国行政复议法》\
             第二十条的规定向{}申请行政复议，或者自收到本决定书之日起六个月内依照\
             《中华人民共和国行政诉讼法》第四十六条的规定向{}提起行政诉讼。",
            self.review_body, self.court
        ))
    }
}

/// Why an application is not accepted (行政许可法第三十二条第一款).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalGround {
    /// 第（一）项: the matter needs no licence.
    NoLicenceRequired,
    /// 第（二）项: another authority decides it; the applicant is told which.
    OutsideCompetence { competent_authority: String },
    /// Any other ground, with its legal basis (`《……》第X条`).
    Other { reason: String, basis: String },
}

/// A licence granted with an approval (行政许可法第三十九条).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LicenceGrant {
    /// 《食品经营许可证》 without the brackets.
    pub name: String,
    pub number: String,
    pub valid_to: Option<Date>,
}

/// What an approval grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// The substantive provisions the application meets (`《中华人民共和国食品安全法》第三十五条`);
    /// empty for 法定条件、标准 in general.
    pub basis: String,
    /// 准予许可的内容 (scope, place, term …), shown as fields.
    pub content: Vec<(String, String)>,
    pub licence: Option<LicenceGrant>,
}

/// One thing to supplement and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplementItem {
    pub material: String,
    pub reason: String,
}

/// A licence certificate's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// 持证主体.
    pub holder: String,
    /// The licence's name, the certificate's title (`食品经营许可证`).
    pub licence_name: String,
    pub valid_from: Date,
    pub valid_to: Date,
    /// Further fields in order (统一社会信用代码, 法定代表人, 经营场所, 经营项目 …).
    pub fields: Vec<(String, String)>,
}

const LICENSING_ACT: &str = "《中华人民共和国行政许可法》";

impl Document {
    /// An empty document of `kind`, to fill with blocks.
    pub fn new(
        kind: DocumentKind,
        issue: &Issue,
        addressee: impl Into<String>,
        blocks: Vec<Block>,
    ) -> Document {
        Document {
            kind,
            number: issue.number.clone(),
            issuer: issue.issuer.clone(),
            addressee: addressee.into(),
            title: None,
            blocks,
            date: issue.date,
            verification: issue.verification.clone(),
            seal_label: SEAL_LABEL.to_string(),
            letterhead: kind != DocumentKind::Certificate,
        }
    }

    /// The title: the override, else the kind's name.
    pub fn title(&self) -> &str {
        self.title.as_deref().unwrap_or(self.kind.zh())
    }

    /// 受理通知书: the application is accepted (第三十二条第一款第（五）项); the decision is due
    /// within `decide_within` working days (第四十二条). `progress` says how to follow the case
    /// (`登录……，凭申请编号和查询码`), when given.
    pub fn acceptance(
        issue: &Issue,
        application: &Application,
        decide_within: u32,
        progress: Option<&str>,
    ) -> Document {
        let mut blocks = vec![
            Block::Paragraph(format!(
                "{}，经审查，申请事项属于本机关职权范围，申请材料齐全、符合法定形式。\
                 根据{LICENSING_ACT}第三十二条第一款第（五）项的规定，本机关决定予以受理。",
                application.opening()
            )),
            Block::Paragraph(format!(
                "本机关将自受理之日起{}个工作日内作出行政许可决定；依法需要听证、招标、拍卖、\
                 检验、检测、检疫、鉴定和专家评审的，所需时间不计算在内。",
                zh::number(decide_within)
            )),
        ];
        if let Some(p) = progress.filter(|p| !p.trim().is_empty()) {
            blocks.push(Block::Paragraph(format!(
                "你（单位）可以通过{p}查询办理进度。"
            )));
        }
        Document::new(
            DocumentKind::Acceptance,
            issue,
            &application.applicant,
            blocks,
        )
    }

    /// 补正材料一次性告知书 (第三十二条第一款第（四）项): everything to supplement, at once,
    /// with the reason for each, and the day by which. `basis` names the provisions that
    /// require the materials (`《食品经营许可和备案管理办法》第十二条`), or is empty.
    pub fn supplement_notice(
        issue: &Issue,
        application: &Application,
        items: &[SupplementItem],
        due: Date,
        basis: &str,
    ) -> Document {
        let basis = if basis.trim().is_empty() {
            String::new()
        } else {
            format!("和{}", basis.trim())
        };
        let list = items
            .iter()
            .enumerate()
            .map(|(i, it)| {
                zh::close_item(
                    &format!("{}：{}", it.material.trim(), it.reason.trim()),
                    i + 1 == items.len(),
                )
            })
            .collect();
        let blocks = vec![
            Block::Paragraph(format!(
                "{}，经审查，申请材料不齐全或者不符合法定形式。根据{LICENSING_ACT}第三十二条\
                 第一款第（四）项{basis}的规定，现一次性告知你（单位）需要补正的全部内容如下：",
                application.opening()
            )),
            Block::List(list),
            Block::Paragraph(format!(
                "请于{}前补正上述全部内容。补正的申请材料齐全、符合法定形式的，本机关将予以受理。",
                zh::date(due)
            )),
        ];
        Document::new(
            DocumentKind::SupplementNotice,
            issue,
            &application.applicant,
            blocks,
        )
    }

    /// 不予受理决定书, with the ground and the applicant's remedies.
    pub fn refusal_to_accept(
        issue: &Issue,
        application: &Application,
        ground: &RefusalGround,
        remedies: &Remedies,
    ) -> Document {
        let (finding, basis) = match ground {
            RefusalGround::NoLicenceRequired => (
                "该申请事项依法不需要取得行政许可".to_string(),
                format!("{LICENSING_ACT}第三十二条第一款第（一）项"),
            ),
            RefusalGround::OutsideCompetence { .. } => (
                "该申请事项依法不属于本机关职权范围".to_string(),
                format!("{LICENSING_ACT}第三十二条第一款第（二）项"),
            ),
            RefusalGround::Other { reason, basis } => (
                reason.trim().trim_end_matches('。').to_string(),
                basis.trim().to_string(),
            ),
        };
        let mut decision = format!(
            "{}，经审查，{finding}。根据{basis}的规定，本机关决定不予受理。",
            application.opening()
        );
        if let RefusalGround::OutsideCompetence {
            competent_authority,
        } = ground
        {
            decision.push_str(&format!("请你（单位）向{competent_authority}申请。"));
        }
        Document::new(
            DocumentKind::RefusalToAccept,
            issue,
            &application.applicant,
            vec![Block::Paragraph(decision), remedies.paragraph()],
        )
    }

    /// 准予行政许可决定书 (第三十八条第一款), with what is granted and the licence issued.
    pub fn approval(issue: &Issue, application: &Application, approval: &Approval) -> Document {
        let meets = if approval.basis.trim().is_empty() {
            "你（单位）的申请符合法定条件、标准".to_string()
        } else {
            format!("你（单位）的申请符合{}的规定", approval.basis.trim())
        };
        let mut blocks = vec![Block::Paragraph(format!(
            "{}，本机关依法进行了审查。经审查，{meets}。根据{LICENSING_ACT}第三十八条第一款的规定，\
             本机关决定准予行政许可。",
            application.opening()
        ))];
        if !approval.content.is_empty() {
            blocks.push(Block::Paragraph("准予行政许可的内容如下：".to_string()));
            blocks.push(Block::Fields(approval.content.clone()));
        }
        if let Some(licence) = &approval.licence {
            let term = licence
                .valid_to
                .map(|d| format!("，有效期至{}", zh::date(d)))
                .unwrap_or_default();
            blocks.push(Block::Paragraph(format!(
                "根据{LICENSING_ACT}第三十九条的规定，本机关向你（单位）颁发《{}》（编号：{}）{term}。\
                 电子证照与纸质证照具有同等法律效力。",
                licence.name, licence.number
            )));
        }
        Document::new(
            DocumentKind::Approval,
            issue,
            &application.applicant,
            blocks,
        )
    }

    /// 不予行政许可决定书 (第三十八条第二款): the reasons, one item each, the provisions the
    /// application fails (`basis`), and the applicant's rights to review and to sue.
    pub fn denial(
        issue: &Issue,
        application: &Application,
        reasons: &[String],
        basis: &str,
        remedies: &Remedies,
    ) -> Document {
        let fails = if basis.trim().is_empty() {
            "你（单位）的申请不符合法定条件、标准".to_string()
        } else {
            format!("你（单位）的申请不符合{}的规定", basis.trim())
        };
        let list = reasons
            .iter()
            .enumerate()
            .map(|(i, r)| zh::close_item(r, i + 1 == reasons.len()))
            .collect();
        let blocks = vec![
            Block::Paragraph(format!(
                "{}，本机关依法进行了审查。经审查，{fails}，理由如下：",
                application.opening()
            )),
            Block::List(list),
            Block::Paragraph(format!(
                "根据{LICENSING_ACT}第三十八条第二款的规定，本机关决定不予行政许可。"
            )),
            remedies.paragraph(),
        ];
        Document::new(DocumentKind::Denial, issue, &application.applicant, blocks)
    }

    /// The licence certificate; `issue.number` is its 证照编号.
    pub fn certificate(issue: &Issue, certificate: &Certificate) -> Document {
        let mut fields = vec![("持证主体".to_string(), certificate.holder.clone())];
        fields.extend(certificate.fields.iter().cloned());
        fields.push((
            "有效期限".to_string(),
            format!(
                "{}至{}",
                zh::date(certificate.valid_from),
                zh::date(certificate.valid_to)
            ),
        ));
        let mut doc = Document::new(
            DocumentKind::Certificate,
            issue,
            &certificate.holder,
            vec![Block::Fields(fields)],
        );
        doc.title = Some(certificate.licence_name.clone());
        doc
    }
}
