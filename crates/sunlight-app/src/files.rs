//! Materials as files: an upload checked by its content and size, stored in the blob store
//! by its SHA-256, and handed to a case's command by digest; a case's file read back only by
//! those allowed to read the case.

use crate::{App, AppError, AppResult};
use sunlight_core::case::{Actor, Case, CaseCommand, MaterialFile, MediaType};
use sunlight_core::{DomainError, FieldError, zh_en};
use sunlight_engine::Ack;

/// One uploaded file as the edge received it.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The form field it came in (named in a refusal).
    pub field: String,
    /// The material it is meant to be.
    pub material: String,
    pub bytes: Vec<u8>,
}

impl App {
    /// Checks and stores uploads; every refusal names its field. Nothing of a refused batch is
    /// referred to by anything (stored blobs of it stay unreferenced).
    pub async fn store_files(&self, uploads: &[Upload]) -> AppResult<Vec<MaterialFile>> {
        let limits = self.engine.config().service.files;
        let mut errors = Vec::new();
        for u in uploads {
            // 「营业执照」的文件 / the file for «营业执照»; an upload for no named material: 文件.
            let (zh, en) = if u.material.is_empty() {
                ("文件".to_string(), "the file".to_string())
            } else {
                (
                    format!("「{}」的文件", u.material),
                    format!("the file for «{}»", u.material),
                )
            };
            let problem = if u.bytes.len() as u64 > limits.max_file_bytes {
                let mb = limits.max_file_bytes / 1_000_000;
                Some(zh_en!(
                    "{zh}超过 {mb} MB，请压缩或分页后上传",
                    "{en} is larger than {mb} MB; compress or split it"
                ))
            } else if u.bytes.is_empty() {
                Some(zh_en!("{zh}是空的", "{en} is empty"))
            } else if MediaType::sniff(&u.bytes).is_none() {
                Some(zh_en!(
                    "{zh}不是 PDF、OFD、JPEG 或 PNG（按文件内容判断，不看扩展名）",
                    "{en} is not a PDF, OFD, JPEG or PNG (judged by its content, not its name)"
                ))
            } else {
                None
            };
            errors.extend(problem.map(|text| FieldError::new(&u.field, text)));
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors).into());
        }
        let now = self.now();
        let mut out = Vec::with_capacity(uploads.len());
        for u in uploads {
            let media = MediaType::sniff(&u.bytes).expect("checked above");
            let meta = self.store.put_blob(&u.bytes, media, now).await?;
            out.push(MaterialFile {
                material: u.material.clone(),
                sha256: meta.sha256,
                size: meta.size,
                media_type: media,
            });
        }
        Ok(out)
    }

    /// Files uploaded before, named by (material, digest): their facts from the store; a
    /// digest the store does not hold is refused by its place.
    pub async fn resolve_files(&self, refs: &[(String, String)]) -> AppResult<Vec<MaterialFile>> {
        let mut out = Vec::with_capacity(refs.len());
        let mut errors = Vec::new();
        for (i, (material, sha)) in refs.iter().enumerate() {
            match self.store.blob_meta(&sha.to_ascii_lowercase()).await? {
                Some(m) => out.push(MaterialFile {
                    material: material.clone(),
                    sha256: m.sha256,
                    size: m.size,
                    media_type: m.media_type,
                }),
                None => errors.push(FieldError::new(
                    format!("files[{i}].sha256"),
                    zh_en!(
                        "没有摘要为 {sha} 的已上传文件，请先上传",
                        "no file with digest {sha} was uploaded; upload it first"
                    ),
                )),
            }
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(DomainError::Invalid(errors).into())
        }
    }

    /// The applicant's (online, files only) or the window clerk's (files and paper)
    /// supplement: the files stored, then the one command through the engine.
    pub async fn supplement(
        &self,
        case: &Case,
        uploads: &[Upload],
        paper: Vec<String>,
        actor: Actor,
        key: Option<String>,
    ) -> AppResult<Ack> {
        let files = self.store_files(uploads).await?;
        Ok(self
            .engine
            .act(
                case.opened.receipt.clone(),
                CaseCommand::Supplement {
                    materials: paper,
                    files,
                },
                actor,
                key,
            )
            .await?)
    }

    /// A file of `case`, if the case holds it (the caller has checked who may read the case).
    pub async fn case_file(
        &self,
        case: &Case,
        sha256: &str,
    ) -> AppResult<Option<(MaterialFile, Vec<u8>)>> {
        let Some(file) = case.files.iter().find(|f| f.sha256 == sha256) else {
            return Ok(None);
        };
        match self.store.blob(sha256).await? {
            Some((_, bytes)) => Ok(Some((file.clone(), bytes))),
            None => Err(AppError::Internal(format!(
                "case {} refers to file {sha256}, which the file store does not hold",
                case.opened.receipt
            ))),
        }
    }
}
