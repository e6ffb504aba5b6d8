//! `sunlight-docs`: the official documents of a 行政许可 — 受理通知书, 补正材料一次性告知书,
//! 不予受理决定书, 准予／不予行政许可决定书 and the licence certificate (证照) — rendered as
//! PDFs and sealed with the department's 行政审批专用章.
//!
//! Pure: no IO, no clock, no randomness. The caller (the application layer) supplies the
//! facts as plain structs ([`Document`] and its constructors), a font set ([`Fonts`], by
//! default a GB 2312 subset of Noto Serif SC compiled in), and keeps the keys and the seals.
//!
//! ```
//! use sunlight_docs::*;
//! use jiff::civil::date;
//!
//! let issue = Issue {
//!     number: "淳市监许〔2026〕17号".into(),
//!     issuer: "淳安县市场监督管理局".into(),
//!     date: date(2026, 5, 8),
//!     verification: None,
//! };
//! let application = Application {
//!     applicant: "杭州千岛湖鲜味餐饮有限公司".into(),
//!     matter: "食品经营许可".into(),
//!     applied_on: date(2026, 5, 6),
//!     reference: None,
//! };
//! let approval = Approval { basis: String::new(), content: vec![], licence: None };
//! let doc = Document::approval(&issue, &application, &approval);
//! let pdf = render(&doc, &Fonts::embedded()).unwrap();
//!
//! let key = SealKey::generate([7; 32]); // 32 bytes from the OS's generator, in the app
//! let sealed = seal(&key, &pdf);
//! assert_eq!(verify(&key.public_key(), &pdf, &sealed), Ok(()));
//! ```
//!
//! The seal is drawn on the page (a vector 42 mm seal over the issuer's name and the date) and
//! made by SM2 over the SM3 digest of the finished PDF; the PDF is not changed afterwards, so
//! any altered byte fails [`verify`].

mod document;
mod error;
mod font;
mod layout;
mod render;
mod seal;
mod wrap;
mod zh;

pub use document::{
    Application, Approval, Block, Certificate, Document, DocumentKind, Issue, LicenceGrant,
    RefusalGround, Remedies, SEAL_LABEL, SupplementItem, Verification,
};
pub use error::{Error, VerifyError};
pub use font::Fonts;
pub use render::render;
pub use seal::{
    DISTINGUISHING_ID, Seal, SealKey, SealPublicKey, check_code, check_code_matches, digest, seal,
    verify,
};

/// Chinese dates and numerals as the documents write them, for callers composing their own
/// text: `date(2026-05-08)` is `2026年5月8日`, `number(20)` is `二十`.
pub mod chinese {
    pub use crate::zh::{date, number};
}
