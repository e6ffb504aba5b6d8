//! The crate's refusals, each readable in Chinese ([`Error::zh`]) and English ([`Error::en`],
//! also its `Display`).

/// Why a document could not be rendered or a key read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The document uses characters that no font given has: rendering them would print
    /// empty boxes (tofu) in an official document, so nothing is rendered.
    #[error("the font has no glyph for {}", list(.0))]
    MissingGlyphs(Vec<char>),
    /// Font bytes that are not an OpenType font (or a collection without that index).
    #[error("not a usable font (collection index {0})")]
    Font(u32),
    /// A field the document cannot be issued without is empty.
    #[error("the document's {0} is empty")]
    Empty(&'static str),
    /// The verification link is too long for a QR code.
    #[error("the verification link is too long for a QR code")]
    QrTooLong,
    /// The certificate's fields do not fit on one page even in the smallest type.
    #[error("the certificate's fields do not fit on one page")]
    CertificateTooLong,
    /// The PDF writer refused the document (a bug here, not the caller's).
    #[error("the PDF could not be written: {0}")]
    Pdf(String),
    /// Bytes that are not an SM2 secret key (32 bytes, 1 ≤ d < n − 1).
    #[error("not an SM2 secret key")]
    SecretKey,
    /// Bytes that are not an SM2 public key (SEC1, hex or raw).
    #[error("not an SM2 public key")]
    PublicKey,
}

impl Error {
    /// The message in Chinese (zh-CN).
    pub fn zh(&self) -> String {
        match self {
            Error::MissingGlyphs(chars) => format!("字库中没有以下字符：{}", list(chars)),
            Error::Font(index) => format!("字体文件无法使用（字体集序号 {index}）"),
            Error::Empty(field) => format!("文书的{}为空", field_zh(field)),
            Error::QrTooLong => "核验链接过长，无法生成二维码".to_string(),
            Error::CertificateTooLong => "证照内容过多，一页排不下".to_string(),
            Error::Pdf(e) => format!("PDF 生成失败：{e}"),
            Error::SecretKey => "不是有效的 SM2 私钥".to_string(),
            Error::PublicKey => "不是有效的 SM2 公钥".to_string(),
        }
    }

    /// The message in English.
    pub fn en(&self) -> String {
        self.to_string()
    }
}

fn field_zh(field: &str) -> &'static str {
    match field {
        "number" => "文号（编号）",
        "issuer" => "发文机关",
        "title" => "标题",
        _ => "必填内容",
    }
}

/// Characters as a person can find them: each quoted, with its code point.
fn list(chars: &[char]) -> String {
    chars
        .iter()
        .map(|c| format!("“{c}”(U+{:04X})", *c as u32))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a seal does not vouch for the bytes shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The seal was made with another key than the one it is checked against.
    #[error("sealed with key {sealed_with}, not with {given}")]
    WrongKey { sealed_with: String, given: String },
    /// The document's bytes differ from those sealed: it was altered (or it is another document).
    #[error("the document was altered after it was sealed")]
    Altered,
    /// The digest matches but the signature over it does not verify: the seal is forged or damaged.
    #[error("the seal's signature is not valid")]
    BadSignature,
}

impl VerifyError {
    /// The message in Chinese (zh-CN).
    pub fn zh(&self) -> String {
        match self {
            VerifyError::WrongKey { sealed_with, given } => {
                format!("该文书由密钥 {sealed_with} 签章，而非 {given}")
            }
            VerifyError::Altered => "文书在签章后被改动过".to_string(),
            VerifyError::BadSignature => "签章的数字签名无效".to_string(),
        }
    }

    /// The message in English.
    pub fn en(&self) -> String {
        self.to_string()
    }
}
