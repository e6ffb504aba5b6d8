//! Documents under the department's seal (决定书, 证照): rendered by `sunlight-docs` when the
//! approver decides, sealed with the department's SM2 key, stored by digest, and handed to the
//! engine inside the `Decide` command — so the decision, its documents' digests and seals (in
//! the ledger) and the document rows (in the store) commit together, and only the one who may
//! decide (the approver of the case's department) ever applies a seal.
//!
//! Keys: one per department, its secret half in a key directory outside the database
//! (`[documents] keys`, 0600 files named by the department's credit code; an in-memory set for
//! tests), its public half in `seal_keys` so any server can verify. A rotated key still
//! verifies what it sealed; a revoked one does not.
//!
//! Verification ([`App::verify_number`], [`App::verify_pdf`]): by the certificate or document
//! number and the check code printed on it (the record and its status), or by the PDF itself
//! (its SHA-256 finds the record; the SM2 seal over its SM3 is checked against the key). A copy
//! changed in any byte matches no record and is refused.

use crate::{App, AppError, AppResult};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use sunlight_core::case::{Case, DecisionInput, DocumentKind, MediaType, SealedDocument, Verdict};
use sunlight_core::{Date, PowerCategory, zh_en};
use sunlight_docs as docs;

/// `[documents]` of the configuration.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DocumentsConfig {
    /// The directory of the departments' seal keys (default: beside the SQLite file).
    pub keys: Option<String>,
    /// Where the public reaches this server: the verification address printed on documents.
    pub public_url: String,
    /// Years a certificate is valid for (食品经营许可证: 5, 《食品经营许可和备案管理办法》第二十四条).
    pub certificate_years: i16,
    /// A full CJK font (OTF/TTF/TTC) for characters outside GB 2312 in names.
    pub font: Option<String>,
}

impl Default for DocumentsConfig {
    fn default() -> Self {
        Self {
            keys: None,
            public_url: "http://127.0.0.1:8080".into(),
            certificate_years: 5,
            font: None,
        }
    }
}

enum Keys {
    Directory(PathBuf),
    Memory(Mutex<HashMap<String, [u8; 32]>>),
}

/// What sealing needs: the keys, the fonts, where verification lives.
pub struct Sealer {
    keys: Keys,
    fonts: docs::Fonts,
    public_url: String,
    certificate_years: i16,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("public_url", &self.public_url)
            .finish_non_exhaustive()
    }
}

impl Default for Sealer {
    /// Keys kept in memory (tests, and an engine whose seals need not outlive it).
    fn default() -> Self {
        Self {
            keys: Keys::Memory(Mutex::default()),
            fonts: docs::Fonts::embedded(),
            public_url: DocumentsConfig::default().public_url,
            certificate_years: 5,
        }
    }
}

impl Sealer {
    /// Keys in `keys` (created when missing), as `config` says.
    pub fn new(config: &DocumentsConfig, keys: PathBuf) -> Result<Self, String> {
        std::fs::create_dir_all(&keys).map_err(|e| format!("{}: {e}", keys.display()))?;
        let fonts = match &config.font {
            Some(f) => {
                let bytes = std::fs::read(f).map_err(|e| format!("{f}: {e}"))?;
                docs::Fonts::embedded()
                    .with_fallback(bytes, 0)
                    .map_err(|e| format!("{f}: {}", e.zh()))?
            }
            None => docs::Fonts::embedded(),
        };
        Ok(Self {
            keys: Keys::Directory(keys),
            fonts,
            public_url: config.public_url.trim_end_matches('/').to_string(),
            certificate_years: config.certificate_years.clamp(1, 50),
        })
    }

    /// The department's current key, made on first use.
    fn key(&self, department: &str) -> AppResult<docs::SealKey> {
        let fresh = || -> AppResult<[u8; 32]> {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed)
                .map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
            Ok(docs::SealKey::generate(seed).to_bytes())
        };
        let secret = match &self.keys {
            Keys::Memory(m) => {
                let mut m = m.lock().map_err(|_| AppError::Internal("keys".into()))?;
                match m.get(department) {
                    Some(k) => *k,
                    None => {
                        let k = fresh()?;
                        m.insert(department.to_string(), k);
                        k
                    }
                }
            }
            Keys::Directory(dir) => {
                let path = dir.join(format!("{department}.sm2"));
                match std::fs::read_to_string(&path) {
                    Ok(text) => {
                        let mut k = [0u8; 32];
                        hex::decode_to_slice(text.trim(), &mut k)
                            .map_err(|e| AppError::Internal(format!("{}: {e}", path.display())))?;
                        k
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        let k = fresh()?;
                        write_secret(&path, &hex::encode(k))?;
                        k
                    }
                    Err(e) => return Err(AppError::Internal(format!("{}: {e}", path.display()))),
                }
            }
        };
        docs::SealKey::from_bytes(&secret).map_err(|e| AppError::Internal(e.en()))
    }
}

fn write_secret(path: &std::path::Path, text: &str) -> AppResult<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o
        .open(path)
        .map_err(|e| AppError::Internal(format!("{}: {e}", path.display())))?;
    f.write_all(text.as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| AppError::Internal(format!("{}: {e}", path.display())))
}

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Verified {
    /// The record, and whether it is in force today.
    Genuine {
        document: Box<sunlight_store::DocumentRow>,
        status: DocumentStatus,
        issuer: String,
    },
    /// No document of ours has these bytes (or this number and code): altered, or not ours.
    NotFound,
    /// The bytes match a record but the seal does not hold (a revoked key, a damaged record).
    SealInvalid {
        reason_zh: String,
        reason_en: String,
    },
}

/// A document's standing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    Valid,
    Expired,
    Revoked,
}

impl DocumentStatus {
    pub fn zh(self) -> &'static str {
        match self {
            Self::Valid => "有效",
            Self::Expired => "已过期",
            Self::Revoked => "已撤销",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Expired => "expired",
            Self::Revoked => "revoked",
        }
    }
}

/// A document to render: its kind, content, and (a certificate) validity.
type Wanted = (DocumentKind, docs::Document, Option<(Date, Date)>);

fn licence_name(power: &str) -> String {
    if let Some(i) = power.rfind('证') {
        return power[..i + '证'.len_utf8()].to_string();
    }
    match power.strip_suffix("审批") {
        Some(p) if p.ends_with("许可") => format!("{p}证"),
        _ if power.ends_with("许可") => format!("{power}证"),
        _ => format!("{power}许可证"),
    }
}

impl App {
    /// The secret check codes are made under (derived from the query-code key: a deployment's
    /// own, never printed).
    fn check_secret(&self) -> Vec<u8> {
        self.engine
            .query_code_hash("sunlight document check codes")
            .into_bytes()
    }

    /// Renders, seals and stores the documents of the decision `input` the approver
    /// is about to take on `case`, and lists them in `input.documents`. Only licensing decisions
    /// carry documents here (a penalty decision's document is the department's own); a
    /// decision the rules would refuse is refused when decided, leaving the files
    /// unreferenced.
    pub async fn seal_decision(&self, case: &Case, input: &mut DecisionInput) -> AppResult<()> {
        if case.opened.category != PowerCategory::Licensing || !input.documents.is_empty() {
            return Ok(());
        }
        let today = self.today();
        let o = &case.opened;
        let department = self
            .store
            .department(&o.department)
            .await?
            .map(|d| d.name)
            .unwrap_or_else(|| o.department.to_string());
        let region = self
            .store
            .region(&o.region)
            .await?
            .map(|r| r.name)
            .unwrap_or_default();
        let tail: String = {
            let alnum: Vec<char> = o
                .receipt
                .as_str()
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect();
            alnum[alnum.len().saturating_sub(6)..].iter().collect()
        };
        if input.document_no.trim().is_empty() {
            input.document_no = format!("{region}许决〔{}〕{tail}号", today.year());
        }
        let number = input.document_no.trim().to_string();
        let secret = self.check_secret();
        let sealer = &self.sealer;
        let verify_url = format!("{}/verify", sealer.public_url);
        let verification = |n: &str| {
            let code = docs::check_code(&secret, n);
            docs::Verification::new(&verify_url, n, &code).with_link(format!(
                "{verify_url}?number={}&code={code}",
                form_urlencoded::byte_serialize(n.as_bytes()).collect::<String>()
            ))
        };
        let application = docs::Application {
            applicant: o.applicant.name().to_string(),
            matter: o.power_name.clone(),
            applied_on: self.zone.date(case.submitted_at),
            reference: Some(o.receipt.to_string()),
        };
        let issue = |n: &str| docs::Issue {
            number: n.to_string(),
            issuer: department.clone(),
            date: today,
            verification: Some(verification(n)),
        };
        let power = self
            .store
            .power_version(o.power.as_str(), o.power_version)
            .await
            .ok()
            .flatten();
        let basis = power
            .as_ref()
            .and_then(|p| p.power.legal_basis.first())
            .map(|b| format!("{}{}", b.instrument, b.article))
            .unwrap_or_default();
        let mut wanted: Vec<Wanted> = Vec::new();
        match input.verdict {
            Verdict::Approve => {
                let licence = licence_name(&o.power_name);
                let region6: String = o.region.as_str().chars().take(6).collect();
                let cert_no = format!("{region6}{}{tail}", today.year());
                let valid_to = today
                    .checked_add(jiff::Span::new().years(sealer.certificate_years))
                    .and_then(|d| d.yesterday())
                    .map_err(|e| AppError::Internal(e.to_string()))?;
                let approval = docs::Approval {
                    basis: basis.clone(),
                    content: vec![("许可事项".into(), o.power_name.clone())],
                    licence: Some(docs::LicenceGrant {
                        name: licence.clone(),
                        number: cert_no.clone(),
                        valid_to: Some(valid_to),
                    }),
                };
                wanted.push((
                    DocumentKind::Decision,
                    docs::Document::approval(&issue(&number), &application, &approval),
                    None,
                ));
                let id_label = match &o.applicant {
                    sunlight_core::case::Applicant::Organisation { .. } => "统一社会信用代码",
                    sunlight_core::case::Applicant::Person { .. } => "公民身份号码",
                };
                let certificate = docs::Certificate {
                    holder: o.applicant.name().to_string(),
                    licence_name: licence,
                    valid_from: today,
                    valid_to,
                    fields: vec![
                        (id_label.into(), o.applicant.masked().party_id()),
                        ("许可事项".into(), o.power_name.clone()),
                        ("发证机关".into(), department.clone()),
                    ],
                };
                wanted.push((
                    DocumentKind::Certificate,
                    docs::Document::certificate(&issue(&cert_no), &certificate),
                    Some((today, valid_to)),
                ));
            }
            Verdict::Deny => {
                let remedies = docs::Remedies {
                    review_body: format!("{region}人民政府"),
                    court: format!("{region}人民法院"),
                };
                let reasons: Vec<String> = input
                    .reasons
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect();
                wanted.push((
                    DocumentKind::Decision,
                    docs::Document::denial(
                        &issue(&number),
                        &application,
                        &reasons,
                        input.legal_basis.trim(),
                        &remedies,
                    ),
                    None,
                ));
            }
        }
        let key = sealer.key(o.department.as_str())?;
        let public = key.public_key();
        self.store
            .put_seal_key(
                &public.fingerprint(),
                o.department.as_str(),
                &public.to_hex(),
                self.clock.now(),
            )
            .await?;
        for (kind, doc, validity) in wanted {
            let pdf = docs::render(&doc, &sealer.fonts).map_err(|e| {
                AppError::Domain(sunlight_core::DomainError::field(
                    "decision",
                    sunlight_core::Text::new(e.zh(), e.en()),
                ))
            })?;
            let sealed = docs::seal(&key, &pdf);
            let meta = self
                .store
                .put_blob(&pdf, MediaType::Pdf, self.clock.now())
                .await?;
            input.documents.push(SealedDocument {
                kind,
                number: doc.number.clone(),
                sha256: meta.sha256,
                sm3: hex::encode(sealed.digest_sm3),
                key: sealed.key_id,
                signature: hex::encode(&sealed.signature),
                valid_from: validity.map(|v| v.0),
                valid_to: validity.map(|v| v.1),
            });
        }
        Ok(())
    }

    /// A command on a case, through the engine; a decision by the case department's approver
    /// first has its documents rendered and sealed ([`App::seal_decision`]). Every edge acts
    /// on cases through here.
    pub async fn act(
        &self,
        receipt: sunlight_core::case::ReceiptNumber,
        mut cmd: sunlight_core::case::CaseCommand,
        actor: sunlight_core::case::Actor,
        key: Option<String>,
    ) -> AppResult<sunlight_engine::Ack> {
        if let (
            sunlight_core::case::CaseCommand::Decide { decision, .. },
            sunlight_core::case::Actor::Staff(user),
        ) = (&mut cmd, &actor)
            && user.roles.contains(&sunlight_core::Role::Approver)
            && let Some(case) = self.engine.case(&receipt).await?
            && user.department.as_ref() == Some(&case.opened.department)
        {
            self.seal_decision(&case, decision).await?;
        }
        Ok(self.engine.act(receipt, cmd, actor, key).await?)
    }

    /// The check code printed beside a document's number (what the public verifies with).
    pub fn check_code(&self, number: &str) -> String {
        docs::check_code(&self.check_secret(), number)
    }

    /// A document's standing today.
    fn status_of(&self, d: &sunlight_store::DocumentRow) -> DocumentStatus {
        if d.revoked_at_ms.is_some() {
            return DocumentStatus::Revoked;
        }
        match d.valid_to.as_deref().and_then(|v| v.parse::<Date>().ok()) {
            Some(to) if to < self.today() => DocumentStatus::Expired,
            _ => DocumentStatus::Valid,
        }
    }

    async fn genuine(&self, d: sunlight_store::DocumentRow) -> AppResult<Verified> {
        let status = self.status_of(&d);
        let issuer = match sunlight_core::CreditCode::parse(&d.department) {
            Ok(c) => self.store.department(&c).await?.map(|x| x.name),
            Err(_) => None,
        }
        .unwrap_or_else(|| d.department.clone());
        Ok(Verified::Genuine {
            document: Box::new(d),
            status,
            issuer,
        })
    }

    /// Verifies by number and the check code printed beside it.
    pub async fn verify_number(&self, number: &str, code: &str) -> AppResult<Verified> {
        let number = number.trim();
        if number.is_empty()
            || number.chars().count() > 60
            || !docs::check_code_matches(&self.check_secret(), number, code)
        {
            return Ok(Verified::NotFound);
        }
        match self.store.document(number).await? {
            Some(d) => self.genuine(d).await,
            None => Ok(Verified::NotFound),
        }
    }

    /// Verifies a PDF as someone received it: the record its bytes match, and the seal.
    pub async fn verify_pdf(&self, pdf: &[u8]) -> AppResult<Verified> {
        use sha2::Digest;
        let sha = hex::encode(sha2::Sha256::digest(pdf));
        let Some(d) = self
            .store
            .documents_by_digest(&sha)
            .await?
            .into_iter()
            .next()
        else {
            return Ok(Verified::NotFound);
        };
        let Some(key) = self.store.seal_key(&d.key_id).await? else {
            return Ok(invalid(zh_en!(
                "签章密钥未登记",
                "the sealing key is not registered"
            )));
        };
        if key.revoked_at_ms.is_some() {
            return Ok(invalid(zh_en!(
                "签章密钥已吊销：{}",
                "the sealing key was revoked: {}",
                key.revoke_reason.clone().unwrap_or_default()
            )));
        }
        let seal = (|| -> Option<docs::Seal> {
            let mut digest_sm3 = [0u8; 32];
            hex::decode_to_slice(&d.sm3, &mut digest_sm3).ok()?;
            Some(docs::Seal {
                digest_sm3,
                signature: hex::decode(&d.signature).ok()?,
                key_id: d.key_id.clone(),
            })
        })();
        let public = docs::SealPublicKey::from_hex(&key.public_key);
        match (seal, public) {
            (Some(seal), Ok(public)) => match docs::verify(&public, pdf, &seal) {
                Ok(()) => self.genuine(d).await,
                Err(e) => Ok(invalid(sunlight_core::Text::new(e.zh(), e.en()))),
            },
            _ => Ok(invalid(zh_en!(
                "签章记录损坏",
                "the seal's record is damaged"
            ))),
        }
    }

    /// A case's documents (for its pages).
    pub async fn documents_of(&self, case: &Case) -> AppResult<Vec<sunlight_store::DocumentRow>> {
        Ok(self
            .store
            .documents_of(case.opened.receipt.as_str())
            .await?)
    }

    /// A case's document's PDF by its number, if the case issued it.
    pub async fn document_pdf(&self, case: &Case, number: &str) -> AppResult<Option<Vec<u8>>> {
        let Some(d) = self.store.document(number).await? else {
            return Ok(None);
        };
        if d.receipt != case.opened.receipt.as_str() {
            return Ok(None);
        }
        Ok(self.store.blob(&d.sha256).await?.map(|(_, bytes)| bytes))
    }
}

fn invalid(t: sunlight_core::Text) -> Verified {
    Verified::SealInvalid {
        reason_zh: t.zh.into_owned(),
        reason_en: t.en.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn licence_names_read_like_certificates() {
        assert_eq!(licence_name("食品经营许可证核发"), "食品经营许可证");
        assert_eq!(licence_name("食品经营许可"), "食品经营许可证");
        assert_eq!(licence_name("建筑工程施工许可"), "建筑工程施工许可证");
        assert_eq!(licence_name("排污许可审批"), "排污许可证");
    }
}
