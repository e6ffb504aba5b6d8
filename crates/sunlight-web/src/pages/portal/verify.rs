//! 电子证照核验: anyone checks a document or certificate — by its number and the check code
//! printed on it (or the QR code's link, which carries both), or by uploading the PDF they
//! were given (its seal checked; a copy changed in any byte is refused).

use super::*;
use sunlight_app::documents::Verified;

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage<'a> {
    v: &'a Visitor,
    number: String,
    code: String,
    error: Option<String>,
    result: Option<Shown>,
}

/// A verification as the page shows it: heading, style class, (label, value) lines.
type Shown = (String, &'static str, Vec<(String, String)>);

#[derive(Debug, Default, serde::Deserialize)]
pub struct VerifyQuery {
    #[serde(default)]
    number: String,
    #[serde(default)]
    code: String,
    /// After a file was checked (post/redirect/get): `ok`, `unknown` or `seal`.
    #[serde(default)]
    file: String,
}

fn mask_holder(holder: &str) -> String {
    // An organisation's name is public registration data; a person's keeps its first character.
    let n = holder.chars().count();
    if n <= 4 && !holder.contains("公司") {
        let mut s: String = holder.chars().take(1).collect();
        s.push_str(&"*".repeat(n.saturating_sub(1)));
        s
    } else {
        holder.to_string()
    }
}

fn shown(v: &Visitor, found: Verified) -> Shown {
    match found {
        Verified::Genuine {
            document,
            status,
            issuer,
        } => {
            let d = *document;
            let mut lines = vec![
                (
                    v.t("文书类型", "Kind").to_string(),
                    match d.kind.as_str() {
                        "certificate" => v.t("证照", "certificate"),
                        _ => v.t("行政许可决定书", "licensing decision"),
                    }
                    .to_string(),
                ),
                (v.t("编号", "Number").to_string(), d.number.clone()),
                (v.t("事项", "Matter").to_string(), d.matter.clone()),
                (
                    v.t("持证（申请）人", "Holder").to_string(),
                    v.lang.personal(&mask_holder(&d.holder)),
                ),
                (v.t("签发机关", "Issued by").to_string(), issuer),
                (
                    v.t("状态", "Status").to_string(),
                    v.t(status.zh(), status.en()).to_string(),
                ),
            ];
            if let (Some(from), Some(to)) = (&d.valid_from, &d.valid_to) {
                lines.push((
                    v.t("有效期", "Valid").to_string(),
                    format!("{from} — {to}"),
                ));
            }
            if let Some(r) = &d.revoke_reason {
                lines.push((v.t("撤销原因", "Revoked because").to_string(), r.clone()));
            }
            lines.push((
                v.t("电子印章", "Seal").to_string(),
                format!("SM2 · {} {}", v.t("密钥", "key"), d.key_id),
            ));
            let (heading, class) = match status {
                sunlight_app::documents::DocumentStatus::Valid => (
                    v.t("核验通过：本平台签发，内容未被改动", "Genuine: issued here and unaltered"),
                    "ok",
                ),
                _ => (
                    v.t(
                        "本平台签发，但已不在有效状态",
                        "Issued here, but no longer in force",
                    ),
                    "warn",
                ),
            };
            (heading.to_string(), class, lines)
        }
        Verified::NotFound => (
            v.t(
                "核验未通过：没有与之一致的签发记录（编号或核验码有误，或文件已被改动、非本平台签发）",
                "Not verified: no document issued here matches (a wrong number or code, or the file was altered or not issued here)",
            )
            .to_string(),
            "bad",
            vec![],
        ),
        Verified::SealInvalid {
            reason_zh,
            reason_en,
        } => (
            format!(
                "{}{}",
                v.t("核验未通过：", "Not verified: "),
                v.t(&reason_zh, &reason_en)
            ),
            "bad",
            vec![],
        ),
    }
}

pub async fn verify_form(
    State(state): State<SharedState>,
    v: Visitor,
    q: Result<Query<VerifyQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let mut page = VerifyPage {
        v: &v,
        number: q.number.chars().take(60).collect(),
        code: q.code.chars().take(20).collect(),
        error: None,
        result: None,
    };
    match q.file.as_str() {
        "unknown" => {
            page.result = Some(shown(&v, Verified::NotFound));
            page.number.clear();
            return render(&v, StatusCode::OK, &page);
        }
        "seal" => {
            page.result = Some(shown(
                &v,
                Verified::SealInvalid {
                    reason_zh: "文件的电子印章无效（签章密钥已吊销，或签章与签发记录不符）".into(),
                    reason_en: "the file's seal is not valid (its key was revoked, or the seal does not match the record)".into(),
                },
            ));
            return render(&v, StatusCode::OK, &page);
        }
        _ => {}
    }
    if !page.number.is_empty() && !page.code.is_empty() {
        match state.app.verify_number(&page.number, &page.code).await {
            Ok(found) => {
                let mut shown = shown(&v, found);
                if q.file == "ok" && shown.1 != "bad" {
                    shown.2.push((
                        v.t("文件", "File").to_string(),
                        v.t(
                            "所上传文件与签发文件逐字节一致，电子印章验证通过",
                            "the uploaded file is byte for byte the one issued, its seal valid",
                        )
                        .to_string(),
                    ));
                }
                page.result = Some(shown);
            }
            Err(e) => return PageError::new(&v, e).into_response(),
        }
    }
    render(&v, StatusCode::OK, &page)
}

/// Where the page shows the check of a file (a GET, so back and refresh never resend it).
fn after_file(state: &SharedState, found: &Verified) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    match found {
        Verified::Genuine { document, .. } => format!(
            "/verify?number={}&code={}&file=ok",
            enc(&document.number),
            enc(&state.app.check_code(&document.number))
        ),
        Verified::NotFound => "/verify?file=unknown".into(),
        Verified::SealInvalid { .. } => "/verify?file=seal".into(),
    }
}

/// The PDF someone was given, checked against its seal.
pub async fn verify_upload(
    State(state): State<SharedState>,
    Uploaded { v, form, files }: Uploaded,
) -> Response {
    let mut page = VerifyPage {
        v: &v,
        number: form.get("number").chars().take(60).collect(),
        code: String::new(),
        error: None,
        result: None,
    };
    let Some((_, bytes)) = files.into_iter().find(|(_, b)| !b.is_empty()) else {
        page.error = Some(
            v.t("请选择要核验的 PDF 文件。", "Choose the PDF to check.")
                .into(),
        );
        return render(&v, StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    if !bytes.starts_with(b"%PDF-") {
        page.error = Some(
            v.t("所选文件不是 PDF 文件。", "The file chosen is not a PDF.")
                .into(),
        );
        return render(&v, StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    match state.app.verify_pdf(&bytes).await {
        Ok(found) => Redirect::to(&after_file(&state, &found)).into_response(),
        Err(e) => PageError::new(&v, e).into_response(),
    }
}
